package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/testkit"
)

// secret is the test vendor's shared token: it must appear in no answer,
// log line or observer error.
const secret = "s3cr3t-QDG6eKcluekitToken"

// acme is a test vendor: the token comes in the X-Token header, the body is
// {"event":"...","id":"..."}, the acknowledgement is "success".
type acme struct {
	calls atomic.Int32
	fn    func(ctx context.Context, event, id string) error
}

func (a *acme) spec() Spec {
	return Spec{
		Vendor:  "acme",
		Methods: []string{http.MethodPost},
		Secrets: []string{secret},
		Open: func(r *http.Request, body []byte) (*Delivery, error) {
			if !Equal(r.Header.Get("X-Token"), secret) {
				return nil, fmt.Errorf("acme: %w: bad token", ErrUnauthenticated)
			}
			var ev struct{ Event, ID string }
			if err := json.Unmarshal(body, &ev); err != nil || ev.Event == "" {
				return nil, errors.New("acme: body is not an event")
			}
			d := &Delivery{
				Event: ev.Event,
				Key:   ev.ID,
				Ack: func(w http.ResponseWriter) {
					w.Header().Set("Content-Type", "text/plain; charset=utf-8")
					_, _ = io.WriteString(w, "success")
				},
			}
			if ev.Event != "url_check" {
				d.Handle = func(ctx context.Context) error {
					a.calls.Add(1)
					if a.fn != nil {
						return a.fn(ctx, ev.Event, ev.ID)
					}
					return nil
				}
			}
			return d, nil
		},
	}
}

// recorded is what the observers saw.
type recorded struct {
	mu    sync.Mutex
	infos []core.CallbackInfo
	errs  []error
}

func (rc *recorded) observer() core.Observer {
	return core.Observer{Callback: func(_ context.Context, info core.CallbackInfo, err error) {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.infos = append(rc.infos, info)
		rc.errs = append(rc.errs, err)
	}}
}

func (rc *recorded) last(t *testing.T) (core.CallbackInfo, error) {
	t.Helper()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.infos) == 0 {
		t.Fatal("observer not called")
	}
	return rc.infos[len(rc.infos)-1], rc.errs[len(rc.errs)-1]
}

// stepClock advances 1 ms on each reading.
func stepClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2025, 4, 3, 10, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Millisecond)
		return t
	}
}

type harness struct {
	h    *Handler
	a    *acme
	obs  *recorded
	logs *testkit.Buffer
}

func newHarness(t *testing.T, a *acme, edit func(*Spec), opts ...core.Option) *harness {
	t.Helper()
	if a == nil {
		a = &acme{}
	}
	logger, logs := testkit.Logger()
	obs := &recorded{}
	opts = append([]core.Option{core.WithLogger(logger), core.WithObserver(obs.observer()), core.WithClock(stepClock())}, opts...)
	cfg, err := core.NewHandlerConfig(nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	spec := a.spec()
	if edit != nil {
		edit(&spec)
	}
	h, err := New(cfg, spec)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{h: h, a: a, obs: obs, logs: logs}
}

func request(method, body, token string) *http.Request {
	r := httptest.NewRequest(method, "/acme/callback", strings.NewReader(body))
	if token != "" {
		r.Header.Set("X-Token", token)
	}
	return r
}

func (hs *harness) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	hs.h.ServeHTTP(w, r)
	return w
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestHandlerSteps(t *testing.T) {
	t.Parallel()
	okBody := `{"event":"clue_add","id":"e1"}`
	tests := []struct {
		name       string
		req        func() *http.Request
		spec       func(*Spec)
		fn         func(ctx context.Context, event, id string) error
		opts       []core.Option
		wantStatus int
		wantBody   string // exact, when set
		wantCalls  int32
		wantEvent  string
		wantErr    error // errors.Is on the observer's error (nil: no error)
		wantAllow  string
	}{
		{name: "acknowledged", req: func() *http.Request { return request("POST", okBody, secret) },
			wantStatus: 200, wantBody: "success", wantCalls: 1, wantEvent: "clue_add"},
		{name: "GET refused", req: func() *http.Request { return request("GET", "", secret) },
			wantStatus: 405, wantAllow: "POST", wantErr: ErrMethodNotAllowed},
		{name: "PUT refused, several methods allowed", req: func() *http.Request { return request("PUT", okBody, secret) },
			spec:       func(s *Spec) { s.Methods = []string{"GET", "POST"} },
			wantStatus: 405, wantAllow: "GET, POST", wantErr: ErrMethodNotAllowed},
		{name: "GET accepted when listed", req: func() *http.Request { return request("GET", `{"event":"url_check"}`, secret) },
			spec:       func(s *Spec) { s.Methods = []string{"GET", "POST"} },
			wantStatus: 200, wantBody: "success", wantEvent: "url_check"},
		{name: "body over the cap", req: func() *http.Request {
			return request("POST", `{"event":"clue_add","id":"e1","pad":"`+strings.Repeat("x", 100)+`"}`, secret)
		}, opts: []core.Option{core.WithMaxBodyBytes(64)}, wantStatus: 413, wantErr: ErrTooLarge},
		{name: "body over the cap without Content-Length", req: func() *http.Request {
			r := request("POST", `{"event":"clue_add","id":"e1","pad":"`+strings.Repeat("x", 100)+`"}`, secret)
			r.ContentLength = -1
			return r
		}, opts: []core.Option{core.WithMaxBodyBytes(64)}, wantStatus: 413, wantErr: ErrTooLarge},
		{name: "body exactly at the cap", req: func() *http.Request {
			b := `{"event":"clue_add","id":"e1"}`
			return request("POST", b+strings.Repeat(" ", 64-len(b)), secret)
		}, opts: []core.Option{core.WithMaxBodyBytes(64)}, wantStatus: 200, wantBody: "success", wantCalls: 1, wantEvent: "clue_add"},
		{name: "unreadable body", req: func() *http.Request {
			r := request("POST", "", secret)
			r.Body, r.ContentLength = io.NopCloser(errReader{}), -1
			return r
		}, wantStatus: 400, wantErr: errAny},
		{name: "missing token", req: func() *http.Request { return request("POST", okBody, "") },
			wantStatus: 401, wantErr: ErrUnauthenticated},
		{name: "wrong token", req: func() *http.Request { return request("POST", okBody, "guess") },
			wantStatus: 401, wantErr: ErrUnauthenticated},
		{name: "vendor answers 403", req: func() *http.Request { return request("POST", okBody, "guess") },
			spec: func(s *Spec) { s.AuthStatus = http.StatusForbidden }, wantStatus: 403, wantErr: ErrUnauthenticated},
		{name: "core.ErrSignature counts as unauthenticated", req: func() *http.Request { return request("POST", okBody, secret) },
			spec: func(s *Spec) {
				s.Open = func(*http.Request, []byte) (*Delivery, error) { return nil, fmt.Errorf("x: %w", core.ErrSignature) }
			}, wantStatus: 401, wantErr: core.ErrSignature},
		{name: "malformed body", req: func() *http.Request { return request("POST", `{"event":`, secret) },
			wantStatus: 400, wantErr: errAny},
		{name: "Open panics", req: func() *http.Request { return request("POST", okBody, secret) },
			spec: func(s *Spec) {
				s.Open = func(*http.Request, []byte) (*Delivery, error) { panic("parser bug") }
			}, wantStatus: 500, wantErr: errOpenPanic},
		{name: "Open returns nothing", req: func() *http.Request { return request("POST", okBody, secret) },
			spec:       func(s *Spec) { s.Open = func(*http.Request, []byte) (*Delivery, error) { return nil, nil } },
			wantStatus: 500, wantErr: errOpenPanic},
		{name: "function error", req: func() *http.Request { return request("POST", okBody, secret) },
			fn:         func(context.Context, string, string) error { return errors.New("db down") },
			wantStatus: 500, wantCalls: 1, wantEvent: "clue_add", wantErr: errAny},
		{name: "function panics", req: func() *http.Request { return request("POST", okBody, secret) },
			fn:         func(context.Context, string, string) error { panic("nil map") },
			wantStatus: 500, wantCalls: 1, wantEvent: "clue_add", wantErr: errAny},
		{name: "nil Ack writes a bare 200", req: func() *http.Request { return request("POST", okBody, secret) },
			spec: func(s *Spec) {
				open := s.Open
				s.Open = func(r *http.Request, b []byte) (*Delivery, error) {
					d, err := open(r, b)
					if d != nil {
						d.Ack = nil
					}
					return d, err
				}
			}, wantStatus: 200, wantBody: "", wantCalls: 1, wantEvent: "clue_add"},
		{name: "Ack's own status is reported", req: func() *http.Request { return request("POST", okBody, secret) },
			spec: func(s *Spec) {
				open := s.Open
				s.Open = func(r *http.Request, b []byte) (*Delivery, error) {
					d, err := open(r, b)
					if d != nil {
						d.Ack = func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted); _, _ = io.WriteString(w, "ok") }
					}
					return d, err
				}
			}, wantStatus: 202, wantBody: "ok", wantCalls: 1, wantEvent: "clue_add"},
		{name: "vendor Refuse writes its own failure body", req: func() *http.Request { return request("POST", okBody, "guess") },
			spec: func(s *Spec) {
				s.Refuse = func(w http.ResponseWriter, status int) {
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(status)
					_, _ = io.WriteString(w, `{"return_code":1}`)
				}
			}, wantStatus: 401, wantBody: `{"return_code":1}`, wantErr: ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, &acme{fn: tt.fn}, tt.spec, tt.opts...)
			w := hs.do(tt.req())
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", w.Code, tt.wantStatus, w.Body)
			}
			wantBody := tt.wantBody
			if tt.wantStatus != 200 && wantBody == "" {
				wantBody = http.StatusText(tt.wantStatus) + "\n" // only the status text
			}
			if w.Body.String() != wantBody {
				t.Errorf("body = %q, want %q", w.Body, wantBody)
			}
			if got := w.Header().Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
			if got := hs.a.calls.Load(); got != tt.wantCalls {
				t.Errorf("function ran %d times, want %d", got, tt.wantCalls)
			}
			info, err := hs.obs.last(t)
			want := core.CallbackInfo{Vendor: "acme", Event: tt.wantEvent, HTTPStatus: tt.wantStatus, Duration: time.Millisecond}
			if info != want {
				t.Errorf("observer info = %+v, want %+v", info, want)
			}
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("observer err = %v, want nil", err)
			case tt.wantErr == errAny && err == nil:
				t.Error("observer err = nil, want an error")
			case tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Errorf("observer err = %v, want %v", err, tt.wantErr)
			}
			logs := hs.logs.String()
			level := `"level":"DEBUG"`
			if tt.wantErr != nil {
				level = `"level":"WARN"`
			}
			if !strings.Contains(logs, level) || !strings.Contains(logs, fmt.Sprintf(`"status":%d`, tt.wantStatus)) {
				t.Errorf("log lacks %s / status %d: %s", level, tt.wantStatus, logs)
			}
			testkit.NoSecrets(t, logs+w.Body.String(), secret)
		})
	}
}

// errAny marks "some error" in tables.
var errAny = errors.New("any error")

func TestNewValidates(t *testing.T) {
	t.Parallel()
	cfg, err := core.NewHandlerConfig(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	open := func(*http.Request, []byte) (*Delivery, error) { return &Delivery{}, nil }
	tests := []struct {
		name string
		cfg  *core.Config
		spec Spec
		ok   bool
	}{
		{"minimal", cfg, Spec{Vendor: "v", Open: open}, true},
		{"zero config filled in", &core.Config{}, Spec{Vendor: "v", Open: open}, true},
		{"nil config", nil, Spec{Vendor: "v", Open: open}, false},
		{"no vendor", cfg, Spec{Open: open}, false},
		{"no Open", cfg, Spec{Vendor: "v"}, false},
		{"AuthStatus not 4xx", cfg, Spec{Vendor: "v", Open: open, AuthStatus: 500}, false},
		{"empty method", cfg, Spec{Vendor: "v", Open: open, Methods: []string{""}}, false},
		{"method list in one string", cfg, Spec{Vendor: "v", Open: open, Methods: []string{"GET, POST"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := New(tt.cfg, tt.spec)
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if h != nil {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("POST", "/", nil))
				if w.Code != 200 {
					t.Errorf("status = %d", w.Code)
				}
			}
		})
	}
	if _, err := core.NewHandlerConfig(nil, []core.Option{core.WithTimeout(time.Second)}); err == nil {
		t.Error("a client option was accepted for a handler")
	}
}

// stubDeduper answers from functions and records what it was asked.
type stubDeduper struct {
	claim   func(ctx context.Context, key string) (core.ClaimState, error)
	release func(ctx context.Context, key string, handled bool) error

	mu       sync.Mutex
	claims   []string
	releases []string
}

func (s *stubDeduper) Claim(ctx context.Context, key string) (core.ClaimState, error) {
	s.mu.Lock()
	s.claims = append(s.claims, key)
	s.mu.Unlock()
	if s.claim == nil {
		return core.ClaimNew, nil
	}
	return s.claim(ctx, key)
}

func (s *stubDeduper) Release(ctx context.Context, key string, handled bool) error {
	s.mu.Lock()
	s.releases = append(s.releases, fmt.Sprintf("%s=%v", key, handled))
	s.mu.Unlock()
	if s.release == nil {
		return nil
	}
	return s.release(ctx, key, handled)
}

func (s *stubDeduper) record() (claims, releases []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.claims...), append([]string(nil), s.releases...)
}

func TestHandlerDedupeStates(t *testing.T) {
	t.Parallel()
	body := `{"event":"clue_add","id":"e1"}`
	boom := errors.New("redis: connection refused")
	tests := []struct {
		name         string
		claim        func(context.Context, string) (core.ClaimState, error)
		release      func(context.Context, string, bool) error
		fn           func(context.Context, string, string) error
		body         string
		wantStatus   int
		wantCalls    int32
		wantDup      bool
		wantClaims   []string
		wantReleases []string
		wantErr      error
		wantLog      string
	}{
		{name: "new: run, then keep as handled", wantStatus: 200, wantCalls: 1,
			wantClaims: []string{"acme:e1"}, wantReleases: []string{"acme:e1=true"}},
		{name: "new, function fails: forget the key", fn: func(context.Context, string, string) error { return errors.New("x") },
			wantStatus: 500, wantCalls: 1, wantClaims: []string{"acme:e1"}, wantReleases: []string{"acme:e1=false"}, wantErr: errAny},
		{name: "new, function panics: forget the key", fn: func(context.Context, string, string) error { panic("x") },
			wantStatus: 500, wantCalls: 1, wantClaims: []string{"acme:e1"}, wantReleases: []string{"acme:e1=false"}, wantErr: errAny},
		{name: "done: acknowledged without calling",
			claim:      func(context.Context, string) (core.ClaimState, error) { return core.ClaimDone, nil },
			wantStatus: 200, wantDup: true, wantClaims: []string{"acme:e1"}},
		{name: "busy: 409 without calling",
			claim:      func(context.Context, string) (core.ClaimState, error) { return core.ClaimBusy, nil },
			wantStatus: 409, wantClaims: []string{"acme:e1"}, wantErr: ErrInFlight},
		{name: "claim error: run without dedupe",
			claim:      func(context.Context, string) (core.ClaimState, error) { return 0, boom },
			wantStatus: 200, wantCalls: 1, wantClaims: []string{"acme:e1"}, wantLog: "deduper failing"},
		{name: "claim panics: run without dedupe",
			claim:      func(context.Context, string) (core.ClaimState, error) { panic("bug") },
			wantStatus: 200, wantCalls: 1, wantClaims: []string{"acme:e1"}, wantLog: "deduper failing"},
		{name: "unknown claim state: run without dedupe",
			claim:      func(context.Context, string) (core.ClaimState, error) { return 42, nil },
			wantStatus: 200, wantCalls: 1, wantClaims: []string{"acme:e1"}, wantLog: "unknown state 42"},
		{name: "release error: still acknowledged, logged",
			release:    func(context.Context, string, bool) error { return boom },
			wantStatus: 200, wantCalls: 1, wantClaims: []string{"acme:e1"}, wantReleases: []string{"acme:e1=true"}, wantLog: "deduper failing"},
		{name: "empty key: no dedupe", body: `{"event":"clue_add"}`, wantStatus: 200, wantCalls: 1},
		{name: "nothing to run: no dedupe", body: `{"event":"url_check","id":"e1"}`, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := &stubDeduper{claim: tt.claim, release: tt.release}
			hs := newHarness(t, &acme{fn: tt.fn}, nil, core.WithDeduper(d))
			b := tt.body
			if b == "" {
				b = body
			}
			w := hs.do(request("POST", b, secret))
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", w.Code, tt.wantStatus)
			}
			if tt.wantStatus == 200 && w.Body.String() != "success" {
				t.Errorf("body = %q, want the acknowledgement", w.Body)
			}
			if got := hs.a.calls.Load(); got != tt.wantCalls {
				t.Errorf("calls = %d, want %d", got, tt.wantCalls)
			}
			claims, releases := d.record()
			if fmt.Sprint(claims) != fmt.Sprint(tt.wantClaims) || fmt.Sprint(releases) != fmt.Sprint(tt.wantReleases) {
				t.Errorf("claims %v releases %v, want %v %v", claims, releases, tt.wantClaims, tt.wantReleases)
			}
			info, err := hs.obs.last(t)
			if info.Duplicate != tt.wantDup || info.HTTPStatus != tt.wantStatus || info.Event == "" {
				t.Errorf("observer info = %+v", info)
			}
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("observer err = %v", err)
			case tt.wantErr == errAny && err == nil:
				t.Error("observer err = nil")
			case tt.wantErr != nil && tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Errorf("observer err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantLog != "" && !strings.Contains(hs.logs.String(), tt.wantLog) {
				t.Errorf("log lacks %q: %s", tt.wantLog, hs.logs)
			}
		})
	}
}

func TestHandlerDuplicateAcknowledged(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, nil, nil, core.WithDeduper(NewMemoryDeduper(time.Hour, nil)))
	body := `{"event":"clue_add","id":"e1"}`
	for i, wantDup := range []bool{false, true, true} {
		w := hs.do(request("POST", body, secret))
		if w.Code != 200 || w.Body.String() != "success" {
			t.Fatalf("delivery %d: %d %q", i, w.Code, w.Body)
		}
		if info, _ := hs.obs.last(t); info.Duplicate != wantDup {
			t.Errorf("delivery %d: Duplicate = %v", i, info.Duplicate)
		}
	}
	if got := hs.a.calls.Load(); got != 1 {
		t.Fatalf("function ran %d times, want 1", got)
	}
	// Another event runs.
	if w := hs.do(request("POST", `{"event":"clue_add","id":"e2"}`, secret)); w.Code != 200 || hs.a.calls.Load() != 2 {
		t.Fatalf("second event: %d, calls %d", w.Code, hs.a.calls.Load())
	}
}

func TestHandlerConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	const n = 20
	gate := make(chan struct{})
	a := &acme{}
	a.fn = func(context.Context, string, string) error {
		if a.calls.Load() > 1 {
			return errors.New("ran twice") // do not block: the test reports it
		}
		<-gate // hold the key until every other delivery was answered
		return nil
	}
	hs := newHarness(t, a, nil, core.WithDeduper(NewMemoryDeduper(time.Hour, nil)))
	codes := make(chan int, n)
	for range n {
		go func() { codes <- hs.do(request("POST", `{"event":"clue_add","id":"same"}`, secret)).Code }()
	}
	count := map[int]int{}
	for range n - 1 {
		count[<-codes]++
	}
	close(gate)
	count[<-codes]++
	if got := a.calls.Load(); got != 1 {
		t.Fatalf("function ran %d times, want 1", got)
	}
	if count[200] != 1 || count[409] != n-1 {
		t.Fatalf("statuses = %v, want one 200 and %d 409", count, n-1)
	}
	// The redelivery after it was handled is acknowledged without running.
	if w := hs.do(request("POST", `{"event":"clue_add","id":"same"}`, secret)); w.Code != 200 || a.calls.Load() != 1 {
		t.Fatalf("redelivery: %d, calls %d", w.Code, a.calls.Load())
	}
}

func TestHandlerFailedRunIsRedelivered(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	fail.Store(true)
	hs := newHarness(t, &acme{fn: func(context.Context, string, string) error {
		if fail.Load() {
			return errors.New("db down")
		}
		return nil
	}}, nil, core.WithDeduper(NewMemoryDeduper(time.Hour, nil)))
	body := `{"event":"clue_add","id":"e1"}`
	steps := []struct {
		fail   bool
		status int
		calls  int32
	}{
		{true, 500, 1},  // fails: key forgotten
		{true, 500, 2},  // the redelivery runs again, fails again
		{false, 200, 3}, // runs, succeeds: key kept
		{false, 200, 3}, // duplicate: acknowledged without running
	}
	for i, s := range steps {
		fail.Store(s.fail)
		w := hs.do(request("POST", body, secret))
		if w.Code != s.status || hs.a.calls.Load() != s.calls {
			t.Fatalf("step %d: status %d calls %d, want %d %d", i, w.Code, hs.a.calls.Load(), s.status, s.calls)
		}
	}
}

func TestHandlerDeduperOutageLoggedOnce(t *testing.T) {
	t.Parallel()
	var down atomic.Bool
	down.Store(true)
	d := &stubDeduper{claim: func(context.Context, string) (core.ClaimState, error) {
		if down.Load() {
			return 0, errors.New("redis: i/o timeout")
		}
		return core.ClaimNew, nil
	}}
	hs := newHarness(t, nil, nil, core.WithDeduper(d))
	deliver := func(id string) {
		t.Helper()
		if w := hs.do(request("POST", `{"event":"clue_add","id":"`+id+`"}`, secret)); w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
	}
	for i := range 5 {
		deliver(fmt.Sprint("a", i))
	}
	if got := hs.a.calls.Load(); got != 5 {
		t.Fatalf("calls = %d: the function must run while the deduper is down", got)
	}
	if got := strings.Count(hs.logs.String(), "deduper failing"); got != 1 {
		t.Fatalf("outage logged %d times, want once: %s", got, hs.logs)
	}
	down.Store(false)
	deliver("b")
	deliver("c")
	if got := strings.Count(hs.logs.String(), "deduper recovered"); got != 1 {
		t.Fatalf("recovery logged %d times, want once", got)
	}
	down.Store(true)
	deliver("d")
	if got := strings.Count(hs.logs.String(), "deduper failing"); got != 2 {
		t.Fatalf("second outage logged: %d lines, want 2 in all", got)
	}
}

// A Deduper that ignores its context cannot hold the request past it; the
// claim it grants afterwards is given back.
func TestHandlerDeduperBlocksPastContext(t *testing.T) {
	t.Parallel()
	entered, unblock, released := make(chan struct{}), make(chan struct{}), make(chan string, 1)
	d := &stubDeduper{
		claim: func(context.Context, string) (core.ClaimState, error) {
			close(entered)
			<-unblock // ignores ctx
			return core.ClaimNew, nil
		},
		release: func(_ context.Context, key string, handled bool) error {
			released <- fmt.Sprintf("%s=%v", key, handled)
			return nil
		},
	}
	hs := newHarness(t, nil, nil, core.WithDeduper(d))
	ctx, cancel := context.WithCancel(context.Background())
	r := request("POST", `{"event":"clue_add","id":"e1"}`, secret).WithContext(ctx)
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- hs.do(r) }()
	<-entered
	cancel()
	w := <-done
	if w.Code != http.StatusServiceUnavailable || hs.a.calls.Load() != 0 {
		t.Fatalf("status %d calls %d, want 503 and no call", w.Code, hs.a.calls.Load())
	}
	if _, err := hs.obs.last(t); !errors.Is(err, context.Canceled) {
		t.Fatalf("observer err = %v", err)
	}
	close(unblock)
	if got := <-released; got != "acme:e1=false" {
		t.Fatalf("late claim released as %q", got)
	}
}

// A Release that hangs does not hold the answer past the request context.
func TestHandlerReleaseBlocksPastContext(t *testing.T) {
	t.Parallel()
	unblock := make(chan struct{})
	defer close(unblock)
	ctx, cancel := context.WithCancel(context.Background())
	d := &stubDeduper{release: func(context.Context, string, bool) error {
		cancel() // the vendor hangs up while the release is pending
		<-unblock
		return nil
	}}
	hs := newHarness(t, nil, nil, core.WithDeduper(d))
	w := hs.do(request("POST", `{"event":"clue_add","id":"e1"}`, secret).WithContext(ctx))
	if w.Code != 200 || hs.a.calls.Load() != 1 {
		t.Fatalf("status %d calls %d", w.Code, hs.a.calls.Load())
	}
}

func TestHandlerObserverInfos(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	hs := newHarness(t, &acme{fn: func(context.Context, string, string) error {
		if fail.Load() {
			return errors.New("x")
		}
		return nil
	}}, nil, core.WithDeduper(NewMemoryDeduper(time.Hour, nil)))
	hs.do(request("GET", "", ""))
	hs.do(request("POST", `{"event":"clue_add","id":"e1"}`, "bad"))
	hs.do(request("POST", `{"event":"clue_add","id":"e1"}`, secret))
	hs.do(request("POST", `{"event":"clue_add","id":"e1"}`, secret))
	fail.Store(true)
	hs.do(request("POST", `{"event":"clue_update","id":"e2"}`, secret))
	want := []core.CallbackInfo{
		{Vendor: "acme", HTTPStatus: 405, Duration: time.Millisecond},
		{Vendor: "acme", HTTPStatus: 401, Duration: time.Millisecond},
		{Vendor: "acme", Event: "clue_add", HTTPStatus: 200, Duration: time.Millisecond},
		{Vendor: "acme", Event: "clue_add", Duplicate: true, HTTPStatus: 200, Duration: time.Millisecond},
		{Vendor: "acme", Event: "clue_update", HTTPStatus: 500, Duration: time.Millisecond},
	}
	wantErr := []bool{true, true, false, false, true}
	hs.obs.mu.Lock()
	defer hs.obs.mu.Unlock()
	if len(hs.obs.infos) != len(want) {
		t.Fatalf("observer called %d times, want %d", len(hs.obs.infos), len(want))
	}
	for i := range want {
		if hs.obs.infos[i] != want[i] || (hs.obs.errs[i] != nil) != wantErr[i] {
			t.Errorf("call %d: %+v err %v, want %+v err %v", i, hs.obs.infos[i], hs.obs.errs[i], want[i], wantErr[i])
		}
	}
}

// Several observers are called in order, each once per delivery.
func TestHandlerObserversInOrder(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var order []string
	mk := func(name string) core.Observer {
		return core.Observer{Callback: func(context.Context, core.CallbackInfo, error) {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
		}}
	}
	hs := newHarness(t, nil, nil, core.WithObserver(mk("a")), core.WithObserver(core.Observer{}), core.WithObserver(mk("b")))
	hs.do(request("POST", `{"event":"clue_add","id":"e1"}`, secret))
	if fmt.Sprint(order) != "[a b]" {
		t.Fatalf("order = %v", order)
	}
}

func TestHandlerNoSecretsInLogs(t *testing.T) {
	t.Parallel()
	sig := "sig-" + strings.Repeat("f", 40) // a per-delivery value the body carries
	tests := []struct {
		name string
		req  func() *http.Request
		fn   func(context.Context, string, string) error
	}{
		{"secret in the body, refused", func() *http.Request {
			return request("POST", `{"event":"clue_add","id":"e1","token":"`+secret+`","sig":"`+sig+`"}`, "bad")
		}, nil},
		{"secret in the body, malformed", func() *http.Request {
			return request("POST", `{"token":"`+secret+`","sig":"`+sig+`"`, secret)
		}, nil},
		{"secret in the body, too large", func() *http.Request {
			return request("POST", `{"token":"`+secret+`","sig":"`+sig+`","pad":"`+strings.Repeat("x", 2000)+`"}`, secret)
		}, nil},
		{"secret in the body, acknowledged", func() *http.Request {
			return request("POST", `{"event":"clue_add","id":"e1","token":"`+secret+`","sig":"`+sig+`"}`, secret)
		}, nil},
		{"secret in other headers and the query", func() *http.Request {
			r := request("POST", `{"event":"clue_add","id":"e1"}`, secret)
			r.URL.RawQuery = "token=" + secret + "&sig=" + sig
			r.Header.Set("Authorization", "Bearer "+secret)
			r.Header.Set("X-Sig", sig)
			return r
		}, nil},
		{"function error quoting the secret", func() *http.Request {
			return request("POST", `{"event":"clue_add","id":"e1"}`, secret)
		}, func(context.Context, string, string) error { return fmt.Errorf("cannot use token %s", secret) }},
		{"function panic quoting the secret", func() *http.Request {
			return request("POST", `{"event":"clue_add","id":"e1"}`, secret)
		}, func(context.Context, string, string) error { panic("token " + secret) }},
		{"wrapped error quoting the secret", func() *http.Request {
			return request("POST", `{"event":"clue_add","id":"e1"}`, secret)
		}, func(context.Context, string, string) error {
			return fmt.Errorf("token %s: %w", secret, context.DeadlineExceeded)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, &acme{fn: tt.fn}, nil, core.WithMaxBodyBytes(1024))
			w := hs.do(tt.req())
			_, err := hs.obs.last(t)
			text := hs.logs.String() + w.Body.String() + fmt.Sprint(w.Header())
			if err != nil {
				text += err.Error()
			}
			testkit.NoSecrets(t, text, secret, sig)
			if strings.HasPrefix(tt.name, "wrapped") && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("scrubbed error lost its chain: %v", err)
			}
			if hs.logs.String() == "" {
				t.Error("nothing logged")
			}
		})
	}
}

// FuzzHandler: no input makes the handler panic or answer outside the
// documented statuses.
func FuzzHandler(f *testing.F) {
	f.Add("POST", `{"event":"clue_add","id":"e1"}`, secret)
	f.Add("POST", `{"event":"url_check"}`, secret)
	f.Add("GET", ``, ``)
	f.Add("POST", `{"event":`, secret)
	f.Add("POST", strings.Repeat("x", 300), secret)
	f.Add("POST", `{"event":"e","id":"`+strings.Repeat("é", 50)+`"}`, "bad")
	cfg, err := core.NewHandlerConfig(nil, []core.Option{core.WithMaxBodyBytes(256), core.WithDeduper(NewMemoryDeduper(time.Hour, nil))})
	if err != nil {
		f.Fatal(err)
	}
	a := &acme{fn: func(_ context.Context, event, _ string) error {
		if strings.HasPrefix(event, "p") {
			panic(event)
		}
		if strings.HasPrefix(event, "e") {
			return errors.New(event)
		}
		return nil
	}}
	h, err := New(cfg, a.spec())
	if err != nil {
		f.Fatal(err)
	}
	allowed := map[int]bool{200: true, 400: true, 401: true, 405: true, 409: true, 413: true, 500: true}
	f.Fuzz(func(t *testing.T, method, body, token string) {
		if !validMethod(method) {
			method = "POST"
		}
		r := httptest.NewRequest(method, "/", strings.NewReader(body))
		r.Header["X-Token"] = []string{token}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if !allowed[w.Code] {
			t.Fatalf("status %d", w.Code)
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
