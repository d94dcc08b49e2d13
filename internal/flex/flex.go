// Package flex holds JSON types for the quirks of vendor APIs: codes that
// arrive as strings or numbers, 19-digit IDs that must never pass through
// float64, JSON carried inside a JSON string, and flags spelled several ways.
package flex

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// String decodes from a JSON string, number (its literal text, exactly) or
// boolean; null decodes to "". It encodes as a JSON string.
type String string

// UnmarshalJSON implements json.Unmarshaler.
func (s *String) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return errors.New("flex.String: empty input")
	case string(b) == "null":
		*s = ""
	case b[0] == '"':
		if v, ok := plainString(b); ok {
			*s = String(v)
			return nil
		}
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = String(v)
	case string(b) == "true" || string(b) == "false":
		*s = String(b)
	case isNumber(b):
		*s = String(b)
	default:
		return fmt.Errorf("flex.String: cannot decode %.20q", b)
	}
	return nil
}

// String returns the plain string.
func (s String) String() string { return string(s) }

// ID is an identifier kept as its exact decimal text. It decodes from a JSON
// number or string and encodes as a JSON string. Use NumericID where the
// vendor expects a bare JSON number.
type ID = String

// NumericID is an integer identifier (up to 19 digits and beyond) kept as its
// exact decimal text, never as float64. It decodes from a JSON number or a
// string of digits and encodes as a bare JSON number; "" encodes as null.
type NumericID string

// UnmarshalJSON implements json.Unmarshaler.
func (n *NumericID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*n = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		if v != "" && !isInteger([]byte(v)) {
			return fmt.Errorf("flex.NumericID: %.30q is not an integer", v)
		}
		*n = NumericID(v)
		return nil
	}
	if !isInteger(b) {
		return fmt.Errorf("flex.NumericID: %.30q is not an integer", b)
	}
	*n = NumericID(b)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (n NumericID) MarshalJSON() ([]byte, error) {
	if n == "" {
		return []byte("null"), nil
	}
	if !isInteger([]byte(n)) {
		return nil, fmt.Errorf("flex.NumericID: %.30q is not an integer", string(n))
	}
	return []byte(n), nil
}

// Int64 returns the value as an int64 (an error if it does not fit).
func (n NumericID) Int64() (int64, error) { return strconv.ParseInt(string(n), 10, 64) }

// String returns the decimal text.
func (n NumericID) String() string { return string(n) }

// Int64 decodes from a JSON number or a numeric string ("" and null give 0)
// and encodes as a JSON number.
type Int64 int64

// UnmarshalJSON implements json.Unmarshaler.
func (i *Int64) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*i = 0
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		if v == "" {
			*i = 0
			return nil
		}
		b = []byte(v)
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("flex.Int64: %.30q is not an int64", b)
	}
	*i = Int64(v)
	return nil
}

// UnixMillis is an epoch time in milliseconds that arrives as a number or a
// string. It encodes as a JSON number.
type UnixMillis = Int64

// Millis converts epoch milliseconds to a time (zero for 0).
func Millis(ms Int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms))
}

// Seconds converts epoch seconds to a time (zero for 0). Values above 1e12
// are taken as milliseconds, since some vendors mix the two units.
func Seconds(s Int64) time.Time {
	switch {
	case s == 0:
		return time.Time{}
	case s > 1e12:
		return time.UnixMilli(int64(s))
	default:
		return time.Unix(int64(s), 0)
	}
}

// Bool decodes from true/false, 0/1, "0"/"1" and "true"/"false"; null and
// "" give false. It encodes as a JSON boolean.
type Bool bool

// UnmarshalJSON implements json.Unmarshaler.
func (v *Bool) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(bytes.TrimSpace(b), `"`))
	switch s {
	case "true", "1", "TRUE", "True":
		*v = true
	case "false", "0", "", "null", "FALSE", "False":
		*v = false
	default:
		return fmt.Errorf("flex.Bool: cannot decode %.20q", b)
	}
	return nil
}

// Embedded is a JSON value that may arrive either as JSON or as a JSON string
// holding JSON ("response_data": "[{...}]"). It keeps the inner JSON bytes;
// null and "" decode to nil. It encodes as the inner JSON.
type Embedded []byte

// UnmarshalJSON implements json.Unmarshaler.
func (e *Embedded) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*e = nil
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var inner string
		if err := json.Unmarshal(b, &inner); err != nil {
			return err
		}
		in := bytes.TrimSpace([]byte(inner))
		if len(in) == 0 || string(in) == "null" {
			*e = nil
			return nil
		}
		if !json.Valid(in) {
			return errors.New("flex.Embedded: string does not hold valid JSON")
		}
		*e = in
		return nil
	}
	*e = append((*e)[:0], b...)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (e Embedded) MarshalJSON() ([]byte, error) {
	if len(e) == 0 {
		return []byte("null"), nil
	}
	return e, nil
}

// Decode unmarshals the inner JSON into v (numbers as json.Number when v
// holds interfaces). Empty input leaves v untouched.
func (e Embedded) Decode(v any) error {
	if len(e) == 0 {
		return nil
	}
	return Unmarshal(e, v)
}

// Unmarshal is json.Unmarshal with UseNumber, so numbers decoded into
// interfaces keep every digit. Anything but white space after the value is
// an error.
//
// UseNumber only matters where an interface value is filled, so a target
// that cannot hold one (decided once per type, see holdsInterface) is
// decoded with json.Unmarshal, which reads data in place; only the others
// go through a json.Decoder, which copies the input into its own buffer.
func Unmarshal(data []byte, v any) error {
	if t := reflect.TypeOf(v); t != nil && !holdsInterface(t) {
		return json.Unmarshal(data, v)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) > 0 {
		return errors.New("flex: trailing data after JSON value")
	}
	return nil
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	interfaceCache      sync.Map // reflect.Type -> bool
)

// holdsInterface reports whether decoding JSON into a value of type t can
// fill an interface value directly (so that UseNumber makes a difference).
// A type with its own UnmarshalJSON or UnmarshalText decides for itself
// (it typically calls Unmarshal) and counts as not holding one.
func holdsInterface(t reflect.Type) bool {
	if v, ok := interfaceCache.Load(t); ok {
		return v.(bool)
	}
	h := holdsInterfaceWalk(t, map[reflect.Type]bool{})
	interfaceCache.Store(t, h)
	return h
}

func holdsInterfaceWalk(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false // a cycle adds nothing the rest of the walk does not find
	}
	seen[t] = true
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		pt := reflect.PointerTo(t)
		if pt.Implements(unmarshalerType) || pt.Implements(textUnmarshalerType) {
			return false
		}
	}
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return holdsInterfaceWalk(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if (f.IsExported() || f.Anonymous) && f.Tag.Get("json") != "-" && holdsInterfaceWalk(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// Marshal is json.Marshal without HTML escaping (vendors hash the exact
// bytes; "<", ">" and "&" stay as they are). Like json.Marshal, it encodes
// into a pooled buffer and returns an exact-size copy.
func Marshal(v any) ([]byte, error) {
	buf := marshalBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 { // do not keep a huge buffer alive
			marshalBuffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return append([]byte(nil), bytes.TrimRight(buf.Bytes(), "\n")...), nil
}

var marshalBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// IsDigits reports whether s is non-empty and made only of ASCII digits.
func IsDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsInteger reports whether s is a decimal integer: an optional '-' and
// digits.
func IsInteger(s string) bool { return isInteger([]byte(s)) }

func isInteger(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if b[0] == '-' {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 40 {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// plainString returns the value of a JSON string literal that needs no
// unescaping: quoted, without backslashes, quotes or control characters
// inside, and valid UTF-8 (json.Unmarshal would give the same string).
// ok=false leaves the literal to json.Unmarshal.
func plainString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	in := b[1 : len(b)-1]
	for _, c := range in {
		if c < 0x20 || c == '"' || c == '\\' {
			return "", false
		}
	}
	if !utf8.Valid(in) {
		return "", false
	}
	return string(in), true
}

// isNumber reports whether b is exactly one JSON number literal:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(b)
}

// Members calls fn for each member of the JSON object b, in order, with the
// key unescaped (as a map key would be) and the value's bytes (a sub-slice
// of b, without surrounding space). It is a light walk for JSON that has
// already been validated (e.g. decoded once): it checks the structure, not
// the values. It returns false, possibly after some calls, when b is not
// an object; callers then fall back to decoding. A null b is an object
// without members.
func Members(b []byte, fn func(key string, value []byte)) bool {
	i := skipSpace(b, 0)
	if i+4 <= len(b) && string(b[i:i+4]) == "null" && skipSpace(b, i+4) == len(b) {
		return true
	}
	if i >= len(b) || b[i] != '{' {
		return false
	}
	first := true
	for i = skipSpace(b, i+1); i < len(b); i = skipSpace(b, i) {
		if b[i] == '}' {
			return skipSpace(b, i+1) == len(b)
		}
		if !first {
			if b[i] != ',' {
				return false
			}
			i = skipSpace(b, i+1)
		}
		first = false
		keyEnd := endOfString(b, i)
		if keyEnd < 0 {
			return false
		}
		colon := skipSpace(b, keyEnd)
		if colon >= len(b) || b[colon] != ':' {
			return false
		}
		start := skipSpace(b, colon+1)
		end := endOfValue(b, start)
		if end < 0 {
			return false
		}
		var key String
		if key.UnmarshalJSON(b[i:keyEnd]) != nil {
			return false
		}
		fn(string(key), b[start:end])
		i = end
	}
	return false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// endOfString returns the index after the string literal at b[i], or -1.
func endOfString(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// endOfValue returns the index after the JSON value at b[i], or -1.
func endOfValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return endOfString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				if j = endOfString(b, j); j < 0 {
					return -1
				}
				j--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	case ',', ':', '}', ']':
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\r' && b[j] != '\n' {
		j++
	}
	return j
}
