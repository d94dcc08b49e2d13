package weiling_test

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/weiling"
)

const (
	testAppID  = "wloa4376fe67dc041d474a79513ed70ae3db"
	testSecret = "app-secret-s3cr3t-value"
	testToken  = "access-token-t0k3n-value"
	testBase   = "https://wl.test/prefix"
)

// harness is a client over an httpmock transport whose token endpoint
// answers testToken.
type harness struct {
	c       *weiling.Client
	tr      *httpmock.MockTransport
	logs    *testkit.Buffer
	sleeper *testkit.Sleeper
	tokenN  atomic.Int32

	mu    sync.Mutex
	calls []recorded
}

// recorded is one API request as the mock saw it.
type recorded struct {
	Method string
	Path   string
	Query  url.Values
	Body   string
	CT     string
}

func newHarness(t *testing.T, opts ...weiling.Option) *harness {
	t.Helper()
	tr := httpmock.NewMockTransport()
	logger, logs := testkit.Logger()
	h := &harness{tr: tr, logs: logs, sleeper: &testkit.Sleeper{}}
	tr.RegisterResponder(http.MethodGet, testBase+"/openapi/auth/access_token/get", func(r *http.Request) (*http.Response, error) {
		h.tokenN.Add(1)
		q := r.URL.Query()
		if q.Get("app_id") != testAppID || q.Get("app_secret") != testSecret {
			return httpmock.NewStringResponse(200, `{"code":501,"msg":"app_id或app_secret不合法,请检查配置"}`), nil
		}
		return httpmock.NewStringResponse(200, `{"code":0,"msg":"success","data":{"access_token":"`+testToken+`"}}`), nil
	})
	all := append([]weiling.Option{
		weiling.WithBaseURL(testBase),
		weiling.WithHTTPClient(&http.Client{Transport: tr}),
		weiling.WithLogger(logger),
		core.WithSleep(h.sleeper.Sleep),
		core.WithRand(func() float64 { return 0.5 }),
	}, opts...)
	c, err := weiling.New(testAppID, testSecret, all...)
	require.NoError(t, err)
	h.c = c
	t.Cleanup(func() { testkit.NoSecrets(t, logs.String(), testSecret, testToken) })
	return h
}

// on registers a responder for an API path (after /openapi/) that records
// the request, checks the token, and answers body.
func (h *harness) on(method, op string, bodies ...string) {
	n := atomic.Int32{}
	h.tr.RegisterResponder(method, testBase+"/openapi/"+op, func(r *http.Request) (*http.Response, error) {
		var b []byte
		if r.Body != nil {
			b, _ = io.ReadAll(r.Body)
		}
		h.mu.Lock()
		h.calls = append(h.calls, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: string(b), CT: r.Header.Get("Content-Type")})
		h.mu.Unlock()
		if r.URL.Query().Get("access_token") != testToken {
			return httpmock.NewStringResponse(200, `{"code":1007,"msg":"非法访问"}`), nil
		}
		i := int(n.Add(1)) - 1
		return httpmock.NewStringResponse(200, bodies[min(i, len(bodies)-1)]), nil
	})
}

// last returns the last API request recorded.
func (h *harness) last(t *testing.T) recorded {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	require.NotEmpty(t, h.calls, "no API request was sent")
	return h.calls[len(h.calls)-1]
}

func (h *harness) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.calls)
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// ok wraps data in a success envelope.
func ok(data string) string {
	if data == "" {
		return `{"code":0,"msg":"success"}`
	}
	return `{"code":0,"msg":"success","data":` + data + `}`
}

func httpmockBody(r *http.Request) (string, error) {
	if r.Body == nil {
		return "", nil
	}
	b, err := io.ReadAll(r.Body)
	return string(b), err
}
