package weiling

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/flex"
)

// Decoding a Clue or a Contact in one pass (flex.UnmarshalObject) gives
// what encoding/json gives for the typed fields, and keeps in Extra exactly
// the members encoding/json would put in no field.

type extraProbe struct {
	A     string `json:"a"`
	B     int    `json:"b"`
	Extra Extra  `json:"-"`
}

func (p *extraProbe) UnmarshalJSON(b []byte) error {
	type plain extraProbe
	return flex.UnmarshalObject(b, (*plain)(p), &p.Extra)
}

// referenceExtra is the slow definition: decode every member, keep those
// whose key no json name of t matches (exactly or case-insensitively, as
// encoding/json matches).
func referenceExtra(t *testing.T, b []byte, typ reflect.Type) Extra {
	t.Helper()
	var all map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &all))
	var names []string
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if name != "-" && typ.Field(i).IsExported() {
			names = append(names, name)
		}
	}
	var extra Extra
	for k, v := range all {
		known := false
		for _, n := range names {
			known = known || strings.EqualFold(k, n)
		}
		if !known {
			if extra == nil {
				extra = Extra{}
			}
			extra[k] = v
		}
	}
	return extra
}

func TestExtraOnePass(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Extra
	}{
		{`{"a":"x","b":1}`, nil},
		{`{}`, nil},
		{`null`, nil},
		{` { "a" : "x" , "c" : [1, {"d": "}"}] , "e":"q\"}" ,"f":null,"g":-1.5e3,"h":true} `,
			Extra{"c": json.RawMessage(`[1, {"d": "}"}]`), "e": json.RawMessage(`"q\"}"`),
				"f": json.RawMessage(`null`), "g": json.RawMessage(`-1.5e3`), "h": json.RawMessage(`true`)}},
		{`{"c":1,"c":2}`, Extra{"c": json.RawMessage(`2`)}},
		{`{"\u0061":"escaped known key","\u00e9":1}`, Extra{"é": json.RawMessage(`1`)}},
		// encoding/json fills field a from "A": it is not an unknown member.
		{`{"A":"case differs"}`, nil},
	}
	typ := reflect.TypeFor[extraProbe]()
	for _, tt := range tests {
		var p extraProbe
		require.NoError(t, json.Unmarshal([]byte(tt.in), &p), tt.in)
		assert.Equal(t, tt.want, p.Extra, tt.in)
		if tt.in != "null" {
			assert.Equal(t, referenceExtra(t, []byte(tt.in), typ), p.Extra, tt.in)
		}
		var ref struct {
			A string `json:"a"`
			B int    `json:"b"`
		}
		require.NoError(t, json.Unmarshal([]byte(tt.in), &ref))
		assert.Equal(t, ref.A, p.A, tt.in)
		assert.Equal(t, ref.B, p.B, tt.in)
	}
}

func FuzzExtraFields(f *testing.F) {
	for _, name := range []string{"clue_update.json", "clue_list_response.json", "contact_batch_response.json"} {
		if b, err := os.ReadFile("testdata/" + name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"a":"x","c":[1,{"d":"}"}],"e":"q\"}"}`))
	f.Add([]byte(`{"\u0061":1,"a\u0000":2,"x":"\ud800"}`))
	typ := reflect.TypeFor[Clue]()
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) || len(b) == 0 || strings.TrimSpace(string(b))[0] != '{' {
			return // callers pass only JSON objects they have just decoded
		}
		var c Clue
		if err := json.Unmarshal(b, &c); err != nil {
			return // a typed field of the wrong type: no Extra to compare
		}
		if want := referenceExtra(t, b, typ); !reflect.DeepEqual(want, c.Extra) {
			t.Fatalf("%q: one pass %v, reference %v", b, c.Extra, want)
		}
	})
}
