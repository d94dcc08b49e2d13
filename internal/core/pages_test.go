package core

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWalkPages(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	tests := []struct {
		name      string
		pages     map[int][]string // rows per page; a missing page is empty
		errAt     int
		lastAt    int
		stopAfter int
		wantRows  []string
		wantPages []int
		wantErr   error
	}{
		{name: "short last page", pages: map[int][]string{1: {"a", "b"}, 2: {"c"}}, wantRows: []string{"a", "b", "c"}, wantPages: []int{1, 2}},
		{name: "empty last page", pages: map[int][]string{1: {"a", "b"}}, wantRows: []string{"a", "b"}, wantPages: []int{1, 2}},
		{name: "fetch says last", pages: map[int][]string{1: {"a", "b"}, 2: {"c", "d"}}, lastAt: 1, wantRows: []string{"a", "b"}, wantPages: []int{1}},
		{name: "caller stops", pages: map[int][]string{1: {"a", "b"}, 2: {"c", "d"}}, stopAfter: 3, wantRows: []string{"a", "b", "c"}, wantPages: []int{1, 2}},
		{name: "error yielded once", pages: map[int][]string{1: {"a", "b"}}, errAt: 2, wantRows: []string{"a", "b"}, wantPages: []int{1, 2}, wantErr: boom},
		{name: "server ignores page", pages: map[int][]string{1: {"a", "b"}, 2: {"a", "b"}}, wantRows: []string{"a", "b"}, wantPages: []int{1, 2}, wantErr: ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var pages []int
			fetch := func(_ context.Context, page int) ([]string, bool, error) {
				pages = append(pages, page)
				if page == tt.errAt {
					return nil, false, boom
				}
				return tt.pages[page], page == tt.lastAt, nil
			}
			var rows []string
			var errs []error
			WalkPages(context.Background(), "v", "op", 0, 2, fetch, func(s string) string { return s }, func(s string, err error) bool {
				if err != nil {
					errs = append(errs, err)
					return true
				}
				rows = append(rows, s)
				return tt.stopAfter == 0 || len(rows) < tt.stopAfter
			})
			assert.Equal(t, tt.wantRows, rows)
			assert.Equal(t, tt.wantPages, pages)
			if tt.wantErr == nil {
				assert.Empty(t, errs)
			} else {
				require.Len(t, errs, 1, fmt.Sprint(errs))
				assert.ErrorIs(t, errs[0], tt.wantErr)
			}
		})
	}
}

func TestWalkPagesStopsOnCancelledContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var errs []error
	WalkPages(ctx, "v", "op", 1, 2, func(context.Context, int) ([]int, bool, error) {
		t.Fatal("fetched with a cancelled context")
		return nil, false, nil
	}, nil, func(_ int, err error) bool { errs = append(errs, err); return true })
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
}

func TestWalkCursor(t *testing.T) {
	t.Parallel()
	pages := map[string]struct {
		rows []int
		next string
	}{
		"":  {[]int{1, 2}, "a"},
		"a": {[]int{3}, "b"},
		"b": {[]int{4}, ""},
		"r": {[]int{9}, "r"},
		"x": {[]int{5}, "y"},
		"y": {[]int{6}, "x"},
	}
	fetch := func(_ context.Context, c string) ([]int, string, error) {
		p := pages[c]
		return p.rows, p.next, nil
	}
	tests := []struct {
		name    string
		first   string
		stop    int
		want    []int
		wantErr bool
	}{
		{"walks to the end", "", 0, []int{1, 2, 3, 4}, false},
		{"caller stops", "", 3, []int{1, 2, 3}, false},
		{"repeated cursor", "r", 0, []int{9}, true},
		{"cursor loop", "x", 0, []int{5, 6}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []int
			var gotErr error
			WalkCursor(context.Background(), "v", "op", tt.first, fetch, func(v int, err error) bool {
				if err != nil {
					gotErr = err
					return false
				}
				got = append(got, v)
				return tt.stop == 0 || len(got) < tt.stop
			})
			assert.Equal(t, tt.want, got)
			if tt.wantErr {
				assert.ErrorIs(t, gotErr, ErrBadResponse)
			} else {
				assert.NoError(t, gotErr)
			}
		})
	}
}
