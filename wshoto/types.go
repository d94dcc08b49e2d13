package wshoto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// ID is an identifier kept as its exact text. It decodes from a JSON string
// or number (every digit kept, never through float64) and encodes as a JSON
// string. wshoto uses it where its ids travel as strings: the target id of a
// follow-up record, the clue ids of a batch return's result.
//
// The ids wshoto documents as long (clue_id, clue_pool_id, a pool's id,
// stage_id, the ids a create returns) are bare JSON numbers on the wire:
// they are NumericID.
type ID = flex.ID

// NumericID is a wshoto long identifier (clue_id, clue_pool_id, a pool's id,
// stage_id, a created record's id): 19 digits, beyond float64's exact range.
// It keeps the exact decimal text, decodes from a JSON number or a string of
// digits, and encodes as a bare JSON number, as wshoto expects; "" encodes
// as null. Build one with NumericID("1591005521987920962").
type NumericID = flex.NumericID

// Int is an integer that arrives as a JSON number or a numeric string
// ("562"); "" and null decode to 0.
type Int = flex.Int64

// Bool is a flag that arrives as true/false, 0/1 or "0"/"1".
type Bool = flex.Bool

// Time is an instant as wshoto sends it, kept as epoch milliseconds (0 = not
// set). wshoto mixes units: gmt_create, create_at and birthday are seconds,
// the clue/page time filters milliseconds; values above 1e12 decode as
// milliseconds, smaller ones as seconds. Time() returns it in CST.
type Time = flex.Time

// Map is a JSON object of free-form values (custom fields): numbers are
// json.Number, keeping every digit; null and [] are empty.
type Map = flex.Map

// Text is a value wshoto documents as text whatever its JSON type: a string
// is its value, null "", a number or boolean its literal text, an object or
// array its compact JSON. It encodes as a JSON string.
type Text = flex.Text

// CST is China Standard Time (UTC+8, no daylight saving), the zone of
// wshoto's local times.
var CST = flex.CST

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

// checkID validates a required long id.
func checkID(op, field string, id NumericID) error {
	if id == "" {
		return core.InvalidParam(vendorName, op, "%s is required", field)
	}
	if !flex.IsInteger(string(id)) {
		return core.InvalidParam(vendorName, op, "%s %q is not an integer", field, fmt.Sprintf("%.30s", string(id)))
	}
	return nil
}

// shapeError reports data that is JSON but not the documented shape, the
// way encoding/json reports a type mismatch: the call reached wshoto and
// was answered with code 0, so the failure matches ErrBadResponse and never
// ErrAmbiguous (it was applied; do not repeat it).
func shapeError(b []byte, target any) error {
	kind := "value"
	if b = bytes.TrimSpace(b); len(b) > 0 {
		switch b[0] {
		case '{':
			kind = "object"
		case '[':
			kind = "array"
		case '"':
			kind = "string"
		case 't', 'f':
			kind = "bool"
		default:
			kind = "number"
		}
	}
	return &json.UnmarshalTypeError{Value: kind, Type: reflect.TypeOf(target)}
}

// applied decodes the data of an edit: true, or false when wshoto did not
// apply it. Any other value is taken as applied (code 0 said so).
type applied struct{ refused bool }

// UnmarshalJSON implements json.Unmarshaler.
func (a *applied) UnmarshalJSON(b []byte) error {
	a.refused = string(bytes.TrimSpace(b)) == "false"
	return nil
}

// notApplied is the error of an edit answered with data=false.
func notApplied(op, what string) error {
	return core.NewAPIError(vendorName, op, http.StatusOK, "0", what+" not applied (data=false)", "", nil)
}
