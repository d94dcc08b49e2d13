package jing_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/internal/token"
	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
)

const (
	testAppID  = "app-4711"
	testSecret = "S3cr3t-app-secret-9f2c"
	testBase   = "https://jing.test/prefix"
	tokenURL   = testBase + "/v1/oauth2/token"
	refreshURL = testBase + "/v1/oauth2/token/refresh"
	createURL  = testBase + "/v1/user/create"
)

// harness is a client on an httpmock transport with an injected clock,
// an instant sleeper, a capturing logger and an inspectable token store.
type harness struct {
	c       *jing.Client
	tr      *httpmock.MockTransport
	logs    *testkit.Buffer
	sleeper *testkit.Sleeper
	clock   *fake.Clock
	store   *token.MemoryStore
}

func newHarness(t *testing.T, opts ...jing.Option) *harness {
	t.Helper()
	h := &harness{tr: httpmock.NewMockTransport(), sleeper: &testkit.Sleeper{}, clock: fake.NewClock()}
	l, logs := testkit.Logger()
	h.logs = logs
	h.store = token.NewMemoryStore(h.clock.Now)
	all := append([]jing.Option{
		jing.WithBaseURL(testBase + "/"),
		jing.WithHTTPClient(&http.Client{Transport: h.tr}),
		jing.WithLogger(l),
		jing.WithTokenStore(h.store),
		jing.WithClock(h.clock.Now),
		core.WithSleep(h.sleeper.Sleep),
		core.WithRand(func() float64 { return 0.5 }),
	}, opts...)
	c, err := jing.New(testAppID, testSecret, all...)
	require.NoError(t, err)
	h.c = c
	return h
}

// stored returns the pair in the store.
func (h *harness) stored(t *testing.T) jing.Token {
	t.Helper()
	tok, ok, err := h.store.Get(context.Background(), "jing:"+testAppID)
	require.NoError(t, err)
	require.True(t, ok, "no token stored")
	return tok
}

// preload stores a pair as if obtained earlier.
func (h *harness) preload(t *testing.T, tok jing.Token) {
	t.Helper()
	require.NoError(t, h.store.Set(context.Background(), "jing:"+testAppID, tok, 0))
}

func tokenBody(access, refresh string, expiresIn int) string {
	return `{"request_id":"6f843be20b21c5e18b9825616b85b424","code":0,"msg":"success","data":{"access_token":"` + access +
		`","refresh_token":"` + refresh + `","scope":"all","token_type":"bearer","expires_in":` + strconv.Itoa(expiresIn) + `},"timestamp":1722583035263}`
}

// recorded is one request seen by a responder.
type recorded struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   string
}

// recorder returns a responder that records each request and answers with
// the next body (the last one repeats).
func recorder(seen *[]recorded, status int, bodies ...string) httpmock.Responder {
	n := 0
	return func(r *http.Request) (*http.Response, error) {
		var b []byte
		if r.Body != nil {
			b, _ = io.ReadAll(r.Body)
		}
		*seen = append(*seen, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(b)})
		body := bodies[min(n, len(bodies)-1)]
		n++
		return httpmock.NewStringResponse(status, body), nil
	}
}

// newFakeClient builds a client on a jingtest server sharing its clock.
func newFakeClient(t *testing.T, srv *jingtest.Server, store jing.TokenStore, opts ...jing.Option) (*jing.Client, *testkit.Buffer) {
	t.Helper()
	l, logs := testkit.Logger()
	if store == nil {
		store = token.NewMemoryStore(srv.Clock.Now)
	}
	all := append([]jing.Option{
		jing.WithBaseURL(srv.URL),
		jing.WithClock(srv.Clock.Now),
		jing.WithLogger(l),
		jing.WithTokenStore(store),
		core.WithSleep((&testkit.Sleeper{}).Sleep),
	}, opts...)
	c, err := jing.New(srv.AppID, srv.AppSecret, all...)
	require.NoError(t, err)
	return c, logs
}

func newFake(t *testing.T, opts ...jingtest.Option) *jingtest.Server {
	t.Helper()
	srv := jingtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}
