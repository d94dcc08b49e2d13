package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// mask replaces a secret wherever the command prints one.
const mask = "****"

// scrubber knows every secret of a run (the secret variables of every
// vendor found in the environment, the fake's secrets, tokens obtained) and
// removes them, in every encoding they can take (raw, query-escaped,
// path-escaped, JSON-escaped), from everything the command prints. The SDK
// already keeps secrets out of its errors; this is the command's own
// defence in depth, so that a vendor echoing a request, a captured delivery
// or a bug here cannot print one.
type scrubber struct {
	mu    sync.Mutex
	forms []string // longest first
}

func (s *scrubber) add(secrets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range secrets {
		if v == "" {
			continue
		}
		forms := []string{v, url.QueryEscape(v), url.PathEscape(v)}
		if b, err := json.Marshal(v); err == nil {
			forms = append(forms, string(b[1:len(b)-1]))
		}
		for _, f := range forms {
			if !slices.Contains(s.forms, f) {
				s.forms = append(s.forms, f)
			}
		}
	}
	slices.SortFunc(s.forms, func(a, b string) int { return len(b) - len(a) })
}

func (s *scrubber) clean(text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.forms {
		text = strings.ReplaceAll(text, f, mask)
	}
	return text
}

// scrubWriter scrubs what is written to w, a whole line at a time (a secret
// never spans lines, but may span two writes); Flush writes what is left.
type scrubWriter struct {
	sc  *scrubber
	w   io.Writer
	mu  sync.Mutex
	buf []byte
}

func (s *scrubber) writer(w io.Writer) *scrubWriter { return &scrubWriter{sc: s, w: w} }

func (w *scrubWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if i := bytes.LastIndexByte(w.buf, '\n'); i >= 0 {
		line := w.buf[:i+1]
		if _, err := io.WriteString(w.w, w.sc.clean(string(line))); err != nil {
			return 0, err
		}
		w.buf = append(w.buf[:0], w.buf[i+1:]...)
	}
	return len(p), nil
}

// Flush writes any unterminated last line.
func (w *scrubWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		_, _ = io.WriteString(w.w, w.sc.clean(string(w.buf)))
		w.buf = w.buf[:0]
	}
}
