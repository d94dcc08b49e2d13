package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/internal/token"
)

const testSecret = "s3cr3t-app-key"

// testVendor speaks {"code":..,"msg":..,"data":..}; code 7 is a rate limit,
// code 40001 an invalid token.
type testEnvelope struct {
	Code json.Number `json:"code"`
	Msg  string      `json:"msg"`
	Data any         `json:"data"`
	Req  string      `json:"request_id"`
}

func (e *testEnvelope) Outcome() (Outcome, error) {
	if e.Code == "" {
		return Outcome{}, errors.New("no code")
	}
	return Outcome{OK: e.Code == "0", Code: string(e.Code), Message: e.Msg, RequestID: e.Req}, nil
}

var testVendor = Vendor{
	Name:     "testv",
	Envelope: func(out any) Envelope { return &testEnvelope{Data: Payload(out)} },
	Classify: func(code string) []error {
		switch code {
		case "7":
			return []error{ErrRateLimited}
		case "40001":
			return []error{ErrInvalidToken}
		case "3":
			return []error{ErrNotFound}
		case "500":
			return []error{ErrVendorBusy}
		}
		return nil
	},
	// Auth signs like waiqin365: a per-attempt signature appended to the
	// path and sent in a header; a token (when there is one) in the query.
	Auth: func(a *Attempt) error {
		if a.Token != "" {
			a.Query.Set("access_token", a.Token)
			return nil
		}
		if strings.Contains(a.Path, "badsign") {
			return InvalidParam("testv", "op", "bad")
		}
		sig := fmt.Sprintf("sig-%d-%s", a.N, testSecret)
		a.Path += "/" + sig
		a.Query.Set("n", fmt.Sprint(a.N))
		a.Header.Set("X-Sign", sig)
		a.Redact(sig)
		return nil
	},
}

type harness struct {
	client  *Client
	sleeper *testkit.Sleeper
	logs    *testkit.Buffer
}

func newHarness(t *testing.T, base string, hc *http.Client, opts ...Option) *harness {
	t.Helper()
	sl := &testkit.Sleeper{}
	logger, logs := testkit.Logger()
	all := append([]Option{WithBaseURL(base), WithSleep(sl.Sleep), WithRand(func() float64 { return 0.5 }), WithLogger(logger)}, opts...)
	if hc != nil {
		all = append(all, WithHTTPClient(hc))
	}
	cfg, err := NewConfig("https://example.invalid", nil, all)
	require.NoError(t, err)
	return &harness{client: NewClient(cfg, testVendor, testSecret), sleeper: sl, logs: logs}
}

func mockClient() (*http.Client, *httpmock.MockTransport) {
	tr := httpmock.NewMockTransport()
	return &http.Client{Transport: tr}, tr
}

// do runs one signed POST of the test vendor and returns the payload.
func (h *harness) do(ctx context.Context, op string, create bool, body string) (*Result, string, error) {
	var data json.RawMessage
	res, err := h.client.Call(ctx, Endpoint{Op: op, Path: "/v1/" + op, Create: create}, nil, []byte(body), &data)
	return res, string(data), err
}

func TestDoSignsEveryAttemptOverExactBody(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	var seen []string
	var n atomic.Int32
	tr.RegisterResponder("POST", `=~^https://api\.test/prefix/v1/query/`, func(r *http.Request) (*http.Response, error) {
		b := make([]byte, 64)
		k, _ := r.Body.Read(b)
		seen = append(seen, r.URL.Path+"?"+r.URL.RawQuery+" "+r.Header.Get("X-Sign")+" "+string(b[:k])+" "+r.Header.Get("Content-Type"))
		if n.Add(1) == 1 {
			return httpmock.NewStringResponse(503, "busy"), nil
		}
		return httpmock.NewStringResponse(200, `{"code":0,"data":{"x":1}}`), nil
	})
	h := newHarness(t, "https://api.test/prefix/", hc)
	res, data, err := h.do(context.Background(), "query", false, `{"a":"<&>"}`)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Attempts)
	assert.JSONEq(t, `{"x":1}`, data)
	require.Len(t, seen, 2)
	assert.Equal(t, "/prefix/v1/query/sig-1-"+testSecret+"?n=1 sig-1-"+testSecret+` {"a":"<&>"} application/json`, seen[0])
	assert.Equal(t, "/prefix/v1/query/sig-2-"+testSecret+"?n=2 sig-2-"+testSecret+` {"a":"<&>"} application/json`, seen[1])
	assert.Equal(t, []time.Duration{100 * time.Millisecond}, h.sleeper.Waits(), "full jitter: rand 0.5 of base 200ms")
	testkit.NoSecrets(t, h.logs.String(), testSecret, "sig-1-", "sig-2-")
}

func TestRetryMatrix(t *testing.T) {
	t.Parallel()
	type step struct {
		status int
		body   string
		header map[string]string
	}
	ok := step{200, `{"code":0,"data":null}`, nil}
	tests := []struct {
		name         string
		create       bool
		steps        []step
		wantErr      []error
		wantNotErr   []error
		wantAttempts int
		wantWaits    []time.Duration
		wantCode     string
	}{
		{name: "503 query retried", steps: []step{{503, "", nil}, ok}, wantAttempts: 2, wantWaits: []time.Duration{100 * time.Millisecond}},
		{name: "502 then 504 then ok", steps: []step{{502, "", nil}, {504, "", nil}, ok}, wantAttempts: 3, wantWaits: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}},
		{name: "503 exhausts attempts", steps: []step{{503, "", nil}, {503, "", nil}, {503, "", nil}}, wantErr: []error{}, wantNotErr: []error{ErrAmbiguous}, wantAttempts: 3},
		{name: "503 create ambiguous", create: true, steps: []step{{503, "", nil}}, wantErr: []error{ErrAmbiguous}, wantAttempts: 1},
		{name: "500 query not retried", steps: []step{{500, "", nil}}, wantErr: []error{}, wantNotErr: []error{ErrAmbiguous}, wantAttempts: 1},
		{name: "429 retry-after honoured", create: true, steps: []step{{429, "", map[string]string{"Retry-After": "2"}}, ok}, wantAttempts: 2, wantWaits: []time.Duration{2 * time.Second}},
		{name: "429 retry-after capped", steps: []step{{429, "", map[string]string{"Retry-After": "86400"}}, ok}, wantAttempts: 2, wantWaits: []time.Duration{DefaultMaxRetryAfter}},
		{name: "busy code retried on a query", steps: []step{{200, `{"code":500,"msg":"服务繁忙"}`, nil}, ok}, wantAttempts: 2},
		{name: "busy code on a create is ambiguous", create: true, steps: []step{{200, `{"code":500,"msg":"服务繁忙"}`, nil}}, wantErr: []error{ErrVendorBusy, ErrAmbiguous}, wantAttempts: 1, wantCode: "500"},
		{name: "rate-limit code retried", create: true, steps: []step{{200, `{"code":7,"msg":"slow down"}`, nil}, ok}, wantAttempts: 2},
		{name: "business error verbatim", steps: []step{{200, `{"code":"3","msg":"不存在","request_id":"r1"}`, nil}}, wantErr: []error{ErrNotFound}, wantAttempts: 1, wantCode: "3"},
		{name: "html page on query", steps: []step{{200, `<html>oops</html>`, nil}}, wantErr: []error{ErrBadResponse}, wantNotErr: []error{ErrAmbiguous}, wantAttempts: 1},
		{name: "empty body on create", create: true, steps: []step{{200, ``, nil}}, wantErr: []error{ErrBadResponse, ErrAmbiguous}, wantAttempts: 1},
		{name: "404 maps not found", steps: []step{{404, `nope`, nil}}, wantErr: []error{ErrNotFound}, wantAttempts: 1},
		{name: "code in 4xx body", steps: []step{{400, `{"code":3,"msg":"x"}`, nil}}, wantErr: []error{ErrNotFound, ErrInvalidParam}, wantAttempts: 1, wantCode: "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hc, tr := mockClient()
			var n atomic.Int32
			tr.RegisterResponder("POST", `=~.*`, func(r *http.Request) (*http.Response, error) {
				s := tt.steps[min(int(n.Add(1))-1, len(tt.steps)-1)]
				resp := httpmock.NewStringResponse(s.status, s.body)
				for k, v := range s.header {
					resp.Header.Set(k, v)
				}
				return resp, nil
			})
			h := newHarness(t, "https://api.test", hc)
			res, _, err := h.do(context.Background(), "op", tt.create, `{}`)
			assert.Equal(t, tt.wantAttempts, int(n.Load()), "attempts")
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.wantAttempts, res.Attempts)
			} else {
				require.Error(t, err)
				for _, e := range tt.wantErr {
					assert.ErrorIs(t, err, e)
				}
				for _, e := range tt.wantNotErr {
					assert.NotErrorIs(t, err, e)
				}
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, "testv", apiErr.Vendor)
				assert.Equal(t, "op", apiErr.Op)
				assert.Equal(t, tt.wantCode, apiErr.Code)
				testkit.NoSecrets(t, err.Error(), testSecret, "sig-")
			}
			if tt.wantWaits != nil {
				assert.Equal(t, tt.wantWaits, h.sleeper.Waits())
			}
			testkit.NoSecrets(t, h.logs.String(), testSecret, "sig-")
		})
	}
}

func TestBusinessErrorFields(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	tr.RegisterResponder("POST", `=~.*`, httpmock.NewStringResponder(200, `{"code":"3","msg":"不存在 sig-1-`+testSecret+`","request_id":"r1"}`))
	h := newHarness(t, "https://api.test", hc)
	_, _, err := h.do(context.Background(), "op", false, `{}`)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 200, apiErr.HTTPStatus)
	assert.Equal(t, "3", apiErr.Code)
	assert.Equal(t, "r1", apiErr.RequestID)
	assert.Equal(t, "不存在 [redacted]", apiErr.Message, "a vendor echoing a secret is scrubbed")
}

// realServer serves h on loopback and returns a client without retries of
// its own.
func realServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestResetAfterWriteOnCreateIsAmbiguous(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := realServer(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		fake.Reset(w)
	})
	h := newHarness(t, srv.URL, nil)
	_, _, err := h.do(context.Background(), "create", true, `{"name":"x"}`)
	require.ErrorIs(t, err, ErrAmbiguous)
	var ce *CallError
	require.ErrorAs(t, err, &ce)
	assert.True(t, ce.Ambiguous())
	assert.Equal(t, int32(1), n.Load(), "a create is never retried after the request was written")
	testkit.NoSecrets(t, err.Error(), testSecret, "sig-")
}

func TestResetOnQueryIsRetried(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := realServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			fake.Reset(w)
			return
		}
		_, _ = w.Write([]byte(`{"code":0}`))
	})
	h := newHarness(t, srv.URL, nil)
	res, _, err := h.do(context.Background(), "query", false, `{}`)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Attempts)
}

func TestConnectionRefusedCreateIsRetriedAndNotAmbiguous(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	h := newHarness(t, "http://"+addr, nil)
	_, _, err = h.do(context.Background(), "create", true, `{}`)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrAmbiguous, "the request never reached a server")
	var ce *CallError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 3, ce.Attempts)
	assert.Len(t, h.sleeper.Waits(), 2)
	testkit.NoSecrets(t, err.Error(), testSecret, "sig-")
	assert.NotContains(t, err.Error(), "/v1/create", "no URL in errors")
}

func TestTimeoutAfterWriteOnCreateIsAmbiguous(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := realServer(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	defer close(release)
	h := newHarness(t, srv.URL, nil, WithTimeout(50*time.Millisecond))
	_, _, err := h.do(context.Background(), "create", true, `{}`)
	require.ErrorIs(t, err, ErrAmbiguous)
}

func TestCancelledContextStopsAtOnce(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	tr.RegisterResponder("POST", `=~.*`, httpmock.NewStringResponder(503, ""))
	h := newHarness(t, "https://api.test", hc)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := h.do(ctx, "query", false, `{}`)
	require.ErrorIs(t, err, context.Canceled)
	assert.LessOrEqual(t, tr.GetTotalCallCount(), 1)
	assert.Empty(t, h.sleeper.Waits())
}

func TestRetryNeverSleepsPastDeadline(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	tr.RegisterResponder("POST", `=~.*`, func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(429, "")
		r.Header.Set("Retry-After", "30")
		return r, nil
	})
	h := newHarness(t, "https://api.test", hc)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _, err := h.do(ctx, "query", false, `{}`)
	require.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 1, tr.GetTotalCallCount())
	assert.Empty(t, h.sleeper.Waits(), "a 30s Retry-After cannot fit in a 5s deadline")
}

func TestMaxAttemptsOne(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	tr.RegisterResponder("POST", `=~.*`, httpmock.NewStringResponder(503, ""))
	h := newHarness(t, "https://api.test", hc, WithMaxAttempts(1))
	_, _, err := h.do(context.Background(), "query", false, `{}`)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.HTTPStatus)
	assert.Equal(t, 1, tr.GetTotalCallCount())
}

func TestSignErrorStopsBeforeNetwork(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	h := newHarness(t, "https://api.test", hc)
	_, _, err := h.do(context.Background(), "badsign", false, `{}`)
	require.ErrorIs(t, err, ErrInvalidParam)
	assert.Equal(t, 0, tr.GetTotalCallCount())
}

func TestInvalidTokenRefreshesOnceForAllAndReplays(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	var fetches atomic.Int32
	var mu sync.Mutex
	current := "tok-1"
	tr.RegisterResponder("POST", `=~.*`, func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Query().Get("access_token") != current {
			return httpmock.NewStringResponse(200, `{"code":40001,"msg":"invalid token"}`), nil
		}
		return httpmock.NewStringResponse(200, `{"code":0}`), nil
	})
	store := token.NewMemoryStore(nil)
	require.NoError(t, store.Set(context.Background(), "k", token.Token{Value: "stale", ExpiresAt: time.Now().Add(time.Hour)}, time.Hour))
	h := newHarness(t, "https://api.test", hc, WithTokenStore(store))
	h.client.NewTokens("k", func(ctx context.Context, _ token.Token, _ bool) (token.Token, error) {
		fetches.Add(1)
		time.Sleep(10 * time.Millisecond) // widen the window for concurrent failures
		return token.Token{Value: "tok-1", ExpiresAt: time.Now().Add(time.Hour)}, nil
	})
	const callers = 50
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := h.do(context.Background(), "x", false, `{}`)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), fetches.Load(), "one refresh for all concurrent invalid-token failures")
	assert.LessOrEqual(t, tr.GetTotalCallCount(), 2*callers, "each call replays at most once")
	testkit.NoSecrets(t, h.logs.String(), "tok-1", "stale")
}

func TestTokenNeverInTransportErrors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	h := newHarness(t, "http://"+addr, nil, WithMaxAttempts(1))
	h.client.NewTokens("k", func(context.Context, token.Token, bool) (token.Token, error) {
		return token.Token{Value: "secret-token-value"}, nil
	})
	_, err = h.client.Call(context.Background(), Endpoint{Op: "op", Method: "GET", Path: "/x"}, nil, nil, nil)
	require.Error(t, err)
	testkit.NoSecrets(t, err.Error(), "secret-token-value")
	testkit.NoSecrets(t, h.logs.String(), "secret-token-value")
}

func TestRateLimiterPacesAttempts(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	tr.RegisterResponder("POST", `=~.*`, httpmock.NewStringResponder(200, `{"code":0}`))
	h := newHarness(t, "https://api.test", hc, WithRateLimit(1, 1))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, _, err := h.do(ctx, "op", false, `{}`)
	require.NoError(t, err, "the first call uses the burst")
	_, _, err = h.do(ctx, "op", false, `{}`)
	require.Error(t, err, "the second would wait 1s, past the deadline")
	assert.Equal(t, 1, tr.GetTotalCallCount())
}

func TestNewConfigValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
		ok   bool
	}{
		{"default", nil, true},
		{"loopback http", []Option{WithBaseURL("http://127.0.0.1:8080/w")}, true},
		{"localhost http", []Option{WithBaseURL("http://localhost:1")}, true},
		{"ipv6 loopback", []Option{WithBaseURL("http://[::1]:1")}, true},
		{"remote http", []Option{WithBaseURL("http://api.example.com")}, false},
		{"no scheme", []Option{WithBaseURL("api.example.com")}, false},
		{"garbage", []Option{WithBaseURL("::%%")}, false},
		{"query", []Option{WithBaseURL("https://a.b/?x=1")}, false},
		{"userinfo", []Option{WithBaseURL("https://u:p@a.b/")}, false},
		{"attempts 0", []Option{WithMaxAttempts(0)}, false},
		{"timeout 0", []Option{WithTimeout(0)}, false},
		{"rate 0", []Option{WithRateLimit(0, 1)}, false},
		{"nil http client", []Option{WithHTTPClient(nil)}, false},
		{"nil store", []Option{WithTokenStore(nil)}, false},
		{"other vendor option", []Option{VendorOption("WithX", func(*struct{ X int }) error { return nil })}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewConfig("https://api.example.com", &struct{ Y int }{}, tt.opts)
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func TestHTTPClientNotMutated(t *testing.T) {
	t.Parallel()
	hc := &http.Client{Timeout: time.Hour}
	cfg, err := NewConfig("https://a.b", nil, []Option{WithHTTPClient(hc), WithTimeout(time.Second)})
	require.NoError(t, err)
	NewClient(cfg, testVendor)
	assert.Equal(t, time.Hour, hc.Timeout)
}

func TestBackoffIsCappedFullJitter(t *testing.T) {
	t.Parallel()
	cfg, err := NewConfig("https://a.b", nil, []Option{WithRand(func() float64 { return 0.999999 })})
	require.NoError(t, err)
	c := NewClient(cfg, testVendor)
	for attempt := 1; attempt < 30; attempt++ {
		d := c.Backoff(attempt, 0)
		assert.LessOrEqual(t, d, DefaultMaxDelay)
	}
	assert.Equal(t, 3*time.Second, c.Backoff(1, 3*time.Second))
	assert.True(t, strings.HasPrefix(fmt.Sprint(ParseRetryAfter("Wed, 21 Oct 2099 07:28:00 GMT", time.Now()) > 0), "true"))
	assert.Zero(t, ParseRetryAfter("-1", time.Now()))
	assert.Zero(t, ParseRetryAfter("soon", time.Now()))
}

func TestRetryQuota(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		quota int
		// attempts seen at the server for three calls that always get 503
		want []int
	}{
		{"quota of two retries: the first call spends it, later calls fail fast", 10, []int{3, 1, 1}},
		{"quota off", 0, []int{3, 3, 3}},
		{"default quota is ample for a few failures", DefaultRetryQuota, []int{3, 3, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hc, tr := mockClient()
			tr.RegisterResponder("POST", `=~.*`, httpmock.NewStringResponder(503, ""))
			h := newHarness(t, "https://api.test", hc, WithRetryQuota(tt.quota))
			for i, want := range tt.want {
				before := tr.GetTotalCallCount()
				_, _, err := h.do(context.Background(), "query", false, `{}`)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr, "call %d", i)
				assert.Equal(t, 503, apiErr.HTTPStatus)
				assert.Equal(t, want, tr.GetTotalCallCount()-before, "attempts of call %d", i)
			}
		})
	}
}

func TestRetryQuotaRefundedBySuccess(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	var n atomic.Int32
	tr.RegisterResponder("POST", `=~.*`, func(*http.Request) (*http.Response, error) {
		if n.Add(1)%2 == 1 {
			return httpmock.NewStringResponse(503, ""), nil
		}
		return httpmock.NewStringResponse(200, `{"code":0}`), nil
	})
	h := newHarness(t, "https://api.test", hc, WithRetryQuota(retryCost))
	for i := range 5 { // each call needs one retry; the quota holds exactly one
		res, _, err := h.do(context.Background(), "query", false, `{}`)
		require.NoError(t, err, "call %d: a success after a retry returns its cost", i)
		assert.Equal(t, 2, res.Attempts)
	}
	assert.Equal(t, retryCost, h.client.quota.Left())
}

func TestSuccessStandsWhenContextEndsRightAfter(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr.RegisterResponder("POST", `=~.*`, func(*http.Request) (*http.Response, error) {
		cancel() // the caller gives up while the answer is on its way
		return httpmock.NewStringResponse(200, `{"code":0,"data":{"id":"7"}}`), nil
	})
	h := newHarness(t, "https://api.test", hc)
	_, data, err := h.do(ctx, "create", true, `{}`)
	require.NoError(t, err, "the create happened: report it, do not invite a duplicate")
	assert.JSONEq(t, `{"id":"7"}`, data)
}

// Left reports the tokens left in the quota (tests).
func (q *retryQuota) Left() int {
	if q == nil {
		return -1
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.left
}
