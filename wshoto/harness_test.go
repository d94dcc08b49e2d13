package wshoto

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/testkit"
)

const (
	testBase   = "https://api.test/prefix"
	testAppID  = "app-test-id"
	testSecret = "app-secret-S3CR3T-value"
	testToken  = "tok-VALUE-0123456789abcdef"
)

// harness is a client wired to a per-test httpmock transport. The token
// endpoint answers testToken (create_at = now, expires_in 7200) and counts
// its calls.
type harness struct {
	c       *Client
	tr      *httpmock.MockTransport
	logs    *testkit.Buffer
	sleeper *testkit.Sleeper

	tokenCalls atomic.Int32
	mu         sync.Mutex
	tokenBody  func() string // optional override of the token answer
	tokenReqs  []seen
}

func newHarness(t *testing.T, opts ...Option) *harness {
	t.Helper()
	h := &harness{tr: httpmock.NewMockTransport(), sleeper: &testkit.Sleeper{}}
	l, buf := testkit.Logger()
	h.logs = buf
	h.tr.RegisterRegexpResponder(http.MethodGet, mustRegexp(`^https://api\.test/prefix/openapi/access_token`), func(r *http.Request) (*http.Response, error) {
		h.tokenCalls.Add(1)
		q := r.URL.Query()
		h.mu.Lock()
		h.tokenReqs = append(h.tokenReqs, seen{Method: r.Method, Path: r.URL.Path, Query: q})
		h.mu.Unlock()
		if q.Get("appid") != testAppID || q.Get("app_secret") != testSecret {
			return httpmock.NewStringResponse(200, `{"code":20001,"msg":"bad credentials"}`), nil
		}
		h.mu.Lock()
		f := h.tokenBody
		h.mu.Unlock()
		if f != nil {
			return httpmock.NewStringResponse(200, f()), nil
		}
		return httpmock.NewStringResponse(200, tokenJSON(testToken, 7200, time.Now().Unix())), nil
	})
	all := append([]Option{
		WithBaseURL(testBase),
		WithHTTPClient(&http.Client{Transport: h.tr}),
		WithLogger(l),
		core.WithSleep(h.sleeper.Sleep),
		core.WithRand(func() float64 { return 0.5 }),
	}, opts...)
	c, err := New(testAppID, testSecret, all...)
	require.NoError(t, err)
	h.c = c
	t.Cleanup(func() {
		testkit.NoSecrets(t, h.logs.String(), testSecret, testToken)
	})
	return h
}

func tokenJSON(tok string, expiresIn, createAt int64) string {
	b, _ := json.Marshal(map[string]any{"code": 0, "msg": "ok", "data": map[string]any{"access_token": tok, "expires_in": expiresIn, "create_at": createAt}})
	return string(b)
}

// seen is one request as the mock saw it.
type seen struct {
	Method, Path, Token, ContentType string
	Query                            url.Values
	Body                             string
}

// recorder registers a POST responder for path that records requests and
// answers with resp.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

func (rec *recorder) all() []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seen(nil), rec.reqs...)
}

func (h *harness) on(method, path string, answer func(s seen) (int, string)) *recorder {
	rec := &recorder{}
	h.tr.RegisterRegexpResponder(method, mustRegexp(`^https://api\.test/prefix`+regexpQuote(path)+`(\?|$)`), func(r *http.Request) (*http.Response, error) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
		}
		s := seen{Method: r.Method, Path: r.URL.Path, Token: r.URL.Query().Get("access_token"), ContentType: r.Header.Get("Content-Type"), Query: r.URL.Query(), Body: string(body)}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, s)
		rec.mu.Unlock()
		status, resp := answer(s)
		return httpmock.NewStringResponse(status, resp), nil
	})
	return rec
}

// reply registers a POST responder answering resp with HTTP 200.
func (h *harness) reply(path, resp string) *recorder {
	return h.on(http.MethodPost, path, func(seen) (int, string) { return 200, resp })
}

// checkOne asserts exactly one POST with the token and the exact body.
func checkOne(t *testing.T, rec *recorder, path, wantBody string) {
	t.Helper()
	reqs := rec.all()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/prefix"+path, r.Path)
	assert.Equal(t, testToken, r.Token)
	assert.Equal(t, []string{testToken}, r.Query["access_token"], "access_token is the only query parameter")
	assert.Len(t, r.Query, 1)
	assert.Equal(t, "application/json", r.ContentType)
	assert.Equal(t, wantBody, r.Body, "exact body")
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

func regexpQuote(s string) string {
	r := strings.NewReplacer(".", `\.`, "/", `/`, "?", `\?`, "+", `\+`)
	return r.Replace(s)
}

// ctx returns a test context with a generous deadline (never reached).
func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func mustRegexp(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// decodeEnvelope decodes body as the transport does, in one pass, with the
// payload into a json.RawMessage: a type mismatch does not stop the
// decoding (the outcome is still read), any other error does.
func decodeEnvelope(body []byte) (core.Outcome, json.RawMessage, error) {
	var data json.RawMessage
	env := newEnvelope(&data)
	if err := json.Unmarshal(body, env); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return core.Outcome{}, nil, err
		}
	}
	o, err := env.Outcome()
	return o, data, err
}

// withNoSleep makes retries instant.
func withNoSleep() Option { return core.WithSleep((&testkit.Sleeper{}).Sleep) }
