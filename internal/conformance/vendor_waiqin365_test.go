package conformance

import (
	"context"
	"strings"
	"testing"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

// 勤策 signs every call with md5(body|appkey|timestamp) in the URL path: no
// tokens. Read: QuerySalesLeads (by code). Create: addSalesLeads (unique
// code), sent raw through Do in the matrix and the stress run (the
// transport's table), and as AddSalesLeads, which reads an ambiguous create
// back by its code, in the soak (resolvingCreate). Edit: ModifySalesLeads
// (detail). The fake's queries lag soakReadLag requests behind its writes.
var waiqin365Adapter = adapter{
	name:     "waiqin365",
	readOp:   waiqin365.OpQuerySalesLeads,
	readCall: "QuerySalesLeads",
	createOp: waiqin365.OpAddSalesLeads, createCall: "Do POST addSalesLeads",
	note:      "its create cells send addSalesLeads raw through Do (the transport's table); AddSalesLeads reads an ambiguous create back by its code (see the soak)",
	editOp:    waiqin365.OpModifySalesLeads,
	otherBody: []byte(`{"return_code":"1","return_msg":"conformance: rejected","msg_id":null,"response_data":null}`), otherCode: "1",
	start: startWaiqin365,
}

const (
	wqOpenID = "5465103569540931532"
	wqAppKey = "BFCO0PAgIUgd50c0l6-conformance"
)

func startWaiqin365(t testing.TB) *env {
	srv := waiqin365test.NewServer(waiqin365test.WithCredentials(wqOpenID, wqAppKey), waiqin365test.WithReadLag(soakReadLag))
	t.Cleanup(srv.Close)
	return &env{
		url:    srv.URL,
		faults: srv.Faults,
		close:  srv.Close,
		static: []string{wqAppKey},
		newClient: func(base string, _ clientVariant, opts ...core.Option) (*client, error) {
			c, err := waiqin365.New(wqOpenID, wqAppKey, append([]core.Option{waiqin365.WithBaseURL(base)}, opts...)...)
			if err != nil {
				return nil, err
			}
			return &client{
				read: func(ctx context.Context) error {
					_, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "SEED-0001"})
					return err
				},
				create: func(ctx context.Context, key string) error {
					req := &waiqin365.AddSalesLeadsRequest{
						PoolName: "默认线索池", Code: key, CusName: "conformance " + key, Linkman: "张三", Mobile: mobileFor(key),
					}
					if r := resolvingCreate(ctx); r != nil {
						res, err := c.AddSalesLeads(ctx, req)
						if err == nil && res.Resolved {
							r.note(key)
						}
						return err
					}
					return c.Do(ctx, "", "/api/salesleads/v1/"+waiqin365.OpAddSalesLeads, req, nil)
				},
				edit: func(ctx context.Context, key, value string) error {
					_, err := c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{Code: key, Detail: value})
					return err
				},
			}, nil
		},
		stored: func() map[string]int {
			out := map[string]int{}
			for _, l := range srv.Leads() {
				out[l.Code]++
			}
			return out
		},
		seedEditable: func(t testing.TB, c *client, n int) []string {
			keys := make([]string, n)
			for i := range keys {
				keys[i] = "EDIT-" + itoa(i)
				if err := c.create(context.Background(), keys[i]); err != nil {
					t.Fatalf("seed %s: %v", keys[i], err)
				}
			}
			return keys
		},
		edited: func(key string) string {
			l, _ := srv.Lead(key)
			return l.Detail
		},
		wireSecrets: func(t testing.TB, recs []wireRec) []string {
			// /api/{module}/{version}/{op}/{openid}/{timestamp}/{digest}/{msg_id}
			var out []string
			for _, r := range recs {
				seg := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/api/"), "/")
				if len(seg) != 7 {
					t.Errorf("waiqin365: unexpected path %q", r.URL.Path)
					continue
				}
				ts, digest := seg[4], seg[5]
				if want := waiqin365.Digest(r.Body, wqAppKey, ts); digest != want {
					t.Errorf("waiqin365: digest in the URL is not md5(body|appkey|%s)", ts)
				}
				out = append(out, digest)
			}
			return out
		},
	}
}
