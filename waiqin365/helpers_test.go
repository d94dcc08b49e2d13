package waiqin365_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/waiqin365"
)

const (
	testOpenID = "5465103569540931532"
	testAppKey = "BFCO0PAgIUgd50c0l6"
	// fixedTS is fixedNow as the request timestamp.
	fixedTS = "20250403101500"
	// okWrite is the documented write answer.
	okWrite = `{"return_code":"0","return_msg":null,"msg_id":"90b4b267dd3d49aeace879038b1e7291","response_data":null}`
)

var fixedNow = time.Date(2025, 4, 3, 10, 15, 0, 0, waiqin365.CST)

// captured is one request seen by the mock transport, with its signed path
// taken apart.
type captured struct {
	Method, Path, ContentType        string
	Module, Version, Op              string
	OpenID, Timestamp, Digest, MsgID string
	Body                             []byte
}

var pathRE = regexp.MustCompile(`^/api/([^/]+)/([^/]+)/([^/]+)/([^/]+)/([^/]+)/([^/]+)/([^/]+)$`)

// step is one canned answer; the last one repeats.
type step struct {
	status int
	body   string
}

type harness struct {
	c       *waiqin365.Client
	tr      *httpmock.MockTransport
	sleeper *testkit.Sleeper
	logs    *testkit.Buffer

	mu   sync.Mutex
	reqs []captured
}

// newHarness returns a client on a mock transport answering steps in turn,
// with a fixed clock, instant sleeps and a capturing logger.
func newHarness(t *testing.T, steps []step, opts ...waiqin365.Option) *harness {
	t.Helper()
	h := &harness{tr: httpmock.NewMockTransport(), sleeper: &testkit.Sleeper{}}
	logger, logs := testkit.Logger()
	h.logs = logs
	n := 0
	h.tr.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		body, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		c := captured{Method: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), Body: body}
		if m := pathRE.FindStringSubmatch(r.URL.Path); m != nil {
			c.Module, c.Version, c.Op, c.OpenID, c.Timestamp, c.Digest, c.MsgID = m[1], m[2], m[3], m[4], m[5], m[6], m[7]
		}
		h.mu.Lock()
		h.reqs = append(h.reqs, c)
		s := steps[min(n, len(steps)-1)]
		n++
		h.mu.Unlock()
		resp := httpmock.NewStringResponse(s.status, s.body)
		resp.Header.Set("Content-Type", "application/json;charset=UTF-8")
		return resp, nil
	})
	all := append([]waiqin365.Option{
		waiqin365.WithHTTPClient(&http.Client{Transport: h.tr}),
		waiqin365.WithLogger(logger),
		core.WithClock(func() time.Time { return fixedNow }),
		core.WithSleep(h.sleeper.Sleep),
		core.WithRand(func() float64 { return 0.5 }),
	}, opts...)
	c, err := waiqin365.New(testOpenID, testAppKey, all...)
	require.NoError(t, err)
	h.c = c
	return h
}

func (h *harness) requests() []captured {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]captured(nil), h.reqs...)
}

// checkSigned verifies a request the way the vendor does, with an
// independent MD5 over the captured bytes.
func checkSigned(t *testing.T, c captured, op string) {
	t.Helper()
	assert.Equal(t, http.MethodPost, c.Method)
	assert.Equal(t, "application/json", c.ContentType)
	require.NotEmpty(t, c.Module, "path %q does not have the 7 documented segments", c.Path)
	assert.Equal(t, "salesleads", c.Module)
	assert.Equal(t, "v1", c.Version)
	assert.Equal(t, op, c.Op)
	assert.Equal(t, testOpenID, c.OpenID)
	assert.Equal(t, fixedTS, c.Timestamp)
	sum := md5.Sum([]byte(string(c.Body) + "|" + testAppKey + "|" + c.Timestamp))
	assert.Equal(t, hex.EncodeToString(sum[:]), c.Digest, "digest over the exact bytes sent")
	assert.Regexp(t, `^[0-9a-f]{32}$`, c.MsgID)
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return b
}

// queryAnswer is the documented query answer with rows as a JSON string.
func queryAnswer(t testing.TB, rows []byte) string {
	t.Helper()
	var compact bytes.Buffer
	require.NoError(t, json.Compact(&compact, rows))
	quoted, err := json.Marshal(compact.String())
	require.NoError(t, err)
	tmpl := string(fixture(t, "query_response_template.json"))
	return strings.Replace(tmpl, `"<<DATA>>"`, string(quoted), 1)
}

// secretsIn lists the values that must never leak for the harness's
// requests: the app key and every digest sent.
func (h *harness) secrets() []string {
	out := []string{testAppKey}
	for _, r := range h.requests() {
		out = append(out, r.Digest)
	}
	return out
}

var ctx = context.Background()
