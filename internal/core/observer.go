package core

import (
	"context"
	"time"
)

// Observer is a set of optional callbacks the SDK calls at fixed points, like
// httptrace.ClientTrace: around each logical call, after each attempt, after
// each token request, and after each callback delivery. Any field may be nil.
// The infos never carry a secret (no key, token, signature or digest), so an
// Observer may log or export them as they are.
//
// Callbacks run on the caller's goroutine, synchronously: keep them fast.
// Several observers compose (WithObserver may be given more than once); they
// are called in the order given.
type Observer struct {
	// CallStart is called once per logical call, before anything is sent.
	// The context it returns is the one the call carries on with (and the
	// one later callbacks of this call receive), e.g. holding a span.
	CallStart func(ctx context.Context, info CallInfo) context.Context
	// Attempt is called after each HTTP attempt, with its outcome and the
	// retry decision.
	Attempt func(ctx context.Context, info AttemptInfo)
	// CallEnd is called once per logical call, with its final error (nil on
	// success).
	CallEnd func(ctx context.Context, info CallInfo, err error)
	// Token is called after each token request (fetch or refresh).
	Token func(ctx context.Context, info TokenInfo)
	// Callback is called after each callback delivery a handler processed,
	// with the error that made it refuse the delivery (nil when acknowledged).
	Callback func(ctx context.Context, info CallbackInfo, err error)
}

// CallInfo describes one logical call (all its attempts).
type CallInfo struct {
	Vendor string // package name, e.g. "wshoto"
	Op     string // the vendor operation, e.g. "clue/page"
	Method string // HTTP method
	Create bool   // the call creates something (not retried once ambiguous)
	// Filled for CallEnd:
	Attempts  int           // attempts made
	RequestID string        // the vendor's request id of the last answer, if any
	Duration  time.Duration // from CallStart to CallEnd
}

// AttemptInfo describes one HTTP attempt.
type AttemptInfo struct {
	Vendor     string
	Op         string
	Method     string
	Attempt    int           // 1-based
	HTTPStatus int           // 0 when no answer arrived
	Code       string        // the vendor's business code ("" if none)
	RequestID  string        // the vendor's request id, if any
	Duration   time.Duration // time spent on this attempt (send + read)
	Err        error         // this attempt's failure (nil on success); secret-free
	Retry      bool          // another attempt follows
	RetryWait  time.Duration // how long the SDK waits before it (when Retry)
	// RetryReason says why it retries: "transport", "status", "rate_limited",
	// "busy" ("" when it does not).
	RetryReason string
}

// TokenInfo describes one token request.
type TokenInfo struct {
	Vendor   string
	Refresh  bool // a refresh-token exchange rather than a fresh grant
	Duration time.Duration
	Err      error // nil on success; secret-free
}

// CallbackInfo describes one callback delivery received by a handler.
type CallbackInfo struct {
	Vendor     string
	Event      string // the event type when it could be read ("" otherwise)
	Duplicate  bool   // acknowledged without calling the function (already handled)
	HTTPStatus int    // the status the handler answered
	Duration   time.Duration
}

// Observers is a list of observers called in order.
type Observers []Observer

// CallStart calls every CallStart in order, threading the context.
func (os Observers) CallStart(ctx context.Context, info CallInfo) context.Context {
	for _, o := range os {
		if o.CallStart != nil {
			if c := o.CallStart(ctx, info); c != nil {
				ctx = c
			}
		}
	}
	return ctx
}

// Attempt calls every Attempt callback.
func (os Observers) Attempt(ctx context.Context, info AttemptInfo) {
	for _, o := range os {
		if o.Attempt != nil {
			o.Attempt(ctx, info)
		}
	}
}

// CallEnd calls every CallEnd callback.
func (os Observers) CallEnd(ctx context.Context, info CallInfo, err error) {
	for _, o := range os {
		if o.CallEnd != nil {
			o.CallEnd(ctx, info, err)
		}
	}
}

// Token calls every Token callback.
func (os Observers) Token(ctx context.Context, info TokenInfo) {
	for _, o := range os {
		if o.Token != nil {
			o.Token(ctx, info)
		}
	}
}

// Callback calls every Callback callback.
func (os Observers) Callback(ctx context.Context, info CallbackInfo, err error) {
	for _, o := range os {
		if o.Callback != nil {
			o.Callback(ctx, info, err)
		}
	}
}

// Limiter paces requests. *rate.Limiter satisfies it; a shared limiter (for
// example one backed by Redis) lets several processes stay within one vendor
// quota together. Wait blocks until a request may be sent or ctx ends.
type Limiter interface {
	Wait(ctx context.Context) error
}

// Deduper remembers which callback deliveries were handled, so that a
// redelivered event is acknowledged without running the user's function
// again, by any process sharing it.
//
// Claim is called before the function runs. It answers ClaimNew when no one
// handled or holds key (the caller now holds it), ClaimDone when it was
// handled already (the delivery is acknowledged), ClaimBusy when another
// delivery is running it right now (the handler answers non-2xx so that the
// vendor delivers again later). Release is called after the function ran:
// handled=true keeps key as done; handled=false forgets it, so that the
// vendor's redelivery runs the function again.
type Deduper interface {
	Claim(ctx context.Context, key string) (ClaimState, error)
	Release(ctx context.Context, key string, handled bool) error
}

// ClaimState is the answer of Deduper.Claim.
type ClaimState int

// Claim states.
const (
	ClaimNew  ClaimState = iota // not seen: run the function
	ClaimDone                   // handled before: acknowledge without running
	ClaimBusy                   // being handled elsewhere now: ask for redelivery
)
