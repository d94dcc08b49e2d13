package waiqin365

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
)

// DefaultBaseURL is the documented production base. Tenants on another
// 勤策 cloud use the value of 【OpenAPI地址】 (admin console → 系统管理 →
// OpenAPI → API授权) with WithBaseURL; the /api/... path is kept.
const DefaultBaseURL = "https://openapi.waiqin365.com"

// vendorName is the package name used in errors, logs and observers.
const vendorName = "waiqin365"

// identity is what a Client shows when printed: vendor, openid, base URL.
type identity = core.Identity

// Client calls the 勤策 OpenAPI for one openid/appkey pair. It is safe for
// concurrent use and immutable after New. Printed with %v, %+v, %#v or
// through slog it shows only the vendor, the openid and the base URL.
type Client struct {
	identity
	t      *core.Client
	openID string
	appKey string
	// msgID makes the msg_id of each attempt (replaced in tests).
	msgID func() string
	now   func() time.Time // the client's clock (WithClock)
}

// settings is the (empty) set of waiqin365-only client options.
type settings struct{}

// New returns a client for the tenant's openid (企业接入唯一授权标识) and
// appkey (签名密钥). Neither may be empty, and the base URL must be https
// (plain http only to loopback hosts). The app key never appears in an
// error, a log line or an observer's info.
func New(openID, appKey string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(openID) == "" {
		return nil, errors.New("waiqin365: New: openID must not be empty")
	}
	if appKey == "" {
		return nil, errors.New("waiqin365: New: appKey must not be empty")
	}
	var s settings
	cfg, err := core.NewConfig(DefaultBaseURL, &s, opts)
	if err != nil {
		return nil, err
	}
	c := &Client{
		identity: identity{Vendor: vendorName, AppID: openID, BaseURL: cfg.BaseURL},
		openID:   openID,
		appKey:   appKey,
		msgID:    NewMsgID,
		now:      cfg.Now,
	}
	c.t = core.NewClient(cfg, core.Vendor{
		Name: vendorName, Envelope: newEnvelope, Classify: classify, Auth: c.auth, OpPrefix: "/api/",
	}, appKey)
	return c, nil
}

// OpenID returns the client's openid.
func (c *Client) OpenID() string { return c.openID }

// BaseURL returns the resolved base URL (without a trailing slash).
func (c *Client) BaseURL() string { return c.identity.BaseURL }

// Do calls any 勤策 OpenAPI operation the SDK does not type yet, with the
// same signing, retries and error mapping as the typed methods. path is
// /api/{module}/{version}/{operation} (segments of letters, digits, '.', '_'
// and '-'; anything else is ErrInvalidParam before any network call); the
// SDK appends the signed /{openid}/{timestamp}/{digest}/{msg_id}.
//
// An empty method means POST (勤策 documents only POST). body is
// JSON-encoded once; a []byte or json.RawMessage body is sent verbatim and
// must be JSON; no body (or JSON null) sends {}, as 勤策 expects of a call
// without parameters. response_data, whether JSON or a JSON string holding
// JSON, is decoded into out (nil skips it; a *json.RawMessage receives the
// inner JSON).
//
// Do cannot know whether an operation is idempotent, so every method but
// GET is treated as a create: once the request may have reached 勤策, a
// timeout, reset or 5xx is not retried and returns an error matching
// ErrAmbiguous. Failures before the request was written, and 429, are
// retried.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	return c.t.Generic(ctx, method, path, body, out)
}

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
