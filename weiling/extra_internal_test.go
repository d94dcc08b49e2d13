package weiling

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The member scanner of extraFields gives what decoding every member does.

type extraProbe struct {
	A string `json:"a"`
	B int    `json:"b"`
}

func TestExtraFieldsScanner(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeFor[extraProbe]()
	tests := []struct {
		in   string
		want map[string]json.RawMessage
	}{
		{`{"a":"x","b":1}`, nil},
		{`{}`, nil},
		{`null`, nil},
		{` { "a" : "x" , "c" : [1, {"d": "}"}] , "e":"q\"}" ,"f":null,"g":-1.5e3,"h":true} `,
			map[string]json.RawMessage{"c": json.RawMessage(`[1, {"d": "}"}]`), "e": json.RawMessage(`"q\"}"`),
				"f": json.RawMessage(`null`), "g": json.RawMessage(`-1.5e3`), "h": json.RawMessage(`true`)}},
		{`{"c":1,"c":2}`, map[string]json.RawMessage{"c": json.RawMessage(`2`)}},
		{`{"\u0061":"escaped known key","\u00e9":1}`, map[string]json.RawMessage{"é": json.RawMessage(`1`)}},
		{`{"A":"case differs"}`, map[string]json.RawMessage{"A": json.RawMessage(`"case differs"`)}},
	}
	for _, tt := range tests {
		got, err := extraFields([]byte(tt.in), typ)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		slow, err := extraFieldsMap([]byte(tt.in), keysOf(typ))
		require.NoError(t, err, tt.in)
		assert.Equal(t, slow, got, tt.in)
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
		if !json.Valid(b) {
			return // callers pass only JSON they have just decoded
		}
		fast, errFast := extraFields(b, typ)
		slow, errSlow := extraFieldsMap(b, keysOf(typ))
		if (errFast == nil) != (errSlow == nil) || !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: scanner %v %v, map %v %v", b, fast, errFast, slow, errSlow)
		}
	})
}
