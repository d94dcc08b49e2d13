// Package fake is the shared machinery of the <vendor>test fake servers: a
// loopback httptest server, per-operation request counts, fault injection
// (status codes, delays, connection resets, malformed bodies), optionally
// applied after the operation took effect, and an optional rate limit
// enforced like a vendor quota (EnforceRate).
package fake

import (
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Fault is one injected misbehaviour.
type Fault struct {
	Op     string        // operation it applies to ("" = any)
	Status int           // answer with this HTTP status (0 = keep the real one)
	Header http.Header   // extra response headers, e.g. Retry-After
	Body   []byte        // answer with this body instead of the real one
	Delay  time.Duration // wait before answering (ends early if the client goes away)
	Reset  bool          // drop the connection without an answer
	// AfterApply lets the operation take effect first, then misbehaves:
	// the client cannot know the outcome (the ambiguous case).
	AfterApply bool
}

// Injector holds queued one-shot faults and an optional random fault rate.
type Injector struct {
	mu     sync.Mutex
	queue  []Fault
	rate   float64
	pool   []Fault
	rnd    *rand.Rand
	counts map[string]int

	// Rate enforcement (EnforceRate): a token bucket over all operations.
	ratePerSec float64
	rateBurst  float64
	rateTokens float64
	rateLast   time.Time
	rateDenied int
	now        func() time.Time // time.Now; replaced in tests
}

// NewInjector returns an empty injector.
func NewInjector() *Injector { return &Injector{counts: map[string]int{}} }

// Add queues one-shot faults; each fires once, on the first matching request.
func (i *Injector) Add(f ...Fault) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.queue = append(i.queue, f...)
}

// SetRandom makes a fraction rate of requests (matching a fault's Op) fail
// with a fault drawn from pool, reproducibly from seed. rate 0 turns it off.
func (i *Injector) SetRandom(rate float64, seed uint64, pool ...Fault) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.rate, i.pool = rate, pool
	i.rnd = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Next counts a request for op and returns the fault to apply, if any.
func (i *Injector) Next(op string) (Fault, bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.counts[op]++
	for k, f := range i.queue {
		if f.Op == "" || f.Op == op {
			i.queue = append(i.queue[:k], i.queue[k+1:]...)
			return f, true
		}
	}
	if i.rate > 0 && len(i.pool) > 0 && i.rnd.Float64() < i.rate {
		f := i.pool[i.rnd.IntN(len(i.pool))]
		if f.Op == "" || f.Op == op {
			return f, true
		}
	}
	return Fault{}, false
}

// RateLimitedBody is the body of the 429 answer of EnforceRate.
const RateLimitedBody = `{"error":"rate limit exceeded"}`

// EnforceRate makes the server enforce a request rate like a vendor quota:
// every request served through Serve, of any operation, takes one token
// from a bucket that holds at most burst tokens and refills at perSecond
// tokens a second (starting full). A request that finds less than one token
// is answered 429 Too Many Requests with RateLimitedBody and no Retry-After,
// before its operation runs (it takes no effect and consumes no queued
// fault); it is counted by Count and by RateRejected.
//
// perSecond <= 0 turns enforcement off. Each call resets the bucket to full
// and RateRejected to zero. burst < 1 is taken as 1. A fake that must accept
// a client paced at exactly R (WithRateLimit(R, b)) over a real connection
// should allow a little slack for latency jitter, e.g. burst b+1 (one token
// covers 1/R seconds of jitter); the sustained rate it allows is still R.
func (i *Injector) EnforceRate(perSecond float64, burst int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.now == nil {
		i.now = time.Now
	}
	i.ratePerSec = max(perSecond, 0)
	i.rateBurst = float64(max(burst, 1))
	i.rateTokens = i.rateBurst
	i.rateLast = i.now()
	i.rateDenied = 0
}

// RateRejected reports how many requests EnforceRate answered 429 since it
// was last called.
func (i *Injector) RateRejected() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.rateDenied
}

// admit applies the rate limit. false means the request is over the rate;
// it is then counted here (Next counts the admitted ones).
func (i *Injector) admit(op string) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.ratePerSec <= 0 {
		return true
	}
	now := i.now()
	if elapsed := now.Sub(i.rateLast).Seconds(); elapsed > 0 {
		i.rateTokens = min(i.rateBurst, i.rateTokens+elapsed*i.ratePerSec)
		i.rateLast = now
	}
	if i.rateTokens >= 1 {
		i.rateTokens--
		return true
	}
	i.counts[op]++
	i.rateDenied++
	return false
}

// Count reports how many requests for op arrived ("" = all).
func (i *Injector) Count(op string) int {
	i.mu.Lock()
	defer i.mu.Unlock()
	if op != "" {
		return i.counts[op]
	}
	n := 0
	for _, c := range i.counts {
		n += c
	}
	return n
}

// Serve runs one operation under fault injection: apply performs it and
// returns the real answer; the fault (if any) replaces or precedes it.
//
// With EnforceRate on, a request over the rate is answered 429 first.
func (i *Injector) Serve(w http.ResponseWriter, r *http.Request, op string, apply func() (status int, body []byte)) {
	if !i.admit(op) {
		write(w, http.StatusTooManyRequests, []byte(RateLimitedBody))
		return
	}
	f, hit := i.Next(op)
	if hit && f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if hit && !f.AfterApply && (f.Reset || f.Status != 0 || f.Body != nil) {
		writeFault(w, f, 0, nil)
		return
	}
	status, body := apply()
	if hit && f.AfterApply {
		writeFault(w, f, status, body)
		return
	}
	for k, vs := range f.Header {
		w.Header()[k] = vs
	}
	write(w, status, body)
}

func writeFault(w http.ResponseWriter, f Fault, status int, body []byte) {
	if f.Reset {
		Reset(w)
		return
	}
	for k, vs := range f.Header {
		w.Header()[k] = vs
	}
	if f.Status != 0 {
		status = f.Status
	}
	if f.Body != nil {
		body = f.Body
	}
	if status == 0 {
		status = http.StatusOK
	}
	write(w, status, body)
}

func write(w http.ResponseWriter, status int, body []byte) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Reset drops the connection with a TCP RST and no answer.
func Reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// JSON marshals v, panicking on error (fake servers marshal their own types).
func JSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Start serves h on a loopback httptest server.
func Start(h http.Handler) *httptest.Server { return httptest.NewServer(h) }

// Clock is real time plus an adjustable offset, shared by a fake server and
// its tests so token expiry can be exercised without sleeping.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// NewClock returns a clock reading real time.
func NewClock() *Clock { return &Clock{} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}
