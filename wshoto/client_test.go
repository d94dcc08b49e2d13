package wshoto

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/testkit"
)

func TestNewValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, appID, secret string
		opts                []Option
		ok                  bool
	}{
		{"default base", "a", "sec-XYZ", nil, true},
		{"loopback http", "a", "sec-XYZ", []Option{WithBaseURL("http://127.0.0.1:9/w")}, true},
		{"empty app id", "", "sec-XYZ", nil, false},
		{"blank secret", "a", "  ", nil, false},
		{"remote plain http", "a", "sec-XYZ", []Option{WithBaseURL("http://open.wshoto.com")}, false},
		{"malformed base", "a", "sec-XYZ", []Option{WithBaseURL("::nope")}, false},
		{"nil token store", "a", "sec-XYZ", []Option{WithTokenStore(nil)}, false},
		{"bad attempts", "a", "sec-XYZ", []Option{WithMaxAttempts(0)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tt.appID, tt.secret, tt.opts...)
			if tt.ok {
				require.NoError(t, err)
				assert.NotNil(t, c)
				return
			}
			require.Error(t, err)
			testkit.NoSecrets(t, err.Error(), tt.secret)
		})
	}
}

func TestDecodeEnvelope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		wantErr  bool
		ok       bool
		code     string
		msg      string
		data     string
		sentinel error
	}{
		{name: "success", body: `{"code":0,"msg":"请求成功","data":true}`, ok: true, code: "0", msg: "请求成功", data: "true"},
		{name: "success sub_code ok", body: `{"code":0,"msg":"请求成功","data":{"a":1},"sub_code":"00000"}`, ok: true, code: "0", data: `{"a":1}`},
		{name: "code as string", body: `{"code":"0","msg":"ok"}`, ok: true, code: "0"},
		{name: "null data", body: `{"code":0,"data":null}`, ok: true, code: "0"},
		{name: "failure code", body: `{"code":40013,"msg":"参数错误"}`, code: "40013", msg: "参数错误"},
		{name: "sub_code failure", body: `{"code":0,"msg":"业务异常","data":null,"sub_code":"A0400"}`, code: "A0400", msg: "业务异常"},
		{name: "empty sub_code ignored", body: `{"code":0,"sub_code":""}`, ok: true, code: "0"},
		{name: "null sub_code ignored", body: `{"code":0,"sub_code":null}`, ok: true, code: "0"},
		{name: "token code", body: `{"code":10001,"msg":"invalid"}`, code: "10001", sentinel: ErrInvalidToken},
		{name: "token code 10010", body: `{"code":10010}`, code: "10010", sentinel: ErrInvalidToken},
		{name: "token code 10011", body: `{"code":"10011"}`, code: "10011", sentinel: ErrInvalidToken},
		{name: "no code", body: `{"msg":"ok"}`, wantErr: true},
		{name: "empty code", body: `{"code":""}`, wantErr: true},
		{name: "html", body: `<html>502</html>`, wantErr: true},
		{name: "array", body: `[1]`, wantErr: true},
		{name: "empty", body: ``, wantErr: true},
		{name: "trailing garbage", body: `{"code":0}{}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, data, err := decodeEnvelope([]byte(tt.body))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.ok, o.OK)
			assert.Equal(t, tt.code, o.Code)
			if tt.msg != "" {
				assert.Equal(t, tt.msg, o.Message)
			}
			assert.Equal(t, tt.data, string(data))
			kinds := classify(o.Code)
			if tt.sentinel != nil {
				assert.Contains(t, kinds, tt.sentinel)
			} else {
				assert.Empty(t, kinds)
			}
		})
	}
}

func TestBusinessErrorsAreVerbatim(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, code, msg string
	}{
		{"code", `{"code":40013,"msg":"线索池不存在"}`, "40013", "线索池不存在"},
		{"sub_code", `{"code":0,"msg":"业务异常","sub_code":"B0001"}`, "B0001", "业务异常"},
		{"secret echoed", `{"code":1,"msg":"bad ` + testSecret + `"}`, "1", "bad [redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			rec := h.reply("/openapi/crm/cluepool/list", tt.body)
			_, err := h.c.ListCluePools(ctx(t), nil)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "wshoto", apiErr.Vendor)
			assert.Equal(t, "cluepool/list", apiErr.Op)
			assert.Equal(t, 200, apiErr.HTTPStatus)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.msg, apiErr.Message)
			assert.NotErrorIs(t, err, ErrInvalidToken)
			assert.Len(t, rec.all(), 1, "business errors are not retried")
			testkit.NoSecrets(t, err.Error(), testSecret, testToken)
		})
	}
}

func TestDo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		wantMethod string // "" = strings.ToUpper(method)
		path       string
		body       any
		wantPath   string
		wantQuery  map[string]string
		wantBody   string
	}{
		{name: "get with query", method: "get", path: "/openapi/x/y?a=1&b=%E4%B8%AD", wantPath: "/openapi/x/y", wantQuery: map[string]string{"a": "1", "b": "中"}},
		{name: "post struct", method: http.MethodPost, path: "/openapi/crm/clue/delete", body: map[string]any{"ids": []NumericID{"1591005521987920963"}, "x": "<&>"}, wantPath: "/openapi/crm/clue/delete", wantBody: `{"ids":[1591005521987920963],"x":"<&>"}`},
		{name: "string ids", method: http.MethodPost, path: "/openapi/a", body: map[string]any{"id": ID("1591005521987920963")}, wantPath: "/openapi/a", wantBody: `{"id":"1591005521987920963"}`},
		{name: "empty method is POST", method: "", wantMethod: http.MethodPost, path: "/openapi/a", body: map[string]any{"a": 1}, wantPath: "/openapi/a", wantBody: `{"a":1}`},
		{name: "post bytes", method: http.MethodPost, path: "/openapi/a", body: []byte(`{"clue_id":1591005521987920963}`), wantPath: "/openapi/a", wantBody: `{"clue_id":1591005521987920963}`},
		{name: "post raw message", method: http.MethodPost, path: "/openapi/a", body: json.RawMessage(`[1,2]`), wantPath: "/openapi/a", wantBody: `[1,2]`},
		{name: "caller token dropped", method: http.MethodGet, path: "/openapi/a?access_token=evil", wantPath: "/openapi/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			m := strings.ToUpper(tt.method)
			if tt.wantMethod != "" {
				m = tt.wantMethod
			}
			rec := h.on(m, tt.wantPath, func(seen) (int, string) {
				return 200, `{"code":0,"msg":"ok","data":{"id":1591005521987920963,"name":"x"}}`
			})
			var out map[string]any
			require.NoError(t, h.c.Do(ctx(t), tt.method, tt.path, tt.body, &out))
			assert.Equal(t, json.Number("1591005521987920963"), out["id"], "19 digits kept exact")
			reqs := rec.all()
			require.Len(t, reqs, 1)
			assert.Equal(t, m, reqs[0].Method)
			assert.Equal(t, "/prefix"+tt.wantPath, reqs[0].Path)
			assert.Equal(t, []string{testToken}, reqs[0].Query["access_token"])
			for k, v := range tt.wantQuery {
				assert.Equal(t, v, reqs[0].Query.Get(k))
			}
			assert.Equal(t, tt.wantBody, reqs[0].Body)
		})
	}
}

func TestDoValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path string
		body               any
	}{
		{"relative path", "POST", "openapi/a", nil},
		{"absolute url", "POST", "https://evil.example/a", nil},
		{"fragment", "POST", "/openapi/a#x", nil},
		{"get with a body", "GET", "/openapi/a", map[string]any{"a": 1}},
		{"scheme-relative", "POST", "//evil.example/a", nil},
		{"invalid json bytes", "POST", "/openapi/a", []byte(`{`)},
		{"unmarshalable body", "POST", "/openapi/a", map[string]any{"f": func() {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			err := h.c.Do(ctx(t), tt.method, tt.path, tt.body, nil)
			require.ErrorIs(t, err, ErrInvalidParam)
			assert.Zero(t, h.tr.GetTotalCallCount(), "no network call")
		})
	}
}

// TestDoStaysOnTheBaseURL: a path that spells a URL after its leading
// slash is a path on the base URL's host, never a request to another host.
func TestDoStaysOnTheBaseURL(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.on(http.MethodPost, "/https://evil.example/a", func(seen) (int, string) { return 200, `{"code":0}` })
	require.NoError(t, h.c.Do(ctx(t), http.MethodPost, "/https://evil.example/a", nil, nil))
	reqs := rec.all()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/prefix/https://evil.example/a", reqs[0].Path)
	assert.Equal(t, 2, h.tr.GetTotalCallCount(), "the token request and the call, both to the base host")
}

func TestDoRetryPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method        string
		wantCalls     int
		wantAmbiguous bool
	}{
		{http.MethodGet, 2, false},
		{http.MethodPost, 1, true},
		{http.MethodPut, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			n := 0
			rec := h.on(tt.method, "/openapi/thing", func(seen) (int, string) {
				n++
				if n == 1 {
					return 503, "busy"
				}
				return 200, `{"code":0}`
			})
			err := h.c.Do(ctx(t), tt.method, "/openapi/thing", nil, nil)
			assert.Len(t, rec.all(), tt.wantCalls)
			if tt.wantAmbiguous {
				require.ErrorIs(t, err, ErrAmbiguous, "non-GET is never retried after it may have been applied")
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestUndecodableDataIsBadResponse(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.reply("/openapi/crm/cluepool/list", `{"code":0,"data":{"total":"many"}}`)
	_, err := h.c.ListCluePools(ctx(t), nil)
	require.ErrorIs(t, err, ErrBadResponse)
}

// TestTokenNeverInErrors: the access token travels in the URL query, and
// net/http errors print URLs. No error or log line may carry it.
func TestTokenNeverInErrors(t *testing.T) {
	t.Parallel()
	seeded := func() TokenStore {
		s := NewMemoryTokenStore(nil)
		require.NoError(t, s.Set(ctx(t), "wshoto:"+testAppID, Token{Value: testToken}, 0))
		return s
	}

	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())
		logger, logs := testkit.Logger()
		c, err := New(testAppID, testSecret, WithBaseURL("http://"+addr), WithLogger(logger), WithTokenStore(seeded()),
			WithMaxAttempts(2), withNoSleep())
		require.NoError(t, err)
		_, err = c.ListClues(ctx(t), &ListCluesRequest{})
		require.Error(t, err)
		var ce *CallError
		require.ErrorAs(t, err, &ce)
		assert.NotContains(t, err.Error(), "access_token")
		testkit.NoSecrets(t, err.Error(), testToken, testSecret)
		testkit.NoSecrets(t, logs.String(), testToken, testSecret)

		// The token request itself carries app_secret in its query.
		c2, err := New(testAppID, testSecret, WithBaseURL("http://"+addr), WithLogger(logger), WithMaxAttempts(1))
		require.NoError(t, err)
		_, err = c2.AccessToken(ctx(t))
		require.Error(t, err)
		testkit.NoSecrets(t, err.Error(), testSecret)
		testkit.NoSecrets(t, logs.String(), testToken, testSecret)
	})

	t.Run("transport error quoting the url", func(t *testing.T) {
		t.Parallel()
		tr := httpmock.NewMockTransport()
		tr.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
			return nil, errors.New("dial failed for " + r.URL.String())
		})
		logger, logs := testkit.Logger()
		c, err := New(testAppID, testSecret, WithBaseURL(testBase), WithHTTPClient(&http.Client{Transport: tr}),
			WithLogger(logger), WithTokenStore(seeded()), withNoSleep())
		require.NoError(t, err)
		_, err = c.GetClue(ctx(t), &GetClueRequest{ClueID: "1591005521987920962"})
		require.Error(t, err)
		testkit.NoSecrets(t, err.Error(), testToken, testSecret)
		testkit.NoSecrets(t, logs.String(), testToken, testSecret)
	})

	t.Run("vendor echoes the token", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.reply("/openapi/crm/clue/info", `{"code":500,"msg":"bad token `+testToken+`"}`)
		_, err := h.c.GetClue(ctx(t), &GetClueRequest{ClueID: "1591005521987920962"})
		require.Error(t, err)
		testkit.NoSecrets(t, err.Error(), testToken, testSecret)
	})
}

func TestPtr(t *testing.T) {
	t.Parallel()
	p := Ptr("")
	require.NotNil(t, p)
	assert.Equal(t, "", *p)
	assert.Equal(t, 7, *Ptr(7))
}

// TestClientPrintsNoSecret: a client printed with any verb, or logged with
// slog, shows the vendor, the app id and the base URL, never the secret or
// a token.
func TestClientPrintsNoSecret(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, err := h.c.AccessToken(ctx(t)) // a token is cached: it must not show either
	require.NoError(t, err)
	l, logs := testkit.Logger()
	l.Info("client", "c", h.c)
	l.Info("client value", "c", *h.c)
	tests := map[string]string{
		"%v": fmt.Sprintf("%v", h.c), "%+v": fmt.Sprintf("%+v", h.c), "%#v": fmt.Sprintf("%#v", h.c),
		"%s": fmt.Sprintf("%s", h.c), "value %+v": fmt.Sprintf("%+v", *h.c), "String": h.c.String(),
		"in a struct": fmt.Sprintf("%+v", struct{ C *Client }{h.c}), "slog": logs.String(),
	}
	for name, out := range tests {
		testkit.NoSecrets(t, out, testSecret, testToken)
		assert.Contains(t, out, testAppID, name)
		assert.Contains(t, out, "wshoto", name)
	}
	assert.Contains(t, tests["%v"], testBase)
}
