package conformance

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/fake"
)

// The soak: soakCreates sequential creates per vendor with a fraction
// soakRate of requests faulted, reproducibly from soakSeed. The fakes of
// vendors whose creates are read back by a natural key answer their reads
// soakReadLag requests behind their writes, so that reading back takes
// several lookups.
const (
	soakCreates = 1000
	soakRate    = 0.2
	soakSeed    = 20260523
	soakReadLag = 2
)

// naturalKeys names, per vendor, the natural key by which its soak create
// reads an ambiguous create back: there, a create
// applied by the vendor must never end as ErrAmbiguous. The other vendors'
// creates have none (weiling, jing: see their godoc; v3clue: Do).
var naturalKeys = map[string]string{"waiqin365": "lead code", "wshoto": "pool name"}

// resolutions records the soak's creates that were resolved (their answer
// lost, the record read back by its key). The soak puts one in the context
// of its creates; a vendor adapter that finds it calls the typed, resolving
// create and notes each resolution, and without it sends the create raw
// (the matrix and the stress run check the transport's table).
type resolutions struct {
	mu   sync.Mutex
	keys map[string]bool
}

type resolutionsKey struct{}

// resolvingCreate returns the soak's record of resolutions, or nil outside
// the soak.
func resolvingCreate(ctx context.Context) *resolutions {
	r, _ := ctx.Value(resolutionsKey{}).(*resolutions)
	return r
}

func (r *resolutions) note(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.keys[key] = true
}

func (r *resolutions) has(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.keys[key]
}

// soakPool mixes faults before the create took effect (503, reset, 429)
// with faults after it (reset, 503, malformed body).
func soakPool(op string) []fake.Fault {
	ra := http.Header{"Retry-After": {"1"}}
	return []fake.Fault{
		tagged("pre 503", fake.Fault{Op: op, Status: 503}),
		{Op: op, Reset: true},
		tagged("pre 429", fake.Fault{Op: op, Status: 429, Header: ra}),
		{Op: op, Reset: true, AfterApply: true},
		tagged("post 503", fake.Fault{Op: op, Status: 503, AfterApply: true}),
		tagged("post malformed", fake.Fault{Op: op, Body: malformed, AfterApply: true}),
	}
}

// TestSoak checks, for every vendor with a create, that under random
// faults no create is stored twice, every success is stored exactly once,
// every non-ambiguous error is not stored, and every ErrAmbiguous follows
// a fault that hit a request the fake had received (its outcome unknown to
// the client). For a create with a natural key (naturalKeys) a success
// after such a fault must be a resolution (read back by the key), and no
// create the vendor applied may end as ErrAmbiguous: what is left
// ambiguous is only what was not applied (the read-back cannot tell "not
// applied" from "not visible yet").
func TestSoak(t *testing.T) {
	t.Parallel()
	for _, a := range adapters {
		if a.createOp == "" {
			continue
		}
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			runSoak(t, a)
		})
	}
}

// soakStats is the tally of one vendor's soak.
type soakStats struct {
	vendor                         string
	naturalKey                     string
	creates, requests, faults      int
	byFault                        map[string]int
	ok, resolved                   int
	ambiguous, ambApplied          int // unresolved: ErrAmbiguous at the end
	rateLimited, otherErrs         int
	stored, duplicates, mismatches int
	retried429, maxAttempts        int
	elapsed                        time.Duration
	logLines                       int
}

func runSoak(t *testing.T, a adapter) {
	start := time.Now()
	e := a.start(t)
	r := newRig()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res := &resolutions{keys: map[string]bool{}}
	ctx = context.WithValue(ctx, resolutionsKey{}, res)
	cl, err := e.newClient(e.url, clientVariant{}, r.options()...)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.warm(ctx); err != nil {
		t.Fatal(err)
	}
	op := a.createOp
	e.faults.SetRandom(soakRate, soakSeed^nameHash(a.name), soakPool(op)...)

	st := soakStats{vendor: a.name, naturalKey: naturalKeys[a.name], creates: soakCreates, byFault: map[string]int{}}
	type outcome struct {
		key      string
		err      error
		attempts int
		recs     []wireRec
	}
	outs := make([]outcome, 0, soakCreates)
	var errs []string
	for i := range soakCreates {
		key := fmt.Sprintf("S-%s-%04d", a.name, i)
		before, w0 := e.faults.Count(op), r.wire.len()
		err := cl.create(ctx, key)
		var recs []wireRec // the create's own attempts (not the reads that resolve it)
		for _, rec := range r.wire.since(w0) {
			if strings.Contains(rec.URL.Path, "/"+op) {
				recs = append(recs, rec)
			}
		}
		outs = append(outs, outcome{key: key, err: err, attempts: e.faults.Count(op) - before, recs: recs})
		if err != nil {
			errs = append(errs, err.Error(), fmt.Sprintf("%+v", err))
		}
	}
	e.faults.SetRandom(0, 0)
	stored := e.stored()

	mismatch := func(format string, args ...any) {
		st.mismatches++
		if st.mismatches <= 10 {
			t.Errorf(format, args...)
		}
	}
	for _, o := range outs {
		n := stored[o.key]
		st.requests += o.attempts
		st.maxAttempts = max(st.maxAttempts, o.attempts)
		if n > 1 {
			st.duplicates++
			mismatch("%s stored %d times", o.key, n)
		}
		if o.attempts != len(o.recs) {
			mismatch("%s: %d requests at the fake, %d attempts on the wire (a hidden retry)", o.key, o.attempts, len(o.recs))
			continue
		}
		if len(o.recs) == 0 {
			mismatch("%s: no request sent (err %v)", o.key, o.err)
			continue
		}
		for _, rec := range o.recs {
			if f := rec.fault(); f != "" {
				st.faults++
				st.byFault[f]++
			}
		}
		// Every attempt but the last must be one the table retries for a
		// create: a 429 (or a failure before the request was written).
		for _, rec := range o.recs[:len(o.recs)-1] {
			if f := rec.fault(); f != "pre 429" {
				mismatch("%s: retried after %q (the create may have been applied)", o.key, f)
			} else {
				st.retried429++
			}
		}
		last := o.recs[len(o.recs)-1]
		f := last.fault()
		resolved := res.has(o.key)
		switch {
		case o.err == nil && resolved:
			st.ok++
			st.resolved++
			if st.naturalKey == "" {
				mismatch("%s: resolved, but the vendor's create has no natural key", o.key)
			}
			if f != "transport error" && f != "post 503" && f != "post malformed" {
				mismatch("%s: resolved after %q (only a lost answer is resolved)", o.key, f)
			}
			if n != 1 {
				mismatch("%s: resolved but stored %d times", o.key, n)
			}
		case o.err == nil:
			st.ok++
			if f != "" {
				mismatch("%s: success reported after %q", o.key, f)
			}
			if n != 1 {
				mismatch("%s: success reported but stored %d times", o.key, n)
			}
		case errors.Is(o.err, core.ErrAmbiguous):
			st.ambiguous++
			if n == 1 {
				st.ambApplied++
				if st.naturalKey != "" {
					mismatch("%s: applied but left ambiguous (not read back by its %s): %v", o.key, st.naturalKey, o.err)
				}
			}
			// The outcome was really unknown: the last request reached the
			// fake (counted there) and got no definitive answer.
			switch f {
			case "transport error":
				var ce *core.CallError
				if !errors.As(o.err, &ce) {
					mismatch("%s: reset reported as %v", o.key, o.err)
				}
			case "pre 503", "post 503":
				var api *core.APIError
				if !errors.As(o.err, &api) || api.HTTPStatus != 503 {
					mismatch("%s: 503 reported as %v", o.key, o.err)
				}
				if want := map[string]int{"pre 503": 0, "post 503": 1}[f]; n != want {
					mismatch("%s: %s but stored %d", o.key, f, n)
				}
			case "post malformed":
				if !errors.Is(o.err, core.ErrBadResponse) || n != 1 {
					mismatch("%s: malformed answer after apply reported as %v, stored %d", o.key, o.err, n)
				}
			default:
				mismatch("%s: ErrAmbiguous (%v) after a definitive answer (%q)", o.key, o.err, f)
			}
		default:
			if errors.Is(o.err, core.ErrRateLimited) && f == "pre 429" {
				st.rateLimited++
			} else {
				st.otherErrs++
				mismatch("%s: unexpected error %v after %q", o.key, o.err, f)
			}
			if n != 0 {
				mismatch("%s: non-ambiguous error %v but stored %d", o.key, o.err, n)
			}
		}
	}
	total := 0
	for k, n := range stored {
		if strings.HasPrefix(k, "S-") {
			total += n
		}
	}
	st.stored = total
	if total != st.ok+st.ambApplied {
		mismatch("fake holds %d soak records, want %d successes + %d applied ambiguous", total, st.ok, st.ambApplied)
	}
	if st.faults < soakCreates/10 {
		t.Errorf("only %d faults injected", st.faults)
	}
	if st.naturalKey != "" && st.resolved == 0 {
		t.Errorf("no create was resolved by its %s", st.naturalKey)
	}
	st.elapsed = time.Since(start)
	st.logLines = strings.Count(r.logs.String(), "\n")
	auditRun(t, e, cl, r, errs)
	soaks.Lock()
	soaks.stats = append(soaks.stats, st)
	soaks.Unlock()
}

var soaks struct {
	sync.Mutex
	stats []soakStats
}

func soakReport() string {
	soaks.Lock()
	defer soaks.Unlock()
	sort.Slice(soaks.stats, func(i, j int) bool { return soaks.stats[i].vendor < soaks.stats[j].vendor })
	var b strings.Builder
	b.WriteString("| vendor | natural key | creates | create requests | faults injected | ok (resolved) | unresolved ErrAmbiguous (applied / not) | ErrRateLimited | stored | duplicates | mismatches | time |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range soaks.stats {
		keys := make([]string, 0, len(s.byFault))
		for k := range s.byFault {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %d", k, s.byFault[k]))
		}
		key := s.naturalKey
		if key == "" {
			key = "none"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d (%s) | %d (%d) | %d (%d / %d) | %d | %d | %d | %d | %v |\n",
			s.vendor, key, s.creates, s.requests, s.faults, strings.Join(parts, ", "), s.ok, s.resolved, s.ambiguous, s.ambApplied,
			s.ambiguous-s.ambApplied, s.rateLimited, s.stored, s.duplicates, s.mismatches, s.elapsed.Round(time.Millisecond))
	}
	return b.String()
}

func nameHash(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}
