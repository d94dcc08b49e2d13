package main

import (
	"context"
	"time"
)

// tokenCheck is check for the token vendors (wshoto, weiling, jing): obtain
// an access token, never print it, print its expiry as stored by the SDK.
func (s *session) tokenCheck(ctx context.Context, r report, get func(context.Context) (string, error), rec *tokenRecorder, note string) error {
	start := time.Now()
	tok, err := get(ctx)
	took := time.Since(start).Round(time.Millisecond)
	s.sc.add(tok)
	_, tokens := s.counts()
	if err != nil {
		r.row("latency", "%s (%s)", took, plural(tokens, "token request"))
		return err
	}
	r.row("check", "access token obtained (%d characters, not shown)", len(tok))
	r.row("latency", "%s (%s)", took, plural(tokens, "token request"))
	t, ok := rec.last()
	if !ok {
		r.row("expires", "unknown")
		return nil
	}
	r.row("expires", "%s", fmtExpiry(t.ExpiresAt, time.Now()))
	if !t.RefreshExpiresAt.IsZero() {
		r.row("refresh token", "expires %s (not shown)", fmtExpiry(t.RefreshExpiresAt, time.Now()))
	}
	if note != "" {
		r.row("note", "%s", note)
	}
	return nil
}
