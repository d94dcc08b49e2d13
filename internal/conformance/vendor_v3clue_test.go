package conformance

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/v3clue"
	"github.com/cluekit/cluekit/v3clue/v3cluetest"
)

// 探马 v3 signs every call with SHA-256(appId+timestamp+body+appKey) in a
// sign header: no tokens. Read: GetClue, its only typed call. v3clue has no
// typed create: the create cells use the generic Do (POST, which Do treats
// as a create) on /api/v3/import-customer, an endpoint the Do docs name,
// served by a handler this test registers on the fake (it stores customers
// by phone and answers 40417 for a duplicate phone, as the Do docs say).
var v3clueAdapter = adapter{
	name:     "v3clue",
	readOp:   v3cluetest.OpClueGet,
	readCall: "GetClue",
	createOp: "import-customer", createCall: "Do POST import-customer",
	note:      "v3clue types only GetClue; its create cells use the generic Do (POST, treated as a create) on a test-registered /api/v3/import-customer",
	otherBody: []byte(`{"code":-1,"message":"失败","data":null}`), otherCode: "-1",
	start: startV3clue,
}

func startV3clue(t testing.TB) *env {
	srv := v3cluetest.NewServer()
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	byPhone := map[string]string{} // phone → name
	srv.Handle("/api/v3/import-customer", func(body []byte) v3cluetest.Response {
		var req struct {
			Name  string `json:"name"`
			Phone string `json:"phone"`
		}
		if json.Unmarshal(body, &req) != nil || req.Name == "" || req.Phone == "" {
			return v3cluetest.Response{Code: v3clue.CodeFailure, Message: v3cluetest.MsgBadParam}
		}
		mu.Lock()
		defer mu.Unlock()
		if _, dup := byPhone[req.Phone]; dup {
			return v3cluetest.Response{Code: v3clue.CodeDuplicate, Message: "请求参数验证失败：电话号码重复"}
		}
		byPhone[req.Phone] = req.Name
		return v3cluetest.Response{}
	})
	return &env{
		url:    srv.URL,
		faults: srv.Faults,
		close:  srv.Close,
		static: []string{v3cluetest.DefaultAppKey},
		newClient: func(base string, _ clientVariant, opts ...core.Option) (*client, error) {
			c, err := v3clue.New(v3cluetest.DefaultAppID, v3cluetest.DefaultAppKey, append([]core.Option{v3clue.WithBaseURL(base)}, opts...)...)
			if err != nil {
				return nil, err
			}
			return &client{
				read: func(ctx context.Context) error {
					_, err := c.GetClue(ctx, &v3clue.GetClueRequest{CustomerID: v3cluetest.ExampleCustomerID})
					return err
				},
				create: func(ctx context.Context, key string) error {
					return c.Do(ctx, http.MethodPost, "/api/v3/import-customer", map[string]any{"name": key, "phone": mobileFor(key)}, nil)
				},
			}, nil
		},
		stored: func() map[string]int {
			mu.Lock()
			defer mu.Unlock()
			out := map[string]int{}
			for _, name := range byPhone {
				out[name]++
			}
			return out
		},
		wireSecrets: func(t testing.TB, recs []wireRec) []string {
			var out []string
			for _, r := range recs {
				// The SDK sends the documented non-canonical names verbatim.
				sig := first(r.Header["sign"])
				if want := v3clue.SignRequest(first(r.Header["appId"]), first(r.Header["timestamp"]), r.Body, v3cluetest.DefaultAppKey); sig != want {
					t.Errorf("v3clue: sign header is not sha256(appId+timestamp+body+appKey)")
				}
				out = append(out, sig)
			}
			// What the fake received (requests that reached a handler).
			for _, r := range srv.Received() {
				out = append(out, r.Header.Get("sign"))
			}
			return out
		},
	}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
