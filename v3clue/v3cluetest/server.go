// Package v3cluetest is an in-memory fake of the 探马 SCRM OpenAPI v3 for
// tests: it serves clue/get on loopback, checks the appId, timestamp and sign
// headers as the vendor does, answers with the vendor's envelope, and can
// inject faults.
//
//	srv := v3cluetest.NewServer()
//	defer srv.Close()
//	c, _ := v3clue.New(v3cluetest.DefaultAppID, v3cluetest.DefaultAppKey, v3clue.WithBaseURL(srv.URL))
//	clue, err := c.GetClue(ctx, &v3clue.GetClueRequest{CustomerID: v3cluetest.ExampleCustomerID})
//
// Verification, in order (every rejection is HTTP 200 with the vendor's
// envelope, like the vendor): a missing or unknown appId, a timestamp that is
// not epoch milliseconds, a sign that is not lowercase hex SHA-256(appId +
// timestamp + body + appKey) over the exact body received, or (when
// RequireAppKeyHeader is set, or when the header is sent at all) a wrong
// appKey header → code 1002; a timestamp further than the accepted skew
// (DefaultMaxSkew, 5 minutes, unless WithMaxSkew; the real window is not
// documented) from the server's clock → code 1003.
//
// A customerId that is not stored answers code -1 (失败, the vendor's generic
// failure) with the message "线索不存在": the vendor's real not-found code is
// not documented. A body without a positive integer customerId answers code
// -1 too (a numeric string is accepted, as a Java server would coerce it).
// Unknown paths answer HTTP 404; other methods than POST answer HTTP 405.
//
// The vendor has no access tokens: TokenRequests is always 0 and
// InvalidateTokens does nothing; they exist so that one test can drive every
// cluekit fake.
package v3cluetest

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/internal/webhook"
	"github.com/cluekit/cluekit/v3clue"
)

// Default credentials of a new server (override with WithCredentials).
const (
	DefaultAppID  = "tm-fake-app-0001"
	DefaultAppKey = "tm-fake-app-key-6f1c2a9e4b7d"
)

// ExampleCustomerID is the id of the clue from the vendor's clue/get example,
// stored by every new server.
const ExampleCustomerID int64 = 410983932389440

// DefaultMaxSkew is the largest accepted distance between the request
// timestamp and the server's clock.
const DefaultMaxSkew = 5 * time.Minute

// BasePath is the path prefix the fake is mounted under, mirroring the
// production base URL (…/apiServer), so that absolute paths fail loudly.
const BasePath = "/apiServer"

// Operation names, for Faults and Requests.
const (
	OpClueGet = "clue/get"
)

// Messages of the vendor's codes, as the fake sends them.
const (
	MsgSignature = "签名校验未通过"
	MsgClockSkew = "请求时间与服务器时间相差过大，请校对时间后重新请求"
	MsgNotFound  = "线索不存在"
	MsgBadParam  = "请求参数验证失败"
)

// Fault is one injected misbehaviour (status, body, delay, reset, after the
// operation took effect...), for Server.Faults.
type Fault = fake.Fault

// Injector queues faults (Add) or injects them at random (SetRandom).
type Injector = fake.Injector

// Response is the answer of a custom endpoint registered with Handle. Code
// 0 with an empty Message is sent as "ok".
type Response struct {
	Code    int
	Message string
	Data    any
}

// HandlerFunc answers a custom endpoint, given the exact body received
// (after the signature was verified).
type HandlerFunc func(body []byte) Response

// Request is one request the server received.
type Request struct {
	Op     string      // e.g. "clue/get"
	Header http.Header // as received
	Body   []byte
}

// Option configures a Server.
type Option func(*Server)

// WithCredentials sets the app the server accepts (default DefaultAppID and
// DefaultAppKey).
func WithCredentials(appID, appKey string) Option {
	return func(s *Server) { s.AppID, s.AppKey = appID, appKey }
}

// WithClock sets the server's clock (default time.Now), against which
// request timestamps are checked, e.g. to test code 1003.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithMaxSkew sets the accepted timestamp distance (default DefaultMaxSkew).
func WithMaxSkew(d time.Duration) Option { return func(s *Server) { s.maxSkew = d } }

// RequireAppKeyHeader makes the server reject (code 1002) requests without
// a correct appKey header, like a gateway that demands it (see
// v3clue.WithAppKeyHeader).
func RequireAppKeyHeader() Option { return func(s *Server) { s.requireAppKey = true } }

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to pass to v3clue.WithBaseURL (it ends in BasePath).
	URL string
	// AppID and AppKey are the accepted credentials.
	AppID, AppKey string
	// Faults injects faults into every operation; its op names are the
	// paths after /api/v3/ (OpClueGet, or a custom endpoint's).
	Faults *Injector

	ts            *httptest.Server
	now           func() time.Time
	maxSkew       time.Duration
	requireAppKey bool

	mu       sync.Mutex
	clues    map[int64]v3clue.Clue
	nextID   int64
	handlers map[string]HandlerFunc
	received []Request
	rejected map[int]int
}

// NewServer starts a fake on loopback, storing the vendor's example clue
// (ExampleCustomerID). Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		AppID:    DefaultAppID,
		AppKey:   DefaultAppKey,
		Faults:   fake.NewInjector(),
		now:      time.Now,
		maxSkew:  DefaultMaxSkew,
		clues:    map[int64]v3clue.Clue{},
		nextID:   ExampleCustomerID + 1,
		handlers: map[string]HandlerFunc{},
		rejected: map[int]int{},
	}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	s.clues[ExampleCustomerID] = ExampleClue()
	s.ts = fake.Start(http.HandlerFunc(s.serve))
	s.URL = s.ts.URL + BasePath
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.ts.Close() }

// ExampleClue returns the clue of the vendor's clue/get example.
func ExampleClue() v3clue.Clue {
	str := func(v string) *string { return &v }
	return v3clue.Clue{
		CustomerID: ExampleCustomerID,
		IsClue:     false,
		Type:       1,
		Fields: []v3clue.Field{
			{Name: "customer_source", Type: v3clue.FieldTypeSelect},
			{Name: "description", Type: v3clue.FieldTypeText, ValueAsText: str("u 诶IE")},
			{Name: "mobile", Type: v3clue.FieldTypeMobiles, ValueAsText: str(`["145678388"]`)},
			{Name: "address", Type: v3clue.FieldTypeText},
			{Name: "birthday", Type: v3clue.FieldTypeDate},
			{Name: "corp_name", Type: v3clue.FieldTypeText},
			{Name: "name", Type: v3clue.FieldTypeText, ValueAsText: str("打马赛克就")},
			{Name: "purchase_intention", Type: v3clue.FieldTypeSelect},
			{Name: "gender", Type: v3clue.FieldTypeSelect},
			{Name: "customer_stage", Type: v3clue.FieldTypeSelect, ValueAsText: str("396823724189760")},
		},
		TagIDs:         []string{},
		CreateTime:     "2021-05-11 15:15:48",
		LastUpdateTime: "2021-05-11 15:15:48",
	}
}

// AddClue stores a clue and returns its id. A zero CustomerID gets a new
// 15-digit id like the vendor's; a non-zero one replaces any stored clue
// with that id.
func (s *Server) AddClue(c v3clue.Clue) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.CustomerID == 0 {
		for s.clues[s.nextID].CustomerID != 0 {
			s.nextID++
		}
		c.CustomerID = s.nextID
		s.nextID++
	}
	s.clues[c.CustomerID] = cloneClue(c)
	return c.CustomerID
}

// Clue returns a stored clue.
func (s *Server) Clue(id int64) (v3clue.Clue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clues[id]
	if !ok {
		return v3clue.Clue{}, false
	}
	return cloneClue(c), true
}

// DeleteClue removes a stored clue.
func (s *Server) DeleteClue(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.clues, id)
}

// Handle serves another v3 endpoint with h, after the same verification.
// path is the documented path, e.g. "/api/v3/customer/search"; its Faults
// op is the part after /api/v3/ ("customer/search").
func (s *Server) Handle(path string, h HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[path] = h
}

// Requests reports how many requests for op arrived, rejected ones
// included ("" = all operations).
func (s *Server) Requests(op string) int { return s.Faults.Count(op) }

// TokenRequests reports how many access-token requests arrived. It is
// always 0: the 探马 v3 API has no tokens (every request is signed). It is
// here so that tests written for every cluekit fake compile.
func (s *Server) TokenRequests() int { return 0 }

// InvalidateTokens does nothing: the 探马 v3 API has no tokens to
// invalidate. It is here so that tests written for every cluekit fake
// compile.
func (s *Server) InvalidateTokens() {}

// Rejected reports how many requests were refused with the given code
// (1002, 1003, -1...) before or while being handled.
func (s *Server) Rejected(code int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected[code]
}

// Received returns the requests received so far, oldest first.
func (s *Server) Received() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.received))
	for i, r := range s.received {
		out[i] = Request{Op: r.Op, Header: r.Header.Clone(), Body: append([]byte(nil), r.Body...)}
	}
	return out
}

// ClueIDs returns the stored clue ids, sorted.
func (s *Server) ClueIDs() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int64, 0, len(s.clues))
	for id := range s.clues {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, BasePath)
	if !ok {
		writeEnvelope(w, http.StatusNotFound, envelope(v3clue.CodeFailure, "not found", nil))
		return
	}
	s.mu.Lock()
	custom := s.handlers[path]
	s.mu.Unlock()
	var op string
	switch {
	case path == v3clue.PathClueGet:
		op = OpClueGet
	case custom != nil:
		op = strings.TrimPrefix(path, "/api/v3/")
	default:
		writeEnvelope(w, http.StatusNotFound, envelope(v3clue.CodeFailure, "not found", nil))
		return
	}
	s.Faults.Serve(w, r, op, func() (int, []byte) {
		if r.Method != http.MethodPost {
			return http.StatusMethodNotAllowed, envelope(v3clue.CodeFailure, "method not allowed", nil)
		}
		body, err := webhook.ReadBody(w, r, 0)
		if err != nil {
			return http.StatusRequestEntityTooLarge, envelope(v3clue.CodeFailure, "body too large", nil)
		}
		s.record(op, r.Header, body)
		if code, msg := s.verify(r.Header, body); code != 0 {
			return s.reject(code, msg)
		}
		if len(body) > 0 && !isJSON(r.Header.Get("Content-Type")) {
			return s.reject(v3clue.CodeFailure, "Content-Type must be application/json")
		}
		if op == OpClueGet {
			return s.clueGet(body)
		}
		res := custom(body)
		if res.Code != 0 {
			s.count(res.Code)
		}
		msg := res.Message
		if res.Code == 0 && msg == "" {
			msg = "ok"
		}
		return http.StatusOK, envelope(res.Code, msg, res.Data)
	})
}

func (s *Server) record(op string, h http.Header, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, Request{Op: op, Header: h.Clone(), Body: append([]byte(nil), body...)})
}

// verify checks the headers as the vendor does and returns a non-zero code
// on failure.
func (s *Server) verify(h http.Header, body []byte) (int, string) {
	appID := h.Get("appId")
	ts := h.Get("timestamp")
	sign := h.Get("sign")
	if appID == "" || !webhook.Equal(appID, s.AppID) {
		return v3clue.CodeSignature, MsgSignature
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ts == "" || ts[0] < '0' || ts[0] > '9' {
		return v3clue.CodeSignature, MsgSignature
	}
	if !webhook.Equal(sign, v3clue.SignRequest(appID, ts, body, s.AppKey)) {
		return v3clue.CodeSignature, MsgSignature
	}
	if key := h.Values("appKey"); len(key) > 0 || s.requireAppKey {
		if len(key) != 1 || !webhook.Equal(key[0], s.AppKey) {
			return v3clue.CodeSignature, MsgSignature
		}
	}
	skew := s.now().Sub(time.UnixMilli(ms))
	if skew > s.maxSkew || skew < -s.maxSkew {
		return v3clue.CodeClockSkew, MsgClockSkew
	}
	return 0, ""
}

func (s *Server) clueGet(body []byte) (int, []byte) {
	var req struct {
		CustomerID *json.Number `json:"customerId"`
	}
	if err := flex.Unmarshal(body, &req); err != nil || req.CustomerID == nil {
		return s.reject(v3clue.CodeFailure, MsgBadParam+": customerId")
	}
	id, err := strconv.ParseInt(req.CustomerID.String(), 10, 64)
	if err != nil || id <= 0 {
		return s.reject(v3clue.CodeFailure, MsgBadParam+": customerId")
	}
	c, ok := s.Clue(id)
	if !ok {
		return s.reject(v3clue.CodeFailure, MsgNotFound)
	}
	if c.TagIDs == nil {
		c.TagIDs = []string{}
	}
	if c.Fields == nil {
		c.Fields = []v3clue.Field{}
	}
	return http.StatusOK, envelope(v3clue.CodeOK, "ok", c)
}

func (s *Server) reject(code int, msg string) (int, []byte) {
	s.count(code)
	return http.StatusOK, envelope(code, msg, nil)
}

func (s *Server) count(code int) {
	s.mu.Lock()
	s.rejected[code]++
	s.mu.Unlock()
}

func envelope(code int, msg string, data any) []byte {
	env := struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    any    `json:"data"`
	}{code, msg, data}
	b, err := flex.Marshal(env)
	if err != nil {
		b, _ = flex.Marshal(struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		}{v3clue.CodeFailure, "fake: cannot encode data: " + err.Error()})
	}
	return b
}

func writeEnvelope(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

func cloneClue(c v3clue.Clue) v3clue.Clue {
	out := c
	if c.Fields != nil {
		out.Fields = make([]v3clue.Field, len(c.Fields))
		for i, f := range c.Fields {
			out.Fields[i] = f
			if f.ValueAsText != nil {
				v := *f.ValueAsText
				out.Fields[i].ValueAsText = &v
			}
		}
	}
	if c.TagIDs != nil {
		out.TagIDs = append([]string{}, c.TagIDs...)
	}
	if c.CompanyInfo != nil {
		out.CompanyInfo = bytes.Clone(c.CompanyInfo)
	}
	out.Extra = cloneExtra(c.Extra)
	for i := range out.Fields {
		out.Fields[i].Extra = cloneExtra(c.Fields[i].Extra)
	}
	return out
}

func cloneExtra(m flex.Extra) flex.Extra {
	if m == nil {
		return nil
	}
	out := make(flex.Extra, len(m))
	for k, v := range m {
		out[k] = bytes.Clone(v)
	}
	return out
}
