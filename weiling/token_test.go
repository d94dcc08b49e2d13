package weiling_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/weiling"
)

func TestAccessTokenRequest(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tok, err := h.c.AccessToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, testToken, tok)
	info := h.tr.GetCallCountInfo()
	assert.Equal(t, 1, info["GET "+testBase+"/openapi/auth/access_token/get"])
	// Cached.
	_, err = h.c.AccessToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int32(1), h.tokenN.Load())
}

func TestTokenLifetime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		data      string
		opts      []weiling.Option
		stillAt   time.Duration // token still cached at this age
		refetchAt time.Duration // refetched at this age
	}{
		{"no expires_in: 2 hours", `{"access_token":"T"}`, nil, 114 * time.Minute, 116 * time.Minute},
		{"expires_in seconds", `{"access_token":"T","expires_in":3600}`, nil, 54 * time.Minute, 56 * time.Minute},
		{"expires_in as string", `{"access_token":"T","expires_in":"600"}`, nil, 7 * time.Minute, 9 * time.Minute},
		{"unreadable expires_in", `{"access_token":"T","expires_in":"soon"}`, nil, 114 * time.Minute, 116 * time.Minute},
		{"custom lifetime", `{"access_token":"T"}`, []weiling.Option{weiling.WithTokenLifetime(time.Hour)}, 54 * time.Minute, 56 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := fake.NewClock()
			tr := httpmock.NewMockTransport()
			var n atomic.Int32
			tr.RegisterResponder(http.MethodGet, `=~/openapi/auth/access_token/get`, func(*http.Request) (*http.Response, error) {
				n.Add(1)
				return httpmock.NewStringResponse(200, `{"code":0,"data":`+tt.data+`}`), nil
			})
			opts := append([]weiling.Option{weiling.WithBaseURL(testBase), weiling.WithHTTPClient(&http.Client{Transport: tr}), weiling.WithClock(clock.Now)}, tt.opts...)
			c, err := weiling.New(testAppID, testSecret, opts...)
			require.NoError(t, err)
			_, err = c.AccessToken(context.Background())
			require.NoError(t, err)
			clock.Advance(tt.stillAt)
			_, err = c.AccessToken(context.Background())
			require.NoError(t, err)
			assert.Equal(t, int32(1), n.Load(), "still fresh")
			clock.Advance(tt.refetchAt - tt.stillAt)
			_, err = c.AccessToken(context.Background())
			require.NoError(t, err)
			assert.Equal(t, int32(2), n.Load(), "refreshed before expiry")
		})
	}
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr []error
		code    string
	}{
		{"bad credentials", 200, `{"code":501,"msg":"app_id或app_secret不合法,请检查配置"}`, []error{weiling.ErrPermission}, "501"},
		{"param name", 200, `{"code":"1001","msg":"不合法的参数"}`, []error{weiling.ErrInvalidParam}, "1001"},
		{"no token", 200, `{"code":0,"data":{}}`, []error{weiling.ErrBadResponse}, "0"},
		{"no data", 200, `{"code":0}`, []error{weiling.ErrBadResponse}, "0"},
		{"html", 200, `<html>502</html>`, []error{weiling.ErrBadResponse}, ""},
		{"http 403", 403, `forbidden`, []error{weiling.ErrPermission}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := httpmock.NewMockTransport()
			tr.RegisterResponder(http.MethodGet, `=~.*`, httpmock.NewStringResponder(tt.status, tt.body))
			logger, logs := testkit.Logger()
			c, err := weiling.New(testAppID, testSecret, weiling.WithBaseURL(testBase), weiling.WithHTTPClient(&http.Client{Transport: tr}), weiling.WithLogger(logger))
			require.NoError(t, err)
			_, err = c.AccessToken(context.Background())
			require.Error(t, err)
			for _, e := range tt.wantErr {
				assert.ErrorIs(t, err, e)
			}
			var apiErr *weiling.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, weiling.TokenOp, apiErr.Op)
			testkit.NoSecrets(t, err.Error(), testSecret)
			testkit.NoSecrets(t, logs.String(), testSecret)
		})
	}
}

func TestTokenStoreKey(t *testing.T) {
	t.Parallel()
	store := weiling.NewMemoryTokenStore(nil)
	require.NoError(t, store.Set(context.Background(), "weiling:"+testAppID, weiling.Token{Value: "from-store", ExpiresAt: time.Now().Add(time.Hour)}, time.Hour))
	h := newHarness(t, weiling.WithTokenStore(store))
	tok, err := h.c.AccessToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "from-store", tok)
	assert.Zero(t, h.tokenN.Load())
}

func TestColdCacheOneTokenRequest(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, "contact/batch", ok(`{"contact_list":[]}`))
	const n = 200
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := h.c.BatchGetContacts(context.Background(), &weiling.BatchGetContactsRequest{ContactIDs: []string{"x"}})
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), h.tokenN.Load(), "exactly one token request for 200 callers on a cold cache")
	assert.Equal(t, n, h.count())
}

// TestInvalidTokenRefreshOnceReplayEach: N calls all fail with the stale
// cached token (1007 or 403); together they cause one token request and
// each call is replayed exactly once.
func TestInvalidTokenRefreshOnceReplayEach(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"1007", "403"} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			const n = 40
			store := weiling.NewMemoryTokenStore(nil)
			require.NoError(t, store.Set(context.Background(), "weiling:"+testAppID, weiling.Token{Value: "stale-token", ExpiresAt: time.Now().Add(time.Hour)}, time.Hour))
			h := newHarness(t, weiling.WithTokenStore(store))
			var stale atomic.Int32
			allFailed := make(chan struct{})
			var perCaller sync.Map // contact id -> *atomic.Int32
			h.tr.RegisterResponder(http.MethodPost, testBase+"/openapi/contact/batch", func(r *http.Request) (*http.Response, error) {
				body, _ := httpmockBody(r)
				v, _ := perCaller.LoadOrStore(body, new(atomic.Int32))
				v.(*atomic.Int32).Add(1)
				if r.URL.Query().Get("access_token") == "stale-token" {
					if stale.Add(1) == n {
						close(allFailed)
					}
					select { // hold every stale answer until all N have failed
					case <-allFailed:
					case <-time.After(10 * time.Second):
					}
					return httpmock.NewStringResponse(200, `{"code":`+code+`,"msg":"无访问权限"}`), nil
				}
				return httpmock.NewStringResponse(200, ok(`{"contact_list":[]}`)), nil
			})
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := h.c.BatchGetContacts(context.Background(), &weiling.BatchGetContactsRequest{ContactIDs: []string{"c" + strings.Repeat("x", i)}})
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			assert.Equal(t, int32(1), h.tokenN.Load(), "one refresh for all")
			calls := 0
			perCaller.Range(func(_, v any) bool {
				assert.Equal(t, int32(2), v.(*atomic.Int32).Load(), "one failure and one replay per call")
				calls++
				return true
			})
			assert.Equal(t, n, calls)
			testkit.NoSecrets(t, h.logs.String(), "stale-token")
		})
	}
}

func TestInvalidTokenReplayedOnlyOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// 1007 even for a fresh token: after one refresh and one replay the
	// error is returned.
	h.tr.RegisterResponder(http.MethodPost, testBase+"/openapi/contact/batch", httpmock.NewStringResponder(200, `{"code":1007,"msg":"非法访问"}`))
	_, err := h.c.BatchGetContacts(context.Background(), &weiling.BatchGetContactsRequest{ContactIDs: []string{"x"}})
	require.ErrorIs(t, err, weiling.ErrInvalidToken)
	var apiErr *weiling.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "1007", apiErr.Code)
	assert.Equal(t, 2, h.tr.GetCallCountInfo()["POST "+testBase+"/openapi/contact/batch"])
	assert.Equal(t, int32(2), h.tokenN.Load())
}

func TestTokenFetchErrorSurfacesOnCalls(t *testing.T) {
	t.Parallel()
	tr := httpmock.NewMockTransport()
	tr.RegisterResponder(http.MethodGet, `=~access_token/get`, httpmock.NewStringResponder(200, `{"code":501,"msg":"app_id或app_secret不合法"}`))
	c, err := weiling.New(testAppID, "wrong-secret", weiling.WithBaseURL(testBase), weiling.WithHTTPClient(&http.Client{Transport: tr}), core.WithSleep((&testkit.Sleeper{}).Sleep))
	require.NoError(t, err)
	_, err = c.BatchGetContacts(context.Background(), &weiling.BatchGetContactsRequest{ContactIDs: []string{"x"}})
	require.ErrorIs(t, err, weiling.ErrPermission)
	testkit.NoSecrets(t, err.Error(), "wrong-secret")
	assert.Equal(t, 0, tr.GetCallCountInfo()["POST "+testBase+"/openapi/contact/batch"])
}

// TestAlwaysInvalidTokenCostsAtMostOneRefresh: an endpoint that refuses
// every token (the code then means "no permission") costs at most one extra
// token request however many calls hit it; each call fails with
// ErrInvalidToken and its code verbatim.
func TestAlwaysInvalidTokenCostsAtMostOneRefresh(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"1007", "403"} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.tr.RegisterResponder(http.MethodPost, testBase+"/openapi/contact/batch", httpmock.NewStringResponder(200, `{"code":`+code+`,"msg":"无访问权限"}`))
			for i := range 5 {
				_, err := h.c.BatchGetContacts(context.Background(), &weiling.BatchGetContactsRequest{ContactIDs: []string{"x"}})
				require.ErrorIs(t, err, weiling.ErrInvalidToken, "call %d", i)
				var apiErr *weiling.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, code, apiErr.Code)
			}
			assert.LessOrEqual(t, h.tokenN.Load(), int32(2), "token requests for 5 calls")
			assert.Equal(t, 6, h.tr.GetCallCountInfo()["POST "+testBase+"/openapi/contact/batch"], "one replay, on the first call only")
		})
	}
}

// TestCancelledContextSendsNothing: a call whose context is already done,
// on a client with no token yet, sends nothing, not even a token request.
func TestCancelledContextSendsNothing(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := []struct {
		name string
		call func(c *weiling.Client) error
	}{
		{"BatchGetContacts", func(c *weiling.Client) error {
			_, err := c.BatchGetContacts(ctx, &weiling.BatchGetContactsRequest{ContactIDs: []string{"x"}})
			return err
		}},
		{"CreateContact", func(c *weiling.Client) error {
			_, err := c.CreateContact(ctx, &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactClaimed)})
			return err
		}},
		{"ListContacts", func(c *weiling.Client) error {
			_, err := c.ListContacts(ctx, &weiling.ListContactsRequest{StartDay: "2024-01-01", EndDay: "2024-01-01"})
			return err
		}},
		{"Do", func(c *weiling.Client) error { return c.Do(ctx, http.MethodGet, "/openapi/user/get", nil, nil) }},
		{"AccessToken", func(c *weiling.Client) error { _, err := c.AccessToken(ctx); return err }},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.tr.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
				t.Errorf("request sent: %s %s", r.Method, r.URL.Path)
				return httpmock.NewStringResponse(500, ""), nil
			})
			err := tt.call(h.c)
			require.ErrorIs(t, err, context.Canceled)
			assert.Zero(t, h.tokenN.Load(), "no token request")
			assert.Zero(t, h.tr.GetTotalCallCount(), "nothing sent")
		})
	}
}
