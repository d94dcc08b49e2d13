// Package jingtest is an in-memory fake of the JINGdigital open platform for
// tests: get-token and refresh with a refresh token that really rotates (the
// previous one is rejected after a refresh or a get-token), access-token
// expiry on an adjustable clock, batch user creation with duplicate
// detection, the vendor's envelope, fault injection on every operation, and
// webhook delivery.
//
//	srv := jingtest.NewServer()
//	defer srv.Close()
//	c, _ := jing.New(srv.AppID, srv.AppSecret, jing.WithBaseURL(srv.URL), jing.WithClock(srv.Clock.Now))
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
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/internal/flex"
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
	DefaultAppID     = "jing-test-app"
	DefaultAppSecret = "jing-test-secret"
	DefaultMID       = "941"
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
	AppID     string // the app id the fake accepts
	AppSecret string // the app secret the fake accepts
	MID       string // tenant id put in generated events
	// Clock drives token expiry; advance it to expire tokens without
	// sleeping (give the client the same clock).
	Clock *fake.Clock
	// Faults applies to every operation: jing.OpGetToken,
	// jing.OpRefreshToken, jing.OpCreateUsers. Its counts are the request
	// counters.
	Faults *fake.Injector

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

// WithApp sets the app credentials the fake accepts.
func WithApp(appID, appSecret string) Option {
	return func(s *Server) { s.AppID, s.AppSecret = appID, appSecret }
}

// WithMID sets the tenant id put in generated events.
func WithMID(mid string) Option { return func(s *Server) { s.MID = mid } }

// WithClock shares a clock with the test (default: a new fake.Clock).
func WithClock(c *fake.Clock) Option { return func(s *Server) { s.Clock = c } }

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
	if s.Clock == nil {
		s.Clock = fake.NewClock()
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

// GetTokenCalls counts get-token requests (including faulted ones).
func (s *Server) GetTokenCalls() int { return s.Faults.Count(jing.OpGetToken) }

// RefreshCalls counts refresh requests (including faulted and rejected ones).
func (s *Server) RefreshCalls() int { return s.Faults.Count(jing.OpRefreshToken) }

// CreateUsersCalls counts user/create requests.
func (s *Server) CreateUsersCalls() int { return s.Faults.Count(jing.OpCreateUsers) }

// Deliveries counts webhooks delivered with DeliverWebhook and acknowledged.
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
	return ok && s.Clock.Now().Before(exp)
}

// RevokeAccessTokens invalidates every access token issued so far (the next
// call with one gets CodeInvalidAccessToken).
func (s *Server) RevokeAccessTokens() {
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

// LiveTokens returns the access tokens the fake currently accepts
// (unexpired, not revoked) and the live refresh token, if any, for tests
// that check no token leaks into an error or a log line.
func (s *Server) LiveTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Clock.Now()
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

// Users returns the stored users, oldest first.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]User(nil), s.users...)
}

// FindUser returns the stored user holding the identity.
func (s *Server) FindUser(t jing.IdentityType, value string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.byIdentity[identityKey(t, value)]
	if !ok {
		return User{}, false
	}
	return s.users[i], true
}

func identityKey(t jing.IdentityType, v string) string { return string(t) + "\x00" + v }

func (s *Server) refreshValidLocked(rt string) bool {
	return rt != "" && rt == s.refresh && s.Clock.Now().Before(s.refreshIssued.Add(s.refreshTTL))
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
		a.Timestamp = s.Clock.Now().UnixMilli()
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
	now := s.Clock.Now()
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
	if at == "" || !ok || !s.Clock.Now().Before(exp) {
		return CodeInvalidAccessToken, "access_token is invalid or expired"
	}
	return 0, ""
}

type userItem struct {
	Identities   []jing.Identity    `json:"identities"`
	Fields       map[string]any     `json:"fields"`
	FieldsSource *jing.FieldsSource `json:"fields_source"`
}

type successItem struct {
	Identities []jing.Identity `json:"identities"`
	LeadsInfo  *struct {
		StageName string `json:"stage_name"`
	} `json:"leads_info,omitempty"`
}

// failureItem is the fake's own shape (the vendor's is undocumented): the
// identities and a message.
type failureItem struct {
	Identities []jing.Identity `json:"identities"`
	Msg        string          `json:"msg"`
}

func (s *Server) createUsers(r *http.Request, body []byte) (int, []byte) {
	if code, msg := s.checkAuth(r); code != 0 {
		return s.reply(code, msg, nil, false)
	}
	var items []json.RawMessage
	if !isJSON(r) || flex.Unmarshal(body, &items) != nil || len(items) == 0 {
		return s.reply(CodeBadRequest, "body must be a non-empty JSON array of users", nil, false)
	}
	returnFull := r.URL.Query().Get("returnFull") == "true"
	success, failure := []successItem{}, []failureItem{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, raw := range items {
		var it userItem
		if err := flex.Unmarshal(raw, &it); err != nil {
			failure = append(failure, failureItem{Msg: "invalid user item"})
			continue
		}
		if msg := s.checkItemLocked(it); msg != "" {
			failure = append(failure, failureItem{Identities: it.Identities, Msg: msg})
			continue
		}
		u := User{ID: NewID(), LeadID: NewID(), Identities: it.Identities, Fields: it.Fields,
			FieldsSource: it.FieldsSource, StageName: DefaultStageName, CreatedAt: s.Clock.Now()}
		s.users = append(s.users, u)
		for _, id := range it.Identities {
			s.byIdentity[identityKey(id.Type, id.Value)] = len(s.users) - 1
		}
		item := successItem{Identities: it.Identities}
		if returnFull {
			item.LeadsInfo = &struct {
				StageName string `json:"stage_name"`
			}{StageName: u.StageName}
		}
		success = append(success, item)
	}
	return s.reply(0, "success", map[string]any{"success": success, "failure": failure}, false)
}

func (s *Server) checkItemLocked(it userItem) string {
	if len(it.Identities) == 0 {
		return "identities is required"
	}
	for _, id := range it.Identities {
		if id.Type == "" || id.Value == "" {
			return "identity type and value are required"
		}
		if _, dup := s.byIdentity[identityKey(id.Type, id.Value)]; dup {
			return "user already exists"
		}
	}
	return ""
}

// ObjectCreateEvent builds the object_create lead event the vendor would
// push for u, in the shape of the vendor's example: mapping_data holds
// 1-element arrays, mapping_data_text plain labels.
func (s *Server) ObjectCreateEvent(u User) []byte {
	now := s.Clock.Now()
	ts := now.In(time.FixedZone("CST", 8*3600)).Format(time.DateTime)
	const businessType = "WNh7rwLXUQPFwACQ6EKPqD"
	md := map[string]any{
		"business_type":          []string{businessType},
		"lead_pool":              []string{"market"},
		"life_status":            []string{"baby_lead"},
		"to_baby_lead_timestamp": []string{ts},
	}
	mdt := map[string]any{
		"business_type":          "Default",
		"lead_pool":              "市场公海",
		"life_status":            DefaultStageName,
		"to_baby_lead_timestamp": ts,
	}
	for _, id := range u.Identities {
		if id.Type == jing.IdentityMobile {
			md["mobile"], mdt["mobile"] = []string{id.Value}, id.Value
		}
	}
	keys := make([]string, 0, len(u.Fields))
	for k := range u.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		md[k], mdt[k] = []any{u.Fields[k]}, fmt.Sprint(u.Fields[k])
	}
	ev := map[string]any{
		"mid":            s.MID,
		"event_category": jing.CategoryObjectV2,
		"event_type":     string(jing.EventObjectCreate),
		"action_keyword": string(jing.EventObjectCreate),
		"create_time":    now.Unix(),
		"extra_data": map[string]any{
			"object_id": "56", "object_name": jing.ObjectLead, "entity_id": u.LeadID,
			"operator_type": 0, "operator_id": 0, "omni_user_uuid": "", "is_follow_up": 0, "notes": "",
			"login_platform": "", "login_source_value": "", "login_source_type": "", "login_environment": "",
			"timeline_data": map[string]string{"login_platform": "", "login_environment": "", "login_source_type": "", "login_source_name": ""},
			"business_type": businessType, "created_timestamp": ts, "owner": nil,
			"life_status": "baby_lead", "lead_omni_user_uuid": u.ID,
			"mapping_data": md, "mapping_data_text": mdt, "business_type_name": "Default",
		},
	}
	b, _ := flex.Marshal(ev)
	return b
}

// DeliverWebhook posts ev to url like the vendor (POST, application/json)
// and counts it when acknowledged with a 2xx. See the package-level
// DeliverWebhook.
func (s *Server) DeliverWebhook(ctx context.Context, url string, ev any) error {
	if err := DeliverWebhook(ctx, url, ev); err != nil {
		return err
	}
	s.mu.Lock()
	s.deliveries++
	s.mu.Unlock()
	return nil
}

// DeliverWebhook posts ev to url as a JSON webhook. ev may be the body
// ([]byte, json.RawMessage or string, sent verbatim), a *jing.Event (its Raw
// when set) or any value to marshal. Add a shared secret to url with
// WebhookURL. A non-2xx answer is an error.
func DeliverWebhook(ctx context.Context, url string, ev any) error {
	var body []byte
	switch v := ev.(type) {
	case []byte:
		body = v
	case json.RawMessage:
		body = v
	case string:
		body = []byte(v)
	case *jing.Event:
		if v == nil {
			return errors.New("jingtest: DeliverWebhook: nil event")
		}
		body = v.Raw
	}
	if body == nil {
		b, err := flex.Marshal(ev)
		if err != nil {
			return fmt.Errorf("jingtest: DeliverWebhook: %w", err)
		}
		body = b
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("jingtest: DeliverWebhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		var ue *neturlError
		if errors.As(err, &ue) {
			err = ue.Err // the URL may carry the secret
		}
		return fmt.Errorf("jingtest: DeliverWebhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("jingtest: DeliverWebhook: HTTP %d", resp.StatusCode)
	}
	return nil
}

type neturlError = url.Error

// WebhookURL returns base with the query parameter param set to secret, the
// URL to register (and deliver to) for jing.WithWebhookSecret(param, secret).
func WebhookURL(base, param, secret string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set(param, secret)
	u.RawQuery = q.Encode()
	return u.String(), nil
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
