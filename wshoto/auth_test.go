package wshoto

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/internal/testkit"
)

// manualClock only moves when told to.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	now := time.Unix(1654841208, 0).Add(300 * time.Millisecond)
	sec := func(tm time.Time) flex.Int64 { return flex.Int64(tm.Unix()) }
	tests := []struct {
		name      string
		createAt  flex.Int64
		expiresIn flex.Int64
		want      time.Time
	}{
		{"fresh token", sec(now), 7200, time.Unix(1654841208+7200, 0)},
		{"token issued an hour ago", sec(now.Add(-time.Hour)), 7200, time.Unix(1654841208+3600, 0)},
		{"no create_at: local fetch time", 0, 7200, now.Add(7200 * time.Second)},
		{"server clock ahead: local", sec(now.Add(10 * time.Minute)), 7200, now.Add(7200 * time.Second)},
		{"already expired by the local clock: local", sec(now.Add(-3 * time.Hour)), 7200, now.Add(7200 * time.Second)},
		{"no expires_in: 7200 assumed", sec(now), 0, time.Unix(1654841208+7200, 0)},
		{"negative expires_in: 7200 assumed", 0, -5, now.Add(DefaultTokenLifetime)},
		{"create_at in ms", flex.Int64(now.Add(-time.Hour).Unix() * 1000), 7200, time.Unix(1654841208+3600, 0)},
		{"short life", sec(now), 60, time.Unix(1654841208+60, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tokenExpiry(now, tt.createAt, tt.expiresIn))
		})
	}
}

func TestAccessTokenRequest(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mu.Lock()
	h.tokenBody = func() string { return fixture(t, "token_response.json") }
	h.mu.Unlock()
	for range 3 {
		tok, err := h.c.AccessToken(ctx(t))
		require.NoError(t, err)
		assert.Equal(t, "aGV0bTJidHh4ZXlmNnEwOXBub2sxdGgxeWJwbXgxb2", tok)
	}
	h.mu.Lock()
	reqs := append([]seen(nil), h.tokenReqs...)
	h.mu.Unlock()
	require.Len(t, reqs, 1, "cached after the first fetch")
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/prefix/openapi/access_token", reqs[0].Path)
	assert.Equal(t, url.Values{"appid": {testAppID}, "app_secret": {testSecret}}, reqs[0].Query)
}

func TestTokenFetchErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		sentinel error
		code     string
	}{
		{"bad credentials", `{"code":20001,"msg":"appid或app_secret错误"}`, nil, "20001"},
		{"empty token", `{"code":0,"msg":"ok","data":{"access_token":"","expires_in":7200}}`, ErrBadResponse, "0"},
		{"no data", `{"code":0,"msg":"ok"}`, ErrBadResponse, "0"},
		{"data not an object", `{"code":0,"data":[1]}`, ErrBadResponse, "0"},
		{"html", `<html></html>`, ErrBadResponse, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.mu.Lock()
			h.tokenBody = func() string { return tt.body }
			h.mu.Unlock()
			rec := h.reply("/openapi/crm/cluepool/list", `{"code":0,"data":{"total":0,"records":[]}}`)
			_, err := h.c.ListCluePools(ctx(t), nil)
			require.Error(t, err)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, TokenOp, apiErr.Op)
			assert.Equal(t, tt.code, apiErr.Code)
			if tt.sentinel != nil {
				assert.ErrorIs(t, err, tt.sentinel)
			}
			assert.Empty(t, rec.all(), "no API call without a token")
			testkit.NoSecrets(t, err.Error(), testSecret)
		})
	}
}

// TestColdCacheOneTokenRequest: 200 concurrent calls on a cold cache cause
// exactly one token request.
func TestColdCacheOneTokenRequest(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	release := make(chan struct{})
	h.mu.Lock()
	h.tokenBody = func() string {
		<-release // hold the fetch so callers pile up behind it
		return tokenJSON(testToken, 7200, time.Now().Unix())
	}
	h.mu.Unlock()
	rec := h.reply("/openapi/crm/cluepool/list", `{"code":0,"data":{"total":0,"records":[]}}`)
	const callers = 200
	var wg sync.WaitGroup
	var started sync.WaitGroup
	errs := make(chan error, callers)
	started.Add(callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			_, err := h.c.ListCluePools(ctx(t), nil)
			errs <- err
		}()
	}
	started.Wait()
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), h.tokenCalls.Load(), "exactly one token request")
	assert.Len(t, rec.all(), callers)
	for _, r := range rec.all() {
		assert.Equal(t, testToken, r.Token)
	}
}

// TestConcurrentInvalidTokenRefreshesOnce: every concurrent call fails with
// the stale token; the token is refreshed exactly once and each call replays
// exactly once.
func TestConcurrentInvalidTokenRefreshesOnce(t *testing.T) {
	t.Parallel()
	for _, code := range []string{CodeTokenInvalid1, CodeTokenInvalid2, CodeTokenInvalid3} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			const callers = 40
			store := NewMemoryTokenStore(nil)
			require.NoError(t, store.Set(context.Background(), "wshoto:"+testAppID, Token{Value: "stale-token-xyz", ExpiresAt: time.Now().Add(time.Hour)}, time.Hour))
			h := newHarness(t, WithTokenStore(store))
			var stale, fresh atomic.Int32
			allStale := make(chan struct{})
			rec := h.on(http.MethodPost, "/openapi/crm/clue/info", func(s seen) (int, string) {
				if s.Token == "stale-token-xyz" {
					if stale.Add(1) == callers {
						close(allStale)
					}
					select { // answer only once every caller has used the stale token
					case <-allStale:
					case <-time.After(20 * time.Second):
					}
					return 200, `{"code":` + code + `,"msg":"access_token失效"}`
				}
				fresh.Add(1)
				return 200, fixture(t, "clue_info_response.json")
			})
			var wg sync.WaitGroup
			errs := make(chan error, callers)
			for range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := h.c.GetClue(ctx(t), &GetClueRequest{ClueID: "1539169150405479425"})
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			assert.Equal(t, int32(1), h.tokenCalls.Load(), "one refresh for all")
			assert.Equal(t, int32(callers), stale.Load(), "each call tried the stale token once")
			assert.Equal(t, int32(callers), fresh.Load(), "each call replayed exactly once")
			assert.Len(t, rec.all(), 2*callers)
			testkit.NoSecrets(t, h.logs.String(), "stale-token-xyz")
		})
	}
}

func TestInvalidTokenReplayedOnlyOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.reply("/openapi/crm/clue/info", `{"code":10001,"msg":"invalid"}`)
	_, err := h.c.GetClue(ctx(t), &GetClueRequest{ClueID: "1"})
	require.ErrorIs(t, err, ErrInvalidToken)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "10001", apiErr.Code)
	assert.Len(t, rec.all(), 2, "one replay, no loop")
	assert.Equal(t, int32(2), h.tokenCalls.Load(), "first fetch plus one refresh")
}

func TestOtherCodesDoNotRefresh(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.reply("/openapi/crm/clue/info", `{"code":10002,"msg":"other"}`)
	_, err := h.c.GetClue(ctx(t), &GetClueRequest{ClueID: "1"})
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrInvalidToken)
	assert.Len(t, rec.all(), 1)
	assert.Equal(t, int32(1), h.tokenCalls.Load())
}

// failingStore cannot be read from or written to.
type failingStore struct{ sets atomic.Int32 }

func (s *failingStore) Get(context.Context, string) (Token, bool, error) {
	return Token{}, false, errors.New("store unreachable")
}

func (s *failingStore) Set(context.Context, string, Token, time.Duration) error {
	s.sets.Add(1)
	return errors.New("store write failed")
}

func (s *failingStore) Delete(context.Context, string, string) error { return nil }

func TestTokenStoreWriteFailureStillUsesFreshToken(t *testing.T) {
	t.Parallel()
	store := &failingStore{}
	h := newHarness(t, WithTokenStore(store))
	rec := h.reply("/openapi/crm/cluepool/list", `{"code":0,"data":{"total":0,"records":[]}}`)
	for range 3 {
		_, err := h.c.ListCluePools(ctx(t), nil)
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), h.tokenCalls.Load(), "the fresh token is kept in memory while the store fails")
	assert.Equal(t, int32(1), store.sets.Load())
	for _, r := range rec.all() {
		assert.Equal(t, testToken, r.Token)
	}
	assert.Contains(t, h.logs.String(), "token store write failed")
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	t.Parallel()
	clock := &manualClock{t: time.Unix(1700000000, 0)}
	h := newHarness(t, core.WithClock(clock.Now))
	var n atomic.Int32
	h.mu.Lock()
	h.tokenBody = func() string {
		i := n.Add(1)
		return tokenJSON("tok-"+string(rune('0'+i)), 7200, clock.Now().Unix())
	}
	h.mu.Unlock()
	rec := h.reply("/openapi/crm/cluepool/list", `{"code":0,"data":{"total":0,"records":[]}}`)
	call := func() {
		_, err := h.c.ListCluePools(ctx(t), nil)
		require.NoError(t, err)
	}
	call()
	clock.Advance(7200*time.Second - 6*time.Minute)
	call()
	assert.Equal(t, int32(1), h.tokenCalls.Load(), "still fresh 6 minutes before expiry")
	clock.Advance(2 * time.Minute)
	call()
	assert.Equal(t, int32(2), h.tokenCalls.Load(), "refreshed within the 5-minute margin")
	reqs := rec.all()
	assert.Equal(t, "tok-1", reqs[1].Token)
	assert.Equal(t, "tok-2", reqs[2].Token)
}

// TestOldTokenDoesNotCauseFetchStorm: wshoto returns the same token while it
// is valid, so near its end a refetch returns it again; the SDK must not
// refetch on every call.
func TestOldTokenDoesNotCauseFetchStorm(t *testing.T) {
	t.Parallel()
	clock := &manualClock{t: time.Unix(1700000000, 0)}
	h := newHarness(t, core.WithClock(clock.Now))
	created := clock.Now().Add(-(7200*time.Second - 4*time.Minute)).Unix() // 4 minutes left
	h.mu.Lock()
	h.tokenBody = func() string { return tokenJSON(testToken, 7200, created) }
	h.mu.Unlock()
	h.reply("/openapi/crm/cluepool/list", `{"code":0,"data":{"total":0,"records":[]}}`)
	for range 20 {
		_, err := h.c.ListCluePools(ctx(t), nil)
		require.NoError(t, err)
	}
	assert.Equal(t, int32(1), h.tokenCalls.Load())
}

// TestAlwaysInvalidTokenCostsOneRefresh: an endpoint that always answers
// 10001 (a permission problem spelled as a token code) costs the first token
// fetch and one replacement, however many calls hit it: the replacement is
// never invalidated again. Every call fails with ErrInvalidToken.
func TestAlwaysInvalidTokenCostsOneRefresh(t *testing.T) {
	t.Parallel()
	for _, fresh := range []bool{false, true} {
		t.Run(map[bool]string{false: "vendor returns the same token", true: "vendor issues new tokens"}[fresh], func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			if fresh {
				var n atomic.Int32
				h.mu.Lock()
				h.tokenBody = func() string { return tokenJSON(fmt.Sprintf("tok-%d", n.Add(1)), 7200, time.Now().Unix()) }
				h.mu.Unlock()
			}
			rec := h.reply("/openapi/crm/clue/info", `{"code":10001,"msg":"access_token无效"}`)
			for i := range 5 {
				_, err := h.c.GetClue(ctx(t), &GetClueRequest{ClueID: "1591005521987920962"})
				require.ErrorIs(t, err, ErrInvalidToken, "call %d", i+1)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, "10001", apiErr.Code)
			}
			assert.LessOrEqual(t, h.tokenCalls.Load(), int32(2), "the first fetch and one replacement, in all")
			assert.Equal(t, int32(2), h.tokenCalls.Load())
			assert.Len(t, rec.all(), 6, "the first call replays once; the others are not replayed")
		})
	}
}

// TestDoneContextSendsNothing: a call whose context is already done on a
// cold client sends nothing, not even a token request.
func TestDoneContextSendsNothing(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	calls := map[string]func(h *harness, ctx context.Context) error{
		"GetClue": func(h *harness, ctx context.Context) error {
			_, err := h.c.GetClue(ctx, &GetClueRequest{ClueID: "1"})
			return err
		},
		"ListClues": func(h *harness, ctx context.Context) error { _, err := h.c.ListClues(ctx, nil); return err },
		"CreateCluePool": func(h *harness, ctx context.Context) error {
			_, err := h.c.CreateCluePool(ctx, &CreateCluePoolRequest{CluePoolName: "p"})
			return err
		},
		"Do":          func(h *harness, ctx context.Context) error { return h.c.Do(ctx, "", "/openapi/a", nil, nil) },
		"AccessToken": func(h *harness, ctx context.Context) error { _, err := h.c.AccessToken(ctx); return err },
	}
	for name, call := range calls {
		for ctxName, c := range map[string]struct {
			ctx  context.Context
			want error
		}{"cancelled": {cancelled, context.Canceled}, "expired": {expired, context.DeadlineExceeded}} {
			t.Run(name+" "+ctxName, func(t *testing.T) {
				t.Parallel()
				h := newHarness(t)
				err := call(h, c.ctx)
				require.ErrorIs(t, err, c.want)
				assert.NotErrorIs(t, err, ErrAmbiguous, "nothing was sent")
				assert.Zero(t, h.tr.GetTotalCallCount(), "nothing sent")
				assert.Zero(t, h.tokenCalls.Load(), "no token request")
			})
		}
	}
}
