package redisstore

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func claimOf(t *testing.T, d *Deduper, key string) ClaimState {
	t.Helper()
	st, err := d.Claim(bg, key)
	require.NoError(t, err)
	return st
}

// Two "processes" (each its own Deduper and connection) share what was
// handled, what runs now, and what failed.
func TestDeduperSharedAcrossProcesses(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	a := NewDeduper(r.client(t), "cb:", time.Hour)
	b := NewDeduper(r.client(t), "cb:", time.Hour)

	assert.Equal(t, ClaimNew, claimOf(t, a, "weiling:e1"))
	assert.Equal(t, ClaimBusy, claimOf(t, b, "weiling:e1"), "running in the other process")
	assert.Equal(t, ClaimBusy, claimOf(t, a, "weiling:e1"), "running in this process")
	require.NoError(t, a.Release(bg, "weiling:e1", true))
	assert.Equal(t, ClaimDone, claimOf(t, b, "weiling:e1"))
	assert.Equal(t, ClaimDone, claimOf(t, a, "weiling:e1"))
	rdb := r.client(t)
	assert.Equal(t, "done", rdb.Get(bg, "cb:weiling:e1").Val())
	ttl := rdb.PTTL(bg, "cb:weiling:e1").Val()
	assert.True(t, ttl > 59*time.Minute && ttl <= time.Hour, "done for ttl: %v", ttl)

	// A failed run forgets the key: the redelivery runs it again.
	assert.Equal(t, ClaimNew, claimOf(t, a, "weiling:e2"))
	require.NoError(t, a.Release(bg, "weiling:e2", false))
	assert.Equal(t, ClaimNew, claimOf(t, b, "weiling:e2"))
	require.NoError(t, b.Release(bg, "weiling:e2", true))
	assert.Equal(t, ClaimDone, claimOf(t, a, "weiling:e2"))
}

// Many concurrent deliveries of one event over several processes: exactly
// one claims it.
func TestDeduperConcurrentClaims(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	var ds []*Deduper
	for range 4 {
		ds = append(ds, NewDeduper(r.client(t), "cc:", time.Hour))
	}
	var mu sync.Mutex
	got := map[ClaimState]int{}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			st, err := ds[i%4].Claim(bg, "k")
			assert.NoError(t, err)
			mu.Lock()
			got[st]++
			mu.Unlock()
		})
	}
	wg.Wait()
	assert.Equal(t, map[ClaimState]int{ClaimNew: 1, ClaimBusy: 39}, got)
}

// The running marker of a process that died expires after the running TTL,
// and a handled key after ttl.
func TestDeduperExpiry(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	a := NewDeduper(r.client(t), "ex:", 400*time.Millisecond, WithRunningTTL(150*time.Millisecond))
	b := NewDeduper(r.client(t), "ex:", 400*time.Millisecond)
	assert.Equal(t, 400*time.Millisecond, b.runningTTL, "the running TTL is at most ttl")

	assert.Equal(t, ClaimNew, claimOf(t, a, "dead")) // a dies without releasing
	assert.Equal(t, ClaimBusy, claimOf(t, b, "dead"))
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, ClaimNew, claimOf(t, b, "dead"), "the marker expired")
	require.NoError(t, b.Release(bg, "dead", true))
	assert.Equal(t, ClaimDone, claimOf(t, a, "dead"))
	time.Sleep(450 * time.Millisecond)
	assert.Equal(t, ClaimNew, claimOf(t, a, "dead"), "forgotten after ttl")
}

// A holder whose marker expired and was taken over cannot delete the new
// holder's marker; its success still marks the event done.
func TestDeduperReleaseOnlyDeletesItsOwnMarker(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	a := NewDeduper(r.client(t), "own:", time.Hour, WithRunningTTL(100*time.Millisecond))
	b := NewDeduper(r.client(t), "own:", time.Hour)
	c := NewDeduper(r.client(t), "own:", time.Hour)
	assert.Equal(t, ClaimNew, claimOf(t, a, "k"))
	time.Sleep(150 * time.Millisecond) // a runs longer than its marker lives
	assert.Equal(t, ClaimNew, claimOf(t, b, "k"))
	require.NoError(t, a.Release(bg, "k", false))
	assert.Equal(t, ClaimBusy, claimOf(t, c, "k"), "b's marker survived a's release")
	require.NoError(t, b.Release(bg, "k", true))
	assert.Equal(t, ClaimDone, claimOf(t, c, "k"))
}

// Redis killed: the deduper works in this process (new, busy, done, and a
// failed run forgotten), without errors or waits, logs the outage once, and
// is shared again after a restart; what it handled meanwhile stays done
// here.
func TestDeduperDegradesAndRecovers(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	var logs logRecorder
	d := NewDeduper(r.client(t), "dg:", time.Hour, WithLogger(logs.logger()), WithProbeInterval(50*time.Millisecond), WithCommandTimeout(200*time.Millisecond))
	assert.Equal(t, ClaimNew, claimOf(t, d, "before"))
	require.NoError(t, d.Release(bg, "before", true))

	r.Kill()
	start := time.Now()
	assert.Equal(t, ClaimNew, claimOf(t, d, "e1"))
	assert.Equal(t, ClaimBusy, claimOf(t, d, "e1"))
	require.NoError(t, d.Release(bg, "e1", true))
	assert.Equal(t, ClaimDone, claimOf(t, d, "e1"))
	assert.Equal(t, ClaimNew, claimOf(t, d, "e2"))
	require.NoError(t, d.Release(bg, "e2", false))
	assert.Equal(t, ClaimNew, claimOf(t, d, "e2"), "a failed run is forgotten")
	require.NoError(t, d.Release(bg, "e2", true))
	assert.Less(t, time.Since(start), 600*time.Millisecond, "at most one command timeout, once")
	assert.Equal(t, 1, logs.count("WARN"), "%s", &logs)

	r.Restart()
	require.True(t, eventually(3*time.Second, func() bool {
		_, _ = d.Claim(bg, "probe")
		_ = d.Release(bg, "probe", false)
		return !d.h.degraded()
	}))
	other := NewDeduper(r.client(t), "dg:", time.Hour)
	assert.Equal(t, ClaimNew, claimOf(t, d, "e3"))
	assert.Equal(t, ClaimBusy, claimOf(t, other, "e3"), "shared again")
	assert.Equal(t, ClaimDone, claimOf(t, d, "e1"), "handled during the outage: still done here")
	assert.Equal(t, 1, logs.count("WARN"), "%s", &logs)
	assert.Equal(t, 1, logs.count("INFO"), "%s", &logs)
}

// A frozen Redis costs a claim one command timeout, then nothing.
func TestDeduperFrozenRedisDoesNotBlock(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	d := NewDeduper(r.client(t), "fz:", time.Hour, WithCommandTimeout(100*time.Millisecond), WithProbeInterval(time.Hour))
	assert.Equal(t, ClaimNew, claimOf(t, d, "warm"))
	r.Freeze()
	defer r.Thaw()
	start := time.Now()
	assert.Equal(t, ClaimNew, claimOf(t, d, "e"))
	assert.Less(t, time.Since(start), 400*time.Millisecond)
	start = time.Now()
	require.NoError(t, d.Release(bg, "e", true))
	for i := range 100 {
		st := claimOf(t, d, "e")
		require.Equal(t, ClaimDone, st, "claim %d", i)
	}
	assert.Less(t, time.Since(start), 50*time.Millisecond)
}
