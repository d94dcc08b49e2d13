// Package core is the one transport of cluekit and the only importer of
// resty. A call is a plain loop of attempts: prepare (token, pace, sign over
// the exact bytes), send one attempt with resty, judge the answer with a pure
// function, then either return or wait and try again. The retry policy lives
// in one place (retryable), errors carry their retryability, and nothing
// hides in resty hooks or context values.
package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/google/go-querystring/query"

	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/internal/token"
)

// Endpoint describes one vendor operation. Vendor packages declare one per
// typed method.
type Endpoint struct {
	Op     string // operation name for errors, logs and observers (no secrets)
	Method string // HTTP method; "" means POST
	Path   string // path after the base URL, e.g. /openapi/crm/clue/page
	// Create marks a non-idempotent call: once the request may have reached
	// the vendor, a failure is not retried and matches ErrAmbiguous.
	Create bool
	// Public endpoints are sent without the vendor's Auth step and without
	// an access token (the token requests themselves).
	Public bool
}

// Outcome is the business result an envelope reports.
type Outcome struct {
	OK        bool   // the business code means success
	Code      string // verbatim business code
	Message   string
	RequestID string
}

// Envelope is a vendor's answer wrapper. Vendor.Envelope returns one whose
// payload member decodes straight into the caller's result, so a page is
// parsed once.
type Envelope interface {
	// Outcome is read after the body was decoded into the envelope. An
	// error means the body was JSON but not the vendor's envelope.
	Outcome() (Outcome, error)
}

// Vendor is what differs between vendors in the transport.
type Vendor struct {
	Name string
	// Envelope returns an empty envelope whose payload member decodes into
	// out (out may be nil: the payload is then skipped).
	Envelope func(out any) Envelope
	// Classify maps a non-success code to the sentinels it matches.
	// ErrRateLimited makes the attempt retried (also for creates: not
	// applied); ErrVendorBusy makes it behave like HTTP 503.
	Classify func(code string) []error
	// Auth prepares every attempt of a non-public endpoint: signs it or adds
	// the access token (a.Token when the client has a token source).
	Auth func(a *Attempt) error
	// OpPrefix is trimmed from a Generic path to name the operation.
	OpPrefix string
	// Hint, when set, returns advice for a refused call's code (e.g. which
	// option fixes a signature mismatch); it is shown in APIError.Error.
	Hint func(code string) string
}

// ErrVendorBusy marks a business code meaning "too busy, try later": like
// HTTP 503, a read is retried and a create whose outcome is unknown matches
// ErrAmbiguous.
var ErrVendorBusy = errors.New("cluekit: vendor busy")

// Attempt is one try of a call, as the vendor's Auth step sees it.
type Attempt struct {
	N      int       // 1-based attempt number
	Method string    // the HTTP method
	Now    time.Time // the attempt's clock reading, for timestamps
	Body   []byte    // the exact bytes that will be sent (Auth may supply a body)
	Token  string    // the access token, for token vendors
	Path   string    // path after the base URL (Auth may append to it)
	Query  url.Values
	Header http.Header
	// RequestID is this attempt's own request id (e.g. a msg_id it sends),
	// reported when the vendor's answer carries none.
	RequestID string

	redact []string
}

// Redact registers per-attempt secrets (digests, signatures) that must never
// appear in an error or log line.
func (a *Attempt) Redact(values ...string) {
	for _, v := range values {
		if v != "" {
			a.redact = append(a.redact, v)
		}
	}
}

// SetHeader sets a header under the exact name given (vendors document
// non-canonical names such as app_id or appId).
func (a *Attempt) SetHeader(name, value string) { a.Header[name] = []string{value} }

// Result describes a successful call.
type Result struct {
	HTTPStatus int
	Attempts   int
	Code       string
	RequestID  string
}

// Client is an immutable transport for one vendor client.
type Client struct {
	cfg     *Config
	vendor  Vendor
	rc      *resty.Client
	limiter Limiter
	quota   *retryQuota
	secrets Scrubber
	tokens  *token.Source
}

// NewClient builds the transport. secrets are the client's long-lived
// credentials, scrubbed from every error and log line in every encoding.
func NewClient(cfg *Config, v Vendor, secrets ...string) *Client {
	c := &Client{cfg: cfg, vendor: v, quota: newRetryQuota(cfg.RetryQuota), secrets: NewScrubber(secrets...)}
	hc := &http.Client{Transport: sharedTransport}
	if cfg.HTTPClient != nil {
		cp := *cfg.HTTPClient // never mutate the caller's client
		hc = &cp
	}
	c.rc = resty.NewWithClient(hc).
		SetLogger(quietLogger{}). // resty's own logs print URLs, which carry tokens
		SetHeader("User-Agent", cmpOr(cfg.UserAgent, "cluekit-go"))
	if cfg.Limiter != nil {
		if _, ok := cfg.Limiter.(adaptive); ok {
			c.limiter = cfg.Limiter
		} else {
			c.limiter = newSharedBackoff(cfg.Limiter, cfg.Now, cfg.Sleep)
		}
	}
	return c
}

// Call runs one typed endpoint: query (a struct with url tags, url.Values or
// nil) and body (marshalled once; []byte sent verbatim; nil for none) are
// sent, and the envelope's payload is decoded into out. redact names
// per-call secrets the request carries (e.g. a refresh token in a token
// request's body), scrubbed from every error and log line of the call.
func (c *Client) Call(ctx context.Context, ep Endpoint, q, body, out any, redact ...string) (*Result, error) {
	if c == nil {
		return nil, errors.New("cluekit: client not created with New")
	}
	values, err := encodeQuery(q)
	if err != nil {
		return nil, InvalidParam(c.vendor.Name, ep.Op, "cannot encode query: %v", err)
	}
	raw, err := encodeBody(body)
	if err != nil {
		return nil, InvalidParam(c.vendor.Name, ep.Op, "cannot encode request: %v", err)
	}
	return c.run(ctx, ep, values, raw, out, redact)
}

// Generic is the call behind every vendor's Do: method ("" = POST), a path
// after the base URL that may carry its own query, a body (JSON-encoded once;
// []byte and json.RawMessage sent verbatim, and must be JSON), and out for
// the payload. Every method but GET is treated as a create.
func (c *Client) Generic(ctx context.Context, method, path string, body, out any) error {
	if c == nil {
		return errors.New("cluekit: client not created with New")
	}
	method = strings.ToUpper(strings.TrimSpace(method))
	if method == "" {
		method = http.MethodPost
	}
	if !isMethod(method) {
		return InvalidParam(c.vendor.Name, "Do", "method %q is not one of GET, POST, PUT, PATCH, DELETE", c.scrub(nil, method))
	}
	if err := checkPath(path); err != nil {
		return InvalidParam(c.vendor.Name, "Do", "path %q %v", c.scrub(nil, path), err)
	}
	u, err := url.Parse(path)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Fragment != "" {
		return InvalidParam(c.vendor.Name, "Do", "path %q must be a path after the base URL, starting with /", c.scrub(nil, path))
	}
	values, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return InvalidParam(c.vendor.Name, "Do", "path %q has a malformed query", c.scrub(nil, u.Path))
	}
	op := c.scrub(nil, strings.TrimPrefix(u.Path, c.vendor.OpPrefix))
	if out != nil {
		if rv := reflect.ValueOf(out); rv.Kind() != reflect.Pointer || rv.IsNil() {
			return InvalidParam(c.vendor.Name, op, "out must be nil or a non-nil pointer, not %T", out)
		}
	}
	raw, err := encodeBody(body)
	if err != nil {
		return InvalidParam(c.vendor.Name, op, "cannot encode body: %v", err)
	}
	if verbatim(body) && raw != nil && !json.Valid(raw) {
		return InvalidParam(c.vendor.Name, op, "body is not valid JSON")
	}
	if raw != nil && method == http.MethodGet {
		return InvalidParam(c.vendor.Name, op, "a GET request cannot carry a body")
	}
	ep := Endpoint{Op: op, Method: method, Path: u.EscapedPath(), Create: method != http.MethodGet}
	_, err = c.run(ctx, ep, values, raw, out, nil)
	return err
}

// checkPath accepts a path after the base URL: it starts with a single /,
// has no white space or control characters and no . or .. segment.
func checkPath(p string) error {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return errors.New("must start with a single /")
	}
	for _, r := range p {
		if r <= ' ' || r == 0x7f {
			return errors.New("must not contain white space or control characters")
		}
	}
	pathPart, _, _ := strings.Cut(p, "?")
	for _, seg := range strings.Split(pathPart, "/") {
		if seg == "." || seg == ".." {
			return errors.New("must not contain . or .. segments")
		}
	}
	return nil
}

// isMethod reports whether s is one of the standard HTTP methods a vendor
// API can use.
func isMethod(s string) bool {
	switch s {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// Backoff returns the wait after the given failed attempt: the server's
// Retry-After when it sent one (capped), else full jitter over a capped
// exponential.
func (c *Client) Backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, c.cfg.MaxRetryAfter)
	}
	ceil := float64(c.cfg.BaseDelay) * math.Pow(2, float64(attempt-1))
	ceil = math.Min(ceil, float64(c.cfg.MaxDelay))
	return time.Duration(c.cfg.Rand() * ceil)
}

// run is one logical call: the attempt loop, and one replay with a new token
// when the vendor refused the token.
func (c *Client) run(ctx context.Context, ep Endpoint, q url.Values, body []byte, out any, redact []string) (*Result, error) {
	if ctx == nil {
		return nil, errors.New("cluekit: nil context")
	}
	if ep.Method == "" {
		ep.Method = http.MethodPost
	}
	// A public endpoint is the token request: observers see it through
	// Observer.Token, not as a call of its own.
	observed := !ep.Public && len(c.cfg.Observers) > 0
	info := CallInfo{Vendor: c.vendor.Name, Op: ep.Op, Method: ep.Method, Create: ep.Create}
	start := time.Now()
	if observed {
		ctx = c.cfg.Observers.CallStart(ctx, info)
	}
	res, tok, n, err := c.attempts(ctx, ep, q, body, out, redact)
	if err != nil && tok != "" && errors.Is(err, ErrInvalidToken) && ctx.Err() == nil && c.tokens.Invalidate(ctx, tok) {
		var replayed int
		res, _, replayed, err = c.attempts(ctx, ep, q, body, out, redact)
		n += replayed
	}
	if observed {
		info.Duration, info.Attempts = time.Since(start), n
		var ae *APIError
		switch {
		case res != nil:
			info.RequestID = res.RequestID
		case errors.As(err, &ae):
			info.RequestID = ae.RequestID
		}
		c.cfg.Observers.CallEnd(ctx, info, err)
	}
	return res, err
}

// attempts is the loop. It returns the access token the last attempt used
// and the number of attempts sent.
func (c *Client) attempts(ctx context.Context, ep Endpoint, q url.Values, body []byte, out any, redact []string) (res *Result, tok string, sent int, err error) {
	res, tok, err = c.loop(ctx, ep, q, body, out, redact, &sent)
	return res, tok, sent, err
}

func (c *Client) loop(ctx context.Context, ep Endpoint, q url.Values, body []byte, out any, redact []string, sent *int) (*Result, string, error) {
	var last error // the last failure, joined to a context error
	retryTokens := 0
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			// A call whose context is done sends nothing, not even a
			// token request.
			return nil, "", c.ctxError(ep, n-1, err, last)
		}
		a, err := c.prepare(ctx, ep, n, q, body, redact)
		if err != nil {
			return nil, "", err
		}
		o := c.send(ctx, ep, a, out)
		*sent = n
		c.observe(ctx, ep, a, o)
		if o.err == nil {
			c.quota.give(max(retryTokens, noRetryIncrement))
			if l, ok := c.limiter.(adaptive); ok {
				l.Succeeded()
			}
			return o.res, a.Token, nil
		}
		if o.throttled {
			if l, ok := c.limiter.(adaptive); ok {
				l.Throttled(o.retryAfter)
			}
		}
		if !o.retry || n >= c.cfg.MaxAttempts {
			return nil, a.Token, o.err
		}
		if ctx.Err() != nil {
			return nil, a.Token, c.ctxError(ep, n, ctx.Err(), o.err)
		}
		if dl, ok := ctx.Deadline(); ok && !c.cfg.Now().Add(o.wait).Before(dl) {
			// No room left for the wait: stop now, with both causes.
			return nil, a.Token, c.ctxError(ep, n, context.DeadlineExceeded, o.err)
		}
		cost := retryCost
		if isTimeout(o.err) {
			cost = retryTimeoutCost
		}
		if !c.quota.take(cost) {
			c.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "cluekit: retry quota exhausted, not retrying",
				slog.String("vendor", c.vendor.Name), slog.String("op", ep.Op), slog.Int("attempt", n))
			return nil, a.Token, o.err
		}
		retryTokens += cost
		if err := c.cfg.Sleep(ctx, o.wait); err != nil {
			return nil, a.Token, c.ctxError(ep, n, err, o.err)
		}
		last = o.err
	}
}

// prepare builds one attempt: token, pacing, then the vendor's Auth with a
// fresh clock reading.
func (c *Client) prepare(ctx context.Context, ep Endpoint, n int, q url.Values, body []byte, redact []string) (*Attempt, error) {
	a := &Attempt{N: n, Method: ep.Method, Body: body, Path: ep.Path, Query: url.Values{}, Header: http.Header{}}
	a.Redact(redact...)
	for k, vs := range q {
		a.Query[k] = append([]string(nil), vs...)
	}
	if !ep.Public && c.tokens != nil {
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			return nil, c.wrapPrep(ep, n, err, a)
		}
		a.Token = tok.Value
		a.Redact(tok.Value)
	}
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, c.wrapPrep(ep, n, err, a)
		}
	}
	a.Now = c.cfg.Now()
	if !ep.Public && c.vendor.Auth != nil {
		if err := c.vendor.Auth(a); err != nil {
			return nil, c.wrapPrep(ep, n, err, a)
		}
	}
	if a.Body != nil && a.Header.Get("Content-Type") == "" {
		a.Header.Set("Content-Type", "application/json")
	}
	return a, nil
}

// wrapPrep reports a failure before anything was sent (token, limiter,
// signing). Errors the SDK made itself pass through.
func (c *Client) wrapPrep(ep Endpoint, n int, err error, a *Attempt) error {
	var api *APIError
	var ce *CallError
	var pe *paramError
	if errors.As(err, &api) || errors.As(err, &ce) || errors.As(err, &pe) {
		return err
	}
	return &CallError{Vendor: c.vendor.Name, Op: ep.Op, Attempts: n - 1, Err: c.scrubErr(a, err)}
}

func (c *Client) ctxError(ep Endpoint, attempts int, ctxErr, last error) error {
	return &CallError{Vendor: c.vendor.Name, Op: ep.Op, Attempts: attempts, Err: ctxErr, Last: last,
		ambiguous: errors.Is(last, ErrAmbiguous)}
}

// observe reports an attempt to the observers and the debug log.
func (c *Client) observe(ctx context.Context, ep Endpoint, a *Attempt, o *outcome) {
	if len(c.cfg.Observers) > 0 {
		c.cfg.Observers.Attempt(ctx, AttemptInfo{Vendor: c.vendor.Name, Op: ep.Op, Method: ep.Method, Attempt: a.N,
			HTTPStatus: o.status, Code: o.code, RequestID: o.requestID, Duration: o.elapsed, Err: o.err,
			Retry: o.retry && a.N < c.cfg.MaxAttempts, RetryWait: o.wait, RetryReason: o.reason})
	}
	l := c.cfg.Logger
	if !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("vendor", c.vendor.Name), slog.String("op", ep.Op), slog.Int("attempt", a.N),
		slog.Int("status", o.status), slog.Bool("retry", o.retry && a.N < c.cfg.MaxAttempts),
		slog.Duration("elapsed", o.elapsed),
	}
	if o.requestID != "" {
		attrs = append(attrs, slog.String("request_id", o.requestID))
	}
	if o.err != nil {
		attrs = append(attrs, slog.String("error", c.scrub(a, o.err.Error())))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "cluekit attempt", attrs...)
}

func encodeQuery(q any) (url.Values, error) {
	switch v := q.(type) {
	case nil:
		return nil, nil
	case url.Values:
		return v, nil
	}
	if rv := reflect.ValueOf(q); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, nil
	}
	return query.Values(q)
}

func encodeBody(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case []byte:
		return b, nil
	case json.RawMessage:
		return b, nil
	}
	return flex.Marshal(body)
}

// verbatim reports whether body is sent as given ([]byte, json.RawMessage)
// rather than encoded here (then it is valid JSON by construction).
func verbatim(body any) bool {
	switch body.(type) {
	case []byte, json.RawMessage:
		return true
	}
	return false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// isTimeout reports whether err is a timeout (per-attempt or network).
func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout())
}

type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

// NewTokens builds the token source of a token vendor, reporting each fetch
// to the observers, and attaches it to the client. Call it once, in New.
func (c *Client) NewTokens(key string, fetch token.FetchFunc) *token.Source {
	cfg := c.cfg
	c.tokens = token.NewSource(token.SourceConfig{
		Key: key, Store: cfg.TokenStore, Fetch: fetch, Now: cfg.Now, Sleep: cfg.Sleep, Logger: cfg.Logger,
		Observe: func(ctx context.Context, refresh bool, d time.Duration, err error) {
			if err != nil {
				err = c.scrubErr(nil, err)
			}
			cfg.Observers.Token(ctx, TokenInfo{Vendor: c.vendor.Name, Refresh: refresh, Duration: d, Err: err})
		},
	})
	return c.tokens
}

// AccessToken returns the client's access token (token vendors), fetching
// one if the cache holds none that is fresh; concurrent callers share one
// fetch, and a context that is already done fetches nothing.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	if ctx == nil {
		return "", errors.New("cluekit: nil context")
	}
	if err := ctx.Err(); err != nil {
		return "", &CallError{Vendor: c.vendor.Name, Op: "AccessToken", Err: err}
	}
	if c.tokens == nil {
		return "", fmt.Errorf("%s: this vendor has no access token", c.vendor.Name)
	}
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return "", err
	}
	return tok.Value, nil
}
