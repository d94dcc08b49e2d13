package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cluekit/cluekit/internal/core"
)

// Errors a Handler reports to observers (and that Spec.Open may return).
var (
	// ErrUnauthenticated is what Spec.Open returns (wrapped or joined) when a
	// delivery fails verification: a bad or missing signature, digest or
	// shared secret, or an event addressed to another app or tenant. The
	// Handler answers Spec.AuthStatus. core.ErrSignature is treated the same.
	ErrUnauthenticated = errors.New("callback not authenticated")
	// ErrMethodNotAllowed: the request used a method not in Spec.Methods (405).
	ErrMethodNotAllowed = errors.New("callback method not allowed")
	// ErrInFlight: the same delivery is being handled right now (by this or
	// another process sharing the Deduper); answered 409 so that the vendor
	// delivers again later.
	ErrInFlight = errors.New("callback being handled by another delivery")
)

// Spec is what a vendor's callback handler supplies; Handler does the rest.
type Spec struct {
	// Vendor is the package name, e.g. "weiling": in logs, observer infos,
	// and as the prefix of dedupe keys ("weiling:"+Delivery.Key), so that
	// one Deduper can serve several vendors.
	Vendor string
	// Methods lists the accepted methods (default POST). Others get 405
	// with an Allow header.
	Methods []string
	// AuthStatus is the status answered when Open fails with
	// ErrUnauthenticated (or core.ErrSignature): 401 by default; 403 where
	// the vendor's receivers traditionally answer it. Must be 4xx.
	AuthStatus int
	// Secrets are long-lived values (tokens, keys) that must never reach a
	// log or an observer: they are replaced by "[redacted]" in every error
	// text the Handler logs or reports, the user's errors and panics
	// included.
	Secrets []string
	// Open verifies and parses one delivery; body was read within the cap.
	// Verify before parsing. It returns the delivery, or an error: one
	// matching ErrUnauthenticated answers AuthStatus, any other 400. The
	// error text is logged, so it must not carry the body, a signature or a
	// secret. Open must not call the user's function (Delivery.Handle does),
	// and must not write to the response.
	Open func(r *http.Request, body []byte) (*Delivery, error)
	// Refuse writes a non-2xx answer with status (the vendor's documented
	// failure body, e.g. waiqin365's {"return_code":1,...}). It must not
	// echo the request. Default: http.Error with the status text.
	Refuse func(w http.ResponseWriter, status int)
}

// Delivery is one verified, parsed callback delivery.
type Delivery struct {
	// Event is the event type, for observers and logs ("" if none).
	Event string
	// Key identifies the delivery for dedupe ("" = no dedupe for it). It is
	// logged nowhere, but it goes to the Deduper: no secrets in it.
	Key string
	// Handle calls the user's function. nil means nothing to run (a URL
	// check): the Handler acknowledges at once.
	Handle func(ctx context.Context) error
	// Ack writes the vendor's documented acknowledgement (status 200 and
	// body). nil writes a bare 200.
	Ack func(w http.ResponseWriter)
}

// Handler is the one callback receiver skeleton: an http.Handler that, for
// each request, in order,
//
//  1. refuses a method not in Spec.Methods (405, with Allow);
//  2. reads the body through http.MaxBytesReader at Config.MaxBodyBytes
//     (413 when larger, 400 when unreadable);
//  3. calls Spec.Open (AuthStatus on ErrUnauthenticated, 400 otherwise);
//  4. when Config.Deduper is set and Delivery.Key is not empty, claims the
//     key: ClaimDone acknowledges without calling the function, ClaimBusy
//     answers 409, ClaimNew runs it and releases the key (kept when the
//     function returned nil, forgotten otherwise). A failing Deduper
//     degrades to running the function without dedupe (logged once per
//     outage); a request whose context ends while waiting for the Deduper
//     is answered 503;
//  5. runs Delivery.Handle, a panic becoming an error: an error answers 500
//     (the vendor delivers again), nil acknowledges with Delivery.Ack.
//
// After each request it calls the Callback observers and logs (debug when
// acknowledged, warn otherwise), with neither the body nor any secret. It
// never panics on any input.
type Handler struct {
	vendor     string
	methods    []string
	allow      string
	authStatus int
	secrets    core.Scrubber
	open       func(*http.Request, []byte) (*Delivery, error)
	refuse     func(http.ResponseWriter, int)

	maxBody   int64
	deduper   core.Deduper
	observers core.Observers
	logger    *slog.Logger
	now       func() time.Time

	degraded atomic.Bool // the Deduper failed last time it was used
}

// New builds the Handler of spec with cfg (from core.NewHandlerConfig).
func New(cfg *core.Config, spec Spec) (*Handler, error) {
	if cfg == nil {
		return nil, errors.New("webhook: New: nil config")
	}
	if spec.Vendor == "" {
		return nil, errors.New("webhook: New: empty vendor")
	}
	if spec.Open == nil {
		return nil, fmt.Errorf("%s: callback handler: nil Open", spec.Vendor)
	}
	if spec.AuthStatus == 0 {
		spec.AuthStatus = http.StatusUnauthorized
	}
	if spec.AuthStatus < 400 || spec.AuthStatus > 499 {
		return nil, fmt.Errorf("%s: callback handler: AuthStatus %d is not 4xx", spec.Vendor, spec.AuthStatus)
	}
	methods := spec.Methods
	if len(methods) == 0 {
		methods = []string{http.MethodPost}
	}
	for _, m := range methods {
		if m == "" || strings.ContainsAny(m, " ,\t\r\n") {
			return nil, fmt.Errorf("%s: callback handler: invalid method %q", spec.Vendor, m)
		}
	}
	h := &Handler{
		vendor:     spec.Vendor,
		methods:    append([]string(nil), methods...),
		allow:      strings.Join(methods, ", "),
		authStatus: spec.AuthStatus,
		open:       spec.Open,
		refuse:     spec.Refuse,
		maxBody:    cfg.MaxBodyBytes,
		deduper:    cfg.Deduper,
		observers:  append(core.Observers(nil), cfg.Observers...),
		logger:     cfg.Logger,
		now:        cfg.Now,
	}
	h.secrets = core.NewScrubber(spec.Secrets...)
	if h.refuse == nil {
		h.refuse = func(w http.ResponseWriter, status int) { http.Error(w, http.StatusText(status), status) }
	}
	if h.maxBody <= 0 {
		h.maxBody = core.DefaultMaxBodyBytes
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	return h, nil
}

// outcome is what one request ended with.
type outcome struct {
	event     string
	duplicate bool
	status    int
	err       error
	reason    string // short, fixed text for the log
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.now()
	o := h.serve(w, r)
	ctx := r.Context()
	err := h.scrubErr(o.err)
	elapsed := h.now().Sub(start)
	h.observers.Callback(ctx, core.CallbackInfo{
		Vendor:     h.vendor,
		Event:      o.event,
		Duplicate:  o.duplicate,
		HTTPStatus: o.status,
		Duration:   elapsed,
	}, err)
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	if !h.logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("vendor", h.vendor),
		slog.Int("status", o.status),
		slog.Duration("duration", elapsed),
	}
	if o.event != "" {
		attrs = append(attrs, slog.String("event", o.event))
	}
	if o.duplicate {
		attrs = append(attrs, slog.Bool("duplicate", true))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	h.logger.LogAttrs(ctx, level, "callback "+o.reason, attrs...)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) outcome {
	if !h.methodOK(r.Method) {
		w.Header().Set("Allow", h.allow)
		return h.fail(w, outcome{status: http.StatusMethodNotAllowed, err: ErrMethodNotAllowed, reason: "refused: method not allowed"})
	}
	body, err := ReadBody(w, r, h.maxBody)
	if err != nil {
		if errors.Is(err, ErrTooLarge) {
			return h.fail(w, outcome{status: http.StatusRequestEntityTooLarge, err: ErrTooLarge, reason: "refused: body too large"})
		}
		return h.fail(w, outcome{status: http.StatusBadRequest, err: errors.New("cannot read callback body"), reason: "refused: unreadable body"})
	}
	d, err := h.callOpen(r, body)
	if err != nil {
		if errors.Is(err, errOpenPanic) {
			return h.fail(w, outcome{status: http.StatusInternalServerError, err: err, reason: "failed: verifier panicked"})
		}
		if errors.Is(err, ErrUnauthenticated) || errors.Is(err, core.ErrSignature) {
			return h.fail(w, outcome{status: h.authStatus, err: err, reason: "refused: not authenticated"})
		}
		return h.fail(w, outcome{status: http.StatusBadRequest, err: err, reason: "refused: malformed"})
	}
	if d.Handle == nil {
		return h.ack(w, d, outcome{event: d.Event, reason: "answered"})
	}

	ctx := r.Context()
	key := ""
	if h.deduper != nil && d.Key != "" {
		key = h.vendor + ":" + d.Key
		st, err := h.claim(ctx, key)
		switch {
		case err != nil && ctx.Err() != nil:
			return h.fail(w, outcome{event: d.Event, status: http.StatusServiceUnavailable, err: fmt.Errorf("dedupe claim: %w", ctx.Err()), reason: "failed: request ended while claiming"})
		case err != nil:
			h.dedupeDown(ctx, err)
			key = "" // degrade: run without dedupe
		case st == core.ClaimDone:
			h.dedupeUp(ctx)
			return h.ack(w, d, outcome{event: d.Event, duplicate: true, reason: "acknowledged duplicate"})
		case st == core.ClaimBusy:
			h.dedupeUp(ctx)
			return h.fail(w, outcome{event: d.Event, status: http.StatusConflict, err: ErrInFlight, reason: "refused: in flight elsewhere"})
		default: // ClaimNew
			h.dedupeUp(ctx)
		}
	}

	err = Call(func() error { return d.Handle(ctx) })
	if key != "" {
		h.release(ctx, key, err == nil)
	}
	if err != nil {
		return h.fail(w, outcome{event: d.Event, status: http.StatusInternalServerError, err: err, reason: "failed: function returned an error; not acknowledged"})
	}
	return h.ack(w, d, outcome{event: d.Event, reason: "acknowledged"})
}

func (h *Handler) methodOK(m string) bool {
	for _, a := range h.methods {
		if a == m {
			return true
		}
	}
	return false
}

func (h *Handler) fail(w http.ResponseWriter, o outcome) outcome {
	h.refuse(w, o.status)
	return o
}

func (h *Handler) ack(w http.ResponseWriter, d *Delivery, o outcome) outcome {
	o.status = http.StatusOK
	if d.Ack == nil {
		w.WriteHeader(http.StatusOK)
		return o
	}
	sw := &statusWriter{ResponseWriter: w}
	d.Ack(sw)
	if sw.status != 0 {
		o.status = sw.status
	}
	return o
}

var errOpenPanic = errors.New("callback verifier panicked")

// callOpen runs Spec.Open, turning a panic (a vendor bug on some input) into
// an error so that no input crashes the handler.
func (h *Handler) callOpen(r *http.Request, body []byte) (d *Delivery, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("%w: %v", errOpenPanic, p)
		}
	}()
	d, err = h.open(r, body)
	if err == nil && d == nil {
		err = fmt.Errorf("%w: no delivery and no error", errOpenPanic)
	}
	return d, err
}

// claim calls Deduper.Claim without waiting past ctx: a Deduper that
// ignores its context cannot hold the request. A claim won after the
// request stopped waiting is released (not handled) in the background.
func (h *Handler) claim(ctx context.Context, key string) (core.ClaimState, error) {
	if ctx.Done() == nil {
		return safeClaim(h.deduper, ctx, key)
	}
	type result struct {
		st  core.ClaimState
		err error
	}
	var (
		mu        sync.Mutex
		abandoned bool
		ch        = make(chan result, 1)
	)
	go func() {
		st, err := safeClaim(h.deduper, ctx, key)
		mu.Lock()
		defer mu.Unlock()
		if !abandoned {
			ch <- result{st, err}
			return
		}
		if err == nil && st == core.ClaimNew {
			h.releaseDetached(ctx, key)
		}
	}()
	select {
	case res := <-ch:
		return res.st, res.err
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	select {
	case res := <-ch: // finished at the same moment: give it back
		if res.err == nil && res.st == core.ClaimNew {
			h.releaseDetached(ctx, key)
		}
	default:
		abandoned = true
	}
	return 0, ctx.Err()
}

// releaseDetached forgets a claim nobody will use, in the background.
func (h *Handler) releaseDetached(ctx context.Context, key string) {
	go func() { _ = safeRelease(h.deduper, context.WithoutCancel(ctx), key, false) }()
}

// release calls Deduper.Release with a context that outlives the request
// (marking a handled event done must not fail because the vendor hung up),
// waiting at most until the request context ends.
func (h *Handler) release(ctx context.Context, key string, handled bool) {
	rctx := context.WithoutCancel(ctx)
	run := func() {
		if err := safeRelease(h.deduper, rctx, key, handled); err != nil {
			h.dedupeDown(rctx, err)
		}
	}
	if ctx.Done() == nil {
		run()
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		run()
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// dedupeDown logs the first Deduper failure of an outage.
func (h *Handler) dedupeDown(ctx context.Context, err error) {
	if h.degraded.CompareAndSwap(false, true) {
		h.logger.LogAttrs(ctx, slog.LevelWarn, "callback deduper failing; handling deliveries without dedupe until it recovers",
			slog.String("vendor", h.vendor), slog.String("error", h.scrub(err.Error())))
	}
}

// dedupeUp logs the end of an outage.
func (h *Handler) dedupeUp(ctx context.Context) {
	if h.degraded.CompareAndSwap(true, false) {
		h.logger.LogAttrs(ctx, slog.LevelInfo, "callback deduper recovered", slog.String("vendor", h.vendor))
	}
}

func safeClaim(d core.Deduper, ctx context.Context, key string) (st core.ClaimState, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("deduper Claim panicked: %v", p)
		}
	}()
	st, err = d.Claim(ctx, key)
	if err == nil && st != core.ClaimNew && st != core.ClaimDone && st != core.ClaimBusy {
		err = fmt.Errorf("deduper Claim returned unknown state %d", int(st))
	}
	return st, err
}

func safeRelease(d core.Deduper, ctx context.Context, key string, handled bool) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("deduper Release panicked: %v", p)
		}
	}()
	return d.Release(ctx, key, handled)
}

// scrub replaces every Spec.Secrets value in s, in every encoding.
func (h *Handler) scrub(s string) string { return h.secrets.String(s) }

// scrubErr returns err, or an error with the same chain whose text has the
// secrets replaced.
func (h *Handler) scrubErr(err error) error { return h.secrets.Error(err) }

// statusWriter records the status an Ack wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
