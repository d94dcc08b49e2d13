package v3clue

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/flex"
)

// FieldType is the type code of a clue field (fields[].type). The vendor's
// type table (客户设置 → 查询客户字段) is not public: the constants below are
// inferred from the single example of clue/get, and any other code is kept
// as is, with its value available raw.
type FieldType int

// Field type codes seen in the vendor's example (inferred meanings).
const (
	// FieldTypeText (1): free text, e.g. name, description, address, corp_name.
	FieldTypeText FieldType = 1
	// FieldTypeSelect (2): a select field whose value is an option id sent
	// as a numeric-looking string, e.g. customer_stage "396823724189760".
	FieldTypeSelect FieldType = 2
	// FieldTypeDate (3): a date, e.g. birthday. Only null was seen, so the
	// format is unknown; see Field.Date.
	FieldTypeDate FieldType = 3
	// FieldTypeMobiles (8): a list of phone numbers sent as a JSON array
	// inside the string, e.g. "[\"145678388\"]"; see Field.Strings.
	FieldTypeMobiles FieldType = 8
)

// String names the type ("text", "select", "date", "mobiles") or gives
// FieldType(N) for a code not seen in the vendor's example.
func (t FieldType) String() string {
	switch t {
	case FieldTypeText:
		return "text"
	case FieldTypeSelect:
		return "select"
	case FieldTypeDate:
		return "date"
	case FieldTypeMobiles:
		return "mobiles"
	}
	return "FieldType(" + strconv.Itoa(int(t)) + ")"
}

// Field is one entry of a clue's fields list: {field, type, valueAsText}.
type Field struct {
	// Name is the field's name (JSON "field"), e.g. "mobile", "name",
	// "customer_stage".
	Name string `json:"field"`
	// Type is the field's type code.
	Type FieldType `json:"type"`
	// ValueAsText is the value as the vendor's text, nil when null.
	ValueAsText *string `json:"valueAsText"`
	// Extra holds the members the vendor sent that no field above names,
	// each value's JSON verbatim. They are encoded again by MarshalJSON.
	Extra Extra `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler; the name and the type code may
// arrive as a number or a string, and the value as a string, a number or a
// boolean (kept as its exact text) or null. Unknown members go to Extra.
func (f *Field) UnmarshalJSON(b []byte) error {
	type plain Field
	var w struct {
		plain
		// The values whose JSON type may differ from the documented one.
		Name        flex.String  `json:"field"`
		Type        flex.Int64   `json:"type"`
		ValueAsText *flex.String `json:"valueAsText"`
	}
	if err := decodeObject(b, &w, &w.Extra, reflect.TypeFor[Field]()); err != nil {
		return err
	}
	typ, err := toInt(int64(w.Type), "field type")
	if err != nil {
		return err
	}
	*f = Field(w.plain)
	f.Name, f.Type, f.ValueAsText = string(w.Name), FieldType(typ), nil
	if w.ValueAsText != nil {
		f.ValueAsText = Ptr(string(*w.ValueAsText))
	}
	return nil
}

// MarshalJSON implements json.Marshaler: the fields, then the Extra
// members.
func (f Field) MarshalJSON() ([]byte, error) {
	type plain Field
	return flex.MarshalObject(plain(f), f.Extra)
}

// IsNull reports whether the value is null.
func (f Field) IsNull() bool { return f.ValueAsText == nil }

// Raw returns the value exactly as sent and false when it is null.
func (f Field) Raw() (string, bool) {
	if f.ValueAsText == nil {
		return "", false
	}
	return *f.ValueAsText, true
}

// Text returns the value as text ("" when null), whatever the type.
func (f Field) Text() string {
	v, _ := f.Raw()
	return v
}

// OptionID returns the option id of a select field (type 2), e.g.
// "396823724189760", and false when the value is null or empty. It does not
// check the type code, which is inferred.
func (f Field) OptionID() (string, bool) {
	v := strings.TrimSpace(f.Text())
	return v, v != ""
}

// Date parses the value of a date field (type 3) in CST. The
// format is not documented (the vendor's example only has null), so it
// accepts "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd" and epoch milliseconds. Null or
// empty gives the zero time and no error; anything else is an error.
func (f Field) Date() (time.Time, error) {
	t, err := parseTime(f.Text())
	if err != nil {
		return time.Time{}, fmt.Errorf("v3clue: field %q: %w", f.Name, err)
	}
	return t, nil
}

// Strings decodes a value that holds a JSON array inside the string, such as
// the mobile list "[\"145678388\"]" (type 8). Elements may be strings or
// numbers (kept as their exact text). Null or empty gives nil and no error; a
// value that is not a JSON array of strings or numbers is an error.
func (f Field) Strings() ([]string, error) {
	out, err := decodeStrings(f.Text())
	if err != nil {
		return nil, fmt.Errorf("v3clue: field %q: %w", f.Name, err)
	}
	return out, nil
}

func decodeStrings(s string) ([]string, error) {
	b := bytes.TrimSpace([]byte(s))
	if len(b) == 0 {
		return nil, nil
	}
	if b[0] != '[' {
		return nil, errors.New("value is not a JSON array")
	}
	var items []flex.String
	if err := flex.Unmarshal(b, &items); err != nil {
		return nil, fmt.Errorf("value is not a JSON array of strings or numbers: %w", err)
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = string(it)
	}
	return out, nil
}

// Value returns the value typed by its type code: nil for null; string for
// text (1) and select (2, the option id); time.Time for date (3, see Date;
// an empty value gives the zero time); []string for mobiles (8, see Strings);
// and the raw string for any other code.
func (f Field) Value() (any, error) {
	if f.ValueAsText == nil {
		return nil, nil
	}
	switch f.Type {
	case FieldTypeDate:
		return f.Date()
	case FieldTypeMobiles:
		return f.Strings()
	}
	return *f.ValueAsText, nil
}
