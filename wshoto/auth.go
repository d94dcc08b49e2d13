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

// TokenOp is the Op name of the token request in errors, logs and
// observers.
const TokenOp = "access_token"

// DefaultTokenLifetime is assumed when the token answer carries no usable
// expires_in (the vendor documents "normally 7200 seconds").
const DefaultTokenLifetime = 7200 * time.Second

// epToken is GET /openapi/access_token?appid=APPID&app_secret=SECRET.
var epToken = core.Endpoint{Op: TokenOp, Method: http.MethodGet, Path: "/openapi/access_token", Public: true}

// tokenQuery is the token request's query.
type tokenQuery struct {
	AppID     string `url:"appid"`
	AppSecret string `url:"app_secret"`
}

// tokenData is the token answer's data.
type tokenData struct {
	AccessToken string     `json:"access_token"`
	ExpiresIn   flex.Int64 `json:"expires_in"`
	CreateAt    flex.Int64 `json:"create_at"`
}

// auth adds the access token to every call: wshoto calls are not signed.
func (c *Client) auth(a *core.Attempt) error {
	a.Query.Set("access_token", a.Token)
	return nil
}

// AccessToken returns a valid access token, fetching one if the cache has
// none that is fresh. Concurrent callers share one fetch; a context that is
// already done fetches nothing. Most callers never need it: every method
// adds the token itself.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	return c.t.AccessToken(ctx)
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
	var data *tokenData
	res, err := c.t.Call(ctx, epToken, &tokenQuery{AppID: c.appID, AppSecret: c.secret}, nil, &data)
	if err != nil {
		return token.Token{}, err
	}
	switch {
	case data == nil:
		return token.Token{}, core.NewAPIError(vendorName, TokenOp, res.HTTPStatus, res.Code, "no token in answer", res.RequestID, nil, core.ErrBadResponse)
	case strings.TrimSpace(data.AccessToken) == "":
		return token.Token{}, core.NewAPIError(vendorName, TokenOp, res.HTTPStatus, res.Code, "empty access_token", res.RequestID, nil, core.ErrBadResponse)
	}
	now := c.now()
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
