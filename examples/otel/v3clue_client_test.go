package otel_test

// Tests through a real client: v3clue against its in-memory fake server
// (v3clue/v3cluetest). They need the v3clue packages of the root module to
// compile.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	cluekitotel "github.com/cluekit/cluekit/examples/otel"
	"github.com/cluekit/cluekit/v3clue"
	"github.com/cluekit/cluekit/v3clue/v3cluetest"
)

// flaky answers the first request with HTTP 503 without sending it, and
// passes the others on.
type flaky struct{ n atomic.Int32 }

func (f *flaky) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.n.Add(1) == 1 {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
			_ = r.Body.Close()
		}
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable",
			Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: r, ProtoMajor: 1, ProtoMinor: 1}, nil
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestV3ClueClient(t *testing.T) {
	h := newHarness(t)
	srv := v3cluetest.NewServer()
	defer srv.Close()
	c, err := v3clue.New(v3cluetest.DefaultAppID, v3cluetest.DefaultAppKey, v3clue.WithBaseURL(srv.URL),
		v3clue.WithObserver(h.obs), v3clue.WithHTTPClient(&http.Client{Transport: &flaky{}}),
		v3clue.WithBackoff(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.GetClue(ctx, &v3clue.GetClueRequest{CustomerID: v3cluetest.ExampleCustomerID}); err != nil {
		t.Fatalf("GetClue: %v", err)
	}
	_, missErr := c.GetClue(ctx, &v3clue.GetClueRequest{CustomerID: 1})
	var apiErr *v3clue.APIError
	if !errors.As(missErr, &apiErr) {
		t.Fatalf("GetClue of a missing clue: %v, want an *APIError", missErr)
	}

	spans := h.spans.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want 2 (one per call)", len(spans))
	}
	for _, s := range spans {
		if !strings.HasPrefix(s.Name, "cluekit v3clue ") || s.SpanKind != trace.SpanKindClient {
			t.Errorf("span %q kind %v", s.Name, s.SpanKind)
		}
	}
	ok, miss := spans[0], spans[1]
	if ok.Status.Code.String() != "Unset" || len(ok.Events) != 2 {
		t.Fatalf("first call: status %v, %d events, want unset and 2 attempts", ok.Status.Code, len(ok.Events))
	}
	first := map[string]string{}
	for _, kv := range ok.Events[0].Attributes {
		first[string(kv.Key)] = kv.Value.String()
	}
	if first["http.response.status_code"] != "503" || first["cluekit.retry"] != "true" || first["cluekit.retry_reason"] == "" {
		t.Errorf("first attempt event = %v, want a 503 that retries", first)
	}
	attempts := func(s tracetest.SpanStub) int64 {
		for _, kv := range s.Attributes {
			if kv.Key == "cluekit.attempts" {
				return kv.Value.AsInt64()
			}
		}
		return -1
	}
	if n := attempts(ok); n != 2 {
		t.Errorf("first call: cluekit.attempts = %d, want 2", n)
	}
	if n := attempts(miss); n != 1 {
		t.Errorf("failed call: cluekit.attempts = %d, want 1", n)
	}
	if miss.Status.Code.String() != "Error" || miss.Status.Description != missErr.Error() {
		t.Errorf("failed call: status %v %q, want Error %q", miss.Status.Code, miss.Status.Description, missErr.Error())
	}
	for _, s := range spans {
		for _, kv := range s.Attributes {
			if v := kv.Value.String(); strings.Contains(v, v3cluetest.DefaultAppKey) {
				t.Errorf("span %q attribute %s holds the app key", s.Name, kv.Key)
			}
		}
	}

	ms := h.metrics(t)
	calls := counter(t, ms, "cluekit.calls")
	var okN, errN int64
	for k, v := range calls {
		switch {
		case strings.Contains(k, "cluekit.outcome=ok"):
			okN += v
		case strings.Contains(k, "cluekit.outcome=error"):
			errN += v
		}
	}
	if okN != 1 || errN != 1 {
		t.Errorf("cluekit.calls = %v, want 1 ok and 1 error", calls)
	}
	var retries int64
	for _, v := range counter(t, ms, "cluekit.retries") {
		retries += v
	}
	if retries != 1 {
		t.Errorf("cluekit.retries total = %d, want 1", retries)
	}
}

// The Observer given to a client: one span per call, one event per attempt.
func ExampleNewObserver_v3clue() {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())

	obs, err := cluekitotel.NewObserver(cluekitotel.WithTracerProvider(tp))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := v3cluetest.NewServer()
	defer srv.Close()
	c, err := v3clue.New(v3cluetest.DefaultAppID, v3cluetest.DefaultAppKey,
		v3clue.WithBaseURL(srv.URL), v3clue.WithObserver(obs))
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.GetClue(context.Background(), &v3clue.GetClueRequest{CustomerID: v3cluetest.ExampleCustomerID}); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range exp.GetSpans() {
		fmt.Printf("%s: %d attempt(s), status %s\n", s.Name, len(s.Events), s.Status.Code)
	}
	// Output:
	// cluekit v3clue clue/get: 1 attempt(s), status Unset
}
