package redisstore

import (
	"context"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Values of a Deduper key.
const (
	runningPrefix = "running:" // + the holder's random id: being handled now
	doneValue     = "done"     // handled
)

// Deduper is a Deduper for callback handlers (WithDeduper in waiqin365,
// weiling and jing) shared by every process using the same Redis and
// prefix: an event already handled by any of them is acknowledged without
// calling the function again, a concurrent duplicate does not run it twice,
// and a failed run releases the event so that the vendor's redelivery runs
// it again.
//
// Claim sets a "running" marker (SET NX, expiring after the running TTL, so
// that a process that dies mid-run does not hold the event for ever);
// Release replaces it by "done" for ttl when the function succeeded, or
// deletes it (only if this holder still owns it) when it failed.
//
// While Redis is unreachable each process deduplicates in memory, as a
// single process would: an event handled during the outage may run again
// if another process receives its redelivery. No call waits for Redis past
// the command timeout.
//
// It is safe for concurrent use.
type Deduper struct {
	rdb        redis.UniversalClient
	prefix     string
	ttl        time.Duration
	runningTTL time.Duration
	now        func() time.Time
	h          *health

	mu        sync.Mutex
	held      map[string]claim // this process's claims, and what it handled without Redis
	nextSweep time.Time
}

type claim struct {
	owner   string
	done    bool // handled (only kept while Redis was unreachable)
	expires time.Time
}

// NewDeduper returns a Deduper keeping its keys under prefix in rdb (key
// prefix+k for the handler's key k, which already starts with the vendor,
// e.g. "weiling:"). A handled event is remembered for ttl (DefaultDedupeTTL
// when ttl <= 0): choose it longer than the vendor's redelivery window
// (waiqin365 redelivers daily for 10 days). Options: WithRunningTTL,
// WithLogger, WithCommandTimeout, WithProbeInterval.
func NewDeduper(rdb redis.UniversalClient, prefix string, ttl time.Duration, opts ...Option) *Deduper {
	if rdb == nil {
		panic("redisstore: NewDeduper: nil Redis client")
	}
	if ttl <= 0 {
		ttl = DefaultDedupeTTL
	}
	o := newOptions(opts)
	return &Deduper{
		rdb: rdb, prefix: prefix, ttl: ttl, runningTTL: min(o.runningTTL, ttl), now: o.now,
		h:    newHealth("deduper", "deduplicates in this process only", rdb, o),
		held: map[string]claim{},
	}
}

// claimScript: 0 = claimed (KEYS[1] set to ARGV[1] for ARGV[2] ms),
// 1 = done, 2 = running elsewhere.
var claimScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 0
end
if v == 'done' then return 1 end
return 2`)

// Claim answers ClaimNew when no process handled or holds key (the caller
// now holds it and must Release it), ClaimDone when it was handled, and
// ClaimBusy when it is being handled right now.
func (d *Deduper) Claim(ctx context.Context, key string) (ClaimState, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	owner := newOwner()
	now := d.now()
	d.mu.Lock()
	d.sweep(now)
	if c, ok := d.held[key]; ok && now.Before(c.expires) {
		d.mu.Unlock()
		if c.done {
			return ClaimDone, nil
		}
		return ClaimBusy, nil
	}
	// Held here from now on: a concurrent delivery in this process is busy
	// without asking Redis.
	d.held[key] = claim{owner: owner, expires: now.Add(d.runningTTL)}
	d.mu.Unlock()
	st, res, err := redisCall(ctx, d.h, func(ctx context.Context) (int64, error) {
		return claimScript.Run(ctx, d.rdb, []string{d.prefix + key}, runningPrefix+owner, d.runningTTL.Milliseconds()).Int64()
	})
	switch {
	case res == ctxDone:
		d.drop(key, owner)
		// The script may have run: release the marker in the background
		// rather than make redeliveries wait for its expiry.
		go d.forgetRedis(context.WithoutCancel(ctx), key, owner)
		return 0, err
	case res == inProcess:
		return ClaimNew, nil // deduplicated in this process only
	case st == 0:
		return ClaimNew, nil // held in Redis (and here, until Release)
	case st == 1:
		d.drop(key, owner)
		return ClaimDone, nil
	default:
		d.drop(key, owner)
		return ClaimBusy, nil
	}
}

// Release ends this process's claim on key: handled=true remembers key as
// done for ttl (in Redis, or in this process while Redis is unreachable);
// handled=false forgets it, so that a redelivery runs the function again.
// Redis failures are absorbed (the running marker then expires by itself)
// and reported through WithLogger.
func (d *Deduper) Release(ctx context.Context, key string, handled bool) error {
	d.mu.Lock()
	c, held := d.held[key]
	if held && !c.done {
		delete(d.held, key)
	} else {
		held = false
	}
	d.mu.Unlock()
	if !handled {
		// Also when the claim was taken in-process: a claim script that
		// timed out may have reached Redis.
		if held {
			d.forgetRedis(ctx, key, c.owner)
		}
		return nil
	}
	_, res, err := redisCall(ctx, d.h, func(ctx context.Context) (string, error) {
		return d.rdb.Set(ctx, d.prefix+key, doneValue, d.ttl).Result()
	})
	if res == answered {
		return nil
	}
	d.mu.Lock()
	d.held[key] = claim{done: true, expires: d.now().Add(d.ttl)}
	d.mu.Unlock()
	if res == ctxDone {
		return err
	}
	return nil
}

// forgetRedis deletes key's running marker if owner still holds it; a
// failure leaves it to expire after the running TTL.
func (d *Deduper) forgetRedis(ctx context.Context, key, owner string) {
	_, _, _ = redisCall(ctx, d.h, func(ctx context.Context) (int64, error) {
		return unlockIfOwner.Run(ctx, d.rdb, []string{d.prefix + key}, runningPrefix+owner).Int64()
	})
}

// drop forgets owner's in-process hold on key.
func (d *Deduper) drop(key, owner string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.held[key]; ok && c.owner == owner && !c.done {
		delete(d.held, key)
	}
}

// sweep drops expired entries, at most once per half running TTL. Called
// with d.mu held.
func (d *Deduper) sweep(now time.Time) {
	if now.Before(d.nextSweep) {
		return
	}
	for k, c := range d.held {
		if !now.Before(c.expires) {
			delete(d.held, k)
		}
	}
	d.nextSweep = now.Add(d.runningTTL / 2)
}
