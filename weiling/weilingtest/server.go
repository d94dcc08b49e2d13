// Package weilingtest is an in-memory fake of the weiling (卫瓴·协同CRM)
// OpenAPI for tests, yours included: it issues expiring access tokens and
// checks them on every call, stores contacts and clues, pages lists with a
// cursor that ends with code 1006, reports unknown ids per item in
// fail_list, injects faults, and delivers callbacks encrypted and signed
// exactly as weiling does.
//
//	srv := weilingtest.NewServer()
//	defer srv.Close()
//	c, _ := weiling.New(srv.AppID, srv.AppSecret, weiling.WithBaseURL(srv.URL))
//	srv.Faults.Add(fake.Fault{Op: "contact/list", Status: 503}) // next contact/list answers 503
//
// Tokens live Server.TokenTTL on Server.Clock (2 hours by default); advance
// the clock (and give the client weiling.WithClock(srv.Clock.Now)) to expire
// them, or call InvalidateTokens to make the current ones invalid at once.
// A missing, unknown or expired token is answered with code 1007 (非法访问)
// by default (the vendor documents no code for it; see
// WithInvalidTokenCode).
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
	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/weiling"
)

// Server is a running fake. Its exported fields are set by NewServer and
// must not be changed afterwards (Faults and Clock are safe to use
// concurrently).
type Server struct {
	// URL is the base URL to pass to weiling.WithBaseURL.
	URL string
	// AppID and AppSecret are the credentials the fake accepts.
	AppID, AppSecret string
	// CallbackToken and EncodingAESKey are the app's callback settings,
	// used by DeliverCallback and VerifyCallbackURL.
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
	Faults *fake.Injector
	// Clock is the fake's clock for token expiry and create times.
	Clock *fake.Clock

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
	clock            *fake.Clock
	ttl              time.Duration
	expiresIn        bool
	pageSize         int
	invalidCode      int
	disuseKey        string
	noCreatedIDs     bool
}

// Option configures NewServer.
type Option func(*config)

// WithCredentials sets the app id and secret the fake accepts (default:
// random ones, in Server.AppID and Server.AppSecret).
func WithCredentials(appID, appSecret string) Option {
	return func(c *config) { c.appID, c.appSecret = appID, appSecret }
}

// WithCallbackSettings sets the callback Token and EncodingAESKey (default:
// random ones).
func WithCallbackSettings(token, encodingAESKey string) Option {
	return func(c *config) { c.token, c.aesKey = token, encodingAESKey }
}

// WithClock shares a clock with the test (default: a new one).
func WithClock(clock *fake.Clock) Option { return func(c *config) { c.clock = clock } }

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
	cfg := config{ttl: 2 * time.Hour, pageSize: 100, invalidCode: 1007, disuseKey: weiling.DisuseContactsKeyDocumented}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.appID == "" {
		cfg.appID = "wloa" + randomHex(16)
	}
	if cfg.appSecret == "" {
		cfg.appSecret = randomHex(16)
	}
	if cfg.token == "" {
		cfg.token = NewCallbackToken()
	}
	if cfg.aesKey == "" {
		cfg.aesKey = NewEncodingAESKey()
	}
	if cfg.clock == nil {
		cfg.clock = fake.NewClock()
	}
	if cfg.pageSize < 1 {
		cfg.pageSize = 100
	}
	s := &Server{
		AppID: cfg.appID, AppSecret: cfg.appSecret,
		CallbackToken: cfg.token, EncodingAESKey: cfg.aesKey,
		UserID: NewID(), SeaID: NewID(), TokenTTL: cfg.ttl,
		Faults: fake.NewInjector(), Clock: cfg.clock,
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
	now := s.Clock.Now()
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
		s.tokens[tok] = s.Clock.Now().Add(s.TokenTTL)
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
	if !s.Clock.Now().Before(exp) {
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

// wireObject marshals v (a weiling struct) to a map and merges extra.
func wireObject(v any, extra map[string]json.RawMessage) map[string]any {
	b, _ := json.Marshal(v)
	m := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	_ = dec.Decode(&m)
	for k, raw := range extra {
		var x any
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if d.Decode(&x) == nil {
			m[k] = x
		}
	}
	return m
}

func setExtra(extra *map[string]json.RawMessage, key string, v any) {
	if *extra == nil {
		*extra = map[string]json.RawMessage{}
	}
	b, _ := json.Marshal(v)
	(*extra)[key] = b
}

// ---- contacts ----

func (s *Server) nowMillis() int64 { return s.Clock.Now().UnixMilli() }

// AddContact stores a contact as if created in the vendor's UI and returns
// its id (c.ContactID, or a new one). A zero CreateTime becomes now.
func (s *Server) AddContact(c weiling.Contact) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addContact(c)
}

func (s *Server) addContact(c weiling.Contact) string {
	if c.ContactID == "" {
		c.ContactID = NewID()
	}
	if c.CreateTime == 0 {
		c.CreateTime = flex.UnixMillis(s.nowMillis())
	}
	cp := c
	s.contacts = append(s.contacts, &cp)
	s.contactByID[cp.ContactID] = &cp
	return cp.ContactID
}

// Contact returns a copy of the stored contact.
func (s *Server) Contact(id string) (weiling.Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.contactByID[id]
	if !ok {
		return weiling.Contact{}, false
	}
	return *c, true
}

// Contacts returns copies of all stored contacts, in creation order.
func (s *Server) Contacts() []weiling.Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]weiling.Contact, 0, len(s.contacts))
	for _, c := range s.contacts {
		out = append(out, *c)
	}
	return out
}

func contactWire(c *weiling.Contact) map[string]any { return wireObject(c, c.Extra) }

type createContactBody struct {
	UserName    string `json:"user_name"`
	ContactWays []struct {
		Type       json.Number `json:"type"`
		ContactWay string      `json:"contact_way"`
	} `json:"contact_ways"`
	CreateTime     json.Number  `json:"create_time"`
	Status         *json.Number `json:"status"`
	CreateUserID   string       `json:"create_user_id"`
	OwnerID        string       `json:"owner_id"`
	SeaID          string       `json:"sea_id"`
	Gender         json.Number  `json:"gender"`
	Age            json.Number  `json:"age"`
	PopulationSize *json.Number `json:"population_size"`
}

func (s *Server) contactCreate(_ url.Values, body []byte) (any, int, string) {
	var b createContactBody
	if !decode(body, &b) {
		return fail(1011)
	}
	var all map[string]json.RawMessage
	_ = json.Unmarshal(body, &all)
	if b.Status == nil {
		return fail(1000)
	}
	status, err := b.Status.Int64()
	if err != nil || (status != 0 && status != 1 && status != 4) {
		return fail(1013)
	}
	c := weiling.Contact{UserName: b.UserName, Status: weiling.ContactStatus(status), CreateUserID: b.CreateUserID, OwnerID: b.OwnerID}
	for _, w := range b.ContactWays {
		t, err := w.Type.Int64()
		if err != nil || t < 1 || t > 3 || w.ContactWay == "" {
			return fail(1013)
		}
		c.ContactWays = append(c.ContactWays, weiling.ContactWay{Type: weiling.ContactWayType(t), ContactWay: w.ContactWay})
	}
	if b.CreateTime != "" {
		ms, err := b.CreateTime.Int64()
		if err != nil || ms < 0 {
			return fail(1013)
		}
		c.CreateTime = flex.UnixMillis(ms)
	}
	if b.Gender != "" {
		g, err := b.Gender.Int64()
		if err != nil || g < 0 || g > 2 {
			return fail(1013)
		}
		c.Gender = weiling.Gender(g)
	}
	if b.Age != "" {
		a, err := b.Age.Int64()
		if err != nil || a < 0 {
			return fail(1013)
		}
		c.Age = flex.UnixMillis(a)
	}
	if b.PopulationSize != nil {
		p, err := b.PopulationSize.Int64()
		if err != nil || p < 0 || p > 5 {
			return fail(1013)
		}
		c.PopulationSize = weiling.PopulationSize(p)
	}
	if status == 1 && c.OwnerID == "" {
		c.OwnerID = firstNonEmpty(b.CreateUserID, s.UserID)
	}
	for _, k := range []string{"corp_name", "corp_address", "register_address", "industry", "email", "searchword", "region", "plan_name", "group_name", "url", "creative_title", "creative_description"} {
		if raw, ok := all[k]; ok {
			_ = json.Unmarshal(raw, fieldPtr(&c, k))
		}
	}
	for _, k := range []string{"legal_person", "qq", "wx_id", "key_word", "advertiser_account_name", "from_channel_id", "contact_custom"} {
		if raw, ok := all[k]; ok {
			setExtra(&c.Extra, k, json.RawMessage(raw))
		}
	}
	if status == 0 {
		setExtra(&c.Extra, "sea_id", firstNonEmpty(b.SeaID, s.SeaID))
	}
	c.FromChannelName = "其他-其他"
	id := s.addContact(c)
	if s.cfg.noCreatedIDs {
		return nil, 0, "success"
	}
	return map[string]any{"contact_id": id}, 0, "success"
}

// fieldPtr returns a pointer to the string field of c named by its JSON key.
func fieldPtr(c *weiling.Contact, key string) *string {
	switch key {
	case "corp_name":
		return &c.CorpName
	case "corp_address":
		return &c.CorpAddress
	case "register_address":
		return &c.RegisterAddress
	case "industry":
		return &c.Industry
	case "email":
		return &c.Email
	case "searchword":
		return &c.Searchword
	case "region":
		return &c.Region
	case "plan_name":
		return &c.PlanName
	case "group_name":
		return &c.GroupName
	case "url":
		return &c.URL
	case "creative_title":
		return &c.CreativeTitle
	case "creative_description":
		return &c.CreativeDescription
	}
	return new(string)
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// idList reads a list of ids under key; code != 0 on a missing or too long
// list.
func idList(body []byte, key string, max int) ([]string, int) {
	var m map[string]json.RawMessage
	if !decode(body, &m) {
		return nil, 1011
	}
	raw, ok := m[key]
	if !ok {
		return nil, 1000
	}
	var ids []string
	if json.Unmarshal(raw, &ids) != nil {
		return nil, 1013
	}
	if len(ids) == 0 {
		return nil, 1000
	}
	if max > 0 && len(ids) > max {
		return nil, 1012
	}
	return ids, 0
}

func failItem(key, id string, code int) map[string]any {
	return map[string]any{key: id, "error_code": code, "error_msg": codeMsgs[code]}
}

func (s *Server) contactBatch(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "contact_ids", 100)
	if code != 0 {
		return fail(code)
	}
	list := []map[string]any{}
	for _, id := range ids {
		if c, ok := s.contactByID[id]; ok {
			list = append(list, contactWire(c))
		}
	}
	return map[string]any{"contact_list": list}, 0, "success"
}

func (s *Server) contactList(q url.Values, _ []byte) (any, int, string) {
	start, err1 := time.ParseInLocation(time.DateOnly, q.Get("start_day"), chinaTime)
	end, err2 := time.ParseInLocation(time.DateOnly, q.Get("end_day"), chinaTime)
	if err1 != nil || err2 != nil {
		return fail(1013)
	}
	end = end.AddDate(0, 0, 1)
	owner := q.Get("owner_id")
	var match []*weiling.Contact
	for _, c := range s.contacts {
		t := time.UnixMilli(int64(c.CreateTime))
		if t.Before(start) || !t.Before(end) || (owner != "" && c.OwnerID != owner) {
			continue
		}
		match = append(match, c)
	}
	items, next, code := page(match, "contact", q.Get("cursor"), s.cfg.pageSize)
	if code != 0 {
		return fail(code)
	}
	list := make([]map[string]any, 0, len(items))
	for _, c := range items {
		list = append(list, contactWire(c))
	}
	return map[string]any{"contact_list": list, "cursor": next}, 0, "success"
}

var chinaTime = time.FixedZone("CST", 8*3600)

func (s *Server) contactEdit(_ url.Values, body []byte) (any, int, string) {
	var b struct {
		ContactID     string         `json:"contact_id"`
		UserName      string         `json:"user_name"`
		Position      string         `json:"position"`
		Gender        *json.Number   `json:"gender"`
		Age           *json.Number   `json:"age"`
		WxID          string         `json:"wx_id"`
		QQ            string         `json:"qq"`
		Email         string         `json:"email"`
		Remark        string         `json:"remark"`
		ContactCustom map[string]any `json:"contact_custom"`
	}
	if !decode(body, &b) {
		return fail(1011)
	}
	if b.ContactID == "" {
		return fail(1000)
	}
	c, ok := s.contactByID[b.ContactID]
	if !ok {
		return fail(1003)
	}
	if b.Gender != nil {
		g, err := b.Gender.Int64()
		if err != nil || g < 0 || g > 2 {
			return fail(1013)
		}
		c.Gender = weiling.Gender(g)
	}
	if b.Age != nil {
		a, err := b.Age.Int64()
		if err != nil || a < 0 {
			return fail(1013)
		}
		c.Age = flex.UnixMillis(a)
	}
	if b.UserName != "" {
		c.UserName = b.UserName
	}
	if b.Position != "" {
		c.Position = b.Position
	}
	if b.Email != "" {
		c.Email = b.Email
	}
	for k, v := range map[string]string{"wx_id": b.WxID, "qq": b.QQ, "remark": b.Remark} {
		if v != "" {
			setExtra(&c.Extra, k, v)
		}
	}
	if len(b.ContactCustom) > 0 {
		setExtra(&c.Extra, "contact_custom", b.ContactCustom)
	}
	return nil, 0, "success"
}

type ownerChangeBody struct {
	OperatorUserID string `json:"operator_user_id"`
	Contacts       []struct {
		ID      string `json:"id"`
		OwnerID string `json:"owner_id"`
	} `json:"contact_list"`
	Clues []struct {
		ID      string `json:"id"`
		OwnerID string `json:"owner_id"`
	} `json:"clue_list"`
}

func (s *Server) contactOwnerChange(_ url.Values, body []byte) (any, int, string) {
	var b ownerChangeBody
	if !decode(body, &b) {
		return fail(1011)
	}
	if len(b.Contacts) == 0 {
		return fail(1000)
	}
	fails := []map[string]any{}
	for _, ch := range b.Contacts {
		c, ok := s.contactByID[ch.ID]
		switch {
		case !ok:
			fails = append(fails, failItem("id", ch.ID, 1003))
		case ch.OwnerID == "":
			fails = append(fails, failItem("id", ch.ID, 1013))
		default:
			c.OwnerID = ch.OwnerID
			if c.Status != weiling.ContactClaimed {
				c.Status = weiling.ContactClaimed
				c.ClaimTime = flex.UnixMillis(s.nowMillis())
			}
		}
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}

func (s *Server) contactDisuse(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, s.cfg.disuseKey, 100)
	if code != 0 {
		return fail(code)
	}
	fails := []map[string]any{}
	for _, id := range ids {
		c, ok := s.contactByID[id]
		switch {
		case !ok:
			fails = append(fails, failItem("contact_id", id, 1003))
		case bool(c.IsUseless):
			fails = append(fails, failItem("contact_id", id, 1004))
		default:
			c.IsUseless = true
		}
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}

func (s *Server) contactRecover(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "contact_ids", 100)
	if code != 0 {
		return fail(code)
	}
	fails := []map[string]any{}
	for _, id := range ids {
		c, ok := s.contactByID[id]
		switch {
		case !ok:
			fails = append(fails, failItem("contact_id", id, 1003))
		case !bool(c.IsUseless):
			fails = append(fails, failItem("contact_id", id, 1004))
		default:
			c.IsUseless = false
		}
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}

func seaOf(body []byte, def string) string {
	var b struct {
		SeaID string `json:"sea_id"`
	}
	_ = json.Unmarshal(body, &b)
	return firstNonEmpty(b.SeaID, def)
}

func (s *Server) contactBackToSea(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "contact_ids", 0)
	if code != 0 {
		return fail(code)
	}
	sea := seaOf(body, s.SeaID)
	fails := []map[string]any{}
	for _, id := range ids {
		c, ok := s.contactByID[id]
		if !ok {
			fails = append(fails, failItem("contact_id", id, 1003))
			continue
		}
		c.Status, c.OwnerID = weiling.ContactInSea, ""
		setExtra(&c.Extra, "sea_id", sea)
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}

// ---- clues ----

// AddClue stores a clue (the clue/create body is not documented, so tests
// and examples seed clues this way) and returns its id (c.ClueID, or a new
// one). A zero CreateTime becomes now.
func (s *Server) AddClue(c weiling.Clue) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ClueID == "" {
		c.ClueID = NewID()
	}
	if c.CreateTime == 0 {
		c.CreateTime = flex.UnixMillis(s.nowMillis())
	}
	cp := c
	s.clues = append(s.clues, &cp)
	s.clueByID[cp.ClueID] = &cp
	return cp.ClueID
}

// Clue returns a copy of the stored clue.
func (s *Server) Clue(id string) (weiling.Clue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clueByID[id]
	if !ok {
		return weiling.Clue{}, false
	}
	return *c, true
}

// clueWire is a clue as clue/list and clue/batch send it: create_time as a
// string of ms, as in the vendor's example.
func clueWire(c *weiling.Clue) map[string]any {
	m := wireObject(c, c.Extra)
	m["create_time"] = strconv.FormatInt(int64(c.CreateTime), 10)
	return m
}

func (s *Server) clueList(q url.Values, _ []byte) (any, int, string) {
	var start int64
	if v := q.Get("start"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fail(1013)
		}
		start = n
	}
	owner, mobile := q.Get("owner_id"), q.Get("mobile")
	var match []*weiling.Clue
	for _, c := range s.clues {
		if int64(c.CreateTime) <= start || (owner != "" && c.OwnerID != owner) || (mobile != "" && c.Mobile != mobile) {
			continue
		}
		match = append(match, c)
	}
	items, next, code := page(match, "clue", q.Get("cursor"), s.cfg.pageSize)
	if code != 0 {
		return fail(code)
	}
	list := make([]map[string]any, 0, len(items))
	for _, c := range items {
		list = append(list, clueWire(c))
	}
	return map[string]any{"clue_list": list, "cursor": next}, 0, "success"
}

func (s *Server) clueBatch(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "clue_ids", 100)
	if code != 0 {
		return fail(code)
	}
	list := []map[string]any{}
	for _, id := range ids {
		if c, ok := s.clueByID[id]; ok {
			list = append(list, clueWire(c))
		}
	}
	return map[string]any{"clue_list": list}, 0, "success"
}

func (s *Server) clueOwnerChange(_ url.Values, body []byte) (any, int, string) {
	var b ownerChangeBody
	if !decode(body, &b) {
		return fail(1011)
	}
	if len(b.Clues) == 0 {
		return fail(1000)
	}
	if len(b.Clues) >= 100 {
		return fail(1012)
	}
	fails := []map[string]any{}
	for _, ch := range b.Clues {
		c, ok := s.clueByID[ch.ID]
		switch {
		case !ok:
			fails = append(fails, failItem("id", ch.ID, 1003))
		case ch.OwnerID == "":
			fails = append(fails, failItem("id", ch.ID, 1013))
		case c.Status == weiling.ClueInSea || bool(c.IsUseless):
			// Unclaimed clues in the public pool and discarded clues cannot
			// be transferred.
			fails = append(fails, failItem("id", ch.ID, 1005))
		default:
			c.OwnerID = ch.OwnerID
		}
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}

func (s *Server) clueDisuse(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "clue_ids", 100)
	if code != 0 {
		return fail(code)
	}
	fails := []map[string]any{}
	for _, id := range ids {
		c, ok := s.clueByID[id]
		switch {
		case !ok:
			fails = append(fails, failItem("clue_id", id, 1003))
		case bool(c.IsUseless):
			fails = append(fails, failItem("clue_id", id, 1004))
		default:
			c.IsUseless = true
		}
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}

func (s *Server) clueUpdate(_ url.Values, body []byte) (any, int, string) {
	var b struct {
		Clues []map[string]json.RawMessage `json:"clue_list"`
	}
	if !decode(body, &b) {
		return fail(1011)
	}
	if len(b.Clues) == 0 {
		return fail(1000)
	}
	fails := []map[string]any{}
	for _, u := range b.Clues {
		var id string
		_ = json.Unmarshal(u["clue_id"], &id)
		c, ok := s.clueByID[id]
		if !ok {
			fails = append(fails, failItem("clue_id", id, 1003))
			continue
		}
		var g weiling.Gender
		if raw, ok := u["gender"]; ok && (json.Unmarshal(raw, &g) != nil || g < 0 || g > 2) {
			fails = append(fails, failItem("clue_id", id, 1013))
			continue
		}
		for k, raw := range u {
			switch k {
			case "clue_id":
			case "user_name":
				_ = json.Unmarshal(raw, &c.UserName)
			case "position":
				_ = json.Unmarshal(raw, &c.Position)
			case "gender":
				c.Gender = g
			default: // age, wx_id, qq, email, remark, clue_custom_field
				setExtra(&c.Extra, k, json.RawMessage(raw))
			}
		}
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}

func (s *Server) clueBackToSea(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "clue_ids", 0)
	if code != 0 {
		return fail(code)
	}
	sea := seaOf(body, s.SeaID)
	fails, oks := []map[string]any{}, []string{}
	for _, id := range ids {
		c, ok := s.clueByID[id]
		if !ok {
			fails = append(fails, failItem("clue_id", id, 1003))
			continue
		}
		c.Status, c.OwnerID, c.SeaID = weiling.ClueInSea, "", sea
		oks = append(oks, id)
	}
	return map[string]any{"fail_list": fails, "success_list": oks}, 0, "success"
}

func (s *Server) clueRecover(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "clue_ids", 0)
	if code != 0 {
		return fail(code)
	}
	fails, oks := []map[string]any{}, []string{}
	for _, id := range ids {
		c, ok := s.clueByID[id]
		switch {
		case !ok:
			fails = append(fails, failItem("clue_id", id, 1003))
		case !bool(c.IsUseless):
			fails = append(fails, failItem("clue_id", id, 1004))
		default:
			c.IsUseless = false
			oks = append(oks, id)
		}
	}
	return map[string]any{"fail_list": fails, "success_list": oks}, 0, "success"
}
