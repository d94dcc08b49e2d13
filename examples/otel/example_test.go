package otel_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	cluekitotel "github.com/cluekit/cluekit/examples/otel"
	"github.com/cluekit/cluekit/v3clue"
)

// The Observer is normally given to a client (v3clue.WithObserver(obs), or
// the WithObserver of any other vendor package); here its callbacks are
// driven by hand, as the SDK drives them for one call whose first attempt is
// retried.
func ExampleNewObserver() {
	ctx := context.Background()
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer tp.Shutdown(ctx)
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(ctx)

	obs, err := cluekitotel.NewObserver(cluekitotel.WithTracerProvider(tp), cluekitotel.WithMeterProvider(mp))
	if err != nil {
		fmt.Println(err)
		return
	}

	call := v3clue.CallInfo{Vendor: "v3clue", Op: "clue/get", Method: "POST"}
	cctx := obs.CallStart(ctx, call)
	obs.Attempt(cctx, v3clue.AttemptInfo{Vendor: "v3clue", Op: "clue/get", Method: "POST", Attempt: 1,
		HTTPStatus: 502, Err: errors.New("v3clue: clue/get: HTTP 502"),
		Retry: true, RetryWait: 200 * time.Millisecond, RetryReason: "status"})
	obs.Attempt(cctx, v3clue.AttemptInfo{Vendor: "v3clue", Op: "clue/get", Method: "POST", Attempt: 2,
		HTTPStatus: 200, Code: "0"})
	call.Attempts, call.Duration = 2, 250*time.Millisecond
	obs.CallEnd(cctx, call, nil)

	for _, s := range spans.GetSpans() {
		fmt.Printf("span %q (%s), %d events, status %s\n", s.Name, s.SpanKind, len(s.Events), s.Status.Code)
	}
	var rm metricdata.ResourceMetrics
	_ = reader.Collect(ctx, &rm)
	var lines []string // data points come in no fixed order
	for _, m := range rm.ScopeMetrics[0].Metrics {
		switch data := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, dp := range data.DataPoints {
				lines = append(lines, fmt.Sprintf("%s{%s} %d", m.Name, dp.Attributes.Encoded(attribute.DefaultEncoder()), dp.Value))
			}
		case metricdata.Histogram[float64]:
			for _, dp := range data.DataPoints {
				lines = append(lines, fmt.Sprintf("%s{%s} count=%d sum=%gs", m.Name, dp.Attributes.Encoded(attribute.DefaultEncoder()), dp.Count, dp.Sum))
			}
		}
	}
	sort.Strings(lines)
	fmt.Println(strings.Join(lines, "\n"))
	// Output:
	// span "cluekit v3clue clue/get" (client), 2 events, status Unset
	// cluekit.attempts{cluekit.op=clue/get,cluekit.outcome=error,cluekit.vendor=v3clue} 1
	// cluekit.attempts{cluekit.op=clue/get,cluekit.outcome=ok,cluekit.vendor=v3clue} 1
	// cluekit.call.duration{cluekit.op=clue/get,cluekit.outcome=ok,cluekit.vendor=v3clue} count=1 sum=0.25s
	// cluekit.calls{cluekit.op=clue/get,cluekit.outcome=ok,cluekit.vendor=v3clue} 1
	// cluekit.retries{cluekit.op=clue/get,cluekit.retry_reason=status,cluekit.vendor=v3clue} 1
}
