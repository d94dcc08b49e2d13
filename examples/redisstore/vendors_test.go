package redisstore

// The vendor side of the replica tests: real SDK clients and handlers
// against the SDK's fake vendors. wshoto for tokens (its fake counts token
// requests), waiqin365 for rate-limited creates (AddSalesLeads), weiling for
// encrypted callbacks.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
	"github.com/cluekit/cluekit/weiling"
	"github.com/cluekit/cluekit/weiling/weilingtest"
	"github.com/cluekit/cluekit/wshoto"
	"github.com/cluekit/cluekit/wshoto/wshototest"
)

// The package's values plug into the vendor packages' options.
var (
	_ wshoto.TokenStore  = (*TokenStore)(nil)
	_ wshoto.Locker      = (*TokenStore)(nil)
	_ weiling.TokenStore = (*TokenStore)(nil)
	_ wshoto.Limiter     = (*Limiter)(nil)
	_ waiqin365.Limiter  = (*Limiter)(nil)
	_ weiling.Deduper    = (*Deduper)(nil)
	_ waiqin365.Deduper  = (*Deduper)(nil)
)

type tokenFake struct {
	url           string
	tokenRequests func() int
}

// startTokenFake starts a wshoto fake (its token endpoint is what the
// replicas share).
func startTokenFake(t *testing.T) tokenFake {
	srv := wshototest.NewServer()
	t.Cleanup(srv.Close)
	return tokenFake{url: srv.URL, tokenRequests: srv.TokenRequests}
}

// newTokenClient returns AccessToken of a wshoto client on store (and lim,
// when not nil).
func newTokenClient(baseURL string, store *TokenStore, lim *Limiter) (func(context.Context) (string, error), error) {
	opts := []wshoto.Option{wshoto.WithBaseURL(baseURL), wshoto.WithTokenStore(store)}
	if lim != nil {
		opts = append(opts, wshoto.WithLimiter(lim))
	}
	c, err := wshoto.New(wshototest.DefaultAppID, wshototest.DefaultAppSecret, opts...)
	if err != nil {
		return nil, err
	}
	return c.AccessToken, nil
}

type rateFake struct {
	url      string
	enforce  func(perSecond float64, burst int) // a full bucket, refusals counted from zero
	rejected func() int
	created  func() int
}

// startRateFake starts a waiqin365 fake (enforcing no rate yet).
func startRateFake(t *testing.T) rateFake {
	srv := waiqin365test.NewServer()
	t.Cleanup(srv.Close)
	return rateFake{url: srv.URL, enforce: srv.Faults.EnforceRate, rejected: srv.Faults.RateRejected,
		created: func() int { return len(srv.Leads()) }}
}

var leadSeq atomic.Int64

// newCreateClient returns a function creating one waiqin365 lead (a unique
// code per call) through a client paced by lim (none when nil).
func newCreateClient(baseURL string, lim *Limiter) (func(context.Context) error, error) {
	opts := []waiqin365.Option{waiqin365.WithBaseURL(baseURL)}
	if lim != nil {
		opts = append(opts, waiqin365.WithLimiter(lim))
	}
	c, err := waiqin365.New(waiqin365test.DefaultOpenID, waiqin365test.DefaultAppKey, opts...)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		_, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{
			PoolName: "公海", Code: fmt.Sprintf("RS%d-%06d", os.Getpid(), leadSeq.Add(1)), CusName: "共享限流", Linkman: "张三",
		})
		return err
	}, nil
}

// newCallbackHandler returns a weiling callback handler deduplicating
// through d; fn gets the event's entity id.
func newCallbackHandler(d *Deduper, fn func(context.Context, string) error) (http.Handler, error) {
	return weiling.NewCallbackHandler(weilingtest.DefaultCallbackToken, weilingtest.DefaultEncodingAESKey,
		func(ctx context.Context, e *weiling.Event) error { return fn(ctx, e.EntityID()) },
		weiling.WithDeduper(d))
}

// newCallbackEvent returns the decrypted message of one weiling event about
// contact id; every delivery of it is the same event (same dedupe key).
func newCallbackEvent(t *testing.T, id string) []byte {
	msg := weilingtest.NewMessage(weiling.EventCustomerUpdate, weilingtest.DefaultAppID, time.UnixMilli(1_767_225_600_000),
		map[string]any{"contact_id": id, "name": "张三"})
	b, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// deliverCallback encrypts and signs msg as weiling does and POSTs it to
// url; nil only when the handler acknowledged it ("success").
func deliverCallback(ctx context.Context, url string, msg []byte) error {
	return weilingtest.DeliverCallback(ctx, url, weilingtest.DefaultCallbackToken, weilingtest.DefaultEncodingAESKey,
		weilingtest.DefaultAppID, json.RawMessage(msg))
}
