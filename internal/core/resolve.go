package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// ResolveLookups is how many times Resolve reads an ambiguous create back
// by its key: at once, then after each backoff wait.
const ResolveLookups = 4

// ErrKeyTaken, returned (or wrapped) by a Resolve lookup, ends the lookups
// at once: the key is held by a record that is not the one the call sent,
// so reading again cannot tell more.
var ErrKeyTaken = errors.New("cluekit: the key is held by a record this call did not send")

// Resolve settles a create that failed with ErrAmbiguous by reading the
// record back by the natural key the caller chose. Any other error (and
// nil) is returned as it is, with no lookup. Otherwise lookup runs up to
// ResolveLookups times, waiting the client's backoff (Config.Sleep)
// between tries and never past ctx: it returns the record and true when
// it is the one the call created (the vendor-side rule that makes it so
// is the caller's), false when it is not visible (yet), or an error (a
// failed read, or ErrKeyTaken to stop). Resolve returns (record, true,
// nil) when found; else the original error, still matching ErrAmbiguous,
// with the last lookup error attached.
func Resolve[T any](ctx context.Context, c *Client, err error, lookup func(ctx context.Context) (T, bool, error)) (T, bool, error) {
	var zero T
	if err == nil || !errors.Is(err, ErrAmbiguous) {
		return zero, false, err
	}
	var last error
	n := 0
	for n < ResolveLookups && ctx.Err() == nil {
		if n > 0 {
			wait := c.Backoff(n, 0)
			if dl, ok := ctx.Deadline(); ok && !c.cfg.Now().Add(wait).Before(dl) {
				break
			}
			if c.cfg.Sleep(ctx, wait) != nil {
				break
			}
		}
		n++
		v, found, lerr := lookup(ctx)
		if lerr == nil && found {
			c.logResolve(ctx, err, n, true)
			return v, true, nil
		}
		last = lerr
		if errors.Is(lerr, ErrKeyTaken) {
			break
		}
	}
	c.logResolve(ctx, err, n, false)
	return zero, false, &unresolvedError{err: err, lookups: n, last: last}
}

// unresolvedError is an ambiguous create that reading back by its key did
// not settle. It matches what the create's error matches (ErrAmbiguous,
// its *APIError or *CallError) and the last lookup's error.
type unresolvedError struct {
	err     error // the create's own error
	lookups int
	last    error // the last lookup's error (nil: not found)
}

func (e *unresolvedError) Error() string {
	switch {
	case e.lookups == 0:
		return e.err.Error() + " (not read back: no time left)"
	case e.last == nil:
		return fmt.Sprintf("%v (not found by its key after %d lookups)", e.err, e.lookups)
	}
	return fmt.Sprintf("%v (not resolved after %d lookups: %v)", e.err, e.lookups, e.last)
}

func (e *unresolvedError) Unwrap() []error {
	if e.last == nil {
		return []error{e.err}
	}
	return []error{e.err, e.last}
}

func (c *Client) logResolve(ctx context.Context, err error, lookups int, resolved bool) {
	op := ""
	var api *APIError
	var ce *CallError
	switch {
	case errors.As(err, &api):
		op = api.Op
	case errors.As(err, &ce):
		op = ce.Op
	}
	c.cfg.Logger.LogAttrs(ctx, slog.LevelDebug, "cluekit: ambiguous create read back",
		slog.String("vendor", c.vendor.Name), slog.String("op", op), slog.Int("lookups", lookups), slog.Bool("resolved", resolved))
}
