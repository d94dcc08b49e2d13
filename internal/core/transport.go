// Package core is the one transport of cluekit: the only importer of resty.
// It signs every attempt over the exact bytes sent, retries per api.md
// "Retries" with a single retry condition, rate-limits, logs each attempt
// without secrets, and turns vendor answers into *APIError values.
package core

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"
	"golang.org/x/time/rate"

	"github.com/cluekit/cluekit/internal/token"
)

// MaxResponseBytes caps a vendor response body.
const MaxResponseBytes = 32 << 20

// Envelope is a vendor answer reduced to what the transport needs.
type Envelope struct {
	OK        bool   // the business code means success
	Code      string // verbatim business code
	Message   string
	RequestID string
	Data      []byte // the payload, raw JSON (nil when absent)
}

// Vendor describes what differs between vendors in the transport.
type Vendor struct {
	Name string
	// Decode parses a 2xx response body. An error means the body is not the
	// vendor's envelope (HTML page, empty, malformed).
	Decode func(body []byte) (Envelope, error)
	// Classify maps a non-success code to the sentinels it matches and says
	// whether it is a transient rate limit worth retrying. A code meaning
	// "server busy, try later" returns ErrVendorBusy among the kinds: core
	// then treats it like HTTP 503 (retried, or ErrAmbiguous for a create).
	Classify func(code string) (kinds []error, retry bool)
}

// ErrVendorBusy marks a business code that means the vendor was too busy to
// answer: like HTTP 503, a read is retried and a create whose outcome is
// unknown matches ErrAmbiguous.
var ErrVendorBusy = errors.New("cluekit: vendor busy")

// Request is one logical call (possibly several attempts).
type Request struct {
	Op     string // vendor operation, for errors and logs (no secrets)
	Method string
	Body   []byte // the exact bytes sent on every attempt; nil = no body
	// Create marks a call that creates something: it is never retried once
	// the request may have reached the vendor.
	Create bool
	// Token, when set, is read before each attempt (a.Token), and an answer
	// matching ErrInvalidToken invalidates it and replays the call once.
	Token *token.Source
	// Sign prepares one attempt: path, query and headers, signed afresh.
	Sign func(a *Attempt) error
}

// Attempt is what Sign fills in for one try.
type Attempt struct {
	N      int       // 1-based attempt number
	Now    time.Time // the attempt's clock reading, for timestamps
	Body   []byte    // the exact bytes that will be sent
	Token  string    // current access token when Request.Token is set
	Path   string    // path after the base URL, e.g. /api/salesleads/v1/...
	Query  url.Values
	Header http.Header
	// RequestID is this attempt's own request id (e.g. a msg_id it sends),
	// used in errors when the vendor's answer carries none.
	RequestID string

	redact *[]string
}

// Redact registers values (digests, signatures) that must never appear in
// an error or log line of this call.
func (a *Attempt) Redact(values ...string) {
	for _, v := range values {
		if v != "" {
			*a.redact = append(*a.redact, v)
		}
	}
}

// Result is a successful call.
type Result struct {
	Envelope
	HTTPStatus int
	Attempts   int
}

// Client is an immutable transport for one vendor client.
type Client struct {
	cfg     *Config
	vendor  Vendor
	rc      *resty.Client
	limiter *rate.Limiter
	quota   *retryQuota
	secrets []string
}

// NewClient builds the transport. secrets are the client's long-lived
// credentials, scrubbed from every error and log line.
func NewClient(cfg *Config, v Vendor, secrets ...string) *Client {
	c := &Client{cfg: cfg, vendor: v, quota: newRetryQuota(cfg.RetryQuota)}
	for _, s := range secrets {
		if s != "" {
			c.secrets = append(c.secrets, s)
		}
	}
	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient // copy: never mutate the caller's client
	}
	rc := resty.NewWithClient(&hc) // sets hc.Transport when the caller had none
	// Cap response bodies in the transport rather than with resty's
	// SetResponseBodyLimit, whose reader grows the body 512 bytes at a time
	// (quadratic copying on large pages); resty then reads with io.ReadAll.
	hc.Transport = &capTransport{base: hc.Transport, max: MaxResponseBytes}
	rc.SetLogger(quietLogger{}) // resty's own logs print URLs, which can carry tokens
	rc.SetTimeout(cfg.Timeout)
	rc.SetRetryCount(cfg.MaxAttempts - 1)
	// The single retry condition. Waiting is done (and made injectable,
	// context-aware and deadline-aware) in waitBeforeRetry; resty then
	// waits its minimum of 1ns.
	rc.AddRetryCondition(c.shouldRetry)
	rc.SetRetryAfter(c.waitBeforeRetry)
	rc.SetRetryWaitTime(time.Nanosecond)
	rc.SetRetryMaxWaitTime(time.Nanosecond)
	rc.OnBeforeRequest(c.prepareAttempt)
	if cfg.UserAgent != "" {
		rc.SetHeader("User-Agent", cfg.UserAgent)
	} else {
		rc.SetHeader("User-Agent", "cluekit-go")
	}
	c.rc = rc
	if cfg.RatePerSec > 0 {
		c.limiter = rate.NewLimiter(rate.Limit(cfg.RatePerSec), cfg.RateBurst)
	}
	return c
}

// Config returns the client's configuration (read-only by convention).
func (c *Client) Config() *Config { return c.cfg }

// VendorName returns the vendor's package name.
func (c *Client) VendorName() string { return c.vendor.Name }

type stateKey struct{}

// callState follows one execution (all attempts) of a Request.
type callState struct {
	ctx        context.Context
	req        *Request
	attempt    int
	judged     int
	wrote      atomic.Bool
	token      string
	redact     []string
	retryAfter time.Duration
	started    time.Time
	sent       bool   // this attempt got past prepareAttempt
	requestID  string // the attempt's own request id (Attempt.RequestID)

	retry    bool
	err      error
	status   int
	env      Envelope
	quotaOut int // retry tokens this call holds
}

// Do runs req: signs and sends each attempt, retries what may be retried,
// and replays once with a new token if the vendor rejected the token.
func (c *Client) Do(ctx context.Context, req *Request) (*Result, error) {
	if ctx == nil {
		return nil, errors.New("cluekit: nil context")
	}
	res, st, err := c.execute(ctx, req)
	if err != nil && req.Token != nil && st.token != "" && errors.Is(err, ErrInvalidToken) && ctx.Err() == nil {
		req.Token.Invalidate(ctx, st.token)
		res, _, err = c.execute(ctx, req)
	}
	return res, err
}

func (c *Client) execute(ctx context.Context, req *Request) (*Result, *callState, error) {
	st := &callState{ctx: ctx, req: req}
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				st.wrote.Store(true)
			}
		},
	}
	rctx := httptrace.WithClientTrace(context.WithValue(ctx, stateKey{}, st), trace)
	r := c.rc.R().SetContext(rctx)
	if req.Body != nil {
		r.SetBody(req.Body)
	}
	method := req.Method
	if method == "" {
		method = http.MethodPost
	}
	resp, err := r.Execute(method, c.cfg.BaseURL)
	if st.judged < st.attempt || st.attempt == 0 {
		c.judge(st, resp, err)
	}
	if st.err == nil {
		// The last attempt succeeded: that stands even if the context ended
		// just after (reporting a failure would invite a duplicate create).
		if st.quotaOut > 0 {
			c.quota.give(st.quotaOut)
		} else {
			c.quota.give(noRetryIncrement)
		}
		return &Result{Envelope: st.env, HTTPStatus: st.status, Attempts: st.attempt}, st, nil
	}
	if ctx.Err() != nil && st.retry {
		// The context ended while waiting to retry (or between attempts).
		return nil, st, &CallError{Vendor: c.vendor.Name, Op: req.Op, Attempts: st.attempt, Err: ctx.Err()}
	}
	return nil, st, st.err
}

func stateOf(ctx context.Context) *callState {
	st, _ := ctx.Value(stateKey{}).(*callState)
	return st
}

// prepareAttempt runs before every attempt: rate limit, token, signature.
func (c *Client) prepareAttempt(_ *resty.Client, r *resty.Request) error {
	st := stateOf(r.Context())
	if st == nil {
		return errors.New("cluekit: request without call state")
	}
	st.attempt++
	st.sent = false
	st.requestID = ""
	st.wrote.Store(false)
	st.retryAfter = 0
	ctx := st.ctx
	a := &Attempt{N: st.attempt, Now: c.cfg.Now(), Body: st.req.Body, Query: url.Values{}, Header: http.Header{}, redact: &st.redact}
	if st.req.Token != nil {
		tok, err := st.req.Token.Token(ctx)
		if err != nil {
			return err
		}
		a.Token, st.token = tok.Value, tok.Value
		a.Redact(tok.Value)
	}
	// Pace right before sending (after any token request, which is paced
	// by the same limiter), then sign with a fresh clock reading.
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return err
		}
		a.Now = c.cfg.Now()
	}
	if err := st.req.Sign(a); err != nil {
		return err
	}
	u := c.cfg.BaseURL + a.Path
	if len(a.Query) > 0 {
		u += "?" + a.Query.Encode()
	}
	r.URL = u
	for k, vs := range a.Header {
		r.Header[k] = vs
	}
	if st.req.Body != nil && r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", "application/json")
	}
	st.requestID = a.RequestID
	st.started = time.Now()
	st.sent = true
	return nil
}

// shouldRetry is the one retry condition: it judges the attempt and says
// whether another may follow.
func (c *Client) shouldRetry(resp *resty.Response, err error) bool {
	if resp == nil || resp.Request == nil {
		return false // failed before sending (rate-limit wait, token, signing)
	}
	st := stateOf(resp.Request.Context())
	if st == nil {
		return false
	}
	c.judge(st, resp, err)
	return st.retry
}

// waitBeforeRetry sleeps the backoff (full jitter, or Retry-After) through
// the injectable sleeper, refusing to sleep past the context deadline.
func (c *Client) waitBeforeRetry(_ *resty.Client, resp *resty.Response) (time.Duration, error) {
	st := stateOf(resp.Request.Context())
	if st == nil {
		return 0, errors.New("cluekit: retry without call state")
	}
	d := c.Backoff(st.attempt, st.retryAfter)
	if dl, ok := st.ctx.Deadline(); ok && !c.cfg.Now().Add(d).Before(dl) {
		st.retry = false
		return 0, context.DeadlineExceeded
	}
	cost := retryCost
	if isTimeout(st.err) {
		cost = retryTimeoutCost
	}
	if !c.quota.take(cost) {
		st.retry = false
		c.cfg.Logger.LogAttrs(st.ctx, slog.LevelWarn, "cluekit: retry quota exhausted, not retrying",
			slog.String("vendor", c.vendor.Name), slog.String("op", st.req.Op), slog.Int("attempt", st.attempt))
		return 0, errQuotaExhausted
	}
	st.quotaOut += cost
	if err := c.cfg.Sleep(st.ctx, d); err != nil {
		return 0, err
	}
	return time.Nanosecond, nil
}

// Backoff returns the wait after the given failed attempt: Retry-After when
// the server sent one (capped), else full jitter over a capped exponential.
func (c *Client) Backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, c.cfg.MaxRetryAfter)
	}
	ceil := float64(c.cfg.BaseDelay) * math.Pow(2, float64(attempt-1))
	ceil = math.Min(ceil, float64(c.cfg.MaxDelay))
	return time.Duration(c.cfg.Rand() * ceil)
}

// judge classifies the latest attempt once: success, retryable, or final.
func (c *Client) judge(st *callState, resp *resty.Response, err error) {
	st.judged = st.attempt
	st.retry = false
	st.err = nil
	create := st.req.Create
	var raw *http.Response
	if resp != nil {
		raw = resp.RawResponse
	}
	switch {
	case !st.sent:
		// Failed before anything was sent (rate-limit wait, token, signing).
		if err == nil {
			err = errors.New("no response")
		}
		var api *APIError
		var ce *CallError
		var pe *paramError
		if errors.As(err, &api) || errors.As(err, &ce) || errors.As(err, &pe) {
			st.err = err
		} else {
			st.err = &CallError{Vendor: c.vendor.Name, Op: st.req.Op, Attempts: st.attempt, Err: c.scrubErr(st, err)}
		}
	case raw == nil || (err != nil && !errors.Is(err, ErrResponseTooLarge)):
		// No answer at all, or one that broke off while its body was read
		// (reset, per-attempt timeout, cancelled context): a transport
		// failure. A status line that arrived proves the request was sent.
		wrote := st.wrote.Load() || raw != nil
		ambiguous := create && wrote
		if st.ctx.Err() != nil {
			st.err = &CallError{Vendor: c.vendor.Name, Op: st.req.Op, Attempts: st.attempt, Err: st.ctx.Err(), ambiguous: ambiguous}
			break
		}
		st.err = &CallError{Vendor: c.vendor.Name, Op: st.req.Op, Attempts: st.attempt, Err: c.scrubErr(st, err), ambiguous: ambiguous}
		st.retry = !ambiguous
	case err != nil: // ErrResponseTooLarge: an answer, but not one to decode
		kinds := []error{ErrBadResponse}
		if create {
			kinds = append(kinds, ErrAmbiguous)
		}
		st.status = raw.StatusCode
		st.err = NewAPIError(c.vendor.Name, st.req.Op, raw.StatusCode, "", "", st.requestID, err, kinds...)
	default:
		c.judgeHTTP(st, raw, resp.Body(), create)
	}
	c.logAttempt(st)
}

func (c *Client) judgeHTTP(st *callState, raw *http.Response, body []byte, create bool) {
	status := raw.StatusCode
	st.status = status
	op := st.req.Op
	if status >= 200 && status < 300 {
		env, derr := c.vendor.Decode(body)
		if derr != nil {
			kinds := []error{ErrBadResponse}
			if create {
				kinds = append(kinds, ErrAmbiguous)
			}
			st.err = NewAPIError(c.vendor.Name, op, status, "", "", st.requestID, derr, kinds...)
			return
		}
		if env.OK {
			env.RequestID = cmp.Or(env.RequestID, st.requestID)
			st.env = env
			return
		}
		kinds, retry := c.classify(env.Code)
		if slices.Contains(kinds, ErrVendorBusy) {
			if create {
				kinds, retry = append(kinds, ErrAmbiguous), false
			} else {
				retry = true
			}
		}
		st.err = NewAPIError(c.vendor.Name, op, status, env.Code, c.scrub(st, env.Message), cmp.Or(env.RequestID, st.requestID), nil, kinds...)
		st.retry = retry
		return
	}
	// Non-2xx: the body may still hold the vendor's envelope.
	var code, msg, reqID string
	var kinds []error
	if env, derr := c.vendor.Decode(body); derr == nil && !env.OK && env.Code != "" {
		code, msg, reqID = env.Code, env.Message, env.RequestID
		kinds, _ = c.classify(code)
	} else {
		msg = http.StatusText(status)
	}
	switch {
	case status == http.StatusTooManyRequests:
		kinds = append(kinds, ErrRateLimited)
		st.retry = true
	case status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		st.retry = !create
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		kinds = append(kinds, ErrPermission)
	case status == http.StatusNotFound:
		kinds = append(kinds, ErrNotFound)
	case status == http.StatusBadRequest:
		kinds = append(kinds, ErrInvalidParam)
	}
	if create && status >= 500 {
		kinds = append(kinds, ErrAmbiguous)
	}
	if st.retry {
		st.retryAfter = ParseRetryAfter(raw.Header.Get("Retry-After"), c.cfg.Now())
	}
	st.err = NewAPIError(c.vendor.Name, op, status, code, c.scrub(st, msg), cmp.Or(reqID, st.requestID), nil, kinds...)
}

func (c *Client) classify(code string) ([]error, bool) {
	if c.vendor.Classify == nil {
		return nil, false
	}
	kinds, retry := c.vendor.Classify(code)
	for _, k := range kinds {
		if k == ErrRateLimited {
			retry = true
		}
	}
	return kinds, retry
}

// isTimeout reports whether err is a timeout (per-attempt or network).
func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return err != nil && (errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout())
}

// ParseRetryAfter reads a Retry-After header (seconds or HTTP date).
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// scrubErr drops the URL from a transport error (URLs can carry tokens and
// digests) and scrubs any secret left in the message.
func (c *Client) scrubErr(st *callState, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	if clean := c.scrub(st, msg); clean != msg {
		return &scrubbedError{msg: clean, cause: err}
	}
	return err
}

// scrub replaces every known secret in s.
func (c *Client) scrub(st *callState, s string) string {
	// Per-call values (signatures, tokens) first: they can contain a
	// long-lived secret, and must be matched whole.
	if st != nil {
		for _, secret := range st.redact {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}

type scrubbedError struct {
	msg   string
	cause error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.cause }

func (c *Client) logAttempt(st *callState) {
	l := c.cfg.Logger
	ctx := st.ctx
	if !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("vendor", c.vendor.Name),
		slog.String("op", st.req.Op),
		slog.Int("attempt", st.attempt),
		slog.Int("status", st.status),
		slog.Bool("retry", st.retry),
	}
	if !st.started.IsZero() {
		attrs = append(attrs, slog.Duration("elapsed", time.Since(st.started)))
	}
	if st.env.RequestID != "" {
		attrs = append(attrs, slog.String("request_id", st.env.RequestID))
	}
	if st.err != nil {
		attrs = append(attrs, slog.String("error", c.scrub(st, st.err.Error())))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "cluekit attempt", attrs...)
}

type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
