package core

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRefusingAHugeAnswerCostsNoMoreThanTheCap: a 50 MiB answer without a
// Content-Length, against an 8 MiB cap, is refused having allocated about
// the cap (chunks of at most 1 MiB), not the answer and not twice the cap.
func TestRefusingAHugeAnswerCostsNoMoreThanTheCap(t *testing.T) {
	// Not parallel: it reads the process's allocation counter.
	chunk := []byte(strings.Repeat("x", 1<<20))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"code":0,"data":"`))
		for range 50 { // 50 MiB, streamed: no Content-Length
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	const limit = 8 << 20
	h := newHarness(t, srv.URL, nil, WithMaxResponseBytes(limit), WithMaxAttempts(1))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := h.do(context.Background(), "list", false, `{}`)
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, ErrResponseTooLarge)
	require.ErrorIs(t, err, ErrBadResponse)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("refusing a 50 MiB answer with an 8 MiB cap allocated %.1f MiB", float64(allocated)/(1<<20))
	assert.Less(t, allocated, uint64(limit+3<<20), "refusing costs about the cap, never the whole answer or twice the cap")
}
