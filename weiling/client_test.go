package weiling_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/weiling"
)

func TestNewValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		appID, secret string
		opts          []weiling.Option
		wantErr       bool
	}{
		{"ok", "a", "s", nil, false},
		{"empty app id", "", "s", nil, true},
		{"blank secret", "a", "  ", nil, true},
		{"remote http", "a", "s", []weiling.Option{weiling.WithBaseURL("http://openapi.weiling.cn")}, true},
		{"loopback http", "a", "s", []weiling.Option{weiling.WithBaseURL("http://127.0.0.1:9/x")}, false},
		{"malformed base", "a", "s", []weiling.Option{weiling.WithBaseURL("::nope")}, true},
		{"token lifetime too short", "a", "s", []weiling.Option{weiling.WithTokenLifetime(0)}, true},
		{"token lifetime", "a", "s", []weiling.Option{weiling.WithTokenLifetime(30 * 60 * 1e9)}, false},
		{"disuse key option", "a", "s", []weiling.Option{weiling.WithDisuseContactIDsKey()}, false},
		{"other vendor option", "a", "s", []weiling.Option{core.VendorOption("WithX", func(*struct{ X int }) error { return nil })}, true},
		{"nil token store", "a", "s", []weiling.Option{weiling.WithTokenStore(nil)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := weiling.New(tt.appID, tt.secret, tt.opts...)
			if tt.wantErr {
				require.Error(t, err)
				assert.Nil(t, c)
				testkit.NoSecrets(t, err.Error(), "s3cr3t")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.appID, c.AppID)
		})
	}
}

func TestDefaultBaseURL(t *testing.T) {
	t.Parallel()
	tr := httpmock.NewMockTransport()
	var got []string
	tr.RegisterResponder(http.MethodGet, `=~.*`, func(r *http.Request) (*http.Response, error) {
		got = append(got, r.URL.Scheme+"://"+r.URL.Host+r.URL.Path)
		return httpmock.NewStringResponse(200, `{"code":0,"data":{"access_token":"x"}}`), nil
	})
	c, err := weiling.New(testAppID, testSecret, weiling.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	_, err = c.AccessToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"https://openapi.weiling.cn/openapi/auth/access_token/get"}, got)
}

func TestDo(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, "user/get", ok(`{"name":"张三","id":12345678901234567890}`))
	var out map[string]any
	err := h.c.Do(context.Background(), "get", "/openapi/user/get?userid=u1&access_token=stale", nil, &out)
	require.NoError(t, err)
	r := h.last(t)
	assert.Equal(t, "/prefix/openapi/user/get", r.Path)
	assert.Equal(t, "u1", r.Query.Get("userid"))
	assert.Equal(t, []string{testToken}, r.Query["access_token"], "the SDK's token replaces any given one")
	assert.Equal(t, json.Number("12345678901234567890"), out["id"], "numbers keep every digit")

	h.on(http.MethodPost, "clue/create", ok(`{"clue_id":"c1"}`))
	var created struct {
		ClueID string `json:"clue_id"`
	}
	require.NoError(t, h.c.Do(context.Background(), http.MethodPost, "/openapi/clue/create", json.RawMessage(`{"mobile":"138<&>"}`), &created))
	assert.Equal(t, "c1", created.ClueID)
	r = h.last(t)
	assert.Equal(t, `{"mobile":"138<&>"}`, r.Body)
	assert.Equal(t, "application/json", r.CT)

	require.NoError(t, h.c.Do(context.Background(), http.MethodPost, "/openapi/clue/create", map[string]string{"a": "<b>"}, nil))
	assert.Equal(t, `{"a":"<b>"}`, h.last(t).Body, "marshalled once, without HTML escaping")
}

func TestDoValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, p := range []string{"openapi/x", "https://evil.test/openapi/x", "/openapi/x#frag", "/openapi/x?%zz"} {
		err := h.c.Do(context.Background(), http.MethodGet, p, nil, nil)
		assert.ErrorIs(t, err, weiling.ErrInvalidParam, p)
	}
	err := h.c.Do(context.Background(), http.MethodPost, "/openapi/x", func() {}, nil)
	assert.ErrorIs(t, err, weiling.ErrInvalidParam)
	assert.Zero(t, h.count())
	assert.Zero(t, h.tokenN.Load(), "no token fetched for invalid input")
}

func TestDoPostIsNeverRetriedAfterAmbiguousFailure(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, "clue/create", `{"code":500,"msg":"服务繁忙，请稍后重试"}`)
	err := h.c.Do(context.Background(), http.MethodPost, "/openapi/clue/create", map[string]string{}, nil)
	require.ErrorIs(t, err, weiling.ErrAmbiguous)
	assert.Equal(t, 1, h.count())

	h2 := newHarness(t)
	h2.tr.RegisterResponder(http.MethodPost, testBase+"/openapi/clue/create", httpmock.NewStringResponder(503, "busy"))
	err = h2.c.Do(context.Background(), http.MethodPost, "/openapi/clue/create", map[string]string{}, nil)
	require.ErrorIs(t, err, weiling.ErrAmbiguous)
	assert.Equal(t, 1, h2.tr.GetCallCountInfo()["POST "+testBase+"/openapi/clue/create"])
}

func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	// A vendor echoing the secret and token in its message.
	h := newHarness(t)
	h.on(http.MethodPost, "contact/batch", `{"code":1001,"msg":"bad app_secret=`+testSecret+` token=`+testToken+`"}`)
	_, err := h.c.BatchGetContacts(context.Background(), &weiling.BatchGetContactsRequest{ContactIDs: []string{"x"}})
	require.ErrorIs(t, err, weiling.ErrInvalidParam)
	testkit.NoSecrets(t, err.Error(), testSecret, testToken)
	testkit.NoSecrets(t, h.logs.String(), testSecret, testToken)

	// Connection refused: the URL (which carries the token or the secret)
	// never appears.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	logger, logs := testkit.Logger()
	sl := &testkit.Sleeper{}
	c, err := weiling.New(testAppID, testSecret, weiling.WithBaseURL("http://"+addr), weiling.WithLogger(logger), core.WithSleep(sl.Sleep))
	require.NoError(t, err)
	_, err = c.ListContacts(context.Background(), &weiling.ListContactsRequest{StartDay: "2024-01-01", EndDay: "2024-01-02"})
	require.Error(t, err)
	var ce *weiling.CallError
	require.ErrorAs(t, err, &ce)
	testkit.NoSecrets(t, err.Error(), testSecret, "app_secret=")
	testkit.NoSecrets(t, logs.String(), testSecret, "app_secret=")

	// Connection refused on an API call with a cached token.
	store := weiling.NewMemoryTokenStore(nil)
	require.NoError(t, store.Set(context.Background(), "weiling:"+testAppID, weiling.Token{Value: testToken}, 0))
	logger, logs = testkit.Logger()
	c, err = weiling.New(testAppID, testSecret, weiling.WithBaseURL("http://"+addr), weiling.WithLogger(logger), core.WithSleep(sl.Sleep), weiling.WithTokenStore(store))
	require.NoError(t, err)
	_, err = c.BatchGetContacts(context.Background(), &weiling.BatchGetContactsRequest{ContactIDs: []string{"x"}})
	require.Error(t, err)
	assert.False(t, errors.Is(err, weiling.ErrAmbiguous))
	testkit.NoSecrets(t, err.Error(), testSecret, testToken, "access_token=")
	testkit.NoSecrets(t, logs.String(), testSecret, testToken, "access_token=")
}

func TestRateLimitSharedByAllCalls(t *testing.T) {
	t.Parallel()
	h := newHarness(t, weiling.WithRateLimit(1, 1))
	h.on(http.MethodPost, "contact/batch", ok(`{"contact_list":[]}`))
	ctx, cancel := context.WithTimeout(context.Background(), 200*1e6)
	defer cancel()
	// The token request uses the burst; the call would wait ~1 s, past the
	// deadline.
	_, err := h.c.BatchGetContacts(ctx, &weiling.BatchGetContactsRequest{ContactIDs: []string{"x"}})
	require.Error(t, err)
	assert.Equal(t, 0, h.count())
	assert.Equal(t, int32(1), h.tokenN.Load())
}

// TestClientPrintsNoSecret: printing a client with any verb, or logging it
// with slog, shows the vendor, the app id and the base URL only.
func TestClientPrintsNoSecret(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, err := h.c.AccessToken(context.Background()) // a token is cached too
	require.NoError(t, err)
	logger, logs := testkit.Logger()
	logger.Info("client", "c", h.c)
	texts := map[string]string{"slog": logs.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		texts[verb] = fmt.Sprintf(verb, h.c)
		texts[verb+" of a value"] = fmt.Sprintf(verb, *h.c)
	}
	for name, text := range texts {
		t.Run(name, func(t *testing.T) {
			testkit.NoSecrets(t, text, testSecret, testToken)
			assert.Contains(t, text, testAppID)
			assert.Contains(t, text, testBase)
		})
	}
	assert.Equal(t, "weiling.Client{app: "+testAppID+", base: "+testBase+"}", fmt.Sprint(h.c))
}
