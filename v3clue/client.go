package v3clue

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/cluekit/cluekit/internal/core"
)

// DefaultBaseURL is the production base URL; documented paths (/api/v3/...)
// are appended to it.
const DefaultBaseURL = "https://account.tanmarket.cn/apiServer"

// vendorName is the package name used in errors and logs.
const vendorName = "v3clue"

// identity is what a Client shows of itself when printed or logged: the
// vendor, the app id and the base URL, never the app key.
type identity = core.Identity

// Client is a 探马 OpenAPI v3 client. It is safe for concurrent use and
// immutable after New. Printed (%v, %+v, %#v) or logged with slog, it shows
// only the vendor, the app id and the base URL.
type Client struct {
	identity
	t      *core.Client
	cfg    *core.Config
	appID  string
	appKey string
	s      settings
}

// settings holds the options specific to this vendor.
type settings struct {
	appKeyHeader bool
}

// errNotCreated is returned by the methods of a Client not made by New.
var errNotCreated = errors.New("v3clue: Client not created with New")

// New returns a client for the app identified by appID, signing with appKey
// (应用 appId / 应用 appKey). It fails on empty or malformed credentials and
// on a bad base URL (plain http is only allowed to loopback hosts).
func New(appID, appKey string, opts ...Option) (*Client, error) {
	if appID == "" || appKey == "" {
		return nil, errors.New("v3clue: New: appID and appKey must not be empty")
	}
	if !headerSafe(appID) {
		return nil, errors.New("v3clue: New: appID must be printable text without spaces or control characters")
	}
	if !headerSafe(appKey) {
		return nil, errors.New("v3clue: New: appKey must be printable text without spaces or control characters")
	}
	c := &Client{appID: appID, appKey: appKey}
	cfg, err := core.NewConfig(DefaultBaseURL, &c.s, opts)
	if err != nil {
		return nil, err
	}
	c.identity = identity{Vendor: vendorName, AppID: appID, BaseURL: cfg.BaseURL}
	c.cfg = cfg
	c.t = core.NewClient(cfg, core.Vendor{
		Name: vendorName, Envelope: newEnvelope, Classify: classify, Auth: c.auth, OpPrefix: "/api/v3/", Hint: c.hint,
	}, appKey)
	return c, nil
}

// headerSafe reports whether v can travel in a header (or be concatenated
// into the signed string) unchanged: visible characters, no spaces.
func headerSafe(v string) bool {
	for _, r := range v {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// Do calls any v3 endpoint the SDK does not type yet, with the same signing,
// retries and error mapping as GetClue (the same rules in every cluekit
// package).
//
// method "" means POST, the method of every documented v3 endpoint. path is
// everything after the base URL, e.g. "/api/v3/customer/search" (it may
// carry a query, which is not signed). body is sent as JSON: nil sends an
// empty body (signed as ""), a []byte or json.RawMessage is sent verbatim
// (it must be valid JSON), anything else is marshalled once, without HTML
// escaping; a GET cannot carry a body. The answer's data is decoded into
// out, a pointer (nil skips it; numbers decoded into interfaces keep every
// digit; *json.RawMessage keeps it raw); a non-zero code is an *APIError.
//
// Every method but GET is treated as a create (the SDK cannot know what an
// arbitrary endpoint does): after a failure where the request may have
// reached the vendor (timeout, reset, HTTP 5xx) it is not retried and the
// error matches ErrAmbiguous; failures before the request left and HTTP 429
// are still retried.
//
// Endpoints seen in third-party clients (bodies as used there; see the
// vendor docs for the rest): /api/v3/import-customer (个人客户导入: fields by
// alias; a duplicate phone gives code 40417, ErrDuplicate),
// /api/v3/customer-transfer, /api/v3/customer/search (data.totalPage,
// data.data[]), /api/v3/get-users (data.result[] with salesId) and
// /api/v3/profile-fields (called with an empty body). For example:
//
//	var page struct {
//		TotalPage int               `json:"totalPage"`
//		Data      []json.RawMessage `json:"data"`
//	}
//	err := c.Do(ctx, http.MethodPost, "/api/v3/customer/search",
//		map[string]any{"searchKey": "138", "pageNo": 1, "pageSize": 100}, &page)
//
//	var fields []struct {
//		ID json.Number `json:"id"`
//	}
//	err = c.Do(ctx, http.MethodPost, "/api/v3/profile-fields", nil, &fields)
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	if c == nil || c.t == nil {
		return errNotCreated
	}
	return c.t.Generic(ctx, method, path, body, out)
}

// WithAppKeyHeader makes every request also carry the secret appKey in an
// appKey header, as the vendor's doc page and curl sample show.
//
// It is off by default, and should stay off unless your tenant's gateway
// rejects requests without it (code 1002 with the right appID and appKey:
// the error then suggests this option): the header puts the long-lived
// secret on the wire with every request, where any TLS-terminating proxy,
// gateway or header log on the way can record it, while the sign header
// already proves possession of the key without revealing it. Two
// independent working clients omit the header. The SDK still keeps the key
// out of its own errors and logs either way.
func WithAppKeyHeader() Option {
	return core.VendorOption("WithAppKeyHeader", func(s *settings) error {
		s.appKeyHeader = true
		return nil
	})
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
