package jing

import (
	"github.com/cluekit/cluekit/internal/flex"
)

// ID is an identifier kept as its exact text (tenant ids, object ids,
// 22-character record uuids, operator ids). It decodes from a JSON string or
// number (every digit kept, never through float64); null gives "". It
// encodes as a JSON string.
type ID = flex.ID

// String is a text field that tolerates a JSON number or boolean (kept as
// its literal text); null gives "". An object or array is an error. It
// encodes as a JSON string. (String and ID are the same type.)
type String = flex.String

// Int is an integer that arrives as a JSON number or a numeric string ("" and
// null give 0). It encodes as a JSON number.
type Int = flex.Int64

// Bool is a flag that arrives as true/false, 1/0, "1"/"0" or
// "true"/"false"; null and "" give false. It encodes as a JSON boolean.
type Bool = flex.Bool

// List is a list the vendor sends as a JSON array, or as a single value when
// there is one element; null, "" and {} give no elements. It encodes as a
// JSON array.
type List[T any] = flex.List[T]

// Extra holds the members of a JSON object that no field of its struct
// names: key → the value's JSON, verbatim. Decoding keeps them; encoding
// writes them back after the typed fields.
type Extra = flex.Extra

// CST is China Standard Time (UTC+8, no daylight saving), the zone of the
// vendor's "YYYY-MM-DD HH:mm:ss" timestamps. It needs no tzdata.
var CST = flex.CST

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }
