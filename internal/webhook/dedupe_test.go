package webhook

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cluekit/cluekit/internal/core"
)

// manualClock is moved by the test only.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestMemoryDeduper(t *testing.T) {
	t.Parallel()
	type step struct {
		op      string // "claim", "done", "fail", "wait"
		key     string
		wait    time.Duration
		want    core.ClaimState
		wantLen int // checked when >= 0 after the step
	}
	const ttl = time.Hour
	tests := []struct {
		name  string
		steps []step
	}{
		{"new, busy, done", []step{
			{op: "claim", key: "a", want: core.ClaimNew, wantLen: 1},
			{op: "claim", key: "a", want: core.ClaimBusy, wantLen: 1},
			{op: "claim", key: "b", want: core.ClaimNew, wantLen: 2},
			{op: "done", key: "a", wantLen: 2},
			{op: "claim", key: "a", want: core.ClaimDone, wantLen: 2},
		}},
		{"failed run forgotten", []step{
			{op: "claim", key: "a", want: core.ClaimNew, wantLen: 1},
			{op: "fail", key: "a", wantLen: 0},
			{op: "claim", key: "a", want: core.ClaimNew, wantLen: 1},
		}},
		{"done expires after ttl from handling", []step{
			{op: "claim", key: "a", want: core.ClaimNew, wantLen: -1},
			{op: "wait", wait: 30 * time.Minute, wantLen: -1},
			{op: "done", key: "a", wantLen: -1},
			{op: "wait", wait: ttl - time.Nanosecond, wantLen: -1},
			{op: "claim", key: "a", want: core.ClaimDone, wantLen: -1},
			{op: "wait", wait: time.Nanosecond, wantLen: -1},
			{op: "claim", key: "a", want: core.ClaimNew, wantLen: 1},
		}},
		{"an unreleased hold expires", []step{
			{op: "claim", key: "a", want: core.ClaimNew, wantLen: -1},
			{op: "wait", wait: ttl, wantLen: -1},
			{op: "claim", key: "a", want: core.ClaimNew, wantLen: 1},
		}},
		{"expired keys swept", []step{
			{op: "claim", key: "a", want: core.ClaimNew, wantLen: 1},
			{op: "done", key: "a", wantLen: 1},
			{op: "claim", key: "b", want: core.ClaimNew, wantLen: 2},
			{op: "wait", wait: 2 * ttl, wantLen: 2},
			{op: "claim", key: "c", want: core.ClaimNew, wantLen: 1},
		}},
		{"release of an unknown key", []step{
			{op: "fail", key: "x", wantLen: 0},
			{op: "done", key: "y", wantLen: 1},
			{op: "claim", key: "y", want: core.ClaimDone, wantLen: 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := &manualClock{t: time.Date(2025, 4, 3, 10, 0, 0, 0, time.UTC)}
			d := NewMemoryDeduper(ttl, clk.now)
			ctx := context.Background()
			for i, s := range tt.steps {
				switch s.op {
				case "claim":
					got, err := d.Claim(ctx, s.key)
					if err != nil || got != s.want {
						t.Fatalf("step %d: Claim(%s) = %v, %v; want %v", i, s.key, got, err, s.want)
					}
				case "done", "fail":
					if err := d.Release(ctx, s.key, s.op == "done"); err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				case "wait":
					clk.advance(s.wait)
				}
				if s.wantLen >= 0 && d.Len() != s.wantLen {
					t.Fatalf("step %d: Len = %d, want %d", i, d.Len(), s.wantLen)
				}
			}
		})
	}
}

func TestMemoryDeduperDefaults(t *testing.T) {
	t.Parallel()
	d := NewMemoryDeduper(0, nil)
	if d.ttl != DefaultDedupeTTL || d.now == nil {
		t.Fatalf("ttl %v", d.ttl)
	}
	if st, _ := d.Claim(context.Background(), "k"); st != core.ClaimNew {
		t.Fatal(st)
	}
}

// Concurrent claims of one key: exactly one wins (run with -race).
func TestMemoryDeduperConcurrent(t *testing.T) {
	t.Parallel()
	d := NewMemoryDeduper(time.Hour, nil)
	ctx := context.Background()
	const n = 50
	var wg sync.WaitGroup
	results := make(chan core.ClaimState, n*4)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, _ := d.Claim(ctx, "shared")
			results <- st
			if st == core.ClaimNew {
				_ = d.Release(ctx, "shared", true)
			}
			key := fmt.Sprint("own", i)
			if st, _ := d.Claim(ctx, key); st != core.ClaimNew {
				t.Errorf("own key: %v", st)
			}
			_ = d.Release(ctx, key, i%2 == 0)
		}()
	}
	wg.Wait()
	close(results)
	wins := 0
	for st := range results {
		if st == core.ClaimNew {
			wins++
		}
	}
	if wins != 1 {
		t.Fatalf("%d claims won, want 1", wins)
	}
	if d.Len() != 1+n/2 {
		t.Fatalf("Len = %d, want %d", d.Len(), 1+n/2)
	}
}
