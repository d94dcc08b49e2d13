package waiqin365

import (
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
)

// DefaultBaseURL is the documented production base. Tenants on another
// 勤策 cloud use the value of 【OpenAPI地址】 (admin console → 系统管理 →
// OpenAPI → API授权) with WithBaseURL; the /api/... path is kept.
const DefaultBaseURL = "https://openapi.waiqin365.com"

// vendorName is the package name used in errors and logs.
const vendorName = "waiqin365"

// Option configures a Client (shared with every cluekit vendor package).
type Option = core.Option

// ID is an identifier kept as its exact decimal text. It decodes from a
// JSON string or number and encodes as a JSON string (VARCHAR ids).
type ID = flex.ID

// NumericID is an integer identifier (19 digits) kept as exact text and
// encoded as a bare JSON number (BIGINT ids); "" is omitted.
type NumericID = flex.NumericID

// WithBaseURL sets the base URL (scheme, host and an optional path prefix);
// plain http is allowed only to loopback hosts.
func WithBaseURL(u string) Option { return core.WithBaseURL(u) }

// WithHTTPClient sets the http.Client used for requests (copied, never
// modified).
func WithHTTPClient(hc *http.Client) Option { return core.WithHTTPClient(hc) }

// WithTimeout sets the timeout of each attempt (default 30 s).
func WithTimeout(d time.Duration) Option { return core.WithTimeout(d) }

// WithMaxAttempts sets how many times a call may be tried (default 3; 1 =
// no retries).
func WithMaxAttempts(n int) Option { return core.WithMaxAttempts(n) }

// WithRetryQuota sets the client-wide retry budget (default 500 tokens; a
// retry costs 5, or 10 after a timeout). When it is spent, calls fail after
// their first attempt instead of retrying, so an outage does not become a
// retry storm. 0 turns the quota off.
func WithRetryQuota(n int) Option { return core.WithRetryQuota(n) }

// WithRateLimit paces attempts to perSecond with the given burst (default:
// no limit; 勤策 publishes no quota).
func WithRateLimit(perSecond float64, burst int) Option {
	return core.WithRateLimit(perSecond, burst)
}

// WithLogger sets the logger for per-attempt debug records (default:
// silent). No app key or digest ever appears in them.
func WithLogger(l *slog.Logger) Option { return core.WithLogger(l) }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return core.WithUserAgent(ua) }

// Client calls the 勤策 OpenAPI for one openid/appkey pair. It is safe for
// concurrent use and immutable after New.
type Client struct {
	t      *core.Client
	cfg    *core.Config
	openID string
	appKey string
	// msgID makes the msg_id of each attempt (replaced in tests).
	msgID func() string
}

// settings is the (empty) set of waiqin365-only options.
type settings struct{}

// New returns a client for the tenant's openid (企业接入唯一授权标识) and
// appkey (签名密钥). Neither may be empty; the app key never appears in an
// error or log line.
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
	return &Client{
		cfg:    cfg,
		t:      core.NewClient(cfg, vendor, appKey),
		openID: openID,
		appKey: appKey,
		msgID:  NewMsgID,
	}, nil
}

// OpenID returns the client's openid.
func (c *Client) OpenID() string { return c.openID }

// BaseURL returns the resolved base URL.
func (c *Client) BaseURL() string { return c.cfg.BaseURL }

// call is one signed call. It returns the transport result and the msg_id
// sent on the last attempt (the vendor does not always echo it).
func (c *Client) call(ctx context.Context, module, version, op string, body []byte, create bool) (*core.Result, string, error) {
	var sent string
	prefix := "/api/" + module + "/" + version + "/" + op + "/" + url.PathEscape(c.openID) + "/"
	res, err := c.t.Do(ctx, &core.Request{
		Op:     op,
		Method: http.MethodPost,
		Body:   body,
		Create: create,
		Sign: func(a *core.Attempt) error {
			ts := FormatTimestamp(a.Now)
			digest := Digest(a.Body, c.appKey, ts)
			a.Redact(digest)
			sent = c.msgID()
			a.RequestID = sent
			a.Path = prefix + ts + "/" + digest + "/" + sent
			return nil
		},
	})
	if err != nil {
		return nil, sent, err
	}
	return res, sent, nil
}

// Call sends any other 勤策 OpenAPI operation ({base}/api/{module}/{version}/
// {operation}/...) with the same signing, retries and error mapping, and
// decodes response_data (JSON, or a JSON string holding JSON) into out when
// out is non-nil (a *json.RawMessage receives the inner JSON as is).
//
// body is marshalled once with JSON (nil sends {}); a []byte or
// json.RawMessage body is sent verbatim, unvalidated, exactly as given (a Go
// string is marshalled like any other value, as a JSON string).
//
// Call cannot know whether an operation is idempotent, so it treats every
// call as a create: once the request may have reached the server, a
// timeout, reset or 5xx is not retried and returns an error matching
// ErrAmbiguous. Failures before the request was written are retried.
func (c *Client) Call(ctx context.Context, module, version, operation string, body, out any) error {
	for _, seg := range [...]struct{ name, v string }{{"module", module}, {"version", version}, {"operation", operation}} {
		if !validSegment(seg.v) {
			return core.InvalidParam(vendorName, "Call", "%s %q must be a non-empty path segment of letters, digits, '.', '_' or '-'", seg.name, seg.v)
		}
	}
	raw, err := callBody(body)
	if err != nil {
		return core.InvalidParam(vendorName, operation, "body: %v", err)
	}
	res, _, err := c.call(ctx, module, version, operation, raw, true)
	if err != nil {
		return err
	}
	if out == nil || len(res.Data) == 0 {
		return nil
	}
	if rm, ok := out.(*json.RawMessage); ok {
		*rm = append((*rm)[:0], res.Data...)
		return nil
	}
	if err := flex.Unmarshal(res.Data, out); err != nil {
		return badResponse(operation, res, err)
	}
	return nil
}

func callBody(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return []byte("{}"), nil
	case []byte:
		if len(b) == 0 {
			return []byte("{}"), nil
		}
		return b, nil
	case json.RawMessage:
		if len(b) == 0 {
			return []byte("{}"), nil
		}
		return b, nil
	}
	raw, err := flex.Marshal(body)
	if err != nil {
		return nil, err
	}
	if string(raw) == "null" {
		return []byte("{}"), nil
	}
	return raw, nil
}

func validSegment(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// badResponse reports response_data that does not have the documented shape.
func badResponse(op string, res *core.Result, err error) error {
	return core.NewAPIError(vendorName, op, res.HTTPStatus, "", "", res.RequestID,
		fmt.Errorf("decoding response_data: %w", err), core.ErrBadResponse)
}
