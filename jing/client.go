package jing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/token"
)

// DefaultBaseURL is the documented production host of the JINGdigital open
// platform. Paths (/v1/...) are appended to it.
const DefaultBaseURL = "https://jingopenapi.jingsocial.com"

// Documented and inferred paths.
const (
	// DefaultTokenPath is the get-token path. The vendor page is not
	// available; the path is inferred from the refresh path. Override it
	// with WithTokenPath.
	DefaultTokenPath = "/v1/oauth2/token"
	// RefreshTokenPath is the documented refresh path.
	RefreshTokenPath = "/v1/oauth2/token/refresh"
	// CreateUsersPath is the documented batch user creation path.
	CreateUsersPath = "/v1/user/create"
)

// Operation names, as they appear in APIError.Op, CallError.Op, the
// observers' infos and the "op" attribute of the per-attempt debug logs.
// Do names an operation by its path after /v1/.
const (
	OpGetToken     = "oauth2/token"
	OpRefreshToken = "oauth2/token/refresh"
	OpCreateUsers  = "user/create"
)

const vendorName = "jing"

// identity is what a Client shows of itself: vendor, app id and base URL.
type identity = core.Identity

// Option configures a Client or a callback handler. The options are the same
// in every cluekit package.
type Option = core.Option

// Observer is a set of optional callbacks the client calls around each call,
// attempt, token request and callback delivery (CallStart, Attempt, CallEnd,
// Token, Callback); any may be nil. The infos never carry a secret.
type Observer = core.Observer

// CallInfo describes one logical call: Vendor, Op, Method, Create and, at its
// end, Attempts, RequestID and Duration.
type CallInfo = core.CallInfo

// AttemptInfo describes one HTTP attempt: Vendor, Op, Method, Attempt,
// HTTPStatus, Code, RequestID, Duration, Err, Retry, RetryWait, RetryReason.
type AttemptInfo = core.AttemptInfo

// TokenInfo describes one token request: Vendor, Refresh, Duration, Err.
type TokenInfo = core.TokenInfo

// CallbackInfo describes one callback delivery: Vendor, Event, Duplicate,
// HTTPStatus, Duration.
type CallbackInfo = core.CallbackInfo

// Limiter paces requests: Wait(ctx) blocks until one may be sent. Give one
// shared by several processes with WithLimiter.
type Limiter = core.Limiter

// WithBaseURL sets the base URL: everything before the vendor's documented
// path (default DefaultBaseURL). A path prefix is kept; plain http is allowed
// only to loopback hosts.
func WithBaseURL(u string) Option { return core.WithBaseURL(u) }

// WithHTTPClient sets the http.Client used for requests (copied, never
// modified). Without it, clients share one connection pool.
func WithHTTPClient(hc *http.Client) Option { return core.WithHTTPClient(hc) }

// WithTimeout sets the timeout of each attempt (default 30 s). The caller's
// context bounds the whole call.
func WithTimeout(d time.Duration) Option { return core.WithTimeout(d) }

// WithMaxAttempts sets how many times a call may be tried (default 3; 1 = no
// retries).
func WithMaxAttempts(n int) Option { return core.WithMaxAttempts(n) }

// WithRetryQuota sets the client-wide retry budget (default 500 tokens; a
// retry costs 5, or 10 after a timeout). When it is spent, calls fail after
// their first attempt instead of retrying, so an outage does not become a
// retry storm. 0 turns the quota off.
func WithRetryQuota(n int) Option { return core.WithRetryQuota(n) }

// WithBackoff sets the base and the cap of the full-jitter exponential
// backoff between attempts (default 200 ms and 5 s).
func WithBackoff(base, max time.Duration) Option { return core.WithBackoff(base, max) }

// WithClock sets the clock used for signatures, token expiry and timestamps
// (default time.Now).
func WithClock(now func() time.Time) Option { return core.WithClock(now) }

// WithRateLimit paces every attempt (token requests included) to about
// perSecond with the given burst, slowing down when the vendor throttles and
// recovering gradually. Off by default.
func WithRateLimit(perSecond float64, burst int) Option {
	return core.WithRateLimit(perSecond, burst)
}

// WithLimiter paces every attempt through l, for example a limiter shared by
// several replicas. It replaces WithRateLimit.
func WithLimiter(l Limiter) Option { return core.WithLimiter(l) }

// WithMaxResponseBytes caps the size of an answer (default 8 MiB); a larger
// one fails with ErrBadResponse without being read past the cap.
func WithMaxResponseBytes(n int64) Option { return core.WithMaxResponseBytes(n) }

// WithLogger sets the logger for per-attempt debug records (default:
// silent). No secret, token, signature or digest ever appears in them.
func WithLogger(l *slog.Logger) Option { return core.WithLogger(l) }

// WithObserver adds an Observer; several are called in the order given.
func WithObserver(o Observer) Option { return core.WithObserver(o) }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return core.WithUserAgent(ua) }

// TokenStore caches access tokens: Get(ctx, key) (Token, bool, error),
// Set(ctx, key, Token, ttl) error, Delete(ctx, key, value) error (only if the
// stored value still equals value). Share one (e.g. Redis-backed) between
// processes using the same app so that they share one token. A store that
// also implements Locker serialises refreshes across processes.
type TokenStore = token.Store

// Locker is implemented by a TokenStore shared between processes:
// TryLock(ctx, key, ttl) (unlock func(ctx) error, ok bool, err error) takes
// the refresh lock so that one process fetches while the others wait.
type Locker = token.Locker

// Token is one cached access token as a TokenStore holds it (Value,
// ExpiresAt, ObtainedAt, Refresh, RefreshExpiresAt). It prints as
// [redacted].
type Token = token.Token

// NewMemoryTokenStore returns the in-process TokenStore used by default. now
// may be nil (time.Now).
func NewMemoryTokenStore(now func() time.Time) TokenStore { return token.NewMemoryStore(now) }

// WithTokenStore sets where access tokens are cached (default: in memory).
func WithTokenStore(s TokenStore) Option { return core.WithTokenStore(s) }

// Deduper remembers handled callback deliveries (Claim, Release) so that a
// redelivered event is acknowledged without running the function again.
type Deduper = core.Deduper

// ClaimState is a Deduper's answer to Claim.
type ClaimState = core.ClaimState

// Deduper answers: run the function, already handled (acknowledge), or being
// handled elsewhere right now (ask the vendor to deliver again).
const (
	ClaimNew  = core.ClaimNew
	ClaimDone = core.ClaimDone
	ClaimBusy = core.ClaimBusy
)

// WithMaxBodyBytes caps the body of a callback delivery (default 1 MiB); a
// larger one is refused with 413. Handlers only.
func WithMaxBodyBytes(n int64) Option { return core.WithMaxBodyBytes(n) }

// WithDeduper makes a callback handler acknowledge an event it (or any
// process sharing d) already handled, without calling the function again.
// Handlers only.
func WithDeduper(d Deduper) Option { return core.WithDeduper(d) }

// settings holds the jing-only client options.
type settings struct {
	tokenPath     string
	invalidTokens map[string]bool
}

// WithTokenPath overrides the get-token path (default DefaultTokenPath, which
// is inferred: the vendor's get-token page is not available).
func WithTokenPath(path string) Option {
	return core.VendorOption("WithTokenPath", func(s *settings) error {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?#") {
			return fmt.Errorf("jing: WithTokenPath(%q): must be a path starting with /", path)
		}
		s.tokenPath = path
		return nil
	})
}

// WithInvalidTokenCodes names the business codes that mean "access token
// invalid or expired". The vendor's code table is not available, so by
// default no code triggers a refresh and tokens are renewed proactively from
// expires_in. With this option, an answer carrying one of these codes matches
// ErrInvalidToken: the client drops the cached token, obtains a new pair once
// for all concurrent callers and replays the call once.
func WithInvalidTokenCodes(codes ...string) Option {
	return core.VendorOption("WithInvalidTokenCodes", func(s *settings) error {
		for _, c := range codes {
			c = strings.TrimSpace(c)
			if c == "" || c == "0" {
				return fmt.Errorf("jing: WithInvalidTokenCodes: invalid code %q", c)
			}
			if s.invalidTokens == nil {
				s.invalidTokens = map[string]bool{}
			}
			s.invalidTokens[c] = true
		}
		return nil
	})
}

// Client is a JINGdigital open-platform client. It is safe for concurrent use
// and immutable after New. Printed (%v, %+v, %#v, slog) it shows the vendor,
// the app id and the base URL only.
type Client struct {
	identity
	t          *core.Client
	cfg        *core.Config
	vendor     core.Vendor
	tokens     *token.Source
	epGetToken core.Endpoint
	appID      string
	secret     string
	set        settings
}

// New returns a client for the app identified by appID and appSecret.
func New(appID, appSecret string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(appID) == "" || strings.TrimSpace(appSecret) == "" {
		return nil, errors.New("jing: New: appID and appSecret must not be empty")
	}
	s := settings{tokenPath: DefaultTokenPath}
	cfg, err := core.NewConfig(DefaultBaseURL, &s, opts)
	if err != nil {
		return nil, err
	}
	c := &Client{identity: identity{Vendor: vendorName, AppID: appID, BaseURL: cfg.BaseURL},
		cfg: cfg, appID: appID, secret: appSecret, set: s}
	c.vendor = core.Vendor{Name: vendorName, Envelope: newEnvelope, Classify: c.classify, Auth: c.auth, OpPrefix: "/v1/"}
	c.t = core.NewClient(cfg, c.vendor, appSecret)
	c.tokens = c.t.NewTokens(vendorName+":"+appID, c.fetchToken)
	c.epGetToken = core.Endpoint{Op: OpGetToken, Path: s.tokenPath, Public: true}
	return c, nil
}

// AppID returns the app id the client was built with.
func (c *Client) AppID() string { return c.appID }

// Do calls any endpoint of the open platform with the client's token
// handling, retries and error mapping: method ("" = POST), path after the
// base URL (e.g. "/v1/lead/query", may carry a query string), body (nil for
// none; []byte and json.RawMessage are sent verbatim and must be JSON,
// anything else is JSON-encoded once), out (nil, or a pointer receiving the
// envelope's data; *json.RawMessage keeps it raw). Every method but GET is
// treated as a create: never retried once it may have reached the vendor,
// such a failure matching ErrAmbiguous.
//
// The lead-management endpoints (线索创建/更新/查询, status, layouts,
// collaborators, detail link) and the other API areas are documented by
// title only: their paths and fields are unknown, so they are reached
// through Do.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	return c.t.Generic(ctx, method, path, body, out)
}
