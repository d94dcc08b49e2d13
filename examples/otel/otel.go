// Package otel turns the cluekit SDK's Observer into OpenTelemetry traces and
// metrics.
//
// NewObserver returns a v3clue.Observer. Every vendor package (jing, v3clue,
// waiqin365, weiling, wshoto) declares Observer and its info types as aliases
// of one and the same type, so the value works with every package's
// WithObserver:
//
//	obs, err := otel.NewObserver() // the global providers
//	if err != nil { ... }
//	c, err := wshoto.New(corpID, secret, wshoto.WithObserver(obs))
//
// # Traces
//
// Each logical call (all its attempts, retries and a token replay included)
// is one span of kind client named "cluekit <vendor> <op>", started by
// CallStart (the call carries on with the context holding it, so the token
// spans below and the spans of an instrumented transport, such as otelhttp's,
// become its children) and ended by CallEnd. Its attributes are
// cluekit.vendor, cluekit.op, http.request.method and cluekit.create, plus
// cluekit.attempts (the
// CallInfo's, or the number of attempts seen when it is 0) and
// cluekit.request_id (when the vendor sent one) at the end. A failed call has
// status Error with err.Error() as description and an exception event from
// RecordError (exception.message is err.Error(), exception.type its Go type);
// nothing else of an error is exported, and the SDK's errors never hold a
// secret.
//
// Each HTTP attempt adds an event "attempt" to the call's span with
// cluekit.attempt (1-based), http.response.status_code (when an answer
// arrived), cluekit.code (the vendor's business code, when it sent one),
// cluekit.request_id (when sent), cluekit.error (the attempt's err.Error(),
// when it failed), cluekit.retry, and when it retries cluekit.retry_wait_ms
// and cluekit.retry_reason.
//
// A token request is a short span of kind client, "cluekit <vendor> token",
// with cluekit.vendor and cluekit.token.refresh; it is a child of the call
// that needed the token. A callback delivery is a short span of kind
// internal, "cluekit <vendor> callback", with cluekit.vendor, cluekit.event,
// http.response.status_code and cluekit.duplicate; it is a child of whatever
// span the handler's request context holds (for example otelhttp's server
// span). Both are reported after the fact, so their start is back-dated by
// the info's Duration. A refused token request or delivery has status Error.
//
// # Metrics
//
// All instruments come from the meter named ScopeName:
//
//	cluekit.calls                counter    cluekit.vendor, cluekit.op, cluekit.outcome (ok|error)
//	cluekit.call.duration        histogram  seconds; cluekit.vendor, cluekit.op, cluekit.outcome
//	cluekit.attempts             counter    cluekit.vendor, cluekit.op, cluekit.outcome (of the attempt)
//	cluekit.retries              counter    cluekit.vendor, cluekit.op, cluekit.retry_reason
//	cluekit.token_requests       counter    cluekit.vendor, cluekit.outcome
//	cluekit.callback_deliveries  counter    cluekit.vendor, cluekit.event, http.response.status_code, cluekit.duplicate
//
// A retry is counted when an attempt says another one follows. The
// attributes hold no id (request id, customer id, ...), so their cardinality
// stays bounded by the vendors' operations and event types.
package otel // import "github.com/cluekit/cluekit/examples/otel"

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/cluekit/cluekit/v3clue"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/cluekit/cluekit/examples/otel"

// Attribute keys.
const (
	keyVendor      = attribute.Key("cluekit.vendor")
	keyOp          = attribute.Key("cluekit.op")
	keyMethod      = attribute.Key("http.request.method")
	keyCreate      = attribute.Key("cluekit.create")
	keyAttempts    = attribute.Key("cluekit.attempts")
	keyRequestID   = attribute.Key("cluekit.request_id")
	keyAttempt     = attribute.Key("cluekit.attempt")
	keyStatus      = attribute.Key("http.response.status_code")
	keyCode        = attribute.Key("cluekit.code")
	keyError       = attribute.Key("cluekit.error")
	keyRetry       = attribute.Key("cluekit.retry")
	keyRetryWaitMS = attribute.Key("cluekit.retry_wait_ms")
	keyRetryReason = attribute.Key("cluekit.retry_reason")
	keyOutcome     = attribute.Key("cluekit.outcome")
	keyRefresh     = attribute.Key("cluekit.token.refresh")
	keyEvent       = attribute.Key("cluekit.event")
	keyDuplicate   = attribute.Key("cluekit.duplicate")
)

// Outcome values of the cluekit.outcome attribute.
const (
	OutcomeOK    = "ok"
	OutcomeError = "error"
)

// Option configures NewObserver.
type Option func(*config)

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// WithTracerProvider sets the tracer provider (default: otel.GetTracerProvider()
// at the time NewObserver is called; nil keeps the default).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) { c.tp = tp }
}

// WithMeterProvider sets the meter provider (default: otel.GetMeterProvider()
// at the time NewObserver is called; nil keeps the default).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) { c.mp = mp }
}

// NewObserver returns an Observer that records every call, attempt, token
// request and callback delivery as OpenTelemetry spans and metrics (see the
// package documentation for names and attributes). It works with the
// WithObserver option of every cluekit vendor package, since their Observer
// types are all the same type. It fails only when an instrument cannot be
// created. It is safe for concurrent use, and several clients may share it.
func NewObserver(opts ...Option) (v3clue.Observer, error) {
	var cfg config
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if cfg.tp == nil {
		cfg.tp = otel.GetTracerProvider()
	}
	if cfg.mp == nil {
		cfg.mp = otel.GetMeterProvider()
	}
	o := &observer{tracer: cfg.tp.Tracer(ScopeName)}
	m := cfg.mp.Meter(ScopeName)
	var errs [6]error
	o.calls, errs[0] = m.Int64Counter("cluekit.calls",
		metric.WithUnit("{call}"), metric.WithDescription("Logical calls made to a vendor API, by outcome."))
	o.attempts, errs[1] = m.Int64Counter("cluekit.attempts",
		metric.WithUnit("{attempt}"), metric.WithDescription("HTTP attempts sent to a vendor API, by the attempt's outcome."))
	o.retries, errs[2] = m.Int64Counter("cluekit.retries",
		metric.WithUnit("{retry}"), metric.WithDescription("Attempts followed by a retry, by reason."))
	o.tokens, errs[3] = m.Int64Counter("cluekit.token_requests",
		metric.WithUnit("{request}"), metric.WithDescription("Token requests (fetch or refresh), by outcome."))
	o.callbacks, errs[4] = m.Int64Counter("cluekit.callback_deliveries",
		metric.WithUnit("{delivery}"), metric.WithDescription("Callback deliveries processed by a handler."))
	o.duration, errs[5] = m.Float64Histogram("cluekit.call.duration",
		metric.WithUnit("s"), metric.WithDescription("Duration of logical calls, all attempts and waits included."),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60))
	if err := errors.Join(errs[:]...); err != nil {
		return v3clue.Observer{}, err
	}
	return v3clue.Observer{
		CallStart: o.callStart,
		Attempt:   o.attempt,
		CallEnd:   o.callEnd,
		Token:     o.token,
		Callback:  o.callback,
	}, nil
}

type observer struct {
	tracer    trace.Tracer
	calls     metric.Int64Counter
	attempts  metric.Int64Counter
	retries   metric.Int64Counter
	tokens    metric.Int64Counter
	callbacks metric.Int64Counter
	duration  metric.Float64Histogram
}

// callKey finds this observer's call in a context, even when another
// observer composed after it put a span of its own there.
type callKey struct{ o *observer }

// call is one logical call in flight.
type call struct {
	span     trace.Span
	attempts atomic.Int64 // attempts seen, for a CallInfo that does not say
}

func (o *observer) call(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{o}).(*call)
	return c
}

func spanName(vendor, what string) string {
	if what == "" {
		return "cluekit " + vendor
	}
	return "cluekit " + vendor + " " + what
}

func outcome(err error) string {
	if err != nil {
		return OutcomeError
	}
	return OutcomeOK
}

func (o *observer) callStart(ctx context.Context, info v3clue.CallInfo) context.Context {
	ctx, span := o.tracer.Start(ctx, spanName(info.Vendor, info.Op),
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			keyVendor.String(info.Vendor),
			keyOp.String(info.Op),
			keyMethod.String(info.Method),
			keyCreate.Bool(info.Create),
		))
	return context.WithValue(ctx, callKey{o}, &call{span: span})
}

func (o *observer) attempt(ctx context.Context, info v3clue.AttemptInfo) {
	o.attempts.Add(ctx, 1, metric.WithAttributes(
		keyVendor.String(info.Vendor), keyOp.String(info.Op), keyOutcome.String(outcome(info.Err))))
	if info.Retry {
		o.retries.Add(ctx, 1, metric.WithAttributes(
			keyVendor.String(info.Vendor), keyOp.String(info.Op), keyRetryReason.String(info.RetryReason)))
	}
	c := o.call(ctx)
	if c == nil {
		return
	}
	c.attempts.Add(1)
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs, keyAttempt.Int(info.Attempt))
	if info.HTTPStatus != 0 {
		attrs = append(attrs, keyStatus.Int(info.HTTPStatus))
	}
	if info.Code != "" {
		attrs = append(attrs, keyCode.String(info.Code))
	}
	if info.RequestID != "" {
		attrs = append(attrs, keyRequestID.String(info.RequestID))
	}
	if info.Err != nil {
		attrs = append(attrs, keyError.String(info.Err.Error()))
	}
	attrs = append(attrs, keyRetry.Bool(info.Retry))
	if info.Retry {
		attrs = append(attrs, keyRetryWaitMS.Int64(info.RetryWait.Milliseconds()), keyRetryReason.String(info.RetryReason))
	}
	c.span.AddEvent("attempt", trace.WithAttributes(attrs...))
}

func (o *observer) callEnd(ctx context.Context, info v3clue.CallInfo, err error) {
	out := outcome(err)
	set := metric.WithAttributes(keyVendor.String(info.Vendor), keyOp.String(info.Op), keyOutcome.String(out))
	o.calls.Add(ctx, 1, set)
	o.duration.Record(ctx, info.Duration.Seconds(), set)
	c := o.call(ctx)
	if c == nil {
		return
	}
	span := c.span
	attempts := int64(info.Attempts)
	if attempts == 0 { // not filled in (e.g. some API errors): the attempts seen
		attempts = c.attempts.Load()
	}
	span.SetAttributes(keyAttempts.Int64(attempts))
	if info.RequestID != "" {
		span.SetAttributes(keyRequestID.String(info.RequestID))
	}
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

func (o *observer) token(ctx context.Context, info v3clue.TokenInfo) {
	o.tokens.Add(ctx, 1, metric.WithAttributes(keyVendor.String(info.Vendor), keyOutcome.String(outcome(info.Err))))
	o.shortSpan(ctx, spanName(info.Vendor, "token"), trace.SpanKindClient, info.Duration, info.Err,
		keyVendor.String(info.Vendor), keyRefresh.Bool(info.Refresh))
}

func (o *observer) callback(ctx context.Context, info v3clue.CallbackInfo, err error) {
	o.callbacks.Add(ctx, 1, metric.WithAttributes(keyVendor.String(info.Vendor), keyEvent.String(info.Event),
		keyStatus.Int(info.HTTPStatus), keyDuplicate.Bool(info.Duplicate)))
	o.shortSpan(ctx, spanName(info.Vendor, "callback"), trace.SpanKindInternal, info.Duration, err,
		keyVendor.String(info.Vendor), keyEvent.String(info.Event),
		keyStatus.Int(info.HTTPStatus), keyDuplicate.Bool(info.Duplicate))
}

// shortSpan records something that already happened and took d.
func (o *observer) shortSpan(ctx context.Context, name string, kind trace.SpanKind, d time.Duration, err error, attrs ...attribute.KeyValue) {
	end := time.Now()
	_, span := o.tracer.Start(ctx, name, trace.WithSpanKind(kind), trace.WithTimestamp(end.Add(-d)),
		trace.WithAttributes(attrs...))
	if err != nil {
		span.RecordError(err, trace.WithTimestamp(end))
		span.SetStatus(codes.Error, err.Error())
	}
	span.End(trace.WithTimestamp(end))
}
