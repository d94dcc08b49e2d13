package jing

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

// Operation names, as they appear in APIError.Op, CallError.Op and in the
// "op" attribute of the per-attempt debug logs.
const (
	OpGetToken     = "oauth2/token"
	OpRefreshToken = "oauth2/token/refresh"
	OpCreateUsers  = "user/create"
)

const vendorName = "jing"

// Option configures a Client. The shared options below and the jing-specific
// ones (WithTokenPath, WithInvalidTokenCodes) all have this type.
type Option = core.Option

// TokenStore persists the access/refresh token pair (default: in memory).
// Share one store between processes that use the same app; a store that also
// implements the Locker interface of the token package makes the refresh
// single-flight across processes too, which matters here because the refresh
// token rotates.
type TokenStore = token.Store

// Token is the cached credential: the access token (Value, ExpiresAt) and the
// refresh token (Refresh, RefreshExpiresAt), stored together in one Set.
type Token = token.Token

// WithBaseURL sets the base URL (default DefaultBaseURL); a path prefix is kept.
func WithBaseURL(u string) Option { return core.WithBaseURL(u) }

// WithHTTPClient sets the http.Client used for requests (it is copied).
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

// WithRateLimit paces every attempt (off by default: the vendor's limits are
// not published).
func WithRateLimit(perSecond float64, burst int) Option {
	return core.WithRateLimit(perSecond, burst)
}

// WithLogger sets the logger for per-attempt debug logs (default: silent).
// Secrets and tokens never appear in them.
func WithLogger(l *slog.Logger) Option { return core.WithLogger(l) }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return core.WithUserAgent(ua) }

// WithTokenStore sets where the token pair is cached (default: in memory).
func WithTokenStore(s TokenStore) Option { return core.WithTokenStore(s) }

// WithBackoff sets the base and cap of the full-jitter retry backoff.
func WithBackoff(base, max time.Duration) Option { return core.WithBackoff(base, max) }

// WithClock sets the clock used for token expiry and timestamps (tests:
// share jingtest's Server.Clock to expire tokens without sleeping).
func WithClock(now func() time.Time) Option { return core.WithClock(now) }

// settings holds the jing-specific options.
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
// and immutable after New.
type Client struct {
	t      *core.Client
	cfg    *core.Config
	appID  string
	secret string
	set    settings
	tokens *token.Source
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
	c := &Client{cfg: cfg, appID: appID, secret: appSecret, set: s}
	c.t = core.NewClient(cfg, c.vendor(), appSecret)
	c.tokens = token.NewSource(token.SourceConfig{
		Key:    c.tokenKey(),
		Store:  cfg.TokenStore,
		Fetch:  c.fetchToken,
		Now:    cfg.Now,
		Sleep:  cfg.Sleep,
		Logger: cfg.Logger,
	})
	return c, nil
}

func (c *Client) tokenKey() string { return "jing:" + c.appID }

// AppID returns the app id the client was built with.
func (c *Client) AppID() string { return c.appID }

// authorize sets the two documented authentication headers. The header names
// are sent exactly as documented (lower case, with underscores).
func (c *Client) authorize(a *core.Attempt) {
	a.Header["app_id"] = []string{c.appID}
	a.Header["access_token"] = []string{a.Token}
}

// Do calls any endpoint of the open platform with the client's token handling,
// retries and error mapping. path is what follows the base URL, e.g.
// "/v1/lead/query"; it may carry a query string. body (nil for none) is sent
// as JSON: a []byte or json.RawMessage verbatim (it must be valid JSON),
// anything else marshalled once. out, when not nil, receives the envelope's
// data field (use *json.RawMessage to keep it raw).
//
// The lead-management endpoints (线索创建/更新/查询, status, layouts,
// collaborators, detail link) and the other API areas are documented by title
// only in the vendor notes: their paths and fields are unknown, so they are
// reached through Do. Every call other than GET is treated as
// non-idempotent: it is never retried after the request may have reached the
// vendor, and such a failure matches ErrAmbiguous.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	method = strings.ToUpper(strings.TrimSpace(method))
	if method == "" {
		return core.InvalidParam(vendorName, "Do", "empty method")
	}
	u, err := url.Parse(path)
	if err != nil || !strings.HasPrefix(path, "/") || u.Host != "" || u.Scheme != "" || u.Fragment != "" {
		return core.InvalidParam(vendorName, "Do", "path %q must start with / and carry no host", path)
	}
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case json.RawMessage:
		raw = b
	default:
		if raw, err = flex.Marshal(body); err != nil {
			return core.InvalidParam(vendorName, u.Path, "cannot marshal body: %v", err)
		}
	}
	if body != nil && !json.Valid(raw) {
		return core.InvalidParam(vendorName, u.Path, "body is not valid JSON")
	}
	query := u.Query()
	res, err := c.t.Do(ctx, &core.Request{
		Op:     u.Path,
		Method: method,
		Body:   raw,
		Create: method != http.MethodGet,
		Token:  c.tokens,
		Sign: func(a *core.Attempt) error {
			a.Path = u.EscapedPath()
			for k, vs := range query {
				a.Query[k] = append([]string(nil), vs...)
			}
			c.authorize(a)
			return nil
		},
	})
	if err != nil {
		return err
	}
	if out == nil || len(bytes.TrimSpace(res.Data)) == 0 {
		return nil
	}
	if err := flex.Unmarshal(res.Data, out); err != nil {
		return core.NewAPIError(vendorName, u.Path, res.HTTPStatus, "", "cannot decode data", res.RequestID, err, core.ErrBadResponse)
	}
	return nil
}
