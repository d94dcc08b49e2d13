package jing

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/internal/token"
)

// RefreshTokenLifetime is the documented validity of a refresh token.
const RefreshTokenLifetime = 30 * 24 * time.Hour

// UnknownExpiryLifetime is assumed for an access token whose answer carries
// no positive expires_in (the vendor does not document the lifetime): the
// token is renewed early rather than used until it fails.
const UnknownExpiryLifetime = 10 * time.Minute

// epRefreshToken is the refresh-token exchange; the get-token endpoint is
// per client (WithTokenPath).
var epRefreshToken = core.Endpoint{Op: OpRefreshToken, Path: RefreshTokenPath, Public: true}

// tokenData is the data of the get-token and refresh answers. It never fails
// to decode: an answer whose data is not a token object is reported by
// callToken with the request id.
type tokenData struct {
	AccessToken  flex.String `json:"access_token"`
	RefreshToken flex.String `json:"refresh_token"`
	Scope        flex.String `json:"scope"`
	TokenType    flex.String `json:"token_type"`
	ExpiresIn    flex.Int64  `json:"expires_in"`
	bad          bool        // data was not a token object
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *tokenData) UnmarshalJSON(b []byte) error {
	type plain tokenData
	if flex.UnmarshalObject(b, (*plain)(d), nil) != nil {
		*d = tokenData{bad: true}
	}
	return nil
}

type getTokenBody struct {
	AppID     string `json:"app_id"`
	AppSecret string `json:"app_secret"`
}

type refreshBody struct {
	AppID        string `json:"app_id"`
	AppSecret    string `json:"app_secret"`
	RefreshToken string `json:"refresh_token"`
}

// auth sets the two documented authentication headers on every attempt of a
// non-token call, under their exact names (lower case, with underscores).
func (c *Client) auth(a *core.Attempt) error {
	a.SetHeader("app_id", c.appID)
	a.SetHeader("access_token", a.Token)
	return nil
}

// AccessToken returns a valid access token, obtaining or refreshing the pair
// if needed (once for all concurrent callers). A context that is already
// done sends nothing.
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	return c.t.AccessToken(ctx)
}

// RefreshToken rotates the token pair now: it calls the refresh endpoint with
// the newest refresh token (or get-token when there is none, or when it is
// rejected or older than 30 days) and stores the new pair. It is
// single-flight and serialised with automatic renewals, per app across
// processes when the TokenStore can lock (as a Redis store can), so no
// caller is left with a refresh token the rotation killed. Ordinary calls
// never need it: tokens are renewed before they expire. A context that is
// already done sends nothing (and rotates nothing).
func (c *Client) RefreshToken(ctx context.Context) error {
	if err := c.ready(ctx, "RefreshToken"); err != nil {
		return err
	}
	_, err := c.tokens.Refresh(ctx)
	return err
}

// ready refuses a nil or finished context before anything is sent: the
// token source would otherwise start a detached fetch for it.
func (c *Client) ready(ctx context.Context, op string) error {
	if ctx == nil {
		return errors.New("jing: " + op + ": nil context")
	}
	if err := ctx.Err(); err != nil {
		return &core.CallError{Vendor: vendorName, Op: op, Err: err}
	}
	return nil
}

// fetchToken is the token.FetchFunc: token.Source calls it one at a time per
// app with the newest pair it knows (stored, or obtained by this client: its
// refresh token outlives an access token that was invalidated). It
// refreshes when that pair holds a refresh token younger than 30 days, and
// falls back to get-token when there is none, it is too old, or the refresh
// fails for any reason other than the context ending (a rejected refresh, or
// one whose answer was lost and that may already have rotated the token).
func (c *Client) fetchToken(ctx context.Context, current token.Token, ok bool) (token.Token, error) {
	now := c.cfg.Now()
	if ok && current.Refresh != "" && (current.RefreshExpiresAt.IsZero() || now.Before(current.RefreshExpiresAt)) {
		tok, err := c.refresh(ctx, current)
		if err == nil {
			return tok, nil
		}
		if ctx.Err() != nil {
			return token.Token{}, err
		}
		c.cfg.Logger.WarnContext(ctx, "jing: refresh failed, falling back to get-token",
			"key", vendorName+":"+c.appID, "error", err.Error())
	}
	return c.callToken(ctx, c.t, c.epGetToken, getTokenBody{AppID: c.appID, AppSecret: c.secret})
}

// refresh exchanges current's refresh token. It runs on a transport that
// also scrubs that refresh token from every error and log line (the
// transport of c only knows the app secret; token endpoints skip the auth
// step where per-attempt values are registered).
func (c *Client) refresh(ctx context.Context, current token.Token) (token.Token, error) {
	t := core.NewClient(c.cfg, c.vendor, c.secret, current.Refresh)
	tok, err := c.callToken(ctx, t, epRefreshToken, refreshBody{AppID: c.appID, AppSecret: c.secret, RefreshToken: current.Refresh})
	if err == nil && tok.Refresh == "" {
		// No refresh token in the answer: the one sent stays the newest,
		// with its own horizon.
		tok.Refresh, tok.RefreshExpiresAt = current.Refresh, current.RefreshExpiresAt
	}
	return tok, err
}

// callToken calls a token endpoint and turns the answer into a pair.
func (c *Client) callToken(ctx context.Context, t *core.Client, ep core.Endpoint, body any) (token.Token, error) {
	var d tokenData
	res, err := t.Call(ctx, ep, nil, body, &d)
	if err != nil {
		return token.Token{}, err
	}
	if d.bad || strings.TrimSpace(string(d.AccessToken)) == "" {
		cause := errors.New("data has no access_token")
		if d.bad {
			cause = errors.New("data is not a token object")
		}
		return token.Token{}, core.NewAPIError(vendorName, ep.Op, res.HTTPStatus, "", "", res.RequestID, cause, core.ErrBadResponse)
	}
	now := c.cfg.Now()
	life := time.Duration(d.ExpiresIn) * time.Second
	if d.ExpiresIn <= 0 || d.ExpiresIn > 1<<31 {
		life = UnknownExpiryLifetime
	}
	tok := token.Token{Value: string(d.AccessToken), ObtainedAt: now, ExpiresAt: now.Add(life)}
	if d.RefreshToken != "" {
		tok.Refresh = string(d.RefreshToken)
		tok.RefreshExpiresAt = now.Add(RefreshTokenLifetime)
	}
	return tok, nil
}
