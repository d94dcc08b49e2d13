package conformance

import (
	"context"
	"testing"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/wshoto"
	"github.com/cluekit/cluekit/wshoto/wshototest"
)

// 微盛 authenticates with an access_token in the query (codes 10001/10010/
// 10011 = invalid token). Read: GetClue (a seeded clue; wshoto documents
// no create-clue endpoint). Create: CreateCluePool (unique name). Edit:
// EditClue (remark).
var wshotoAdapter = adapter{
	name:     "wshoto",
	tokenOps: []string{"access_token"},
	readOp:   "clue/info", readCall: "GetClue",
	createOp: "cluepool/create", createCall: "CreateCluePool",
	editOp:    "clue/edit",
	otherBody: []byte(`{"code":40000,"msg":"conformance: rejected","data":null}`), otherCode: "40000",
	start: startWshoto,
}

func startWshoto(t testing.TB) *env {
	srv := wshototest.NewServer()
	t.Cleanup(srv.Close)
	seed := srv.SeedClue(wshototest.Clue{Name: "seed clue"})
	return &env{
		url:    srv.URL,
		faults: srv.Faults,
		close:  srv.Close,
		static: []string{srv.AppSecret},
		newClient: func(base string, _ clientVariant, opts ...core.Option) (*client, error) {
			c, err := wshoto.New(srv.AppID, srv.AppSecret, append([]core.Option{wshoto.WithBaseURL(base)}, opts...)...)
			if err != nil {
				return nil, err
			}
			return &client{
				read: func(ctx context.Context) error {
					_, err := c.GetClue(ctx, &wshoto.GetClueRequest{ClueID: wshoto.NumericID(seed)})
					return err
				},
				create: func(ctx context.Context, key string) error {
					_, err := c.CreateCluePool(ctx, &wshoto.CreateCluePoolRequest{UserID: wshototest.StaffID, CluePoolName: key})
					return err
				},
				edit: func(ctx context.Context, key, value string) error {
					cl, _ := srv.Clue(key)
					_, err := c.EditClue(ctx, &wshoto.EditClueRequest{
						ClueID: wshoto.NumericID(key), ClueName: cl.Name, CluePoolID: wshoto.NumericID(cl.PoolID),
						FollowUserID: wshototest.StaffID, UserID: wshototest.StaffID, Remark: wshoto.Ptr(value),
					})
					return err
				},
				accessToken: c.AccessToken,
			}, nil
		},
		invalidate: srv.InvalidateTokens,
		stored: func() map[string]int {
			out := map[string]int{}
			for _, id := range srv.PoolIDs() {
				if p, ok := srv.Pool(id); ok {
					out[p.Name]++
				}
			}
			return out
		},
		seedEditable: func(_ testing.TB, _ *client, n int) []string {
			keys := make([]string, n)
			for i := range keys {
				keys[i] = srv.SeedClue(wshototest.Clue{Name: "edit " + itoa(i), FollowUserID: wshototest.StaffID})
			}
			return keys
		},
		edited: func(key string) string {
			cl, _ := srv.Clue(key)
			return cl.Remark
		},
		liveTokens: func() []string { return []string{srv.CurrentToken()} },
	}
}
