package otel_test

import (
	"context"
	"errors"
	"math"
	"sort"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	cluekitotel "github.com/cluekit/cluekit/examples/otel"
	"github.com/cluekit/cluekit/v3clue"
)

// harness is an Observer wired to an in-memory span exporter and a manual
// metric reader.
type harness struct {
	obs    v3clue.Observer
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(h.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(h.reader))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	obs, err := cluekitotel.NewObserver(cluekitotel.WithTracerProvider(tp), cluekitotel.WithMeterProvider(mp))
	if err != nil {
		t.Fatalf("NewObserver: %v", err)
	}
	if obs.CallStart == nil || obs.Attempt == nil || obs.CallEnd == nil || obs.Token == nil || obs.Callback == nil {
		t.Fatalf("NewObserver left a callback nil: %+v", obs)
	}
	h.obs = obs
	return h
}

// ended returns the ended spans by name; it fails when a name is not
// unique.
func (h *harness) ended(t *testing.T) map[string]tracetest.SpanStub {
	t.Helper()
	m := map[string]tracetest.SpanStub{}
	for _, s := range h.spans.GetSpans() {
		if _, dup := m[s.Name]; dup {
			t.Fatalf("two spans named %q", s.Name)
		}
		m[s.Name] = s
	}
	return m
}

// metrics collects once and returns the metrics by name.
func (h *harness) metrics(t *testing.T) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := h.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("Collect: %v", err)
	}
	m := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != cluekitotel.ScopeName {
			t.Errorf("scope = %q, want %q", sm.Scope.Name, cluekitotel.ScopeName)
		}
		for _, mt := range sm.Metrics {
			m[mt.Name] = mt.Data
		}
	}
	return m
}

// key renders an attribute set as "k=v,k=v" (sorted by key).
func key(s attribute.Set) string { return s.Encoded(attribute.DefaultEncoder()) }

// counter returns a monotonic int64 sum's points by attribute set.
func counter(t *testing.T, ms map[string]metricdata.Aggregation, name string) map[string]int64 {
	t.Helper()
	agg, ok := ms[name]
	if !ok {
		return nil
	}
	sum, ok := agg.(metricdata.Sum[int64])
	if !ok {
		t.Fatalf("%s is a %T, want metricdata.Sum[int64]", name, agg)
	}
	if !sum.IsMonotonic {
		t.Errorf("%s is not monotonic", name)
	}
	out := map[string]int64{}
	for _, dp := range sum.DataPoints {
		out[key(dp.Attributes)] = dp.Value
	}
	return out
}

func wantCounter(t *testing.T, ms map[string]metricdata.Aggregation, name string, want map[string]int64) {
	t.Helper()
	got := counter(t, ms, name)
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", name, got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", name, got, want)
			return
		}
	}
}

// attrs renders attributes as a sorted "k=v" list, for comparison.
func attrs(kvs []attribute.KeyValue) string {
	ss := make([]string, len(kvs))
	for i, kv := range kvs {
		ss[i] = string(kv.Key) + "=" + kv.Value.String()
	}
	sort.Strings(ss)
	return strings.Join(ss, " ")
}

func wantAttrs(t *testing.T, what string, got []attribute.KeyValue, want ...string) {
	t.Helper()
	sort.Strings(want)
	if g, w := attrs(got), strings.Join(want, " "); g != w {
		t.Errorf("%s attributes:\n got %s\nwant %s", what, g, w)
	}
}

func TestCallWithRetry(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	info := v3clue.CallInfo{Vendor: "wshoto", Op: "clue/page", Method: "GET"}

	cctx := h.obs.CallStart(ctx, info)
	if cctx == nil || !trace.SpanFromContext(cctx).SpanContext().IsValid() {
		t.Fatal("CallStart did not return a context holding a span")
	}
	if n := len(h.spans.GetSpans()); n != 0 {
		t.Fatalf("%d spans ended before CallEnd", n)
	}
	h.obs.Attempt(cctx, v3clue.AttemptInfo{Vendor: "wshoto", Op: "clue/page", Method: "GET", Attempt: 1,
		HTTPStatus: 503, Duration: 20 * time.Millisecond, Err: errors.New("wshoto: clue/page: HTTP 503"),
		Retry: true, RetryWait: 250 * time.Millisecond, RetryReason: "status"})
	h.obs.Attempt(cctx, v3clue.AttemptInfo{Vendor: "wshoto", Op: "clue/page", Method: "GET", Attempt: 2,
		HTTPStatus: 200, Code: "0", RequestID: "req-2", Duration: 30 * time.Millisecond})
	info.Attempts, info.RequestID, info.Duration = 2, "req-2", 300*time.Millisecond
	h.obs.CallEnd(cctx, info, nil)

	spans := h.ended(t)
	if len(spans) != 1 {
		t.Fatalf("%d spans, want 1", len(spans))
	}
	s, ok := spans["cluekit wshoto clue/page"]
	if !ok {
		t.Fatalf("no span named %q: %v", "cluekit wshoto clue/page", spans)
	}
	if s.SpanKind != trace.SpanKindClient {
		t.Errorf("kind = %v, want client", s.SpanKind)
	}
	if !s.SpanContext.Equal(trace.SpanFromContext(cctx).SpanContext()) {
		t.Error("the ended span is not the one CallStart put in the context")
	}
	if s.Parent.IsValid() {
		t.Error("the call span has a parent, but the caller's context held none")
	}
	if s.Status.Code != codes.Unset {
		t.Errorf("status = %v %q, want unset", s.Status.Code, s.Status.Description)
	}
	wantAttrs(t, "span", s.Attributes, "cluekit.vendor=wshoto", "cluekit.op=clue/page", "http.request.method=GET",
		"cluekit.create=false", "cluekit.attempts=2", "cluekit.request_id=req-2")
	if len(s.Events) != 2 {
		t.Fatalf("%d events, want 2: %+v", len(s.Events), s.Events)
	}
	for _, e := range s.Events {
		if e.Name != "attempt" {
			t.Errorf("event %q, want attempt", e.Name)
		}
	}
	wantAttrs(t, "attempt 1", s.Events[0].Attributes, "cluekit.attempt=1", "http.response.status_code=503",
		"cluekit.error=wshoto: clue/page: HTTP 503", "cluekit.retry=true", "cluekit.retry_wait_ms=250",
		"cluekit.retry_reason=status")
	wantAttrs(t, "attempt 2", s.Events[1].Attributes, "cluekit.attempt=2", "http.response.status_code=200",
		"cluekit.code=0", "cluekit.request_id=req-2", "cluekit.retry=false")

	ms := h.metrics(t)
	wantCounter(t, ms, "cluekit.calls", map[string]int64{
		"cluekit.op=clue/page,cluekit.outcome=ok,cluekit.vendor=wshoto": 1,
	})
	wantCounter(t, ms, "cluekit.attempts", map[string]int64{
		"cluekit.op=clue/page,cluekit.outcome=error,cluekit.vendor=wshoto": 1,
		"cluekit.op=clue/page,cluekit.outcome=ok,cluekit.vendor=wshoto":    1,
	})
	wantCounter(t, ms, "cluekit.retries", map[string]int64{
		"cluekit.op=clue/page,cluekit.retry_reason=status,cluekit.vendor=wshoto": 1,
	})
	hist, ok := ms["cluekit.call.duration"].(metricdata.Histogram[float64])
	if !ok {
		t.Fatalf("cluekit.call.duration is a %T, want a float64 histogram", ms["cluekit.call.duration"])
	}
	if len(hist.DataPoints) != 1 {
		t.Fatalf("cluekit.call.duration has %d points, want 1", len(hist.DataPoints))
	}
	dp := hist.DataPoints[0]
	if got, want := key(dp.Attributes), "cluekit.op=clue/page,cluekit.outcome=ok,cluekit.vendor=wshoto"; got != want {
		t.Errorf("cluekit.call.duration attributes = %s, want %s", got, want)
	}
	if dp.Count != 1 || math.Abs(dp.Sum-0.3) > 1e-9 {
		t.Errorf("cluekit.call.duration count=%d sum=%v, want 1 and 0.3 (seconds)", dp.Count, dp.Sum)
	}
	for _, name := range []string{"cluekit.token_requests", "cluekit.callback_deliveries"} {
		if got := counter(t, ms, name); len(got) != 0 {
			t.Errorf("%s = %v, want nothing", name, got)
		}
	}
}

func TestFailedCall(t *testing.T) {
	h := newHarness(t)
	callErr := errors.New("v3clue: clue/create: code 40001: 参数错误")
	info := v3clue.CallInfo{Vendor: "v3clue", Op: "clue/create", Method: "POST", Create: true}
	ctx := h.obs.CallStart(context.Background(), info)
	h.obs.Attempt(ctx, v3clue.AttemptInfo{Vendor: "v3clue", Op: "clue/create", Method: "POST", Attempt: 1,
		HTTPStatus: 200, Code: "40001", Err: callErr})
	// Attempts left 0, as the SDK may leave it for an *APIError: the span
	// says the number of attempts seen.
	info.Duration = 80 * time.Millisecond
	h.obs.CallEnd(ctx, info, callErr)

	s, ok := h.ended(t)["cluekit v3clue clue/create"]
	if !ok {
		t.Fatal("no span named cluekit v3clue clue/create")
	}
	if s.Status.Code != codes.Error || s.Status.Description != callErr.Error() {
		t.Errorf("status = %v %q, want error %q", s.Status.Code, s.Status.Description, callErr.Error())
	}
	wantAttrs(t, "span", s.Attributes, "cluekit.vendor=v3clue", "cluekit.op=clue/create", "http.request.method=POST",
		"cluekit.create=true", "cluekit.attempts=1")
	if len(s.Events) != 2 || s.Events[0].Name != "attempt" || s.Events[1].Name != "exception" {
		t.Fatalf("events = %+v, want attempt then exception", s.Events)
	}
	wantAttrs(t, "attempt", s.Events[0].Attributes, "cluekit.attempt=1", "http.response.status_code=200",
		"cluekit.code=40001", "cluekit.error="+callErr.Error(), "cluekit.retry=false")
	var msg string
	for _, kv := range s.Events[1].Attributes {
		if kv.Key == "exception.message" {
			msg = kv.Value.AsString()
		}
	}
	if msg != callErr.Error() {
		t.Errorf("exception.message = %q, want %q", msg, callErr.Error())
	}

	ms := h.metrics(t)
	wantCounter(t, ms, "cluekit.calls", map[string]int64{
		"cluekit.op=clue/create,cluekit.outcome=error,cluekit.vendor=v3clue": 1,
	})
	wantCounter(t, ms, "cluekit.attempts", map[string]int64{
		"cluekit.op=clue/create,cluekit.outcome=error,cluekit.vendor=v3clue": 1,
	})
	wantCounter(t, ms, "cluekit.retries", nil)
	hist := ms["cluekit.call.duration"].(metricdata.Histogram[float64])
	if len(hist.DataPoints) != 1 || key(hist.DataPoints[0].Attributes) != "cluekit.op=clue/create,cluekit.outcome=error,cluekit.vendor=v3clue" {
		t.Errorf("cluekit.call.duration points = %+v", hist.DataPoints)
	}
}

func TestTokenRequests(t *testing.T) {
	h := newHarness(t)
	// A token fetched outside any call: a root span.
	h.obs.Token(context.Background(), v3clue.TokenInfo{Vendor: "weiling", Duration: 40 * time.Millisecond})
	// A refresh that fails while a call needs it: a child of the call's span.
	tokErr := errors.New("wshoto: token: code 40013: invalid corpid")
	info := v3clue.CallInfo{Vendor: "wshoto", Op: "clue/page", Method: "GET"}
	ctx := h.obs.CallStart(context.Background(), info)
	h.obs.Token(ctx, v3clue.TokenInfo{Vendor: "wshoto", Refresh: true, Duration: 15 * time.Millisecond, Err: tokErr})
	h.obs.CallEnd(ctx, info, tokErr)

	spans := h.ended(t)
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3", len(spans))
	}
	fetch := spans["cluekit weiling token"]
	if fetch.SpanKind != trace.SpanKindClient || fetch.Parent.IsValid() || fetch.Status.Code != codes.Unset {
		t.Errorf("token fetch: kind %v, parent %v, status %v", fetch.SpanKind, fetch.Parent.IsValid(), fetch.Status.Code)
	}
	if d := fetch.EndTime.Sub(fetch.StartTime); d != 40*time.Millisecond {
		t.Errorf("token fetch span lasts %v, want 40ms (back-dated by Duration)", d)
	}
	wantAttrs(t, "token fetch", fetch.Attributes, "cluekit.vendor=weiling", "cluekit.token.refresh=false")

	refresh := spans["cluekit wshoto token"]
	call := spans["cluekit wshoto clue/page"]
	if refresh.Parent.SpanID() != call.SpanContext.SpanID() || refresh.SpanContext.TraceID() != call.SpanContext.TraceID() {
		t.Error("the token span of a call is not a child of the call's span")
	}
	if refresh.Status.Code != codes.Error || refresh.Status.Description != tokErr.Error() {
		t.Errorf("token refresh status = %v %q", refresh.Status.Code, refresh.Status.Description)
	}
	wantAttrs(t, "token refresh", refresh.Attributes, "cluekit.vendor=wshoto", "cluekit.token.refresh=true")
	if len(refresh.Events) != 1 || refresh.Events[0].Name != "exception" {
		t.Errorf("token refresh events = %+v, want one exception", refresh.Events)
	}

	ms := h.metrics(t)
	wantCounter(t, ms, "cluekit.token_requests", map[string]int64{
		"cluekit.outcome=ok,cluekit.vendor=weiling":   1,
		"cluekit.outcome=error,cluekit.vendor=wshoto": 1,
	})
	wantCounter(t, ms, "cluekit.calls", map[string]int64{
		"cluekit.op=clue/page,cluekit.outcome=error,cluekit.vendor=wshoto": 1,
	})
}

func TestCallbackDeliveries(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.obs.Callback(ctx, v3clue.CallbackInfo{Vendor: "weiling", Event: "clue.created", HTTPStatus: 200,
		Duration: 5 * time.Millisecond}, nil)
	h.obs.Callback(ctx, v3clue.CallbackInfo{Vendor: "weiling", Event: "clue.created", HTTPStatus: 200,
		Duplicate: true, Duration: time.Millisecond}, nil)
	refused := errors.New("weiling: callback: bad signature")
	h.obs.Callback(ctx, v3clue.CallbackInfo{Vendor: "weiling", HTTPStatus: 401, Duration: time.Millisecond}, refused)

	spans := h.spans.GetSpans()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3", len(spans))
	}
	for _, s := range spans {
		if s.Name != "cluekit weiling callback" || s.SpanKind != trace.SpanKindInternal {
			t.Errorf("span %q kind %v, want cluekit weiling callback, internal", s.Name, s.SpanKind)
		}
	}
	wantAttrs(t, "first delivery", spans[0].Attributes, "cluekit.vendor=weiling", "cluekit.event=clue.created",
		"http.response.status_code=200", "cluekit.duplicate=false")
	if spans[0].Status.Code != codes.Unset || spans[1].Status.Code != codes.Unset {
		t.Error("an acknowledged delivery has an error status")
	}
	if d := spans[0].EndTime.Sub(spans[0].StartTime); d != 5*time.Millisecond {
		t.Errorf("callback span lasts %v, want 5ms", d)
	}
	wantAttrs(t, "duplicate", spans[1].Attributes, "cluekit.vendor=weiling", "cluekit.event=clue.created",
		"http.response.status_code=200", "cluekit.duplicate=true")
	if spans[2].Status.Code != codes.Error || spans[2].Status.Description != refused.Error() {
		t.Errorf("refused delivery status = %v %q", spans[2].Status.Code, spans[2].Status.Description)
	}

	ms := h.metrics(t)
	wantCounter(t, ms, "cluekit.callback_deliveries", map[string]int64{
		"cluekit.duplicate=false,cluekit.event=clue.created,cluekit.vendor=weiling,http.response.status_code=200": 1,
		"cluekit.duplicate=true,cluekit.event=clue.created,cluekit.vendor=weiling,http.response.status_code=200":  1,
		"cluekit.duplicate=false,cluekit.event=,cluekit.vendor=weiling,http.response.status_code=401":             1,
	})
	wantCounter(t, ms, "cluekit.calls", nil)
}

// Two observers composed (as several WithObserver options are) each end
// their own span, even though the second one's span is the context's
// current span when the first one's CallEnd runs.
func TestComposedObservers(t *testing.T) {
	a, b := newHarness(t), newHarness(t)
	info := v3clue.CallInfo{Vendor: "jing", Op: "lead/list", Method: "POST"}
	ctx := context.Background()
	ctx = a.obs.CallStart(ctx, info)
	ctx = b.obs.CallStart(ctx, info)
	ai := v3clue.AttemptInfo{Vendor: "jing", Op: "lead/list", Method: "POST", Attempt: 1, HTTPStatus: 200}
	a.obs.Attempt(ctx, ai)
	b.obs.Attempt(ctx, ai)
	info.Attempts = 1
	a.obs.CallEnd(ctx, info, nil)
	b.obs.CallEnd(ctx, info, nil)

	sa, sb := a.ended(t)["cluekit jing lead/list"], b.ended(t)["cluekit jing lead/list"]
	if len(sa.Events) != 1 || len(sb.Events) != 1 {
		t.Errorf("events: first %d, second %d, want 1 each", len(sa.Events), len(sb.Events))
	}
	if len(a.spans.GetSpans()) != 1 || len(b.spans.GetSpans()) != 1 {
		t.Errorf("ended spans: first %d, second %d, want 1 each", len(a.spans.GetSpans()), len(b.spans.GetSpans()))
	}
}

// Attempt and CallEnd without a CallStart (a context that holds no span of
// this observer) still count, and touch no foreign span.
func TestWithoutCallStart(t *testing.T) {
	h, other := newHarness(t), newHarness(t)
	ctx := other.obs.CallStart(context.Background(), v3clue.CallInfo{Vendor: "jing", Op: "x"})
	h.obs.Attempt(ctx, v3clue.AttemptInfo{Vendor: "jing", Op: "x", Attempt: 1, Retry: true, RetryReason: "transport"})
	h.obs.CallEnd(ctx, v3clue.CallInfo{Vendor: "jing", Op: "x", Attempts: 1}, errors.New("boom"))
	if n := len(h.spans.GetSpans()); n != 0 {
		t.Errorf("%d spans ended, want 0", n)
	}
	if n := len(other.spans.GetSpans()); n != 0 {
		t.Errorf("the other observer's span was ended")
	}
	ms := h.metrics(t)
	wantCounter(t, ms, "cluekit.calls", map[string]int64{"cluekit.op=x,cluekit.outcome=error,cluekit.vendor=jing": 1})
	wantCounter(t, ms, "cluekit.retries", map[string]int64{"cluekit.op=x,cluekit.retry_reason=transport,cluekit.vendor=jing": 1})
}

func TestGlobalProvidersByDefault(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	reader := sdkmetric.NewManualReader()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	prevTP, prevMP := otel.GetTracerProvider(), otel.GetMeterProvider()
	otel.SetTracerProvider(tp)
	otel.SetMeterProvider(mp)
	t.Cleanup(func() {
		otel.SetTracerProvider(prevTP)
		otel.SetMeterProvider(prevMP)
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})

	obs, err := cluekitotel.NewObserver(cluekitotel.WithTracerProvider(nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	info := v3clue.CallInfo{Vendor: "waiqin365", Op: "customer/query", Method: "POST"}
	obs.CallEnd(obs.CallStart(context.Background(), info), info, nil)
	if got := spans.GetSpans(); len(got) != 1 || got[0].Name != "cluekit waiqin365 customer/query" {
		t.Errorf("global tracer provider got %d spans", len(got))
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if len(rm.ScopeMetrics) != 1 || len(rm.ScopeMetrics[0].Metrics) == 0 {
		t.Errorf("global meter provider got no metrics: %+v", rm.ScopeMetrics)
	}
}
