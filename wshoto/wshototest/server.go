// Package wshototest is an in-memory fake of the wshoto (微盛·企微管家)
// OpenAPI for tests: it issues expiring access tokens and checks them on every
// call exactly as the SDK expects the vendor to (?access_token=...), stores
// clues and clue pools with 19-digit IDs, answers with wshoto's
// {"code","msg","data"} envelope, and can inject faults.
//
//	srv := wshototest.NewServer()
//	defer srv.Close()
//	id := srv.SeedClue(wshototest.Clue{Name: "张三"}) // wshoto has no create-clue endpoint
//	c, _ := wshoto.New(wshototest.DefaultAppID, wshototest.DefaultAppSecret, wshoto.WithBaseURL(srv.URL))
//
// wshoto publishes no error-code table. The fake answers CodeInvalidToken
// (10001, one of the codes third-party clients treat as a bad token) for a
// missing, unknown, expired or invalidated token; its other codes
// (CodeBadCredentials, CodeInvalidParam, CodeNotFound) are its own.
//
// Like the vendor, a token request made while the current token is valid
// returns the same token with its original create_at. Use SetTokenTTL and a
// clock shared with the client (NewClock, WithClock here and
// wshoto.WithClock there) to make tokens expire, and InvalidateTokens to
// revoke the current token early, so refresh-and-replay is exercised.
//
// Faults (a *fake.Injector) applies to every operation; operation names are
// the SDK's: "access_token", "clue/edit", "clue/page", "clue/info",
// "clue/batch/return", "cluepool/list", "cluepool/create", "cluepool/edit",
// "follow/create". Requests(op) counts them, TokenRequests the token
// requests. WithReadLag makes the pool list miss new pools for a few
// requests, so that finding a pool whose create answer was lost (a Fault
// with AfterApply) has to try again.
//
// The files of this package follow the API areas: server.go (server,
// tokens, envelope), clues.go, pools.go, follows.go, notify.go, body.go
// (strict body readers), faults.go.
package wshototest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cluekit/cluekit/internal/fake"
)

// Codes the fake answers with.
const (
	CodeOK             = 0
	CodeInvalidToken   = 10001 // missing, unknown, expired or invalidated access_token
	CodeBadCredentials = 20001 // wrong appid or app_secret (the fake's own code)
	CodeInvalidParam   = 30001 // a documented rule was broken (the fake's own code)
	CodeNotFound       = 30004 // unknown clue or pool (the fake's own code)
)

// Defaults of a new server.
const (
	DefaultAppID     = "wshoto-fake-appid"
	DefaultAppSecret = "wshoto-fake-app-secret-0123456789"
	DefaultTokenTTL  = 7200 * time.Second
	// StaffID is a staff id the fake treats as the creator of its default
	// pool and of seeded clues; use it as user_id in tests.
	StaffID = "wovvCXcAAAFa-yRtEAUjgQCyjqN9TJ7A"
	// firstID is the first generated id: 19 digits, beyond float64's exact range.
	firstID int64 = 1591005521987920962
)

// Server is a running fake. Its fields are read-only after NewServer.
type Server struct {
	URL       string // base URL to pass to wshoto.WithBaseURL
	AppID     string
	AppSecret string
	Faults    *fake.Injector // faults applied to every operation, and per-operation request counts

	srv *httptest.Server

	now func() time.Time // the fake's clock: token expiry and gmt_create

	mu        sync.Mutex
	ttl       time.Duration
	tok       string
	tokCreate time.Time
	issued    int
	next      int64
	clues     map[string]*Clue
	clueOrder []string
	pools     map[string]*Pool
	poolOrder []string
	lag       int            // WithReadLag
	hidden    map[string]int // pools the list misses, with the lists left to miss
	follows   []Follow
	tags      map[string]string
}

// Option configures NewServer.
type Option func(*Server)

// WithCredentials sets the app id and secret the fake accepts.
func WithCredentials(appID, appSecret string) Option {
	return func(s *Server) { s.AppID, s.AppSecret = appID, appSecret }
}

// WithClock makes the fake read time (token expiry, gmt_create) from now
// (default time.Now). Give the client the same clock (wshoto.WithClock) and
// move it (a Clock from NewClock, Advance) to expire tokens without
// sleeping.
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.now = now
		}
	}
}

// WithReadLag makes the pool list lag behind its writes, as a replicated
// store does: a pool created through cluepool/create is listed by
// cluepool/list only after n further list requests (it is missed by the
// next n). Writes see it at once. Deterministic: the lag counts requests,
// not time. Off (0) by default; the default pool and seeded records are
// listed at once.
func WithReadLag(n int) Option { return func(s *Server) { s.lag = max(n, 0) } }

// WithTokenTTL sets the lifetime of issued tokens (default 7200 s).
func WithTokenTTL(d time.Duration) Option { return func(s *Server) { s.ttl = d } }

// NewServer starts a fake on loopback with one default pool. Close it when
// done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		AppID: DefaultAppID, AppSecret: DefaultAppSecret, Faults: fake.NewInjector(), now: time.Now,
		ttl: DefaultTokenTTL, next: firstID, clues: map[string]*Clue{}, pools: map[string]*Pool{}, hidden: map[string]int{},
		tags: map[string]string{"etvvCXcAAAZHYVzWCdeCCnTcIM2vtRPw": "小学"},
	}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	s.addPool(&Pool{Name: "默认线索池", UserID: StaffID, RecycleRuleType: 1, IsDefault: true})
	mux := http.NewServeMux()
	s.route(mux, "access_token", http.MethodGet, "/openapi/access_token", s.handleToken)
	s.route(mux, "clue/edit", http.MethodPost, "/openapi/crm/clue/edit", s.handleEditClue)
	s.route(mux, "clue/page", http.MethodPost, "/openapi/crm/clue/page", s.handleListClues)
	s.route(mux, "clue/info", http.MethodPost, "/openapi/crm/clue/info", s.handleGetClue)
	s.route(mux, "clue/batch/return", http.MethodPost, "/openapi/crm/clue/batch/return", s.handleBatchReturn)
	s.route(mux, "cluepool/list", http.MethodPost, "/openapi/crm/cluepool/list", s.handleListPools)
	s.route(mux, "cluepool/create", http.MethodPost, "/openapi/crm/cluepool/create", s.handleCreatePool)
	s.route(mux, "cluepool/edit", http.MethodPost, "/openapi/crm/cluepool/edit", s.handleEditPool)
	s.route(mux, "follow/create", http.MethodPost, "/openapi/crm/follow/create", s.handleCreateFollow)
	s.srv = fake.Start(mux)
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// SetTokenTTL changes the lifetime of tokens issued from now on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ttl = d
}

// InvalidateTokens revokes the current token early, as wshoto may: calls
// with it answer CodeInvalidToken, and the next token request issues a new
// one.
func (s *Server) InvalidateTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tok = ""
}

// CurrentToken returns the token the fake currently accepts ("" if none).
func (s *Server) CurrentToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.tokenValidLocked() {
		return ""
	}
	return s.tok
}

// Now returns the fake's time (see WithClock).
func (s *Server) Now() time.Time { return s.now() }

// TokenRequests reports how many token requests arrived.
func (s *Server) TokenRequests() int { return s.Faults.Count("access_token") }

// TokensIssued reports how many distinct tokens were issued.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// Requests reports how many requests arrived for op ("" = all).
func (s *Server) Requests(op string) int { return s.Faults.Count(op) }

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *Server) newIDLocked() string {
	id := s.next
	s.next += 4099
	return strconv.FormatInt(id, 10)
}

// answer is one reply: an envelope or a bare HTTP status.
type answer struct {
	status int
	body   []byte
}

func envelope(code int, msg string, data any, subCode bool) answer {
	type env struct {
		Code    int    `json:"code"`
		Msg     string `json:"msg"`
		Data    any    `json:"data"`
		SubCode string `json:"sub_code,omitempty"`
	}
	e := env{Code: code, Msg: msg, Data: data}
	if subCode {
		e.SubCode = "00000"
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return answer{status: http.StatusInternalServerError, body: []byte(`{"code":500,"msg":"encode"}`)}
	}
	return answer{status: http.StatusOK, body: bytes.TrimRight(buf.Bytes(), "\n")}
}

func ok(data any) answer { return envelope(CodeOK, "请求成功", data, false) }

func fail(code int, msg string) answer { return envelope(code, msg, nil, false) }

type handler func(r *http.Request, body map[string]any) answer

func (s *Server) route(mux *http.ServeMux, op, method, path string, h handler) {
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		s.Faults.Serve(w, r, op, func() (int, []byte) {
			if r.Method != method {
				return http.StatusMethodNotAllowed, []byte(`method not allowed`)
			}
			var body map[string]any
			if method == http.MethodPost {
				if !s.checkToken(r) {
					a := s.tokenError(r)
					return a.status, a.body
				}
				raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
				if err != nil {
					a := fail(CodeInvalidParam, "请求体读取失败")
					return a.status, a.body
				}
				if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
					a := fail(CodeInvalidParam, "Content-Type必须为application/json")
					return a.status, a.body
				}
				dec := json.NewDecoder(bytes.NewReader(raw))
				dec.UseNumber()
				if err := dec.Decode(&body); err != nil || body == nil {
					a := fail(CodeInvalidParam, "请求体不是JSON对象")
					return a.status, a.body
				}
			}
			a := h(r, body)
			return a.status, a.body
		})
	})
}

func (s *Server) tokenValidLocked() bool {
	return s.tok != "" && s.now().Before(s.tokCreate.Add(s.ttl))
}

func (s *Server) checkToken(r *http.Request) bool {
	got := r.URL.Query().Get("access_token")
	s.mu.Lock()
	defer s.mu.Unlock()
	return got != "" && got == s.tok && s.tokenValidLocked()
}

func (s *Server) tokenError(r *http.Request) answer {
	if r.URL.Query().Get("access_token") == "" {
		return fail(CodeInvalidToken, "access_token不能为空")
	}
	return fail(CodeInvalidToken, "access_token无效或已过期")
}

func (s *Server) handleToken(r *http.Request, _ map[string]any) answer {
	q := r.URL.Query()
	if q.Get("appid") != s.AppID || q.Get("app_secret") != s.AppSecret || s.AppID == "" {
		return fail(CodeBadCredentials, "appid或app_secret错误")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.tokenValidLocked() {
		var b [32]byte
		_, _ = rand.Read(b[:])
		s.tok = base64.RawURLEncoding.EncodeToString(b[:])
		s.tokCreate = s.now().Truncate(time.Second)
		s.issued++
	}
	return envelope(CodeOK, "ok", map[string]any{
		"access_token": s.tok,
		"expires_in":   int64(s.ttl / time.Second),
		"create_at":    s.tokCreate.Unix(),
	}, false)
}
