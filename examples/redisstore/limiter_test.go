package redisstore

import (
	"context"
	"math"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// grants runs n Waits spread over the limiters (each a "process" with its
// own connection), workers goroutines per limiter, and returns the times
// the Waits returned, sorted.
func grants(t *testing.T, lims []*Limiter, workers, n int) []time.Time {
	t.Helper()
	jobs := make(chan struct{}, n)
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	var mu sync.Mutex
	var at []time.Time
	var wg sync.WaitGroup
	for _, l := range lims {
		for range workers {
			wg.Go(func() {
				for range jobs {
					ctx, cancel := context.WithTimeout(bg, 5*time.Second)
					err := l.Wait(ctx)
					cancel()
					assert.NoError(t, err)
					mu.Lock()
					at = append(at, time.Now())
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	return at
}

// Two "processes" sharing one key together get the rate, not twice it.
func TestLimiterIsSharedAcrossClients(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	const rate, n = 50.0, 31
	lims := []*Limiter{NewLimiter(r.client(t), "shared", rate, 1), NewLimiter(r.client(t), "shared", rate, 1)}
	at := grants(t, lims, 3, n)
	span := at[n-1].Sub(at[0]).Seconds()
	got := float64(n-1) / span
	t.Logf("%d grants in %.3f s: %.1f/s for a rate of %.0f/s (paced at %.1f/s)", n, span, got, rate, rate*Pacing)
	assert.LessOrEqual(t, got, rate*1.03, "never over the rate (but for the noise of when Wait returned)")
	report(t, got/rate, 0.9, "shared rate / R")
}

func TestLimiterBurst(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	l := NewLimiter(r.client(t), "burst", 2, 5) // one every ~0.5 s after a burst of 5
	start := time.Now()
	for range 5 {
		require.NoError(t, l.Wait(bg))
	}
	assert.Less(t, time.Since(start), 200*time.Millisecond, "the burst goes at once")
	ctx, cancel := context.WithTimeout(bg, 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	err := l.Wait(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the next slot is ~0.5 s away")
	assert.Less(t, time.Since(start), 50*time.Millisecond, "known at once, not after waiting")
}

func TestLimiterHonoursContext(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	l := NewLimiter(r.client(t), "ctx", 1, 1)
	require.NoError(t, l.Wait(bg))
	ctx, cancel := context.WithCancel(bg)
	cancel()
	assert.ErrorIs(t, l.Wait(ctx), context.Canceled)

	// A caller queued behind another one's wait leaves when its context ends.
	ctx, cancel = context.WithTimeout(bg, 2*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx) }() // waits ~1 s for the next slot
	time.Sleep(20 * time.Millisecond)
	short, cancel2 := context.WithTimeout(bg, 50*time.Millisecond)
	defer cancel2()
	start := time.Now()
	assert.ErrorIs(t, l.Wait(short), context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 300*time.Millisecond)
	assert.NoError(t, <-done)
}

func TestNewLimiterRejectsNonsense(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	rdb := r.client(t)
	for _, rate := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		assert.Panics(t, func() { NewLimiter(rdb, "k", rate, 1) }, "rate %v", rate)
	}
	assert.Panics(t, func() { NewLimiter(rdb, "", 1, 1) })
	assert.NotPanics(t, func() { NewLimiter(rdb, "k", 0.5, 0) }, "burst 0 is taken as 1")
}

// Redis killed: Wait paces this process alone at the same rate, never
// waits for Redis, and logs the outage once; after a restart it is shared
// again.
func TestLimiterDegradesAndRecovers(t *testing.T) {
	t.Parallel()
	r := startRedis(t)
	var logs logRecorder
	const rate = 100.0
	l := NewLimiter(r.client(t), "down", rate, 1, WithLogger(logs.logger()), WithProbeInterval(100*time.Millisecond), WithCommandTimeout(200*time.Millisecond))
	require.NoError(t, l.Wait(bg))

	r.Kill()
	at := grants(t, []*Limiter{l}, 4, 41)
	span := at[len(at)-1].Sub(at[0]).Seconds()
	got := float64(len(at)-1) / span
	t.Logf("degraded: %.1f/s for a rate of %.0f/s", got, rate)
	assert.LessOrEqual(t, got, rate*1.01, "still paced")
	report(t, got/rate, 0.8, "degraded rate / R (not slowed by the dead Redis)")
	assert.Equal(t, 1, logs.count("WARN"), "%s", &logs)

	r.Restart()
	require.True(t, eventually(3*time.Second, func() bool {
		_ = l.Wait(bg)
		return !l.h.degraded()
	}))
	other := NewLimiter(r.client(t), "down", rate, 1)
	at = grants(t, []*Limiter{l, other}, 2, 21)
	got = float64(len(at)-1) / at[len(at)-1].Sub(at[0]).Seconds()
	assert.LessOrEqual(t, got, rate, "shared again")
	assert.Equal(t, 1, logs.count("WARN"), "%s", &logs)
	assert.Equal(t, 1, logs.count("INFO"), "%s", &logs)
}
