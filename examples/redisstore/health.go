package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// errNoAnswer is the failure of a Redis command that did not answer within
// the command timeout.
var errNoAnswer = errors.New("redisstore: no answer from Redis")

// maxInFlight is how many Redis commands one piece runs at once. A burst
// of callers (a hundred goroutines asking for the token of a cold process)
// queues here, on its own contexts, rather than in the go-redis pool, where
// the wait for a connection would count against the command timeout and a
// busy process would take itself for one whose Redis is down.
const maxInFlight = 8

// health tracks whether one piece (token store, limiter, deduper) can use
// Redis. After a failure the piece works in-process and no caller waits for
// Redis: a background PING, at most one per probe interval and only while
// the piece is being used, finds out when Redis is back. The start and the
// end of each outage are logged once: an answer to a command sent before
// the outage was noticed does not end it, and a failure of a command sent
// before Redis was back does not start another.
type health struct {
	piece    string // "token store", "limiter", "deduper"
	fallback string // what the piece does meanwhile, for the log
	rdb      redis.UniversalClient
	logger   *slog.Logger
	timeout  time.Duration
	probe    time.Duration
	slots    chan struct{} // maxInFlight commands at once

	mu        sync.Mutex
	down      bool
	since     time.Time // start of the outage (while down) or end of the last one
	nextProbe time.Time // while down: when the next PING may go
	probing   bool      // a PING is under way
}

func newHealth(piece, fallback string, rdb redis.UniversalClient, o options) *health {
	return &health{piece: piece, fallback: fallback, rdb: rdb, logger: o.logger, timeout: o.timeout, probe: o.probe,
		slots: make(chan struct{}, maxInFlight)}
}

// outcome is how a redisCall ended.
type outcome int

const (
	answered  outcome = iota // Redis answered: err is nil or redis.Nil
	inProcess                // Redis is unreachable: do it in-process
	ctxDone                  // the caller's context ended: return err
)

// redisCall runs one command of piece h: nothing while Redis is known to be
// unreachable; otherwise it waits for one of h's slots, then runs fn within
// the command timeout and within ctx, whatever the go-redis client's own
// timeouts (a client without ContextTimeoutEnabled would wait its
// ReadTimeout, 3 s by default, on a Redis that stopped answering). A
// command still running when redisCall returns finishes or times out in
// the background. Any error but redis.Nil counts as Redis being
// unreachable.
func redisCall[T any](ctx context.Context, h *health, fn func(context.Context) (T, error)) (T, outcome, error) {
	var zero T
	if !h.useRedis() {
		return zero, inProcess, nil
	}
	select {
	case h.slots <- struct{}{}:
	case <-ctx.Done():
		return zero, ctxDone, ctx.Err()
	}
	defer func() { <-h.slots }()
	if !h.useRedis() { // it went down while this call waited
		return zero, inProcess, nil
	}
	start := time.Now()
	v, err := call(ctx, h.timeout, fn)
	switch {
	case err == nil || errors.Is(err, redis.Nil):
		h.ok(ctx, start)
		return v, answered, err
	case ctx.Err() != nil:
		return zero, ctxDone, ctx.Err()
	default:
		h.fail(ctx, start, err)
		return zero, inProcess, nil
	}
}

// useRedis reports whether a call should use Redis. While Redis is down it
// answers false and, once per probe interval, starts a PING in the
// background.
func (h *health) useRedis() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.down {
		return true
	}
	if now := time.Now(); !h.probing && !now.Before(h.nextProbe) {
		h.probing, h.nextProbe = true, now.Add(h.probe)
		go h.ping()
	}
	return false
}

func (h *health) ping() {
	ctx := context.Background()
	start := time.Now()
	_, err := call(ctx, h.timeout, func(ctx context.Context) (string, error) { return h.rdb.Ping(ctx).Result() })
	h.mu.Lock()
	h.probing = false
	h.mu.Unlock()
	if err == nil {
		h.ok(ctx, start)
	}
}

// degraded reports whether the piece is working in-process now.
func (h *health) degraded() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.down
}

// fail records the failure of a command sent at start; the first of an
// outage is logged.
func (h *health) fail(ctx context.Context, start time.Time, err error) {
	h.mu.Lock()
	if h.down || start.Before(h.since) {
		h.mu.Unlock()
		return
	}
	now := time.Now()
	h.down, h.since, h.nextProbe = true, now, now.Add(h.probe)
	h.mu.Unlock()
	h.logger.LogAttrs(ctx, slog.LevelWarn, "redisstore: Redis unreachable; the "+h.piece+" "+h.fallback+" until it is back",
		slog.String("piece", h.piece), slog.String("error", err.Error()))
}

// ok records the answer to a command sent at start; the first that was
// sent during an outage ends it, and is logged.
func (h *health) ok(ctx context.Context, start time.Time) {
	h.mu.Lock()
	if !h.down || start.Before(h.since) {
		h.mu.Unlock()
		return
	}
	now := time.Now()
	outage := now.Sub(h.since)
	h.down, h.since = false, now
	h.mu.Unlock()
	h.logger.LogAttrs(ctx, slog.LevelInfo, "redisstore: Redis reachable again; the "+h.piece+" is shared again",
		slog.String("piece", h.piece), slog.Duration("outage", outage))
}

// call runs fn within timeout and within ctx (see redisCall).
func call[T any](ctx context.Context, timeout time.Duration, fn func(context.Context) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ch := make(chan result, 1)
	go func() {
		v, err := fn(cctx)
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-cctx.Done():
		var zero T
		if err := ctx.Err(); err != nil {
			return zero, err
		}
		return zero, fmt.Errorf("%w within %v", errNoAnswer, timeout)
	}
}

// newOwner returns a random value identifying one lock or claim holder.
func newOwner() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
