package flex

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Map
	}{
		{`{"a":12345678901234567890,"b":"x","c":[{"id":"1"}]}`, Map{"a": json.Number("12345678901234567890"), "b": "x", "c": []any{map[string]any{"id": "1"}}}},
		{`null`, nil},
		{`[]`, nil},
		{`{}`, Map{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var got struct {
				M Map `json:"m"`
			}
			require.NoError(t, json.Unmarshal([]byte(`{"m":`+tt.in+`}`), &got))
			assert.Equal(t, tt.want, got.M)
		})
	}
	var bad Map
	assert.Error(t, bad.UnmarshalJSON([]byte(`[1]`)))
}
