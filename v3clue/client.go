package v3clue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// DefaultBaseURL is the production base URL; documented paths (/api/v3/...)
// are appended to it.
const DefaultBaseURL = "https://account.tanmarket.cn/apiServer"

// vendorName is the package name used in errors and logs.
const vendorName = "v3clue"

// Option configures a Client (see New).
type Option = core.Option

// Client is a 探马 OpenAPI v3 client. It is safe for concurrent use and
// immutable after New.
type Client struct {
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

// WithBaseURL sets the base URL: everything before /api/v3/... (default
// DefaultBaseURL). A path prefix is kept.
func WithBaseURL(u string) Option { return core.WithBaseURL(u) }

// WithHTTPClient sets the http.Client used for requests (copied, never modified).
func WithHTTPClient(hc *http.Client) Option { return core.WithHTTPClient(hc) }

// WithTimeout sets the timeout of each attempt (default 30 s).
func WithTimeout(d time.Duration) Option { return core.WithTimeout(d) }

// WithMaxAttempts sets how many times a call may be tried (default 3; 1 = no retries).
func WithMaxAttempts(n int) Option { return core.WithMaxAttempts(n) }

// WithRetryQuota sets the client-wide retry budget (default 500 tokens; a
// retry costs 5, or 10 after a timeout). When it is spent, calls fail after
// their first attempt instead of retrying, so an outage does not become a
// retry storm. 0 turns the quota off.
func WithRetryQuota(n int) Option { return core.WithRetryQuota(n) }

// WithRateLimit paces attempts to perSecond with the given burst (off by
// default: the vendor documents no limit).
func WithRateLimit(perSecond float64, burst int) Option {
	return core.WithRateLimit(perSecond, burst)
}

// WithLogger sets the logger for per-attempt debug logs (default: silent).
// The app key and signatures never appear in them.
func WithLogger(l *slog.Logger) Option { return core.WithLogger(l) }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return core.WithUserAgent(ua) }

// WithAppKeyHeader makes every request also carry the secret appKey in an
// appKey header, as the vendor's doc page and curl sample show.
//
// It is off by default, and should stay off unless your tenant's gateway
// rejects requests without it: the header puts the long-lived secret on the
// wire with every request, where any TLS-terminating proxy, gateway or
// header log on the way can record it, while the sign header already proves
// possession of the key without revealing it. Two independent working
// clients omit the header. The SDK still keeps the key out of its own errors
// and logs either way.
func WithAppKeyHeader() Option {
	return core.VendorOption("WithAppKeyHeader", func(s *settings) error {
		s.appKeyHeader = true
		return nil
	})
}

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
	c.cfg = cfg
	c.t = core.NewClient(cfg, core.Vendor{Name: vendorName, Decode: decodeEnvelope, Classify: classify}, appKey)
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

// String describes the client without its secret.
func (c *Client) String() string {
	if c == nil || c.cfg == nil {
		return "v3clue.Client(nil)"
	}
	return fmt.Sprintf("v3clue.Client{appId: %s, base: %s}", c.appID, c.cfg.BaseURL)
}

// GoString describes the client without its secret (for %#v).
func (c *Client) GoString() string { return c.String() }

// call signs and sends one logical request. body nil means an empty body,
// signed as "". A create (non-idempotent) call is never retried once it may
// have reached the vendor.
func (c *Client) call(ctx context.Context, op, method, path string, body []byte, create bool) (*core.Result, error) {
	if c == nil || c.t == nil {
		return nil, errors.New("v3clue: Client not created with New")
	}
	return c.t.Do(ctx, &core.Request{
		Op:     op,
		Method: method,
		Body:   body,
		Create: create,
		Sign: func(a *core.Attempt) error {
			ts := Timestamp(a.Now)
			sig := Sign(c.appID, ts, a.Body, c.appKey)
			a.Redact(sig)
			a.Path = path
			// The vendor documents these exact (non-canonical) header
			// names; set them verbatim rather than through Header.Set.
			a.Header["appId"] = []string{c.appID}
			a.Header["timestamp"] = []string{ts}
			a.Header["sign"] = []string{sig}
			if c.s.appKeyHeader {
				a.Header["appKey"] = []string{c.appKey}
			}
			a.Header.Set("Content-Type", "application/json")
			return nil
		},
	})
}

// Do calls any v3 endpoint the SDK does not type yet, with the same signing,
// retries and error mapping as GetClue. path is everything after the base
// URL, e.g. "/api/v3/customer/search"; method is normally http.MethodPost
// ("" means POST), since every documented v3 endpoint is a POST. A GET
// cannot carry a body.
//
// body is sent as JSON: nil sends an empty body (signed as ""), a []byte or
// json.RawMessage is sent verbatim (it must be valid JSON), anything else
// (including a string, which becomes a JSON string) is marshalled once,
// without HTML escaping. out, when non-nil, must be a pointer; the envelope's data
// is decoded into it (numbers keep every digit when decoded into
// interfaces; use *json.RawMessage to keep it raw). A non-zero code is an
// *APIError.
//
// Retries: any method other than GET is treated as non-idempotent (the SDK
// cannot know what an arbitrary endpoint does), so after a failure where the
// request may have reached the vendor (timeout, reset, HTTP 5xx) it is not
// retried and the error matches ErrAmbiguous; failures before the request
// left (connection refused) and HTTP 429 are still retried. Retry read-only
// endpoints yourself if you need to.
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
	method = strings.ToUpper(strings.TrimSpace(method))
	if method == "" {
		method = http.MethodPost
	}
	if c == nil || c.t == nil {
		return errors.New("v3clue: Client not created with New")
	}
	// The path goes into errors and logs: keep the key out even if a
	// caller put it there.
	op := strings.ReplaceAll(path, c.appKey, "[redacted]")
	if op == "" {
		op = "Do"
	}
	if !validMethod(method) {
		return core.InvalidParam(vendorName, op, "method %q is not an HTTP method", method)
	}
	if err := checkPath(path); err != nil {
		return core.InvalidParam(vendorName, op, "%v", err)
	}
	if out != nil {
		if v := reflect.ValueOf(out); v.Kind() != reflect.Pointer || v.IsNil() {
			return core.InvalidParam(vendorName, op, "out must be a non-nil pointer, got %T", out)
		}
	}
	raw, err := encodeBody(body)
	if err != nil {
		return core.InvalidParam(vendorName, op, "%v", err)
	}
	if raw != nil && method == http.MethodGet {
		// The transport does not send a GET body, so it could not be
		// signed as sent.
		return core.InvalidParam(vendorName, op, "a GET request cannot carry a body")
	}
	res, err := c.call(ctx, op, method, path, raw, method != http.MethodGet)
	if err != nil {
		return err
	}
	if out == nil || len(res.Data) == 0 {
		return nil
	}
	if err := flex.Unmarshal(res.Data, out); err != nil {
		return core.NewAPIError(vendorName, op, res.HTTPStatus, res.Code, res.Message, res.RequestID,
			fmt.Errorf("decode data into %T: %w", out, err), core.ErrBadResponse)
	}
	return nil
}

// encodeBody turns Do's body into the exact bytes to sign and send.
func encodeBody(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case []byte:
		return verbatim(b)
	case json.RawMessage:
		return verbatim(b)
	}
	if v := reflect.ValueOf(body); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, nil
	}
	raw, err := flex.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	return raw, nil
}

func verbatim(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if !json.Valid(b) {
		return nil, errors.New("body: raw bytes are not valid JSON")
	}
	return append([]byte(nil), b...), nil
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, r := range m {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// checkPath accepts an absolute path without query, fragment or dot
// segments, so that nothing but the intended endpoint is signed and called.
func checkPath(p string) error {
	switch {
	case p == "" || p[0] != '/':
		return errors.New("path must start with /")
	case strings.HasPrefix(p, "//"):
		return errors.New("path must not start with //")
	case strings.ContainsAny(p, "?#"):
		return errors.New("path must not carry a query or fragment")
	}
	for _, r := range p {
		if r <= ' ' || r == 0x7f {
			return errors.New("path must not contain spaces or control characters")
		}
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return errors.New("path must not contain dot segments")
		}
	}
	return nil
}
