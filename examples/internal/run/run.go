// Package run holds each vendor's example lifecycle, so that
// examples/<vendor> and examples/quickstart run the same code. Each vendor
// file registers its lifecycle and its environment variables; a lifecycle
// runs against the in-memory fake when none of them is set, and against the
// real vendor when its credentials are set and live mode was asked for
// (-live or CLUEKIT_LIVE=1). With credentials but without that, it only
// lists what it would change.
package run

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cluekit/cluekit/internal/core"
)

// Order is the order of the vendors in the README, the quickstart and every
// listing.
var Order = []string{"waiqin365", "wshoto", "weiling", "jing", "v3clue"}

// Vars names a vendor's environment variables. Required are the
// credentials; Optional ones (the base URL among them) refine a live run.
type Vars struct {
	Required []string
	Optional []string
}

// Lifecycle runs one vendor's walk-through as small steps, printing one line
// per step through s.
type Lifecycle func(ctx context.Context, s *Session) error

type entry struct {
	vars Vars
	run  Lifecycle
}

var (
	mu       sync.Mutex
	registry = map[string]entry{}
)

// Register adds a vendor lifecycle (called from init).
func Register(vendor string, vars Vars, l Lifecycle) {
	mu.Lock()
	defer mu.Unlock()
	registry[vendor] = entry{vars: vars, run: l}
}

// Vendors lists the registered vendors in Order.
func Vendors() []string {
	mu.Lock()
	defer mu.Unlock()
	var out []string
	for _, v := range Order {
		if _, ok := registry[v]; ok {
			out = append(out, v)
		}
	}
	return out
}

// Result summarises one vendor's run.
type Result struct {
	Vendor        string
	Mode          string // "fake", "live" or "dry-run"
	Calls         int    // logical SDK calls (token requests excluded)
	Retries       int    // attempts after the first
	TokenRequests int
	Callbacks     int // callbacks received and acknowledged
	Elapsed       time.Duration
	Err           error
}

// Session is what a lifecycle works with.
type Session struct {
	Vendor string
	// Live: the vendor's credentials are set and live mode was asked for.
	// Otherwise the lifecycle runs against its fake (DryRun false) or, with
	// credentials but no -live, lists what it would do (DryRun true).
	Live   bool
	DryRun bool
	// Observer counts calls, retries and token requests: pass it to the
	// client with WithObserver.
	Observer core.Observer

	vars      map[string]string
	out       io.Writer
	mu        sync.Mutex
	counts    Result
	callbacks int
}

// Get returns the value of one of the vendor's environment variables.
func (s *Session) Get(name string) string { return s.vars[name] }

// Step prints one step line.
func (s *Session) Step(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.out, "[%s] %s\n", s.Vendor, fmt.Sprintf(format, args...))
}

// Skip prints a step that is skipped, and why.
func (s *Session) Skip(format string, args ...any) {
	s.Step("skipped: "+format, args...)
}

// Change announces a step that changes vendor data. In a dry run it prints
// what it would do and returns false: the caller then does not do it.
func (s *Session) Change(format string, args ...any) bool {
	if s.DryRun {
		s.Step("would "+format, args...)
		return false
	}
	return true
}

// Callback counts one callback received and acknowledged.
func (s *Session) Callback() {
	s.mu.Lock()
	s.callbacks++
	s.mu.Unlock()
}

// Plural returns "1 lead", "2 leads", "0 retries": n and the noun, in the
// plural unless n is 1.
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") && !strings.HasSuffix(noun, "ey") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// ErrPartialCredentials is returned when some but not all of a vendor's
// credentials are set.
var ErrPartialCredentials = errors.New("partial credentials")

// mode decides fake, dry-run or live from the environment.
func mode(vendor string, vars Vars, getenv func(string) string, live bool) (map[string]string, string, error) {
	vals := map[string]string{}
	var set, missing []string
	for _, n := range vars.Required {
		if v := strings.TrimSpace(getenv(n)); v != "" {
			vals[n] = v
			set = append(set, n)
		} else {
			missing = append(missing, n)
		}
	}
	for _, n := range vars.Optional {
		if v := strings.TrimSpace(getenv(n)); v != "" {
			vals[n] = v
			set = append(set, n)
		}
	}
	switch {
	case len(set) == 0:
		return vals, "fake", nil
	case len(missing) > 0:
		slices.Sort(missing)
		return nil, "", fmt.Errorf("%s: %w: set %s too (or unset %s to use the built-in fake)",
			vendor, ErrPartialCredentials, strings.Join(missing, ", "), strings.Join(set, ", "))
	case live:
		return vals, "live", nil
	default:
		return vals, "dry-run", nil
	}
}

// LiveRequested reports whether live mode was asked for: -live on the
// command line or CLUEKIT_LIVE=1.
func LiveRequested() bool {
	if v := os.Getenv("CLUEKIT_LIVE"); v == "1" || strings.EqualFold(v, "true") {
		return true
	}
	return slices.Contains(os.Args[1:], "-live") || slices.Contains(os.Args[1:], "--live")
}

// Run executes one vendor's lifecycle.
func Run(ctx context.Context, vendor string, w io.Writer, getenv func(string) string, live bool) Result {
	mu.Lock()
	e, ok := registry[vendor]
	mu.Unlock()
	res := Result{Vendor: vendor}
	if !ok {
		res.Err = fmt.Errorf("unknown vendor %q", vendor)
		return res
	}
	vals, m, err := mode(vendor, e.vars, getenv, live)
	res.Mode = m
	if err != nil {
		res.Err = err
		return res
	}
	s := &Session{Vendor: vendor, Live: m == "live", DryRun: m == "dry-run", vars: vals, out: w}
	s.Observer = s.observer()
	if s.DryRun {
		s.Step("credentials found but live mode was not asked for: listing what would change (run with -live or CLUEKIT_LIVE=1 to do it)")
	}
	start := time.Now()
	res.Err = e.run(ctx, s)
	res.Elapsed = time.Since(start)
	s.mu.Lock()
	res.Calls, res.Retries, res.TokenRequests, res.Callbacks = s.counts.Calls, s.counts.Retries, s.counts.TokenRequests, s.callbacks
	s.mu.Unlock()
	return res
}

// observer counts through the SDK's Observer hooks.
func (s *Session) observer() core.Observer {
	return core.Observer{
		CallEnd: func(_ context.Context, info core.CallInfo, _ error) {
			s.mu.Lock()
			s.counts.Calls++
			s.counts.Retries += max(info.Attempts-1, 0)
			s.mu.Unlock()
		},
		Token: func(context.Context, core.TokenInfo) {
			s.mu.Lock()
			s.counts.TokenRequests++
			s.mu.Unlock()
		},
	}
}

// Main runs one vendor as a command: exit status 1 on failure, 2 on bad
// usage.
func Main(vendor string) {
	fs := flag.NewFlagSet(vendor, flag.ContinueOnError)
	live := fs.Bool("live", false, "run against the real vendor (the credentials' environment variables must be set)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res := Run(ctx, vendor, os.Stdout, os.Getenv, *live || LiveRequested())
	if res.Err != nil {
		fmt.Fprintf(os.Stderr, "%s: FAILED: %v\n", vendor, res.Err)
		os.Exit(1)
	}
	fmt.Printf("%s: OK (%s, %s, %s, %s, %s, %s)\n", vendor, res.Mode, Plural(res.Calls, "call"), Plural(res.Retries, "retry"),
		Plural(res.TokenRequests, "token request"), Plural(res.Callbacks, "callback"), res.Elapsed.Round(time.Millisecond))
}
