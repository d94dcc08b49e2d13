package webhook

import (
	"context"
	"sync"
	"time"

	"github.com/cluekit/cluekit/internal/core"
)

// DefaultDedupeTTL is how long a MemoryDeduper remembers a key when given
// ttl <= 0.
const DefaultDedupeTTL = 24 * time.Hour

// MemoryDeduper is a core.Deduper for one process: it remembers keys in
// memory, each for ttl after it was claimed (while running) or handled (once
// done); expired keys are forgotten. Choose ttl longer than the vendor's
// redelivery window (waiqin365 redelivers daily for 10 days). Processes that
// share a vendor's deliveries need a shared Deduper (e.g. Redis) instead.
// It is safe for concurrent use.
type MemoryDeduper struct {
	ttl time.Duration
	now func() time.Time

	mu        sync.Mutex
	keys      map[string]dedupeEntry
	nextSweep time.Time
}

type dedupeEntry struct {
	done    bool      // handled (else: being handled)
	expires time.Time // forgotten from then on
}

// NewMemoryDeduper returns an empty MemoryDeduper remembering keys for ttl
// (DefaultDedupeTTL when ttl <= 0), on the clock now (time.Now when nil).
func NewMemoryDeduper(ttl time.Duration, now func() time.Time) *MemoryDeduper {
	if ttl <= 0 {
		ttl = DefaultDedupeTTL
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryDeduper{ttl: ttl, now: now, keys: map[string]dedupeEntry{}}
}

// Claim implements core.Deduper: ClaimDone for a handled key, ClaimBusy for
// one being handled, otherwise it holds key and answers ClaimNew. A hold
// that is never released expires after ttl.
func (d *MemoryDeduper) Claim(_ context.Context, key string) (core.ClaimState, error) {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sweep(now)
	if e, ok := d.keys[key]; ok && now.Before(e.expires) {
		if e.done {
			return core.ClaimDone, nil
		}
		return core.ClaimBusy, nil
	}
	d.keys[key] = dedupeEntry{expires: now.Add(d.ttl)}
	return core.ClaimNew, nil
}

// Release implements core.Deduper: handled keeps key as done for ttl from
// now; otherwise key is forgotten, so that a redelivery runs the function.
func (d *MemoryDeduper) Release(_ context.Context, key string, handled bool) error {
	now := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	if handled {
		d.keys[key] = dedupeEntry{done: true, expires: now.Add(d.ttl)}
	} else {
		delete(d.keys, key)
	}
	return nil
}

// Len returns how many keys are remembered (expired ones not yet swept
// included).
func (d *MemoryDeduper) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.keys)
}

// sweep drops expired keys, at most once per half ttl, so the map stays
// bounded by the deliveries of about 1.5 ttl at an amortised O(1) per claim.
func (d *MemoryDeduper) sweep(now time.Time) {
	if now.Before(d.nextSweep) {
		return
	}
	for k, e := range d.keys {
		if !now.Before(e.expires) {
			delete(d.keys, k)
		}
	}
	d.nextSweep = now.Add(d.ttl / 2)
}

var _ core.Deduper = (*MemoryDeduper)(nil)
