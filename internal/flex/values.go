package flex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CST is China Standard Time, the zone of Asia/Shanghai: UTC+8 without
// daylight saving. It is a fixed zone, so no tzdata is needed. The five
// vendors give local times ("yyyy-MM-dd HH:mm:ss", dates for filters) in
// it.
var CST = time.FixedZone("CST", 8*3600)

// Text is a value the vendor documents as text but whose JSON type is not
// settled. It never fails on valid JSON: a string decodes to its value,
// null to "", a number or boolean to its literal text (exactly as sent),
// and an object or array to its compact JSON text (invalid UTF-8 in it
// replaced by U+FFFD, so that the text survives encoding). It encodes as a
// JSON string.
//
// Use String where an object or array must be an error.
type Text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return errors.New("flex.Text: empty input")
	}
	switch b[0] {
	case '"':
		if in, ok := objPlainString(b); ok {
			*t = Text(in)
			return nil
		}
		if s, ok := objUnquote(b); ok {
			*t = Text(s)
			return nil
		}
	case 'n':
		if string(b) == "null" {
			*t = ""
			return nil
		}
	case 't', 'f':
		if string(b) == "true" || string(b) == "false" {
			*t = Text(b)
			return nil
		}
	case '{', '[':
		var buf bytes.Buffer
		buf.Grow(len(b))
		if err := json.Compact(&buf, b); err != nil {
			return fmt.Errorf("flex.Text: %w", err)
		}
		if utf8.Valid(buf.Bytes()) {
			*t = Text(buf.String())
		} else {
			*t = Text(strings.ToValidUTF8(buf.String(), "\uFFFD"))
		}
		return nil
	default:
		if isNumber(b) {
			*t = Text(b)
			return nil
		}
	}
	return fmt.Errorf("flex.Text: invalid JSON %.20q", b)
}

// String returns the text.
func (t Text) String() string { return string(t) }

// List is a list that the vendor sends as a JSON array, or as a single
// value when there is one element. It decodes an array element by element,
// any other value as a list of that one element, and null, "" and {} as no
// elements (nil); [] gives an empty list. An array is always the list
// itself, never one element. Elements decode as Unmarshal decodes them
// (numbers in interface values are json.Number). It encodes as a JSON
// array, nil as [].
type List[T any] []T

// UnmarshalJSON implements json.Unmarshaler.
func (l *List[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return errors.New("flex.List: empty input")
	}
	switch b[0] {
	case '[':
		var many []T
		if err := Unmarshal(b, &many); err != nil {
			return err
		}
		*l = many
		return nil
	case 'n':
		if string(b) == "null" {
			*l = nil
			return nil
		}
	case '"':
		if string(b) == `""` {
			*l = nil
			return nil
		}
	case '{':
		if i := skipSpace(b, 1); i == len(b)-1 && b[i] == '}' {
			*l = nil
			return nil
		}
	}
	var one T
	if err := Unmarshal(b, &one); err != nil {
		return err
	}
	*l = List[T]{one}
	return nil
}

// MarshalJSON implements json.Marshaler.
func (l List[T]) MarshalJSON() ([]byte, error) {
	if l == nil {
		return []byte("[]"), nil
	}
	return Marshal([]T(l))
}

// Time is an instant as vendors send it, kept as epoch milliseconds (0 is
// "not set"). It decodes from a JSON number or a string holding one, in
// epoch seconds or milliseconds: values above 1e12 are milliseconds (after
// 2001-09-09 in milliseconds; seconds reach 1e12 only in the year 33658),
// smaller ones seconds. A string may also hold a local time in CST,
// "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm" or "yyyy-MM-dd", or an RFC 3339
// time. 0, "" and null decode to 0.
//
// It encodes as a JSON number: epoch milliseconds, or epoch seconds when
// milliseconds would not be above 1e12 (times before 2001-09-09, whose
// milliseconds would read back as seconds; such times keep whole seconds
// only, also when decoded from a string), so that every decoded value
// encodes to what decodes back to it. Send the unit an endpoint documents
// with an int64, not a Time.
type Time int64

// TimeOf returns t as a Time (milliseconds; the zero time gives 0).
func TimeOf(t time.Time) Time {
	if t.IsZero() {
		return 0
	}
	return Time(t.UnixMilli())
}

// Time returns the instant in CST; 0 gives the zero time.
func (t Time) Time() time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(t)).In(CST)
}

// Unix returns the epoch seconds (rounded down).
func (t Time) Unix() int64 { return timeFloorDiv(int64(t), 1000) }

// UnixMilli returns the epoch milliseconds.
func (t Time) UnixMilli() int64 { return int64(t) }

// IsZero reports whether the time is not set (0).
func (t Time) IsZero() bool { return t == 0 }

// String formats the time as "yyyy-MM-dd HH:mm:ss" in CST, with
// milliseconds when there are any; 0 gives "".
func (t Time) String() string {
	if t == 0 {
		return ""
	}
	return t.Time().Format("2006-01-02 15:04:05.999")
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*t = 0
		return nil
	}
	lit := b
	if len(b) > 0 && b[0] == '"' {
		in, ok := objPlainString(b)
		if !ok {
			s, ok := objUnquote(b)
			if !ok {
				return fmt.Errorf("flex.Time: invalid JSON %.30q", b)
			}
			in = []byte(s)
		}
		lit = bytes.TrimSpace(in)
		if len(lit) == 0 {
			*t = 0
			return nil
		}
		if !isInteger(lit) {
			v, err := parseCST(string(lit))
			if err != nil {
				return err
			}
			*t = v
			return nil
		}
	}
	n, err := strconv.ParseInt(string(lit), 10, 64)
	if err != nil {
		return fmt.Errorf("flex.Time: %.30q is not an epoch time", b)
	}
	switch {
	case n > 1e12:
		*t = Time(n)
	case n < -(1<<63-1)/1000:
		return fmt.Errorf("flex.Time: %.30q is out of range", b)
	default:
		*t = Time(n * 1000)
	}
	return nil
}

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	ms := int64(t)
	if ms > 1e12 {
		return strconv.AppendInt(nil, ms, 10), nil
	}
	return strconv.AppendInt(nil, timeFloorDiv(ms, 1000), 10), nil
}

var cstLayouts = [...]string{time.DateTime, "2006-01-02 15:04", time.DateOnly}

func parseCST(s string) (Time, error) {
	for _, layout := range cstLayouts {
		if v, err := time.ParseInLocation(layout, s, CST); err == nil {
			return wholeSecondsBefore2001(TimeOf(v)), nil
		}
	}
	if v, err := time.Parse(time.RFC3339, s); err == nil {
		return wholeSecondsBefore2001(TimeOf(v)), nil
	}
	return 0, fmt.Errorf("flex.Time: %.30q is not an epoch time nor yyyy-MM-dd HH:mm:ss", s)
}

// wholeSecondsBefore2001 drops the milliseconds of a time that encodes as
// seconds (see Time).
func wholeSecondsBefore2001(t Time) Time {
	if t > 1e12 {
		return t
	}
	return Time(timeFloorDiv(int64(t), 1000) * 1000)
}

func timeFloorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
