package redisstore

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// Pacing is the fraction of the configured rate a Limiter lets requests go
// at, like the SDK's own WithRateLimit: the jitter between leaving the
// limiter and arriving at the vendor must not bunch two requests into one
// of the vendor's slots (a vendor bucket exactly equal to ours refuses a
// request that arrives a millisecond early).
const Pacing = 0.97

// earlyWake is how much earlier than the retry-after Redis answered a
// waiter asks again (and again, one round trip after the other, until it
// gets the slot or the slot is gone). Go's timers fire up to about a
// millisecond late, and with burst 1 a GCRA slot taken late is capacity
// lost for good: waking on time loses that lateness at every slot. Waking
// much earlier costs round trips that compete for the CPU with the requests
// themselves, and jitter there makes the vendor refuse some. Measured with
// 4 processes at 40/s against a vendor bucket of burst 1 (160 creates):
// 0 ms: 0.93 of R; 0.5 ms: 0.95; 1.5 ms: 0.95 (race detector: 0.88, 0.91,
// 0.86, with 4, 2 and 12 refusals).
const earlyWake = 500 * time.Microsecond

// Limiter is a Limiter (WithLimiter in every vendor package) shared by all
// the processes that use the same Redis key: together they stay within one
// vendor quota. It is GCRA (github.com/go-redis/redis_rate) on Redis's
// clock, one round trip per try; Wait sleeps the retry-after Redis answers
// (waking a little early) and tries again, one caller of a process at a
// time.
//
// It does not adapt itself: a client wraps it so that after a throttled
// answer (HTTP 429 or a rate-limit code) that client's calls first wait out
// a growing cool-down, and the call is retried.
//
// While Redis is unreachable each process paces itself with an in-process
// limiter at the same rate (N processes may then send up to N times the
// rate; the vendor's rate-limit answers are retried), and no Wait waits for
// Redis past the command timeout.
//
// It is safe for concurrent use.
type Limiter struct {
	rl    *redis_rate.Limiter
	key   string
	limit redis_rate.Limit
	local *rate.Limiter
	h     *health
	// turn lets one caller of this process at a time ask Redis, so that
	// the waiters of a process do not all wake and ask at each slot.
	turn chan struct{}
}

// NewLimiter returns a Limiter allowing perSecond requests (times Pacing)
// with the given burst (at least 1), shared by every process using key on
// the same Redis (the Redis key is "rate:"+key). Give all replicas the same
// key, rate and burst. Options: WithLogger, WithCommandTimeout,
// WithProbeInterval.
//
// With a vendor that allows no burst, keep burst 1. NewLimiter panics if
// perSecond is not a positive finite number or key is empty.
func NewLimiter(rdb redis.UniversalClient, key string, perSecond float64, burst int, opts ...Option) *Limiter {
	if rdb == nil {
		panic("redisstore: NewLimiter: nil Redis client")
	}
	if key == "" {
		panic("redisstore: NewLimiter: empty key")
	}
	if !(perSecond > 0) || math.IsInf(perSecond, 0) {
		panic(fmt.Sprintf("redisstore: NewLimiter: perSecond %v is not a positive rate", perSecond))
	}
	burst = max(burst, 1)
	o := newOptions(opts)
	paced := perSecond * Pacing
	return &Limiter{
		rl:  redis_rate.NewLimiter(rdb),
		key: key,
		// One request per emission interval: redis_rate's Rate is an
		// integer per Period, and a Period of one interval keeps any
		// fractional rate exact.
		limit: redis_rate.Limit{Rate: 1, Period: time.Duration(float64(time.Second) / paced), Burst: burst},
		local: rate.NewLimiter(rate.Limit(paced), burst),
		h:     newHealth("limiter", "paces this process alone at the same rate", rdb, o),
		turn:  make(chan struct{}, 1),
	}
}

// Wait blocks until a request may be sent, or returns ctx's error when ctx
// ends first. When the next free slot is past ctx's deadline it returns at
// once, with an error matching context.DeadlineExceeded.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case l.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-l.turn }()
	for {
		res, out, err := redisCall(ctx, l.h, func(ctx context.Context) (*redis_rate.Result, error) {
			return l.rl.Allow(ctx, l.key, l.limit)
		})
		switch out {
		case ctxDone:
			return err
		case inProcess:
			return l.waitLocal(ctx)
		}
		if res.Allowed > 0 {
			return nil
		}
		if err := sleepWithin(ctx, res.RetryAfter-earlyWake); err != nil {
			return err
		}
	}
}

// waitLocal paces this process alone.
func (l *Limiter) waitLocal(ctx context.Context) error {
	r := l.local.Reserve()
	d := r.Delay()
	if d == 0 {
		return nil
	}
	if err := sleepWithin(ctx, d); err != nil {
		r.Cancel()
		return err
	}
	return nil
}

// sleepWithin waits d, or fails at once when d ends past ctx's deadline.
func sleepWithin(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return fmt.Errorf("redisstore: limiter: the next free slot (in %v) is past the context deadline: %w", d.Round(time.Microsecond), context.DeadlineExceeded)
	}
	return sleepCtx(ctx, d)
}
