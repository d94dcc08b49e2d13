package wshoto

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/internal/token"
)

// TokenOp is the Op name of the token request in errors and logs.
const TokenOp = "access_token"

// DefaultTokenLifetime is assumed when the token answer carries no usable
// expires_in (the vendor documents "normally 7200 seconds").
const DefaultTokenLifetime = 7200 * time.Second

type tokenData struct {
	AccessToken string     `json:"access_token"`
	ExpiresIn   flex.Int64 `json:"expires_in"`
	CreateAt    flex.Int64 `json:"create_at"`
}

// AccessToken returns a valid access token, fetching one if the cache has
// none that is fresh. Concurrent callers share one fetch. Most callers never
// need it: every method adds the token itself.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return "", err
	}
	return tok.Value, nil
}

// fetchToken calls GET /openapi/access_token?appid=APPID&app_secret=SECRET.
//
// The token expires at create_at + expires_in (create_at is epoch seconds;
// wshoto hands out the same token again while it is valid, so create_at can
// lie in the past). When create_at is missing, or that instant does not fall
// within (now, now + expires_in] by the local clock (clock skew), the expiry
// is now + expires_in. ObtainedAt is the local fetch time, so the refresh
// margin (a fifth of the remaining life, at most 5 minutes) shrinks when the
// vendor returns an old token and the SDK never refetches in a tight loop.
func (c *Client) fetchToken(ctx context.Context, _ token.Token, _ bool) (token.Token, error) {
	var data tokenData
	res, err := c.t.Do(ctx, &core.Request{
		Op:     TokenOp,
		Method: http.MethodGet,
		Sign: func(a *core.Attempt) error {
			a.Path = "/openapi/access_token"
			a.Query.Set("appid", c.appID)
			a.Query.Set("app_secret", c.secret)
			return nil
		},
	})
	if err != nil {
		return token.Token{}, err
	}
	if len(res.Data) == 0 {
		return token.Token{}, core.NewAPIError(vendorName, TokenOp, res.HTTPStatus, res.Code, "no token in answer", "", nil, core.ErrBadResponse)
	}
	if err := flex.Unmarshal(res.Data, &data); err != nil {
		return token.Token{}, core.NewAPIError(vendorName, TokenOp, res.HTTPStatus, res.Code, "cannot decode token", "", nil, core.ErrBadResponse)
	}
	if strings.TrimSpace(data.AccessToken) == "" {
		return token.Token{}, core.NewAPIError(vendorName, TokenOp, res.HTTPStatus, res.Code, "empty access_token", "", nil, core.ErrBadResponse)
	}
	now := c.cfg.Now()
	return token.Token{Value: data.AccessToken, ObtainedAt: now, ExpiresAt: tokenExpiry(now, data.CreateAt, data.ExpiresIn)}, nil
}

// tokenExpiry computes when a token fetched at now expires.
func tokenExpiry(now time.Time, createAt, expiresIn flex.Int64) time.Time {
	life := DefaultTokenLifetime
	if expiresIn > 0 && expiresIn < 1<<31 {
		life = time.Duration(expiresIn) * time.Second
	}
	exp := now.Add(life)
	if createAt > 0 && createAt < 1<<50 {
		if byServer := flex.Seconds(createAt).Add(life); byServer.After(now) && byServer.Before(exp) {
			exp = byServer
		}
	}
	return exp
}
