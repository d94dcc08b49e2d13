package jing

import (
	"context"
	"errors"
	"net/http"
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

// tokenData is the data of the get-token and refresh answers.
type tokenData struct {
	AccessToken  string     `json:"access_token"`
	RefreshToken string     `json:"refresh_token"`
	Scope        string     `json:"scope"`
	TokenType    string     `json:"token_type"`
	ExpiresIn    flex.Int64 `json:"expires_in"`
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

// AccessToken returns a valid access token, obtaining or refreshing the pair
// if needed (once for all concurrent callers).
func (c *Client) AccessToken(ctx context.Context) (string, error) {
	if ctx == nil {
		return "", errors.New("jing: AccessToken: nil context")
	}
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return "", err
	}
	return tok.Value, nil
}

// RefreshToken rotates the token pair now: it calls the refresh endpoint with
// the newest refresh token (or get-token when there is none, or when it is
// rejected or older than 30 days) and stores the new pair. It is
// single-flight and serialised with automatic renewals, per app across
// processes when the TokenStore can lock (as the Redis store can), so no
// caller is left with a refresh token the rotation killed. Ordinary calls
// never need it: tokens are renewed before they expire.
func (c *Client) RefreshToken(ctx context.Context) error {
	if ctx == nil {
		return errors.New("jing: RefreshToken: nil context")
	}
	_, err := c.tokens.Refresh(ctx)
	return err
}

// fetchToken is the token.FetchFunc: token.Source calls it one at a time per
// app with the newest pair it knows (stored, or obtained by this client: its
// refresh token outlives an access token that was invalidated).
func (c *Client) fetchToken(ctx context.Context, current token.Token, ok bool) (token.Token, error) {
	return c.obtain(ctx, current, ok)
}

// obtain refreshes when the current pair holds a refresh token younger than
// 30 days, and falls back to get-token when there is none, it is too old, or
// the refresh fails for any reason other than the caller's context ending
// (a rejected refresh, or one whose answer was lost and that may already
// have rotated the token). token.Source calls it one at a time.
func (c *Client) obtain(ctx context.Context, current token.Token, ok bool) (token.Token, error) {
	now := c.cfg.Now()
	if ok && current.Refresh != "" && (current.RefreshExpiresAt.IsZero() || now.Before(current.RefreshExpiresAt)) {
		tok, err := c.callToken(ctx, OpRefreshToken, RefreshTokenPath, refreshBody{AppID: c.appID, AppSecret: c.secret, RefreshToken: current.Refresh}, current.Refresh)
		if err == nil {
			if tok.Refresh == "" {
				// No refresh token in the answer: the one sent stays the
				// newest, with its own horizon.
				tok.Refresh, tok.RefreshExpiresAt = current.Refresh, current.RefreshExpiresAt
			}
			return tok, nil
		}
		if ctx.Err() != nil {
			return token.Token{}, err
		}
		c.cfg.Logger.WarnContext(ctx, "jing: refresh failed, falling back to get-token", "key", c.tokenKey(), "error", err.Error())
	}
	tok, err := c.callToken(ctx, OpGetToken, c.set.tokenPath, getTokenBody{AppID: c.appID, AppSecret: c.secret}, "")
	if err != nil {
		return token.Token{}, err
	}
	return tok, nil
}

// callToken calls a token endpoint and turns the answer into a pair.
func (c *Client) callToken(ctx context.Context, op, path string, body any, refresh string) (token.Token, error) {
	raw, err := flex.Marshal(body)
	if err != nil {
		return token.Token{}, err
	}
	res, err := c.t.Do(ctx, &core.Request{
		Op:     op,
		Method: http.MethodPost,
		Body:   raw,
		Sign: func(a *core.Attempt) error {
			a.Path = path
			a.Redact(refresh)
			return nil
		},
	})
	if err != nil {
		return token.Token{}, err
	}
	var d tokenData
	if err := flex.Unmarshal(res.Data, &d); err != nil || strings.TrimSpace(d.AccessToken) == "" {
		if err == nil {
			err = errors.New("data has no access_token")
		} else {
			err = errors.New("data is not a token object")
		}
		return token.Token{}, core.NewAPIError(vendorName, op, res.HTTPStatus, "", "", res.RequestID, err, core.ErrBadResponse)
	}
	now := c.cfg.Now()
	life := time.Duration(d.ExpiresIn) * time.Second
	if d.ExpiresIn <= 0 || d.ExpiresIn > 1<<31 {
		life = UnknownExpiryLifetime
	}
	tok := token.Token{Value: d.AccessToken, ObtainedAt: now, ExpiresAt: now.Add(life)}
	if d.RefreshToken != "" {
		tok.Refresh = d.RefreshToken
		tok.RefreshExpiresAt = now.Add(RefreshTokenLifetime)
	}
	return tok, nil
}
