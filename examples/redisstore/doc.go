// Package redisstore gives N replicas of one service what one process has,
// through Redis:
//
//   - NewTokenStore: a TokenStore (WithTokenStore in wshoto, weiling, jing)
//     that shares one access token per app and locks its refresh, so that N
//     processes on a cold cache cause one token request. JING's rotating
//     pair (access and refresh token) is stored as one value.
//   - NewLimiter: a Limiter (WithLimiter in every vendor package) shared by
//     all replicas, GCRA on Redis (github.com/go-redis/redis_rate): together
//     they stay within the vendor's quota.
//   - NewDeduper: a Deduper (WithDeduper on a callback handler): an event
//     already handled by any replica is acknowledged without calling your
//     function again, a concurrent duplicate does not run it twice, and a
//     failed run releases the event so that the vendor's redelivery runs it.
//
// The types are the SDK's own (Token, ClaimState and the ClaimXxx constants
// are aliases of the ones every vendor package exports), so the values plug
// into any vendor package:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	store := redisstore.NewTokenStore(rdb, redisstore.WithPrefix("crm-sync:"))
//	lim := redisstore.NewLimiter(rdb, "wshoto:"+appID, 20, 1)
//	c, err := wshoto.New(appID, appSecret, wshoto.WithTokenStore(store), wshoto.WithLimiter(lim))
//
//	d := redisstore.NewDeduper(rdb, "crm-sync:callbacks:", 11*24*time.Hour)
//	h, err := weiling.NewCallbackHandler(token, aesKey, onEvent, weiling.WithDeduper(d))
//
// # When Redis is unreachable
//
// Every piece degrades to what one process would do on its own, and goes
// back to Redis by itself: the token store answers from the tokens this
// process holds and locks in-process, the limiter paces this process alone
// at the same rate, and the deduper deduplicates in memory. Each Redis
// command is bounded by a timeout (WithCommandTimeout) and by the caller's
// context, whatever the go-redis client's own timeouts; once a piece has
// seen Redis fail, its calls stop waiting for Redis and a background PING
// (WithProbeInterval) finds out when it is back. WithLogger reports the
// start and the end of each outage once per piece.
//
// This package is its own module (github.com/cluekit/cluekit/examples/redisstore),
// so that users who do not need Redis never download go-redis. It replaces
// examples/redistoken, whose keys it reads as they are.
package redisstore
