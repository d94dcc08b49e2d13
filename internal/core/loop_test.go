package core

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/internal/token"
)

type ctxKey struct{}

func TestObserverSeesCallsAttemptsAndTokens(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	var n atomic.Int32
	tr.RegisterResponder("POST", `=~.*`, func(*http.Request) (*http.Response, error) {
		if n.Add(1) == 1 {
			resp := httpmock.NewStringResponse(503, "busy")
			resp.Header.Set("Retry-After", "2")
			return resp, nil
		}
		return httpmock.NewStringResponse(200, `{"code":0,"request_id":"r9","data":{}}`), nil
	})
	var mu sync.Mutex
	var events []string
	rec := func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() }
	first := Observer{
		CallStart: func(ctx context.Context, i CallInfo) context.Context {
			rec("start " + i.Op)
			return context.WithValue(ctx, ctxKey{}, "span")
		},
		Attempt: func(ctx context.Context, i AttemptInfo) {
			rec(fmt.Sprintf("attempt %d status %d retry %v wait %v reason %s ctx %v", i.Attempt, i.HTTPStatus, i.Retry, i.RetryWait, i.RetryReason, ctx.Value(ctxKey{})))
		},
		CallEnd: func(ctx context.Context, i CallInfo, err error) {
			rec(fmt.Sprintf("end %s attempts %d req %s err %v", i.Op, i.Attempts, i.RequestID, err))
		},
		Token: func(_ context.Context, i TokenInfo) { rec(fmt.Sprintf("token %s err %v", i.Vendor, i.Err)) },
	}
	second := Observer{CallEnd: func(context.Context, CallInfo, error) { rec("second end") }}
	h := newHarness(t, "https://api.test", hc, WithObserver(first), WithObserver(second))
	h.client.NewTokens("k", func(context.Context, token.Token, bool) (token.Token, error) {
		return token.Token{Value: "tok", ExpiresAt: time.Now().Add(time.Hour)}, nil
	})
	_, _, err := h.do(context.Background(), "list", false, `{}`)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"start list",
		"token testv err <nil>",
		"attempt 1 status 503 retry true wait 2s reason status ctx span",
		"attempt 2 status 200 retry false wait 0s reason  ctx span",
		"end list attempts 2 req r9 err <nil>",
		"second end",
	}, events)
}

func TestCancelledCallSendsNothingNotEvenATokenRequest(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	tr.RegisterResponder("POST", `=~.*`, httpmock.NewStringResponder(200, `{"code":0}`))
	h := newHarness(t, "https://api.test", hc)
	var fetches atomic.Int32
	h.client.NewTokens("k", func(context.Context, token.Token, bool) (token.Token, error) {
		fetches.Add(1)
		return token.Token{Value: "tok"}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := h.do(ctx, "op", true, `{}`)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrAmbiguous, "nothing was sent")
	assert.Zero(t, fetches.Load())
	assert.Zero(t, tr.GetTotalCallCount())
}

func TestDeadlineShorterThanRetryAfterReportsBoth(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	tr.RegisterResponder("POST", `=~.*`, func(*http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(503, "busy")
		resp.Header.Set("Retry-After", "1")
		return resp, nil
	})
	h := newHarness(t, "https://api.test", hc)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, _, err := h.do(ctx, "query", false, `{}`)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var api *APIError
	require.ErrorAs(t, err, &api, "the 503 that asked for the wait is kept")
	assert.Equal(t, 503, api.HTTPStatus)
	assert.Equal(t, 1, tr.GetTotalCallCount())
	assert.Empty(t, h.sleeper.Waits(), "no sleep that the deadline cannot cover")
}

// countingBody counts the bytes read from it.
type countingBody struct {
	r    io.Reader
	read *atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read.Add(int64(n))
	return n, err
}
func (c *countingBody) Close() error { return nil }

func TestOversizedContentLengthIsRefusedBeforeReading(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	var read atomic.Int64
	tr.RegisterResponder("POST", `=~.*`, func(*http.Request) (*http.Response, error) {
		body := `{"code":0,"data":"` + strings.Repeat("x", 4096) + `"}`
		return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: int64(len(body)),
			Body: &countingBody{r: strings.NewReader(body), read: &read}}, nil
	})
	h := newHarness(t, "https://api.test", hc, WithMaxResponseBytes(1024))
	_, _, err := h.do(context.Background(), "query", false, `{}`)
	require.ErrorIs(t, err, ErrBadResponse)
	require.ErrorIs(t, err, ErrResponseTooLarge)
	assert.Zero(t, read.Load(), "nothing read past the headers")
	assert.Equal(t, 1, tr.GetTotalCallCount(), "not retried")
}

func TestEncodedSecretsAreScrubbed(t *testing.T) {
	t.Parallel()
	const tok = "a+b/c=d==" // a base64-looking token: it travels query-escaped
	hc, tr := mockClient()
	tr.RegisterResponder("POST", `=~.*`, func(r *http.Request) (*http.Response, error) {
		// A gateway echoes the request URL (and the path-escaped form) back.
		return httpmock.NewStringResponse(200, `{"code":"9","msg":"bad url `+r.URL.String()+` `+url.PathEscape(tok)+` `+url.PathEscape(testSecret)+`"}`), nil
	})
	logger, logs := testkit.Logger()
	h := newHarness(t, "https://api.test", hc, WithLogger(logger))
	h.client.NewTokens("k", func(context.Context, token.Token, bool) (token.Token, error) {
		return token.Token{Value: tok}, nil
	})
	_, _, err := h.do(context.Background(), "op", false, `{}`)
	require.Error(t, err)
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), logs.String()} {
		testkit.NoSecrets(t, text, tok, url.QueryEscape(tok), url.PathEscape(tok), testSecret)
	}
}

func TestCreateIsRetriedAfterARateLimit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		first func() *http.Response
	}{
		{"HTTP 429", func() *http.Response { return httpmock.NewStringResponse(429, "slow down") }},
		{"rate-limit code", func() *http.Response { return httpmock.NewStringResponse(200, `{"code":7,"msg":"too fast"}`) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hc, tr := mockClient()
			var n atomic.Int32
			tr.RegisterResponder("POST", `=~.*`, func(*http.Request) (*http.Response, error) {
				if n.Add(1) == 1 {
					return tt.first(), nil
				}
				return httpmock.NewStringResponse(200, `{"code":0,"data":{"id":"1"}}`), nil
			})
			h := newHarness(t, "https://api.test", hc)
			res, data, err := h.do(context.Background(), "create", true, `{}`)
			require.NoError(t, err, "a throttled create was not applied: retry it")
			assert.Equal(t, 2, res.Attempts)
			assert.JSONEq(t, `{"id":"1"}`, data)
		})
	}
}

func TestRefusedReplacementTokenIsNotInvalidatedAgain(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	tr.RegisterResponder("POST", `=~.*`, httpmock.NewStringResponder(200, `{"code":40001,"msg":"no permission"}`))
	h := newHarness(t, "https://api.test", hc)
	var fetches atomic.Int32
	h.client.NewTokens("k", func(context.Context, token.Token, bool) (token.Token, error) {
		n := fetches.Add(1)
		return token.Token{Value: fmt.Sprintf("tok-%d", n), ExpiresAt: time.Now().Add(time.Hour)}, nil
	})
	for range 5 {
		_, _, err := h.do(context.Background(), "op", false, `{}`)
		require.ErrorIs(t, err, ErrInvalidToken)
	}
	assert.Equal(t, int32(2), fetches.Load(), "the first token and one replacement, however many calls")
	assert.Equal(t, 6, tr.GetTotalCallCount(), "one replay, then each call fails at once")
}

type secretHolder struct {
	Identity
	secret string
}

func TestIdentityNeverPrintsSecrets(t *testing.T) {
	t.Parallel()
	c := &secretHolder{Identity: Identity{Vendor: "testv", AppID: "app-1", BaseURL: "https://api.test"}, secret: "SUPERSECRETVALUE123"}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("client", "c", c)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("client", "c", c)
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s", c), fmt.Sprint(*c), buf.String()} {
		assert.NotContains(t, s, "SUPERSECRETVALUE123")
		assert.Contains(t, s, "app-1")
	}
}

func TestOptionScopes(t *testing.T) {
	t.Parallel()
	_, err := NewConfig("https://api.test", nil, []Option{WithDeduper(nopDeduper{})})
	assert.ErrorContains(t, err, "WithDeduper applies to callback handlers")
	_, err = NewHandlerConfig(nil, []Option{WithBaseURL("https://x.test")})
	assert.ErrorContains(t, err, "WithBaseURL applies to clients")
	cfg, err := NewHandlerConfig(nil, []Option{WithMaxBodyBytes(10), WithObserver(Observer{})})
	require.NoError(t, err)
	assert.Equal(t, int64(10), cfg.MaxBodyBytes)
	assert.Len(t, cfg.Observers, 1)
}

type nopDeduper struct{}

func (nopDeduper) Claim(context.Context, string) (ClaimState, error) { return ClaimNew, nil }
func (nopDeduper) Release(context.Context, string, bool) error       { return nil }

func TestAdaptiveLimiter(t *testing.T) {
	t.Parallel()
	l := NewAdaptiveLimiter(100, 1, nil)
	base := l.Rate()
	assert.InDelta(t, 98.5, base, 0.001, "paced a little under the configured rate")
	l.Throttled(0)
	assert.InDelta(t, base*0.8, l.Rate(), 0.001)
	for range 20 {
		l.Throttled(0)
	}
	assert.InDelta(t, base/10, l.Rate(), 0.001, "never below a tenth")
	for range 100 {
		l.Succeeded()
	}
	assert.InDelta(t, base, l.Rate(), 0.001, "recovers to the configured rate")
}

func TestClientsWithoutHTTPClientShareOneTransport(t *testing.T) {
	t.Parallel()
	a := NewClient(mustConfig(t), Vendor{Name: "a"}, "s")
	b := NewClient(mustConfig(t), Vendor{Name: "b"}, "s")
	assert.Same(t, sharedTransport, a.rc.GetClient().Transport)
	assert.Same(t, sharedTransport, b.rc.GetClient().Transport)
	hc, _ := mockClient()
	cfg, err := NewConfig("https://api.test", nil, []Option{WithHTTPClient(hc)})
	require.NoError(t, err)
	own := NewClient(cfg, Vendor{Name: "c"}, "s")
	assert.Same(t, hc.Transport, own.rc.GetClient().Transport)
}

func mustConfig(t *testing.T) *Config {
	t.Helper()
	cfg, err := NewConfig("https://api.test", nil, nil)
	require.NoError(t, err)
	return cfg
}

func TestGenericRules(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	var got []string
	var mu sync.Mutex
	tr.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
		var b []byte
		if r.Body != nil {
			b, _ = io.ReadAll(r.Body)
		}
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery+" "+string(b))
		mu.Unlock()
		return httpmock.NewStringResponse(200, `{"code":0,"data":{"n":12345678901234567890}}`), nil
	})
	h := newHarness(t, "https://api.test", hc)
	ctx := context.Background()
	var out map[string]any
	require.NoError(t, h.client.Generic(ctx, "", "/x/y?a=1", map[string]string{"k": "<v>"}, &out))
	assert.Equal(t, "12345678901234567890", fmt.Sprint(out["n"]), "19+ digit numbers kept exact")
	require.NoError(t, h.client.Generic(ctx, "get", "/x/z", nil, nil))
	require.NoError(t, h.client.Generic(ctx, "POST", "/raw", []byte(`[1,2]`), nil))
	for _, bad := range []struct {
		method, path string
		body         any
	}{
		{"POST", "x/y", nil}, {"POST", "https://evil.test/x", nil}, {"POST", "//evil.test/x", nil},
		{"POST", "/x", []byte("not json")}, {"GET", "/x", map[string]int{"a": 1}},
		{"PO ST", "/x", nil}, {"P0ST", "/x", nil}, {"POST", "/a/../b", nil}, {"POST", "/a b", nil}, {"POST", "/./b", nil},
	} {
		err := h.client.Generic(ctx, bad.method, bad.path, bad.body, nil)
		assert.ErrorIs(t, err, ErrInvalidParam, "%v", bad)
	}
	var notPointer map[string]any
	assert.ErrorIs(t, h.client.Generic(ctx, "POST", "/x", nil, notPointer), ErrInvalidParam, "out must be a pointer")
	assert.ErrorIs(t, h.client.Generic(ctx, "POST", "/x", nil, (*map[string]any)(nil)), ErrInvalidParam, "out must not be a nil pointer")
	err := h.client.Generic(ctx, "PO ST", "/k/"+testSecret, nil, nil)
	testkit.NoSecrets(t, err.Error(), testSecret)
	err = h.client.Generic(ctx, "POST", "/a/../"+testSecret, nil, nil)
	testkit.NoSecrets(t, err.Error(), testSecret)
	var nilClient *Client
	assert.Error(t, nilClient.Generic(ctx, "POST", "/x", nil, nil))
	require.Len(t, got, 3)
	assert.True(t, strings.HasPrefix(got[0], `POST /x/y/sig-1-`), got[0])
	assert.Contains(t, got[0], `a=1`)
	assert.True(t, strings.HasSuffix(got[0], ` {"k":"<v>"}`), "no HTML escaping: %s", got[0])
	assert.True(t, strings.HasPrefix(got[1], `GET /x/z/sig-1-`), got[1])
	assert.True(t, strings.HasSuffix(got[2], ` [1,2]`), "[]byte sent verbatim: %s", got[2])
	_ = errors.New
}

func TestCallEndCountsAttemptsOfAFailedCall(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	tr.RegisterResponder("POST", `=~.*`, httpmock.NewStringResponder(200, `{"code":3,"msg":"not found","request_id":"r1"}`))
	var got CallInfo
	h := newHarness(t, "https://api.test", hc, WithObserver(Observer{CallEnd: func(_ context.Context, i CallInfo, _ error) { got = i }}))
	_, _, err := h.do(context.Background(), "get", false, `{}`)
	require.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, 1, got.Attempts)
	assert.Equal(t, "r1", got.RequestID)
}

func TestBodyIsSentWithContentLength(t *testing.T) {
	t.Parallel()
	var got []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, fmt.Sprintf("%d %v %s", r.ContentLength, r.TransferEncoding, b))
		mu.Unlock()
		w.WriteHeader(503)
	}))
	defer srv.Close()
	h := newHarness(t, srv.URL, nil)
	_, _, err := h.do(context.Background(), "q", false, `{"a":"<&>"}`)
	require.Error(t, err)
	require.Len(t, got, 3, "retried with the same bytes")
	for _, g := range got {
		assert.Equal(t, `11 [] {"a":"<&>"}`, g, "Content-Length set, not chunked")
	}
}

type countingLimiter struct{ waits atomic.Int32 }

func (l *countingLimiter) Wait(context.Context) error { l.waits.Add(1); return nil }

func TestSharedLimiterBacksOffAfterAThrottle(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	var n atomic.Int32
	tr.RegisterResponder("POST", `=~.*`, func(*http.Request) (*http.Response, error) {
		if n.Add(1) == 1 {
			return httpmock.NewStringResponse(429, "slow down"), nil
		}
		return httpmock.NewStringResponse(200, `{"code":0}`), nil
	})
	shared := &countingLimiter{}
	h := newHarness(t, "https://api.test", hc, WithLimiter(shared))
	_, _, err := h.do(context.Background(), "create", true, `{}`)
	require.NoError(t, err, "a throttled create is retried")
	assert.Equal(t, int32(2), shared.waits.Load(), "every attempt asks the shared limiter")
	waits := h.sleeper.Waits()
	require.NotEmpty(t, waits)
	assert.Greater(t, waits[len(waits)-1], 40*time.Millisecond, "the client cools down (50 ms) before asking the shared limiter again")
}
