package core

import (
	"context"
	"errors"
)

// errPageRepeats reports a server that ignores the page parameter.
var errPageRepeats = errors.New("page repeats the previous page: the server ignored the page parameter")

// WalkPages drives a numbered-page iterator: it fetches page first, first+1,
// ... and yields every row. It stops after a page shorter than size (or one
// fetch reports as the last), when yield returns false, or at the first
// error, which it yields once. key identifies a row (may be nil): a page
// whose first row repeats the previous page's first row means the server
// ignores the page parameter, reported as ErrBadResponse instead of looping.
func WalkPages[T any](ctx context.Context, vendor, op string, first, size int,
	fetch func(ctx context.Context, page int) (rows []T, last bool, err error),
	key func(T) string, yield func(T, error) bool) {
	var zero T
	var prevFirst string
	for page := max(first, 1); ; page++ {
		if err := ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		rows, last, err := fetch(ctx, page)
		if err != nil {
			yield(zero, err)
			return
		}
		if len(rows) == 0 {
			return
		}
		if key != nil {
			k := key(rows[0])
			if k != "" && k == prevFirst {
				yield(zero, NewAPIError(vendor, op, 0, "", "", "", errPageRepeats, ErrBadResponse))
				return
			}
			prevFirst = k
		}
		for _, row := range rows {
			if !yield(row, nil) {
				return
			}
		}
		if last || len(rows) < size {
			return
		}
	}
}

// errCursorRepeats reports a server that hands back a cursor it already gave.
var errCursorRepeats = errors.New("next cursor repeats an earlier one: the server ignored the cursor")

// WalkCursor drives a cursor iterator: it fetches with cursor "" (or first),
// then with each next cursor the server returns, and yields every row. It
// stops when the next cursor is empty or a page is empty, when yield returns
// false, or at the first error, which it yields once. A next cursor seen
// before (A, B, A) is reported as ErrBadResponse instead of looping.
func WalkCursor[T any](ctx context.Context, vendor, op, first string,
	fetch func(ctx context.Context, cursor string) (rows []T, next string, err error),
	yield func(T, error) bool) {
	var zero T
	cursor := first
	seen := map[string]bool{first: true}
	for {
		if err := ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		rows, next, err := fetch(ctx, cursor)
		if err != nil {
			yield(zero, err)
			return
		}
		for _, row := range rows {
			if !yield(row, nil) {
				return
			}
		}
		if next == "" || len(rows) == 0 {
			return
		}
		if seen[next] {
			yield(zero, NewAPIError(vendor, op, 0, "", "", "", errCursorRepeats, ErrBadResponse))
			return
		}
		seen[next] = true
		cursor = next
	}
}
