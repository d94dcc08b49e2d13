package flex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Extra holds the members of a JSON object that no field of the struct it
// was decoded into names: the key (unescaped, as a map key would be) and the
// value's JSON, verbatim. See UnmarshalObject and MarshalObject.
type Extra map[string]json.RawMessage

// UnmarshalObject decodes the JSON object b into the struct dst points to and
// sets *extra to the members no field names (nil when there are none; each
// value a copy of its JSON, verbatim; a repeated key: the last wins). It is
// meant for a type's UnmarshalJSON, where encoding/json has already checked
// that b is valid JSON:
//
//	type Contact struct {
//		ContactID string     `json:"contact_id"`
//		...
//		Extra     flex.Extra `json:"-"`
//	}
//
//	func (c *Contact) UnmarshalJSON(b []byte) error {
//		type plain Contact // the fields, without this method
//		return flex.UnmarshalObject(b, (*plain)(c), &c.Extra)
//	}
//
// Fields are matched as encoding/json matches them: the json tag's name (or
// the Go name), "-" skipped, the exact key first and then a case-insensitive
// match, fields of embedded structs promoted by Go's rules, the ",string"
// option honoured; fields the object does not mention keep their values.
// Values decode as encoding/json decodes them, including the UnmarshalJSON
// and UnmarshalText methods of field types, except that numbers decoded into
// interface values are json.Number (as with Unmarshal). dst's own methods
// are not used: the object is decoded field by field. A type error (a
// string for an int field, say) does not stop the decoding: the first one
// is returned at the end, as encoding/json does.
//
// null, and also [] (PHP backends encode an empty map as a list), decode
// as an object without members. Any other value that is not an object is a
// *json.UnmarshalTypeError.
//
// b is walked once and is not validated again: valid JSON decodes exactly
// as encoding/json would decode it; invalid JSON gives an error or an
// unspecified result, never a panic (validate input that did not come
// through encoding/json, e.g. with json.Valid). A nil extra drops the
// unknown members. The strings set in the string fields of one object
// share one allocation, and the keys of Extra are shared between the
// objects of a type.
func UnmarshalObject(b []byte, dst any, extra *Extra) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &json.InvalidUnmarshalError{Type: reflect.TypeOf(dst)}
	}
	sv := rv.Elem()
	if sv.Kind() != reflect.Struct {
		return fmt.Errorf("flex.UnmarshalObject: %v does not point to a struct", rv.Type())
	}
	tab := objTableFor(sv.Type())
	st := objState{data: b}
	var spanBuf [8]objSpan
	i := skipSpace(b, 0)
	if i >= len(b) {
		return errObjEnd
	}
	var end int
	var err error
	switch b[i] {
	case '{':
		var spans []objSpan
		end, spans, err = st.object(tab, sv, i, extra != nil, spanBuf[:0])
		if err == nil && extra != nil {
			*extra = objBuildExtra(tab, b, spans)
		}
	case '[':
		j := skipSpace(b, i+1)
		if j >= len(b) || b[j] != ']' {
			end = endOfValue(b, i)
			st.save(&json.UnmarshalTypeError{Value: "array", Type: sv.Type(), Offset: int64(i + 1)})
			break
		}
		end = j + 1
		if extra != nil {
			*extra = nil
		}
	case 'n':
		end = st.literal(i, "null")
		if extra != nil {
			*extra = nil
		}
	default:
		end = endOfValue(b, i)
		st.save(&json.UnmarshalTypeError{Value: objValueName(b[i]), Type: sv.Type(), Offset: int64(i + 1)})
	}
	if err != nil {
		return err
	}
	if end < 0 || skipSpace(b, end) != len(b) {
		return errObjSyntax
	}
	return st.saved
}

// MarshalObject encodes the struct src (or a pointer to it) as Marshal does
// (no HTML escaping) and appends the members of extra whose keys are not in
// that object yet, keys sorted. A key the struct's JSON already has, also
// in another case (decoding would send both to one field), is left out;
// the key of a field omitted as empty (omitempty) is not in it, so extra
// can send that member with an empty value. Each value must be valid JSON
// and is written verbatim; an empty one is written as null.
//
// It is meant for a type's MarshalJSON, with src the fields without the
// method (a type with its own MarshalJSON is an error: its output may hold
// the members already, or call back here):
//
//	func (c Contact) MarshalJSON() ([]byte, error) {
//		type plain Contact
//		return flex.MarshalObject(plain(c), c.Extra)
//	}
func MarshalObject(src any, extra Extra) ([]byte, error) {
	t := reflect.TypeOf(src)
	for t != nil && t.Kind() == reflect.Pointer && !t.Implements(objMarshalerType) {
		t = t.Elem()
	}
	if t != nil && (t.Implements(objMarshalerType) || reflect.PointerTo(t).Implements(objMarshalerType)) {
		return nil, fmt.Errorf("flex.MarshalObject: %T has a MarshalJSON method; pass its fields (type plain %v)", src, t)
	}
	body, err := Marshal(src)
	if err != nil || len(extra) == 0 {
		return body, err
	}
	n := len(body)
	var keyBuf [64][]byte
	present, ok := objTopKeys(body, keyBuf[:0])
	if !ok {
		return nil, fmt.Errorf("flex.MarshalObject: %T does not encode as a JSON object", src)
	}
	keys := make([]string, 0, len(extra))
next:
	for k := range extra {
		for _, p := range present {
			if strings.EqualFold(string(p), k) { // as encoding/json matches keys
				continue next
			}
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return body, nil
	}
	slices.Sort(keys)
	size := n
	for _, k := range keys {
		size += len(k) + len(extra[k]) + 4
	}
	out := make([]byte, 0, size)
	out = append(out, body[:n-1]...)
	comma := skipSpace(body, 1) != n-1 // the struct has members
	for _, k := range keys {
		v := bytes.TrimSpace(extra[k])
		if len(v) == 0 {
			v = nullJSON
		} else if !json.Valid(v) {
			return nil, fmt.Errorf("flex.MarshalObject: extra[%q] is not valid JSON", k)
		}
		kb, err := Marshal(k)
		if err != nil {
			return nil, err
		}
		if comma {
			out = append(out, ',')
		}
		comma = true
		out = append(out, kb...)
		out = append(out, ':')
		out = append(out, v...)
	}
	return append(out, '}'), nil
}

// objTopKeys appends the keys (unescaped) of the members of the JSON
// object b to keys; false when b is not an object.
func objTopKeys(b []byte, keys [][]byte) ([][]byte, bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return keys, skipSpace(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, false
		}
		end, plain := objStringEnd(b, i)
		if end < 0 {
			return nil, false
		}
		if plain {
			keys = append(keys, b[i+1:end-1])
		} else {
			k, ok := objUnquote(b[i:end])
			if !ok {
				return nil, false
			}
			keys = append(keys, []byte(k))
		}
		if i = skipSpace(b, end); i >= len(b) || b[i] != ':' {
			return nil, false
		}
		if end = endOfValue(b, skipSpace(b, i+1)); end < 0 {
			return nil, false
		}
		switch i = skipSpace(b, end); {
		case i < len(b) && b[i] == ',':
			i = skipSpace(b, i+1)
		case i < len(b) && b[i] == '}':
			return keys, skipSpace(b, i+1) == len(b)
		default:
			return nil, false
		}
	}
}

var (
	nullJSON     = []byte("null")
	errObjSyntax = errors.New("flex.UnmarshalObject: invalid JSON")
	errObjEnd    = errors.New("flex.UnmarshalObject: unexpected end of JSON input")
	errObjDepth  = errors.New("flex.UnmarshalObject: exceeded max depth")
)

// objValueName names a JSON value by its first byte, as
// json.UnmarshalTypeError.Value does.
func objValueName(c byte) string {
	switch c {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}
