// Package flex holds JSON types for the quirks of vendor APIs: codes that
// arrive as strings or numbers, 19-digit IDs that must never pass through
// float64, JSON carried inside a JSON string, and flags spelled several ways.
package flex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
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
// interfaces keep every digit.
func Unmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("flex: trailing data after JSON value")
	}
	return nil
}

// Marshal is json.Marshal without HTML escaping (vendors hash the exact
// bytes; "<", ">" and "&" stay as they are).
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

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

func isNumber(b []byte) bool {
	var n json.Number
	return json.Unmarshal(b, &n) == nil
}
