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
// no create-clue endpoint). Create: cluepool/create (a unique name), sent
// raw through Do in the matrix and the stress run (the transport's table),
// and as CreateCluePool, which lists the pools of that name first and
// finds an ambiguous create among the new ones, in the soak
// (resolvingCreate). Edit: EditClue (remark). The fake's pool list lags
// soakReadLag requests behind its writes.
var wshotoAdapter = adapter{
	name:     "wshoto",
	tokenOps: []string{"access_token"},
	readOp:   "clue/info", readCall: "GetClue",
	createOp: "cluepool/create", createCall: "Do POST cluepool/create",
	note:      "its create cells send cluepool/create raw through Do (the transport's table); CreateCluePool finds an ambiguous create by its name (see the soak)",
	editOp:    "clue/edit",
	otherBody: []byte(`{"code":40000,"msg":"conformance: rejected","data":null}`), otherCode: "40000",
	start: startWshoto,
}

func startWshoto(t testing.TB) *env {
	srv := wshototest.NewServer(wshototest.WithReadLag(soakReadLag))
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
					req := &wshoto.CreateCluePoolRequest{UserID: wshototest.StaffID, CluePoolName: key}
					if r := resolvingCreate(ctx); r != nil {
						res, err := c.CreateCluePool(ctx, req)
						if err == nil && res.Resolved {
							r.note(key)
						}
						return err
					}
					return c.Do(ctx, "", "/openapi/crm/cluepool/create", req, nil)
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
