package wshoto

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
// starts with /openapi/.
const DefaultBaseURL = "https://open.wshoto.com"

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

// WithTimeout sets the timeout of each attempt (default 30 s).
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
// with the given burst. Off by default.
func WithRateLimit(perSecond float64, burst int) Option {
	return core.WithRateLimit(perSecond, burst)
}

// WithLogger sets the logger for per-attempt debug records (default:
// silent). Secrets and access tokens never appear in them.
func WithLogger(l *slog.Logger) Option { return core.WithLogger(l) }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return core.WithUserAgent(ua) }

// WithTokenStore sets where access tokens are cached (default: in memory).
func WithTokenStore(s TokenStore) Option { return core.WithTokenStore(s) }

// Client calls the wshoto OpenAPI. It is safe for concurrent use and
// immutable after New.
type Client struct {
	t      *core.Client
	cfg    *core.Config
	appID  string
	secret string
	tokens *token.Source
}

const vendorName = "wshoto"

// New returns a client for the app identified by appID and appSecret (the
// 应用ID and 应用secret issued by 企微管家).
func New(appID, appSecret string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(appID) == "" || strings.TrimSpace(appSecret) == "" {
		return nil, errors.New("wshoto: New: appID and appSecret must not be empty")
	}
	var s struct{}
	cfg, err := core.NewConfig(DefaultBaseURL, &s, opts)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, appID: appID, secret: appSecret}
	c.t = core.NewClient(cfg, vendor, appSecret)
	c.tokens = token.NewSource(token.SourceConfig{
		Key:    "wshoto:" + appID,
		Store:  cfg.TokenStore,
		Fetch:  c.fetchToken,
		Now:    cfg.Now,
		Sleep:  cfg.Sleep,
		Logger: cfg.Logger,
	})
	return c, nil
}

// Ptr returns a pointer to v. Use it for the optional fields of
// EditClueRequest and EditCluePoolRequest: nil leaves a field unchanged,
// Ptr(value) changes it, and Ptr of the zero value clears it on purpose
// (Remark: wshoto.Ptr("")).
func Ptr[T any](v T) *T { return &v }

// call runs one typed POST endpoint: body is marshalled once, the access
// token goes into the query, and the envelope's data is decoded into out
// (when out is non-nil and data is present).
func (c *Client) call(ctx context.Context, op, path string, body any, create bool, out any) error {
	raw, err := flex.Marshal(body)
	if err != nil {
		return core.InvalidParam(vendorName, op, "cannot encode request: %v", err)
	}
	return c.send(ctx, op, http.MethodPost, path, nil, raw, create, out)
}

func (c *Client) send(ctx context.Context, op, method, path string, query url.Values, body []byte, create bool, out any) error {
	res, err := c.t.Do(ctx, &core.Request{
		Op:     op,
		Method: method,
		Body:   body,
		Create: create,
		Token:  c.tokens,
		Sign: func(a *core.Attempt) error {
			a.Path = path
			for k, vs := range query {
				a.Query[k] = append([]string(nil), vs...)
			}
			a.Query.Set("access_token", a.Token)
			return nil
		},
	})
	if err != nil {
		return err
	}
	if out == nil || len(res.Data) == 0 || string(res.Data) == "null" {
		return nil
	}
	if err := flex.Unmarshal(res.Data, out); err != nil {
		kinds := []error{core.ErrBadResponse}
		return core.NewAPIError(vendorName, op, res.HTTPStatus, "", "cannot decode data", "", err, kinds...)
	}
	return nil
}

// Do calls any wshoto OpenAPI endpoint the SDK does not type yet (for
// example clue create, delete or transfer, which are not documented), with
// the same token handling, retries and error mapping as the typed methods.
//
// path is the documented path, e.g. "/openapi/crm/clue/page"; it may carry
// its own query ("/openapi/x?a=1"); access_token is added. body (nil for
// none) is sent as JSON: a []byte or json.RawMessage as is, anything else
// marshalled once. The envelope's data is decoded into out (skipped when out
// is nil), with 19-digit numbers kept exact when out holds interfaces.
//
// Any method other than GET is treated as non-idempotent: it is never
// retried once the request may have reached the vendor, and such a failure
// matches ErrAmbiguous.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	method = strings.ToUpper(strings.TrimSpace(method))
	if method == "" {
		return core.InvalidParam(vendorName, "Do", "method must not be empty")
	}
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") || strings.Contains(path, "://") {
		return core.InvalidParam(vendorName, "Do", "path %q must be an absolute path such as /openapi/...", path)
	}
	p, rawQuery, _ := strings.Cut(path, "?")
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return core.InvalidParam(vendorName, "Do", "path query: %v", err)
	}
	query.Del("access_token")
	op := strings.TrimPrefix(p, "/openapi/")
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case json.RawMessage:
		raw = b
	default:
		raw, err = flex.Marshal(body)
		if err != nil {
			return core.InvalidParam(vendorName, op, "cannot encode request: %v", err)
		}
	}
	if raw != nil && !json.Valid(raw) {
		return core.InvalidParam(vendorName, op, "body is not valid JSON")
	}
	return c.send(ctx, op, method, p, query, raw, method != http.MethodGet, out)
}

// checkID validates a required numeric id.
func checkID(op, field string, id ID) error {
	if id == "" {
		return core.InvalidParam(vendorName, op, "%s is required", field)
	}
	if _, err := id.MarshalJSON(); err != nil {
		return core.InvalidParam(vendorName, op, "%s %q is not an integer", field, fmt.Sprintf("%.30s", string(id)))
	}
	return nil
}

// createdID reads the id a create returns: documented as a bare long; a
// string of digits or an object {"id": ...} is accepted too. No data gives "".
// code 0 means the create was applied, so an undecodable id is an
// ErrBadResponse error saying so: do not create again.
func createdID(op string, raw json.RawMessage) (ID, error) {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 || string(b) == "null" {
		return "", nil
	}
	var id ID
	if b[0] == '{' {
		var w struct {
			ID ID `json:"id"`
		}
		if err := flex.Unmarshal(b, &w); err == nil {
			return w.ID, nil
		}
	} else if err := flex.Unmarshal(b, &id); err == nil {
		return id, nil
	}
	return "", core.NewAPIError(vendorName, op, http.StatusOK, "0", "created, but the id in the answer is not an integer", "", nil, core.ErrBadResponse)
}
