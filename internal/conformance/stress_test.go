package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/fake"
)

// The stress: stressGoroutines goroutines share one client and make
// stressOps calls each (reads, creates and edits in turn), with random
// faults, and for token vendors the token revoked at the fake halfway.
const (
	stressGoroutines = 100
	stressOps        = 10
	stressRate       = 0.1
	stressSeed       = 7
	stressAttempts   = 5
)

// stressPool injects, on the business ops only (never on token requests,
// so the token requests can be counted exactly), faults a read or an edit
// must survive by retrying and a create must report as ErrAmbiguous.
func stressPool(ops ...string) []fake.Fault {
	var pool []fake.Fault
	for _, op := range ops {
		if op == "" {
			continue
		}
		pool = append(pool,
			tagged("503", fake.Fault{Op: op, Status: 503}),
			tagged("429", fake.Fault{Op: op, Status: 429, Header: http.Header{"Retry-After": {"1"}}}),
			fake.Fault{Op: op, Reset: true},
			tagged("503 after apply", fake.Fault{Op: op, Status: 503, AfterApply: true}),
		)
	}
	return pool
}

// TestConcurrentStress runs the stress on every vendor's client under the
// race detector (go test -race): no unexpected error, every successful
// create stored once, every record's last edit is what the fake holds,
// one token fetch on the cold cache and one after the revocation.
func TestConcurrentStress(t *testing.T) {
	t.Parallel()
	for _, a := range adapters {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			runStress(t, a)
		})
	}
}

type stressStats struct {
	vendor                                  string
	calls, reads, creates, edits            int
	requests, faults                        int
	ambiguous, ambApplied, unexpected       int
	tokenReqs                               int
	invalidated                             bool
	elapsed                                 time.Duration
	duplicates, lostCreates, staleEdits     int
	createOK, storedCreates, editsConfirmed int
}

func runStress(t *testing.T, a adapter) {
	start := time.Now()
	e := a.start(t)
	r := newRig()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl, err := e.newClient(e.url, clientVariant{}, r.options(core.WithMaxAttempts(stressAttempts))...)
	if err != nil {
		t.Fatal(err)
	}
	var editKeys []string
	if cl.edit != nil && e.seedEditable != nil {
		editKeys = e.seedEditable(t, cl, stressGoroutines)
	}
	readOp := a.readOp
	if a.readIsTokenFetch {
		readOp = "" // never fault token requests
	}
	editOp := ""
	if editKeys != nil {
		editOp = a.editOp
	}
	tokenCount := func() int {
		n := 0
		for _, op := range a.tokenOps {
			n += e.faults.Count(op)
		}
		return n
	}
	tok0, all0 := tokenCount(), e.faults.Count("")
	e.faults.SetRandom(stressRate, stressSeed, stressPool(readOp, a.createOp, editOp)...)

	st := stressStats{vendor: a.name}
	type result struct {
		kind      string
		key, want string
		err       error
	}
	results := make([][]result, stressGoroutines)
	var done atomic.Int64
	var once sync.Once
	half := int64(stressGoroutines * stressOps / 2)
	var wg sync.WaitGroup
	for g := range stressGoroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range stressOps {
				if done.Add(1) == half && e.invalidate != nil {
					once.Do(e.invalidate)
				}
				var res result
				switch k := (g + i) % 3; {
				case k == 1 && a.createOp != "":
					res = result{kind: "create", key: fmt.Sprintf("X-%s-%03d-%d", a.name, g, i)}
					res.err = cl.create(ctx, res.key)
				case k == 2 && editKeys != nil:
					res = result{kind: "edit", key: editKeys[g], want: fmt.Sprintf("v-%03d-%d", g, i)}
					res.err = cl.edit(ctx, res.key, res.want)
				default:
					res = result{kind: "read"}
					res.err = cl.read(ctx)
				}
				results[g] = append(results[g], res)
			}
		}()
	}
	wg.Wait()
	e.faults.SetRandom(0, 0)
	st.invalidated = e.invalidate != nil
	st.tokenReqs = tokenCount() - tok0
	st.requests = e.faults.Count("") - all0

	stored := e.stored()
	var errs []string
	problem := func(format string, args ...any) {
		st.unexpected++
		if st.unexpected <= 10 {
			t.Errorf(format, args...)
		}
	}
	for g, rs := range results {
		lastEdit := ""
		for _, res := range rs {
			st.calls++
			if res.err != nil {
				errs = append(errs, res.err.Error(), fmt.Sprintf("%+v", res.err))
			}
			switch res.kind {
			case "read":
				st.reads++
				if res.err != nil {
					problem("read: %v", res.err)
				}
			case "edit":
				st.edits++
				if res.err != nil {
					problem("edit %s: %v", res.key, res.err)
				} else {
					lastEdit = res.want
				}
			case "create":
				st.creates++
				n := stored[res.key]
				switch {
				case res.err == nil:
					st.createOK++
					if n != 1 {
						st.lostCreates++
						problem("create %s succeeded but stored %d times", res.key, n)
					}
				case errors.Is(res.err, core.ErrAmbiguous):
					st.ambiguous++
					st.ambApplied += n
				default:
					problem("create %s: %v", res.key, res.err)
				}
				if n > 1 {
					st.duplicates++
					problem("create %s stored %d times", res.key, n)
				}
				st.storedCreates += n
			}
		}
		if lastEdit != "" {
			if got := e.edited(editKeys[g]); got != lastEdit {
				st.staleEdits++
				problem("record %s holds %q, its last successful edit wrote %q", editKeys[g], got, lastEdit)
			} else {
				st.editsConfirmed++
			}
		}
	}
	if st.storedCreates != st.createOK+st.ambApplied {
		problem("fake holds %d created records, want %d successes + %d applied ambiguous", st.storedCreates, st.createOK, st.ambApplied)
	}
	if a.tokenOps != nil {
		// One fetch for 100 goroutines on a cold cache, one after the
		// revocation (single-flight, invalidate-if-equal).
		if st.tokenReqs != 2 {
			problem("token requests = %d, want 2 (cold cache + one after the revocation)", st.tokenReqs)
		}
	}
	for _, rec := range r.wire.records() {
		if rec.fault() != "" {
			st.faults++
		}
	}
	if st.faults == 0 {
		t.Errorf("no fault injected")
	}
	st.elapsed = time.Since(start)
	auditRun(t, e, cl, r, errs)
	stresses.Lock()
	stresses.stats = append(stresses.stats, st)
	stresses.Unlock()
}

var stresses struct {
	sync.Mutex
	stats []stressStats
}

func stressReport() string {
	stresses.Lock()
	defer stresses.Unlock()
	sort.Slice(stresses.stats, func(i, j int) bool { return stresses.stats[i].vendor < stresses.stats[j].vendor })
	var b strings.Builder
	b.WriteString("| vendor | calls (read/create/edit) | requests | faults | ErrAmbiguous (applied) | unexpected errors | token requests | duplicates | edits confirmed | time |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range stresses.stats {
		tok := "-"
		if s.invalidated {
			tok = fmt.Sprintf("%d (revoked mid-run)", s.tokenReqs)
		}
		fmt.Fprintf(&b, "| %s | %d (%d/%d/%d) | %d | %d | %d (%d) | %d | %s | %d | %d | %v |\n",
			s.vendor, s.calls, s.reads, s.creates, s.edits, s.requests, s.faults, s.ambiguous, s.ambApplied, s.unexpected, tok,
			s.duplicates, s.editsConfirmed, s.elapsed.Round(time.Millisecond))
	}
	return b.String()
}
