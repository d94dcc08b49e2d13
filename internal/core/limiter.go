package core

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Pacing: the client paces slightly under the configured rate, so that the
// jitter between sending and the vendor's arrival clock does not bunch two
// requests into one of the vendor's slots (a vendor bucket exactly equal to
// ours rejects a request that arrives a millisecond early).
const pacing = 0.97

// adaptive is implemented by limiters that react to the vendor's throttling.
type adaptive interface {
	// Throttled reports a 429 or rate-limit code; wait is the vendor's
	// Retry-After (0 if none).
	Throttled(wait time.Duration)
	// Succeeded reports an answer that was not throttled.
	Succeeded()
}

// AdaptiveLimiter is the limiter of WithRateLimit: a token bucket paced a
// little under the configured rate that halves its rate when the vendor
// throttles (HTTP 429 or a rate-limit code) and recovers gradually (a
// twentieth of the configured rate per successful answer).
type AdaptiveLimiter struct {
	lim  *rate.Limiter
	base rate.Limit
	now  func() time.Time

	mu  sync.Mutex
	cur rate.Limit
}

// NewAdaptiveLimiter returns a limiter allowing about perSecond requests with
// the given burst. now may be nil (time.Now).
func NewAdaptiveLimiter(perSecond float64, burst int, now func() time.Time) *AdaptiveLimiter {
	if now == nil {
		now = time.Now
	}
	base := rate.Limit(perSecond * pacing)
	return &AdaptiveLimiter{lim: rate.NewLimiter(base, burst), base: base, cur: base, now: now}
}

// Wait blocks until a request may be sent or ctx ends.
func (l *AdaptiveLimiter) Wait(ctx context.Context) error { return l.lim.Wait(ctx) }

// Throttled halves the rate (down to a tenth of the configured one).
func (l *AdaptiveLimiter) Throttled(time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cur = max(l.cur/2, l.base/10)
	l.lim.SetLimitAt(l.now(), l.cur)
}

// Succeeded raises the rate back towards the configured one.
func (l *AdaptiveLimiter) Succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cur >= l.base {
		return
	}
	l.cur = min(l.base, l.cur+l.base/20)
	l.lim.SetLimitAt(l.now(), l.cur)
}

// Rate reports the current paced rate (diagnostics and tests).
func (l *AdaptiveLimiter) Rate() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return float64(l.cur)
}

// sharedBackoff wraps a limiter that cannot adapt itself (for example one
// shared through Redis): after a throttled answer every call of this client
// waits out a cool-down before asking the shared limiter, so that the
// replicas back off together rather than hammering the vendor.
type sharedBackoff struct {
	inner Limiter
	now   func() time.Time
	sleep func(context.Context, time.Duration) error

	mu    sync.Mutex
	until time.Time
	step  time.Duration
}

func newSharedBackoff(inner Limiter, now func() time.Time, sleep func(context.Context, time.Duration) error) *sharedBackoff {
	return &sharedBackoff{inner: inner, now: now, sleep: sleep}
}

func (s *sharedBackoff) Wait(ctx context.Context) error {
	s.mu.Lock()
	d := s.until.Sub(s.now())
	s.mu.Unlock()
	if d > 0 {
		if err := s.sleep(ctx, d); err != nil {
			return err
		}
	}
	return s.inner.Wait(ctx)
}

func (s *sharedBackoff) Throttled(wait time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.step = min(max(s.step*2, 50*time.Millisecond), 2*time.Second)
	s.until = s.now().Add(max(wait, s.step))
	if a, ok := s.inner.(adaptive); ok {
		a.Throttled(wait)
	}
}

func (s *sharedBackoff) Succeeded() {
	s.mu.Lock()
	s.step /= 2
	s.mu.Unlock()
	if a, ok := s.inner.(adaptive); ok {
		a.Succeeded()
	}
}
