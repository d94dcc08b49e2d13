// Package weilingtest is an in-memory fake of the weiling (卫瓴·协同CRM)
// OpenAPI for tests, yours included: it issues expiring access tokens and
// checks them on every call, stores contacts and clues, pages lists with a
// cursor that ends with code 1006, reports unknown ids per item in
// fail_list, injects faults, and delivers callbacks encrypted and signed
// exactly as weiling does.
//
//	srv := weilingtest.NewServer()
//	defer srv.Close()
//	c, _ := weiling.New(weilingtest.DefaultAppID, weilingtest.DefaultAppSecret, weiling.WithBaseURL(srv.URL))
//	srv.Faults.Add(weilingtest.Fault{Op: "contact/list", Status: 503}) // next contact/list answers 503
//
// Tokens live Server.TokenTTL on the server's clock (2 hours by default);
// share a settable clock with the client (WithClock here, weiling.WithClock
// there) and advance it to expire them, or call InvalidateTokens to make the
// current ones invalid at once. A missing, unknown or expired token is
// answered with code 1007 (非法访问) by default (the vendor documents no
// code for it; see WithInvalidTokenCode).
package weilingtest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/weiling"
)

// Default credentials and callback settings of a fake (WithCredentials and
// WithCallbackSettings change them).
const (
	// DefaultAppID is the app id the fake accepts by default.
	DefaultAppID = "wloac1e0c17f4ac0ffee0123456789abcdef"
	// DefaultAppSecret is the app secret the fake accepts by default.
	DefaultAppSecret = "weilingtest-app-secret-7f3a9c"
	// DefaultCallbackToken is the callback Token of the fake app.
	DefaultCallbackToken = "cluekitFakeCallbackToken7f3a9c"
	// DefaultEncodingAESKey is the EncodingAESKey of the fake app (43
	// letters and digits, as the vendor console issues them).
	DefaultEncodingAESKey = "cluekitFakeEncodingAESKey7f3a9c0123456789ab"
)

// Server is a running fake. Its exported fields are set by NewServer and
// must not be changed afterwards (Faults is safe to use concurrently).
type Server struct {
	// URL is the base URL to pass to weiling.WithBaseURL.
	URL string
	// AppID and AppSecret are the credentials the fake accepts
	// (DefaultAppID and DefaultAppSecret unless WithCredentials).
	AppID, AppSecret string
	// CallbackToken and EncodingAESKey are the app's callback settings,
	// used by DeliverCallback and VerifyCallbackURL (DefaultCallbackToken
	// and DefaultEncodingAESKey unless WithCallbackSettings).
	CallbackToken, EncodingAESKey string
	// UserID is an employee id the fake knows, usable as owner_id,
	// create_user_id and operator_user_id.
	UserID string
	// SeaID is the id of the fake's default public pool (默认公海).
	SeaID string
	// TokenTTL is how long an issued token is valid.
	TokenTTL time.Duration
	// Faults injects faults; ops are the path after /openapi/
	// ("auth/access_token/get", "contact/create", "clue/list", ...).
	Faults *Injector

	srv *httptest.Server
	cfg config

	mu            sync.Mutex
	tokens        map[string]time.Time
	tokenRequests int
	contacts      []*weiling.Contact
	contactByID   map[string]*weiling.Contact
	clues         []*weiling.Clue
	clueByID      map[string]*weiling.Clue
}

type config struct {
	appID, appSecret string
	token, aesKey    string
	now              func() time.Time
	ttl              time.Duration
	expiresIn        bool
	pageSize         int
	invalidCode      int
	disuseKey        string
	noCreatedIDs     bool
}

// Option configures NewServer.
type Option func(*config)

// WithCredentials sets the app id and secret the fake accepts (default
// DefaultAppID and DefaultAppSecret).
func WithCredentials(appID, appSecret string) Option {
	return func(c *config) { c.appID, c.appSecret = appID, appSecret }
}

// WithCallbackSettings sets the callback Token and EncodingAESKey (default
// DefaultCallbackToken and DefaultEncodingAESKey).
func WithCallbackSettings(token, encodingAESKey string) Option {
	return func(c *config) { c.token, c.aesKey = token, encodingAESKey }
}

// WithClock sets the clock of token expiry, create times and callback
// timestamps (default time.Now). Give the client the same one
// (weiling.WithClock) and move it forward to expire tokens, for example
// with a Clock's Now.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithTokenTTL sets how long tokens live (default 2 hours).
func WithTokenTTL(d time.Duration) Option { return func(c *config) { c.ttl = d } }

// WithExpiresIn makes the token answer carry expires_in (seconds). The real
// answer's expiry field is not documented, so by default there is none.
func WithExpiresIn() Option { return func(c *config) { c.expiresIn = true } }

// WithPageSize sets the page size of contact/list and clue/list (default
// 100).
func WithPageSize(n int) Option { return func(c *config) { c.pageSize = n } }

// WithInvalidTokenCode sets the code answered for a missing, unknown or
// expired token (default 1007; 403 is the other code the SDK treats so).
func WithInvalidTokenCode(code int) Option { return func(c *config) { c.invalidCode = code } }

// WithDisuseContactsKey sets the body key contact/disuse reads the ids from
// (default the documented "contatc_ids"), to emulate a server that expects
// "contact_ids".
func WithDisuseContactsKey(key string) Option { return func(c *config) { c.disuseKey = key } }

// WithoutCreatedIDs makes contact/create answer without the new id (the
// real answer is not documented), so callers must look the contact up.
func WithoutCreatedIDs() Option { return func(c *config) { c.noCreatedIDs = true } }

// NewID returns a random id shaped like weiling's (43 base64url
// characters).
func NewID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewEncodingAESKey returns a random 43-character EncodingAESKey (letters
// and digits, as the vendor console issues them).
func NewEncodingAESKey() string { return randomAlnum(43) }

// NewCallbackToken returns a random 32-character callback Token.
func NewCallbackToken() string { return randomAlnum(32) }

func randomAlnum(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// NewServer starts a fake on loopback. Close it when done.
func NewServer(opts ...Option) *Server {
	cfg := config{
		appID: DefaultAppID, appSecret: DefaultAppSecret, token: DefaultCallbackToken, aesKey: DefaultEncodingAESKey,
		ttl: 2 * time.Hour, pageSize: 100, invalidCode: 1007, disuseKey: weiling.DisuseContactsKeyDocumented}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.pageSize < 1 {
		cfg.pageSize = 100
	}
	s := &Server{
		AppID: cfg.appID, AppSecret: cfg.appSecret,
		CallbackToken: cfg.token, EncodingAESKey: cfg.aesKey,
		UserID: NewID(), SeaID: NewID(), TokenTTL: cfg.ttl,
		Faults:      fake.NewInjector(),
		cfg:         cfg,
		tokens:      map[string]time.Time{},
		contactByID: map[string]*weiling.Contact{},
		clueByID:    map[string]*weiling.Clue{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/openapi/auth/access_token/get", s.handleToken)
	routes := []struct {
		op, method string
		fn         func(q url.Values, body []byte) (any, int, string)
	}{
		{"contact/create", http.MethodPost, s.contactCreate},
		{"contact/batch", http.MethodPost, s.contactBatch},
		{"contact/list", http.MethodGet, s.contactList},
		{"contact/edit", http.MethodPost, s.contactEdit},
		{"contact/owner_change", http.MethodPost, s.contactOwnerChange},
		{"contact/disuse", http.MethodPost, s.contactDisuse},
		{"contact/recover", http.MethodPost, s.contactRecover},
		{"contact/back_to_sea", http.MethodPost, s.contactBackToSea},
		{"clue/list", http.MethodGet, s.clueList},
		{"clue/batch", http.MethodPost, s.clueBatch},
		{"clue/owner_change", http.MethodPost, s.clueOwnerChange},
		{"clue/disuse", http.MethodPost, s.clueDisuse},
		{"clue/update", http.MethodPost, s.clueUpdate},
		{"clue/back_to_sea", http.MethodPost, s.clueBackToSea},
		{"clue/recover", http.MethodPost, s.clueRecover},
	}
	for _, rt := range routes {
		mux.HandleFunc("/openapi/"+rt.op, s.api(rt.op, rt.method, rt.fn))
	}
	s.srv = fake.Start(mux)
	s.URL = s.srv.URL
	return s
}

// Close shuts the fake down.
func (s *Server) Close() { s.srv.Close() }

// Now reads the fake's clock (WithClock).
func (s *Server) Now() time.Time { return s.cfg.now() }

// TokenRequests reports how many token requests arrived.
func (s *Server) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// Requests reports how many requests for op arrived (op as in Faults; ""
// = all).
func (s *Server) Requests(op string) int { return s.Faults.Count(op) }

// InvalidateTokens makes every token issued so far invalid at once, as if
// the vendor had revoked them; the next call with one is answered with the
// invalid-token code.
func (s *Server) InvalidateTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]time.Time{}
}

// LiveTokens returns the access tokens the fake currently accepts (issued,
// not expired and not invalidated), for tests that check no token leaks
// into an error or a log line.
func (s *Server) LiveTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	out := make([]string, 0, len(s.tokens))
	for tok, exp := range s.tokens {
		if now.Before(exp) {
			out = append(out, tok)
		}
	}
	return out
}

// envelope writes {"code":..,"msg":..,"data":..}.
func envelope(code int, msg string, data any) []byte {
	m := map[string]any{"code": code, "msg": msg}
	if data != nil {
		m["data"] = data
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(m)
	return bytes.TrimRight(buf.Bytes(), "\n")
}

var codeMsgs = map[int]string{
	0: "success", 403: "无访问权限", 501: "app_id或app_secret不合法,请检查配置",
	1000: "参数缺失", 1001: "不合法的参数", 1002: "数据已存在", 1003: "数据不存在", 1004: "重复操作",
	1005: "操作失败", 1006: "数据加载完毕", 1007: "非法访问", 1010: "不支持的请求方法",
	1011: "body参数解析异常", 1012: "数据超过限制", 1013: "参数格式或值错误", 1014: "游标参数错误",
}

func fail(code int) (any, int, string) { return nil, code, codeMsgs[code] }

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	const op = weiling.TokenOp
	s.Faults.Serve(w, r, op, func() (int, []byte) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.tokenRequests++
		if r.Method != http.MethodGet {
			return http.StatusOK, envelope(1010, codeMsgs[1010], nil)
		}
		q := r.URL.Query()
		id, secret := q.Get("app_id"), q.Get("app_secret")
		if id == "" || secret == "" {
			return http.StatusOK, envelope(1001, codeMsgs[1001], nil)
		}
		if id != s.AppID || secret != s.AppSecret {
			return http.StatusOK, envelope(501, codeMsgs[501], nil)
		}
		tok := randomHex(24)
		s.tokens[tok] = s.Now().Add(s.TokenTTL)
		data := map[string]any{"access_token": tok}
		if s.cfg.expiresIn {
			data["expires_in"] = int64(s.TokenTTL / time.Second)
		}
		return http.StatusOK, envelope(0, "success", data)
	})
}

// tokenValid reports whether tok is a live token (s.mu held).
func (s *Server) tokenValid(tok string) bool {
	exp, ok := s.tokens[tok]
	if !ok {
		return false
	}
	if !s.Now().Before(exp) {
		delete(s.tokens, tok)
		return false
	}
	return true
}

// api wraps one endpoint: faults, method, token, body, envelope.
func (s *Server) api(op, method string, fn func(q url.Values, body []byte) (any, int, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.Faults.Serve(w, r, op, func() (int, []byte) {
			if r.Method != method {
				return http.StatusOK, envelope(1010, codeMsgs[1010], nil)
			}
			body, err := readAll(r)
			if err != nil {
				return http.StatusOK, envelope(1011, codeMsgs[1011], nil)
			}
			q := r.URL.Query()
			s.mu.Lock()
			defer s.mu.Unlock()
			if !s.tokenValid(q.Get("access_token")) {
				return http.StatusOK, envelope(s.cfg.invalidCode, codeMsgs[s.cfg.invalidCode], nil)
			}
			if method == http.MethodPost && (len(bytes.TrimSpace(body)) == 0 || !json.Valid(body)) {
				return http.StatusOK, envelope(1011, codeMsgs[1011], nil)
			}
			data, code, msg := fn(q, body)
			return http.StatusOK, envelope(code, msg, data)
		})
	}
}

func readAll(r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, 4<<20))
	return buf.Bytes(), err
}

// decode reads a JSON body into v with exact numbers.
func decode(body []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return dec.Decode(v) == nil
}

// cursor encodes a list offset opaquely.
func cursor(kind string, off int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.Itoa(off)))
}

// parseCursor decodes a cursor of kind; "" is the first page.
func parseCursor(kind, c string) (int, bool) {
	if c == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	k, n, ok := strings.Cut(string(b), ":")
	if !ok || k != kind {
		return 0, false
	}
	off, err := strconv.Atoi(n)
	return off, err == nil && off >= 0
}

// page slices items from the cursor's offset; ok=false for a bad cursor,
// done=true when nothing is left (code 1006).
func page[T any](items []T, kind, cur string, size int) (out []T, next string, code int) {
	off, ok := parseCursor(kind, cur)
	if !ok {
		return nil, "", 1014
	}
	if off >= len(items) {
		return nil, "", 1006
	}
	end := min(off+size, len(items))
	return items[off:end], cursor(kind, end), 0
}

// wireObject marshals v (a weiling struct, whose Extra members are
// encoded after its typed fields) to a map.
func wireObject(v any) map[string]any {
	b, _ := json.Marshal(v)
	m := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	_ = dec.Decode(&m)
	return m
}

func setExtra(extra *weiling.Extra, key string, v any) {
	if *extra == nil {
		*extra = weiling.Extra{}
	}
	b, _ := json.Marshal(v)
	(*extra)[key] = b
}
