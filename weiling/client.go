package weiling

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

// DefaultBaseURL is the production OpenAPI host. Every documented path
// starts with /openapi/ (https://openapi.weiling.cn/openapi/contact/create).
// The vendor's demo host https://open.demo.weiling.cn is not a default; pass
// it with WithBaseURL if you use it.
const DefaultBaseURL = "https://openapi.weiling.cn"

const vendorName = "weiling"

// identity is what a Client shows of itself (vendor, app id, base URL).
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

// DefaultTokenLifetime is how long an access token is assumed to live when
// the token answer carries no expires_in: the vendor documents no lifetime,
// and third-party code refreshes every 2 hours. The SDK refreshes a little
// before (a fifth of the lifetime, at most 5 minutes).
const DefaultTokenLifetime = 2 * time.Hour

// DisuseContactsKeyDocumented is the body key of POST /openapi/contact/disuse
// as the vendor documents it (sic: "contatc_ids").
const DisuseContactsKeyDocumented = "contatc_ids"

// settings holds the weiling-only client options.
type settings struct {
	disuseKey     string
	tokenLifetime time.Duration
}

// WithDisuseContactIDsKey makes DisuseContacts send the ids under
// "contact_ids" instead of the documented (misspelt) "contatc_ids". The
// vendor page spells the key contatc_ids and the SDK sends exactly that by
// default; use this option if your tenant answers that call with 1000 or
// 1001 (missing or invalid parameter).
func WithDisuseContactIDsKey() Option {
	return core.VendorOption("WithDisuseContactIDsKey", func(s *settings) error {
		s.disuseKey = "contact_ids"
		return nil
	})
}

// WithTokenLifetime sets how long an access token is cached when the token
// answer carries no expires_in (default DefaultTokenLifetime). Use it if your
// tenant's tokens are known to live shorter.
func WithTokenLifetime(d time.Duration) Option {
	return core.VendorOption("WithTokenLifetime", func(s *settings) error {
		if d < time.Minute {
			return fmt.Errorf("weiling: WithTokenLifetime(%v): must be at least a minute", d)
		}
		s.tokenLifetime = d
		return nil
	})
}

// Client calls the weiling OpenAPI. It is safe for concurrent use and
// immutable after New. Printed (%v, %+v, %#v) or logged with slog, it shows
// the vendor, the app id and the base URL only.
type Client struct {
	identity
	t      *core.Client
	tokens *token.Source
	set    settings
	now    func() time.Time
	secret string
}

// New returns a client for the app identified by appID and appSecret (设置 →
// 开放平台). It fails on empty credentials, a malformed base URL, or a plain
// http base URL to a non-loopback host.
func New(appID, appSecret string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(appID) == "" || strings.TrimSpace(appSecret) == "" {
		return nil, errors.New("weiling: New: appID and appSecret must not be empty")
	}
	s := settings{disuseKey: DisuseContactsKeyDocumented, tokenLifetime: DefaultTokenLifetime}
	cfg, err := core.NewConfig(DefaultBaseURL, &s, opts)
	if err != nil {
		return nil, err
	}
	c := &Client{
		identity: identity{Vendor: vendorName, AppID: appID, BaseURL: cfg.BaseURL},
		set:      s, now: cfg.Now, secret: appSecret,
	}
	c.t = core.NewClient(cfg, core.Vendor{
		Name: vendorName, Envelope: newEnvelope, Classify: classify, Auth: c.auth, OpPrefix: "/openapi/",
	}, appSecret)
	c.tokens = c.t.NewTokens(vendorName+":"+appID, c.fetchToken)
	return c, nil
}

// Ptr returns a pointer to v, for optional fields where the zero value means
// something (CreateContactRequest.Status: weiling.Ptr(weiling.ContactInSea)).
func Ptr[T any](v T) *T { return &v }

// Do calls any weiling endpoint the SDK does not type yet (for example
// POST /openapi/clue/create, GET /openapi/user/get?userid=...,
// GET /openapi/v2/custom/detail?api_key=contact), with the same token
// handling, retries and error mapping as the typed methods.
//
// method "" means POST. path is the documented path after the base URL,
// starting with /openapi/; it may carry a query string, whose access_token
// (if any) is replaced by the client's. body is sent as JSON: nil sends no
// body, []byte and json.RawMessage are sent verbatim (and must be JSON),
// anything else is marshalled once. The envelope's data is decoded into out
// when out is non-nil.
//
// Since the SDK cannot know what an untyped call does, every method other
// than GET is treated as one that may create something: it is never retried
// once the request may have reached the vendor, and such a failure matches
// ErrAmbiguous.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	return c.t.Generic(ctx, method, path, body, out)
}
