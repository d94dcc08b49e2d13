package jing_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
)

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		id, sec string
		opts    []jing.Option
		ok      bool
	}{
		{"defaults", "a", "sec-77f1", nil, true},
		{"empty app id", "", "sec-77f1", nil, false},
		{"blank secret", "a", "  ", nil, false},
		{"https base with prefix", "a", "sec-77f1", []jing.Option{jing.WithBaseURL("https://proxy.example.com/jing/")}, true},
		{"plain http remote", "a", "sec-77f1", []jing.Option{jing.WithBaseURL("http://jingopenapi.jingsocial.com")}, false},
		{"plain http loopback", "a", "sec-77f1", []jing.Option{jing.WithBaseURL("http://127.0.0.1:8080")}, true},
		{"malformed base", "a", "sec-77f1", []jing.Option{jing.WithBaseURL("::nope")}, false},
		{"token path", "a", "sec-77f1", []jing.Option{jing.WithTokenPath("/v1/oauth2/get")}, true},
		{"token path relative", "a", "sec-77f1", []jing.Option{jing.WithTokenPath("v1/oauth2/get")}, false},
		{"token path with query", "a", "sec-77f1", []jing.Option{jing.WithTokenPath("/v1/x?y=1")}, false},
		{"invalid token codes", "a", "sec-77f1", []jing.Option{jing.WithInvalidTokenCodes("40003", "40004")}, true},
		{"invalid token code 0", "a", "sec-77f1", []jing.Option{jing.WithInvalidTokenCodes("0")}, false},
		{"invalid token code empty", "a", "sec-77f1", []jing.Option{jing.WithInvalidTokenCodes("")}, false},
		{"nil token store", "a", "sec-77f1", []jing.Option{jing.WithTokenStore(nil)}, false},
		{"bad attempts", "a", "sec-77f1", []jing.Option{jing.WithMaxAttempts(0)}, false},
		{"nil option ignored", "a", "sec-77f1", []jing.Option{nil}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := jing.New(tt.id, tt.sec, tt.opts...)
			if !tt.ok {
				require.Error(t, err)
				assert.Nil(t, c)
				testkit.NoSecrets(t, err.Error(), tt.sec)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.id, c.AppID())
		})
	}
}

func TestDo(t *testing.T) {
	t.Parallel()
	type out struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
		Total json.Number `json:"total"`
	}
	tests := []struct {
		name      string
		method    string
		path      string
		body      any
		status    []int
		answers   []string
		wantURL   string // method + path?query seen
		wantBody  string
		wantCalls int
		wantErr   []error
		check     func(t *testing.T, o *out)
	}{
		{name: "GET with query, data decoded", method: "get", path: "/v1/lead/query?page=1&size=20",
			answers: []string{`{"request_id":"r","code":0,"msg":"success","data":{"items":[{"id":"e9vMaiGWybEQ3Nc9xGgwV4"}],"total":1234567890123456789}}`},
			wantURL: "GET /prefix/v1/lead/query?page=1&size=20", wantCalls: 1,
			check: func(t *testing.T, o *out) {
				assert.Equal(t, "e9vMaiGWybEQ3Nc9xGgwV4", o.Items[0].ID)
				assert.Equal(t, "1234567890123456789", o.Total.String(), "19 digits kept")
			}},
		{name: "POST struct body marshalled once", method: "POST", path: "/v1/lead/update",
			body: map[string]any{"lead_uuid": "x", "fields": map[string]string{"name": "<张三>"}}, answers: []string{`{"code":0,"data":null}`},
			wantURL: "POST /prefix/v1/lead/update", wantBody: `{"fields":{"name":"<张三>"},"lead_uuid":"x"}`, wantCalls: 1},
		{name: "POST raw bytes verbatim", method: "POST", path: "/v1/lead/create", body: []byte(`[ {"a" : 1} ]`),
			answers: []string{`{"code":0}`}, wantURL: "POST /prefix/v1/lead/create", wantBody: `[ {"a" : 1} ]`, wantCalls: 1},
		{name: "POST json.RawMessage", method: "POST", path: "/v1/x", body: json.RawMessage(`{}`),
			answers: []string{`{"code":0}`}, wantURL: "POST /prefix/v1/x", wantBody: `{}`, wantCalls: 1},
		{name: "GET 503 retried", method: "GET", path: "/v1/x", status: []int{503, 200}, answers: []string{``, `{"code":0}`},
			wantURL: "GET /prefix/v1/x", wantCalls: 2},
		{name: "POST 503 not retried, ambiguous", method: "POST", path: "/v1/x", body: map[string]int{}, status: []int{503}, answers: []string{``},
			wantURL: "POST /prefix/v1/x", wantBody: `{}`, wantCalls: 1, wantErr: []error{jing.ErrAmbiguous}},
		{name: "POST 429 retried", method: "POST", path: "/v1/x", status: []int{429, 200}, answers: []string{``, `{"code":0}`},
			wantURL: "POST /prefix/v1/x", wantCalls: 2},
		{name: "code != 0", method: "POST", path: "/v1/x", answers: []string{`{"request_id":"q","code":-1,"msg":"系统繁忙"}`},
			wantURL: "POST /prefix/v1/x", wantCalls: 1, wantErr: []error{}},
		{name: "undecodable data", method: "GET", path: "/v1/x", answers: []string{`{"code":0,"data":{"items":"no"}}`},
			wantURL: "GET /prefix/v1/x", wantCalls: 1, wantErr: []error{jing.ErrBadResponse}},
		{name: "relative path", method: "GET", path: "v1/x", wantErr: []error{jing.ErrInvalidParam}},
		{name: "absolute URL", method: "GET", path: "https://evil.example.com/v1/x", wantErr: []error{jing.ErrInvalidParam}},
		{name: "empty method is POST", method: " ", path: "/v1/x", answers: []string{`{"code":0}`},
			wantURL: "POST /prefix/v1/x", wantCalls: 1},
		{name: "invalid raw JSON", method: "POST", path: "/v1/x", body: []byte(`{`), wantErr: []error{jing.ErrInvalidParam}},
		{name: "unmarshalable body", method: "POST", path: "/v1/x", body: func() {}, wantErr: []error{jing.ErrInvalidParam}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			withToken(t, h)
			var seen []recorded
			n := 0
			h.tr.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
				status := 200
				if len(tt.status) > 0 {
					status = tt.status[min(n, len(tt.status)-1)]
				}
				body := tt.answers[min(n, len(tt.answers)-1)]
				n++
				return recorder(&seen, status, body)(r)
			})
			var o out
			err := h.c.Do(context.Background(), tt.method, tt.path, tt.body, &o)
			assert.Equal(t, tt.wantCalls, n, "calls")
			if n > 0 {
				r := seen[0]
				u := r.Method + " " + r.Path
				if r.Query != "" {
					u += "?" + r.Query
				}
				assert.Equal(t, tt.wantURL, u)
				assert.Equal(t, tt.wantBody, r.Body)
				assert.Equal(t, []string{testAppID}, r.Header["app_id"])
				assert.Equal(t, []string{"at-live-1234"}, r.Header["access_token"])
			}
			if tt.wantErr != nil {
				require.Error(t, err)
				for _, e := range tt.wantErr {
					assert.ErrorIs(t, err, e)
				}
				testkit.NoSecrets(t, err.Error(), testSecret, "at-live-1234")
				return
			}
			require.NoError(t, err)
			if tt.check != nil {
				tt.check(t, &o)
			}
		})
	}
}

func TestDoNilOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	withToken(t, h)
	h.tr.RegisterResponder("POST", testBase+"/v1/x", httpmock.NewStringResponder(200, `{"code":0,"data":{"a":1}}`))
	require.NoError(t, h.c.Do(context.Background(), "POST", "/v1/x", nil, nil))
	var raw json.RawMessage
	require.NoError(t, h.c.Do(context.Background(), "POST", "/v1/x", nil, &raw))
	assert.JSONEq(t, `{"a":1}`, string(raw))
	var nilCtx context.Context
	assert.Error(t, h.c.Do(nilCtx, "POST", "/v1/x", nil, nil))
}

// A client never prints a secret: %v, %+v, %#v, %s and slog show the vendor,
// the app id and the base URL only.
func TestClientPrintsNoSecret(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	withToken(t, h)
	_, err := h.c.AccessToken(context.Background())
	require.NoError(t, err)
	logger, logs := testkit.Logger()
	logger.Info("client", "c", h.c)
	logger.Info("client", "c", *h.c)
	out := fmt.Sprintf("%v|%+v|%#v|%s|%v", h.c, h.c, h.c, h.c, *h.c) + logs.String()
	testkit.NoSecrets(t, out, testSecret, "at-live-1234", "rt-live-5678")
	assert.Contains(t, fmt.Sprintf("%v", h.c), testAppID)
	assert.Contains(t, fmt.Sprintf("%#v", h.c), "https://jing.test/prefix")
	assert.Contains(t, logs.String(), `"vendor":"jing"`)
}

// A call whose context is already done sends nothing on a cold client: no
// token request, and no rotation of a stored refresh pair.
func TestCancelledContextSendsNothing(t *testing.T) {
	t.Parallel()
	calls := map[string]func(ctx context.Context, c *jing.Client) error{
		"CreateUsers": func(ctx context.Context, c *jing.Client) error {
			_, err := c.CreateUsers(ctx, &jing.CreateUsersRequest{Users: []jing.User{docUser}})
			return err
		},
		"Do":           func(ctx context.Context, c *jing.Client) error { return c.Do(ctx, "POST", "/v1/lead/query", nil, nil) },
		"AccessToken":  func(ctx context.Context, c *jing.Client) error { _, err := c.AccessToken(ctx); return err },
		"RefreshToken": func(ctx context.Context, c *jing.Client) error { return c.RefreshToken(ctx) },
	}
	for name, call := range calls {
		for _, stored := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s stored pair %v", name, stored), func(t *testing.T) {
				t.Parallel()
				srv := newFake(t)
				store := jing.NewMemoryTokenStore(srv.Clock.Now)
				var pair jing.Token
				if stored {
					// An expired access token with a live refresh token:
					// any token request would rotate the pair.
					warm, _ := newFakeClient(t, srv, store)
					_, err := warm.AccessToken(context.Background())
					require.NoError(t, err)
					srv.Clock.Advance(jingtest.DefaultAccessTokenTTL + time.Minute)
					pair, _, err = store.Get(context.Background(), "jing:"+srv.AppID)
					require.NoError(t, err)
				}
				before := srv.Requests("")
				c, _ := newFakeClient(t, srv, store)
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				err := call(ctx, c)
				require.ErrorIs(t, err, context.Canceled)
				time.Sleep(20 * time.Millisecond) // nothing may start in the background either
				assert.Equal(t, before, srv.Requests(""), "nothing sent")
				if stored {
					assert.True(t, srv.RefreshTokenValid(pair.Refresh), "the stored refresh token was not rotated")
					now, _, err := store.Get(context.Background(), "jing:"+srv.AppID)
					require.NoError(t, err)
					assert.Equal(t, pair.Refresh, now.Refresh)
				}
			})
		}
	}
}

// Token requests reach the observers (as tokens, not as calls); the infos
// carry no secret.
func TestObserverSeesTokenRequests(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	var infos []jing.TokenInfo
	var ends []jing.CallInfo
	obs := jing.Observer{
		Token:   func(_ context.Context, i jing.TokenInfo) { infos = append(infos, i) },
		CallEnd: func(_ context.Context, i jing.CallInfo, _ error) { ends = append(ends, i) },
	}
	c, _ := newFakeClient(t, srv, nil, jing.WithObserver(obs))
	ctx := context.Background()
	_, err := c.AccessToken(ctx)
	require.NoError(t, err)
	require.NoError(t, c.RefreshToken(ctx))
	require.Len(t, infos, 2)
	assert.False(t, infos[0].Refresh)
	assert.True(t, infos[1].Refresh)
	assert.Empty(t, ends, "token requests are reported as tokens, not as calls")
	_, err = c.CreateUsers(ctx, &jing.CreateUsersRequest{Users: []jing.User{docUser}})
	require.NoError(t, err)
	require.Len(t, ends, 1)
	assert.Equal(t, jing.OpCreateUsers, ends[0].Op)
	assert.True(t, ends[0].Create)
	assert.Len(t, infos, 2, "the cached token served the call")
	testkit.NoSecrets(t, fmt.Sprintf("%+v %+v", infos, ends), append(srv.LiveTokens(), srv.AppSecret)...)
}
