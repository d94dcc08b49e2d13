package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/token"
)

// Defaults shared by every vendor.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultMaxAttempts = 3
	// DefaultBaseDelay and DefaultMaxDelay bound the full-jitter backoff.
	DefaultBaseDelay = 200 * time.Millisecond
	DefaultMaxDelay  = 5 * time.Second
	// DefaultMaxRetryAfter caps a server's Retry-After so a hostile or
	// misconfigured header cannot park a caller for hours.
	DefaultMaxRetryAfter = 60 * time.Second
)

// Option configures a client. Options are shared by all vendor packages; a
// vendor-specific option applied to another vendor's client is an error.
type Option func(*Config) error

// Config is the resolved configuration of one client. It is built once in New
// and never changed afterwards.
type Config struct {
	BaseURL     string
	HTTPClient  *http.Client
	Timeout     time.Duration
	MaxAttempts int
	RatePerSec  float64
	RateBurst   int
	// Limiter paces every attempt (WithLimiter, or WithRateLimit's own).
	Limiter          Limiter
	MaxResponseBytes int64
	Observers        Observers
	Logger           *slog.Logger
	UserAgent        string
	TokenStore       token.Store

	BaseDelay     time.Duration
	MaxDelay      time.Duration
	MaxRetryAfter time.Duration
	RetryQuota    int // retry tokens per client; 0 disables the quota

	// Test hooks: injected clock, sleep and randomness so tests never sleep.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	Rand  func() float64 // in [0,1)

	// Callback handlers only.
	MaxBodyBytes int64
	Deduper      Deduper

	vendor      []func(any) error
	clientOnly  []string // options given that only apply to clients
	handlerOnly []string // options given that only apply to handlers
}

// DefaultMaxResponseBytes caps a vendor answer (the largest realistic page
// is about 2 MB).
const DefaultMaxResponseBytes = 8 << 20

// DefaultMaxBodyBytes caps a callback body (vendors send small JSON or forms).
const DefaultMaxBodyBytes = 1 << 20

// NewConfig applies opts over the defaults. vendorSettings, when non-nil, is a
// pointer to the vendor's own settings struct that VendorOption values modify.
func NewConfig(defaultBaseURL string, vendorSettings any, opts []Option) (*Config, error) {
	c := &Config{
		BaseURL:          defaultBaseURL,
		Timeout:          DefaultTimeout,
		MaxAttempts:      DefaultMaxAttempts,
		BaseDelay:        DefaultBaseDelay,
		MaxDelay:         DefaultMaxDelay,
		MaxRetryAfter:    DefaultMaxRetryAfter,
		RetryQuota:       DefaultRetryQuota,
		MaxResponseBytes: DefaultMaxResponseBytes,
		Now:              time.Now,
		Sleep:            sleepCtx,
		Rand:             rand.Float64,
	}
	if err := c.apply(vendorSettings, opts); err != nil {
		return nil, err
	}
	if len(c.handlerOnly) > 0 {
		return nil, fmt.Errorf("cluekit: %s applies to callback handlers, not to clients", c.handlerOnly[0])
	}
	if err := CheckBaseURL(c.BaseURL); err != nil {
		return nil, err
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.TokenStore == nil {
		c.TokenStore = token.NewMemoryStore(c.Now)
	}
	if c.Limiter == nil && c.RatePerSec > 0 {
		c.Limiter = NewAdaptiveLimiter(c.RatePerSec, c.RateBurst, c.Now)
	}
	return c, nil
}

// NewHandlerConfig applies the options of a callback handler (WithLogger,
// WithObserver, WithMaxBodyBytes, WithDeduper, WithClock and the vendor's own
// handler options) over the defaults. A client-only option is an error.
func NewHandlerConfig(vendorSettings any, opts []Option) (*Config, error) {
	c := &Config{MaxBodyBytes: DefaultMaxBodyBytes, Now: time.Now}
	if err := c.apply(vendorSettings, opts); err != nil {
		return nil, err
	}
	if len(c.clientOnly) > 0 {
		return nil, fmt.Errorf("cluekit: %s applies to clients, not to callback handlers", c.clientOnly[0])
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func (c *Config) apply(vendorSettings any, opts []Option) error {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return err
		}
	}
	for _, f := range c.vendor {
		if err := f(vendorSettings); err != nil {
			return err
		}
	}
	return nil
}

// client and handler record an option's scope; New and the handler
// constructors refuse options of the other kind.
func (c *Config) client(name string)  { c.clientOnly = append(c.clientOnly, name) }
func (c *Config) handler(name string) { c.handlerOnly = append(c.handlerOnly, name) }

// CheckBaseURL rejects malformed URLs and plain-http URLs to remote hosts:
// secrets never travel unencrypted off the machine.
func CheckBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("cluekit: base URL %q must be an absolute http(s) URL", raw)
	}
	if u.User != nil {
		return errors.New("cluekit: base URL must not carry credentials")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("cluekit: base URL %q must not have a query or fragment", raw)
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return fmt.Errorf("cluekit: base URL %q uses plain http to a non-loopback host; use https", raw)
	}
	return nil
}

// IsLoopback reports whether host is localhost or a loopback IP.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WithBaseURL sets the base URL: everything before the vendor's documented
// path. A path prefix is kept (http://127.0.0.1:8080/w + /api/...).
func WithBaseURL(u string) Option {
	return func(c *Config) error { c.client("WithBaseURL"); c.BaseURL = u; return nil }
}

// WithHTTPClient sets the http.Client used for requests. It is copied, never
// modified.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Config) error {
		c.client("WithHTTPClient")
		if hc == nil {
			return errors.New("cluekit: WithHTTPClient: nil client")
		}
		c.HTTPClient = hc
		return nil
	}
}

// WithTimeout sets the timeout of each attempt (default 30 s). The overall
// bound is the caller's context.
func WithTimeout(d time.Duration) Option {
	return func(c *Config) error {
		c.client("WithTimeout")
		if d <= 0 {
			return fmt.Errorf("cluekit: WithTimeout(%v): must be positive", d)
		}
		c.Timeout = d
		return nil
	}
}

// WithMaxAttempts sets how many times a call may be tried (1 = no retries).
func WithMaxAttempts(n int) Option {
	return func(c *Config) error {
		c.client("WithMaxAttempts")
		if n < 1 || n > 20 {
			return fmt.Errorf("cluekit: WithMaxAttempts(%d): must be between 1 and 20", n)
		}
		c.MaxAttempts = n
		return nil
	}
}

// WithRetryQuota sets the client-wide retry budget (default 500 tokens: a
// retry costs 5, or 10 after a timeout; a first-attempt success returns 1,
// and a success after retries returns what they took). When the budget is
// spent, calls fail after their first attempt instead of retrying, so an
// outage does not become a retry storm. n = 0 turns the quota off (bulk
// jobs that prefer every retry); WithMaxAttempts still bounds each call.
func WithRetryQuota(n int) Option {
	return func(c *Config) error {
		c.client("WithRetryQuota")
		if n < 0 {
			return fmt.Errorf("cluekit: WithRetryQuota(%d): must be >= 0", n)
		}
		c.RetryQuota = n
		return nil
	}
}

// WithRateLimit makes every attempt wait for a token of a limiter allowing
// perSecond calls with the given burst. Off by default.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *Config) error {
		c.client("WithRateLimit")
		if perSecond <= 0 || burst < 1 {
			return fmt.Errorf("cluekit: WithRateLimit(%v, %d): need perSecond > 0 and burst >= 1", perSecond, burst)
		}
		c.RatePerSec, c.RateBurst = perSecond, burst
		return nil
	}
}

// WithLogger sets the logger for per-attempt debug logs (default: silent).
// Secrets never appear in these logs.
func WithLogger(l *slog.Logger) Option {
	return func(c *Config) error { c.Logger = l; return nil }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Config) error { c.client("WithUserAgent"); c.UserAgent = ua; return nil }
}

// WithTokenStore sets where access tokens are cached (default: in memory).
// Share one store (e.g. Redis) between processes that use the same vendor app.
func WithTokenStore(s token.Store) Option {
	return func(c *Config) error {
		c.client("WithTokenStore")
		if s == nil {
			return errors.New("cluekit: WithTokenStore: nil store")
		}
		c.TokenStore = s
		return nil
	}
}

// WithBackoff sets the base and cap of the full-jitter backoff.
func WithBackoff(base, max time.Duration) Option {
	return func(c *Config) error {
		c.client("WithBackoff")
		if base <= 0 || max < base {
			return fmt.Errorf("cluekit: WithBackoff(%v, %v): need 0 < base <= max", base, max)
		}
		c.BaseDelay, c.MaxDelay = base, max
		return nil
	}
}

// WithLimiter paces every attempt (token requests included) through l, for
// example a limiter shared by several processes. It replaces WithRateLimit.
func WithLimiter(l Limiter) Option {
	return func(c *Config) error {
		c.client("WithLimiter")
		if l == nil {
			return errors.New("cluekit: WithLimiter: nil limiter")
		}
		c.Limiter = l
		return nil
	}
}

// WithMaxResponseBytes caps the size of a vendor answer (default 8 MiB). A
// larger Content-Length is refused before reading; a body without one is cut
// at the cap. Either way the call fails with ErrBadResponse.
func WithMaxResponseBytes(n int64) Option {
	return func(c *Config) error {
		c.client("WithMaxResponseBytes")
		if n < 1 {
			return fmt.Errorf("cluekit: WithMaxResponseBytes(%d): must be positive", n)
		}
		c.MaxResponseBytes = n
		return nil
	}
}

// WithObserver adds o to the observers called around every call, attempt,
// token request and callback delivery. Several observers are called in the
// order given.
func WithObserver(o Observer) Option {
	return func(c *Config) error { c.Observers = append(c.Observers, o); return nil }
}

// WithMaxBodyBytes caps the body of a callback delivery (default 1 MiB); a
// larger one is refused with 413.
func WithMaxBodyBytes(n int64) Option {
	return func(c *Config) error {
		c.handler("WithMaxBodyBytes")
		if n < 1 {
			return fmt.Errorf("cluekit: WithMaxBodyBytes(%d): must be positive", n)
		}
		c.MaxBodyBytes = n
		return nil
	}
}

// WithDeduper makes a callback handler acknowledge an event it (or any
// process sharing d) already handled, without calling the function again.
func WithDeduper(d Deduper) Option {
	return func(c *Config) error {
		c.handler("WithDeduper")
		if d == nil {
			return errors.New("cluekit: WithDeduper: nil deduper")
		}
		c.Deduper = d
		return nil
	}
}

// WithClock sets the clock used for signatures, token expiry and
// timestamps checks (default time.Now); tests inject a fixed one.
func WithClock(now func() time.Time) Option {
	return func(c *Config) error {
		if now == nil {
			return errors.New("cluekit: WithClock: nil clock")
		}
		c.Now = now
		return nil
	}
}

// WithSleep injects the backoff sleep (tests).
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Config) error { c.client("WithSleep"); c.Sleep = sleep; return nil }
}

// WithRand injects the jitter source, returning values in [0,1) (tests).
func WithRand(r func() float64) Option {
	return func(c *Config) error { c.client("WithRand"); c.Rand = r; return nil }
}

// VendorOption builds an option that modifies the settings struct of one
// vendor package (T). Applied to another vendor's client, New fails.
func VendorOption[T any](name string, f func(*T) error) Option {
	return func(c *Config) error {
		c.vendor = append(c.vendor, func(v any) error {
			t, ok := v.(*T)
			if !ok {
				return fmt.Errorf("cluekit: option %s does not apply to this client", name)
			}
			return f(t)
		})
		return nil
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
