// Package conformance checks every vendor client against its fake server,
// over real loopback HTTP, for the outcomes the README "Retries" table
// promises: a fault matrix (one cell per fault, for a read and a create),
// a soak of creates under random faults (no duplicates, no lost or
// phantom creates, ErrAmbiguous only when the outcome is unknown), a
// secrets audit of every error string and log line, and a concurrent
// stress run under -race.
//
// The package holds only tests. The shared drivers are matrix_test.go,
// soak_test.go and stress_test.go; each vendor is one small adapter file
// (vendor_<name>_test.go) that says how to start its fake, build a client,
// make one read and one create, and find what the fake stored.
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/internal/token"
)

// warmUpPath is requested (outside the SDK) to pool a connection.
const warmUpPath = "/conformance-warm-up"

// faultHeader tags the status faults this package injects, so that the
// wire recorder can tell an injected answer from a real one.
const faultHeader = "X-Conformance-Fault"

// adapter describes one vendor for the shared drivers.
type adapter struct {
	name string
	// tokenOps are the fake's op names of the token endpoints (empty for
	// signed vendors).
	tokenOps []string
	// readOp/readCall: the fake op and the SDK call of the read cell.
	readOp, readCall string
	// readIsTokenFetch: the read is the token request itself (jing, whose
	// only idempotent typed call is AccessToken): it runs on a cold cache.
	readIsTokenFetch bool
	// createOp/createCall: the fake op and the SDK call of the create cell
	// ("" when the vendor has none).
	createOp, createCall string
	// note explains a read or create cell that is not the obvious one.
	note string
	// otherBody is a 200 answer in the vendor's envelope with a business
	// code the SDK maps to nothing (final, not retried); otherCode is that
	// code as APIError.Code reports it.
	otherBody []byte
	otherCode string
	// editOp is the fake op of the stress edit ("" = no edit call).
	editOp string
	// start starts a fresh fake and returns its environment.
	start func(t testing.TB) *env
}

// env is one running fake plus what the drivers need to use it.
type env struct {
	url    string         // the fake's base URL
	faults *fake.Injector // the fake's fault injector (and request counter)
	// close stops the fake and waits for its handlers (idempotent; also
	// registered with t.Cleanup).
	close func()
	// static are the long-lived secrets (app key / app secret).
	static []string
	// newClient builds an SDK client for base with the given options
	// (options of this package come last and win).
	newClient func(base string, v clientVariant, opts ...core.Option) (*client, error)
	// invalidate revokes the live access token(s) at the fake (nil: no
	// tokens).
	invalidate func()
	// stored counts the records the fake holds, per create key.
	stored func() map[string]int
	// seedEditable makes n records to edit (stress) and returns their keys.
	seedEditable func(t testing.TB, c *client, n int) []string
	// edited returns the edited field of the record with the given key.
	edited func(key string) string
	// liveTokens returns the tokens the fake currently knows (issued and
	// not revoked or expired), read from the fake itself.
	liveTokens func() []string
	// wireSecrets returns the per-request secrets (digests, signatures)
	// found in recorded traffic, after checking each one is what the
	// vendor's recipe gives for the bytes sent.
	wireSecrets func(t testing.TB, recs []wireRec) []string
}

// clientVariant selects vendor-specific client settings of a cell.
type clientVariant struct {
	// noInvalidTokenCodes builds a jing client without
	// WithInvalidTokenCodes (its default).
	noInvalidTokenCodes bool
}

// client is one SDK client reduced to the calls the drivers make.
type client struct {
	read   func(ctx context.Context) error
	create func(ctx context.Context, key string) error
	edit   func(ctx context.Context, key, value string) error // nil: no edit
	// accessToken returns the client's current access token (nil for
	// signed vendors).
	accessToken func(ctx context.Context) (string, error)
}

// warm makes the client obtain its token (no-op for signed vendors).
func (c *client) warm(ctx context.Context) error {
	if c.accessToken == nil {
		return nil
	}
	_, err := c.accessToken(ctx)
	return err
}

// mobiles gives every key its own mobile number (stable per key, never
// shared by two keys of one test binary).
var mobiles = struct {
	sync.Mutex
	byKey map[string]string
	taken map[string]bool
}{byKey: map[string]string{}, taken: map[string]bool{}}

// mobileFor returns a unique, valid-looking mobile number for a key.
func mobileFor(key string) string {
	mobiles.Lock()
	defer mobiles.Unlock()
	if m, ok := mobiles.byKey[key]; ok {
		return m
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	n := h.Sum64() % 100_000_000
	for {
		m := fmt.Sprintf("139%08d", n)
		if !mobiles.taken[m] {
			mobiles.taken[m], mobiles.byKey[key] = true, m
			return m
		}
		n = (n + 1) % 100_000_000
	}
}

// ---- the wire recorder ----

// wireRec is one HTTP attempt as the client sent it and got it back.
type wireRec struct {
	Method     string
	URL        *url.URL
	Header     http.Header
	Body       []byte
	Status     int // 0 when no answer arrived
	RespHeader http.Header
	RespBody   []byte
	Err        error
}

// fault is the injected fault tag of the answer ("" = a real answer).
func (r wireRec) fault() string {
	if r.Err != nil {
		return "transport error"
	}
	return r.RespHeader.Get(faultHeader)
}

// wire is an http.RoundTripper that records every attempt (request and
// answer) on its way to a real http.Transport.
type wire struct {
	next http.RoundTripper
	mu   sync.Mutex
	recs []wireRec
}

func newWire() *wire {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 200
	return &wire{next: tr}
}

// RoundTrip implements http.RoundTripper. The request is not modified: the
// body is read from GetBody (a copy). The answer's body is recorded as the
// client reads it, so a failure while reading it reaches the client as it
// would without the recorder.
func (w *wire) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := wireRec{Method: req.Method, URL: req.URL, Header: req.Header.Clone()}
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody != nil {
			if rc, err := req.GetBody(); err == nil {
				rec.Body, _ = io.ReadAll(rc)
				_ = rc.Close()
			}
		} else {
			b, err := io.ReadAll(req.Body)
			_ = req.Body.Close()
			if err != nil {
				return nil, err
			}
			rec.Body = b
			req = req.Clone(req.Context())
			req.Body = io.NopCloser(bytes.NewReader(b))
		}
	}
	resp, err := w.next.RoundTrip(req)
	rec.Err = err
	if err == nil {
		rec.Status, rec.RespHeader = resp.StatusCode, resp.Header.Clone()
	}
	w.mu.Lock()
	i := len(w.recs)
	w.recs = append(w.recs, rec)
	w.mu.Unlock()
	if err == nil {
		resp.Body = &teeBody{rc: resp.Body, w: w, i: i}
	}
	return resp, err
}

// teeBody records an answer's body as it is read; a read error is
// recorded as the attempt's error.
type teeBody struct {
	rc  io.ReadCloser
	w   *wire
	i   int
	buf bytes.Buffer
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.buf.Write(p[:n])
	if err != nil {
		b.w.mu.Lock()
		b.w.recs[b.i].RespBody = append([]byte(nil), b.buf.Bytes()...)
		if err != io.EOF {
			b.w.recs[b.i].Err = err
		}
		b.w.mu.Unlock()
	}
	return n, err
}

func (b *teeBody) Close() error {
	b.w.mu.Lock()
	if b.w.recs[b.i].RespBody == nil {
		b.w.recs[b.i].RespBody = append([]byte(nil), b.buf.Bytes()...)
	}
	b.w.mu.Unlock()
	return b.rc.Close()
}

// records returns the attempts recorded so far.
func (w *wire) records() []wireRec {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]wireRec(nil), w.recs...)
}

// since returns the attempts recorded after the first n.
func (w *wire) since(n int) []wireRec {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]wireRec(nil), w.recs[n:]...)
}

// len reports how many attempts were recorded.
func (w *wire) len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.recs)
}

// closedURL returns an http base URL on loopback where nothing listens
// (connection refused), with the given path prefix.
func closedURL(t testing.TB, prefix string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr + prefix
}

// pathPrefix returns the path of a base URL ("" or e.g. "/apiServer").
func pathPrefix(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Path
}

// ---- instrumentation shared by every run ----

// rig is the per-run instrumentation: recorded wire, logger, sleeper and
// the token store shared by the clients of one env.
type rig struct {
	wire    *wire
	hc      *http.Client
	logger  *slog.Logger
	logs    *testkit.Buffer
	sleeper *testkit.Sleeper
	store   token.Store
}

func newRig() *rig {
	w := newWire()
	l, buf := testkit.Logger()
	return &rig{wire: w, hc: &http.Client{Transport: w}, logger: l, logs: buf, sleeper: &testkit.Sleeper{},
		store: token.NewMemoryStore(nil)}
}

// options are the instrumentation options: recorded transport, debug
// logger, instant sleeper, fixed jitter and the shared token store.
func (r *rig) options(extra ...core.Option) []core.Option {
	opts := []core.Option{
		core.WithHTTPClient(r.hc),
		core.WithLogger(r.logger),
		core.WithSleep(r.sleeper.Sleep),
		core.WithRand(func() float64 { return 0.5 }),
		core.WithTokenStore(r.store),
	}
	return append(opts, extra...)
}

// ---- secrets ----

// secretKeys are the names under which tokens and credentials travel in
// queries, headers and JSON bodies of the five vendors.
var secretKeys = map[string]bool{
	"access_token": true, "refresh_token": true, "app_secret": true, "appsecret": true,
	"appkey": true, "sign": true,
}

// genericWireSecrets collects every value sent or received under a
// secret-bearing name: query parameters, headers, and JSON members of
// request and response bodies (at any depth).
func genericWireSecrets(recs []wireRec) []string {
	var out []string
	add := func(v string) {
		if len(v) >= 8 {
			out = append(out, v)
		}
	}
	for _, r := range recs {
		for k, vs := range r.URL.Query() {
			if secretKeys[strings.ToLower(k)] {
				for _, v := range vs {
					add(v)
				}
			}
		}
		for k, vs := range r.Header {
			if secretKeys[strings.ToLower(k)] {
				for _, v := range vs {
					add(v)
				}
			}
		}
		for _, b := range [][]byte{r.Body, r.RespBody} {
			var v any
			if json.Unmarshal(b, &v) == nil {
				walkJSON(v, add)
			}
		}
	}
	return out
}

func walkJSON(v any, add func(string)) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if s, ok := x.(string); ok && secretKeys[strings.ToLower(k)] {
				add(s)
			}
			walkJSON(x, add)
		}
	case []any:
		for _, x := range t {
			walkJSON(x, add)
		}
	}
}

// dedupe returns the distinct non-empty strings of v.
func dedupe(v []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range v {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// secretSet is what one run must not leak, by where it was found.
type secretSet struct {
	static []string // app key / app secret
	tokens []string // tokens the fake knows and the client holds
	wire   []string // values sent or received under a secret name
	signed []string // per-request digests / signatures, recomputed
}

func (s secretSet) all() []string {
	return dedupe(append(append(append(append([]string(nil), s.static...), s.tokens...), s.wire...), s.signed...))
}

// collectSecrets gathers the secrets of one run: the static ones, the
// live tokens read from the fake and the client, everything that
// travelled under a secret-bearing name, and the per-request digests and
// signatures (each checked against the vendor's recipe).
func collectSecrets(t testing.TB, e *env, c *client, r *rig) secretSet {
	t.Helper()
	var recs []wireRec
	for _, rec := range r.wire.records() {
		if !strings.HasSuffix(rec.URL.Path, warmUpPath) { // not the SDK's
			recs = append(recs, rec)
		}
	}
	s := secretSet{static: e.static, wire: genericWireSecrets(recs)}
	if e.wireSecrets != nil {
		s.signed = e.wireSecrets(t, recs)
	}
	if e.liveTokens != nil {
		s.tokens = append(s.tokens, e.liveTokens()...)
	}
	if c != nil && c.accessToken != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if tok, err := c.accessToken(ctx); err == nil {
			s.tokens = append(s.tokens, tok)
		}
		cancel()
	}
	s.tokens = dedupe(s.tokens)
	return s
}

// auditRun checks one run (a matrix cell, a soak, a stress run) for
// leaked secrets: every error string and every log line against every
// secret of collectSecrets. It records everything for the global audit.
func auditRun(t testing.TB, e *env, c *client, r *rig, errs []string) {
	t.Helper()
	set := collectSecrets(t, e, c, r)
	secrets := set.all()
	logs := r.logs.String()
	texts := append(append([]string(nil), errs...), logs)
	// Long-lived secrets and tokens (a handful): testkit.NoSecrets over
	// every text. All secrets, per-request digests and signatures included
	// (thousands in a soak): an exact word index first, then
	// testkit.NoSecrets on the texts that hold one, so the failure reads
	// the same.
	few := append(append([]string(nil), set.static...), set.tokens...)
	for _, txt := range texts {
		testkit.NoSecrets(t, txt, few...)
	}
	for _, l := range findLeaks(texts, secrets) {
		testkit.NoSecrets(t, l.text, l.secret)
	}
	globalAudit.add(secrets, errs, logs)
}

// isWordRune reports whether r can be part of a secret: every secret of
// the five vendors (hex, base64url, UUIDs, the fakes' keys) is one run of
// letters, digits, '-' and '_'.
func isWordRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

type leak struct{ secret, text string }

// findLeaks returns every (secret, text) pair where the secret occurs in
// the text. A secret made of word runes occurs in a text only inside one
// of its maximal words, so every window of a secret's length of every word
// is looked up in a set; other secrets are searched with strings.Contains.
func findLeaks(texts, secrets []string) []leak {
	bySet := map[string]bool{}
	lengths := map[int]bool{}
	var odd []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.IndexFunc(s, func(r rune) bool { return !isWordRune(r) }) >= 0 {
			odd = append(odd, s)
			continue
		}
		bySet[s] = true
		lengths[len(s)] = true
	}
	var out []leak
	for _, txt := range texts {
		for _, w := range strings.FieldsFunc(txt, func(r rune) bool { return !isWordRune(r) }) {
			for n := range lengths {
				for i := 0; i+n <= len(w); i++ {
					if bySet[w[i:i+n]] {
						out = append(out, leak{secret: w[i : i+n], text: txt})
					}
				}
			}
		}
		for _, s := range odd {
			if strings.Contains(txt, s) {
				out = append(out, leak{secret: s, text: txt})
			}
		}
	}
	return out
}

// audit is the package-wide secrets audit, checked once more in TestMain
// across all runs (any secret of any run against any text).
type audit struct {
	mu       sync.Mutex
	secrets  map[string]bool
	texts    []string
	errLines int
	logLines int
	runs     int
}

var globalAudit = &audit{secrets: map[string]bool{}}

func (a *audit) add(secrets, errs []string, logs string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.runs++
	for _, s := range secrets {
		a.secrets[s] = true
	}
	a.texts = append(a.texts, errs...)
	a.texts = append(a.texts, logs)
	a.errLines += len(errs)
	a.logLines += strings.Count(logs, "\n")
}

// itoa formats a counter for keys.
func itoa(i int) string { return fmt.Sprintf("%04d", i) }

// ---- a proxy that breaks answers mid-body ----

// cutMode says what cutProxy does to an answer it cuts.
type cutMode int

const (
	cutReset cutMode = iota + 1 // send the headers and 5 body bytes, then RST
	cutStall                    // send the headers and 5 body bytes, then nothing
)

// cutProxy is a loopback TCP proxy in front of a fake. When armed, it
// forwards the next answer only up to the start of its body and then
// resets or stalls the connection: a failure after the server answered
// (and, for a create, applied) the request, which fake.Fault cannot make.
type cutProxy struct {
	ln     net.Listener
	target string
	mode   cutMode
	armed  atomic.Int32
}

// newCutProxy starts a proxy to the fake at base and returns it with the
// base URL to give the client.
func newCutProxy(t testing.TB, base string, mode cutMode) (*cutProxy, string) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: u.Host, mode: mode}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.handle(c)
		}
	}()
	return p, "http://" + ln.Addr().String() + u.Path
}

// arm makes the proxy cut the next n answers.
func (p *cutProxy) arm(n int) { p.armed.Add(int32(n)) }

func (p *cutProxy) take() bool {
	for {
		v := p.armed.Load()
		if v <= 0 {
			return false
		}
		if p.armed.CompareAndSwap(v, v-1) {
			return true
		}
	}
}

func (p *cutProxy) handle(c net.Conn) {
	defer c.Close()
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	clientGone := make(chan struct{})
	go func() {
		_, _ = io.Copy(s, c)
		close(clientGone)
		_ = s.Close()
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := s.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if p.take() {
				// Loopback answers of the fakes arrive in one read; cut
				// 5 bytes into the body.
				cut := len(chunk)
				if i := bytes.Index(chunk, []byte("\r\n\r\n")); i >= 0 {
					cut = min(i+4+5, len(chunk))
				}
				_, _ = c.Write(chunk[:cut])
				if p.mode == cutReset {
					if tc, ok := c.(*net.TCPConn); ok {
						_ = tc.SetLinger(0)
					}
					return
				}
				<-clientGone // stall until the client gives up
				return
			}
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
