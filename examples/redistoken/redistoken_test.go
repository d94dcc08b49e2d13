package redistoken

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/token"
)

// startRedis runs a throwaway redis-server on a free loopback port. Outside
// CI the test skips when no redis-server binary exists; with
// CLUEKIT_REQUIRE_REDIS=1 (set by .ci/run) a missing binary is a failure.
func startRedis(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CLUEKIT_REQUIRE_REDIS") != "" {
			t.Fatal("redis-server not found but CLUEKIT_REQUIRE_REDIS is set (install it: apt-get install -y redis-server)")
		}
		t.Skip("redis-server not installed: skipping the Redis token store tests (apt-get install -y redis-server to run them)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	for i := 0; ; i++ {
		if rdb.Ping(context.Background()).Err() == nil {
			return addr
		}
		if i > 200 {
			t.Fatal("redis-server did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func newStore(t *testing.T, addr string) *Store {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = rdb.Close() })
	return New(rdb, WithPrefix(t.Name()+":"))
}

func TestStoreRoundTripAndDeleteIfEqual(t *testing.T) {
	t.Parallel()
	s := newStore(t, startRedis(t))
	ctx := context.Background()
	_, ok, err := s.Get(ctx, "k")
	require.NoError(t, err)
	assert.False(t, ok)

	now := time.Now().Truncate(time.Millisecond)
	want := token.Token{Value: "acc", Refresh: "ref", ObtainedAt: now, ExpiresAt: now.Add(time.Hour), RefreshExpiresAt: now.Add(30 * 24 * time.Hour)}
	require.NoError(t, s.Set(ctx, "k", want, time.Hour))
	got, ok, err := s.Get(ctx, "k")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, want.Value, got.Value)
	assert.Equal(t, want.Refresh, got.Refresh, "the refresh token is stored with the access token")
	assert.True(t, want.ExpiresAt.Equal(got.ExpiresAt))

	require.NoError(t, s.Delete(ctx, "k", "other"))
	_, ok, _ = s.Get(ctx, "k")
	assert.True(t, ok, "delete-if-equal keeps a different token")
	require.NoError(t, s.Delete(ctx, "k", "acc"))
	_, ok, _ = s.Get(ctx, "k")
	assert.False(t, ok)
}

func TestLockIsReleasedOnlyByItsOwner(t *testing.T) {
	t.Parallel()
	s := newStore(t, startRedis(t))
	ctx := context.Background()
	unlock, ok, err := s.TryLock(ctx, "k:lock", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, err = s.TryLock(ctx, "k:lock", time.Minute)
	require.NoError(t, err)
	assert.False(t, ok, "held")
	require.NoError(t, unlock(ctx))
	unlock2, ok, err := s.TryLock(ctx, "k:lock", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, unlock(ctx), "a stale unlock is a no-op")
	_, ok, _ = s.TryLock(ctx, "k:lock", time.Minute)
	assert.False(t, ok, "the stale unlock did not release the new holder's lock")
	require.NoError(t, unlock2(ctx))
}

// Four clients, each with its own Redis connection and token source (as four
// processes would have), on a cold cache: one token request in total.
func TestFourClientsColdCacheOneTokenRequest(t *testing.T) {
	t.Parallel()
	addr := startRedis(t)
	var fetches atomic.Int32
	fetch := func(ctx context.Context, _ token.Token, _ bool) (token.Token, error) {
		n := fetches.Add(1)
		time.Sleep(50 * time.Millisecond) // a token endpoint takes a while; the others must wait, not fetch
		return token.Token{Value: fmt.Sprintf("tok-%d", n), ExpiresAt: time.Now().Add(2 * time.Hour)}, nil
	}
	const clients = 4
	var wg sync.WaitGroup
	got := make(chan string, clients*25)
	for range clients {
		src := token.NewSource(token.SourceConfig{Key: "wshoto:app", Store: New(redis.NewClient(&redis.Options{Addr: addr}), WithPrefix(t.Name()+":")), Fetch: fetch, PollEvery: 5 * time.Millisecond})
		for range 25 { // and concurrent callers inside each client
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok, err := src.Token(context.Background())
				assert.NoError(t, err)
				got <- tok.Value
			}()
		}
	}
	wg.Wait()
	close(got)
	for v := range got {
		assert.Equal(t, "tok-1", v)
	}
	assert.Equal(t, int32(1), fetches.Load(), "token requests across 4 clients")
}

// A lock holder that died does not block the others past the lock's expiry.
func TestDeadLockHolderDoesNotBlockPastExpiry(t *testing.T) {
	t.Parallel()
	addr := startRedis(t)
	s := newStore(t, addr)
	ctx := context.Background()
	_, ok, err := s.TryLock(ctx, "k:lock", 300*time.Millisecond) // the holder dies without unlocking
	require.NoError(t, err)
	require.True(t, ok)
	var fetches atomic.Int32
	src := token.NewSource(token.SourceConfig{Key: "k", Store: s, PollEvery: 20 * time.Millisecond, FetchTimeout: 10 * time.Second,
		Fetch: func(context.Context, token.Token, bool) (token.Token, error) {
			fetches.Add(1)
			return token.Token{Value: "fresh", ExpiresAt: time.Now().Add(time.Hour)}, nil
		}})
	tok, err := src.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "fresh", tok.Value)
	assert.Equal(t, int32(1), fetches.Load())
}

// With Redis unreachable the client still gets a token (and keeps it).
func TestRedisDownStillWorks(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	s := New(redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 100 * time.Millisecond}))
	var fetches atomic.Int32
	src := token.NewSource(token.SourceConfig{Key: "k", Store: s, Fetch: func(context.Context, token.Token, bool) (token.Token, error) {
		fetches.Add(1)
		return token.Token{Value: "fresh", ExpiresAt: time.Now().Add(time.Hour)}, nil
	}})
	for range 3 {
		tok, err := src.Token(context.Background())
		require.NoError(t, err)
		assert.Equal(t, "fresh", tok.Value)
	}
	assert.Equal(t, int32(1), fetches.Load(), "the fresh token is kept in process while Redis is down")
}
