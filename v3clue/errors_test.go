package v3clue

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"

	"github.com/cluekit/cluekit/internal/flex"
)

// decodeEnvelope decodes b as the transport does (one pass, the data into
// the result; a type error does not stop it) and returns the outcome and the
// data, raw.
func decodeEnvelope(b []byte) (core.Outcome, json.RawMessage, error) {
	var data json.RawMessage
	env := newEnvelope(&data)
	if err := json.Unmarshal(b, env); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return core.Outcome{}, nil, err
		}
	}
	out, err := env.Outcome()
	return out, data, err
}

func TestDecodeEnvelope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr bool
		ok      bool
		code    string
		msg     string
		data    string
	}{
		{name: "success", in: `{"code":0,"message":"ok","data":{"a":1}}`, ok: true, code: "0", msg: "ok", data: `{"a":1}`},
		{name: "string code", in: `{"code":"0","message":"ok","data":[]}`, ok: true, code: "0", msg: "ok", data: `[]`},
		{name: "null data", in: `{"code":0,"message":"ok","data":null}`, ok: true, code: "0", msg: "ok"},
		{name: "no data", in: `{"code":0}`, ok: true, code: "0"},
		{name: "failure", in: `{"code":-1,"message":"失败"}`, code: "-1", msg: "失败"},
		{name: "signature", in: `{"code":1002,"message":"签名校验未通过","data":null}`, code: "1002", msg: "签名校验未通过"},
		{name: "big code verbatim", in: `{"code":12345678901234567890,"message":"x"}`, code: "12345678901234567890", msg: "x"},
		{name: "numeric message", in: `{"code":5,"message":7}`, code: "5", msg: "7"},
		{name: "leading space", in: "  \n{\"code\":0}", ok: true, code: "0"},
		{name: "msg is not read", in: `{"code":3,"msg":"other vendor"}`, code: "3"},
		{name: "missing code", in: `{"message":"ok"}`, wantErr: true},
		{name: "null code", in: `{"code":null}`, wantErr: true},
		{name: "float code", in: `{"code":0.5}`, wantErr: true},
		{name: "word code", in: `{"code":"ok"}`, wantErr: true},
		{name: "html", in: `<html>502</html>`, wantErr: true},
		{name: "empty", in: ``, wantErr: true},
		{name: "array", in: `[1]`, wantErr: true},
		{name: "truncated", in: `{"code":0,"data":{`, wantErr: true},
		{name: "trailing", in: `{"code":0}{"code":1}`, wantErr: true},
		{name: "object message", in: `{"code":1,"message":{}}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, data, err := decodeEnvelope([]byte(tt.in))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.ok, env.OK)
			assert.Equal(t, tt.code, env.Code)
			assert.Equal(t, tt.msg, env.Message)
			if tt.data == "" {
				assert.Nil(t, data)
			} else {
				assert.JSONEq(t, tt.data, string(data))
			}
		})
	}
}

func TestDecodeEnvelopeSeed(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/clue_get_response.json")
	require.NoError(t, err)
	env, data, err := decodeEnvelope(b)
	require.NoError(t, err)
	assert.True(t, env.OK)
	assert.Equal(t, "ok", env.Message)
	assert.Contains(t, string(data), `"customerId": 410983932389440`)
}

func TestClassify(t *testing.T) {
	t.Parallel()
	all := []error{ErrSignature, ErrClockSkew, ErrDuplicate, ErrNotFound, ErrInvalidParam, ErrRateLimited, ErrPermission}
	tests := []struct {
		code string
		want []error
	}{
		{"1002", []error{ErrSignature}},
		{"1003", []error{ErrClockSkew, ErrSignature}},
		{"40417", []error{ErrDuplicate}},
		{"-1", nil},
		{"99999", nil},
		{"1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			kinds := classify(tt.code)
			for _, k := range kinds {
				// The transport retries only these.
				assert.NotErrorIs(t, k, ErrRateLimited, "no known code is retried")
				assert.NotErrorIs(t, k, core.ErrVendorBusy, "no known code is retried")
			}
			err := core.NewAPIError(vendorName, "op", 200, tt.code, "", "", nil, kinds...)
			for _, s := range all {
				want := false
				for _, w := range tt.want {
					want = want || w == s
				}
				assert.Equal(t, want, errors.Is(err, s), "%v", s)
			}
		})
	}
	assert.ErrorIs(t, ErrClockSkew, ErrSignature)
	assert.NotErrorIs(t, ErrSignature, ErrClockSkew)
}

func FuzzDecodeEnvelope(f *testing.F) {
	if b, err := os.ReadFile("testdata/clue_get_response.json"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		`{"code":0,"message":"ok","data":{}}`, `{"code":"1002","message":"签名校验未通过"}`,
		`{"code":-1}`, `{"code":1e3}`, `{"code":0,"data":"x"}`, `<html>`, ``, `null`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		env, data, err := decodeEnvelope(b)
		if err != nil {
			return
		}
		if !flex.IsInteger(env.Code) {
			t.Fatalf("accepted non-integer code %q", env.Code)
		}
		if env.OK != (env.Code == "0") {
			t.Fatalf("OK=%v for code %q", env.OK, env.Code)
		}
		if data != nil && string(data) == "null" {
			t.Fatal("null data kept")
		}
	})
}
