package perf

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

// Iterator memory: waiqin365 AllSalesLeads walks 10k and 100k leads in
// pages of DefaultPageSize (1 000). The fake runs in a child process (this
// test binary re-executed, see TestMain) so that the heap measured is the
// SDK's alone, not the fake's 100k stored leads or its per-page garbage.

// childEnv names the number of leads the child fake holds.
const childEnv = "CLUEKIT_PERF_FAKE_LEADS"

func TestMain(m *testing.M) {
	if v := os.Getenv(childEnv); v != "" {
		os.Exit(runFakeChild(v))
	}
	os.Exit(m.Run())
}

// seedLead is the lead the child stores n times (fields as a sales team
// fills them; the fake answers ~1 KB of JSON per lead).
func seedLead(i int) waiqin365test.Lead {
	return waiqin365test.Lead{
		Code: fmt.Sprintf("PERF%08d", i), Name: "苏果超市夫子庙社区店", OwnerName: "张三", PoolName: "华东线索池",
		SourceType: "官网", MarketName: "2025春季展会", Linkman: "李四", MobileCountry: "86",
		Mobile: fmt.Sprintf("188%08d", i), Tel: "025-88888888", CustomerClassification: "重点客户",
		Position: "采购经理", Detail: "客户对新品感兴趣，约下周拜访。", Province: "江苏省", City: "南京市",
		Area: "秦淮区", Street: "夫子庙街道", MarkAddr: "南京市秦淮区贡院街1号", Email: "lisi@example.com",
		Website: "https://example.com", Exts: map[string]string{"行业": "零售", "规模": "50-100人"},
	}
}

// runFakeChild serves a waiqin365 fake holding n leads on loopback, prints
// its URL on stdout and exits when stdin closes (the parent is done or
// died) or after 10 minutes.
func runFakeChild(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1_000_000 {
		fmt.Fprintln(os.Stderr, "bad", childEnv, v)
		return 2
	}
	srv := waiqin365test.NewServer(waiqin365test.WithCredentials(wqOpenID, wqAppKey))
	defer srv.Close()
	const chunk = 10_000
	for i := 0; i < n; i += chunk {
		leads := make([]waiqin365test.Lead, 0, chunk)
		for k := i; k < min(i+chunk, n); k++ {
			leads = append(leads, seedLead(k))
		}
		if _, err := srv.SeedLeads(leads...); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	fmt.Println(srv.URL)
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
	}
	return 0
}

// childFake starts the child fake with n leads and returns its URL.
func childFake(tb testing.TB, n int) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	must(tb, err)
	stdout, err := cmd.StdoutPipe()
	must(tb, err)
	must(tb, cmd.Start())
	tb.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		tb.Fatalf("child fake: %v", err)
	}
	return strings.TrimSpace(line)
}

// heapSampler records the high-water mark of heap memory in live and
// not-yet-swept objects (runtime/metrics /memory/classes/heap/objects,
// the same as MemStats.HeapAlloc) from a goroutine sampling every 200 µs
// and from Sample calls.
type heapSampler struct {
	peak atomic.Uint64
	stop chan struct{}
	wg   sync.WaitGroup
	s    []metrics.Sample
	mu   sync.Mutex
}

func startHeapSampler() *heapSampler {
	h := &heapSampler{stop: make(chan struct{}), s: []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}}
	h.Sample()
	h.wg.Go(func() {
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				h.Sample()
			}
		}
	})
	return h
}

// Sample reads the heap now.
func (h *heapSampler) Sample() {
	h.mu.Lock()
	metrics.Read(h.s)
	v := h.s[0].Value.Uint64()
	h.mu.Unlock()
	for {
		p := h.peak.Load()
		if v <= p || h.peak.CompareAndSwap(p, v) {
			return
		}
	}
}

// Stop ends sampling and returns the peak.
func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	h.wg.Wait()
	h.Sample()
	return h.peak.Load()
}

// iterate walks every lead of the child fake and returns the rows seen and
// the peak heap above the heap in use before the walk (after a GC).
func iterate(tb testing.TB, c *waiqin365.Client) (rows int, peakAbove uint64) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	h := startHeapSampler()
	var last waiqin365.SalesLead
	for l, err := range c.AllSalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{EmpName: "张三"}) {
		if err != nil {
			tb.Fatal(err)
		}
		last = l // keep only the current row, as a streaming consumer does
		rows++
		if rows%256 == 0 {
			h.Sample()
		}
	}
	peak := h.Stop()
	_ = last
	if peak > base.HeapAlloc {
		peakAbove = peak - base.HeapAlloc
	}
	return rows, peakAbove
}

// BenchmarkIteratorHeap reports the peak heap (MB above the heap before the
// walk) while AllSalesLeads walks 10k and 100k leads in pages of 1 000;
// the two should be about equal (bounded by the page size, not the total).
// The ratio total-MB/peak-MB compares it with the JSON received.
func BenchmarkIteratorHeap(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("leads=%d", n), func(b *testing.B) {
			url := childFake(b, n)
			c, err := waiqin365.New(wqOpenID, wqAppKey, waiqin365.WithBaseURL(url))
			must(b, err)
			var peak uint64
			for b.Loop() {
				rows, p := iterate(b, c)
				if rows != n {
					b.Fatalf("iterated %d leads, want %d", rows, n)
				}
				peak = max(peak, p)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(n), "leads")
		})
	}
}
