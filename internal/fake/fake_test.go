package fake

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// manualClock is a clock tests move by hand.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// serveOnce runs one request for op through i and reports the status and
// whether the operation ran.
func serveOnce(i *Injector, op string) (status int, applied bool) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	i.Serve(w, r, op, func() (int, []byte) {
		applied = true
		return http.StatusOK, []byte(`{}`)
	})
	return w.Code, applied
}

func TestEnforceRate(t *testing.T) {
	t.Parallel()
	type step struct {
		advance time.Duration // before the requests
		n       int           // requests sent
		ok      int           // how many must pass (the first ok of them)
	}
	tests := []struct {
		name      string
		perSecond float64
		burst     int
		steps     []step
	}{
		{"burst then refill", 10, 2, []step{
			{0, 3, 2},                       // the burst, then empty
			{50 * time.Millisecond, 1, 0},   // half a token
			{50 * time.Millisecond, 2, 1},   // one token
			{time.Second, 5, 2},             // refilled to the burst, not beyond
			{300 * time.Millisecond, 4, 2},  // 3 tokens, capped at 2
			{100 * time.Millisecond, 1, 1},  // exactly the rate
			{1000 * time.Millisecond, 0, 0}, // idle
		}},
		{"burst below one is one", 100, 0, []step{{0, 2, 1}, {10 * time.Millisecond, 2, 1}}},
		{"off", 0, 1, []step{{0, 50, 50}}},
		{"steady at the rate", 50, 1, []step{
			{0, 1, 1}, {20 * time.Millisecond, 1, 1}, {20 * time.Millisecond, 1, 1},
			{10 * time.Millisecond, 1, 0}, {10 * time.Millisecond, 1, 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := &manualClock{t: time.Unix(1_700_000_000, 0)}
			i := NewInjector()
			i.now = clk.now
			i.EnforceRate(tt.perSecond, tt.burst)
			sent, rejected := 0, 0
			for si, s := range tt.steps {
				clk.advance(s.advance)
				for k := range s.n {
					status, applied := serveOnce(i, "op")
					sent++
					wantOK := k < s.ok
					if wantOK && (status != http.StatusOK || !applied) {
						t.Fatalf("step %d request %d: status %d applied %v, want 200 and applied", si, k, status, applied)
					}
					if !wantOK {
						rejected++
						if status != http.StatusTooManyRequests || applied {
							t.Fatalf("step %d request %d: status %d applied %v, want 429 and not applied", si, k, status, applied)
						}
					}
				}
			}
			if got := i.RateRejected(); got != rejected {
				t.Errorf("RateRejected = %d, want %d", got, rejected)
			}
			if got := i.Count("op"); got != sent {
				t.Errorf("Count = %d, want %d (rejected requests count too)", got, sent)
			}
		})
	}
}

func TestEnforceRateKeepsFaultsAndResets(t *testing.T) {
	t.Parallel()
	clk := &manualClock{t: time.Unix(1_700_000_000, 0)}
	i := NewInjector()
	i.now = clk.now
	i.EnforceRate(1, 1)
	if status, _ := serveOnce(i, "a"); status != http.StatusOK {
		t.Fatalf("first request: %d", status)
	}
	i.Add(Fault{Op: "a", Status: http.StatusServiceUnavailable})
	// Over the rate: 429, and the queued fault is left for a later request.
	w := httptest.NewRecorder()
	i.Serve(w, httptest.NewRequest(http.MethodPost, "/", nil), "a", func() (int, []byte) { return 200, nil })
	if w.Code != http.StatusTooManyRequests || w.Body.String() != RateLimitedBody || w.Header().Get("Retry-After") != "" {
		t.Fatalf("over the rate: %d %q %q", w.Code, w.Body.String(), w.Header().Get("Retry-After"))
	}
	clk.advance(time.Second)
	if status, applied := serveOnce(i, "a"); status != http.StatusServiceUnavailable || applied {
		t.Fatalf("queued fault: %d applied %v", status, applied)
	}
	if got := i.RateRejected(); got != 1 {
		t.Fatalf("RateRejected = %d, want 1", got)
	}
	// A new EnforceRate starts full and forgets the rejections.
	i.EnforceRate(1, 2)
	if got := i.RateRejected(); got != 0 {
		t.Fatalf("RateRejected after reset = %d", got)
	}
	for k := range 2 {
		if status, _ := serveOnce(i, "b"); status != http.StatusOK {
			t.Fatalf("request %d after reset: %d", k, status)
		}
	}
	// Turning it off lets everything through.
	i.EnforceRate(0, 0)
	for k := range 10 {
		if status, _ := serveOnce(i, "b"); status != http.StatusOK {
			t.Fatalf("request %d with enforcement off: %d", k, status)
		}
	}
	if got := i.Count(""); got != 15 {
		t.Fatalf("Count = %d, want 15", got)
	}
}

func TestEnforceRateConcurrent(t *testing.T) {
	t.Parallel()
	clk := &manualClock{t: time.Unix(1_700_000_000, 0)}
	i := NewInjector()
	i.now = clk.now
	i.EnforceRate(1, 10) // the clock stands still: exactly 10 pass
	var wg sync.WaitGroup
	var mu sync.Mutex
	passed := 0
	for range 100 {
		wg.Go(func() {
			if status, _ := serveOnce(i, "op"); status == http.StatusOK {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if passed != 10 || i.RateRejected() != 90 || i.Count("op") != 100 {
		t.Fatalf("passed %d, rejected %d, counted %d; want 10, 90, 100", passed, i.RateRejected(), i.Count("op"))
	}
}
