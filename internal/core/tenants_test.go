package core

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/token"
)

// Many tenants in one process: an ISV holds one client per customer tenant,
// all on one vendor host. Clients built without WithHTTPClient share one
// connection pool; credentials, tokens and limits stay per client.

// tenantServer answers every request and checks that tenant i's request
// carries tenant i's token.
func tenantServer(t *testing.T) (*httptest.Server, *atomic.Int64, *atomic.Int64) {
	t.Helper()
	var conns, leaks atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant := strings.TrimPrefix(strings.Split(r.URL.Path, "/")[2], "t")
		if tok := r.URL.Query().Get("access_token"); tok != "" && tok != "tok-"+tenant {
			leaks.Add(1)
		}
		_, _ = w.Write([]byte(`{"code":0,"data":{}}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns, &leaks
}

func tenantClient(t testing.TB, base string, i int, store token.Store) *Client {
	opts := []Option{WithBaseURL(base)}
	if store != nil {
		opts = append(opts, WithTokenStore(store))
	}
	cfg, err := NewConfig("https://api.test", nil, opts)
	require.NoError(t, err)
	v := testVendor
	v.Auth = func(a *Attempt) error {
		if a.Token != "" {
			a.Query.Set("access_token", a.Token)
		}
		return nil
	}
	c := NewClient(cfg, v, fmt.Sprintf("secret-%d", i))
	if store != nil {
		c.NewTokens(fmt.Sprintf("testv:app-%d", i), func(context.Context, token.Token, bool) (token.Token, error) {
			return token.Token{Value: fmt.Sprintf("tok-%d", i)}, nil
		})
	}
	return c
}

func TestThousandTenantsShareOnePool(t *testing.T) {
	t.Parallel()
	srv, conns, _ := tenantServer(t)
	const tenants, workers = 1000, 20
	jobs := make(chan int, tenants)
	for i := range tenants {
		jobs <- i
	}
	close(jobs)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				c := tenantClient(t, srv.URL, i, nil)
				_, err := c.Call(context.Background(), Endpoint{Op: "get", Method: http.MethodGet, Path: fmt.Sprintf("/x/t%d", i)}, nil, nil, nil)
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	t.Logf("%d tenant clients, %d concurrent callers: %d TCP connections", tenants, workers, conns.Load())
	assert.LessOrEqual(t, conns.Load(), int64(2*workers), "connections are bounded by the shared pool, not one per client")
}

func TestTenantsSharingATokenStoreNeverSeeEachOthersTokens(t *testing.T) {
	t.Parallel()
	srv, _, leaks := tenantServer(t)
	store := token.NewMemoryStore(nil)
	const tenants = 100
	var wg sync.WaitGroup
	for i := range tenants {
		wg.Go(func() {
			c := tenantClient(t, srv.URL, i, store)
			for range 3 {
				_, err := c.Call(context.Background(), Endpoint{Op: "get", Method: http.MethodGet, Path: fmt.Sprintf("/x/t%d", i)}, nil, nil, nil)
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	assert.Zero(t, leaks.Load(), "a tenant's token was sent by another tenant's client")
}

func TestHeapPerIdleClient(t *testing.T) {
	// Not parallel: it reads the process's heap.
	const n = 1000
	clients := make([]*Client, 0, n)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		clients = append(clients, tenantClient(t, "http://127.0.0.1:1", i, nil))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("heap per idle client: %.0f bytes", per)
	assert.Less(t, per, 8192.0, "an idle client holds no transport or connection pool of its own")
	runtime.KeepAlive(clients)
}
