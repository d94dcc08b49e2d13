// Package run holds each vendor's example lifecycle, so that
// examples/<vendor> and examples/quickstart run the same code. Each vendor
// file registers itself; a lifecycle runs against the real vendor when its
// api.md environment variables are set and against the in-memory fake
// otherwise.
package run

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// Result summarises one vendor's run.
type Result struct {
	Vendor        string
	Mode          string // "fake" or "live"
	Calls         int    // logical SDK calls (first attempts)
	Retries       int    // extra attempts
	TokenRequests int    // token endpoint attempts
	Callbacks     int    // callbacks received and acknowledged
	Elapsed       time.Duration
	Err           error
}

// Lifecycle runs one vendor's walk-through, printing one line per step to out.
// It fills the callback count; calls, retries and token requests come from
// the Counter it was given.
type Lifecycle func(ctx context.Context, out *Printer, counter *Counter) (mode string, callbacks int, err error)

var (
	mu       sync.Mutex
	registry = map[string]Lifecycle{}
)

// Register adds a vendor lifecycle (called from init).
func Register(vendor string, l Lifecycle) {
	mu.Lock()
	defer mu.Unlock()
	registry[vendor] = l
}

// Vendors lists the registered vendors, sorted.
func Vendors() []string {
	mu.Lock()
	defer mu.Unlock()
	out := make([]string, 0, len(registry))
	for v := range registry {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// Run executes one vendor's lifecycle.
func Run(ctx context.Context, vendor string, w io.Writer, tokenOps ...string) Result {
	mu.Lock()
	l := registry[vendor]
	mu.Unlock()
	res := Result{Vendor: vendor}
	if l == nil {
		res.Err = fmt.Errorf("unknown vendor %q", vendor)
		return res
	}
	counter := NewCounter(tokenOps...)
	p := &Printer{w: w, vendor: vendor}
	start := time.Now()
	res.Mode, res.Callbacks, res.Err = l(ctx, p, counter)
	res.Elapsed = time.Since(start)
	res.Calls, res.Retries, res.TokenRequests = counter.Counts()
	return res
}

// Main runs one vendor as a command: exit status 1 on failure.
func Main(vendor string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res := Run(ctx, vendor, os.Stdout)
	if res.Err != nil {
		fmt.Fprintf(os.Stderr, "%s: FAILED: %v\n", vendor, res.Err)
		os.Exit(1)
	}
	fmt.Printf("%s: OK (%s, %d calls, %d retries, %d token requests, %d callbacks, %s)\n",
		vendor, res.Mode, res.Calls, res.Retries, res.TokenRequests, res.Callbacks, res.Elapsed.Round(time.Millisecond))
}

// Env returns the environment variable, trimmed.
func Env(name string) string { return strings.TrimSpace(os.Getenv(name)) }

// Printer prints one line per step.
type Printer struct {
	mu     sync.Mutex
	w      io.Writer
	vendor string
}

// Step prints one step line.
func (p *Printer) Step(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "[%s] %s\n", p.vendor, fmt.Sprintf(format, args...))
}

// Counter is a slog.Handler that counts the SDK's per-attempt debug records
// ("cluekit attempt"): first attempts are calls, later ones retries, and
// attempts of the token operations are token requests.
type Counter struct {
	mu       sync.Mutex
	tokenOps map[string]bool
	calls    int
	retries  int
	tokens   int
}

// NewCounter counts attempts of the named operations as token requests.
func NewCounter(tokenOps ...string) *Counter {
	c := &Counter{tokenOps: map[string]bool{}}
	for _, op := range tokenOps {
		c.tokenOps[op] = true
	}
	return c
}

// TokenOps marks more operations as token requests.
func (c *Counter) TokenOps(ops ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, op := range ops {
		c.tokenOps[op] = true
	}
}

// Logger returns a logger feeding this counter; pass it with WithLogger.
func (c *Counter) Logger() *slog.Logger { return slog.New(c) }

// Counts returns calls, retries and token requests.
func (c *Counter) Counts() (calls, retries, tokens int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls, c.retries, c.tokens
}

// Enabled implements slog.Handler.
func (c *Counter) Enabled(context.Context, slog.Level) bool { return true }

// Handle implements slog.Handler.
func (c *Counter) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "cluekit attempt" {
		return nil
	}
	var op string
	var attempt int64
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "op":
			op = a.Value.String()
		case "attempt":
			attempt = a.Value.Int64()
		}
		return true
	})
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tokenOps[op] {
		c.tokens++
		return nil
	}
	if attempt <= 1 {
		c.calls++
	} else {
		c.retries++
	}
	return nil
}

// WithAttrs implements slog.Handler.
func (c *Counter) WithAttrs([]slog.Attr) slog.Handler { return c }

// WithGroup implements slog.Handler.
func (c *Counter) WithGroup(string) slog.Handler { return c }
