// Package perf holds cluekit's performance evidence: Go benchmarks that run
// each SDK path side by side with a hand-written baseline in the same run,
// reported as ratios, plus tests for the properties the benchmarks measure
// (one token request for 1 000 cold callers, no rate-limit rejections).
// It has only _test files. Nothing here has a timing threshold; every
// server is an httptest loopback server or a vendor fake.
//
//	go test -run '^$' -bench . -benchmem -count 5 ./internal/perf/
//	go test -run '^$' -bench . -benchtime 1x ./internal/perf/   # CI smoke
//
// Benchmarks (method and latest numbers: README.md in this folder):
//   - BenchmarkCall<Vendor>: one typed call per vendor on a realistic page
//     (100 rows), sub-benchmarks sdk and raw (net/http + encoding/json doing
//     the same wire work and decoding into plain structs, not the SDK's
//     types) and interleaved (both in turn, their ratio).
//   - BenchmarkObserverOverhead: the same call with and without a no-op
//     Observer.
//   - BenchmarkColdToken: 1 000 concurrent callers on a cold token cache,
//     per token vendor, against its fake; reports token-requests/op.
//   - BenchmarkRateLimitedCreates: waiqin365 creates at WithRateLimit(R, b)
//     against a fake enforcing exactly (R, b); reports throughput/R, 429s
//     and failed creates.
//   - BenchmarkWebhook<Vendor>: verify+decrypt+decode vs json.Unmarshal of
//     the same plaintext into a map, and the whole http.Handler for scale.
//   - BenchmarkIteratorHeap: peak heap while iterating 10k and 100k leads
//     with waiqin365 AllSalesLeads, the fake running in a child process so
//     only the SDK's heap is measured.
package perf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var ctx = context.Background()

// fixture reads a vendor's testdata file.
func fixture(tb testing.TB, vendor, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", vendor, "testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// staticServer answers each path with a fixed JSON body (a key ending in
// "/" matches every path under it; any other path: 404), after draining
// the request body.
func staticServer(tb testing.TB, routes map[string][]byte) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		body, ok := routes[r.URL.Path]
		for prefix, b := range routes {
			if !ok && strings.HasSuffix(prefix, "/") && strings.HasPrefix(r.URL.Path, prefix) {
				body, ok = b, true
			}
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		_, _ = w.Write(body)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// replicate repeats the JSON value item n times in a JSON array, replacing
// every occurrence of id with a distinct id of the same length per copy.
func replicate(tb testing.TB, item []byte, id string, n int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(bytes.ReplaceAll(item, []byte(id), []byte(fmt.Sprintf("%s%05d", id[:len(id)-5], i))))
	}
	buf.WriteByte(']')
	if !json.Valid(buf.Bytes()) {
		tb.Fatal("replicate: invalid JSON")
	}
	return buf.Bytes()
}

// must fails the benchmark or test on err.
func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
