package waiqin365

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/internal/webhook"
)

// Push data types (dataType). The vendor's list is cut off; any other value
// is delivered with its raw JSON in Push.Data.
const (
	DataTypeSalesLeadsFollow = "salesLeads_follow" // 线索跟进记录, typed as SalesLeadsFollow
	DataTypeEmployee         = "employee"          // 员工 (raw JSON)
	DataTypeCustom           = "custom"            // customer data in the vendor's example (raw JSON)
)

// Push status values (status).
const (
	PushStatusFirst = "0" // 数据首次同步: first delivery
	PushStatusRetry = "2" // 数据失败同步: re-delivery of data that failed before
)

// Push data sources (dataSource).
const (
	DataSourceBiz = "biz" // 业务功能产生: produced by a business feature
	DataSourceAPI = "api" // 开放接口产生: produced by the open API
)

// ErrPushMalformed matches a push that is correctly signed but breaks the
// documented format (repeated fields, a non-numeric timestamp, data that is
// not JSON, a salesLeads_follow record that is not an object), or a body
// that cannot be read as fields at all.
var ErrPushMalformed = errors.New("waiqin365: malformed push")

// Push is one verified push (推送): the fields 勤策 posts, typed.
type Push struct {
	MsgID       string          // msgId: message id, e.g. "7898952955531954883"
	DataType    string          // dataType, e.g. DataTypeSalesLeadsFollow
	DataID      string          // dataId: the record's id
	DataVersion string          // dataVersion: interface data version, e.g. "001"
	DataFormat  string          // dataFormat: "json"
	DataSource  string          // dataSource: DataSourceBiz or DataSourceAPI
	Data        json.RawMessage // data as received (JSON when DataFormat is json; nil if empty)
	Timestamp   int64           // timestamp: request time, epoch milliseconds (13 digits)
	Status      string          // status: PushStatusFirst or PushStatusRetry
	StatusTime  string          // statusTime: last failed delivery, "yyyy-MM-dd HH:mm:ss"
	TenantID    string          // tenantId: the tenant's id in 勤策

	// SalesLeadsFollow is the decoded record when DataType is
	// salesLeads_follow (nil otherwise).
	SalesLeadsFollow *SalesLeadsFollow
}

// Time returns Timestamp as a time.
func (p *Push) Time() time.Time { return time.UnixMilli(p.Timestamp) }

// Redelivery reports whether this is a re-delivery of data whose earlier
// delivery failed (status 2). 勤策 retries failed data daily at 01:30 for
// 10 days.
func (p *Push) Redelivery() bool { return p.Status == PushStatusRetry }

// LastFailure parses StatusTime (zero when absent).
func (p *Push) LastFailure() (time.Time, error) { return ParseTime(p.StatusTime) }

// Decode unmarshals Data into v (numbers kept exact as json.Number in
// interfaces).
func (p *Push) Decode(v any) error {
	if len(p.Data) == 0 {
		return fmt.Errorf("%w: no data", ErrPushMalformed)
	}
	return flex.Unmarshal(p.Data, v)
}

// DedupeKey identifies a push for de-duplication: tenantId, dataType, dataId
// and msgId, each query-escaped, joined by "|". 勤策 redelivers, and whether
// msgId is stable across redeliveries is not documented; NewPushHandler
// dedupes on this key with WithDeduper.
func (p *Push) DedupeKey() string {
	return url.QueryEscape(p.TenantID) + "|" + url.QueryEscape(p.DataType) + "|" +
		url.QueryEscape(p.DataID) + "|" + url.QueryEscape(p.MsgID)
}

// SalesLeadsFollow is the data of a salesLeads_follow push (推送线索跟进记录),
// sent when a lead follow-up record is submitted. Every value is kept as
// Text (numbers arrive as their literal text); keys match
// case-insensitively.
type SalesLeadsFollow struct {
	LeadID          Text `json:"lead_ID"`          // 线索ID (INT8 in the table, a string in the example)
	LeadCode        Text `json:"lead_code"`        // 线索编码
	LeadName        Text `json:"lead_name"`        // 客户名称
	ActivityType    Text `json:"activity_type"`    // 跟进方式 (its description)
	ActivityContent Text `json:"activity_content"` // 跟进内容
	Location        Text `json:"location"`         // 位置 (its description), e.g. "10,20"
	Offset          Text `json:"offset"`           // 偏差(米), e.g. "50"
	PhotoPath       Text `json:"photo_path"`       // 照片路径, e.g. "/aaa/bb.png"
	CreateBy        Text `json:"create_by"`        // 跟进人姓名
	Department      Text `json:"department"`       // 跟进人部门
	CreateAt        Text `json:"create_at"`        // 跟进时间, "yyyy-mm-dd hh:mm"

	// Ext holds the custom fields (keys starting with "ext_", in any
	// case), by full key, as text.
	Ext map[string]string `json:"-"`
	// Extra holds any other undocumented member, its JSON verbatim.
	Extra Extra `json:"-"`
}

// CreatedAt parses CreateAt in Asia/Shanghai.
func (f *SalesLeadsFollow) CreatedAt() (time.Time, error) { return ParseTime(string(f.CreateAt)) }

// UnmarshalJSON implements json.Unmarshaler: it needs a JSON object (null
// or a list is an error); any value is accepted as text.
func (f *SalesLeadsFollow) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return errors.New("waiqin365: salesLeads_follow data is not a JSON object")
	}
	type plain SalesLeadsFollow
	*f = SalesLeadsFollow{}
	if err := flex.UnmarshalObject(b, (*plain)(f), &f.Extra); err != nil {
		return err
	}
	for k, v := range f.Extra {
		if len(k) < 4 || !strings.EqualFold(k[:4], "ext_") {
			continue
		}
		var t Text
		if err := t.UnmarshalJSON(v); err != nil {
			return err
		}
		if f.Ext == nil {
			f.Ext = map[string]string{}
		}
		f.Ext[k] = string(t)
		delete(f.Extra, k)
	}
	if len(f.Extra) == 0 {
		f.Extra = nil
	}
	return nil
}

// MarshalJSON implements json.Marshaler: the documented keys in the
// vendor's order, then the Ext and Extra keys sorted (an Ext key wins over
// the same key in Extra).
func (f SalesLeadsFollow) MarshalJSON() ([]byte, error) {
	type plain SalesLeadsFollow
	extra := f.Extra
	if len(f.Ext) > 0 {
		extra = make(flex.Extra, len(f.Extra)+len(f.Ext))
		for k, v := range f.Extra {
			extra[k] = v
		}
		for k, v := range f.Ext {
			b, err := flex.Marshal(v)
			if err != nil {
				return nil, err
			}
			extra[k] = b
		}
	}
	return flex.MarshalObject(plain(f), extra)
}

// WithPushTolerance rejects pushes whose timestamp is more than d away from
// the clock (WithClock) as not authenticated (replay protection). It is off
// by default because 勤策 does not say whether a redelivery (status 2, up to
// 10 days later) carries a new timestamp; turn it on only if yours do.
// Push handlers and VerifyPush only.
func WithPushTolerance(d time.Duration) Option {
	return core.VendorOption("WithPushTolerance", func(s *handlerSettings) error {
		if d < 0 {
			return fmt.Errorf("waiqin365: WithPushTolerance(%v): must not be negative", d)
		}
		s.tolerance = d
		return nil
	})
}

// handlerSettings are the waiqin365-only options of a push handler.
type handlerSettings struct {
	tolerance time.Duration
}

type pushError struct {
	kind error
	msg  string
}

func (e *pushError) Error() string { return "waiqin365: push: " + e.msg }
func (e *pushError) Unwrap() error { return e.kind }

func malformed(format string, args ...any) error {
	return &pushError{kind: ErrPushMalformed, msg: fmt.Sprintf(format, args...)}
}

// VerifyPush checks a push's fields (URL-decoded: url.ParseQuery of a form
// body, the URL's query, or PushFields) against pushSecret and returns it
// typed. Options: WithPushTolerance and WithClock.
//
// The digest must equal md5(data + "|" + pushSecret + "|" + timestamp) in
// lower-case hex (compared in constant time, case-insensitively); a
// mismatch or a missing digest matches ErrSignature. A correctly signed push
// that breaks the documented format matches ErrPushMalformed. The error
// text never contains the secret or a digest.
func VerifyPush(fields url.Values, pushSecret string, opts ...Option) (*Push, error) {
	if pushSecret == "" {
		return nil, errors.New("waiqin365: push: empty push secret")
	}
	var s handlerSettings
	cfg, err := core.NewHandlerConfig(&s, opts)
	if err != nil {
		return nil, err
	}
	return verifyPush(fields, pushSecret, s.tolerance, cfg.Now)
}

func verifyPush(form url.Values, pushSecret string, tolerance time.Duration, now func() time.Time) (*Push, error) {
	for _, k := range [...]string{"data", "timestamp", "digest"} {
		if len(form[k]) > 1 {
			return nil, malformed("field %s repeated", k)
		}
	}
	digest := form.Get("digest")
	if digest == "" {
		return nil, &pushError{kind: ErrSignature, msg: "missing digest"}
	}
	data, ts := form.Get("data"), form.Get("timestamp")
	if !webhook.Equal(PushDigest(data, pushSecret, ts), strings.ToLower(digest)) {
		return nil, &pushError{kind: ErrSignature, msg: "digest mismatch"}
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || ms < 0 {
		return nil, malformed("timestamp %.20q is not epoch milliseconds", ts)
	}
	if tolerance > 0 {
		if d := now().Sub(time.UnixMilli(ms)); d > tolerance || d < -tolerance {
			return nil, &pushError{kind: ErrSignature, msg: "timestamp outside the tolerance"}
		}
	}
	p := &Push{
		MsgID:       form.Get("msgId"),
		DataType:    form.Get("dataType"),
		DataID:      form.Get("dataId"),
		DataVersion: form.Get("dataVersion"),
		DataFormat:  form.Get("dataFormat"),
		DataSource:  form.Get("dataSource"),
		Timestamp:   ms,
		Status:      form.Get("status"),
		StatusTime:  form.Get("statusTime"),
		TenantID:    form.Get("tenantId"),
	}
	isJSON := p.DataFormat == "" || strings.EqualFold(p.DataFormat, "json")
	if data != "" {
		if isJSON && !json.Valid([]byte(data)) {
			return nil, malformed("data is not valid JSON")
		}
		p.Data = json.RawMessage(data)
	}
	if p.DataType == DataTypeSalesLeadsFollow {
		if !isJSON || len(p.Data) == 0 {
			return nil, malformed("salesLeads_follow push without JSON data")
		}
		var f SalesLeadsFollow
		// p.Data is valid JSON (checked above): decode it directly rather
		// than through json.Unmarshal, which would scan it again.
		if err := f.UnmarshalJSON(p.Data); err != nil {
			return nil, malformed("salesLeads_follow data: not a JSON object")
		}
		p.SalesLeadsFollow = &f
	}
	return p, nil
}

// PushFields reads the fields of a push request whose body was read into
// body. 勤策's example is a form (application/x-www-form-urlencoded), but
// its docs do not state the content type, so three carriers are accepted:
//
//   - a JSON object body (Content-Type application/json, or a body starting
//     with '{'): each member is a field; a string gives its value, a number
//     or boolean its literal text, and an object or array (data sent as
//     JSON rather than as a string) its JSON text exactly as received,
//     which is what the digest then covers; null members are absent;
//   - any other non-empty body: a form;
//   - an empty body: the URL's query parameters.
//
// A body that is none of these matches ErrPushMalformed.
func PushFields(r *http.Request, body []byte) (url.Values, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, malformed("query is not form-encoded")
		}
		return q, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" || strings.HasSuffix(ct, "+json") ||
		(ct != "application/x-www-form-urlencoded" && trimmed[0] == '{') {
		return jsonFields(trimmed)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, malformed("body is not form-encoded")
	}
	return form, nil
}

// jsonFields reads a JSON object body as push fields (see PushFields).
func jsonFields(b []byte) (url.Values, error) {
	if !json.Valid(b) {
		return nil, malformed("body is not valid JSON")
	}
	form := url.Values{}
	var bad error
	ok := flex.Members(b, func(key string, v []byte) {
		switch v[0] {
		case 'n': // null: absent
		case '{', '[':
			form.Add(key, string(v))
		default:
			var t Text
			if err := t.UnmarshalJSON(v); err != nil && bad == nil {
				bad = err
			}
			form.Add(key, string(t))
		}
	})
	if !ok || bad != nil {
		return nil, malformed("body is not a JSON object")
	}
	return form, nil
}

// Handler receives 勤策 pushes: an http.Handler built by NewPushHandler.
type Handler struct{ h *webhook.Handler }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.h.ServeHTTP(w, r) }

// NewPushHandler returns the handler that receives 勤策 pushes at the URL you
// gave your 勤策 customer manager. For each POST it reads the body (capped,
// see WithMaxBodyBytes), reads the fields (a form, a JSON object or the
// URL's query: see PushFields), verifies them like VerifyPush, calls fn,
// and only when fn returned nil acknowledges with HTTP 200 and the
// documented {"return_code":0,"return_msg":"","msg_id":"<msgId>"}.
//
// Any failure answers non-2xx with {"return_code":1,"return_msg":...,
// "msg_id":""}, so 勤策 delivers again later: fn returning an error or
// panicking (500), a bad or missing digest (403), a malformed push (400), a
// body over the cap (413), a method other than POST (405).
//
// 勤策 waits 5 seconds for the answer. fn must return fast: persist or
// enqueue the push and return; do slow work elsewhere. Pushes are
// redelivered (status 2, daily for up to 10 days): deduplicate on
// Push.DedupeKey, or give WithDeduper. Options: WithMaxBodyBytes,
// WithDeduper, WithLogger, WithObserver, WithClock, WithPushTolerance. An
// empty pushSecret or a nil fn is an error.
func NewPushHandler(pushSecret string, fn func(ctx context.Context, p *Push) error, opts ...Option) (*Handler, error) {
	var s handlerSettings
	cfg, err := core.NewHandlerConfig(&s, opts)
	if err != nil {
		return nil, err
	}
	if pushSecret == "" {
		return nil, errors.New("waiqin365: NewPushHandler: empty push secret")
	}
	if fn == nil {
		return nil, errors.New("waiqin365: NewPushHandler: nil function")
	}
	now := cfg.Now
	h, err := webhook.New(cfg, webhook.Spec{
		Vendor:     vendorName,
		Methods:    []string{http.MethodPost},
		AuthStatus: http.StatusForbidden,
		Secrets:    []string{pushSecret},
		Open: func(r *http.Request, body []byte) (*webhook.Delivery, error) {
			fields, err := PushFields(r, body)
			if err != nil {
				return nil, err
			}
			p, err := verifyPush(fields, pushSecret, s.tolerance, now)
			if err != nil {
				return nil, err
			}
			return &webhook.Delivery{
				Event:  p.DataType,
				Key:    p.DedupeKey(),
				Handle: func(ctx context.Context) error { return fn(ctx, p) },
				Ack:    func(w http.ResponseWriter) { writePushReply(w, http.StatusOK, 0, "", p.MsgID) },
			}, nil
		},
		Refuse: func(w http.ResponseWriter, status int) {
			writePushReply(w, status, 1, http.StatusText(status), "")
		},
	})
	if err != nil {
		return nil, err
	}
	return &Handler{h: h}, nil
}

// writePushReply writes {"return_code":code,"return_msg":msg,"msg_id":id},
// the documented acknowledgement (code 0 on success, 1 on failure).
func writePushReply(w http.ResponseWriter, status, code int, msg, msgID string) {
	m, _ := flex.Marshal(msg)
	id, _ := flex.Marshal(msgID)
	b := make([]byte, 0, 64+len(m)+len(id))
	b = append(b, `{"return_code":`...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, `,"return_msg":`...)
	b = append(b, m...)
	b = append(b, `,"msg_id":`...)
	b = append(b, id...)
	b = append(b, '}')
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
