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
const pacing = 0.985

// adaptive is implemented by limiters that react to the vendor's throttling.
type adaptive interface {
	// Throttled reports a 429 or rate-limit code; wait is the vendor's
	// Retry-After (0 if none).
	Throttled(wait time.Duration)
	// Succeeded reports an answer that was not throttled.
	Succeeded()
}

// AdaptiveLimiter is the limiter of WithRateLimit: a token bucket paced a
// little under the configured rate that slows down by a fifth when the
// vendor throttles (HTTP 429 or a rate-limit code) and recovers gradually (a
// fiftieth of the configured rate per successful answer). A throttled
// answer usually means two requests arrived bunched by scheduling jitter,
// not that the rate is wrong: a gentle decrease keeps the throughput near
// the quota while the extra spacing absorbs the jitter.
type AdaptiveLimiter struct {
	lim  *rate.Limiter
	base rate.Limit
	now  func() time.Time

	mu  sync.Mutex
	cur rate.Limit

	// The write gate: requests are written one at a time, each at least
	// one interval after the previous write, so that goroutines released
	// by the bucket together (or delayed between the bucket and the
	// socket) never reach the vendor bunched.
	gate      sync.Mutex
	lastWrite time.Time
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

// Throttled lowers the rate by a fifth (down to a tenth of the configured
// one).
func (l *AdaptiveLimiter) Throttled(time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cur = max(l.cur*0.8, l.base/10)
	l.lim.SetLimitAt(l.now(), l.cur)
}

// Succeeded raises the rate back towards the configured one.
func (l *AdaptiveLimiter) Succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cur >= l.base {
		return
	}
	l.cur = min(l.base, l.cur+l.base/50)
	l.lim.SetLimitAt(l.now(), l.cur)
}

// gateWrite lets requests through one at a time, each at least one
// interval after the previous one was actually written, and holds the gate
// until release is called (when the request was written, or failed before).
// A request delayed on its way to the socket (a goroutine descheduled, a GC
// pause) thus pushes the next one back instead of reaching the vendor
// bunched with it.
func (l *AdaptiveLimiter) gateWrite(ctx context.Context, sleep func(context.Context, time.Duration) error) (release func(), err error) {
	l.gate.Lock()
	l.mu.Lock()
	interval := time.Duration(float64(time.Second) / float64(l.cur))
	l.mu.Unlock()
	if !l.lastWrite.IsZero() {
		if d := interval - time.Since(l.lastWrite); d > 0 {
			if err := sleep(ctx, d); err != nil {
				l.gate.Unlock()
				return nil, err
			}
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			l.lastWrite = time.Now()
			l.gate.Unlock()
		})
	}, nil
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

// burstOne reports whether the bucket holds a single token: only then is
// every request spaced at the write as well (a larger burst is meant to
// let requests go together).
func (l *AdaptiveLimiter) burstOne() bool { return l.lim.Burst() <= 1 }
