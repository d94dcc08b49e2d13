package redisstore

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var bg = context.Background()

func TestTokenStoreRoundTripAndDeleteIfEqual(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	rdb := r.client(t)
	s := NewTokenStore(rdb, WithPrefix("svc:"))
	other := NewTokenStore(r.client(t), WithPrefix("svc:")) // another process

	_, ok, err := s.Get(bg, "jing:app")
	require.NoError(t, err)
	assert.False(t, ok)

	now := time.Now().Truncate(time.Millisecond)
	want := Token{Value: "acc", Refresh: "ref", ObtainedAt: now, ExpiresAt: now.Add(time.Hour), RefreshExpiresAt: now.Add(30 * 24 * time.Hour)}
	require.NoError(t, s.Set(bg, "jing:app", want, time.Hour))
	got, ok, err := other.Get(bg, "jing:app")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "acc", got.Value)
	assert.Equal(t, "ref", got.Refresh, "the refresh token is stored with the access token")
	assert.True(t, want.ExpiresAt.Equal(got.ExpiresAt))
	assert.True(t, want.RefreshExpiresAt.Equal(got.RefreshExpiresAt))
	pttl := rdb.PTTL(bg, "svc:jing:app").Val()
	assert.True(t, pttl > 59*time.Minute && pttl <= time.Hour, "the key expires with the token: %v", pttl)

	// A rotation replaces the pair at once.
	require.NoError(t, other.Set(bg, "jing:app", Token{Value: "acc2", Refresh: "ref2", ExpiresAt: now.Add(time.Hour)}, time.Hour))
	got, _, _ = s.Get(bg, "jing:app")
	assert.Equal(t, [2]string{"acc2", "ref2"}, [2]string{got.Value, got.Refresh})

	require.NoError(t, s.Delete(bg, "jing:app", "acc"), "a stale token")
	_, ok, _ = other.Get(bg, "jing:app")
	assert.True(t, ok, "delete-if-equal keeps a different token")
	require.NoError(t, s.Delete(bg, "jing:app", "acc2"))
	_, ok, _ = other.Get(bg, "jing:app")
	assert.False(t, ok)
	_, ok, _ = s.Get(bg, "jing:app")
	assert.False(t, ok, "nor does the deleting process keep a local copy")

	rdb.Set(bg, "svc:garbage", "not json", 0)
	_, _, err = s.Get(bg, "garbage")
	assert.Error(t, err, "a value that is not a token")
}

func TestTokenStoreReadsRedistokenKeys(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	rdb := r.client(t)
	// What examples/redistoken wrote: the same JSON under the same prefix.
	rdb.Set(bg, "cluekit:token:wshoto:app", `{"value":"v","expires_at":"2030-01-02T03:04:05Z","obtained_at":"2030-01-02T01:04:05Z"}`, time.Hour)
	tok, ok, err := NewTokenStore(rdb).Get(bg, "wshoto:app")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "v", tok.Value)
}

func TestTokenStoreLockIsReleasedOnlyByItsOwner(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	a := NewTokenStore(r.client(t), WithPrefix("p:"))
	b := NewTokenStore(r.client(t), WithPrefix("p:"))

	unlock, ok, err := a.TryLock(bg, "k:lock", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	_, ok, err = b.TryLock(bg, "k:lock", time.Minute)
	require.NoError(t, err)
	assert.False(t, ok, "held by another process")
	_, ok, _ = a.TryLock(bg, "k:lock", time.Minute)
	assert.False(t, ok, "held, also for its own process")
	require.NoError(t, unlock(bg))

	unlock2, ok, err := b.TryLock(bg, "k:lock", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, unlock(bg), "a stale unlock is a no-op")
	_, ok, _ = a.TryLock(bg, "k:lock", time.Minute)
	assert.False(t, ok, "the stale unlock did not release the new holder's lock")
	require.NoError(t, unlock2(bg))

	// A holder that dies releases the lock by expiry.
	_, ok, _ = a.TryLock(bg, "k:lock", 100*time.Millisecond)
	require.True(t, ok)
	assert.True(t, eventually(2*time.Second, func() bool {
		_, ok, _ := b.TryLock(bg, "k:lock", time.Minute)
		return ok
	}), "the lock expired")
}

// Redis killed under a store that holds a token: Get answers the token it
// holds, Set and Delete work in-process, locks are in-process, no call
// returns an error or waits, and the outage is logged once; after a
// restart the store is shared again (and says so once).
func TestTokenStoreDegradesAndRecovers(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	var logs logRecorder
	s := NewTokenStore(r.client(t), WithLogger(logs.logger()), WithProbeInterval(50*time.Millisecond), WithCommandTimeout(200*time.Millisecond))
	tok := Token{Value: "v1", ExpiresAt: time.Now().Add(time.Hour)}
	require.NoError(t, s.Set(bg, "k", tok, time.Hour))

	r.Kill()
	for range 50 {
		start := time.Now()
		got, ok, err := s.Get(bg, "k")
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, "v1", got.Value)
		assert.Less(t, time.Since(start), 450*time.Millisecond, "at most one command timeout")
		time.Sleep(2 * time.Millisecond)
	}
	unlock, ok, err := s.TryLock(bg, "k:lock", time.Minute)
	require.NoError(t, err)
	require.True(t, ok, "in-process lock")
	_, ok, _ = s.TryLock(bg, "k:lock", time.Minute)
	assert.False(t, ok, "held in-process")
	require.NoError(t, unlock(bg))
	_, ok, _ = s.TryLock(bg, "k:lock", time.Minute)
	assert.True(t, ok, "released in-process")

	require.NoError(t, s.Set(bg, "k", Token{Value: "v2", ExpiresAt: time.Now().Add(time.Hour)}, time.Hour))
	got, _, _ := s.Get(bg, "k")
	assert.Equal(t, "v2", got.Value)
	require.NoError(t, s.Delete(bg, "k", "v1"), "stale: kept")
	got, _, _ = s.Get(bg, "k")
	assert.Equal(t, "v2", got.Value)
	require.NoError(t, s.Delete(bg, "k", "v2"))
	_, ok, _ = s.Get(bg, "k")
	assert.False(t, ok)
	assert.Equal(t, 1, logs.count("WARN"), "one warning per outage:\n%s", &logs)

	r.Restart()
	require.True(t, eventually(2*time.Second, func() bool { _, _, _ = s.Get(bg, "k"); return !s.h.degraded() }))
	require.NoError(t, s.Set(bg, "k", Token{Value: "v3", ExpiresAt: time.Now().Add(time.Hour)}, time.Hour))
	other := NewTokenStore(r.client(t))
	got, ok, _ = other.Get(bg, "k")
	require.True(t, ok, "shared again")
	assert.Equal(t, "v3", got.Value)
	assert.Equal(t, 1, logs.count("WARN"), "%s", &logs)
	assert.Equal(t, 1, logs.count("INFO redisstore: Redis reachable again"), "%s", &logs)
	assert.NotContains(t, logs.String(), "v1", "no token in the log")
}

// A Redis that stops answering (frozen, connections open) costs one
// command timeout, then calls go in-process without waiting; the caller's
// context bounds every call.
func TestTokenStoreFrozenRedisDoesNotBlock(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	s := NewTokenStore(r.client(t), WithCommandTimeout(100*time.Millisecond), WithProbeInterval(time.Hour))
	require.NoError(t, s.Set(bg, "k", Token{Value: "v", ExpiresAt: time.Now().Add(time.Hour)}, time.Hour))

	r.Freeze()
	defer r.Thaw()
	ctx, cancel := context.WithTimeout(bg, 20*time.Millisecond)
	start := time.Now()
	_, _, err := s.Get(ctx, "k")
	cancel()
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the caller's deadline comes first")
	assert.Less(t, time.Since(start), 80*time.Millisecond)

	start = time.Now()
	tok, ok, err := s.Get(bg, "k")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "v", tok.Value)
	assert.Less(t, time.Since(start), 300*time.Millisecond, "one command timeout")
	start = time.Now()
	for range 100 {
		_, ok, err = s.Get(bg, "k")
		require.NoError(t, err)
		require.True(t, ok)
	}
	_, ok, err = s.TryLock(bg, "k:lock", time.Second)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Less(t, time.Since(start), 50*time.Millisecond, "no Redis wait while degraded")
}

// A store whose Redis was never there still works in-process.
func TestTokenStoreWithoutRedisFromTheStart(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	s := NewTokenStore(redis.NewClient(&redis.Options{Addr: addr}))
	_, ok, err := s.Get(bg, "k")
	require.NoError(t, err)
	assert.False(t, ok)
	require.NoError(t, s.Set(bg, "k", Token{Value: "v"}, 0))
	tok, ok, err := s.Get(bg, "k")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "v", tok.Value)
}
