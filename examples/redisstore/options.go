package redisstore

import (
	"log/slog"
	"time"
)

// Defaults of the options.
const (
	// DefaultTokenPrefix is the key prefix of a TokenStore (the same as the
	// older examples/redistoken, whose keys it reads as they are).
	DefaultTokenPrefix = "cluekit:token:"
	// DefaultCommandTimeout bounds each Redis command; past it Redis counts
	// as unreachable. It is generous because a busy host answers late too:
	// taking a slow Redis for a dead one costs the token store an extra
	// token request.
	DefaultCommandTimeout = time.Second
	// DefaultProbeInterval is how often a piece that fell back to
	// in-process behaviour checks whether Redis is back.
	DefaultProbeInterval = time.Second
	// DefaultRunningTTL is how long a Deduper's "running" marker lives: a
	// replica that dies while running an event blocks that event's
	// redeliveries (answered 409) at most this long.
	DefaultRunningTTL = 30 * time.Second
	// DefaultDedupeTTL is how long a Deduper remembers a handled event
	// when NewDeduper is given ttl <= 0.
	DefaultDedupeTTL = 24 * time.Hour
)

// Option configures NewTokenStore, NewLimiter and NewDeduper. Each option
// says which of them it applies to; the others ignore it.
type Option func(*options)

type options struct {
	prefix     string
	logger     *slog.Logger
	timeout    time.Duration
	probe      time.Duration
	runningTTL time.Duration
	now        func() time.Time
}

func newOptions(opts []Option) options {
	o := options{prefix: DefaultTokenPrefix, timeout: DefaultCommandTimeout, probe: DefaultProbeInterval,
		runningTTL: DefaultRunningTTL, now: time.Now}
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// WithPrefix sets the prefix of the TokenStore's Redis keys (default
// DefaultTokenPrefix). The clients' keys already name the vendor and the
// app ("wshoto:"+appID); a prefix separates services or environments that
// share one Redis. TokenStore only.
func WithPrefix(p string) Option { return func(o *options) { o.prefix = p } }

// WithLogger sets where a piece reports that Redis became unreachable (one
// warning when it falls back to in-process behaviour) and reachable again
// (one info record), once per outage. Default: silent.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithCommandTimeout bounds each Redis command (default
// DefaultCommandTimeout), whatever the go-redis client's own timeouts: a
// command that takes longer counts as Redis being unreachable, and the call
// goes on in-process. The caller's context bounds it too. Only the calls
// under way when Redis stops answering wait that long: the piece then
// works in-process until Redis is back. A Deduper behind a vendor with a
// short deadline (weiling waits 1 s for its answer) may want less, e.g.
// 300 ms.
func WithCommandTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// WithProbeInterval sets how often a piece that fell back to in-process
// behaviour checks whether Redis is back (default DefaultProbeInterval): a
// PING in the background, sent only while the piece is being used. Calls
// never wait for it.
func WithProbeInterval(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.probe = d
		}
	}
}

// WithRunningTTL sets how long a Deduper's "running" marker lives (default
// DefaultRunningTTL, at most the Deduper's ttl). Choose it longer than your
// callback function ever runs. Deduper only.
func WithRunningTTL(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.runningTTL = d
		}
	}
}
