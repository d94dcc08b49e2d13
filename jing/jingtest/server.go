// Package jingtest is an in-memory fake of the JINGdigital open platform for
// tests: get-token and refresh with a refresh token that really rotates (the
// previous one is rejected after a refresh or a get-token), access-token
// expiry on an adjustable clock, batch user creation with duplicate
// detection, the vendor's envelope, fault injection on every operation, and
// webhook delivery.
//
//	srv := jingtest.NewServer()
//	defer srv.Close()
//	c, _ := jing.New(jingtest.DefaultAppID, jingtest.DefaultAppSecret,
//		jing.WithBaseURL(srv.URL), jing.WithClock(srv.Clock.Now))
//
// Sharing the clock lets a test expire tokens with srv.Clock.Advance, on
// both sides at once, without sleeping.
//
// The vendor's error codes are not published; the fake answers HTTP 200 with
// its own codes (CodeInvalidCredentials and the others below). Use
// jing.WithInvalidTokenCodes(strconv.Itoa(jingtest.CodeInvalidAccessToken))
// to exercise the refresh-and-replay path.
package jingtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"mime"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/jing"
)

// The fake's own business codes (the vendor's table is not published).
const (
	CodeInvalidCredentials  = 40001 // wrong app_id or app_secret (body or app_id header)
	CodeInvalidRefreshToken = 40002 // refresh token unknown, rotated away or older than its TTL
	CodeInvalidAccessToken  = 40003 // access_token header missing, unknown or expired
	CodeBadRequest          = 40004 // body is not what the endpoint takes
)

// Defaults of the fake.
const (
	// DefaultAppID and DefaultAppSecret are the credentials the fake
	// accepts unless WithCredentials says otherwise.
	DefaultAppID     = "jing-test-app"
	DefaultAppSecret = "jing-test-secret"
	// DefaultMID is the tenant id put in generated events.
	DefaultMID = "941"
	// DefaultAccessTokenTTL is the fake's access-token lifetime (the vendor's
	// is undocumented, probably about 2 h).
	DefaultAccessTokenTTL = 2 * time.Hour
	// DefaultStageName is the stage of a newly created lead (初始线索, the
	// label of life_status baby_lead in the vendor's example).
	DefaultStageName = "初始线索"
)

// User is a user (and lead) stored by the fake.
type User struct {
	ID           string             // 22-character base57 user uuid (lead_omni_user_uuid)
	LeadID       string             // 22-character base57 lead uuid (entity_id of lead events)
	Identities   []jing.Identity    // as sent
	Fields       map[string]any     // as sent (numbers as json.Number)
	FieldsSource *jing.FieldsSource // as sent
	StageName    string             // DefaultStageName
	CreatedAt    time.Time          // on the server's clock
}

// Server is the fake. Its exported fields may be read at any time; set them
// only through options.
type Server struct {
	URL       string // base URL: pass it to jing.WithBaseURL
	AppID     string // the app id the fake accepts (DefaultAppID)
	AppSecret string // the app secret the fake accepts (DefaultAppSecret)
	MID       string // tenant id put in generated events
	// Clock is the fake's own clock (real time plus an offset): advance it
	// to expire tokens without sleeping, and give the client the same
	// clock (jing.WithClock(srv.Clock.Now)). With WithClock the server
	// reads that function instead, and Clock is not used.
	Clock *Clock
	// Faults applies to every operation: jing.OpGetToken,
	// jing.OpRefreshToken, jing.OpCreateUsers. Its counts are the request
	// counters (Requests).
	Faults *fake.Injector

	now        func() time.Time
	tokenPath  string
	accessTTL  time.Duration
	refreshTTL time.Duration
	srv        *httptest.Server

	mu            sync.Mutex
	access        map[string]time.Time // access token → expiry
	refresh       string               // the one live refresh token
	refreshIssued time.Time
	users         []User
	byIdentity    map[string]int
	deliveries    int
}

// Option configures NewServer.
type Option func(*Server)

// WithCredentials sets the app credentials the fake accepts (default
// DefaultAppID, DefaultAppSecret).
func WithCredentials(appID, appSecret string) Option {
	return func(s *Server) { s.AppID, s.AppSecret = appID, appSecret }
}

// WithClock makes the fake read the time from now (token expiry, event
// times) instead of its own Clock.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithMID sets the tenant id put in generated events (default DefaultMID).
func WithMID(mid string) Option { return func(s *Server) { s.MID = mid } }

// WithAccessTokenTTL sets the access-token lifetime (default 2 h).
func WithAccessTokenTTL(d time.Duration) Option { return func(s *Server) { s.accessTTL = d } }

// WithRefreshTokenTTL sets the refresh-token lifetime (default 30 days).
func WithRefreshTokenTTL(d time.Duration) Option { return func(s *Server) { s.refreshTTL = d } }

// WithTokenPath serves get-token at path (default jing.DefaultTokenPath),
// matching a client built with jing.WithTokenPath.
func WithTokenPath(path string) Option { return func(s *Server) { s.tokenPath = path } }

// NewServer starts the fake on loopback. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		AppID: DefaultAppID, AppSecret: DefaultAppSecret, MID: DefaultMID,
		Clock:      fake.NewClock(),
		Faults:     fake.NewInjector(),
		tokenPath:  jing.DefaultTokenPath,
		accessTTL:  DefaultAccessTokenTTL,
		refreshTTL: jing.RefreshTokenLifetime,
		access:     map[string]time.Time{},
		byIdentity: map[string]int{},
	}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	if s.now == nil {
		s.now = s.Clock.Now
	}
	mux := http.NewServeMux()
	mux.HandleFunc(s.tokenPath, s.post(jing.OpGetToken, s.getToken))
	mux.HandleFunc(jing.RefreshTokenPath, s.post(jing.OpRefreshToken, s.refreshToken))
	mux.HandleFunc(jing.CreateUsersPath, s.post(jing.OpCreateUsers, s.createUsers))
	s.srv = fake.Start(mux)
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Requests counts the requests for one operation (jing.OpGetToken,
// jing.OpRefreshToken, jing.OpCreateUsers), faulted and rejected ones
// included; "" counts all.
func (s *Server) Requests(op string) int { return s.Faults.Count(op) }

// TokenRequests counts the token requests: get-token and refresh.
func (s *Server) TokenRequests() int {
	return s.Requests(jing.OpGetToken) + s.Requests(jing.OpRefreshToken)
}

// InvalidateTokens invalidates every access token issued so far: the next
// call with one gets CodeInvalidAccessToken. The live refresh token stays
// valid (see RevokeRefreshToken).
func (s *Server) InvalidateTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = map[string]time.Time{}
}

// RevokeRefreshToken invalidates the live refresh token.
func (s *Server) RevokeRefreshToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh = ""
}

// Deliveries counts webhooks delivered with Server.DeliverWebhook and
// acknowledged.
func (s *Server) Deliveries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deliveries
}

// RefreshTokenValid reports whether rt is the live refresh token (the newest
// one, not older than its TTL).
func (s *Server) RefreshTokenValid(rt string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshValidLocked(rt)
}

// AccessTokenValid reports whether the access token is known and unexpired.
func (s *Server) AccessTokenValid(at string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.access[at]
	return ok && s.now().Before(exp)
}

// LiveTokens returns the access tokens the fake currently accepts
// (unexpired, not invalidated) and the live refresh token, if any, for
// tests that check no token leaks into an error or a log line.
func (s *Server) LiveTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := make([]string, 0, len(s.access)+1)
	for at, exp := range s.access {
		if now.Before(exp) {
			out = append(out, at)
		}
	}
	if s.refreshValidLocked(s.refresh) {
		out = append(out, s.refresh)
	}
	return out
}

func (s *Server) refreshValidLocked(rt string) bool {
	return rt != "" && rt == s.refresh && s.now().Before(s.refreshIssued.Add(s.refreshTTL))
}

type answer struct {
	RequestID string `json:"request_id"`
	Code      int    `json:"code"`
	Msg       string `json:"msg"`
	Data      any    `json:"data"`
	Timestamp int64  `json:"timestamp,omitempty"`
}

func (s *Server) reply(code int, msg string, data any, withTimestamp bool) (int, []byte) {
	a := answer{RequestID: randomHex(16), Code: code, Msg: msg, Data: data}
	if withTimestamp {
		a.Timestamp = s.now().UnixMilli()
	}
	return http.StatusOK, fake.JSON(a)
}

// post wraps an operation: POST only, fault injection, JSON body.
func (s *Server) post(op string, apply func(r *http.Request, body []byte) (int, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		if err != nil {
			return
		}
		s.Faults.Serve(w, r, op, func() (int, []byte) { return apply(r, body) })
	}
}

func isJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
}

// issueLocked makes a new pair; the previous refresh token dies.
func (s *Server) issueLocked() tokenAnswer {
	now := s.now()
	for t, exp := range s.access {
		if !now.Before(exp) {
			delete(s.access, t)
		}
	}
	at := newUUID()
	s.access[at] = now.Add(s.accessTTL)
	s.refresh, s.refreshIssued = newUUID(), now
	return tokenAnswer{AccessToken: at, RefreshToken: s.refresh, Scope: "all", TokenType: "bearer", ExpiresIn: int64(s.accessTTL / time.Second)}
}

func (s *Server) getToken(r *http.Request, body []byte) (int, []byte) {
	var req struct {
		AppID     string `json:"app_id"`
		AppSecret string `json:"app_secret"`
	}
	if !isJSON(r) || json.Unmarshal(body, &req) != nil {
		return s.reply(CodeBadRequest, "invalid request body", nil, true)
	}
	if req.AppID != s.AppID || req.AppSecret != s.AppSecret {
		return s.reply(CodeInvalidCredentials, "invalid app_id or app_secret", nil, true)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reply(0, "success", s.issueLocked(), true)
}

func (s *Server) refreshToken(r *http.Request, body []byte) (int, []byte) {
	var req struct {
		AppID        string `json:"app_id"`
		AppSecret    string `json:"app_secret"`
		RefreshToken string `json:"refresh_token"`
	}
	if !isJSON(r) || json.Unmarshal(body, &req) != nil {
		return s.reply(CodeBadRequest, "invalid request body", nil, true)
	}
	if req.AppID != s.AppID || req.AppSecret != s.AppSecret {
		return s.reply(CodeInvalidCredentials, "invalid app_id or app_secret", nil, true)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.refreshValidLocked(req.RefreshToken) {
		return s.reply(CodeInvalidRefreshToken, "refresh_token is invalid or expired", nil, true)
	}
	return s.reply(0, "success", s.issueLocked(), true)
}

// checkAuth verifies the app_id and access_token headers.
func (s *Server) checkAuth(r *http.Request) (int, string) {
	if r.Header.Get("app_id") != s.AppID {
		return CodeInvalidCredentials, "invalid app_id"
	}
	at := r.Header.Get("access_token")
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.access[at]
	if at == "" || !ok || !s.now().Before(exp) {
		return CodeInvalidAccessToken, "access_token is invalid or expired"
	}
	return 0, ""
}

// base57 is the alphabet of the vendor's 22-character ids (shortuuid style:
// no 0, 1, I, O, l).
const base57 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// NewID returns a random 22-character base57 id like the vendor's record ids
// (e.g. e9vMaiGWybEQ3Nc9xGgwV4).
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	n := new(big.Int).SetBytes(b[:])
	base := big.NewInt(57)
	out := make([]byte, 22)
	mod := new(big.Int)
	for i := len(out) - 1; i >= 0; i-- {
		n.DivMod(n, base, mod)
		out[i] = base57[mod.Int64()]
	}
	return string(out)
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
