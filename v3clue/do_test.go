package v3clue

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDoRequests(t *testing.T) {
	t.Parallel()
	type page struct {
		TotalPage int               `json:"totalPage"`
		Data      []json.RawMessage `json:"data"`
	}
	tests := []struct {
		name     string
		method   string
		path     string
		body     any
		out      func() any
		answer   string
		wantBody string
		check    func(t *testing.T, out any)
	}{
		{name: "struct body marshalled once, no HTML escaping", method: http.MethodPost, path: "/api/v3/customer/search",
			body:     map[string]any{"searchKey": "<张三&李四>", "pageNo": 1, "pageSize": 100},
			out:      func() any { return &page{} },
			answer:   `{"code":0,"message":"ok","data":{"totalPage":3,"data":[{"97668":"x"},{"createTime":"2021-05-11 15:15:48"}]}}`,
			wantBody: `{"pageNo":1,"pageSize":100,"searchKey":"<张三&李四>"}`,
			check: func(t *testing.T, out any) {
				p := out.(*page)
				assert.Equal(t, 3, p.TotalPage)
				assert.Len(t, p.Data, 2)
			}},
		{name: "empty body signed as empty string", method: "post", path: "/api/v3/profile-fields", body: nil,
			out:      func() any { return new([]map[string]any) },
			answer:   `{"code":0,"message":"ok","data":[{"id":1234567890123456789}]}`,
			wantBody: ``,
			check: func(t *testing.T, out any) {
				rows := *out.(*[]map[string]any)
				require.Len(t, rows, 1)
				assert.Equal(t, json.Number("1234567890123456789"), rows[0]["id"], "19 digits kept")
			}},
		{name: "raw bytes verbatim", method: "", path: "/api/v3/get-users", body: []byte(`{"pageNo": 1, "pageSize": 10, "deleted": 0}`),
			out:      func() any { return new(json.RawMessage) },
			answer:   `{"code":0,"message":"ok","data":{"result":[{"salesId":1}]}}`,
			wantBody: `{"pageNo": 1, "pageSize": 10, "deleted": 0}`,
			check: func(t *testing.T, out any) {
				assert.JSONEq(t, `{"result":[{"salesId":1}]}`, string(*out.(*json.RawMessage)))
			}},
		{name: "json.RawMessage verbatim, out nil", method: http.MethodPost, path: "/api/v3/customer-transfer",
			body:     json.RawMessage(`{"handoverToUserid":"u1","customers":[{"qwUserId":"u0","customerId":8}]}`),
			answer:   `{"code":0,"message":"ok","data":{"ignored":true}}`,
			wantBody: `{"handoverToUserid":"u1","customers":[{"qwUserId":"u0","customerId":8}]}`},
		{name: "no data leaves out untouched", method: http.MethodPost, path: "/api/v3/import-customer",
			body:     map[string]any{"qwUserId": "u1", "fields": []map[string]any{{"alias": "name", "values": []string{"张三"}}}},
			out:      func() any { return &page{TotalPage: 7} },
			answer:   `{"code":0,"message":"ok"}`,
			wantBody: `{"fields":[{"alias":"name","values":["张三"]}],"qwUserId":"u1"}`,
			check:    func(t *testing.T, out any) { assert.Equal(t, 7, out.(*page).TotalPage) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.respond(jsonResp(200, tt.answer))
			var out any
			if tt.out != nil {
				out = tt.out()
			}
			require.NoError(t, h.c.Do(context.Background(), tt.method, tt.path, tt.body, out))
			reqs := h.requests()
			require.Len(t, reqs, 1)
			checkSigned(t, reqs[0], tt.path, tt.wantBody)
			if tt.wantBody == "" {
				assert.Equal(t, SignRequest(testAppID, reqs[0].header("timestamp"), nil, testAppKey), reqs[0].header("sign"))
			}
			if tt.check != nil {
				tt.check(t, out)
			}
			h.noSecrets(t, h.logs.String())
		})
	}
}

func TestDoValidatesBeforeNetwork(t *testing.T) {
	t.Parallel()
	var notPtr struct{}
	var nilPtr *struct{}
	tests := []struct {
		name, method, path string
		body, out          any
	}{
		{"relative path", "POST", "api/v3/x", nil, nil},
		{"empty path", "POST", "", nil, nil},
		{"scheme-relative path", "POST", "//evil.example/api", nil, nil},
		{"fragment in path", "POST", "/api/v3/x#y", nil, nil},
		{"dot segments", "POST", "/api/v3/../admin", nil, nil},
		{"space in path", "POST", "/api/v3/a b", nil, nil},
		{"newline in path", "POST", "/api/v3/a\nb", nil, nil},
		{"bad method", "PO ST", "/api/v3/x", nil, nil},
		{"method with digits", "P0ST", "/api/v3/x", nil, nil},
		{"out not a pointer", "POST", "/api/v3/x", nil, notPtr},
		{"out nil pointer", "POST", "/api/v3/x", nil, nilPtr},
		{"invalid raw body", "POST", "/api/v3/x", []byte(`{"a":`), nil},
		{"invalid raw message", "POST", "/api/v3/x", json.RawMessage(`nope`), nil},
		{"unmarshalable body", "POST", "/api/v3/x", map[string]any{"f": func() {}}, nil},
		{"GET with a body", "GET", "/api/v3/x", map[string]any{"a": 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.respond(jsonResp(200, `{"code":0}`))
			err := h.c.Do(context.Background(), tt.method, tt.path, tt.body, tt.out)
			require.ErrorIs(t, err, ErrInvalidParam)
			assert.Empty(t, h.requests())
		})
	}
}

// A query in Do's path is sent as it is (the shared Do rules allow one); it
// is not part of the signature, which covers the body only.
func TestDoPathWithQuery(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.respond(jsonResp(200, `{"code":0,"message":"ok","data":{"n":1}}`))
	var out struct{ N int }
	require.NoError(t, h.c.Do(context.Background(), "", "/api/v3/customer/search?pageNo=2", map[string]any{"searchKey": "x"}, &out))
	assert.Equal(t, 1, out.N)
	reqs := h.requests()
	require.Len(t, reqs, 1)
	checkSigned(t, reqs[0], "/api/v3/customer/search", `{"searchKey":"x"}`)
	assert.Equal(t, "pageNo=2", reqs[0].Query)
}

func TestDoErrorsAndRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		method   string
		steps    []string
		status   []int
		want     []error
		notWant  []error
		attempts int
	}{
		{name: "40417 duplicate phone", method: "POST", status: []int{200}, steps: []string{`{"code":40417,"message":"请求参数验证失败：电话号码重复"}`}, want: []error{ErrDuplicate}, attempts: 1},
		{name: "1003 not retried", method: "POST", status: []int{200}, steps: []string{`{"code":1003,"message":"请求时间与服务器时间相差过大"}`}, want: []error{ErrClockSkew, ErrSignature}, attempts: 1},
		{name: "POST 503 is ambiguous, not retried", method: "POST", status: []int{503}, steps: []string{``}, want: []error{ErrAmbiguous}, attempts: 1},
		{name: "POST 429 is retried", method: "POST", status: []int{429, 200}, steps: []string{``, `{"code":0,"data":{}}`}, attempts: 2},
		{name: "GET 503 is retried", method: "GET", status: []int{503, 200}, steps: []string{``, `{"code":0,"data":{}}`}, attempts: 2},
		{name: "undecodable data", method: "POST", status: []int{200}, steps: []string{`{"code":0,"data":{"totalPage":"many"}}`}, want: []error{ErrBadResponse}, notWant: []error{ErrAmbiguous}, attempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			var steps []func() *http.Response
			for i, s := range tt.steps {
				steps = append(steps, jsonResp(tt.status[i], s))
			}
			h.respond(steps...)
			var out struct {
				TotalPage int `json:"totalPage"`
			}
			var body any = map[string]any{"searchKey": "x"}
			if tt.method == http.MethodGet {
				body = nil
			}
			err := h.c.Do(context.Background(), tt.method, "/api/v3/customer/search", body, &out)
			assert.Len(t, h.requests(), tt.attempts)
			for _, r := range h.requests() {
				checkSignedMethod(t, r, tt.method)
			}
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			for _, w := range tt.want {
				assert.ErrorIs(t, err, w)
			}
			for _, w := range tt.notWant {
				assert.NotErrorIs(t, err, w)
			}
			h.noSecrets(t, err.Error())
			h.noSecrets(t, h.logs.String())
		})
	}
}

func TestDoKeepsKeyOutOfOp(t *testing.T) {
	t.Parallel()
	t.Run("in a query", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.respond(jsonResp(200, `{"code":-1,"message":"失败"}`))
		// Sent (the caller's choice), and never shown.
		err := h.c.Do(context.Background(), "POST", "/api/v3/x?appKey="+testAppKey, nil, nil)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "x", apiErr.Op)
		h.noSecrets(t, err.Error())
		h.noSecrets(t, h.logs.String())
	})
	t.Run("in the path", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.respond(jsonResp(200, `{"code":-1,"message":"失败"}`))
		err := h.c.Do(context.Background(), "POST", "/api/v3/"+testAppKey, nil, nil)
		require.Error(t, err)
		h.noSecrets(t, err.Error())
		h.noSecrets(t, h.logs.String())
	})
}

func TestZeroClient(t *testing.T) {
	t.Parallel()
	var c Client
	_, err := c.GetClue(context.Background(), &GetClueRequest{CustomerID: 1})
	require.Error(t, err)
	require.Error(t, c.Do(context.Background(), "POST", "/api/v3/x", nil, nil))
	// A zero Client prints its (empty) identity, and nothing else.
	assert.Equal(t, ".Client{app: , base: }", fmt.Sprint(&c))
}

func checkSignedMethod(t *testing.T, r captured, method string) {
	t.Helper()
	assert.Equal(t, method, r.Method)
	assert.Equal(t, SignRequest(testAppID, r.header("timestamp"), r.Body, testAppKey), r.header("sign"))
}
