package weiling

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/internal/token"
)

// TokenOp is the Op name of the token request in errors, logs and
// observers.
const TokenOp = "auth/access_token/get"

// maxTokenLifetime bounds an expires_in from the vendor (seconds), so a value
// in another unit cannot park a dead token in the cache for months; an
// invalid token is still recovered by the refresh-and-replay on 403/1007.
const maxTokenLifetime = 7 * 24 * time.Hour

// epToken is GET /openapi/auth/access_token/get?app_id=&app_secret=: public
// (no access token of its own).
var epToken = core.Endpoint{Op: TokenOp, Method: http.MethodGet, Path: "/openapi/" + TokenOp, Public: true}

// tokenQuery holds the credentials of the token request, exactly as the
// vendor names them (appid is refused with 1001).
type tokenQuery struct {
	AppID     string `url:"app_id"`
	AppSecret string `url:"app_secret"`
}

// tokenData is the token answer's data. The vendor documents no expiry
// field: expires_in (seconds, number or string) is used when present.
type tokenData struct {
	AccessToken string          `json:"access_token"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
}

// auth adds the access token to every attempt of a non-public endpoint
// (POSTs included); an access_token given in a Do path is replaced.
func (c *Client) auth(a *core.Attempt) error {
	a.Query.Set("access_token", a.Token)
	return nil
}

// AccessToken returns a valid access token, fetching one if the cache has
// none that is fresh; concurrent callers share one fetch. Most callers never
// need it: every method adds the token itself. Never hand the token to a
// front end (the vendor's security rule): all calls must come from the back
// end.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	return c.t.AccessToken(ctx)
}

// fetchToken calls the token endpoint and reads data.access_token. The
// token is cached for expires_in seconds when the answer has one, else for
// the configured lifetime (default 2 hours).
func (c *Client) fetchToken(ctx context.Context, _ token.Token, _ bool) (token.Token, error) {
	var data tokenData
	res, err := c.t.Call(ctx, epToken, &tokenQuery{AppID: c.AppID, AppSecret: c.secret}, nil, &data)
	if err != nil {
		return token.Token{}, err
	}
	if strings.TrimSpace(data.AccessToken) == "" {
		return token.Token{}, core.NewAPIError(vendorName, TokenOp, res.HTTPStatus, res.Code, "the answer holds no access_token", res.RequestID, nil, core.ErrBadResponse)
	}
	now := c.now()
	return token.Token{Value: data.AccessToken, ObtainedAt: now, ExpiresAt: now.Add(tokenLifetime(data.ExpiresIn, c.set.tokenLifetime))}, nil
}

// tokenLifetime reads expires_in (seconds, number or string); an absent,
// unreadable or non-positive value gives def.
func tokenLifetime(expiresIn json.RawMessage, def time.Duration) time.Duration {
	var secs flex.Int64
	if len(expiresIn) == 0 || secs.UnmarshalJSON(expiresIn) != nil || secs <= 0 {
		return def
	}
	if secs >= flex.Int64(maxTokenLifetime/time.Second) {
		return maxTokenLifetime
	}
	return time.Duration(secs) * time.Second
}
