package conformance

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/weiling"
	"github.com/cluekit/cluekit/weiling/weilingtest"
)

// 卫瓴 authenticates with an access_token in the query (codes 403/1007 =
// invalid token; the fake answers 1007). Read: BatchGetContacts (POST,
// not a create). Create: CreateContact (unique name and mobile). Edit:
// EditContact (position).
var weilingAdapter = adapter{
	name:     "weiling",
	tokenOps: []string{weiling.TokenOp},
	readOp:   "contact/batch", readCall: "BatchGetContacts",
	createOp: "contact/create", createCall: "CreateContact",
	editOp:    "contact/edit",
	otherBody: []byte(`{"code":1005,"msg":"操作失败"}`), otherCode: "1005",
	start: startWeiling,
}

func startWeiling(t testing.TB) *env {
	srv := weilingtest.NewServer()
	t.Cleanup(srv.Close)
	seed := srv.AddContact(weiling.Contact{UserName: "seed contact"})
	return &env{
		url:    srv.URL,
		faults: srv.Faults,
		close:  srv.Close,
		static: []string{srv.AppSecret},
		newClient: func(base string, _ clientVariant, opts ...core.Option) (*client, error) {
			c, err := weiling.New(srv.AppID, srv.AppSecret, append([]core.Option{weiling.WithBaseURL(base)}, opts...)...)
			if err != nil {
				return nil, err
			}
			return &client{
				read: func(ctx context.Context) error {
					_, err := c.BatchGetContacts(ctx, &weiling.BatchGetContactsRequest{ContactIDs: []string{seed}})
					return err
				},
				create: func(ctx context.Context, key string) error {
					_, err := c.CreateContact(ctx, &weiling.CreateContactRequest{
						UserName: key, Status: weiling.Ptr(weiling.ContactUnassigned),
						ContactWays: []weiling.ContactWay{{Type: weiling.ContactWayMobile, ContactWay: mobileFor(key)}},
					})
					return err
				},
				edit: func(ctx context.Context, key, value string) error {
					_, err := c.EditContact(ctx, &weiling.EditContactRequest{ContactID: key, Position: value})
					return err
				},
				accessToken: c.AccessToken,
			}, nil
		},
		invalidate: srv.InvalidateTokens,
		stored: func() map[string]int {
			out := map[string]int{}
			for _, ct := range srv.Contacts() {
				out[ct.UserName]++
			}
			return out
		},
		seedEditable: func(_ testing.TB, _ *client, n int) []string {
			keys := make([]string, n)
			for i := range keys {
				keys[i] = srv.AddContact(weiling.Contact{UserName: "edit " + itoa(i)})
			}
			return keys
		},
		edited: func(key string) string {
			ct, _ := srv.Contact(key)
			return ct.Position
		},
		liveTokens: srv.LiveTokens,
	}
}

// TestWeilingGETReadReset documents what happens below the SDK when a GET
// read (ListContacts) is reset on a reused connection: net/http's
// Transport replays an idempotent GET by itself before the SDK sees an
// error, so the SDK counts one attempt (no backoff, one log record) while
// the fake served two requests. The outcome is still the table's ("retried",
// success); only WithMaxAttempts counts SDK attempts, not server hits.
// POST reads and every create are never replayed by net/http (the matrix
// checks that wire attempts equal requests at the fake).
func TestWeilingGETReadReset(t *testing.T) {
	t.Parallel()
	srv := weilingtest.NewServer()
	t.Cleanup(srv.Close)
	r := newRig()
	ctx := context.Background()
	c, err := weiling.New(srv.AppID, srv.AppSecret, append(r.options(), weiling.WithBaseURL(srv.URL))...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AccessToken(ctx); err != nil { // leaves an idle connection to reuse
		t.Fatal(err)
	}
	const op = "contact/list"
	srv.Faults.Add(fake.Fault{Op: op, Reset: true})
	w0, f0 := r.wire.len(), srv.Requests(op)
	_, err = c.ListContacts(ctx, &weiling.ListContactsRequest{StartDay: "2026-01-01", EndDay: "2026-12-31"})
	wire, served := r.wire.len()-w0, srv.Requests(op)-f0
	if err != nil || served != 2 {
		t.Fatalf("err = %v, fake served %d requests; want success after 2", err, served)
	}
	switch wire {
	case 1: // replayed by net/http on the reused connection
		if w := r.sleeper.Waits(); len(w) != 0 {
			t.Errorf("sleeps = %v, want none (the SDK saw no failure)", w)
		}
	case 2: // a fresh connection: the SDK retried after its backoff
		if w := r.sleeper.Waits(); !slices.Equal(w, []time.Duration{wait1}) {
			t.Errorf("sleeps = %v, want [%v]", w, wait1)
		}
	default:
		t.Errorf("%d attempts on the wire for 2 requests at the fake", wire)
	}
	t.Logf("GET reset: %d SDK attempt(s), %d requests at the fake", wire, served)
	auditRun(t, &env{static: []string{srv.AppSecret}, liveTokens: srv.LiveTokens}, nil, r, nil)
}
