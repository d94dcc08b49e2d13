package redisstore

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// go-redis logs every failed dial to stderr; the tests kill Redis on
// purpose.
func init() { redis.SetLogger(quietRedis{}) }

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

// redisServer is a throwaway redis-server on a free loopback port, without
// persistence, killed when the test ends. Tests can kill, restart (same
// port, empty), freeze (SIGSTOP: connections stay open, nothing answers) and
// thaw it.
type redisServer struct {
	t    testing.TB
	bin  string
	Addr string
	port int

	mu  sync.Mutex
	cmd *exec.Cmd
}

// startRedis starts a redis-server. Without one on PATH the test is
// skipped, unless CLUEKIT_REQUIRE_REDIS is set (as .ci/run does): then it
// fails.
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CLUEKIT_REQUIRE_REDIS") != "" {
			t.Fatal("redis-server not found but CLUEKIT_REQUIRE_REDIS is set (apt-get install -y redis-server)")
		}
		t.Skip("redis-server not installed (apt-get install -y redis-server to run the Redis tests)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	r := &redisServer{t: t, bin: bin, port: port, Addr: fmt.Sprintf("127.0.0.1:%d", port)}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *redisServer) start() {
	r.t.Helper()
	cmd := exec.Command(r.bin, "--port", fmt.Sprint(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning")
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.mu.Lock()
	r.cmd = cmd
	r.mu.Unlock()
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer rdb.Close()
	deadline := time.Now().Add(5 * time.Second)
	for rdb.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			r.t.Fatal("redis-server did not answer PING within 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *redisServer) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		_ = r.cmd.Process.Signal(syscall.SIGCONT)
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

// Kill ends the server at once (SIGKILL): its data is gone.
func (r *redisServer) Kill() { r.stop() }

// Restart starts an empty server on the same port.
func (r *redisServer) Restart() { r.start() }

// Freeze stops the server (SIGSTOP): connections stay open, nothing answers.
func (r *redisServer) Freeze() { r.signal(syscall.SIGSTOP) }

// Thaw resumes a frozen server.
func (r *redisServer) Thaw() { r.signal(syscall.SIGCONT) }

func (r *redisServer) signal(sig syscall.Signal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		_ = r.cmd.Process.Signal(sig)
	}
}

// client returns a new go-redis client (one per simulated process), closed
// when the test ends. Its options are go-redis's defaults: the package's
// own timeouts must bound every call.
func (r *redisServer) client(t testing.TB) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: r.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// logRecorder is a slog.Handler keeping the records' levels and messages.
type logRecorder struct {
	mu   sync.Mutex
	recs []string // "WARN message piece=..."
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	l.mu.Lock()
	l.recs = append(l.recs, b.String())
	l.mu.Unlock()
	return nil
}

// count returns how many records start with prefix (e.g. "WARN").
func (l *logRecorder) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.recs {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func (l *logRecorder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.recs, "\n")
}

func (l *logRecorder) logger() *slog.Logger { return slog.New(l) }

// report logs a throughput measurement. Throughput is measured, not
// asserted: a timing threshold in a test fails on a busy machine for no
// fault of the code. The numbers to watch come from these lines (and the
// closing notes that quote them).
func report(t *testing.T, got, target float64, what string) {
	t.Helper()
	t.Logf("%s: %.3f (target %.2f)", what, got, target)
}

// eventually polls cond every 5 ms until it holds or d passes.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}
