package waiqin365

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

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

// DefaultPushMaxBody caps a push body (1 MiB).
const DefaultPushMaxBody = webhook.DefaultMaxBody

// ErrPushMalformed matches a push that is correctly signed but breaks the
// documented format (repeated fields, a non-numeric timestamp, data that is
// not JSON, a salesLeads_follow record that is not an object).
var ErrPushMalformed = errors.New("waiqin365: malformed push")

// Push is one verified push (推送): the form fields 勤策 posts, typed.
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
// msgId is stable across redeliveries is not documented, so store this key
// with the work you enqueue and skip keys you have seen.
func (p *Push) DedupeKey() string {
	return url.QueryEscape(p.TenantID) + "|" + url.QueryEscape(p.DataType) + "|" +
		url.QueryEscape(p.DataID) + "|" + url.QueryEscape(p.MsgID)
}

// SalesLeadsFollow is the data of a salesLeads_follow push (推送线索跟进记录),
// sent when a lead follow-up record is submitted. Every value is kept as
// text; numbers arrive as their literal text.
type SalesLeadsFollow struct {
	LeadID          string // lead_ID: 线索ID (INT8 in the table, a string in the example)
	LeadCode        string // lead_code: 线索编码
	LeadName        string // lead_name: 客户名称
	ActivityType    string // activity_type: 跟进方式 (its description)
	ActivityContent string // activity_content: 跟进内容
	Location        string // location: 位置 (its description), e.g. "10,20"
	Offset          string // offset: 偏差(米), e.g. "50"
	PhotoPath       string // photo_path: 照片路径, e.g. "/aaa/bb.png"
	CreateBy        string // create_by: 跟进人姓名
	Department      string // department: 跟进人部门
	CreateAt        string // create_at: 跟进时间, "yyyy-mm-dd hh:mm"

	// Ext holds the custom fields (keys starting with "ext_"), by full key.
	Ext map[string]string
	// Other holds any undocumented key, raw.
	Other map[string]json.RawMessage
}

// followKeys lists the documented keys in the vendor's order.
var followKeys = [...]string{"lead_ID", "lead_code", "lead_name", "activity_type", "activity_content",
	"location", "offset", "photo_path", "create_by", "department", "create_at"}

func (f *SalesLeadsFollow) fields() [len(followKeys)]*string {
	return [...]*string{&f.LeadID, &f.LeadCode, &f.LeadName, &f.ActivityType, &f.ActivityContent,
		&f.Location, &f.Offset, &f.PhotoPath, &f.CreateBy, &f.Department, &f.CreateAt}
}

// CreatedAt parses CreateAt in Asia/Shanghai.
func (f *SalesLeadsFollow) CreatedAt() (time.Time, error) { return ParseTime(f.CreateAt) }

// UnmarshalJSON implements json.Unmarshaler: it needs a JSON object; keys
// match case-insensitively, and any value is accepted as text.
func (f *SalesLeadsFollow) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if m == nil {
		return errors.New("salesLeads_follow data is null")
	}
	*f = SalesLeadsFollow{}
	dst := f.fields()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic when two keys differ only in case
next:
	for _, k := range keys {
		v := m[k]
		for i, known := range followKeys {
			if strings.EqualFold(k, known) {
				*dst[i] = text(v)
				continue next
			}
		}
		if len(k) >= 4 && strings.EqualFold(k[:4], "ext_") {
			if f.Ext == nil {
				f.Ext = map[string]string{}
			}
			f.Ext[k] = text(v)
			continue
		}
		if f.Other == nil {
			f.Other = map[string]json.RawMessage{}
		}
		f.Other[k] = v
	}
	return nil
}

// MarshalJSON implements json.Marshaler: the documented keys in the
// vendor's order, then Ext and Other keys sorted.
func (f SalesLeadsFollow) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	comma := false
	add := func(k string, v []byte) {
		if comma {
			b.WriteByte(',')
		}
		comma = true
		kb, _ := flex.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(v)
	}
	for i, v := range f.fields() {
		vb, _ := flex.Marshal(*v)
		add(followKeys[i], vb)
	}
	for _, k := range slices.Sorted(maps.Keys(f.Ext)) {
		vb, _ := flex.Marshal(f.Ext[k])
		add(k, vb)
	}
	for _, k := range slices.Sorted(maps.Keys(f.Other)) {
		v := bytes.TrimSpace(f.Other[k])
		if !json.Valid(v) {
			return nil, fmt.Errorf("waiqin365: SalesLeadsFollow.Other[%q] is not valid JSON", k)
		}
		add(k, v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// PushOption configures VerifyPush and NewPushHandler.
type PushOption func(*pushConfig)

type pushConfig struct {
	maxBody   int64
	tolerance time.Duration
	now       func() time.Time
	logger    *slog.Logger
}

// WithPushMaxBody caps the push body (default DefaultPushMaxBody); larger
// bodies are answered 413.
func WithPushMaxBody(n int64) PushOption {
	return func(c *pushConfig) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// WithPushTolerance rejects pushes whose timestamp is more than d away from
// now (replay protection). It is off by default because 勤策 does not say
// whether a redelivery (status 2, up to 10 days later) carries a new
// timestamp; turn it on only if yours do.
func WithPushTolerance(d time.Duration) PushOption {
	return func(c *pushConfig) { c.tolerance = d }
}

// WithPushClock sets the clock used by WithPushTolerance (tests).
func WithPushClock(now func() time.Time) PushOption {
	return func(c *pushConfig) {
		if now != nil {
			c.now = now
		}
	}
}

// WithPushLogger logs rejected pushes and handler failures (default:
// silent). The push secret and digests never appear in these logs.
func WithPushLogger(l *slog.Logger) PushOption {
	return func(c *pushConfig) {
		if l != nil {
			c.logger = l
		}
	}
}

func newPushConfig(opts []PushOption) pushConfig {
	c := pushConfig{maxBody: DefaultPushMaxBody, now: time.Now, logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
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

// VerifyPush checks a push's form fields (URL-decoded, e.g. from
// url.ParseQuery of the body) against pushSecret and returns it typed.
//
// The digest must equal md5(data + "|" + pushSecret + "|" + timestamp) in
// lower-case hex (compared in constant time, case-insensitively); a
// mismatch or a missing digest matches ErrSignature. A correctly signed push
// that breaks the documented format matches ErrPushMalformed. The error
// text never contains the secret or a digest.
func VerifyPush(form url.Values, pushSecret string, opts ...PushOption) (*Push, error) {
	if pushSecret == "" {
		return nil, errors.New("waiqin365: push: empty push secret")
	}
	cfg := newPushConfig(opts)
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
	if cfg.tolerance > 0 {
		if d := cfg.now().Sub(time.UnixMilli(ms)); d > cfg.tolerance || d < -cfg.tolerance {
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
		// than through json.Unmarshal, which would scan it twice more.
		if err := f.UnmarshalJSON(p.Data); err != nil {
			return nil, malformed("salesLeads_follow data: not a JSON object")
		}
		p.SalesLeadsFollow = &f
	}
	return p, nil
}

// NewPushHandler returns the http.Handler that receives 勤策 pushes at the
// URL you gave your 勤策 customer manager. For each POST it reads the
// form-encoded body (capped, see WithPushMaxBody), verifies it with
// VerifyPush, calls fn, and only when fn returned nil acknowledges with HTTP
// 200 and {"return_code":0,"return_msg":"","msg_id":"<msgId>"}.
//
// Any failure answers non-2xx with {"return_code":1,...}, so 勤策 delivers
// again later: fn returning an error or panicking (500), a bad or missing
// digest (403), a malformed push (400), a body over the cap (413), a method
// other than POST (405).
//
// 勤策 waits 5 seconds for the answer. fn must return fast: persist or
// enqueue the push and return; do slow work elsewhere. Pushes are
// redelivered (status 2, daily for up to 10 days), so deduplicate on
// Push.DedupeKey. An empty pushSecret or a nil fn makes every request fail
// with 500.
func NewPushHandler(pushSecret string, fn func(ctx context.Context, p *Push) error, opts ...PushOption) http.Handler {
	return &pushHandler{secret: pushSecret, fn: fn, opts: opts, cfg: newPushConfig(opts)}
}

type pushHandler struct {
	secret string
	fn     func(ctx context.Context, p *Push) error
	opts   []PushOption
	cfg    pushConfig
}

func (h *pushHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writePushReply(w, http.StatusMethodNotAllowed, 1, "method not allowed", "")
		return
	}
	if h.secret == "" || h.fn == nil {
		h.cfg.logger.ErrorContext(ctx, "waiqin365 push handler misconfigured: empty push secret or nil func")
		writePushReply(w, http.StatusInternalServerError, 1, "receiver misconfigured", "")
		return
	}
	body, err := webhook.ReadBody(w, r, h.cfg.maxBody)
	if err != nil {
		status, msg := http.StatusBadRequest, "unreadable body"
		if errors.Is(err, webhook.ErrTooLarge) {
			status, msg = http.StatusRequestEntityTooLarge, "body too large"
		}
		h.cfg.logger.WarnContext(ctx, "waiqin365 push rejected", slog.String("reason", msg))
		writePushReply(w, status, 1, msg, "")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		h.cfg.logger.WarnContext(ctx, "waiqin365 push rejected", slog.String("reason", "body is not form-encoded"))
		writePushReply(w, http.StatusBadRequest, 1, "body is not form-encoded", "")
		return
	}
	msgID := form.Get("msgId")
	p, err := VerifyPush(form, h.secret, h.opts...)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrSignature) {
			status = http.StatusForbidden
		}
		h.cfg.logger.WarnContext(ctx, "waiqin365 push rejected", slog.String("msg_id", msgID), slog.String("error", err.Error()))
		writePushReply(w, status, 1, http.StatusText(status), msgID)
		return
	}
	if err := webhook.Call(func() error { return h.fn(ctx, p) }); err != nil {
		h.cfg.logger.ErrorContext(ctx, "waiqin365 push handler failed; 勤策 will redeliver",
			slog.String("msg_id", p.MsgID), slog.String("data_type", p.DataType), slog.String("data_id", p.DataID),
			slog.String("error", scrubSecret(err.Error(), h.secret)))
		writePushReply(w, http.StatusInternalServerError, 1, "handler failed", p.MsgID)
		return
	}
	writePushReply(w, http.StatusOK, 0, "", p.MsgID)
}

// writePushReply writes {"return_code":code,"return_msg":msg,"msg_id":id},
// the documented acknowledgement (code 0 on success).
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

func scrubSecret(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "[redacted]")
}
