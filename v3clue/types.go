package v3clue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/flex"
)

// CST is China Standard Time (UTC+8, no daylight saving), the zone of the
// vendor's "yyyy-MM-dd HH:mm:ss" times. It is a fixed zone, so no tzdata is
// needed; the same value in every cluekit package.
var CST = flex.CST

// Extra holds the members of a JSON object that no typed field names, each
// value's JSON verbatim (numbers keep every digit).
type Extra = flex.Extra

// DateTimeLayout is the vendor's time format, yyyy-MM-dd HH:mm:ss.
const DateTimeLayout = "2006-01-02 15:04:05"

// DateLayout is a plain date, yyyy-MM-dd.
const DateLayout = "2006-01-02"

// Ptr returns a pointer to v, for optional fields such as
// Field.ValueAsText.
func Ptr[T any](v T) *T { return &v }

// DateTime is a vendor time kept as sent, normally "yyyy-MM-dd HH:mm:ss" in
// CST; see Time. It decodes from a JSON string or number (null gives "") and
// encodes as a JSON string, so that it goes back to the vendor unchanged.
type DateTime string

// UnmarshalJSON implements json.Unmarshaler.
func (d *DateTime) UnmarshalJSON(b []byte) error {
	var s flex.String
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	*d = DateTime(s)
	return nil
}

// IsZero reports whether the time is absent.
func (d DateTime) IsZero() bool { return strings.TrimSpace(string(d)) == "" }

// Time parses the value in CST. It accepts "yyyy-MM-dd HH:mm:ss" (the
// documented format), "yyyy-MM-dd" and epoch milliseconds; "" gives the zero
// time and no error.
func (d DateTime) Time() (time.Time, error) {
	t, err := parseTime(string(d))
	if err != nil {
		return time.Time{}, fmt.Errorf("v3clue: %w", err)
	}
	return t, nil
}

// parseTime implements DateTime.Time and Field.Date.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if flex.IsDigits(s) {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil || len(s) > 16 {
			return time.Time{}, errors.New("epoch milliseconds out of range")
		}
		return time.UnixMilli(ms).In(CST), nil
	}
	for _, layout := range []string{DateTimeLayout, DateLayout} {
		if t, err := time.ParseInLocation(layout, s, CST); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("time is not yyyy-MM-dd HH:mm:ss, yyyy-MM-dd or epoch milliseconds")
}

func toInt(v int64, name string) (int, error) {
	if v > math.MaxInt || v < math.MinInt {
		return 0, fmt.Errorf("v3clue: %s %d out of range", name, v)
	}
	return int(v), nil
}

// decodeObject decodes the JSON object b into dst (the typed fields, see
// Clue.UnmarshalJSON) and the members no field names into extra. The vendor
// sends objects: an array is refused. A value that cannot be decoded (a
// word where a number is expected, say) is reported as a
// *json.UnmarshalTypeError, so that an answer whose code says success is
// reported as applied, with an undecodable payload.
func decodeObject(b []byte, dst any, extra *flex.Extra, t reflect.Type) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '[' {
		return &json.UnmarshalTypeError{Value: "array", Type: t}
	}
	err := flex.UnmarshalObject(b, dst, extra)
	var te *json.UnmarshalTypeError
	if err == nil || errors.As(err, &te) {
		return err
	}
	return &valueError{te: &json.UnmarshalTypeError{Value: "value", Type: t}, cause: err}
}

// valueError is a value that does not fit its field, as a type error.
type valueError struct {
	te    *json.UnmarshalTypeError
	cause error
}

func (e *valueError) Error() string {
	return "v3clue: cannot decode " + e.te.Type.String() + ": " + e.cause.Error()
}

// Unwrap exposes the type error (for errors.As) and the cause.
func (e *valueError) Unwrap() []error { return []error{e.te, e.cause} }

// texts converts lenient strings.
func texts(in []flex.String) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = string(s)
	}
	return out
}
