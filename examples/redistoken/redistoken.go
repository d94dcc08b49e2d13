// Package redistoken is a Redis-backed token store for cluekit, for services
// that run several replicas of one vendor app: the access token (and JING's
// rotating refresh token, stored together with it in one value) is shared, and
// a refresh is guarded by a Redis lock so N processes on a cold cache cause
// one token request.
//
// It lives under examples/ so that users who do not want Redis never compile
// it (and never download go-redis):
//
//	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
//	store := redistoken.New(rdb, redistoken.WithPrefix("myservice:"))
//	c, err := wshoto.New(appID, appSecret, wshoto.WithTokenStore(store))
//
// If Redis is briefly unreachable the clients keep working: a failed read
// counts as a cache miss, a failed lock lets the process fetch a token itself,
// and a failed write keeps the fresh token in process. Each of these is logged
// by the client's logger.
package redistoken

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cluekit/cluekit/internal/token"
)

// Store implements the cluekit TokenStore on Redis, plus the lock the
// clients use to make one process fetch for all.
type Store struct {
	rdb    redis.UniversalClient
	prefix string
}

// Option configures a Store.
type Option func(*Store)

// WithPrefix sets the key prefix (default "cluekit:token:").
func WithPrefix(p string) Option { return func(s *Store) { s.prefix = p } }

// New returns a Store on rdb.
func New(rdb redis.UniversalClient, opts ...Option) *Store {
	s := &Store{rdb: rdb, prefix: "cluekit:token:"}
	for _, o := range opts {
		o(s)
	}
	return s
}

var (
	_ token.Store  = (*Store)(nil)
	_ token.Locker = (*Store)(nil)
)

// Get implements the TokenStore.
func (s *Store) Get(ctx context.Context, key string) (token.Token, bool, error) {
	raw, err := s.rdb.Get(ctx, s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return token.Token{}, false, nil
	}
	if err != nil {
		return token.Token{}, false, fmt.Errorf("redistoken: get: %w", err)
	}
	var tok token.Token
	if err := json.Unmarshal(raw, &tok); err != nil {
		return token.Token{}, false, fmt.Errorf("redistoken: stored value is not a token: %w", err)
	}
	return tok, true, nil
}

// Set implements the TokenStore. The access/refresh pair is one value, so it
// is replaced atomically.
func (s *Store) Set(ctx context.Context, key string, tok token.Token, ttl time.Duration) error {
	raw, err := json.Marshal(tok)
	if err != nil {
		return err
	}
	if ttl < 0 {
		ttl = 0
	}
	if err := s.rdb.Set(ctx, s.prefix+key, raw, ttl).Err(); err != nil {
		return fmt.Errorf("redistoken: set: %w", err)
	}
	return nil
}

// deleteIfEqual removes the key only when the stored token's value is ARGV[1].
var deleteIfEqual = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, t = pcall(cjson.decode, v)
if ok and t['value'] == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// Delete implements the TokenStore: delete only if the stored token is value.
func (s *Store) Delete(ctx context.Context, key, value string) error {
	if err := deleteIfEqual.Run(ctx, s.rdb, []string{s.prefix + key}, value).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("redistoken: delete: %w", err)
	}
	return nil
}

// unlockIfOwner releases a lock only for the holder that set it.
var unlockIfOwner = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// TryLock takes the refresh lock with SET NX PX and a unique value; the
// returned unlock releases it only if this holder still owns it. A holder
// that dies releases it by expiry after ttl.
func (s *Store) TryLock(ctx context.Context, key string, ttl time.Duration) (func(context.Context) error, bool, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, false, err
	}
	owner := hex.EncodeToString(b[:])
	lockKey := s.prefix + key
	ok, err := s.rdb.SetNX(ctx, lockKey, owner, ttl).Result()
	if err != nil {
		return nil, false, fmt.Errorf("redistoken: lock: %w", err)
	}
	if !ok {
		return nil, false, nil
	}
	unlock := func(ctx context.Context) error {
		if err := unlockIfOwner.Run(ctx, s.rdb, []string{lockKey}, owner).Err(); err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("redistoken: unlock: %w", err)
		}
		return nil
	}
	return unlock, true, nil
}
