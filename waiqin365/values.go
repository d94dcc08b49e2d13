package waiqin365

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/flex"
)

// The aPaaS query documents its fields as VARCHAR but returns objects for
// many of them. The value types below decode the documented object shape
// and, tolerantly, a bare string or number in its place (as the table's type
// allows); inner scalars may be strings or numbers. They never fail on an
// unexpected scalar.

// OptionValue is an option value {code, label, content} (single select, status,
// reasons); Status appears in multi-select lists. A bare string decodes into
// both Code and Label.
type OptionValue struct {
	Code    string `json:"code"`             // option code, e.g. "THYY0001" (opaque)
	Label   string `json:"label"`            // display text, e.g. "联系不上客户"
	Content string `json:"content"`          // extra text (usually null)
	Status  string `json:"status,omitempty"` // in multi-select lists, e.g. "1"
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *OptionValue) UnmarshalJSON(b []byte) error {
	obj, s, err := objectOrScalar(b, "option")
	switch {
	case err != nil:
		return err
	case obj == nil:
		if s != nil {
			*o = OptionValue{Code: *s, Label: *s}
		}
		return nil
	}
	var w struct {
		Code    json.RawMessage `json:"code"`
		Label   json.RawMessage `json:"label"`
		Content json.RawMessage `json:"content"`
		Status  json.RawMessage `json:"status"`
	}
	if err := json.Unmarshal(obj, &w); err != nil {
		return err
	}
	*o = OptionValue{Code: text(w.Code), Label: text(w.Label), Content: text(w.Content), Status: text(w.Status)}
	return nil
}

// Ref is a reference to another record {name, id, status} (owner, market
// campaign). A bare string decodes into ID when it is all digits, else Name.
type Ref struct {
	Name   string `json:"name"`   // display name, e.g. "老板"
	ID     ID     `json:"id"`     // 勤策 id (19 digits)
	Status string `json:"status"` // e.g. "1"
}

// UnmarshalJSON implements json.Unmarshaler.
func (r *Ref) UnmarshalJSON(b []byte) error {
	obj, s, err := objectOrScalar(b, "reference")
	switch {
	case err != nil:
		return err
	case obj == nil:
		if s != nil {
			if flex.IsDigits(*s) {
				*r = Ref{ID: ID(*s)}
			} else {
				*r = Ref{Name: *s}
			}
		}
		return nil
	}
	var w struct {
		Name   json.RawMessage `json:"name"`
		ID     json.RawMessage `json:"id"`
		Status json.RawMessage `json:"status"`
	}
	if err := json.Unmarshal(obj, &w); err != nil {
		return err
	}
	*r = Ref{Name: text(w.Name), ID: ID(text(w.ID)), Status: text(w.Status)}
	return nil
}

// Mobile is a mobile number with its country code: sent by the aPaaS writes
// ({phone, code}) and returned by the aPaaS query. A bare string decodes
// into Phone.
type Mobile struct {
	Phone string `json:"phone,omitempty"` // 手机号
	Code  string `json:"code,omitempty"`  // 国家编码, e.g. "86"
}

// UnmarshalJSON implements json.Unmarshaler.
func (m *Mobile) UnmarshalJSON(b []byte) error {
	obj, s, err := objectOrScalar(b, "mobile")
	switch {
	case err != nil:
		return err
	case obj == nil:
		if s != nil {
			*m = Mobile{Phone: *s}
		}
		return nil
	}
	var w struct {
		Phone json.RawMessage `json:"phone"`
		Code  json.RawMessage `json:"code"`
	}
	if err := json.Unmarshal(obj, &w); err != nil {
		return err
	}
	*m = Mobile{Phone: text(w.Phone), Code: text(w.Code)}
	return nil
}

// Region is an administrative region {code, name}, e.g. {"320000","江苏省"}.
// A bare string decodes into Name.
type Region struct {
	Code string `json:"code"` // administrative code, e.g. "320000"
	Name string `json:"name"` // name, e.g. "江苏省"
}

// UnmarshalJSON implements json.Unmarshaler.
func (r *Region) UnmarshalJSON(b []byte) error {
	obj, s, err := objectOrScalar(b, "region")
	switch {
	case err != nil:
		return err
	case obj == nil:
		if s != nil {
			*r = Region{Name: *s}
		}
		return nil
	}
	var w struct {
		Code json.RawMessage `json:"code"`
		Name json.RawMessage `json:"name"`
	}
	if err := json.Unmarshal(obj, &w); err != nil {
		return err
	}
	*r = Region{Code: text(w.Code), Name: text(w.Name)}
	return nil
}

// File is an uploaded file or image {path, name, url}.
type File struct {
	Path string `json:"path"` // storage path
	Name string `json:"name"` // file name (may be null)
	URL  string `json:"url"`  // download URL
}

// UnmarshalJSON implements json.Unmarshaler. A bare string decodes into
// Path.
func (f *File) UnmarshalJSON(b []byte) error {
	obj, s, err := objectOrScalar(b, "file")
	switch {
	case err != nil:
		return err
	case obj == nil:
		if s != nil {
			*f = File{Path: *s}
		}
		return nil
	}
	var w struct {
		Path json.RawMessage `json:"path"`
		Name json.RawMessage `json:"name"`
		URL  json.RawMessage `json:"url"`
	}
	if err := json.Unmarshal(obj, &w); err != nil {
		return err
	}
	*f = File{Path: text(w.Path), Name: text(w.Name), URL: text(w.URL)}
	return nil
}

// Files is a list of files (card_photo, file custom fields). It decodes
// from a list, a single object, or a bare non-empty string (one File with
// that Path); null and "" give nil.
type Files []File

// UnmarshalJSON implements json.Unmarshaler.
func (fs *Files) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var list []File
		if err := json.Unmarshal(b, &list); err != nil {
			return err
		}
		*fs = list
		return nil
	}
	var f File
	if err := f.UnmarshalJSON(b); err != nil {
		return err
	}
	if f == (File{}) {
		*fs = nil
	} else {
		*fs = Files{f}
	}
	return nil
}

// DateValue is a date custom field, e.g. {"format":"YYYY-MM-DD",
// "value":"2025-12-31"}.
type DateValue struct {
	Format string `json:"format"` // the vendor's pattern, e.g. "YYYY-MM-DD"
	Value  string `json:"value"`  // the date as text
}

// Time parses Value in Asia/Shanghai (see ParseTime); "" gives the zero
// time.
func (d DateValue) Time() (time.Time, error) { return ParseTime(d.Value) }

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
		return text(json.RawMessage(v)), nil
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
			return nil, err
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
		return DateValue{Value: text(json.RawMessage(v))}, nil
	case FieldDate:
		var w struct {
			Format json.RawMessage `json:"format"`
			Value  json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(v, &w); err != nil {
			return DateValue{}, err
		}
		return DateValue{Format: text(w.Format), Value: text(w.Value)}, nil
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

// objectOrScalar splits a tolerant value: it returns the object's bytes, or
// (for a scalar) its text, or neither for null.
func objectOrScalar(b []byte, what string) (obj []byte, scalar *string, err error) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return nil, nil, fmt.Errorf("waiqin365: %s: empty value", what)
	case b[0] == '{':
		return b, nil, nil
	case b[0] == '[':
		return nil, nil, fmt.Errorf("waiqin365: %s: unexpected list", what)
	case string(b) == "null":
		return nil, nil, nil
	}
	if !json.Valid(b) {
		return nil, nil, fmt.Errorf("waiqin365: %s: invalid JSON", what)
	}
	s := text(b)
	return nil, &s, nil
}

// text renders a JSON value as text: a string unquoted, null or absent as
// "", anything else as its JSON text.
func text(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 || string(b) == "null" {
		return ""
	}
	if b[0] == '"' {
		var s flex.String // a plain literal without json.Unmarshal
		if s.UnmarshalJSON(b) == nil {
			return string(s)
		}
	}
	// A non-string value is kept as its JSON text; invalid UTF-8 in it is
	// replaced as encoding/json does for strings, so the text is stable
	// when the record is encoded and decoded again.
	return strings.ToValidUTF8(string(b), "\uFFFD")
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
