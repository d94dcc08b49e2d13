package waiqin365_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

const pushSecret = "push-s3cret-7f1c"

// followForm is a signed salesLeads_follow push with the seed's record.
func followForm(t *testing.T) url.Values {
	t.Helper()
	form, err := waiqin365test.NewPushForm(pushSecret, waiqin365.DataTypeSalesLeadsFollow,
		json.RawMessage(fixture(t, "push_sales_leads_follow_data.json")))
	require.NoError(t, err)
	form.Set("msgId", "7898952955531954883")
	form.Set("dataId", "SK202101090003")
	return form
}

func post(h http.Handler, method, contentType, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/waiqin365/push", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

const formType = "application/x-www-form-urlencoded"

func TestPushHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		body       func(t *testing.T) string
		fn         func(ctx context.Context, p *waiqin365.Push) error
		opts       []waiqin365.Option
		wantStatus int
		wantAck    bool
		wantCalls  int
		check      func(t *testing.T, p *waiqin365.Push)
	}{
		{
			name: "good salesLeads_follow", body: func(t *testing.T) string { return followForm(t).Encode() },
			wantStatus: 200, wantAck: true, wantCalls: 1,
			check: func(t *testing.T, p *waiqin365.Push) {
				assert.Equal(t, "7898952955531954883", p.MsgID)
				assert.Equal(t, waiqin365.DataTypeSalesLeadsFollow, p.DataType)
				assert.Equal(t, "SK202101090003", p.DataID)
				assert.Equal(t, "001", p.DataVersion)
				assert.Equal(t, "json", p.DataFormat)
				assert.Equal(t, waiqin365.DataSourceAPI, p.DataSource)
				assert.Equal(t, waiqin365.PushStatusFirst, p.Status)
				assert.False(t, p.Redelivery())
				assert.Equal(t, waiqin365test.PushTenantID, p.TenantID)
				assert.Len(t, strconv.FormatInt(p.Timestamp, 10), 13)
				assert.JSONEq(t, string(fixture(t, "push_sales_leads_follow_data.json")), string(p.Data))
				require.NotNil(t, p.SalesLeadsFollow)
				assert.Equal(t, waiqin365.SalesLeadsFollow{
					LeadID: "SK202101090003", LeadCode: "zsmd", LeadName: "张三门店", ActivityType: "", ActivityContent: "zhangsan",
					Location: "10,20", Offset: "50", PhotoPath: "/aaa/bb.png", CreateBy: "创建人", Department: "部门",
					CreateAt: "yyyy-mm-dd hh:mm", Ext: map[string]string{"ext_*": "自定义字段"},
				}, *p.SalesLeadsFollow)
				assert.Equal(t, waiqin365test.PushTenantID+"|salesLeads_follow|SK202101090003|7898952955531954883", p.DedupeKey())
			},
		},
		{
			name: "redelivery with status 2 and statusTime", wantStatus: 200, wantAck: true, wantCalls: 1,
			body: func(t *testing.T) string {
				f := followForm(t)
				f.Set("status", "2")
				f.Set("statusTime", "2021-01-09 01:30:00")
				return f.Encode()
			},
			check: func(t *testing.T, p *waiqin365.Push) {
				assert.True(t, p.Redelivery())
				at, err := p.LastFailure()
				require.NoError(t, err)
				assert.Equal(t, "2021-01-09T01:30:00+08:00", at.Format(time.RFC3339))
			},
		},
		{
			name: "upper-case digest accepted", wantStatus: 200, wantAck: true, wantCalls: 1,
			body: func(t *testing.T) string {
				f := followForm(t)
				f.Set("digest", strings.ToUpper(f.Get("digest")))
				return f.Encode()
			},
		},
		{
			name: "numeric lead_ID", wantStatus: 200, wantAck: true, wantCalls: 1,
			body: func(t *testing.T) string {
				f, err := waiqin365test.NewPushForm(pushSecret, waiqin365.DataTypeSalesLeadsFollow,
					`{"lead_ID":6789690485561771524,"lead_code":"zsmd","ext_1":12.50,"ext_2":null,"extra":{"a":1}}`)
				require.NoError(t, err)
				return f.Encode()
			},
			check: func(t *testing.T, p *waiqin365.Push) {
				f := p.SalesLeadsFollow
				assert.Equal(t, waiqin365.Text("6789690485561771524"), f.LeadID, "every digit kept")
				assert.Equal(t, map[string]string{"ext_1": "12.50", "ext_2": ""}, f.Ext)
				assert.JSONEq(t, `{"a":1}`, string(f.Extra["extra"]))
				assert.Equal(t, "6789690485561771524", p.DataID)
			},
		},
		{
			name: "unknown dataType delivered raw", wantStatus: 200, wantAck: true, wantCalls: 1,
			body: func(t *testing.T) string {
				f, err := waiqin365test.NewPushForm(pushSecret, "custom",
					`{"cm_code":"CUS000020","id":"7087293505129744417","cm_name":"苏果超市夫子庙社区店"}`)
				require.NoError(t, err)
				return f.Encode()
			},
			check: func(t *testing.T, p *waiqin365.Push) {
				assert.Equal(t, "custom", p.DataType)
				assert.Nil(t, p.SalesLeadsFollow)
				var m struct {
					CmCode string       `json:"cm_code"`
					ID     waiqin365.ID `json:"id"`
				}
				require.NoError(t, p.Decode(&m))
				assert.Equal(t, "CUS000020", m.CmCode)
				assert.Equal(t, waiqin365.ID("7087293505129744417"), m.ID)
			},
		},
		{
			name: "bad digest", wantStatus: 403, wantCalls: 0,
			body: func(t *testing.T) string {
				f := followForm(t)
				f.Set("digest", "4439af117f6d8d74ad0a3f59932e4f1e")
				return f.Encode()
			},
		},
		{
			name: "signed with another secret", wantStatus: 403, wantCalls: 0,
			body: func(t *testing.T) string {
				f := followForm(t)
				waiqin365test.SignPushForm(f, "other-secret")
				return f.Encode()
			},
		},
		{
			name: "missing digest", wantStatus: 403, wantCalls: 0,
			body: func(t *testing.T) string {
				f := followForm(t)
				f.Del("digest")
				return f.Encode()
			},
		},
		{
			name: "tampered data", wantStatus: 403, wantCalls: 0,
			body: func(t *testing.T) string {
				f := followForm(t)
				f.Set("data", strings.Replace(f.Get("data"), "zsmd", "evil", 1))
				return f.Encode()
			},
		},
		{
			name: "tampered timestamp", wantStatus: 403, wantCalls: 0,
			body: func(t *testing.T) string {
				f := followForm(t)
				f.Set("timestamp", "1503276678552")
				return f.Encode()
			},
		},
		{
			name: "repeated data field", wantStatus: 400, wantCalls: 0,
			body: func(t *testing.T) string { return followForm(t).Encode() + "&data=%7B%7D" },
		},
		{
			name: "signed but data is not JSON", wantStatus: 400, wantCalls: 0,
			body: func(t *testing.T) string {
				f := followForm(t)
				f.Set("data", "{not json")
				waiqin365test.SignPushForm(f, pushSecret)
				return f.Encode()
			},
		},
		{
			name: "signed but salesLeads_follow data is a list", wantStatus: 400, wantCalls: 0,
			body: func(t *testing.T) string {
				f := followForm(t)
				f.Set("data", "[1,2]")
				waiqin365test.SignPushForm(f, pushSecret)
				return f.Encode()
			},
		},
		{
			name: "signed but timestamp is not a number", wantStatus: 400, wantCalls: 0,
			body: func(t *testing.T) string {
				f := followForm(t)
				f.Set("timestamp", "2021-01-09")
				waiqin365test.SignPushForm(f, pushSecret)
				return f.Encode()
			},
		},
		{
			name: "body is not form-encoded", wantStatus: 400, wantCalls: 0,
			body: func(*testing.T) string { return "%zz" },
		},
		{name: "wrong method", method: http.MethodGet, wantStatus: 405, wantCalls: 0, body: func(*testing.T) string { return "" }},
		{
			name: "oversized body", wantStatus: 413, wantCalls: 0, opts: []waiqin365.Option{waiqin365.WithMaxBodyBytes(256)},
			body: func(t *testing.T) string { return followForm(t).Encode() + "&pad=" + strings.Repeat("x", 300) },
		},
		{
			name: "fn error", wantStatus: 500, wantCalls: 1, body: func(t *testing.T) string { return followForm(t).Encode() },
			fn: func(context.Context, *waiqin365.Push) error {
				return errors.New("queue down (secret " + pushSecret + ")")
			},
		},
		{
			name: "fn panic", wantStatus: 500, wantCalls: 1, body: func(t *testing.T) string { return followForm(t).Encode() },
			fn: func(context.Context, *waiqin365.Push) error { panic("boom") },
		},
		{
			name: "timestamp outside the tolerance", wantStatus: 403, wantCalls: 0,
			opts: []waiqin365.Option{waiqin365.WithPushTolerance(5 * time.Minute),
				waiqin365.WithClock(func() time.Time { return time.Now().Add(time.Hour) })},
			body: func(t *testing.T) string { return followForm(t).Encode() },
		},
		{
			name: "timestamp inside the tolerance", wantStatus: 200, wantAck: true, wantCalls: 1,
			opts: []waiqin365.Option{waiqin365.WithPushTolerance(5 * time.Minute)},
			body: func(t *testing.T) string { return followForm(t).Encode() },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var got []*waiqin365.Push
			fn := func(ctx context.Context, p *waiqin365.Push) error {
				mu.Lock()
				got = append(got, p)
				mu.Unlock()
				if tt.fn != nil {
					return tt.fn(ctx, p)
				}
				return nil
			}
			logger, logs := testkit.Logger()
			opts := append([]waiqin365.Option{waiqin365.WithLogger(logger)}, tt.opts...)
			h, err := waiqin365.NewPushHandler(pushSecret, fn, opts...)
			require.NoError(t, err)
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			body := tt.body(t)
			w := post(h, method, formType, body)
			assert.Equal(t, tt.wantStatus, w.Code, w.Body.String())
			assert.Len(t, got, tt.wantCalls)
			if method != http.MethodPost {
				assert.Equal(t, http.MethodPost, w.Header().Get("Allow"))
			}
			var reply struct {
				ReturnCode json.Number `json:"return_code"`
				ReturnMsg  *string     `json:"return_msg"`
				MsgID      *string     `json:"msg_id"`
			}
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &reply), w.Body.String())
			if tt.wantAck {
				form, _ := url.ParseQuery(body)
				want := `{"return_code":0,"return_msg":"","msg_id":"` + form.Get("msgId") + `"}`
				assert.Equal(t, want, w.Body.String(), "the documented acknowledgement, byte for byte")
				assert.Equal(t, "application/json; charset=utf-8", w.Header().Get("Content-Type"))
			} else {
				assert.Equal(t, json.Number("1"), reply.ReturnCode)
			}
			if tt.check != nil && len(got) == 1 {
				tt.check(t, got[0])
			}
			form, _ := url.ParseQuery(body)
			testkit.NoSecrets(t, w.Body.String(), pushSecret, form.Get("digest"))
			testkit.NoSecrets(t, logs.String(), pushSecret, form.Get("digest"))
		})
	}
}

func TestVerifyPushErrors(t *testing.T) {
	t.Parallel()
	good := followForm(t)
	p, err := waiqin365.VerifyPush(good, pushSecret)
	require.NoError(t, err)
	assert.Equal(t, waiqin365.Text("zsmd"), p.SalesLeadsFollow.LeadCode)

	_, err = waiqin365.VerifyPush(good, "")
	require.Error(t, err, "an empty secret never verifies")

	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("digest", strings.Repeat("0", 32))
	_, err = waiqin365.VerifyPush(bad, pushSecret)
	require.ErrorIs(t, err, waiqin365.ErrSignature)
	testkit.NoSecrets(t, err.Error(), pushSecret, good.Get("digest"), bad.Get("digest"))

	bad.Set("timestamp", "x")
	waiqin365test.SignPushForm(bad, pushSecret)
	_, err = waiqin365.VerifyPush(bad, pushSecret)
	require.ErrorIs(t, err, waiqin365.ErrPushMalformed)
	assert.NotErrorIs(t, err, waiqin365.ErrSignature)
}

func TestSalesLeadsFollowRoundTrip(t *testing.T) {
	t.Parallel()
	var f waiqin365.SalesLeadsFollow
	require.NoError(t, json.Unmarshal(fixture(t, "push_sales_leads_follow_data.json"), &f))
	b, err := json.Marshal(f)
	require.NoError(t, err)
	assert.JSONEq(t, string(fixture(t, "push_sales_leads_follow_data.json")), string(b))
	assert.True(t, strings.HasPrefix(string(b), `{"lead_ID":"SK202101090003","lead_code":"zsmd"`), "documented keys in the vendor's order")

	var g waiqin365.SalesLeadsFollow
	require.NoError(t, json.Unmarshal([]byte(`{"LEAD_code":"x","create_at":"2021-01-09 10:00"}`), &g), "keys match case-insensitively")
	assert.Equal(t, waiqin365.Text("x"), g.LeadCode)
	at, err := g.CreatedAt()
	require.NoError(t, err)
	assert.Equal(t, 2021, at.Year())
	require.Error(t, json.Unmarshal([]byte(`null`), &g))
	require.Error(t, json.Unmarshal([]byte(`"x"`), &g))
}

func TestDedupeKeyEscapes(t *testing.T) {
	t.Parallel()
	a := &waiqin365.Push{TenantID: "t|1", DataType: "d", DataID: "", MsgID: "m"}
	b := &waiqin365.Push{TenantID: "t", DataType: "1|d", DataID: "", MsgID: "m"}
	assert.NotEqual(t, a.DedupeKey(), b.DedupeKey())
}

// TestDeliverPushEndToEnd posts through a real HTTP server with the fake's
// delivery helper, as 勤策 would.
func TestDeliverPushEndToEnd(t *testing.T) {
	t.Parallel()
	got := make(chan *waiqin365.Push, 1)
	h, err := waiqin365.NewPushHandler(pushSecret, func(_ context.Context, p *waiqin365.Push) error {
		got <- p
		return nil
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	rec := &waiqin365.SalesLeadsFollow{LeadID: "6789690485561771524", LeadCode: "zsmd", Ext: map[string]string{"ext_a": "b"}}
	require.NoError(t, waiqin365test.DeliverPush(ctx, srv.URL, pushSecret, waiqin365.DataTypeSalesLeadsFollow, rec))
	p := <-got
	assert.Equal(t, "6789690485561771524", p.DataID)
	assert.Equal(t, "b", p.SalesLeadsFollow.Ext["ext_a"])

	err = waiqin365test.DeliverPush(ctx, srv.URL, "wrong-secret", waiqin365.DataTypeSalesLeadsFollow, rec)
	require.Error(t, err, "a bad digest is not acknowledged")
	assert.Contains(t, err.Error(), "403")
	testkit.NoSecrets(t, err.Error(), pushSecret, "wrong-secret")
}

// TestPushAckMatchesTheDocumentedReply compares the acknowledgement with
// the doc's example reply (msg_id aside): return_code is a JSON number.
func TestPushAckMatchesTheDocumentedReply(t *testing.T) {
	t.Parallel()
	h, err := waiqin365.NewPushHandler(pushSecret, func(context.Context, *waiqin365.Push) error { return nil })
	require.NoError(t, err)
	form := followForm(t)
	form.Set("msgId", "X0001")
	w := post(h, http.MethodPost, formType, form.Encode())
	require.Equal(t, http.StatusOK, w.Code)
	assert.JSONEq(t, string(fixture(t, "push_ack.json")), w.Body.String())
}
