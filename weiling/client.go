package weiling

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/internal/token"
)

// DefaultBaseURL is the production OpenAPI host. Every documented path
// starts with /openapi/ (https://openapi.weiling.cn/openapi/contact/create).
// The vendor's demo host https://open.demo.weiling.cn is not a default; pass
// it with WithBaseURL if you use it.
const DefaultBaseURL = "https://openapi.weiling.cn"

const vendorName = "weiling"

// Option configures a Client (see the With... functions).
type Option = core.Option

// TokenStore caches access tokens; share one (e.g. Redis-backed) between
// processes that use the same app so they share one token.
type TokenStore = token.Store

// Token is one cached access token as a TokenStore holds it.
type Token = token.Token

// NewMemoryTokenStore returns the in-process TokenStore used by default. now
// may be nil (time.Now).
func NewMemoryTokenStore(now func() time.Time) TokenStore { return token.NewMemoryStore(now) }

// WithBaseURL sets the base URL, everything before /openapi/... (default
// DefaultBaseURL). A path prefix is kept; plain http is only allowed to
// loopback hosts.
func WithBaseURL(u string) Option { return core.WithBaseURL(u) }

// WithHTTPClient sets the http.Client used for requests (it is copied, never
// modified).
func WithHTTPClient(hc *http.Client) Option { return core.WithHTTPClient(hc) }

// WithTimeout sets the timeout of each attempt (default 30 s). The overall
// bound is the caller's context.
func WithTimeout(d time.Duration) Option { return core.WithTimeout(d) }

// WithMaxAttempts sets how many times a call may be tried (default 3; 1 = no
// retries).
func WithMaxAttempts(n int) Option { return core.WithMaxAttempts(n) }

// WithRetryQuota sets the client-wide retry budget (default 500 tokens; a
// retry costs 5, or 10 after a timeout). When it is spent, calls fail after
// their first attempt instead of retrying, so an outage does not become a
// retry storm. 0 turns the quota off.
func WithRetryQuota(n int) Option { return core.WithRetryQuota(n) }

// WithRateLimit paces every attempt (token requests included) to perSecond
// with the given burst, shared by all calls of the client. Off by default;
// third-party code reports 500 calls a minute and 10 000 an hour per API.
func WithRateLimit(perSecond float64, burst int) Option {
	return core.WithRateLimit(perSecond, burst)
}

// WithLogger sets the logger for per-attempt debug records (default:
// silent). Secrets and access tokens never appear in them.
func WithLogger(l *slog.Logger) Option { return core.WithLogger(l) }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return core.WithUserAgent(ua) }

// WithTokenStore sets where access tokens are cached (default: in memory).
// The cache key is "weiling:" + appID.
func WithTokenStore(s TokenStore) Option { return core.WithTokenStore(s) }

// WithBackoff sets the base and cap of the full-jitter retry backoff
// (default 200 ms and 5 s).
func WithBackoff(base, max time.Duration) Option { return core.WithBackoff(base, max) }

// WithClock sets the clock used for token expiry and timestamps (default
// time.Now). Tests use it with weilingtest.Server.Clock to expire tokens
// without sleeping.
func WithClock(now func() time.Time) Option { return core.WithClock(now) }

// DefaultTokenLifetime is how long an access token is assumed to live when
// the token answer carries no expires_in: the vendor documents no lifetime,
// and third-party code refreshes every 2 hours. The SDK refreshes a little
// before (a fifth of the lifetime, at most 5 minutes).
const DefaultTokenLifetime = 2 * time.Hour

// settings holds the weiling-specific options.
type settings struct {
	disuseKey     string
	tokenLifetime time.Duration
}

// DisuseContactsKeyDocumented is the body key of POST /openapi/contact/disuse
// as the vendor documents it (sic: "contatc_ids").
const DisuseContactsKeyDocumented = "contatc_ids"

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
// immutable after New.
type Client struct {
	t      *core.Client
	cfg    *core.Config
	set    settings
	appID  string
	secret string
	tokens *token.Source
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
	c := &Client{cfg: cfg, set: s, appID: appID, secret: appSecret}
	c.t = core.NewClient(cfg, vendor, appSecret)
	c.tokens = token.NewSource(token.SourceConfig{
		Key:    "weiling:" + appID,
		Store:  cfg.TokenStore,
		Fetch:  c.fetchToken,
		Now:    cfg.Now,
		Sleep:  cfg.Sleep,
		Logger: cfg.Logger,
	})
	return c, nil
}

// AppID returns the app id the client was built with.
func (c *Client) AppID() string { return c.appID }

// Ptr returns a pointer to v, for optional fields where the zero value means
// something (CreateContactRequest.Status: weiling.Ptr(weiling.ContactInSea)).
func Ptr[T any](v T) *T { return &v }

// request is one call of a typed or generic endpoint.
type request struct {
	op     string
	method string
	path   string // after the base URL, starting with /openapi/
	query  url.Values
	body   []byte // marshalled once; nil = no body
	create bool
}

// send runs r with the access token in the query and returns the result.
func (c *Client) send(ctx context.Context, r request) (*core.Result, error) {
	return c.t.Do(ctx, &core.Request{
		Op:     r.op,
		Method: r.method,
		Body:   r.body,
		Create: r.create,
		Token:  c.tokens,
		Sign: func(a *core.Attempt) error {
			a.Path = r.path
			for k, vs := range r.query {
				a.Query[k] = append([]string(nil), vs...)
			}
			a.Query.Set("access_token", a.Token)
			return nil
		},
	})
}

// call marshals body once (nil = no body), sends it and decodes the
// envelope's data into out (when out is non-nil and data is present).
func (c *Client) call(ctx context.Context, op, method string, query url.Values, body any, create bool, out any) (*core.Result, error) {
	r := request{op: op, method: method, path: "/openapi/" + op, query: query, create: create}
	if body != nil {
		raw, err := flex.Marshal(body)
		if err != nil {
			return nil, core.InvalidParam(vendorName, op, "cannot encode request: %v", err)
		}
		r.body = raw
	}
	res, err := c.send(ctx, r)
	if err != nil {
		return nil, err
	}
	if err := decodeData(op, res, out); err != nil {
		return res, err
	}
	return res, nil
}

// decodeData decodes res.Data into out; absent or null data leaves out as
// it is.
func decodeData(op string, res *core.Result, out any) error {
	if out == nil || len(res.Data) == 0 || string(bytes.TrimSpace(res.Data)) == "null" {
		return nil
	}
	if err := flex.Unmarshal(res.Data, out); err != nil {
		return core.NewAPIError(vendorName, op, res.HTTPStatus, res.Code, "cannot decode data", "", err, core.ErrBadResponse)
	}
	return nil
}

// Do calls any weiling endpoint the SDK does not type yet (for example
// POST /openapi/clue/create, GET /openapi/user/get?userid=...,
// GET /openapi/v2/custom/detail?api_key=contact), with the same token
// handling, retries and error mapping as the typed methods.
//
// path is the documented path after the base URL, starting with /openapi/;
// it may carry a query string. The access_token parameter is added (and
// replaced if present). body is sent as JSON: nil sends no body, []byte and
// json.RawMessage are sent verbatim, anything else is marshalled once. The
// envelope's data is decoded into out when out is non-nil.
//
// Since the SDK cannot know what an untyped call does, every method other
// than GET is treated as one that may create something: it is never retried
// once the request may have reached the vendor, and such a failure matches
// ErrAmbiguous.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	method = strings.ToUpper(strings.TrimSpace(method))
	if method == "" {
		method = http.MethodPost
	}
	op := strings.TrimPrefix(path, "/openapi/")
	if i := strings.IndexByte(op, '?'); i >= 0 {
		op = op[:i]
	}
	if !strings.HasPrefix(path, "/") {
		return core.InvalidParam(vendorName, "Do", "path %q must start with /", path)
	}
	u, err := url.Parse(path)
	if err != nil || u.Host != "" || u.Scheme != "" || u.Fragment != "" {
		return core.InvalidParam(vendorName, "Do", "path %q is not a path", path)
	}
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return core.InvalidParam(vendorName, "Do", "bad query in path: %v", err)
	}
	query.Del("access_token")
	r := request{op: op, method: method, path: u.EscapedPath(), query: query, create: method != http.MethodGet}
	switch b := body.(type) {
	case nil:
	case []byte:
		r.body = b
	case json.RawMessage:
		r.body = b
	default:
		raw, err := flex.Marshal(body)
		if err != nil {
			return core.InvalidParam(vendorName, op, "cannot encode request: %v", err)
		}
		r.body = raw
	}
	res, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	return decodeData(op, res, out)
}
