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

// TokenOp is the Op name of the token request in errors and logs.
const TokenOp = "auth/access_token/get"

// maxTokenLifetime bounds an expires_in from the vendor (seconds), so a value
// in another unit cannot park a dead token in the cache for months; an
// invalid token is still recovered by the refresh-and-replay on 403/1007.
const maxTokenLifetime = 7 * 24 * time.Hour

// AccessToken returns a valid access token, fetching one if the cache has
// none that is fresh; concurrent callers share one fetch. Most callers never
// need it: every method adds the token itself. Never hand the token to a
// front end (the vendor's security rule): all calls must come from the back
// end.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return "", err
	}
	return tok.Value, nil
}

// fetchToken calls GET /openapi/auth/access_token/get?app_id=..&app_secret=..
// and reads data.access_token. The vendor documents no lifetime: an
// expires_in (seconds) is used when present, else the configured lifetime
// (default 2 hours).
func (c *Client) fetchToken(ctx context.Context, _ token.Token, _ bool) (token.Token, error) {
	res, err := c.t.Do(ctx, &core.Request{
		Op:     TokenOp,
		Method: http.MethodGet,
		Sign: func(a *core.Attempt) error {
			a.Path = "/openapi/" + TokenOp
			a.Query.Set("app_id", c.appID)
			a.Query.Set("app_secret", c.secret)
			return nil
		},
	})
	if err != nil {
		return token.Token{}, err
	}
	var data struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
	}
	if len(res.Data) == 0 || flex.Unmarshal(res.Data, &data) != nil {
		return token.Token{}, core.NewAPIError(vendorName, TokenOp, res.HTTPStatus, res.Code, "answer holds no token", "", nil, core.ErrBadResponse)
	}
	if strings.TrimSpace(data.AccessToken) == "" {
		return token.Token{}, core.NewAPIError(vendorName, TokenOp, res.HTTPStatus, res.Code, "empty access_token", "", nil, core.ErrBadResponse)
	}
	now := c.cfg.Now()
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
