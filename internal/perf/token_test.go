package perf

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
	"github.com/cluekit/cluekit/weiling"
	"github.com/cluekit/cluekit/weiling/weilingtest"
	"github.com/cluekit/cluekit/wshoto"
	"github.com/cluekit/cluekit/wshoto/wshototest"
)

// coldCallers is how many callers start at once on a cold token cache.
const coldCallers = 1000

// coldTarget is a token vendor's fake and a way to make a client (with a
// new, empty token cache) that makes one typed call.
type coldTarget struct {
	name          string
	tokenRequests func() int
	newCaller     func(tb testing.TB, hc *http.Client) func(i int) error
}

var userSeq atomic.Int64 // distinct jing identities across iterations

func coldTargets(tb testing.TB) []coldTarget {
	ws := wshototest.NewServer()
	tb.Cleanup(ws.Close)
	wl := weilingtest.NewServer()
	tb.Cleanup(wl.Close)
	contactID := wl.AddContact(weiling.Contact{UserName: "小穆"})
	jg := jingtest.NewServer()
	tb.Cleanup(jg.Close)
	return []coldTarget{
		{
			name:          "wshoto",
			tokenRequests: ws.TokenRequests,
			newCaller: func(tb testing.TB, hc *http.Client) func(int) error {
				c, err := wshoto.New(ws.AppID, ws.AppSecret, wshoto.WithBaseURL(ws.URL), wshoto.WithHTTPClient(hc))
				must(tb, err)
				return func(int) error {
					_, err := c.ListClues(ctx, &wshoto.ListCluesRequest{PageSize: 1})
					return err
				}
			},
		},
		{
			name:          "weiling",
			tokenRequests: wl.TokenRequests,
			newCaller: func(tb testing.TB, hc *http.Client) func(int) error {
				c, err := weiling.New(wl.AppID, wl.AppSecret, weiling.WithBaseURL(wl.URL), weiling.WithHTTPClient(hc))
				must(tb, err)
				return func(int) error {
					got, err := c.BatchGetContacts(ctx, &weiling.BatchGetContactsRequest{ContactIDs: []string{contactID}})
					if err == nil && len(got.Contacts) != 1 {
						err = errors.New("contact not found")
					}
					return err
				}
			},
		},
		{
			name:          "jing",
			tokenRequests: func() int { return jg.TokenRequests() },
			newCaller: func(tb testing.TB, hc *http.Client) func(int) error {
				c, err := jing.New(jg.AppID, jg.AppSecret, jing.WithBaseURL(jg.URL), jing.WithHTTPClient(hc))
				must(tb, err)
				return func(int) error {
					mobile := fmt.Sprintf("1%010d", userSeq.Add(1))
					res, err := c.CreateUsers(ctx, &jing.CreateUsersRequest{Users: []jing.User{{
						Identities: []jing.Identity{{Type: jing.IdentityMobile, Value: mobile}},
					}}})
					if err == nil && len(res.Success) != 1 {
						err = fmt.Errorf("user not created: %s", res.Failure[0].Raw)
					}
					return err
				}
			},
		},
	}
}

// coldBurst makes a client with an empty token cache, starts n callers at
// once, and returns how many token requests reached the fake and the first
// call error. Connections are capped at 64 so the burst stays bounded.
func coldBurst(tb testing.TB, t coldTarget, n int) (tokenRequests int, err error) {
	tr := &http.Transport{MaxConnsPerHost: 64, MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	call := t.newCaller(tb, &http.Client{Transport: tr})
	before := t.tokenRequests()
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	for i := range n {
		wg.Go(func() {
			<-start
			if e := call(i); e != nil {
				mu.Lock()
				if failed == 0 {
					err = e
				}
				failed++
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	if err != nil {
		err = fmt.Errorf("%d of %d calls failed, first: %w", failed, n, err)
	}
	return t.tokenRequests() - before, err
}

// TestColdTokenSingleFlight: 1 000 concurrent callers on a cold token cache
// cause exactly one token request, and every call succeeds.
func TestColdTokenSingleFlight(t *testing.T) {
	t.Parallel()
	for _, target := range coldTargets(t) {
		t.Run(target.name, func(t *testing.T) {
			got, err := coldBurst(t, target, coldCallers)
			if err != nil {
				t.Fatal(err)
			}
			if got != 1 {
				t.Fatalf("%d callers on a cold cache made %d token requests, want 1", coldCallers, got)
			}
		})
	}
}

// BenchmarkColdToken measures a burst of 1 000 concurrent calls on a cold
// token cache (one op = one burst with a new client) and reports the token
// requests per burst, which must be 1.
func BenchmarkColdToken(b *testing.B) {
	for _, target := range coldTargets(b) {
		b.Run(target.name, func(b *testing.B) {
			total := 0
			for b.Loop() {
				got, err := coldBurst(b, target, coldCallers)
				if err != nil {
					b.Fatal(err)
				}
				if got != 1 {
					b.Errorf("token requests = %d, want 1", got)
				}
				total += got
			}
			b.ReportMetric(float64(total)/float64(b.N), "token-requests/op")
			b.ReportMetric(coldCallers, "callers")
		})
	}
}
