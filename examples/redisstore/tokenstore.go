package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// TokenStore is a TokenStore and Locker on Redis, for the token packages
// (wshoto, weiling, jing: WithTokenStore). Processes that share it share one
// access token per app, and a refresh is guarded by a Redis lock, so N
// processes on a cold cache cause one token request. JING's rotating pair
// (access and refresh token) is one value, replaced at once.
//
// Each process also keeps the tokens it read or wrote in memory. While Redis
// is unreachable the store answers from that copy and takes its locks
// in-process: every process goes on with the token it has (or fetches its
// own), as a single process would, and none waits for Redis past the
// command timeout. (JING's refresh tokens rotate: replicas refreshing on
// their own may spend each other's; the client then asks for a new token.) Redis failures are not returned to the client (which
// would log each one); WithLogger reports each outage once.
//
// It is safe for concurrent use.
type TokenStore struct {
	rdb    redis.UniversalClient
	prefix string
	now    func() time.Time
	h      *health

	mu    sync.Mutex
	local map[string]localToken // the last token seen per key
	locks map[string]localLock  // locks taken while Redis was unreachable
}

// defaultLockTTL is the lock lifetime TryLock uses when given ttl <= 0 (a
// lock without expiry would outlive a holder that died).
const defaultLockTTL = 10 * time.Second

type localToken struct {
	tok     Token
	expires time.Time // zero: none
}

type localLock struct {
	owner   string
	expires time.Time
}

// NewTokenStore returns a TokenStore on rdb (a *redis.Client,
// *redis.ClusterClient, *redis.Ring or failover client). Options:
// WithPrefix, WithLogger, WithCommandTimeout, WithProbeInterval.
//
// Keys are prefix+key for a token (the JSON of the Token, expiring with it)
// and prefix+key+":lock" for the refresh lock.
func NewTokenStore(rdb redis.UniversalClient, opts ...Option) *TokenStore {
	if rdb == nil {
		panic("redisstore: NewTokenStore: nil Redis client")
	}
	o := newOptions(opts)
	return &TokenStore{
		rdb: rdb, prefix: o.prefix, now: o.now,
		h:     newHealth("token store", "uses the tokens this process holds and locks in-process", rdb, o),
		local: map[string]localToken{}, locks: map[string]localLock{},
	}
}

// Get returns the token stored under key; ok is false when there is none.
// While Redis is unreachable it returns the last token this process read or
// wrote for key.
func (s *TokenStore) Get(ctx context.Context, key string) (Token, bool, error) {
	raw, res, err := redisCall(ctx, s.h, func(ctx context.Context) ([]byte, error) {
		return s.rdb.Get(ctx, s.prefix+key).Bytes()
	})
	switch {
	case res == ctxDone:
		return Token{}, false, err
	case res == inProcess:
		return s.localGet(key)
	case errors.Is(err, redis.Nil):
		s.forget(key, "")
		return Token{}, false, nil
	}
	var tok Token
	if err := json.Unmarshal(raw, &tok); err != nil {
		return Token{}, false, fmt.Errorf("redisstore: the value under %q is not a token: %w", s.prefix+key, err)
	}
	s.remember(key, tok, tokenEnd(tok))
	return tok, true, nil
}

// Set stores tok under key for ttl (ttl <= 0: no expiry). The access and
// refresh tokens are one value, so a reader never sees half a rotation.
func (s *TokenStore) Set(ctx context.Context, key string, tok Token, ttl time.Duration) error {
	raw, err := json.Marshal(tok)
	if err != nil {
		return fmt.Errorf("redisstore: encode token: %w", err)
	}
	var exp time.Time
	if ttl > 0 {
		exp = s.now().Add(ttl)
	}
	s.remember(key, tok, exp) // kept in process too, for when Redis is unreachable
	_, res, err := redisCall(ctx, s.h, func(ctx context.Context) (string, error) {
		return s.rdb.Set(ctx, s.prefix+key, raw, max(ttl, 0)).Result()
	})
	if res == ctxDone {
		return err
	}
	return nil
}

// deleteIfEqual removes KEYS[1] only when the stored token's value is ARGV[1].
var deleteIfEqual = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, t = pcall(cjson.decode, v)
if ok and type(t) == 'table' and t['value'] == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// Delete removes the token under key only if its Value equals value, in one
// Redis script: a process holding a stale token cannot delete the fresh one
// another process stored meanwhile.
func (s *TokenStore) Delete(ctx context.Context, key, value string) error {
	s.forget(key, value)
	_, res, err := redisCall(ctx, s.h, func(ctx context.Context) (int64, error) {
		return deleteIfEqual.Run(ctx, s.rdb, []string{s.prefix + key}, value).Int64()
	})
	if res == ctxDone {
		return err
	}
	return nil
}

// unlockIfOwner releases KEYS[1] only for the holder ARGV[1] that set it.
var unlockIfOwner = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// TryLock takes the lock key for at most ttl: SET NX PX with a value unique
// to this holder. ok is false while another holder has it. The returned
// unlock releases it only if this holder still owns it (a compare-and-delete
// script), so a holder whose lock expired cannot release its successor's. A
// holder that dies releases it by expiry.
//
// While Redis is unreachable the lock is taken in-process.
func (s *TokenStore) TryLock(ctx context.Context, key string, ttl time.Duration) (unlock func(context.Context) error, ok bool, err error) {
	if ttl <= 0 {
		ttl = defaultLockTTL
	}
	owner := newOwner()
	rkey := s.prefix + key
	got, res, err := redisCall(ctx, s.h, func(ctx context.Context) (bool, error) {
		return s.rdb.SetNX(ctx, rkey, owner, ttl).Result()
	})
	switch {
	case res == ctxDone:
		return nil, false, err
	case res == answered && !got:
		return nil, false, nil
	case res == answered:
		return func(ctx context.Context) error {
			s.unlockRedis(ctx, rkey, owner)
			return nil
		}, true, nil
	}
	if !s.lockLocal(key, owner, ttl) {
		return nil, false, nil
	}
	return func(ctx context.Context) error {
		s.unlockLocal(key, owner)
		// The SET NX may have reached Redis although its answer did not
		// reach us: release it too, if it is ours, rather than make the
		// other processes wait for its expiry.
		s.unlockRedis(ctx, rkey, owner)
		return nil
	}, true, nil
}

// unlockRedis releases rkey if owner holds it; a failure leaves it to expire.
func (s *TokenStore) unlockRedis(ctx context.Context, rkey, owner string) {
	_, _, _ = redisCall(ctx, s.h, func(ctx context.Context) (int64, error) {
		return unlockIfOwner.Run(ctx, s.rdb, []string{rkey}, owner).Int64()
	})
}

func (s *TokenStore) lockLocal(key, owner string, ttl time.Duration) bool {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.locks[key]; ok && now.Before(l.expires) {
		return false
	}
	s.locks[key] = localLock{owner: owner, expires: now.Add(ttl)}
	return true
}

func (s *TokenStore) unlockLocal(key, owner string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.locks[key]; ok && l.owner == owner {
		delete(s.locks, key)
	}
}

func (s *TokenStore) remember(key string, tok Token, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.local[key] = localToken{tok: tok, expires: expires}
}

// forget drops the local copy of key: any copy when value is "", else only
// a copy whose Value is value.
func (s *TokenStore) forget(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.local[key]; ok && (value == "" || e.tok.Value == value) {
		delete(s.local, key)
	}
}

func (s *TokenStore) localGet(key string) (Token, bool, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.local[key]
	if !ok {
		return Token{}, false, nil
	}
	if !e.expires.IsZero() && !now.Before(e.expires) {
		delete(s.local, key)
		return Token{}, false, nil
	}
	return e.tok, true, nil
}

// tokenEnd is when a token read back is useless: the later of its access
// and refresh expiries (zero when it has none).
func tokenEnd(t Token) time.Time {
	if t.RefreshExpiresAt.After(t.ExpiresAt) {
		return t.RefreshExpiresAt
	}
	return t.ExpiresAt
}
