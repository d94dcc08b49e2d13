package jing

import (
	"encoding/json"
	"errors"
	"reflect"

	"github.com/cluekit/cluekit/internal/flex"
)

// decodeObject decodes the JSON object b into dst (a pointer to the plain
// version of a struct type, without its UnmarshalJSON) with
// flex.UnmarshalObject, the members no field names going to extra. A value
// that cannot be read fails with a *fieldError naming its member, e.g.
// "extra_data.operator_type".
func decodeObject(b []byte, dst any, extra *flex.Extra) error {
	err := flex.UnmarshalObject(b, dst, extra)
	if err == nil {
		return nil
	}
	if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
		return &fieldError{path: te.Field, err: err} // flex named the member
	}
	// A field type's own UnmarshalJSON failed: flex returns its error as it
	// is. Find the member by decoding them one at a time (errors only).
	key, cause := failingMember(b, reflect.TypeOf(dst).Elem())
	if key == "" {
		return err
	}
	var fe *fieldError
	if errors.As(cause, &fe) {
		return &fieldError{path: key + "." + fe.path, err: fe.err}
	}
	return &fieldError{path: key, err: cause}
}

// failingMember returns the first member of the object b whose value alone
// does not decode into a new value of type t, and its error.
func failingMember(b []byte, t reflect.Type) (string, error) {
	var key string
	var cause error
	flex.Members(b, func(k string, v []byte) {
		if key != "" {
			return
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return
		}
		one := make([]byte, 0, len(kb)+len(v)+3)
		one = append(append(append(append(append(one, '{'), kb...), ':'), v...), '}')
		if err := flex.UnmarshalObject(one, reflect.New(t).Interface(), nil); err != nil {
			key, cause = k, err
		}
	})
	return key, cause
}

// fieldError is a value that could not be read, with the path of its
// member.
type fieldError struct {
	path string // e.g. "extra_data.timeline_data.login_platform"
	err  error
}

func (e *fieldError) Error() string {
	if te, ok := e.err.(*json.UnmarshalTypeError); ok {
		return e.path + ": unexpected JSON " + te.Value
	}
	return e.path + ": " + e.err.Error()
}

func (e *fieldError) Unwrap() error { return e.err }

// decodeInt reads a JSON number or numeric string ("" and null give 0) that
// fits an int.
func decodeInt(b []byte) (int, error) {
	var n flex.Int64
	if err := n.UnmarshalJSON(b); err != nil {
		return 0, err
	}
	if int64(int(n)) != int64(n) {
		return 0, errors.New("integer out of range")
	}
	return int(n), nil
}
