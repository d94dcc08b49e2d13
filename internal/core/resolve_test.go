package core

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolve(t *testing.T) {
	t.Parallel()
	ambiguous := &CallError{Vendor: "testv", Op: "create", Attempts: 1, Err: errors.New("connection reset"), ambiguous: true}
	ambiguousAPI := NewAPIError("testv", "create", 503, "", "Service Unavailable", "req-1", nil, errUnavailable, ErrAmbiguous)
	refused := NewAPIError("testv", "create", 200, "1", "duplicate", "", nil, ErrDuplicate)
	readErr := NewAPIError("testv", "query", 500, "", "Internal Server Error", "", nil)
	// Backoff with WithRand 0.5 and the default 200 ms base: half of 200,
	// 400, 800 ms.
	waits := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}

	// answers scripts the lookups: "found", "absent", "error" or "taken".
	tests := []struct {
		name      string
		err       error
		answers   []string
		deadline  time.Duration // 0: none
		late      time.Duration // the client's clock runs this much ahead
		cancelled bool
		want      bool // resolved
		lookups   int  // lookups made
		waits     []time.Duration
		is        []error  // the final error matches
		msg       []string // the final error's text contains
	}{
		{name: "success passes through", err: nil, lookups: 0},
		{name: "non-ambiguous error passes through", err: refused, lookups: 0, is: []error{ErrDuplicate}},
		{name: "found at once", err: ambiguous, answers: []string{"found"}, want: true, lookups: 1},
		{name: "found on the third lookup (read-after-write lag)", err: ambiguous, answers: []string{"absent", "absent", "found"},
			want: true, lookups: 3, waits: waits[:2]},
		{name: "found after a failed read", err: ambiguousAPI, answers: []string{"error", "found"}, want: true, lookups: 2, waits: waits[:1]},
		{name: "never found", err: ambiguous, answers: []string{"absent", "absent", "absent", "absent", "found"},
			lookups: ResolveLookups, waits: waits, is: []error{ErrAmbiguous}, msg: []string{"connection reset", "not found by its key after 4 lookups"}},
		{name: "last read failed", err: ambiguousAPI, answers: []string{"absent", "absent", "absent", "error"},
			lookups: ResolveLookups, waits: waits, is: []error{ErrAmbiguous, errUnavailable}, msg: []string{"HTTP 503", "not resolved after 4 lookups", "HTTP 500"}},
		{name: "key taken ends the lookups", err: ambiguous, answers: []string{"taken", "found"},
			lookups: 1, is: []error{ErrAmbiguous, ErrKeyTaken}, msg: []string{"this call did not send"}},
		{name: "no lookup when the context is done", err: ambiguous, cancelled: true, answers: []string{"found"},
			lookups: 0, is: []error{ErrAmbiguous, context.Canceled}, msg: []string{"not read back"}},
		{name: "no wait past the deadline", err: ambiguous, deadline: time.Hour, late: time.Hour - 50*time.Millisecond, answers: []string{"absent", "found"},
			lookups: 1, is: []error{ErrAmbiguous}, msg: []string{"after 1 lookups"}},
		{name: "waits that fit the deadline", err: ambiguous, deadline: time.Hour, answers: []string{"absent", "found"},
			want: true, lookups: 2, waits: waits[:1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := time.Now() // the context's deadline is on the real clock; the client reads this fixed one
			h := newHarness(t, "https://api.test", nil, WithClock(func() time.Time { return now.Add(tt.late) }))
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, now.Add(tt.deadline))
				defer cancel()
			}
			err := tt.err
			if tt.cancelled {
				c, cancel := context.WithCancel(ctx)
				cancel()
				ctx = c
				err = &CallError{Vendor: "testv", Op: "create", Attempts: 1, Err: context.Canceled, ambiguous: true}
			}
			lookups := 0
			rec, ok, got := Resolve(ctx, h.client, err, func(context.Context) (string, bool, error) {
				a := tt.answers[lookups]
				lookups++
				switch a {
				case "found":
					return "rec-1", true, nil
				case "error":
					return "", false, readErr
				case "taken":
					return "", false, ErrKeyTaken
				}
				return "", false, nil
			})
			assert.Equal(t, tt.want, ok)
			assert.Equal(t, tt.lookups, lookups)
			assert.Equal(t, tt.waits, h.sleeper.Waits())
			if tt.want {
				require.NoError(t, got)
				assert.Equal(t, "rec-1", rec)
				return
			}
			assert.Empty(t, rec)
			if err == nil {
				assert.NoError(t, got)
				return
			}
			require.Error(t, got)
			if !errors.Is(err, ErrAmbiguous) {
				assert.Same(t, err, got, "a non-ambiguous error is returned as it is")
			}
			for _, s := range tt.is {
				assert.ErrorIs(t, got, s)
			}
			for _, m := range tt.msg {
				assert.Contains(t, got.Error(), m)
			}
			var ce *CallError
			var api *APIError
			assert.True(t, errors.As(got, &ce) || errors.As(got, &api), "the create's own error stays reachable")
			assert.NotContains(t, got.Error(), testSecret)
		})
	}
}

func TestResolveLogsTheOutcome(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "https://api.test", nil)
	amb := &CallError{Vendor: "testv", Op: "pool/create", Attempts: 1, Err: errors.New("EOF"), ambiguous: true}
	_, ok, err := Resolve(context.Background(), h.client, amb, func(context.Context) (int, bool, error) { return 7, true, nil })
	require.NoError(t, err)
	require.True(t, ok)
	logs := h.logs.String()
	assert.True(t, strings.Contains(logs, `"op":"pool/create"`) && strings.Contains(logs, `"resolved":true`) &&
		strings.Contains(logs, `"lookups":1`), logs)
}
