// Package token caches vendor access tokens: a Store interface with an
// in-memory default, and a Source that fetches once for all concurrent
// callers (per key, and across processes when the store can lock).
package token

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Token is one cached credential. Refresh and RefreshExpiresAt are used by
// vendors whose refresh tokens rotate (JING): the pair is stored together so
// that one Set replaces both at once.
type Token struct {
	Value            string    `json:"value"`
	ExpiresAt        time.Time `json:"expires_at"`
	ObtainedAt       time.Time `json:"obtained_at"`
	Refresh          string    `json:"refresh,omitempty"`
	RefreshExpiresAt time.Time `json:"refresh_expires_at,omitzero"`
}

// String hides the secret values, so a Token that ends up in a log line or an
// error message leaks nothing.
func (t Token) String() string { return "token.Token{[redacted]}" }

// GoString hides the secret values from %#v as well.
func (t Token) GoString() string { return t.String() }

// Store persists tokens. Implementations must be safe for concurrent use.
type Store interface {
	// Get returns the token stored under key; ok is false when there is none
	// (or it has expired).
	Get(ctx context.Context, key string) (tok Token, ok bool, err error)
	// Set stores tok under key for ttl.
	Set(ctx context.Context, key string, tok Token, ttl time.Duration) error
	// Delete removes the token under key only if its Value equals value, so a
	// caller holding a stale token cannot delete a fresh one.
	Delete(ctx context.Context, key, value string) error
}

// Locker is implemented by stores shared between processes (e.g. Redis) so
// that only one process fetches a token at a time.
type Locker interface {
	// TryLock takes the refresh lock for key for at most ttl. ok is false
	// when another holder has it. unlock releases it only if still owned.
	TryLock(ctx context.Context, key string, ttl time.Duration) (unlock func(context.Context) error, ok bool, err error)
}

// MemoryStore is the default in-process Store.
type MemoryStore struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]memEntry
}

type memEntry struct {
	tok    Token
	expiry time.Time
}

// NewMemoryStore returns an empty store; now may be nil (time.Now).
func NewMemoryStore(now func() time.Time) *MemoryStore {
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{now: now, m: map[string]memEntry{}}
}

// Get implements Store.
func (s *MemoryStore) Get(_ context.Context, key string) (Token, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	if !ok {
		return Token{}, false, nil
	}
	if !e.expiry.IsZero() && !s.now().Before(e.expiry) {
		delete(s.m, key)
		return Token{}, false, nil
	}
	return e.tok, true, nil
}

// Set implements Store.
func (s *MemoryStore) Set(_ context.Context, key string, tok Token, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var exp time.Time
	if ttl > 0 {
		exp = s.now().Add(ttl)
	}
	s.m[key] = memEntry{tok: tok, expiry: exp}
	return nil
}

// Delete implements Store.
func (s *MemoryStore) Delete(_ context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[key]; ok && e.tok.Value == value {
		delete(s.m, key)
	}
	return nil
}

// ErrStoreWrite is logged (never returned) when a fresh token could not be
// saved: the token is still used.
var ErrStoreWrite = errors.New("token store write failed")
