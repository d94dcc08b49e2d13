package waiqin365

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cluekit/cluekit/internal/flex"
)

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
			return nil, fmt.Errorf("Extra: key %q is empty or not valid UTF-8", k)
		}
		if _, dup := present[k]; dup {
			return nil, fmt.Errorf("Extra[%q] repeats a field that is already set", k)
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
			return nil, fmt.Errorf("Extra[%q]: %w", k, err)
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
