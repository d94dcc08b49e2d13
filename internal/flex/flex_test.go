package flex

import (
	"encoding/json"
	"testing"

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
