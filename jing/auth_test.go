package jing_test

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/internal/token"
	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
)

func TestGetTokenRequestAndCaching(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var seen []recorded
	h.tr.RegisterResponder("POST", tokenURL, recorder(&seen, 200, tokenBody("535eda1d-a06e-42f9-958f-d244ae72b646", "fc5e86a1-81da-4715-a18f-8724ff1fd413", 4511)))

	got, err := h.c.AccessToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "535eda1d-a06e-42f9-958f-d244ae72b646", got)
	_, err = h.c.AccessToken(context.Background())
	require.NoError(t, err)

	require.Len(t, seen, 1, "the second call is served from the cache")
	assert.Equal(t, "/prefix/v1/oauth2/token", seen[0].Path)
	assert.Equal(t, `{"app_id":"app-4711","app_secret":"S3cr3t-app-secret-9f2c"}`, seen[0].Body)
	assert.Equal(t, "application/json", seen[0].Header.Get("Content-Type"))
	assert.Empty(t, seen[0].Header.Values("access_token"), "the token endpoint gets no token header")

	tok := h.stored(t)
	assert.Equal(t, "fc5e86a1-81da-4715-a18f-8724ff1fd413", tok.Refresh)
	assert.Equal(t, 4511*time.Second, tok.ExpiresAt.Sub(tok.ObtainedAt), "expires_in is the remaining lifetime at receipt")
	assert.Equal(t, jing.RefreshTokenLifetime, tok.RefreshExpiresAt.Sub(tok.ObtainedAt))
	testkit.NoSecrets(t, h.logs.String(), testSecret, "535eda1d-a06e", "fc5e86a1-81da")
}

func TestTokenPathOverride(t *testing.T) {
	t.Parallel()
	h := newHarness(t, jing.WithTokenPath("/v1/oauth2/access_token"))
	var seen []recorded
	h.tr.RegisterResponder("POST", testBase+"/v1/oauth2/access_token", recorder(&seen, 200, tokenBody("at-1", "rt-1", 7200)))
	_, err := h.c.AccessToken(context.Background())
	require.NoError(t, err)
	require.Len(t, seen, 1)
	assert.Equal(t, 0, h.tr.GetCallCountInfo()["POST "+tokenURL])
}

func TestRefreshRequestRotatesPair(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := h.clock.Now()
	h.preload(t, jing.Token{Value: "at-old", ObtainedAt: now.Add(-3 * time.Hour), ExpiresAt: now.Add(-time.Hour),
		Refresh: "rt-old", RefreshExpiresAt: now.Add(20 * 24 * time.Hour)})
	var seen []recorded
	h.tr.RegisterResponder("POST", refreshURL, recorder(&seen, 200, tokenBody("at-new", "rt-new", 4511)))

	got, err := h.c.AccessToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "at-new", got)
	require.Len(t, seen, 1)
	assert.Equal(t, "/prefix/v1/oauth2/token/refresh", seen[0].Path)
	assert.Equal(t, `{"app_id":"app-4711","app_secret":"S3cr3t-app-secret-9f2c","refresh_token":"rt-old"}`, seen[0].Body)
	assert.Equal(t, 0, h.tr.GetCallCountInfo()["POST "+tokenURL], "no get-token")

	tok := h.stored(t)
	assert.Equal(t, "at-new", tok.Value)
	assert.Equal(t, "rt-new", tok.Refresh, "the newest refresh token is stored with its access token")
	assert.Equal(t, jing.RefreshTokenLifetime, tok.RefreshExpiresAt.Sub(tok.ObtainedAt), "the new refresh token lives 30 days from now")
	testkit.NoSecrets(t, h.logs.String(), testSecret, "rt-old", "rt-new", "at-new")
}

func TestRefreshFallbacks(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		name          string
		refresh       string        // stored refresh token ("" = no stored pair)
		refreshAge    time.Duration // how long ago the stored pair was obtained
		refreshStatus int
		refreshBody   string
		tokenStatus   int
		tokenBody     string
		wantRefresh   int
		wantGetToken  int
		wantValue     string
		wantStoredRT  string
		wantErrCode   string
		wantStatus    int
	}{
		{name: "no stored pair: get-token", tokenBody: tokenBody("at-g", "rt-g", 7200),
			wantGetToken: 1, wantValue: "at-g", wantStoredRT: "rt-g"},
		{name: "refresh ok", refresh: "rt-1", refreshAge: 3 * time.Hour, refreshBody: tokenBody("at-r", "rt-2", 7200),
			wantRefresh: 1, wantValue: "at-r", wantStoredRT: "rt-2"},
		{name: "refresh at 29 days", refresh: "rt-1", refreshAge: 29 * day, refreshBody: tokenBody("at-r", "rt-2", 7200),
			wantRefresh: 1, wantValue: "at-r", wantStoredRT: "rt-2"},
		{name: "refresh answer without refresh_token keeps the old one", refresh: "rt-1", refreshAge: 3 * time.Hour,
			refreshBody: `{"code":0,"data":{"access_token":"at-r","expires_in":7200}}`,
			wantRefresh: 1, wantValue: "at-r", wantStoredRT: "rt-1"},
		{name: "refresh rejected: get-token", refresh: "rt-dead", refreshAge: 3 * time.Hour,
			refreshBody: `{"request_id":"r","code":40002,"msg":"refresh_token invalid"}`, tokenBody: tokenBody("at-g", "rt-g", 7200),
			wantRefresh: 1, wantGetToken: 1, wantValue: "at-g", wantStoredRT: "rt-g"},
		{name: "refresh HTTP 500: get-token", refresh: "rt-1", refreshAge: 3 * time.Hour, refreshStatus: 500, refreshBody: `oops`,
			tokenBody: tokenBody("at-g", "rt-g", 7200), wantRefresh: 1, wantGetToken: 1, wantValue: "at-g", wantStoredRT: "rt-g"},
		{name: "refresh 30 days old: get-token only", refresh: "rt-old", refreshAge: 30*day + time.Second,
			tokenBody: tokenBody("at-g", "rt-g", 7200), wantGetToken: 1, wantValue: "at-g", wantStoredRT: "rt-g"},
		{name: "both rejected: get-token's error", refresh: "rt-dead", refreshAge: time.Hour,
			refreshBody: `{"code":40002,"msg":"x"}`, tokenBody: `{"request_id":"rq","code":40001,"msg":"bad secret"}`,
			wantRefresh: 1, wantGetToken: 1, wantErrCode: "40001"},
		{name: "get-token 503 retried then fails", tokenStatus: 503, tokenBody: `busy`, wantGetToken: 3, wantStatus: 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			if tt.refresh != "" {
				obtained := h.clock.Now().Add(-tt.refreshAge)
				h.preload(t, jing.Token{Value: "at-stale", ObtainedAt: obtained, ExpiresAt: obtained.Add(time.Hour),
					Refresh: tt.refresh, RefreshExpiresAt: obtained.Add(jing.RefreshTokenLifetime)})
			}
			var refreshes, gets []recorded
			h.tr.RegisterResponder("POST", refreshURL, recorder(&refreshes, cmp.Or(tt.refreshStatus, 200), cmp.Or(tt.refreshBody, `{}`)))
			h.tr.RegisterResponder("POST", tokenURL, recorder(&gets, cmp.Or(tt.tokenStatus, 200), cmp.Or(tt.tokenBody, `{}`)))

			got, err := h.c.AccessToken(context.Background())
			assert.Len(t, refreshes, tt.wantRefresh, "refresh calls")
			assert.Len(t, gets, tt.wantGetToken, "get-token calls")
			for _, r := range refreshes {
				assert.JSONEq(t, `{"app_id":"app-4711","app_secret":"S3cr3t-app-secret-9f2c","refresh_token":"`+tt.refresh+`"}`, r.Body)
			}
			switch {
			case tt.wantErrCode != "":
				var apiErr *jing.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.wantErrCode, apiErr.Code)
			case tt.wantStatus != 0:
				var apiErr *jing.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.wantStatus, apiErr.HTTPStatus)
			default:
				require.NoError(t, err)
				assert.Equal(t, tt.wantValue, got)
				assert.Equal(t, tt.wantStoredRT, h.stored(t).Refresh)
			}
			if err != nil {
				testkit.NoSecrets(t, err.Error(), testSecret, tt.refresh)
			}
			testkit.NoSecrets(t, h.logs.String(), testSecret, "rt-1", "rt-2", "rt-g", "rt-dead", "rt-old", "at-g", "at-r")
		})
	}
}

func TestConcurrentExpiredTokenOneRefresh(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c, logs := newFakeClient(t, srv, nil)
	ctx := context.Background()
	first, err := c.AccessToken(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, srv.Requests(jing.OpGetToken))

	srv.Clock.Advance(jingtest.DefaultAccessTokenTTL + time.Minute) // the access token is dead on both sides

	const callers = 50
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, callers)
	tokens := make(chan string, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if i%2 == 0 {
				tok, err := c.AccessToken(ctx)
				tokens <- tok
				errs <- err
				return
			}
			_, err := c.CreateUsers(ctx, &jing.CreateUsersRequest{Users: []jing.User{{
				Identities: []jing.Identity{{Type: jing.IdentityMobile, Value: "1966734" + strconv.Itoa(1000+i)}},
			}}})
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	close(tokens)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.Requests(jing.OpRefreshToken), "exactly one refresh for 50 concurrent callers")
	assert.Equal(t, 1, srv.Requests(jing.OpGetToken), "no fallback to get-token")
	var second string
	for tok := range tokens {
		assert.NotEqual(t, first, tok)
		if second == "" {
			second = tok
		}
		assert.Equal(t, second, tok, "every caller got the same new token")
	}

	// The stored refresh token is the live one: a later refresh succeeds.
	cur, err := c.AccessToken(ctx)
	require.NoError(t, err)
	assert.True(t, srv.AccessTokenValid(cur))
	require.NoError(t, c.RefreshToken(ctx))
	assert.Equal(t, 2, srv.Requests(jing.OpRefreshToken))
	assert.Equal(t, 1, srv.Requests(jing.OpGetToken), "the later refresh was accepted, not replaced by get-token")
	testkit.NoSecrets(t, logs.String(), srv.AppSecret, first, second)
}

func TestRejectedRefreshFallsBackToGetToken(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	ctx := context.Background()
	a, logsA := newFakeClient(t, srv, nil)
	b, _ := newFakeClient(t, srv, nil) // another deployment of the same app, with its own store
	_, err := a.AccessToken(ctx)
	require.NoError(t, err)
	_, err = b.AccessToken(ctx) // get-token: kills a's refresh token
	require.NoError(t, err)
	require.Equal(t, 2, srv.Requests(jing.OpGetToken))

	srv.Clock.Advance(jingtest.DefaultAccessTokenTTL)
	tok, err := a.AccessToken(ctx)
	require.NoError(t, err)
	assert.True(t, srv.AccessTokenValid(tok))
	assert.Equal(t, 1, srv.Requests(jing.OpRefreshToken), "a tried its (dead) refresh token once")
	assert.Equal(t, 3, srv.Requests(jing.OpGetToken), "then fell back to get-token")
	assert.Contains(t, logsA.String(), "falling back to get-token")
	testkit.NoSecrets(t, logsA.String(), srv.AppSecret, tok)
}

func TestThirtyDayOldRefreshTokenUsesGetToken(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	ctx := context.Background()
	// A store that never expires entries, so the client itself must notice
	// the 30-day horizon.
	store := token.NewMemoryStore(func() time.Time { return time.Time{} })
	c, _ := newFakeClient(t, srv, store)
	_, err := c.AccessToken(ctx)
	require.NoError(t, err)

	srv.Clock.Advance(jing.RefreshTokenLifetime + time.Hour)
	_, err = c.AccessToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, 0, srv.Requests(jing.OpRefreshToken), "a refresh token older than 30 days is not tried")
	assert.Equal(t, 2, srv.Requests(jing.OpGetToken))
}

func TestRefreshTokenForced(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	ctx := context.Background()
	c, _ := newFakeClient(t, srv, nil)

	require.NoError(t, c.RefreshToken(ctx), "without a stored pair it gets one")
	assert.Equal(t, 1, srv.Requests(jing.OpGetToken))
	assert.Equal(t, 0, srv.Requests(jing.OpRefreshToken))
	before, err := c.AccessToken(ctx)
	require.NoError(t, err)

	require.NoError(t, c.RefreshToken(ctx))
	assert.Equal(t, 1, srv.Requests(jing.OpRefreshToken))
	after, err := c.AccessToken(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, before, after, "the new pair is cached at once")
	assert.Equal(t, 1, srv.Requests(jing.OpGetToken))

	var nilCtx context.Context
	assert.Error(t, c.RefreshToken(nilCtx))
	_, err = c.AccessToken(nilCtx)
	assert.Error(t, err)
}

func TestConcurrentForcedAndProactiveRefresh(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	ctx := context.Background()
	c, _ := newFakeClient(t, srv, nil)
	_, err := c.AccessToken(ctx)
	require.NoError(t, err)
	srv.Clock.Advance(jingtest.DefaultAccessTokenTTL)

	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%4 == 0 {
				errs <- c.RefreshToken(ctx)
				return
			}
			_, err := c.AccessToken(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.Requests(jing.OpGetToken), "no refresh was ever made with a rotated-away token")
	require.NoError(t, c.RefreshToken(ctx))
	assert.Equal(t, 1, srv.Requests(jing.OpGetToken))
}

func TestInvalidTokenCodes(t *testing.T) {
	t.Parallel()
	users := func(v string) *jing.CreateUsersRequest {
		return &jing.CreateUsersRequest{Users: []jing.User{{Identities: []jing.Identity{{Type: jing.IdentityMobile, Value: v}}}}}
	}
	code := strconv.Itoa(jingtest.CodeInvalidAccessToken)

	t.Run("default: no code refreshes", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t)
		c, _ := newFakeClient(t, srv, nil)
		ctx := context.Background()
		_, err := c.CreateUsers(ctx, users("13800000001"))
		require.NoError(t, err)
		srv.InvalidateTokens()
		_, err = c.CreateUsers(ctx, users("13800000002"))
		var apiErr *jing.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, code, apiErr.Code, "code verbatim")
		assert.NotEmpty(t, apiErr.RequestID)
		assert.NotErrorIs(t, err, jing.ErrInvalidToken)
		assert.Equal(t, 0, srv.Requests(jing.OpRefreshToken))
	})
	t.Run("opted in: refresh and replay", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t)
		c, _ := newFakeClient(t, srv, nil, jing.WithInvalidTokenCodes(code))
		ctx := context.Background()
		_, err := c.CreateUsers(ctx, users("13800000001"))
		require.NoError(t, err)
		srv.InvalidateTokens()
		res, err := c.CreateUsers(ctx, users("13800000002"))
		require.NoError(t, err)
		assert.Len(t, res.Success, 1)
		assert.Equal(t, 1, srv.Requests(jing.OpRefreshToken), "the dropped access token's refresh token is still used")
		assert.Equal(t, 1, srv.Requests(jing.OpGetToken))
		assert.Equal(t, 3, srv.Requests(jing.OpCreateUsers), "one replay")
	})
}

// failingStore cannot be written.
type failingStore struct{ token.Store }

func (failingStore) Set(context.Context, string, token.Token, time.Duration) error {
	return errors.New("store down")
}

func TestStoreWriteFailureKeepsNewestPair(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	ctx := context.Background()
	c, logs := newFakeClient(t, srv, failingStore{token.NewMemoryStore(srv.Clock.Now)})
	_, err := c.AccessToken(ctx)
	require.NoError(t, err)
	require.NoError(t, c.RefreshToken(ctx), "a store failure is logged, not fatal")
	assert.Contains(t, logs.String(), "token store write failed")

	srv.Clock.Advance(jingtest.DefaultAccessTokenTTL)
	_, err = c.AccessToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Requests(jing.OpRefreshToken), "the renewal used the newest refresh token kept in memory")
	assert.Equal(t, 1, srv.Requests(jing.OpGetToken))
}

func TestTokenAnswerDefects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		wantErr   []error
		wantCode  string
		wantReqID string
		wantLife  time.Duration
	}{
		{name: "no access_token", status: 200, body: `{"request_id":"r1","code":0,"msg":"success","data":{"refresh_token":"rt"}}`, wantErr: []error{jing.ErrBadResponse}, wantReqID: "r1"},
		{name: "data not an object", status: 200, body: `{"code":0,"data":"x"}`, wantErr: []error{jing.ErrBadResponse}},
		{name: "no data", status: 200, body: `{"code":0,"msg":"success"}`, wantErr: []error{jing.ErrBadResponse}},
		{name: "no code", status: 200, body: `{"data":{"access_token":"a"}}`, wantErr: []error{jing.ErrBadResponse}},
		{name: "html", status: 200, body: `<html>502</html>`, wantErr: []error{jing.ErrBadResponse}},
		{name: "vendor error verbatim", status: 200, body: `{"request_id":"abc","code":"10086","msg":"app_secret 错误"}`, wantErr: []error{}, wantCode: "10086", wantReqID: "abc"},
		{name: "string code 0 ok, no expires_in", status: 200, body: `{"code":"0","data":{"access_token":"a","refresh_token":"r"}}`, wantLife: jing.UnknownExpiryLifetime},
		{name: "expires_in as string", status: 200, body: `{"code":0,"data":{"access_token":"a","expires_in":"60"}}`, wantLife: time.Minute},
		{name: "http 401", status: 401, body: `unauthorized`, wantErr: []error{jing.ErrPermission}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.tr.RegisterResponder("POST", tokenURL, httpmock.NewStringResponder(tt.status, tt.body))
			_, err := h.c.AccessToken(context.Background())
			if tt.wantErr == nil {
				require.NoError(t, err)
				tok := h.stored(t)
				assert.Equal(t, tt.wantLife, tok.ExpiresAt.Sub(tok.ObtainedAt))
				return
			}
			require.Error(t, err)
			for _, e := range tt.wantErr {
				assert.ErrorIs(t, err, e)
			}
			var apiErr *jing.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "jing", apiErr.Vendor)
			assert.Equal(t, jing.OpGetToken, apiErr.Op)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.Equal(t, tt.wantReqID, apiErr.RequestID)
			testkit.NoSecrets(t, err.Error(), testSecret)
		})
	}
}

func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	now := h.clock.Now()
	h.preload(t, jing.Token{Value: "at-expired-5a1b", ObtainedAt: now.Add(-3 * time.Hour), ExpiresAt: now.Add(-time.Hour),
		Refresh: "rt-secret-77c2", RefreshExpiresAt: now.Add(24 * time.Hour)})
	// The vendor echoes what it got into its messages.
	h.tr.RegisterResponder("POST", refreshURL, httpmock.NewStringResponder(200,
		`{"request_id":"r1","code":40002,"msg":"refresh_token rt-secret-77c2 invalid for S3cr3t-app-secret-9f2c"}`))
	h.tr.RegisterResponder("POST", tokenURL, httpmock.NewStringResponder(200,
		`{"request_id":"r2","code":40001,"msg":"bad app_secret S3cr3t-app-secret-9f2c"}`))
	_, err := h.c.AccessToken(context.Background())
	require.Error(t, err)
	var apiErr *jing.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "40001", apiErr.Code)
	assert.Contains(t, apiErr.Message, "[redacted]")
	secrets := []string{testSecret, "rt-secret-77c2", "at-expired-5a1b"}
	testkit.NoSecrets(t, err.Error(), secrets...)
	testkit.NoSecrets(t, h.logs.String(), secrets...)
	assert.Contains(t, h.logs.String(), "falling back to get-token")

	// Token values never print.
	tok := h.stored(t)
	testkit.NoSecrets(t, tok.String()+" "+tok.GoString(), secrets...)
}

// lockingStore is a MemoryStore with a Locker whose lock is held by
// "another process" for the first busy TryLock attempts.
type lockingStore struct {
	*token.MemoryStore
	mu      sync.Mutex
	busy    int
	fail    bool
	tries   int
	unlocks int
	keys    []string
}

func (s *lockingStore) TryLock(_ context.Context, key string, _ time.Duration) (func(context.Context) error, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tries++
	s.keys = append(s.keys, key)
	if s.fail {
		return nil, false, errors.New("redis down")
	}
	if s.busy > 0 {
		s.busy--
		return nil, false, nil
	}
	return func(context.Context) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.unlocks++
		return nil
	}, true, nil
}

func TestRefreshTokenTakesTheStoreLock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		busy        int
		fail        bool
		wantTries   int
		wantUnlocks int
	}{
		{name: "free", wantTries: 1, wantUnlocks: 1},
		{name: "held by another process, then free", busy: 3, wantTries: 4, wantUnlocks: 1},
		{name: "lock unavailable: refresh anyway", fail: true, wantTries: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			store := &lockingStore{MemoryStore: token.NewMemoryStore(srv.Clock.Now)}
			c, logs := newFakeClient(t, srv, store)
			ctx := context.Background()
			require.NoError(t, c.RefreshToken(ctx)) // no pair yet: get-token, under the lock
			store.mu.Lock()
			store.tries, store.unlocks, store.busy, store.fail = 0, 0, tt.busy, tt.fail
			store.mu.Unlock()

			require.NoError(t, c.RefreshToken(ctx))
			store.mu.Lock()
			defer store.mu.Unlock()
			assert.Equal(t, tt.wantTries, store.tries)
			assert.Equal(t, tt.wantUnlocks, store.unlocks)
			assert.Equal(t, "jing:"+srv.AppID+":lock", store.keys[0], "the same lock as token.Source")
			assert.Equal(t, 1, srv.Requests(jing.OpRefreshToken))
			assert.Equal(t, 1, srv.Requests(jing.OpGetToken))
			if tt.fail {
				assert.Contains(t, logs.String(), "token lock unavailable")
			}
		})
	}
	t.Run("context ends while waiting", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t)
		store := &lockingStore{MemoryStore: token.NewMemoryStore(srv.Clock.Now), busy: 1 << 30}
		c, _ := newFakeClient(t, srv, store)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		require.ErrorIs(t, c.RefreshToken(ctx), context.Canceled)
		assert.Equal(t, 0, srv.Requests(jing.OpGetToken)+srv.Requests(jing.OpRefreshToken))
	})
}
