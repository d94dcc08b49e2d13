package token

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// FetchFunc obtains a new token. current is the last stored token (ok=false
// when none), so vendors with refresh tokens can refresh instead of
// re-authenticating.
type FetchFunc func(ctx context.Context, current Token, ok bool) (Token, error)

// Source hands out a valid token for one key, fetching it at most once at a
// time for all concurrent callers.
type Source struct {
	key    string
	store  Store
	fetch  FetchFunc
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	logger *slog.Logger

	// FetchTimeout bounds one fetch, which runs detached from any single
	// caller's context so that one impatient caller cannot fail the others.
	fetchTimeout time.Duration
	lockTTL      time.Duration
	pollEvery    time.Duration

	group   singleflight.Group
	observe func(ctx context.Context, refresh bool, d time.Duration, err error)
	fetchMu sync.Mutex // one fetch at a time in this process (normal or forced)

	mu       sync.Mutex
	fallback Token // used only while the store cannot be written
	last     Token // the newest token this Source obtained: its refresh token outlives an invalidated access token
	// replacing is set by Invalidate; the next token fetched is then the
	// replacement of a refused one, remembered in replacement.
	replacing   bool
	replacement string
}

// SourceConfig configures NewSource. Zero values get sensible defaults.
type SourceConfig struct {
	Key          string // cache key; include the vendor and app id
	Store        Store
	Fetch        FetchFunc
	Now          func() time.Time
	Sleep        func(context.Context, time.Duration) error
	Logger       *slog.Logger
	FetchTimeout time.Duration // default 30 s
	LockTTL      time.Duration // default 10 s
	PollEvery    time.Duration // default 100 ms
	// Observe, when set, is called after each fetch with whether it was a
	// refresh-token exchange, its duration and its error.
	Observe func(ctx context.Context, refresh bool, d time.Duration, err error)
}

// NewSource builds a Source.
func NewSource(c SourceConfig) *Source {
	s := &Source{key: c.Key, store: c.Store, fetch: c.Fetch, now: c.Now, sleep: c.Sleep, logger: c.Logger,
		fetchTimeout: c.FetchTimeout, lockTTL: c.LockTTL, pollEvery: c.PollEvery, observe: c.Observe}
	if s.now == nil {
		s.now = time.Now
	}
	if s.sleep == nil {
		s.sleep = func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.fetchTimeout <= 0 {
		s.fetchTimeout = 30 * time.Second
	}
	if s.lockTTL <= 0 {
		s.lockTTL = 10 * time.Second
	}
	if s.pollEvery <= 0 {
		s.pollEvery = 100 * time.Millisecond
	}
	return s
}

// Fresh reports whether tok is usable now: it expires later than a margin of
// min(5 minutes, a fifth of its lifetime) from now.
func Fresh(tok Token, now time.Time) bool {
	if tok.Value == "" {
		return false
	}
	if tok.ExpiresAt.IsZero() {
		return true
	}
	margin := 5 * time.Minute
	if !tok.ObtainedAt.IsZero() {
		if life := tok.ExpiresAt.Sub(tok.ObtainedAt) / 5; life < margin {
			margin = life
		}
	}
	return now.Add(margin).Before(tok.ExpiresAt)
}

// Token returns a fresh token, fetching one if needed. Each caller waits on
// its own ctx; the shared fetch goes on for the others.
func (s *Source) Token(ctx context.Context) (Token, error) {
	if err := ctx.Err(); err != nil {
		return Token{}, err // a caller that gave up starts no fetch
	}
	if tok, ok := s.cached(ctx); ok {
		return tok, nil
	}
	ch := s.group.DoChan(s.key, func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.fetchTimeout)
		defer cancel()
		return s.refresh(fctx)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return Token{}, r.Err
		}
		return r.Val.(Token), nil
	case <-ctx.Done():
		return Token{}, ctx.Err()
	}
}

// Invalidate drops value from the cache if it is still the cached token, and
// reports whether the caller should replay with a new one. Call it when the
// vendor says a token is invalid.
//
// A token this Source fetched because an earlier one was refused, and that
// is refused again, is not invalidated again: the vendor's "invalid token"
// code then means "no permission", not "stale token", and an endpoint that
// always refuses must not cost a token request per call (wshoto throttles
// its token endpoint). Such a token is used until it expires.
func (s *Source) Invalidate(ctx context.Context, value string) bool {
	s.mu.Lock()
	if value != "" && value == s.replacement {
		s.mu.Unlock()
		return false
	}
	s.replacing = true
	s.mu.Unlock()
	if err := s.store.Delete(ctx, s.key, value); err != nil {
		s.logger.WarnContext(ctx, "cluekit: token store delete failed", "key", s.key, "error", err.Error())
	}
	s.mu.Lock()
	if s.fallback.Value == value {
		s.fallback = Token{}
	}
	s.mu.Unlock()
	return true
}

func (s *Source) cached(ctx context.Context) (Token, bool) {
	tok, ok, err := s.store.Get(ctx, s.key)
	if err != nil {
		s.logger.WarnContext(ctx, "cluekit: token store read failed", "key", s.key, "error", err.Error())
	}
	if ok && Fresh(tok, s.now()) {
		return tok, true
	}
	s.mu.Lock()
	fb := s.fallback
	s.mu.Unlock()
	if Fresh(fb, s.now()) {
		return fb, true
	}
	return Token{}, false
}

// Refresh fetches a new token now even if the cached one is fresh (for
// example to rotate a refresh token on purpose). It is single-flight per key,
// serialised with ordinary fetches, and takes the cross-process lock when the
// store has one.
func (s *Source) Refresh(ctx context.Context) (Token, error) {
	if err := ctx.Err(); err != nil {
		return Token{}, err // never rotate a token pair for a caller that gave up
	}
	ch := s.group.DoChan(s.key+"\x00refresh", func() (any, error) {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.fetchTimeout)
		defer cancel()
		var tok Token
		err := s.locked(fctx, func() error {
			var err error
			tok, err = s.fetchAndStore(fctx)
			return err
		})
		return tok, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return Token{}, r.Err
		}
		return r.Val.(Token), nil
	case <-ctx.Done():
		return Token{}, ctx.Err()
	}
}

func (s *Source) refresh(ctx context.Context) (Token, error) {
	if tok, ok := s.cached(ctx); ok {
		return tok, nil
	}
	var tok Token
	err := s.locked(ctx, func() error {
		// Another process (or a forced Refresh) may have stored a fresh
		// token while this one waited for the lock.
		if t, ok := s.cached(ctx); ok {
			tok = t
			return nil
		}
		var err error
		tok, err = s.fetchAndStore(ctx)
		return err
	})
	return tok, err
}

// locked runs fn holding the in-process fetch mutex and, when the store is a
// Locker, the store's lock for this key, polling while another holder has it
// (a holder that died releases it by expiry). If the lock cannot be reached,
// fn runs without it: a shared store that is briefly unreachable must not
// stop the client.
func (s *Source) locked(ctx context.Context, fn func() error) error {
	s.fetchMu.Lock()
	defer s.fetchMu.Unlock()
	l, ok := s.store.(Locker)
	if !ok {
		err := fn()
		return err
	}
	for {
		unlock, got, err := l.TryLock(ctx, s.key+":lock", s.lockTTL)
		if err != nil {
			s.logger.WarnContext(ctx, "cluekit: token lock unavailable, fetching without it", "key", s.key, "error", err.Error())
			err := fn()
			return err
		}
		if got {
			defer func() {
				if err := unlock(context.WithoutCancel(ctx)); err != nil {
					s.logger.WarnContext(ctx, "cluekit: token unlock failed", "key", s.key, "error", err.Error())
				}
			}()
			err := fn()
			return err
		}
		if err := s.sleep(ctx, s.pollEvery); err != nil {
			return err
		}
	}
}

// fetchAndStore calls the fetch function with the newest token known (the
// stored one, or the last one this Source obtained, whose refresh token is
// still good after its access token was invalidated), then stores the result.
func (s *Source) fetchAndStore(ctx context.Context) (Token, error) {
	current, ok, err := s.store.Get(ctx, s.key)
	if err != nil {
		ok = false
	}
	s.mu.Lock()
	for _, t := range []Token{s.fallback, s.last} {
		if (t.Value != "" || t.Refresh != "") && (!ok || t.ObtainedAt.After(current.ObtainedAt)) {
			current, ok = t, true
		}
	}
	s.mu.Unlock()
	started := time.Now()
	tok, err := s.fetch(ctx, current, ok)
	if s.observe != nil {
		s.observe(ctx, ok && current.Refresh != "", time.Since(started), err)
	}
	if err != nil {
		return Token{}, err
	}
	if tok.ObtainedAt.IsZero() {
		tok.ObtainedAt = s.now()
	}
	s.mu.Lock()
	s.last = tok
	if s.replacing {
		s.replacing, s.replacement = false, tok.Value
	}
	s.mu.Unlock()
	ttl := time.Duration(0)
	end := tok.ExpiresAt
	if tok.RefreshExpiresAt.After(end) {
		end = tok.RefreshExpiresAt
	}
	if !end.IsZero() {
		ttl = end.Sub(s.now())
	}
	if err := s.store.Set(ctx, s.key, tok, ttl); err != nil {
		s.logger.WarnContext(ctx, "cluekit: token store write failed; using the fresh token anyway", "key", s.key, "error", err.Error())
		s.mu.Lock()
		s.fallback = tok
		s.mu.Unlock()
		return tok, nil
	}
	s.mu.Lock()
	s.fallback = Token{}
	s.mu.Unlock()
	return tok, nil
}
