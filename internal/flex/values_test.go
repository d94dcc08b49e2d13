package flex

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"string", `"张三"`, "张三"},
		{"escaped string", `"a\"b\u00e9\n"`, "a\"b\u00e9\n"},
		{"empty string", `""`, ""},
		{"null", `null`, ""},
		{"integer", `6789690485561771524`, "6789690485561771524"},
		{"number as sent", `-1.50e3`, "-1.50e3"},
		{"true", `true`, "true"},
		{"false", ` false `, "false"},
		{"object compact", `{ "a" : [ 1, "x y" ] }`, `{"a":[1,"x y"]}`},
		{"array", `[1, {"b": null}]`, `[1,{"b":null}]`},
		{"html kept", `{"h":"<&>"}`, `{"h":"<&>"}`},
		{"invalid utf-8 in object", "{\"a\":\"\xff\"}", "{\"a\":\"\uFFFD\"}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v Text
			require.NoError(t, json.Unmarshal([]byte(tt.in), &v))
			assert.Equal(t, tt.want, v.String())
			b, err := json.Marshal(v)
			require.NoError(t, err)
			var s string
			require.NoError(t, json.Unmarshal(b, &s))
			assert.Equal(t, tt.want, s, "encodes as a JSON string")
		})
	}
	for _, in := range []string{``, ` `, `nul`, `tru`, `"x`, `{`, `[1,]`, `1.`, `x`} {
		var v Text
		assert.Error(t, v.UnmarshalJSON([]byte(in)), "%q", in)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     List[Inner]
	}{
		{"array", `[{"x":"a"},{"y":2}]`, List[Inner]{{X: "a"}, {Y: 2}}},
		{"one object", `{"x":"a","y":1}`, List[Inner]{{X: "a", Y: 1}}},
		{"empty array", `[]`, List[Inner]{}},
		{"null", `null`, nil},
		{"empty string", `""`, nil},
		{"empty object", ` { } `, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := List[Inner]{{X: "stale"}}
			require.NoError(t, json.Unmarshal([]byte(tt.in), &got))
			assert.Equal(t, tt.want, got)
		})
	}

	var s List[string]
	require.NoError(t, json.Unmarshal([]byte(`"uuid-1"`), &s))
	assert.Equal(t, List[string]{"uuid-1"}, s, "one string")
	require.NoError(t, json.Unmarshal([]byte(`["a","b"]`), &s))
	assert.Equal(t, List[string]{"a", "b"}, s)
	assert.Error(t, json.Unmarshal([]byte(`1`), &s))
	assert.Error(t, json.Unmarshal([]byte(`[1]`), &s))

	var ids List[String]
	require.NoError(t, json.Unmarshal([]byte(`6789690485561771524`), &ids))
	assert.Equal(t, List[String]{"6789690485561771524"}, ids)

	var anys List[any]
	require.NoError(t, json.Unmarshal([]byte(`12345678901234567890`), &anys))
	assert.Equal(t, List[any]{json.Number("12345678901234567890")}, anys, "numbers in interfaces stay exact")

	for in, want := range map[string]string{`[]`: `[]`, `null`: `[]`, `"a"`: `["a"]`, `["<a>","b"]`: `["\u003ca\u003e","b"]`} {
		var l List[string]
		require.NoError(t, json.Unmarshal([]byte(in), &l))
		b, err := json.Marshal(l)
		require.NoError(t, err)
		assert.Equal(t, want, string(b), in)
	}
	b, err := Marshal(struct{ L List[string] }{List[string]{"<a>"}})
	require.NoError(t, err)
	assert.Equal(t, `{"L":["<a>"]}`, string(b), "the caller decides on HTML escaping")
}

func TestCST(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "CST", CST.String())
	summer := time.Date(2025, 7, 1, 12, 0, 0, 0, CST)
	winter := time.Date(2025, 1, 1, 12, 0, 0, 0, CST)
	for _, tm := range []time.Time{summer, winter} {
		_, off := tm.Zone()
		assert.Equal(t, 8*3600, off, "no daylight saving")
	}
	assert.Equal(t, "2021-09-14 11:18:23", time.Date(2021, 9, 14, 19, 18, 23, 0, CST).UTC().Format(time.DateTime))
}

func TestTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		ms       int64
		out      string // encoding
	}{
		{"seconds", `1631618303`, 1631618303000, `1631618303000`},
		{"milliseconds", `1631618303123`, 1631618303123, `1631618303123`},
		{"seconds as string", `"1631618303"`, 1631618303000, `1631618303000`},
		{"milliseconds as string", `" 1631618303123 "`, 1631618303123, `1631618303123`},
		{"local time", `"2021-09-14 19:18:23"`, 1631618303000, `1631618303000`},
		{"local minute", `"2021-09-14 19:18"`, 1631618280000, `1631618280000`},
		{"local date", `"2021-09-14"`, 1631548800000, `1631548800000`},
		{"RFC 3339", `"2021-09-14T11:18:23.5Z"`, 1631618303500, `1631618303500`},
		{"escaped string", `"2021-09-14\u002019:18:23"`, 1631618303000, `1631618303000`},
		{"birthday in seconds", `631123200`, 631123200000, `631123200`},
		{"old time keeps whole seconds", `"1990-01-01T00:00:00.5Z"`, 631152000000, `631152000`},
		{"before 1970", `-86400`, -86400000, `-86400`},
		{"1e12 is seconds", `1000000000000`, 1e15, `1000000000000000`},
		{"zero", `0`, 0, `0`},
		{"empty string", `""`, 0, `0`},
		{"null", `null`, 0, `0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := Time(42)
			require.NoError(t, json.Unmarshal([]byte(tt.in), &v))
			assert.Equal(t, tt.ms, v.UnixMilli())
			b, err := json.Marshal(v)
			require.NoError(t, err)
			assert.Equal(t, tt.out, string(b))
			var again Time
			require.NoError(t, json.Unmarshal(b, &again))
			assert.Equal(t, v, again, "decodes back to itself")
		})
	}
	for _, in := range []string{`1.5`, `"x"`, `"2021-13-01"`, `true`, `{}`, `-9223372036854775807`, `"12:00"`, `"1"2`} {
		var v Time
		assert.Error(t, json.Unmarshal([]byte(in), &v), in)
	}

	v := Time(1631618303123)
	assert.Equal(t, int64(1631618303), v.Unix())
	assert.Equal(t, "2021-09-14 19:18:23.123", v.String())
	assert.Equal(t, CST, v.Time().Location())
	assert.True(t, v.Time().Equal(time.UnixMilli(1631618303123)))
	assert.False(t, v.IsZero())
	assert.True(t, Time(0).IsZero())
	assert.True(t, Time(0).Time().IsZero())
	assert.Equal(t, "", Time(0).String())
	assert.Equal(t, "2021-09-14 19:18:23", Time(1631618303000).String())
	assert.Equal(t, int64(-2), Time(-1500).Unix(), "rounded down")
	assert.Equal(t, Time(0), TimeOf(time.Time{}))
	assert.Equal(t, v, TimeOf(time.UnixMilli(1631618303123)))
}

// FuzzValues: Text never fails on valid JSON and keeps strings as
// encoding/json decodes them; List and Time never panic, and a decoded
// Time encodes to what decodes back to it.
func FuzzValues(f *testing.F) {
	for _, s := range []string{`"x"`, `1631618303`, `"1631618303123"`, `"2021-09-14 19:18:23"`, `[1,"a"]`, `{"a" : 1}`, `null`,
		`""`, `{}`, `-1.5e3`, `true`, "\"\xff\"", `"\ud800"`, `[{"x":"a"}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var text Text
		errText := text.UnmarshalJSON(b)
		var list List[Inner]
		_ = list.UnmarshalJSON(b)
		var strs List[Text]
		errStrs := strs.UnmarshalJSON(b)
		var tm Time
		if tm.UnmarshalJSON(b) == nil {
			out, err := tm.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var again Time
			if err := again.UnmarshalJSON(out); err != nil || again != tm {
				t.Fatalf("%q: Time %d encodes as %s, decodes to %d, %v", b, tm, out, again, err)
			}
		}
		if !json.Valid(b) {
			return
		}
		if errText != nil {
			t.Fatalf("%q: Text fails on valid JSON: %v", b, errText)
		}
		if errStrs != nil {
			t.Fatalf("%q: List[Text] fails on valid JSON: %v", b, errStrs)
		}
		if !utf8.ValidString(string(text)) {
			t.Fatalf("%q: Text %q is not valid UTF-8", b, text)
		}
		var s string
		if json.Unmarshal(b, &s) == nil && strings.TrimSpace(string(b))[0] == '"' && s != string(text) {
			t.Fatalf("%q: Text %q, encoding/json %q", b, text, s)
		}
		// Text survives encoding.
		enc, err := json.Marshal(text)
		if err != nil {
			t.Fatal(err)
		}
		var again Text
		if err := json.Unmarshal(enc, &again); err != nil || again != text {
			t.Fatalf("%q: Text %q encodes as %s, decodes to %q, %v", b, text, enc, again, err)
		}
	})
}
