package token

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)} }

func TestMemoryStore(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := NewMemoryStore(clk.Now)
	ctx := context.Background()
	_, ok, err := s.Get(ctx, "k")
	require.NoError(t, err)
	assert.False(t, ok)

	require.NoError(t, s.Set(ctx, "k", Token{Value: "a"}, time.Minute))
	got, ok, _ := s.Get(ctx, "k")
	assert.True(t, ok)
	assert.Equal(t, "a", got.Value)

	require.NoError(t, s.Delete(ctx, "k", "other"))
	_, ok, _ = s.Get(ctx, "k")
	assert.True(t, ok, "delete-if-equal must not remove a different token")

	require.NoError(t, s.Delete(ctx, "k", "a"))
	_, ok, _ = s.Get(ctx, "k")
	assert.False(t, ok)

	require.NoError(t, s.Set(ctx, "k", Token{Value: "b"}, time.Minute))
	clk.Advance(time.Minute)
	_, ok, _ = s.Get(ctx, "k")
	assert.False(t, ok, "expired entries vanish")
}

func TestTokenStringHidesSecrets(t *testing.T) {
	t.Parallel()
	tok := Token{Value: "access-secret", Refresh: "refresh-secret"}
	for _, s := range []string{fmt.Sprint(tok), fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok)} {
		assert.NotContains(t, s, "access-secret")
		assert.NotContains(t, s, "refresh-secret")
	}
}

func TestFresh(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		tok  Token
		want bool
	}{
		{"empty", Token{}, false},
		{"no expiry", Token{Value: "x"}, true},
		{"2h token, 1h left", Token{Value: "x", ObtainedAt: now.Add(-time.Hour), ExpiresAt: now.Add(time.Hour)}, true},
		{"2h token, 4m left (inside 5m margin)", Token{Value: "x", ObtainedAt: now.Add(-116 * time.Minute), ExpiresAt: now.Add(4 * time.Minute)}, false},
		{"10m token, 3m left (margin is a fifth: 2m)", Token{Value: "x", ObtainedAt: now.Add(-7 * time.Minute), ExpiresAt: now.Add(3 * time.Minute)}, true},
		{"10m token, 1m left", Token{Value: "x", ObtainedAt: now.Add(-9 * time.Minute), ExpiresAt: now.Add(time.Minute)}, false},
		{"expired", Token{Value: "x", ExpiresAt: now.Add(-time.Second)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Fresh(tt.tok, now))
		})
	}
}

func counting(clk *clock, fetches *atomic.Int32, gate <-chan struct{}) FetchFunc {
	return func(ctx context.Context, _ Token, _ bool) (Token, error) {
		n := fetches.Add(1)
		if gate != nil {
			<-gate
		}
		return Token{Value: fmt.Sprintf("tok-%d", n), ObtainedAt: clk.Now(), ExpiresAt: clk.Now().Add(2 * time.Hour)}, nil
	}
}

func TestSourceColdCacheOneFetch(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var fetches atomic.Int32
	gate := make(chan struct{})
	src := NewSource(SourceConfig{Key: "k", Store: NewMemoryStore(clk.Now), Fetch: counting(clk, &fetches, gate), Now: clk.Now})
	const n = 200
	var wg sync.WaitGroup
	var started sync.WaitGroup
	started.Add(n)
	vals := make(chan string, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			tok, err := src.Token(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			vals <- tok.Value
		}()
	}
	started.Wait()
	close(gate)
	wg.Wait()
	close(vals)
	for v := range vals {
		assert.Equal(t, "tok-1", v)
	}
	assert.Equal(t, int32(1), fetches.Load())
}

func TestSourceRefreshesBeforeExpiry(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var fetches atomic.Int32
	src := NewSource(SourceConfig{Key: "k", Store: NewMemoryStore(clk.Now), Fetch: counting(clk, &fetches, nil), Now: clk.Now})
	ctx := context.Background()
	tok, err := src.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok.Value)
	clk.Advance(time.Hour)
	tok, _ = src.Token(ctx)
	assert.Equal(t, "tok-1", tok.Value, "still fresh")
	clk.Advance(56 * time.Minute) // 4 minutes left: inside the margin
	tok, _ = src.Token(ctx)
	assert.Equal(t, "tok-2", tok.Value)
}

func TestSourceInvalidateOnlyIfStillCached(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var fetches atomic.Int32
	src := NewSource(SourceConfig{Key: "k", Store: NewMemoryStore(clk.Now), Fetch: counting(clk, &fetches, nil), Now: clk.Now})
	ctx := context.Background()
	tok1, _ := src.Token(ctx)
	src.Invalidate(ctx, tok1.Value)
	tok2, _ := src.Token(ctx)
	assert.Equal(t, "tok-2", tok2.Value)
	src.Invalidate(ctx, tok1.Value) // a late caller that failed with tok-1
	tok, _ := src.Token(ctx)
	assert.Equal(t, "tok-2", tok.Value, "a stale invalidation must not drop the fresh token")
	assert.Equal(t, int32(2), fetches.Load())
}

func TestSourceWaiterHonoursItsOwnContext(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var fetches atomic.Int32
	gate := make(chan struct{})
	src := NewSource(SourceConfig{Key: "k", Store: NewMemoryStore(clk.Now), Fetch: counting(clk, &fetches, gate), Now: clk.Now})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := src.Token(ctx)
		errc <- err
	}()
	patient := make(chan Token, 1)
	go func() {
		for fetches.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		tok, _ := src.Token(context.Background())
		patient <- tok
	}()
	for fetches.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	require.ErrorIs(t, <-errc, context.Canceled, "the impatient caller returns at once")
	close(gate)
	assert.Equal(t, "tok-1", (<-patient).Value, "the fetch went on for the others")
	assert.Equal(t, int32(1), fetches.Load())
}

type failingStore struct{ *MemoryStore }

func (failingStore) Set(context.Context, string, Token, time.Duration) error {
	return errors.New("store down")
}

func TestSourceUsesFreshTokenWhenStoreWriteFails(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var fetches atomic.Int32
	src := NewSource(SourceConfig{Key: "k", Store: failingStore{NewMemoryStore(clk.Now)}, Fetch: counting(clk, &fetches, nil), Now: clk.Now})
	ctx := context.Background()
	tok, err := src.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok.Value)
	tok, _ = src.Token(ctx)
	assert.Equal(t, "tok-1", tok.Value, "kept locally while the store cannot be written")
	assert.Equal(t, int32(1), fetches.Load())
	src.Invalidate(ctx, "tok-1")
	tok, _ = src.Token(ctx)
	assert.Equal(t, "tok-2", tok.Value)
}

func TestSourceFetchErrorIsShared(t *testing.T) {
	t.Parallel()
	want := errors.New("vendor says no")
	src := NewSource(SourceConfig{Key: "k", Store: NewMemoryStore(nil), Fetch: func(context.Context, Token, bool) (Token, error) { return Token{}, want }})
	_, err := src.Token(context.Background())
	require.ErrorIs(t, err, want)
}

func TestSourcePassesCurrentTokenToFetch(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var seen []string
	src := NewSource(SourceConfig{Key: "k", Store: NewMemoryStore(clk.Now), Now: clk.Now, Fetch: func(_ context.Context, cur Token, ok bool) (Token, error) {
		seen = append(seen, fmt.Sprintf("%v:%s", ok, cur.Refresh))
		n := len(seen)
		return Token{Value: fmt.Sprint("a", n), Refresh: fmt.Sprint("r", n), ObtainedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour), RefreshExpiresAt: clk.Now().Add(30 * 24 * time.Hour)}, nil
	}})
	ctx := context.Background()
	_, _ = src.Token(ctx)
	clk.Advance(2 * time.Hour) // access token expired, refresh token still stored
	_, _ = src.Token(ctx)
	assert.Equal(t, []string{"false:", "true:r1"}, seen)
}

// lockStore is a MemoryStore with an in-process Locker, standing in for a
// shared store such as Redis.
type lockStore struct {
	*MemoryStore
	mu     sync.Mutex
	held   map[string]time.Time
	now    func() time.Time
	broken bool
}

func (l *lockStore) TryLock(_ context.Context, key string, ttl time.Duration) (func(context.Context) error, bool, error) {
	if l.broken {
		return nil, false, errors.New("lock backend unreachable")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if exp, ok := l.held[key]; ok && l.now().Before(exp) {
		return nil, false, nil
	}
	l.held[key] = l.now().Add(ttl)
	return func(context.Context) error {
		l.mu.Lock()
		delete(l.held, key)
		l.mu.Unlock()
		return nil
	}, true, nil
}

func TestSourcesSharingALockingStoreFetchOnce(t *testing.T) {
	t.Parallel()
	clk := newClock()
	store := &lockStore{MemoryStore: NewMemoryStore(clk.Now), held: map[string]time.Time{}, now: clk.Now}
	var fetches atomic.Int32
	noSleep := func(ctx context.Context, d time.Duration) error { time.Sleep(time.Millisecond); return ctx.Err() }
	var wg sync.WaitGroup
	for range 4 { // four "processes": separate Sources, one shared store
		src := NewSource(SourceConfig{Key: "k", Store: store, Fetch: counting(clk, &fetches, nil), Now: clk.Now, Sleep: noSleep})
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := src.Token(context.Background())
			assert.NoError(t, err)
			assert.Equal(t, "tok-1", tok.Value)
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), fetches.Load())
}

func TestSourceExpiredLockHolderDoesNotBlock(t *testing.T) {
	t.Parallel()
	clk := newClock()
	store := &lockStore{MemoryStore: NewMemoryStore(clk.Now), held: map[string]time.Time{}, now: clk.Now}
	// A dead process holds the lock for 10s.
	_, ok, _ := store.TryLock(context.Background(), "k:lock", 10*time.Second)
	require.True(t, ok)
	var fetches atomic.Int32
	sleep := func(ctx context.Context, d time.Duration) error { clk.Advance(d); return ctx.Err() }
	src := NewSource(SourceConfig{Key: "k", Store: store, Fetch: counting(clk, &fetches, nil), Now: clk.Now, Sleep: sleep, LockTTL: 10 * time.Second, PollEvery: time.Second})
	tok, err := src.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok.Value)
	assert.Equal(t, int32(1), fetches.Load())
}

func TestSourceBrokenLockStillFetches(t *testing.T) {
	t.Parallel()
	clk := newClock()
	store := &lockStore{MemoryStore: NewMemoryStore(clk.Now), held: map[string]time.Time{}, now: clk.Now, broken: true}
	var fetches atomic.Int32
	src := NewSource(SourceConfig{Key: "k", Store: store, Fetch: counting(clk, &fetches, nil), Now: clk.Now})
	tok, err := src.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok.Value)
}

func TestSourceForcedRefresh(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var fetches atomic.Int32
	src := NewSource(SourceConfig{Key: "k", Store: NewMemoryStore(clk.Now), Fetch: counting(clk, &fetches, nil), Now: clk.Now})
	ctx := context.Background()
	tok, _ := src.Token(ctx)
	assert.Equal(t, "tok-1", tok.Value)
	tok, err := src.Refresh(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok-2", tok.Value, "fetched although tok-1 was fresh")
	tok, _ = src.Token(ctx)
	assert.Equal(t, "tok-2", tok.Value, "and stored")

	// Forced refreshes and ordinary fetches never overlap in one process:
	// with a rotating refresh token, two at once would kill one's token.
	var inFlight, maxInFlight atomic.Int32
	src2 := NewSource(SourceConfig{Key: "k", Store: NewMemoryStore(clk.Now), Now: clk.Now,
		Fetch: func(context.Context, Token, bool) (Token, error) {
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for {
				m := maxInFlight.Load()
				if n <= m || maxInFlight.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(time.Millisecond) // hold the fetch open so overlaps would show
			return Token{Value: "t", ObtainedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)}, nil
		}})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				_, err = src2.Refresh(ctx)
			} else {
				src2.Invalidate(ctx, "t")
				_, err = src2.Token(ctx)
			}
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), maxInFlight.Load())
}

func TestSourceKeepsRefreshTokenAfterInvalidate(t *testing.T) {
	t.Parallel()
	clk := newClock()
	var seen []string
	src := NewSource(SourceConfig{Key: "k", Store: NewMemoryStore(clk.Now), Now: clk.Now, Fetch: func(_ context.Context, cur Token, ok bool) (Token, error) {
		seen = append(seen, cur.Refresh)
		n := len(seen)
		return Token{Value: fmt.Sprint("a", n), Refresh: fmt.Sprint("r", n), ObtainedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour), RefreshExpiresAt: clk.Now().Add(30 * 24 * time.Hour)}, nil
	}})
	ctx := context.Background()
	tok, _ := src.Token(ctx)
	src.Invalidate(ctx, tok.Value) // drops the stored pair
	_, _ = src.Token(ctx)
	assert.Equal(t, []string{"", "r1"}, seen, "the refresh token of the invalidated pair is still used")
}
