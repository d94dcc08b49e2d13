package flex

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		err      bool
	}{
		{`"0"`, "0", false},
		{`0`, "0", false},
		{`6789690485561771524`, "6789690485561771524", false},
		{`-1.50e3`, "-1.50e3", false},
		{`null`, "", false},
		{`true`, "true", false},
		{`"中文"`, "中文", false},
		{`{}`, "", true},
		{`[1]`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var s String
			err := json.Unmarshal([]byte(tt.in), &s)
			if tt.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(s))
		})
	}
	b, _ := json.Marshal(struct{ ID ID }{"5031887187231707391"})
	assert.Equal(t, `{"ID":"5031887187231707391"}`, string(b))
}

func TestNumericIDKeepsEveryDigit(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`5031887187231707391`, `"5031887187231707391"`, `9999999999999999999`} {
		var id NumericID
		require.NoError(t, json.Unmarshal([]byte(in), &id))
		out, err := json.Marshal(id)
		require.NoError(t, err)
		assert.Equal(t, `5031887187231707391`[:0]+string(id), string(out))
		assert.Len(t, string(id), 19)
	}
	var id NumericID
	assert.Error(t, json.Unmarshal([]byte(`1.5`), &id))
	assert.Error(t, json.Unmarshal([]byte(`"12a"`), &id))
	_, err := json.Marshal(NumericID("12a"))
	assert.Error(t, err)
	b, _ := json.Marshal(struct {
		A NumericID
		B NumericID `json:",omitempty"`
	}{})
	assert.Equal(t, `{"A":null}`, string(b))
	n, err := NumericID("5031887187231707391").Int64()
	require.NoError(t, err)
	assert.Equal(t, int64(5031887187231707391), n)
}

func TestInt64AndTimes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{`1631618303000`: 1631618303000, `"1631618303000"`: 1631618303000, `""`: 0, `null`: 0} {
		var v Int64
		require.NoError(t, json.Unmarshal([]byte(in), &v), in)
		assert.Equal(t, want, int64(v))
	}
	var v Int64
	assert.Error(t, json.Unmarshal([]byte(`"x"`), &v))
	assert.Equal(t, int64(1631618303000), Millis(1631618303000).UnixMilli())
	assert.True(t, Millis(0).IsZero())
	assert.Equal(t, int64(1656037941), Seconds(1656037941).Unix())
	assert.Equal(t, int64(1638720000000), Seconds(1638720000000).UnixMilli(), "ms mixed in with seconds")
}

func TestBool(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{`true`: true, `1`: true, `"1"`: true, `"true"`: true, `false`: false, `0`: false, `"0"`: false, `""`: false, `null`: false} {
		var b Bool
		require.NoError(t, json.Unmarshal([]byte(in), &b), in)
		assert.Equal(t, want, bool(b), in)
	}
	var b Bool
	assert.Error(t, json.Unmarshal([]byte(`"yes"`), &b))
}

func TestEmbedded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		err            bool
	}{
		{"string holding array", `"[{\"id\":\"6789690485561771524\"}]"`, `[{"id":"6789690485561771524"}]`, false},
		{"plain array", `[{"id":1}]`, `[{"id":1}]`, false},
		{"null", `null`, ``, false},
		{"empty string", `""`, ``, false},
		{"string null", `"null"`, ``, false},
		{"string not json", `"<<DATA>>"`, ``, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var e Embedded
			err := json.Unmarshal([]byte(tt.in), &e)
			if tt.err {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(e))
		})
	}
	var rows []map[string]any
	require.NoError(t, Embedded(`[{"id":6789690485561771524}]`).Decode(&rows))
	assert.Equal(t, json.Number("6789690485561771524"), rows[0]["id"], "numbers stay exact")
	require.NoError(t, Embedded(nil).Decode(&rows))
}

func TestMarshalKeepsHTML(t *testing.T) {
	t.Parallel()
	b, err := Marshal(map[string]string{"a": "<&>"})
	require.NoError(t, err)
	assert.Equal(t, `{"a":"<&>"}`, string(b))
}

func TestUnmarshalRejectsTrailingData(t *testing.T) {
	t.Parallel()
	var v any
	assert.Error(t, Unmarshal([]byte(`{} {}`), &v))
	require.NoError(t, Unmarshal([]byte(` {"n": 12345678901234567890} `), &v))
	assert.Equal(t, json.Number("12345678901234567890"), v.(map[string]any)["n"])
}

// FuzzDecoders: no input may panic any flexible type.
func FuzzDecoders(f *testing.F) {
	for _, s := range []string{`"0"`, `0`, `6789690485561771524`, `"[1,2]"`, `null`, `""`, `"\"x\""`, `true`, `{"a":1}`, `-`, `"1e400"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s String
		var n NumericID
		var i Int64
		var bo Bool
		var e Embedded
		_ = s.UnmarshalJSON(b)
		if n.UnmarshalJSON(b) == nil && n != "" {
			if _, err := n.MarshalJSON(); err != nil {
				t.Fatalf("decoded NumericID %q does not re-encode: %v", n, err)
			}
		}
		_ = i.UnmarshalJSON(b)
		_ = bo.UnmarshalJSON(b)
		if e.UnmarshalJSON(b) == nil && len(e) > 0 {
			var v any
			_ = e.Decode(&v)
		}
	})
}

type noIface struct {
	A string            `json:"a"`
	B []int             `json:"b"`
	C map[string]string `json:"c"`
	D *noIface          `json:"d"` // recursive, still no interface
	E json.RawMessage   `json:"e"`
	F String            `json:"f"`
	G Embedded          `json:"g"`
	X any               `json:"-"` // never filled
	//lint:ignore U1000 an unexported field the walk must skip
	x  any         // unexported: never filled
	N  json.Number `json:"n"`
	Tm time.Time   `json:"tm"`
}

type custom struct{ V any }

func (c *custom) UnmarshalJSON(b []byte) error { return Unmarshal(b, &c.V) }

type withIface struct {
	A string `json:"a"`
	M map[string]any
}

type embedsIface struct {
	withIface
	B int
}

type nested struct {
	L [][]struct{ V any }
}

func TestHoldsInterface(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v    any
		want bool
	}{
		{new(noIface), false},
		{new(custom), false},
		{new([]custom), false},
		{new(string), false},
		{new(json.RawMessage), false},
		{new(any), true},
		{new(map[string]any), true},
		{new([]any), true},
		{new(withIface), true},
		{new(embedsIface), true},
		{new(nested), true},
		{new(*[]map[string]*withIface), true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, holdsInterface(reflect.TypeOf(tt.v)), "%T", tt.v)
	}
}

func TestUnmarshalPaths(t *testing.T) {
	t.Parallel()
	// Both paths: numbers in interfaces stay exact, trailing data fails.
	var w withIface
	require.NoError(t, Unmarshal([]byte(`{"a":"x","M":{"n":12345678901234567890}}`), &w))
	assert.Equal(t, json.Number("12345678901234567890"), w.M["n"])
	var c custom
	require.NoError(t, Unmarshal([]byte(`{"n":12345678901234567890}`), &c))
	assert.Equal(t, json.Number("12345678901234567890"), c.V.(map[string]any)["n"])
	var n noIface
	require.NoError(t, Unmarshal([]byte(" {\"a\":\"x\",\"f\":6789690485561771524,\"d\":{\"a\":\"y\"}} \n"), &n))
	assert.Equal(t, noIface{A: "x", F: "6789690485561771524", D: &noIface{A: "y"}}, n)
	for _, in := range []string{`{}}`, `{}]`, `{} {}`, `{} x`, ``, ` `, `{`} {
		assert.Error(t, Unmarshal([]byte(in), &w), "interface path %q", in)
		assert.Error(t, Unmarshal([]byte(in), &n), "plain path %q", in)
	}
}

// FuzzFastPaths: the shortcuts of String and Unmarshal agree with
// encoding/json.
func FuzzFastPaths(f *testing.F) {
	for _, s := range []string{`"abc"`, `"中文"`, `"a\"b"`, `"\u00e9"`, "\"\xff\"", `"`, `""`, `0`, `-0.5e+10`, `01`, `1.`, `-`, `1e`,
		`{"a":"x","b":[1,2],"c":{"k":"v"},"f":1,"g":"[1]","n":2}`, `{"a":1}`, `{"d":{"d":{}}} `, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, ok := plainString(b); ok {
			var want string
			if err := json.Unmarshal(b, &want); err != nil || want != v {
				t.Fatalf("plainString(%q) = %q, encoding/json: %q, %v", b, v, want, err)
			}
		}
		// String.UnmarshalJSON calls isNumber on trimmed input that does
		// not start with a quote (json.Number also accepts "12").
		trimmed := bytes.TrimSpace(b)
		var num json.Number
		if got, want := isNumber(trimmed), json.Unmarshal(trimmed, &num) == nil; got != want && !bytes.HasPrefix(trimmed, []byte(`"`)) {
			t.Fatalf("isNumber(%q) = %v, encoding/json says %v", trimmed, got, want)
		}
		var fast, slow noIface
		errFast := Unmarshal(b, &fast)
		dec := json.NewDecoder(bytes.NewReader(b))
		errSlow := dec.Decode(&slow)
		if errSlow == nil && len(bytes.TrimLeft(b[dec.InputOffset():], " \t\r\n")) > 0 {
			errSlow = errors.New("trailing data")
		}
		if (errFast == nil) != (errSlow == nil) {
			t.Fatalf("%q: json.Unmarshal path: %v, json.Decoder path: %v", b, errFast, errSlow)
		}
		if errFast == nil && !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: paths disagree: %+v vs %+v", b, fast, slow)
		}
	})
}

func membersMap(b []byte) (map[string]json.RawMessage, bool) {
	var m map[string]json.RawMessage
	ok := Members(b, func(k string, v []byte) {
		if m == nil {
			m = map[string]json.RawMessage{}
		}
		m[k] = json.RawMessage(v)
	})
	return m, ok
}

func TestMembers(t *testing.T) {
	t.Parallel()
	m, ok := membersMap([]byte(` { "a" : "x\"}" , "b":[1,{"c":"]"}], "\u0064":null,"e":-1.5e3,"a":true } `))
	require.True(t, ok)
	assert.Equal(t, map[string]json.RawMessage{"a": json.RawMessage(`true`), "b": json.RawMessage(`[1,{"c":"]"}]`),
		"d": json.RawMessage(`null`), "e": json.RawMessage(`-1.5e3`)}, m)
	for _, in := range []string{`null`, `{}`, ` { } `} {
		m, ok := membersMap([]byte(in))
		assert.True(t, ok, in)
		assert.Empty(t, m, in)
	}
	for _, in := range []string{`[]`, `"x"`, `1`, ``, `{"a"}`, `{"a":1`, `{"a":1}x`} {
		_, ok := membersMap([]byte(in))
		assert.False(t, ok, in)
	}
}

// FuzzMembers: on valid JSON, Members sees what decoding into a map sees.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{`{"a":"x","b":[1,{"c":"]"}],"a":2}`, `{"\u00e9":1,"x\"y":"\ud800"}`, `null`, `[1]`, `{}`, `"s"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		var want map[string]json.RawMessage
		err := json.Unmarshal(b, &want)
		got, ok := membersMap(b)
		if ok != (err == nil) {
			t.Fatalf("%q: Members ok=%v, map decode: %v", b, ok, err)
		}
		if ok && len(got)+len(want) > 0 && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: Members %q, map decode %q", b, got, want)
		}
	})
}
