package core

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cluekit/cluekit/internal/flex"
)

// ErrResponseTooLarge is the cause of a call whose answer is larger than
// WithMaxResponseBytes; the call fails with ErrBadResponse.
var ErrResponseTooLarge = errors.New("cluekit: response body too large")

// sharedTransport serves every client built without WithHTTPClient, so that
// thousands of tenant clients share one connection pool (as users of
// http.DefaultTransport expect) while credentials, tokens and limits stay
// per client.
var sharedTransport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	t.MaxIdleConns = 256
	return t
}()

// outcome is the judgement of one attempt.
type outcome struct {
	res        *Result
	err        error
	retry      bool
	reason     string        // why it retries
	wait       time.Duration // before the next attempt
	retryAfter time.Duration // the server's Retry-After
	throttled  bool          // 429 or a rate-limit code
	status     int
	code       string
	requestID  string
	elapsed    time.Duration
}

// response is what one attempt brought back.
type response struct {
	status   int
	header   http.Header
	body     []byte
	err      error // transport or read error
	wrote    bool  // the request was written (so a create may have happened)
	tooLarge bool
}

// send runs one attempt with resty (no resty retries) and judges it.
func (c *Client) send(ctx context.Context, ep Endpoint, a *Attempt, out any) *outcome {
	var wrote atomic.Bool
	release := func() {}
	if l, ok := c.limiter.(*AdaptiveLimiter); ok && l.burstOne() {
		r, err := l.gateWrite(ctx, c.cfg.Sleep)
		if err != nil {
			return c.judge(ctx, ep, a, &response{err: err}, out)
		}
		release = r
	}
	defer release()
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		WroteHeaders: release, // the vendor sees the request from here on
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				wrote.Store(true)
			}
		},
	})
	r := c.rc.R().SetContext(actx).SetDoNotParseResponse(true).SetQueryParamsFromValues(a.Query)
	for k, vs := range a.Header {
		r.Header[k] = vs
	}
	if a.Body != nil {
		// A *bytes.Reader: net/http sets Content-Length from it, and resty
		// hands it over as it is (a []byte it would copy twice). Each
		// attempt gets a fresh reader over the same bytes.
		r.SetBody(bytes.NewReader(a.Body))
	}
	started := time.Now()
	resp, err := r.Execute(ep.Method, c.cfg.BaseURL+a.Path)
	rr := response{err: err}
	if resp != nil && resp.RawResponse != nil {
		raw := resp.RawResponse
		rr.status, rr.header = raw.StatusCode, raw.Header
		rr.body, rr.tooLarge, rr.err = readBody(raw, c.cfg.MaxResponseBytes)
		if rr.err == nil {
			rr.err = err
		}
	}
	rr.wrote = wrote.Load() || rr.status != 0
	o := c.judge(ctx, ep, a, &rr, out)
	o.elapsed = time.Since(started)
	if o.retry {
		o.wait = c.Backoff(a.N, o.retryAfter)
		if o.throttled && o.retryAfter == 0 && c.limiter != nil {
			// The limiter, which has just slowed down, paces the retry: a
			// backoff on top would leave the quota unused.
			o.wait = 0
		}
	}
	return o
}

// readBody reads at most max bytes, refusing a larger Content-Length before
// reading, and without a second full copy (a known length sizes the buffer
// exactly). An unrequested gzip body is decompressed so the cap applies to
// what is decoded.
func readBody(raw *http.Response, max int64) ([]byte, bool, error) {
	defer raw.Body.Close()
	gzipped := strings.EqualFold(raw.Header.Get("Content-Encoding"), "gzip") && raw.ContentLength != 0
	if raw.ContentLength > max && !gzipped {
		return nil, true, ErrResponseTooLarge
	}
	if !gzipped && raw.ContentLength >= 0 {
		// A known length: read into a buffer of exactly that size, the
		// only copy of the body.
		buf := make([]byte, raw.ContentLength)
		if _, err := io.ReadFull(raw.Body, buf); err != nil {
			return nil, false, err
		}
		return buf, false, nil
	}
	var src io.Reader = raw.Body
	if gzipped {
		zr, err := gzip.NewReader(raw.Body)
		if err != nil {
			return nil, false, err
		}
		defer zr.Close()
		src = zr
	}
	// Unknown length: read in chunks that grow from 4 KiB to 1 MiB, so
	// that refusing an endless body never holds much more than the cap (a
	// doubling buffer would hold up to twice as much), then join them once.
	var chunks [][]byte
	var n int64
	size := 4 << 10
	for {
		chunk := make([]byte, size)
		k, err := io.ReadFull(src, chunk)
		if k > 0 {
			n += int64(k)
			if n > max {
				return nil, true, ErrResponseTooLarge
			}
			chunks = append(chunks, chunk[:k])
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, false, err
		}
		size = min(2*size, 1<<20)
	}
	if len(chunks) == 1 {
		return chunks[0], false, nil
	}
	return bytes.Join(chunks, nil), false, nil
}

// judge classifies one attempt: the result, or the error and whether (and
// why) to retry. It depends only on what came back and on whether the call
// creates something; retryable holds the policy.
func (c *Client) judge(ctx context.Context, ep Endpoint, a *Attempt, rr *response, out any) *outcome {
	v := c.vendor.Name
	o := &outcome{status: rr.status}
	switch {
	case rr.tooLarge:
		o.err = c.apiError(ep, a, rr.status, "", "", "", ErrResponseTooLarge, badKinds(ep.Create)...)
	case rr.status == 0 || rr.err != nil:
		// No answer, or one that broke off while its body was read.
		ambiguous := ep.Create && rr.wrote
		cause := rr.err
		if ctx.Err() != nil {
			cause = ctx.Err()
		} else {
			cause = c.scrubErr(a, cause)
		}
		o.err = &CallError{Vendor: v, Op: ep.Op, Attempts: a.N, Err: cause, ambiguous: ambiguous,
			retryable: !ambiguous && ctx.Err() == nil}
	case rr.status >= 200 && rr.status < 300:
		c.judgeBody(ep, a, rr, out, o)
	default:
		c.judgeStatus(ep, a, rr, o)
	}
	o.retry, o.reason = retryable(o.err)
	var ae *APIError
	if errors.As(o.err, &ae) {
		o.code, o.requestID = ae.Code, ae.RequestID
		o.throttled = errors.Is(ae, ErrRateLimited)
	}
	if o.retry && rr.header != nil {
		o.retryAfter = ParseRetryAfter(rr.header.Get("Retry-After"), c.cfg.Now())
	}
	return o
}

// judgeBody decodes a 2xx answer in one pass: the envelope, with its payload
// going straight into out.
func (c *Client) judgeBody(ep Endpoint, a *Attempt, rr *response, out any, o *outcome) {
	env := c.vendor.Envelope(out)
	derr := decode(rr.body, env, out)
	if derr != nil && !decodedPartly(derr) {
		o.err = c.apiError(ep, a, rr.status, "", "", "", derr, badKinds(ep.Create)...)
		return
	}
	res, oerr := env.Outcome()
	if oerr != nil {
		o.err = c.apiError(ep, a, rr.status, "", "", "", oerr, badKinds(ep.Create)...)
		return
	}
	if !res.OK {
		kinds := c.classify(res.Code)
		if hasKind(kinds, ErrVendorBusy) && ep.Create {
			kinds = append(kinds, ErrAmbiguous)
		}
		o.err = c.apiError(ep, a, rr.status, res.Code, res.Message, res.RequestID, nil, kinds...)
		return
	}
	if derr != nil {
		// The vendor applied the call, but its payload is not the
		// documented shape: never report it as a failure worth repeating.
		o.err = c.apiError(ep, a, rr.status, res.Code, res.Message, res.RequestID,
			fmt.Errorf("the answer's data does not have the documented shape: %w", derr), ErrBadResponse)
		return
	}
	o.res = &Result{HTTPStatus: rr.status, Attempts: a.N, Code: res.Code, RequestID: cmpOr(res.RequestID, a.RequestID)}
	o.requestID = o.res.RequestID
}

// decodedPartly reports whether a decode error left the envelope filled: the
// JSON was well formed, and only some value did not fit its Go type
// (encoding/json then goes on decoding the rest).
func decodedPartly(err error) bool {
	var syn *json.SyntaxError
	return !errors.As(err, &syn) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, errTrailing)
}

// judgeStatus handles a non-2xx answer, whose body may still hold the
// vendor's envelope.
func (c *Client) judgeStatus(ep Endpoint, a *Attempt, rr *response, o *outcome) {
	status := rr.status
	var code, msg, reqID string
	var kinds []error
	env := c.vendor.Envelope(nil)
	if decode(rr.body, env, nil) == nil {
		if res, err := env.Outcome(); err == nil && !res.OK && res.Code != "" {
			code, msg, reqID = res.Code, res.Message, res.RequestID
			kinds = c.classify(code)
		}
	}
	if code == "" {
		msg = http.StatusText(status)
	}
	switch {
	case status == http.StatusTooManyRequests:
		kinds = append(kinds, ErrRateLimited)
	case status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		kinds = append(kinds, errUnavailable)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		kinds = append(kinds, ErrPermission)
	case status == http.StatusNotFound:
		kinds = append(kinds, ErrNotFound)
	case status == http.StatusBadRequest:
		kinds = append(kinds, ErrInvalidParam)
	}
	if ep.Create && status >= 500 && !hasKind(kinds, ErrRateLimited) {
		kinds = append(kinds, ErrAmbiguous)
	}
	o.err = c.apiError(ep, a, status, code, msg, reqID, nil, kinds...)
}

// errUnavailable marks HTTP 502/503/504 (internal: retried on reads).
var errUnavailable = errors.New("cluekit: vendor unavailable")

// retryable is the retry policy, in one place. A create is retried only when
// the vendor cannot have applied it: never written, or refused by a rate
// limit. Reads are retried on transport failures, 502/503/504 and busy codes.
func retryable(err error) (bool, string) {
	if err == nil || errors.Is(err, ErrAmbiguous) {
		return false, ""
	}
	var ce *CallError
	if errors.As(err, &ce) {
		if ce.retryable {
			return true, "transport"
		}
		return false, ""
	}
	switch {
	case errors.Is(err, ErrRateLimited):
		return true, "rate_limited"
	case errors.Is(err, errUnavailable):
		return true, "status"
	case errors.Is(err, ErrVendorBusy):
		return true, "busy"
	}
	return false, ""
}

func badKinds(create bool) []error {
	if create {
		return []error{ErrBadResponse, ErrAmbiguous}
	}
	return []error{ErrBadResponse}
}

func hasKind(kinds []error, k error) bool {
	for _, x := range kinds {
		if x == k {
			return true
		}
	}
	return false
}

func (c *Client) classify(code string) []error {
	if c.vendor.Classify == nil {
		return nil
	}
	return c.vendor.Classify(code)
}

func (c *Client) apiError(ep Endpoint, a *Attempt, status int, code, msg, reqID string, cause error, kinds ...error) *APIError {
	if cause != nil {
		cause = c.scrubErr(a, cause)
	}
	e := NewAPIError(c.vendor.Name, ep.Op, status, c.scrub(a, code), c.scrub(a, msg), cmpOr(reqID, a.RequestID), cause, kinds...)
	if c.vendor.Hint != nil && code != "" {
		e.Hint = c.vendor.Hint(code)
	}
	return e
}

// decode parses body into env in one pass; numbers decoded into interfaces
// keep every digit (json.Number) when out holds any.
func decode(body []byte, env Envelope, out any) error {
	if out != nil && flex.NeedsUseNumber(out) {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(env); err != nil {
			return err
		}
		if dec.More() {
			return errTrailing
		}
		return nil
	}
	return json.Unmarshal(body, env)
}

var errTrailing = errors.New("trailing data after the JSON answer")

// Discard is a payload target that skips the value without decoding it.
type Discard struct{}

// UnmarshalJSON implements json.Unmarshaler.
func (*Discard) UnmarshalJSON([]byte) error { return nil }

// Payload returns what an envelope's payload member should hold for out: out
// itself, or a Discard when out is nil.
func Payload(out any) any {
	if out == nil {
		return &Discard{}
	}
	return out
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

// secretForms returns every encoding a secret can take on the wire: raw,
// query-escaped and path-escaped.
func secretForms(secrets []string) []string {
	var out []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		out = append(out, s)
		for _, e := range []string{url.QueryEscape(s), url.PathEscape(s)} {
			if e != s {
				out = append(out, e)
			}
		}
	}
	return out
}

// Scrubber replaces secrets, in every encoding they take on the wire (raw,
// query-escaped, path-escaped), with [redacted]: the one scrubbing rule of
// the clients and the callback handlers.
type Scrubber []string

// NewScrubber returns a Scrubber for the given secrets ("" is ignored).
func NewScrubber(secrets ...string) Scrubber { return Scrubber(secretForms(secrets)) }

// String returns s with every secret replaced.
func (sc Scrubber) String(s string) string {
	for _, secret := range sc {
		if s == "" {
			break
		}
		s = strings.ReplaceAll(s, secret, "[redacted]")
	}
	return s
}

// Error returns err, or an error with the same chain whose text has every
// secret replaced.
func (sc Scrubber) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if clean := sc.String(msg); clean != msg {
		return &scrubbedError{msg: clean, cause: err}
	}
	return err
}

// scrub replaces every secret of the client and of the attempt. Per-attempt
// values (signatures, tokens) go first: they can contain a long-lived secret
// and must be matched whole.
func (c *Client) scrub(a *Attempt, s string) string {
	if a != nil {
		s = NewScrubber(a.redact...).String(s)
	}
	return c.secrets.String(s)
}

// scrubErr drops the URL from a transport error (URLs carry tokens and
// digests) and scrubs any secret left in the message.
func (c *Client) scrubErr(a *Attempt, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if a != nil {
		err = NewScrubber(a.redact...).Error(err)
	}
	return c.secrets.Error(err)
}

type scrubbedError struct {
	msg   string
	cause error
}

func (e *scrubbedError) Error() string { return e.msg }

func (e *scrubbedError) Unwrap() error { return e.cause }
