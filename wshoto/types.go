package wshoto

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/flex"
)

// ID is a wshoto long identifier (clue_id, clue_pool_id, pool id, follow-up
// record id: 19 digits, beyond float64's exact range). It keeps the exact
// decimal text, decodes from a JSON number or a string of digits, and
// encodes as a bare JSON number. Build one with ID("1591005521987920962").
type ID = flex.NumericID

// Int is an integer that arrives as a JSON number or a numeric string
// ("562"); "" and null decode to 0.
type Int = flex.Int64

// Bool is a flag that arrives as true/false, 0/1 or "0"/"1".
type Bool = flex.Bool

// Timestamp is an epoch time exactly as wshoto sends it. wshoto mixes
// units: gmt_create, create_at and birthday are seconds, the clue/page time
// filters are milliseconds. Time treats values above 1e12 as milliseconds
// and smaller ones as seconds.
type Timestamp int64

// UnmarshalJSON accepts a number, a numeric string, "" or null.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var v flex.Int64
	if err := v.UnmarshalJSON(b); err != nil {
		return err
	}
	*t = Timestamp(v)
	return nil
}

// Time converts the value to a time.Time (the zero time for 0).
func (t Timestamp) Time() time.Time { return flex.Seconds(flex.Int64(t)) }

// Text is a string field that tolerates a JSON number, boolean or null
// (kept as its literal text; null gives "").
type Text = flex.String

// Tag is one tag of a clue. clue/page spells its keys tagId/tagName and
// clue/info tag_id/tag_name; both decode into Tag.
type Tag struct {
	ID   string `json:"tag_id"`
	Name string `json:"tag_name"`
}

// UnmarshalJSON accepts both key spellings.
func (t *Tag) UnmarshalJSON(b []byte) error {
	var w struct {
		TagID    *flex.String `json:"tag_id"`
		TagName  *flex.String `json:"tag_name"`
		TagIDC   *flex.String `json:"tagId"`
		TagNameC *flex.String `json:"tagName"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*t = Tag{ID: firstText(w.TagID, w.TagIDC), Name: firstText(w.TagName, w.TagNameC)}
	return nil
}

func firstText(vs ...*flex.String) string {
	for _, v := range vs {
		if v != nil && *v != "" {
			return string(*v)
		}
	}
	return ""
}

// lenientList decodes a JSON array of T, a single T object (wrapped as one
// element), or null.
type lenientList[T any] []T

func (l *lenientList[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*l = nil
		return nil
	case b[0] == '{':
		var one T
		if err := flex.Unmarshal(b, &one); err != nil {
			return err
		}
		*l = []T{one}
		return nil
	}
	var many []T
	if err := flex.Unmarshal(b, &many); err != nil {
		return err
	}
	*l = many
	return nil
}

// textOrList decodes a string, or an array of strings (joined with ","),
// or null.
type textOrList string

func (s *textOrList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var parts []flex.String
		if err := json.Unmarshal(b, &parts); err != nil {
			return err
		}
		ss := make([]string, len(parts))
		for i, p := range parts {
			ss[i] = string(p)
		}
		*s = textOrList(strings.Join(ss, ","))
		return nil
	}
	var v flex.String
	if err := v.UnmarshalJSON(b); err != nil {
		return err
	}
	*s = textOrList(v)
	return nil
}
