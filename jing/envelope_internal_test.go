package jing

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
)

// decodeEnvelope decodes body as the transport does (one pass, the payload
// into a json.RawMessage) and returns the outcome and the payload.
func decodeEnvelope(body []byte) (core.Outcome, json.RawMessage, error) {
	var data json.RawMessage
	env := newEnvelope(&data)
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(body, env); err != nil && !errors.As(err, &typeErr) {
		return core.Outcome{}, nil, err
	}
	out, err := env.Outcome()
	return out, data, err
}

func TestDecodeEnvelope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		want     core.Outcome
		wantData string
		wantErr  bool
	}{
		{name: "doc refresh answer", body: `{"request_id":"6f843be20b21c5e18b9825616b85b424","code":0,"msg":"success","data":{"scope":"all"},"timestamp":1722583035263}`,
			want: core.Outcome{OK: true, Code: "0", Message: "success", RequestID: "6f843be20b21c5e18b9825616b85b424"}, wantData: `{"scope":"all"}`},
		{name: "string code", body: `{"code":"0","data":[1]}`, want: core.Outcome{OK: true, Code: "0"}, wantData: `[1]`},
		{name: "error code", body: `{"request_id":"r","code":40001,"msg":"bad"}`, want: core.Outcome{Code: "40001", Message: "bad", RequestID: "r"}},
		{name: "negative code", body: `{"code":-1}`, want: core.Outcome{Code: "-1"}},
		{name: "data null", body: `{"code":0,"data":null}`, want: core.Outcome{OK: true, Code: "0"}},
		{name: "no code", body: `{"msg":"success"}`, wantErr: true},
		{name: "html", body: `<html></html>`, wantErr: true},
		{name: "empty", body: ``, wantErr: true},
		{name: "array", body: `[]`, wantErr: true},
		{name: "code object", body: `{"code":{}}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, data, err := decodeEnvelope([]byte(tt.body))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantData, string(data))
		})
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	c, err := New("a", "sec-1", WithInvalidTokenCodes("40003", " 40009 "))
	require.NoError(t, err)
	retried := func(kinds []error) bool {
		for _, k := range kinds {
			if k == core.ErrRateLimited || k == core.ErrVendorBusy {
				return true
			}
		}
		return false
	}
	kinds := c.classify("40003")
	assert.Equal(t, []error{core.ErrInvalidToken}, kinds)
	assert.False(t, retried(kinds))
	kinds = c.classify("40009")
	assert.Equal(t, []error{core.ErrInvalidToken}, kinds)
	kinds = c.classify("40004")
	assert.Empty(t, kinds)
	assert.False(t, retried(kinds))

	d, err := New("a", "sec-1")
	require.NoError(t, err)
	assert.Empty(t, d.classify("40003"), "no code means invalid token by default")
}

// FuzzDecodeEnvelope: never panics; OK only for code "0".
func FuzzDecodeEnvelope(f *testing.F) {
	f.Add([]byte(`{"request_id":"6f843be20b21c5e18b9825616b85b424","code":0,"msg":"success","data":{"access_token":"535eda1d-a06e-42f9-958f-d244ae72b646","refresh_token":"fc5e86a1-81da-4715-a18f-8724ff1fd413","scope":"all","token_type":"bearer","expires_in":4511},"timestamp":1722583035263}`))
	f.Add([]byte(`{"code":"40001","msg":"x"}`))
	f.Add([]byte(`{"code":0,"data":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		out, _, err := decodeEnvelope(body)
		if err != nil {
			return
		}
		if out.OK != (out.Code == "0") {
			t.Fatalf("OK=%v for code %q", out.OK, out.Code)
		}
	})
}
