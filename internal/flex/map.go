package flex

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Map is a JSON object of free-form values, such as a tenant's custom
// fields. Numbers decode as json.Number, keeping every digit of a 19-digit
// id. Only the map's own bytes go through a UseNumber decoder, so that a page
// of records holding maps is still parsed in one pass. null and [] (how a
// PHP backend encodes an empty map) decode as an empty map.
type Map map[string]any

// UnmarshalJSON implements json.Unmarshaler.
func (m *Map) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" || string(b) == "[]" {
		*m = nil
		return nil
	}
	var v map[string]any
	if !hasNumber(b) {
		// No number anywhere: json.Unmarshal gives the same map, without
		// a decoder's copy of the input.
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*m = v
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if dec.More() {
		return errTrailing
	}
	*m = v
	return nil
}

var errTrailing = errors.New("flex: trailing data after JSON value")

// hasNumber reports whether the JSON text b holds a number literal (a digit
// or '-' outside every string).
func hasNumber(b []byte) bool {
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == '-' || c >= '0' && c <= '9'):
			return true
		}
	}
	return false
}
