package v3clue

import (
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/testkit"
)

const (
	testAppID  = "tm-app-001"
	testAppKey = "k3y-secret-9f8e7d6c"
	testBase   = "https://tm.test/apiServer"
)

// t0 is 1700000000000 ms.
var t0 = time.UnixMilli(1700000000000)

// stepClock returns t0, t0+1s, t0+2s... one step per reading.
type stepClock struct {
	mu sync.Mutex
	n  int
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := t0.Add(time.Duration(c.n) * time.Second)
	c.n++
	return t
}

// captured is one request as the mock transport saw it.
type captured struct {
	Method string
	Path   string
	Query  string      // raw query
	Header http.Header // keys exactly as sent
	Body   []byte
}

// header returns the value under the exact (case-sensitive) key.
func (c captured) header(k string) string {
	if v := c.Header[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

type harness struct {
	c       *Client
	tr      *httpmock.MockTransport
	sleeper *testkit.Sleeper
	logs    *testkit.Buffer

	mu  sync.Mutex
	got []captured
}

func newHarness(t *testing.T, opts ...Option) *harness {
	t.Helper()
	h := &harness{tr: httpmock.NewMockTransport(), sleeper: &testkit.Sleeper{}}
	logger, logs := testkit.Logger()
	h.logs = logs
	clock := &stepClock{}
	all := append([]Option{
		WithBaseURL(testBase),
		WithHTTPClient(&http.Client{Transport: h.tr}),
		WithLogger(logger),
		core.WithSleep(h.sleeper.Sleep),
		core.WithRand(func() float64 { return 0.5 }),
		core.WithClock(clock.Now),
	}, opts...)
	c, err := New(testAppID, testAppKey, all...)
	require.NoError(t, err)
	h.c = c
	return h
}

// respond registers a responder for every request that records it and
// answers the steps in order (the last one repeats).
func (h *harness) respond(steps ...func() *http.Response) {
	var n int
	next := h.record(func() *http.Response {
		s := steps[min(n, len(steps)-1)]
		n++
		return s()
	})
	h.tr.RegisterResponder(http.MethodPost, `=~.*`, next)
	h.tr.RegisterResponder(http.MethodGet, `=~.*`, next)
}

func (h *harness) record(next func() *http.Response) httpmock.Responder {
	return func(r *http.Request) (*http.Response, error) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
		}
		h.mu.Lock()
		h.got = append(h.got, captured{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		resp := next()
		h.mu.Unlock()
		return resp, nil
	}
}

func (h *harness) requests() []captured {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]captured(nil), h.got...)
}

// signs returns every sign header sent, for the secret scan.
func (h *harness) signs() []string {
	var out []string
	for _, r := range h.requests() {
		out = append(out, r.header("sign"))
	}
	return out
}

// noSecrets scans text for the app key and every signature sent.
func (h *harness) noSecrets(t *testing.T, text string) {
	t.Helper()
	testkit.NoSecrets(t, text, append([]string{testAppKey}, h.signs()...)...)
}

func jsonResp(status int, body string) func() *http.Response {
	return func() *http.Response {
		r := httpmock.NewStringResponse(status, body)
		r.Header.Set("Content-Type", "application/json")
		return r
	}
}
