package perf

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

// Bulk creates at a strict vendor quota: a waiqin365 client with
// WithRateLimit(R, b) creates leads against the fake enforcing exactly the
// same bucket (fake.Injector.EnforceRate(R, b): no slack). The client paces a
// little under R, so that the jitter between its limiter and the fake's
// arrival clock (a goroutine descheduled between the two, on a loaded
// machine) rarely bunches two creates into one slot; when it does, the fake
// answers 429, which means "not applied": the SDK retries the create (after
// Retry-After or a backoff) and slows its limiter down, then recovers. No
// create is lost, whatever the scheduling; the throughput is measured by
// BenchmarkRateLimitedCreates (no timing threshold in a test).

var codeSeq atomic.Int64

type rateResult struct {
	elapsed  time.Duration
	rejected int // 429s the fake answered
	created  int // leads stored
	failed   int // creates that returned an error
}

// rateRun creates n leads with workers goroutines against srv, which
// enforces exactly (r, burst). paced: the client has WithRateLimit(r, burst)
// and every create must succeed; unpaced (the control): no client limit and
// no retries, so the fake's 429s show as failed creates.
func rateRun(tb testing.TB, srv *waiqin365test.Server, r float64, burst, n, workers int, paced bool) rateResult {
	// Default attempts (3) and retry quota: what a user gets.
	opts := []waiqin365.Option{waiqin365.WithBaseURL(srv.URL), waiqin365.WithRateLimit(r, burst)}
	if !paced {
		opts = []waiqin365.Option{waiqin365.WithBaseURL(srv.URL), waiqin365.WithMaxAttempts(1)}
	}
	c, err := waiqin365.New(wqOpenID, wqAppKey, opts...)
	must(tb, err)
	srv.Faults.EnforceRate(r, burst)
	defer srv.Faults.EnforceRate(0, 0)
	before := len(srv.Leads())
	jobs := make(chan int, n)
	for i := range n {
		jobs <- i
	}
	close(jobs)
	var wg sync.WaitGroup
	var firstErr atomic.Value
	var failed atomic.Int64
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for range jobs {
				_, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{
					PoolName: "公海", Code: fmt.Sprintf("RATE%010d", codeSeq.Add(1)), CusName: "批量导入", Linkman: "张三",
					Mobile: "18811111111", SourceType: "官网",
				})
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	res := rateResult{elapsed: time.Since(start), rejected: srv.Faults.RateRejected(),
		created: len(srv.Leads()) - before, failed: int(failed.Load())}
	if err, _ := firstErr.Load().(error); err != nil && paced {
		tb.Fatalf("create failed: %v", err)
	}
	return res
}

// TestCreatesAtAStrictQuotaAreNeverLost: at b = 1 and b = 5, from 1 and from
// 8 goroutines, against a fake enforcing exactly the client's bucket, every
// create succeeds and is stored once (429s, if any, are retried).
func TestCreatesAtAStrictQuotaAreNeverLost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ burst, workers int }{{1, 1}, {1, 8}, {5, 1}, {5, 8}} {
		t.Run(fmt.Sprintf("b=%d/workers=%d", tc.burst, tc.workers), func(t *testing.T) {
			t.Parallel()
			srv := waiqin365test.NewServer(waiqin365test.WithCredentials(wqOpenID, wqAppKey))
			t.Cleanup(srv.Close)
			const r, n = 100, 60
			res := rateRun(t, srv, r, tc.burst, n, tc.workers, true)
			if res.failed != 0 || res.created != n {
				t.Fatalf("failed %d, created %d; want 0 and %d (429s retried: %d)", res.failed, res.created, n, res.rejected)
			}
		})
	}
}

// BenchmarkRateLimitedCreates creates 200 leads at R = 50/s (one op = the
// whole batch, about 4 s) with b = 1 and b = 5, from 1 and from 8
// goroutines, against a fake enforcing exactly (R, b), and reports
// throughput/R, the fake's 429s and failed creates (0). The unpaced control
// sends 200 creates from 8 goroutines without WithRateLimit and without
// retries, to show that the fake enforces R.
func BenchmarkRateLimitedCreates(b *testing.B) {
	const r, n = 50, 200
	srv := waiqin365test.NewServer(waiqin365test.WithCredentials(wqOpenID, wqAppKey))
	b.Cleanup(srv.Close)
	for _, bc := range []struct {
		name           string
		burst, workers int
		paced          bool
	}{
		{"b=1/workers=1", 1, 1, true}, {"b=1/workers=8", 1, 8, true},
		{"b=5/workers=1", 5, 1, true}, {"b=5/workers=8", 5, 8, true},
		{"unpaced/b=1/workers=8", 1, 8, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var elapsed time.Duration
			rejected, created, failed := 0, 0, 0
			for b.Loop() {
				res := rateRun(b, srv, r, bc.burst, n, bc.workers, bc.paced)
				elapsed += res.elapsed
				rejected += res.rejected
				created += res.created
				failed += res.failed
			}
			b.ReportMetric(float64(rejected)/float64(b.N), "429s/op")
			b.ReportMetric(float64(failed)/float64(b.N), "failed/op")
			if !bc.paced {
				b.ReportMetric(float64(created)/float64(b.N), "created/op")
				return
			}
			// The ideal with a full bucket at the start: (n) / ((n-b)/R).
			throughput := float64(created) / elapsed.Seconds()
			b.ReportMetric(throughput/r, "throughput/R")
		})
	}
}
