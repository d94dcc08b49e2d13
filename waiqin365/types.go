package waiqin365

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cluekit/cluekit/internal/flex"
)

// ID is an identifier kept as its exact decimal text (勤策 ids have 19
// digits, beyond float64). It decodes from a JSON string or number and
// always encodes as a JSON string: use it where 勤策 documents a VARCHAR id.
// Where it documents a BIGINT sent as a bare JSON number
// (modifySalesLeadsForApaas id) the field is a NumericID instead. The same
// rule holds in every cluekit package.
type ID = flex.ID

// NumericID is an integer identifier kept as its exact decimal text that
// encodes as a bare JSON number with every digit ("" encodes as null, and an
// omitempty field is then left out). It decodes from a number or a string
// of digits.
type NumericID = flex.NumericID

// Text is a value 勤策 documents as text but whose JSON type is not settled:
// a string decodes to its value, null to "", a number or boolean to its
// literal text (exactly as sent) and an object or array to its compact JSON
// text. It never fails on valid JSON and encodes as a JSON string.
type Text = flex.Text

// Extra holds the members of a JSON object that no typed field names, each
// value's JSON verbatim.
type Extra = flex.Extra

// String is text that 勤策 sends as a JSON string or a number (its literal
// text, exactly); null decodes to "". Unlike Text, an object or array is an
// error. It encodes as a JSON string.
type String = flex.String

// Ptr returns a pointer to a copy of v, for optional fields such as
// QuerySalesLeadsForApaasRequest.Sorts or AddSalesLeadsForApaasRequest.Mobile.
func Ptr[T any](v T) *T { return &v }

// WriteResult is the answer of a write call (response_data is null).
type WriteResult struct {
	// MsgID is the msg_id the server echoed, or the one sent on the last
	// attempt when it echoed none.
	MsgID string
}

// Ext is one custom field in the list form ({salesleads_ext_key,
// salesleads_ext_value}) of the write endpoints.
type Ext struct {
	Key   string `json:"salesleads_ext_key"`   // 自定义字段key, VARCHAR(100)
	Value string `json:"salesleads_ext_value"` // 自定义字段value, VARCHAR(100)
}

// ---- values of the aPaaS rows ----
//
// The aPaaS query documents its fields as VARCHAR but returns objects for
// many of them. The value types below decode the documented object shape
// and, tolerantly, a bare string or number in its place (as the table's type
// allows); their fields are Text, so inner values may be strings, numbers or
// anything else. A list where an object belongs is an error.

// OptionValue is an option value {code, label, content} (single select,
// status, reasons); Status appears in multi-select lists. A bare scalar
// decodes into both Code and Label.
type OptionValue struct {
	Code    Text `json:"code"`             // option code, e.g. "THYY0001" (opaque)
	Label   Text `json:"label"`            // display text, e.g. "联系不上客户"
	Content Text `json:"content"`          // extra text (usually null)
	Status  Text `json:"status,omitempty"` // in multi-select lists, e.g. "1"
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *OptionValue) UnmarshalJSON(b []byte) error {
	type plain OptionValue
	*o = OptionValue{}
	s, err := objectOrText(b, "option", (*plain)(o))
	if s != nil {
		o.Code, o.Label = *s, *s
	}
	return err
}

// Ref is a reference to another record {name, id, status} (owner, market
// campaign). A bare scalar decodes into ID when it is all digits, else Name.
type Ref struct {
	Name   Text `json:"name"`   // display name, e.g. "老板"
	ID     ID   `json:"id"`     // 勤策 id (19 digits)
	Status Text `json:"status"` // e.g. "1"
}

// UnmarshalJSON implements json.Unmarshaler.
func (r *Ref) UnmarshalJSON(b []byte) error {
	type plain Ref
	*r = Ref{}
	s, err := objectOrText(b, "reference", (*plain)(r))
	if s != nil {
		if flex.IsDigits(string(*s)) {
			r.ID = ID(*s)
		} else {
			r.Name = *s
		}
	}
	return err
}

// Mobile is a mobile number with its country code: sent by the aPaaS writes
// ({phone, code}) and returned by the aPaaS query. A bare scalar decodes
// into Phone.
type Mobile struct {
	Phone Text `json:"phone,omitempty"` // 手机号
	Code  Text `json:"code,omitempty"`  // 国家编码, e.g. "86"
}

// UnmarshalJSON implements json.Unmarshaler.
func (m *Mobile) UnmarshalJSON(b []byte) error {
	type plain Mobile
	*m = Mobile{}
	s, err := objectOrText(b, "mobile", (*plain)(m))
	if s != nil {
		m.Phone = *s
	}
	return err
}

// Region is an administrative region {code, name}, e.g. {"320000","江苏省"}.
// A bare scalar decodes into Name.
type Region struct {
	Code Text `json:"code"` // administrative code, e.g. "320000"
	Name Text `json:"name"` // name, e.g. "江苏省"
}

// UnmarshalJSON implements json.Unmarshaler.
func (r *Region) UnmarshalJSON(b []byte) error {
	type plain Region
	*r = Region{}
	s, err := objectOrText(b, "region", (*plain)(r))
	if s != nil {
		r.Name = *s
	}
	return err
}

// File is an uploaded file or image {path, name, url}. A bare scalar
// decodes into Path.
type File struct {
	Path Text `json:"path"` // storage path
	Name Text `json:"name"` // file name (may be null)
	URL  Text `json:"url"`  // download URL
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *File) UnmarshalJSON(b []byte) error {
	type plain File
	*f = File{}
	s, err := objectOrText(b, "file", (*plain)(f))
	if s != nil {
		f.Path = *s
	}
	return err
}

// Files is a list of files (card_photo, file custom fields). It decodes
// from a list, a single object, or a bare non-empty string (one File with
// that Path); null, "" and {} give nil. It encodes as a JSON list.
type Files = flex.List[File]

// objectOrText decodes a tolerant value: an object into obj (a pointer to
// the plain struct), a scalar returned as text for the caller to place,
// null as nothing. A list is an error.
func objectOrText(b []byte, what string, obj any) (*Text, error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return nil, fmt.Errorf("waiqin365: %s: empty value", what)
	case b[0] == '{':
		return nil, json.Unmarshal(b, obj)
	case b[0] == '[':
		return nil, &json.UnmarshalTypeError{Value: "array", Type: reflect.TypeOf(obj).Elem()}
	case string(b) == "null":
		return nil, nil
	}
	var t Text
	if err := t.UnmarshalJSON(b); err != nil {
		return nil, err
	}
	return &t, nil
}

// DateValue is a date custom field, e.g. {"format":"YYYY-MM-DD",
// "value":"2025-12-31"}.
type DateValue struct {
	Format Text `json:"format"` // the vendor's pattern, e.g. "YYYY-MM-DD"
	Value  Text `json:"value"`  // the date as text
}

// Time parses Value in Asia/Shanghai (see ParseTime); "" gives the zero
// time.
func (d DateValue) Time() (time.Time, error) { return ParseTime(string(d.Value)) }

// FieldKind is the shape of a custom-field value.
type FieldKind int

// Custom-field shapes recognised by FieldValue.Kind.
const (
	FieldNull    FieldKind = iota // null or absent
	FieldText                     // a JSON string (text, number as text, multi-select codes "a,b")
	FieldNumber                   // a JSON number
	FieldBool                     // true or false
	FieldOption                   // {code, label, content}
	FieldOptions                  // [{code, label, content, status}, ...]
	FieldDate                     // {format, value}
	FieldFiles                    // [{path, name, url}, ...]
	FieldObject                   // another object
	FieldArray                    // another (or an empty) array
)

// String returns the kind's name.
func (k FieldKind) String() string {
	switch k {
	case FieldNull:
		return "null"
	case FieldText:
		return "text"
	case FieldNumber:
		return "number"
	case FieldBool:
		return "bool"
	case FieldOption:
		return "option"
	case FieldOptions:
		return "options"
	case FieldDate:
		return "date"
	case FieldFiles:
		return "files"
	case FieldObject:
		return "object"
	case FieldArray:
		return "array"
	}
	return fmt.Sprintf("FieldKind(%d)", int(k))
}

// FieldValue is the raw JSON of one aPaaS custom field (exts), whose shape
// depends on the field's type: a string, an option, a list of options, a
// date or a list of files. Kind tells which; the As* accessors decode it.
type FieldValue json.RawMessage

// UnmarshalJSON implements json.Unmarshaler (it keeps a copy of b).
func (v *FieldValue) UnmarshalJSON(b []byte) error {
	*v = append((*v)[:0], b...)
	return nil
}

// MarshalJSON implements json.Marshaler (empty encodes as null).
func (v FieldValue) MarshalJSON() ([]byte, error) {
	if len(bytes.TrimSpace(v)) == 0 {
		return []byte("null"), nil
	}
	return v, nil
}

// Raw returns the value's JSON.
func (v FieldValue) Raw() json.RawMessage { return json.RawMessage(v) }

// Kind reports the value's shape.
func (v FieldValue) Kind() FieldKind {
	b := bytes.TrimSpace(v)
	if len(b) == 0 {
		return FieldNull
	}
	switch b[0] {
	case 'n':
		return FieldNull
	case '"':
		return FieldText
	case 't', 'f':
		return FieldBool
	case '{':
		if k := objectKind(b); k != fieldFile {
			return k
		}
		return FieldFiles
	case '[':
		var items []json.RawMessage
		if json.Unmarshal(b, &items) != nil || len(items) == 0 {
			return FieldArray
		}
		first := bytes.TrimSpace(items[0])
		if len(first) == 0 || first[0] != '{' {
			return FieldArray
		}
		switch objectKind(first) {
		case FieldOption:
			return FieldOptions
		case fieldFile:
			return FieldFiles
		}
		return FieldArray
	}
	return FieldNumber
}

// fieldFile marks a single file object inside Kind (never returned).
const fieldFile FieldKind = -1

func objectKind(b []byte) FieldKind {
	var keys map[string]json.RawMessage
	if json.Unmarshal(b, &keys) != nil {
		return FieldObject
	}
	_, format := keys["format"]
	_, value := keys["value"]
	_, code := keys["code"]
	_, label := keys["label"]
	_, path := keys["path"]
	_, url := keys["url"]
	switch {
	case format && value:
		return FieldDate
	case path || url:
		return fieldFile
	case code || label:
		return FieldOption
	}
	return FieldObject
}

// ErrFieldShape is returned by the FieldValue accessors when the value does
// not have the requested shape.
var ErrFieldShape = errors.New("waiqin365: custom field has another shape")

// AsString returns a text value: a JSON string, or the literal text of a
// number or boolean; null gives "". Objects and arrays are ErrFieldShape.
func (v FieldValue) AsString() (string, error) {
	switch v.Kind() {
	case FieldNull:
		return "", nil
	case FieldText, FieldNumber, FieldBool:
		var t Text
		if err := t.UnmarshalJSON(v); err != nil {
			return "", fmt.Errorf("%w: %v", ErrFieldShape, err)
		}
		return string(t), nil
	}
	return "", fmt.Errorf("%w: want text, have %s", ErrFieldShape, v.Kind())
}

// AsOption returns a single-select value; null gives nil. A bare string is
// taken as both code and label.
func (v FieldValue) AsOption() (*OptionValue, error) {
	switch v.Kind() {
	case FieldNull:
		return nil, nil
	case FieldOption, FieldText, FieldNumber:
		var o OptionValue
		if err := o.UnmarshalJSON(v); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFieldShape, err)
		}
		return &o, nil
	}
	return nil, fmt.Errorf("%w: want option, have %s", ErrFieldShape, v.Kind())
}

// AsOptions returns a multi-select value; null gives nil, a single option
// gives a list of one, and an empty list gives an empty list.
func (v FieldValue) AsOptions() ([]OptionValue, error) {
	switch v.Kind() {
	case FieldNull:
		return nil, nil
	case FieldOption:
		o, err := v.AsOption()
		if err != nil {
			return nil, err
		}
		return []OptionValue{*o}, nil
	case FieldOptions, FieldArray:
		var list []OptionValue
		if err := json.Unmarshal(v, &list); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFieldShape, err)
		}
		return list, nil
	}
	return nil, fmt.Errorf("%w: want options, have %s", ErrFieldShape, v.Kind())
}

// AsDate returns a date value ({format, value}); a bare string is taken as
// the value, null gives the zero DateValue.
func (v FieldValue) AsDate() (DateValue, error) {
	switch v.Kind() {
	case FieldNull:
		return DateValue{}, nil
	case FieldText:
		s, err := v.AsString()
		return DateValue{Value: Text(s)}, err
	case FieldDate:
		var d DateValue
		if err := json.Unmarshal(v, &d); err != nil {
			return DateValue{}, fmt.Errorf("%w: %v", ErrFieldShape, err)
		}
		return d, nil
	}
	return DateValue{}, fmt.Errorf("%w: want date, have %s", ErrFieldShape, v.Kind())
}

// AsFiles returns a file or image value; null gives nil.
func (v FieldValue) AsFiles() (Files, error) {
	switch v.Kind() {
	case FieldNull:
		return nil, nil
	case FieldFiles, FieldArray, FieldObject, FieldText:
		var fs Files
		if err := fs.UnmarshalJSON(v); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrFieldShape, err)
		}
		return fs, nil
	}
	return nil, fmt.Errorf("%w: want files, have %s", ErrFieldShape, v.Kind())
}

// ---- times ----

// ParseTime parses the times 勤策 returns, in Asia/Shanghai:
// "yyyy-MM-dd HH:mm" (query results), "yyyy-MM-dd HH:mm:ss" (push
// statusTime) and "yyyy-MM-dd". An empty string gives the zero time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range [...]string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, CST); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("waiqin365: unrecognised time %.40q", s)
}

// FormatDate formats t as a query date filter (yyyy-MM-dd in Asia/Shanghai).
func FormatDate(t time.Time) string { return t.In(CST).Format("2006-01-02") }

// ---- request bodies ----

// encodeBody marshals a request struct once and merges extra (the request's
// Extra map) into the top-level object, keys sorted. A key of extra that
// the typed fields already send is an error: the vendor would see it twice.
func encodeBody(v any, extra map[string]any) ([]byte, error) {
	body, err := flex.Marshal(v)
	if err != nil {
		return nil, err
	}
	if len(extra) == 0 {
		return body, nil
	}
	var present map[string]json.RawMessage
	if err := json.Unmarshal(body, &present); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		if k == "" || !utf8.ValidString(k) {
			return nil, fmt.Errorf("extra member %q: the key is empty or not valid UTF-8", k)
		}
		if _, dup := present[k]; dup {
			return nil, fmt.Errorf("extra member %q repeats a field that is already set", k)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b bytes.Buffer
	b.Grow(len(body) + 32*len(keys))
	b.Write(body[:len(body)-1]) // without the closing brace
	sep := len(present) > 0
	for _, k := range keys {
		kb, _ := flex.Marshal(k)
		vb, err := flex.Marshal(extra[k])
		if err != nil {
			return nil, fmt.Errorf("extra member %q: %w", k, err)
		}
		if sep {
			b.WriteByte(',')
		}
		sep = true
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// set reports whether s holds something other than white space.
func set(s string) bool { return strings.TrimSpace(s) != "" }

// has reports whether a typed field or the same key in extra holds a value.
func has(typed string, extra map[string]any, key string) bool {
	if set(typed) {
		return true
	}
	v, ok := extra[key]
	if !ok || v == nil {
		return false
	}
	if s, ok := v.(string); ok {
		return set(s)
	}
	return true
}

func anySet(values ...string) bool {
	for _, v := range values {
		if set(v) {
			return true
		}
	}
	return false
}

// splitList splits a comma-separated list (ASCII or full-width commas),
// trimming spaces and dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' }) {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
