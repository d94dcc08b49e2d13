// Package waiqin365test is an in-memory fake of the 勤策 / 外勤365 sales-lead
// OpenAPI for tests and examples, plus helpers that deliver signed pushes.
//
// The fake listens on loopback, checks the openid and the MD5 digest of
// every request exactly as the vendor documents (md5(body|appkey|timestamp)
// over the raw body, lower-case hex), stores leads in memory with 19-digit
// string ids, rejects duplicate codes, answers queries with response_data
// as a JSON string holding the array (as documented), accepts every form
// the docs show for the shapes they disagree on (exts as a list or a map,
// sort as a list or sorts as an object, query_group and its filters as
// lists or single objects), and runs every operation through Faults so
// tests can inject errors, delays and resets. WithReadLag makes queries
// miss new leads for a few requests, so that reading a create back (after
// an answer lost with a Fault with AfterApply) has to try again.
//
//	srv := waiqin365test.NewServer()
//	defer srv.Close()
//	c, _ := waiqin365.New(waiqin365test.DefaultOpenID, waiqin365test.DefaultAppKey, waiqin365.WithBaseURL(srv.URL))
//
// 勤策 has no access tokens (every call is signed), so TokenRequests is
// always 0 and InvalidateTokens does nothing; they exist so that every
// cluekit fake has the same shape.
//
// The vendor's error-code table is not published, so the fake answers
// every failure, including a bad digest or an unknown openid, with the one
// documented failure code "1" (CodeFailed) and a message saying what was
// wrong. That choice is the fake's, not the vendor's.
package waiqin365test

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/waiqin365"
)

// The credentials a Server accepts unless WithCredentials says otherwise:
// the vendor doc's example pair.
const (
	DefaultOpenID = "5465103569540931532"
	DefaultAppKey = "BFCO0PAgIUgd50c0l6"
)

// Return codes used by the fake: "0" for success and the documented generic
// failure "1" for every error (the vendor's other codes are unknown).
const (
	CodeOK     = waiqin365.CodeOK
	CodeFailed = waiqin365.CodeFailed
)

// Messages of the fake's failures (return_msg).
const (
	MsgBadDigest      = "digest mismatch"
	MsgUnknownOpenID  = "unknown openid"
	MsgBadTimestamp   = "timestamp outside the allowed window"
	MsgBadJSON        = "request body is not a JSON object"
	MsgDuplicateCode  = "code already exists"
	MsgDuplicateMob   = "mobile already exists"
	MsgNotFound       = "lead not found"
	MsgNoCondition    = "查询条件至少需要填写一个参数"
	MsgUnknownOp      = "unknown operation"
	MsgInvalidRequest = "invalid parameter"
)

const maxBody = 1 << 20

// OpFunc handles an operation registered with Handle: it gets the verified
// request body and returns the response_data value (marshalled as JSON; a
// Go string is sent as a JSON string) or an error, answered as return_code
// "1" with the error text as return_msg.
type OpFunc func(body []byte) (responseData any, err error)

// Option configures a Server.
type Option func(*Server)

// WithCredentials sets the openid/appkey pair the fake accepts (default
// DefaultOpenID and DefaultAppKey).
func WithCredentials(openID, appKey string) Option {
	return func(s *Server) { s.OpenID, s.appKey = openID, appKey }
}

// WithClock sets the fake's clock (create/modify times, timestamp window).
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.now = now
		}
	}
}

// WithTimestampWindow makes the fake reject requests whose URL timestamp
// (yyyyMMddHHmmss, Asia/Shanghai) is more than d away from its clock. Off
// by default: the vendor's window is not documented and it appears to
// accept any timestamp that the digest covers.
func WithTimestampWindow(d time.Duration) Option { return func(s *Server) { s.window = d } }

// WithReadLag makes the fake's queries lag behind its writes, as a
// replicated store does: a lead added through the API is found by
// querySalesLeads and querySalesLeadsForApaas only after n further query
// requests (it is missed by the next n). Writes (modify, remove, the
// duplicate-code check) see it at once. Deterministic: the lag counts
// requests, not time. Off (0) by default.
func WithReadLag(n int) Option { return func(s *Server) { s.lag = max(n, 0) } }

// Server is a running fake. Use URL as the client's base URL.
type Server struct {
	// URL is the base URL (http://127.0.0.1:port).
	URL string
	// OpenID is the tenant's openid the fake accepts.
	OpenID string
	// Faults injects failures into every operation (op = the operation
	// path segment, e.g. "addSalesLeads"): Add(Fault), SetRandom,
	// EnforceRate.
	Faults *fake.Injector

	appKey string
	now    func() time.Time
	window time.Duration
	lag    int
	srv    *httptest.Server

	mu       sync.Mutex
	rnd      *rand.Rand
	leads    []*Lead
	byID     map[string]*Lead
	byCode   map[string]*Lead
	hidden   map[*Lead]int // leads queries miss, with the queries left to miss (WithReadLag)
	rejected int
	seq      int
	handlers map[string]OpFunc
}

// NewServer starts a fake on loopback for one openid/appkey pair
// (DefaultOpenID and DefaultAppKey unless WithCredentials). Close it when
// done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		OpenID:   DefaultOpenID,
		Faults:   fake.NewInjector(),
		appKey:   DefaultAppKey,
		now:      time.Now,
		rnd:      rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
		byID:     map[string]*Lead{},
		byCode:   map[string]*Lead{},
		hidden:   map[*Lead]int{},
		handlers: map[string]OpFunc{},
	}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	s.srv = fake.Start(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Requests reports how many requests arrived for an operation (the
// {operation} path segment, e.g. "addSalesLeads"; "" = all), including
// rejected and faulted ones.
func (s *Server) Requests(op string) int { return s.Faults.Count(op) }

// TokenRequests is always 0: 勤策 has no access tokens (every call is
// signed). It exists so that every cluekit fake has the same shape.
func (s *Server) TokenRequests() int { return 0 }

// InvalidateTokens does nothing: 勤策 has no access tokens to revoke. It
// exists so that every cluekit fake has the same shape.
func (s *Server) InvalidateTokens() {}

// Rejected reports how many requests failed the openid, digest or
// timestamp check.
func (s *Server) Rejected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

// Leads returns a copy of the stored leads in creation order.
func (s *Server) Leads() []Lead {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Lead, 0, len(s.leads))
	for _, l := range s.leads {
		out = append(out, cloneLead(l))
	}
	return out
}

// Lead returns a copy of the lead with the given code.
func (s *Server) Lead(code string) (Lead, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.byCode[code]
	if !ok {
		return Lead{}, false
	}
	return cloneLead(l), true
}

// Handle registers a handler for another operation (for tests of
// Client.Do). Requests are verified like every other operation.
func (s *Server) Handle(module, version, operation string, fn OpFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[module+"/"+version+"/"+operation] = fn
}

func cloneLead(l *Lead) Lead {
	c := *l
	if l.Exts != nil {
		c.Exts = make(map[string]string, len(l.Exts))
		for k, v := range l.Exts {
			c.Exts[k] = v
		}
	}
	return c
}

// answer is the vendor envelope.
type answer struct {
	ReturnCode   string  `json:"return_code"`
	ReturnMsg    *string `json:"return_msg"`
	MsgID        *string `json:"msg_id"`
	ResponseData any     `json:"response_data"`
}

func reply(code, msg string, msgID *string, data any) []byte {
	a := answer{ReturnCode: code, MsgID: msgID, ResponseData: data}
	if msg != "" {
		a.ReturnMsg = &msg
	}
	b, err := flex.Marshal(a)
	if err != nil {
		b, _ = flex.Marshal(answer{ReturnCode: CodeFailed, ReturnMsg: ptr("fake: " + err.Error())})
	}
	return b
}

func ptr(s string) *string { return &s }

// failure is a business error answered with return_code "1".
type failure struct{ msg string }

func (f *failure) Error() string { return f.msg }

func fail(format string, args ...any) error { return &failure{msg: fmt.Sprintf(format, args...)} }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/api/")
	seg := strings.Split(rest, "/")
	if !ok || len(seg) != 7 {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write(reply(CodeFailed, "no such path", nil, nil))
		return
	}
	for i, p := range seg {
		if u, err := url.PathUnescape(p); err == nil {
			seg[i] = u
		}
	}
	module, version, op, openID, ts, digest, msgID := seg[0], seg[1], seg[2], seg[3], seg[4], seg[5], seg[6]
	s.Faults.Serve(w, r, op, func() (int, []byte) {
		if r.Method != http.MethodPost {
			return http.StatusMethodNotAllowed, reply(CodeFailed, "method not allowed", &msgID, nil)
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			return http.StatusRequestEntityTooLarge, reply(CodeFailed, "body too large", &msgID, nil)
		}
		if msg := s.verify(openID, ts, digest, body); msg != "" {
			s.mu.Lock()
			s.rejected++
			s.mu.Unlock()
			return http.StatusOK, reply(CodeFailed, msg, &msgID, nil)
		}
		data, query, err := s.dispatch(module, version, op, body)
		if errors.Is(err, errUnknownOp) {
			return http.StatusNotFound, reply(CodeFailed, MsgUnknownOp, &msgID, nil)
		}
		if err != nil {
			var f *failure
			if errors.As(err, &f) {
				return http.StatusOK, reply(CodeFailed, f.msg, &msgID, nil)
			}
			return http.StatusInternalServerError, reply(CodeFailed, "fake: "+err.Error(), &msgID, nil)
		}
		if query {
			// Queries answer msg_id null, as in the vendor's examples.
			return http.StatusOK, reply(CodeOK, "", nil, data)
		}
		return http.StatusOK, reply(CodeOK, "", &msgID, data)
	})
}

var errUnknownOp = &failure{msg: MsgUnknownOp}

// verify checks openid, timestamp window and digest; it returns the failure
// message or "".
func (s *Server) verify(openID, ts, digest string, body []byte) string {
	if subtle.ConstantTimeCompare([]byte(openID), []byte(s.OpenID)) != 1 {
		return MsgUnknownOpenID
	}
	h := md5.New()
	h.Write(body)
	h.Write([]byte("|" + s.appKey + "|" + ts))
	want := hex.EncodeToString(h.Sum(nil))
	if subtle.ConstantTimeCompare([]byte(digest), []byte(want)) != 1 {
		return MsgBadDigest
	}
	if s.window > 0 {
		t, err := time.ParseInLocation(waiqin365.TimestampLayout, ts, waiqin365.CST)
		if err != nil {
			return MsgBadTimestamp
		}
		if d := s.now().Sub(t); d > s.window || d < -s.window {
			return MsgBadTimestamp
		}
	}
	return ""
}

// dispatch runs an operation; query reports whether msg_id is answered null.
func (s *Server) dispatch(module, version, op string, body []byte) (data any, query bool, err error) {
	s.mu.Lock()
	custom := s.handlers[module+"/"+version+"/"+op]
	s.mu.Unlock()
	if custom != nil {
		data, err := custom(body)
		if err != nil {
			return nil, false, &failure{msg: err.Error()}
		}
		return data, false, nil
	}
	if module != "salesleads" || version != "v1" {
		return nil, false, errUnknownOp
	}
	var req map[string]any
	if err := flex.Unmarshal(body, &req); err != nil || req == nil {
		return nil, false, fail(MsgBadJSON)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch op {
	case waiqin365.OpAddSalesLeads:
		return nil, false, s.add(req, false)
	case waiqin365.OpAddSalesLeadsForApaas:
		return nil, false, s.add(req, true)
	case waiqin365.OpModifySalesLeads:
		return nil, false, s.modify(req, false)
	case waiqin365.OpModifySalesLeadsForApaas:
		return nil, false, s.modify(req, true)
	case waiqin365.OpRemoveSalesLeads:
		return nil, false, s.remove(req)
	case waiqin365.OpQuerySalesLeads:
		data, err := s.query(req, false)
		return data, true, err
	case waiqin365.OpQuerySalesLeadsForApaas:
		data, err := s.query(req, true)
		return data, true, err
	}
	return nil, false, errUnknownOp
}
