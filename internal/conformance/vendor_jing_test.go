package conformance

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
)

// 径硕 sends app_id and access_token headers; tokens come from get-token or
// a rotating refresh token. Its invalid-token code is not published, so
// the SDK refreshes on a code only when told (WithInvalidTokenCodes): the
// clients here are built with the fake's code (40003), as the jingtest
// docs say, except in the cell that checks the default.
//
// jing has no typed read: its only idempotent typed call is the token
// request itself (AccessToken on a cold cache: POST oauth2/token, not a
// create), which is the read of the matrix. Create: CreateUsers (one user,
// unique mobile identity); a refused user comes back as a *jing.BatchError
// with the result, and an answer without the one success is an error too.
var jingAdapter = adapter{
	name:             "jing",
	tokenOps:         []string{jing.OpGetToken, jing.OpRefreshToken},
	readOp:           jing.OpGetToken,
	readCall:         "AccessToken (cold)",
	readIsTokenFetch: true,
	createOp:         jing.OpCreateUsers, createCall: "CreateUsers",
	note:      "jing has no typed read; its read cells are the token request (AccessToken on a cold cache, POST oauth2/token, not a create), so it has no token-invalidated read cell",
	otherBody: []byte(`{"request_id":"conformance-req","code":50000,"msg":"conformance: rejected","data":null}`), otherCode: "50000",
	start: startJing,
}

// jingInvalidTokenCode is the fake's invalid-access-token code as text.
var jingInvalidTokenCode = strconv.Itoa(jingtest.CodeInvalidAccessToken)

func startJing(t testing.TB) *env {
	srv := jingtest.NewServer()
	t.Cleanup(srv.Close)
	return &env{
		url:    srv.URL,
		faults: srv.Faults,
		close:  srv.Close,
		static: []string{jingtest.DefaultAppSecret},
		newClient: func(base string, v clientVariant, opts ...core.Option) (*client, error) {
			all := []core.Option{jing.WithBaseURL(base), jing.WithClock(srv.Clock.Now)}
			if !v.noInvalidTokenCodes {
				all = append(all, jing.WithInvalidTokenCodes(jingInvalidTokenCode))
			}
			c, err := jing.New(jingtest.DefaultAppID, jingtest.DefaultAppSecret, append(all, opts...)...)
			if err != nil {
				return nil, err
			}
			return &client{
				read: func(ctx context.Context) error {
					_, err := c.AccessToken(ctx)
					return err
				},
				create: func(ctx context.Context, key string) error {
					res, err := c.CreateUsers(ctx, &jing.CreateUsersRequest{Users: []jing.User{{
						Identities: []jing.Identity{{Type: jing.IdentityMobile, Value: mobileFor(key), Name: "手机号"}},
						Fields:     map[string]any{"name": key},
					}}})
					if err != nil {
						return err
					}
					if len(res.Failure) > 0 || len(res.Success) != 1 {
						return fmt.Errorf("jing: CreateUsers %s: %d created, %d failed: %s", key, len(res.Success), len(res.Failure), failureRaw(res))
					}
					return nil
				},
				accessToken: c.AccessToken,
			}, nil
		},
		invalidate: srv.InvalidateTokens,
		stored: func() map[string]int {
			out := map[string]int{}
			for _, u := range srv.Users() {
				if name, ok := u.Fields["name"].(string); ok {
					out[name]++
				}
			}
			return out
		},
		liveTokens: srv.LiveTokens,
	}
}

func failureRaw(res *jing.CreateUsersResult) string {
	if len(res.Failure) == 0 {
		return ""
	}
	return string(res.Failure[0].Raw)
}
