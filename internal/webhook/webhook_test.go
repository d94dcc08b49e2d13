package webhook

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestReadBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		max     int64
		wantErr error
	}{
		{"small", "hello", 10, nil},
		{"exact", "0123456789", 10, nil},
		{"too large", "0123456789x", 10, ErrTooLarge},
		{"default cap", strings.Repeat("a", 100), 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			got, err := ReadBody(httptest.NewRecorder(), r, tt.max)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err == nil && string(got) != tt.body {
				t.Fatalf("body = %q", got)
			}
		})
	}
}

func TestEqual(t *testing.T) {
	t.Parallel()
	if !Equal("abc", "abc") || Equal("abc", "abd") || Equal("abc", "abcd") || Equal("", "x") {
		t.Fatal("Equal is wrong")
	}
}

func TestCallRecoversPanic(t *testing.T) {
	t.Parallel()
	if err := Call(func() error { panic("boom") }); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v", err)
	}
	want := errors.New("x")
	if err := Call(func() error { return want }); err != want {
		t.Fatalf("err = %v", err)
	}
	if err := Call(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestReadBodyNoBodyAndContentLength(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("POST", "/", nil)
	r.Body = nil
	if b, err := ReadBody(httptest.NewRecorder(), r, 10); err != nil || len(b) != 0 {
		t.Fatalf("nil body: %q, %v", b, err)
	}
	// A Content-Length over the cap is refused before anything is read.
	r = httptest.NewRequest("POST", "/", errOnRead{t})
	r.ContentLength = 11
	if _, err := ReadBody(httptest.NewRecorder(), r, 10); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v", err)
	}
}

type errOnRead struct{ t *testing.T }

func (e errOnRead) Read([]byte) (int, error) { e.t.Error("body read"); return 0, errors.New("read") }
