package waiqin365test_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

const (
	openID = "5465103569540931532"
	appKey = "BFCO0PAgIUgd50c0l6"
)

var ctx = context.Background()

func newPair(t *testing.T, opts ...waiqin365test.Option) (*waiqin365test.Server, *waiqin365.Client) {
	t.Helper()
	srv := waiqin365test.NewServer(append([]waiqin365test.Option{waiqin365test.WithCredentials(openID, appKey)}, opts...)...)
	t.Cleanup(srv.Close)
	c, err := waiqin365.New(openID, appKey, waiqin365.WithBaseURL(srv.URL), core.WithSleep((&testkit.Sleeper{}).Sleep))
	require.NoError(t, err)
	return srv, c
}

// rawPost sends body to an operation with the given URL parts, as a
// hand-written client would.
func rawPost(t *testing.T, srv *waiqin365test.Server, op, openid, ts, digest, body string) (int, map[string]any) {
	t.Helper()
	u := srv.URL + "/api/salesleads/v1/" + op + "/" + openid + "/" + ts + "/" + digest + "/0123456789abcdef0123456789abcdef"
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return resp.StatusCode, m
}

func TestServerVerifiesLikeTheVendor(t *testing.T) {
	t.Parallel()
	srv, _ := newPair(t)
	body := `{"code":"c1"}`
	ts := "20250403101500"
	good := waiqin365.Digest([]byte(body), appKey, ts)
	tests := []struct {
		name, openid, ts, digest, body string
		wantCode, wantMsg              string
	}{
		{"good", openID, ts, good, body, "0", ""},
		{"bad digest", openID, ts, strings.Repeat("0", 32), body, "1", waiqin365test.MsgBadDigest},
		{"upper-case digest", openID, ts, strings.ToUpper(good), body, "1", waiqin365test.MsgBadDigest},
		{"digest of other bytes", openID, ts, good, `{"code": "c1"}`, "1", waiqin365test.MsgBadDigest},
		{"digest with another timestamp", openID, "20250403101501", good, body, "1", waiqin365test.MsgBadDigest},
		{"unknown openid", "5465103569540931533", ts, good, body, "1", waiqin365test.MsgUnknownOpenID},
	}
	for _, tt := range tests {
		status, m := rawPost(t, srv, waiqin365.OpQuerySalesLeads, tt.openid, tt.ts, tt.digest, tt.body)
		assert.Equal(t, 200, status, tt.name)
		assert.Equal(t, tt.wantCode, m["return_code"], tt.name)
		if tt.wantMsg != "" {
			assert.Equal(t, tt.wantMsg, m["return_msg"], tt.name)
		}
	}
	assert.Equal(t, 5, srv.Rejected())
	assert.Equal(t, 6, srv.Requests(waiqin365.OpQuerySalesLeads))
}

func TestServerAnswersInTheVendorShape(t *testing.T) {
	t.Parallel()
	srv, c := newPair(t)
	_, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p", Code: "c1"})
	require.NoError(t, err)

	ts := "20250403101500"
	body := `{"code":"c1"}`
	_, m := rawPost(t, srv, waiqin365.OpQuerySalesLeads, openID, ts, waiqin365.Digest([]byte(body), appKey, ts), body)
	assert.Nil(t, m["msg_id"], "queries answer msg_id null")
	data, ok := m["response_data"].(string)
	require.True(t, ok, "response_data is a JSON string holding the array")
	var rows []map[string]any
	require.NoError(t, json.Unmarshal([]byte(data), &rows))
	require.Len(t, rows, 1)
	id, ok := rows[0]["id"].(string)
	require.True(t, ok, "ids are strings")
	assert.Len(t, id, 19)

	body = `{"code":"c1","linkman":"x"}`
	_, m = rawPost(t, srv, waiqin365.OpModifySalesLeads, openID, ts, waiqin365.Digest([]byte(body), appKey, ts), body)
	assert.Equal(t, "0123456789abcdef0123456789abcdef", m["msg_id"], "writes echo msg_id")
	assert.Nil(t, m["response_data"])
	assert.Nil(t, m["return_msg"])
}

func TestServerLeadLifecycle(t *testing.T) {
	t.Parallel()
	srv, c := newPair(t)
	_, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{
		EmpName: "张三", Code: "L1", CusName: "api专用", Linkman: "联系人1", MobileCountry: "86", Mobile: "18811111111",
		Exts: []waiqin365.Ext{{Key: "自定义字段1", Value: "v1"}},
	})
	require.NoError(t, err)
	_, err = c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p", Code: "L1"})
	var apiErr *waiqin365.APIError
	require.ErrorAs(t, err, &apiErr, "duplicate code")
	assert.Equal(t, waiqin365test.CodeFailed, apiErr.Code)
	assert.Contains(t, apiErr.Message, waiqin365test.MsgDuplicateCode)

	q, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "L1"})
	require.NoError(t, err)
	require.Len(t, q.Leads, 1)
	l := q.Leads[0]
	assert.Len(t, string(l.ID), 19)
	assert.Equal(t, "api专用", l.CusName)
	assert.Equal(t, "张三", l.EmpName)
	assert.Equal(t, "待处理", l.StatusValue)
	assert.Equal(t, []waiqin365.LeadExt{{ExtKey: "自定义字段1", ExtValue: "v1", ExtColumn: "ext_0000000001"}}, l.Exts)

	_, err = c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{ID: l.ID, Linkman: "李四", MarkAddr: "南京市铁心桥"})
	require.NoError(t, err)
	stored, ok := srv.Lead("L1")
	require.True(t, ok)
	assert.Equal(t, "李四", stored.Linkman)
	assert.Equal(t, "南京市铁心桥", stored.MarkAddr)
	assert.Equal(t, "18811111111", stored.Mobile, "omitted fields are kept")

	_, err = c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{ID: "1234567890123456789"})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, waiqin365test.MsgNotFound, apiErr.Message)

	_, err = c.RemoveSalesLeads(ctx, &waiqin365.RemoveSalesLeadsRequest{Code: "L1", ReasonID: "1000025", Content: "api删除"})
	require.NoError(t, err)
	_, ok = srv.Lead("L1")
	assert.False(t, ok)
	q, err = c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "L1"})
	require.NoError(t, err)
	assert.Empty(t, q.Leads)
}

func TestServerApaasLifecycle(t *testing.T) {
	t.Parallel()
	srv, c := newPair(t)
	_, err := c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{
		Code: "A1", CompanyName: "示例公司", Mobile: &waiqin365.Mobile{Phone: "18912804466", Code: "86"},
		AllocationStatus: "1", ResponsiblePerson: "6044797260167447230", SourceType: "客户介绍", MssProvince: "江苏省",
		Labels: "示例标签,重复", CardPhoto: "card.jpg", Exts: map[string]string{"field_db3nn__ctvj575": "2024-07-26"},
	})
	require.NoError(t, err)
	q, err := c.QuerySalesLeadsForApaas(ctx, &waiqin365.QuerySalesLeadsForApaasRequest{Code: "A1"})
	require.NoError(t, err)
	require.Len(t, q.Leads, 1)
	l := q.Leads[0]
	assert.Equal(t, "示例公司", l.CompanyName)
	assert.Equal(t, &waiqin365.Mobile{Phone: "18912804466", Code: "86"}, l.Mobile)
	assert.Equal(t, "6044797260167447230", string(l.Owner.ID))
	assert.Equal(t, waiqin365.Text("已分配"), l.AllocationStatus.Label)
	assert.Equal(t, waiqin365.Text("客户介绍"), l.SourceTypeID.Label)
	assert.Equal(t, waiqin365.Text("江苏省"), l.MssProvince.Name)
	assert.Equal(t, []string{"示例标签", "重复"}, l.Labels())
	assert.Equal(t, waiqin365.Text("card.jpg"), l.CardPhoto[0].Path)
	v, err := l.Exts["field_db3nn__ctvj575"].AsString()
	require.NoError(t, err)
	assert.Equal(t, "2024-07-26", v)

	_, err = c.ModifySalesLeadsForApaas(ctx, &waiqin365.ModifySalesLeadsForApaasRequest{
		ID: waiqin365.NumericID(l.ID), MarkAddress: "国家广告园", SalesleadsLabel: "新标签", SalesleadsStatus: waiqin365.StatusFollowing,
	})
	require.NoError(t, err)
	stored, _ := srv.Lead("A1")
	assert.Equal(t, "国家广告园", stored.MarkAddr)
	assert.Equal(t, "新标签", stored.Labels)
	assert.Equal(t, "2", stored.Status)
	assert.True(t, stored.Apaas)

	// The server enforces the allocation rule itself too.
	err = c.Do(ctx, "", "/api/salesleads/v1/"+waiqin365.OpAddSalesLeadsForApaas, map[string]string{"code": "A2", "allocation_status": "0"}, nil)
	var apiErr *waiqin365.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "pool_name")
	// And the shapes: exts in an undocumented form are refused (the aPaaS
	// exts are a map or, per the add table, a list; the classic add's a
	// list; see TestServerAcceptsEveryDocumentedForm).
	err = c.Do(ctx, "", "/api/salesleads/v1/"+waiqin365.OpAddSalesLeadsForApaas, json.RawMessage(`{"code":"A3","exts":"k"}`), nil)
	require.ErrorAs(t, err, &apiErr)
	err = c.Do(ctx, "", "/api/salesleads/v1/"+waiqin365.OpModifySalesLeadsForApaas, json.RawMessage(`{"code":"A1","exts":[{"salesleads_ext_key":"k"}]}`), nil)
	require.ErrorAs(t, err, &apiErr)
	err = c.Do(ctx, "", "/api/salesleads/v1/"+waiqin365.OpAddSalesLeads, json.RawMessage(`{"code":"A4","poolName":"p","exts":{"k":"v"}}`), nil)
	require.ErrorAs(t, err, &apiErr)
	err = c.Do(ctx, "", "/api/salesleads/v1/"+waiqin365.OpQuerySalesLeads, json.RawMessage(`{"page":1}`), nil)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, waiqin365test.MsgNoCondition, apiErr.Message)
}

func TestServerPagingFiltersAndSort(t *testing.T) {
	t.Parallel()
	clock := fake.NewClock()
	srv, c := newPair(t, waiqin365test.WithClock(clock.Now))
	for i := range 5 {
		_, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p", Code: fmt.Sprintf("P%d", i), Linkman: "王五", CusName: fmt.Sprintf("客户%d", i)})
		require.NoError(t, err)
		clock.Advance(time.Minute)
	}
	var codes []string
	for l, err := range c.AllSalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Linkman: "王", PageSize: 2}) {
		require.NoError(t, err)
		codes = append(codes, l.Code)
	}
	assert.Equal(t, []string{"P0", "P1", "P2", "P3", "P4"}, codes)
	assert.Equal(t, 5+3, srv.Requests(""), "3 pages: 2 + 2 + 1")

	codes = nil
	for l, err := range c.AllSalesLeadsForApaas(ctx, &waiqin365.QuerySalesLeadsForApaasRequest{
		CusName: "客户", Sorts: &waiqin365.SortSpec{FieldKey: "create_time", Type: waiqin365.SortDesc}, PageSize: 3,
	}) {
		require.NoError(t, err)
		codes = append(codes, l.Code)
	}
	assert.Equal(t, []string{"P4", "P3", "P2", "P1", "P0"}, codes)

	today := waiqin365.FormatDate(clock.Now())
	q, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{CreateTimeStart: today, CreateTimeEnd: today, SalesleadsStatus: waiqin365.StatusUnassigned})
	require.NoError(t, err)
	assert.NotEmpty(t, q.Leads, "pool-only leads are unassigned (6)")
	q, err = c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{CreateTimeStart: "2999-01-01"})
	require.NoError(t, err)
	assert.Empty(t, q.Leads)
	_, err = c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{CreateTimeStart: "01/01/2020"})
	var apiErr *waiqin365.APIError
	require.ErrorAs(t, err, &apiErr, "dates are yyyy-MM-dd")
	assert.Equal(t, waiqin365test.CodeFailed, apiErr.Code)
}

func TestServerMobileRepeat(t *testing.T) {
	t.Parallel()
	_, c := newPair(t)
	_, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p", Code: "M1", Mobile: "18811111111"})
	require.NoError(t, err)
	_, err = c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p", Code: "M2", Mobile: "18811111111"})
	require.NoError(t, err, "repeats allowed by default")
	_, err = c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p", Code: "M3", Mobile: "18811111111", MobileRepeat: waiqin365.MobileRepeatForbidden})
	var apiErr *waiqin365.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, waiqin365test.MsgDuplicateMob)
}

func TestServerFaults(t *testing.T) {
	t.Parallel()
	srv, c := newPair(t)
	srv.Faults.Add(fake.Fault{Op: waiqin365.OpQuerySalesLeads, Status: http.StatusServiceUnavailable})
	_, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "x"})
	require.NoError(t, err, "the 503 is retried")
	assert.Equal(t, 2, srv.Requests(waiqin365.OpQuerySalesLeads))

	srv.Faults.Add(fake.Fault{Op: waiqin365.OpAddSalesLeadsForApaas, Status: http.StatusBadGateway, AfterApply: true})
	_, err = c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{CompanyName: "no code"})
	require.ErrorIs(t, err, waiqin365.ErrAmbiguous, "the 502 came after the lead was stored, and there is no code to read it back by")
	assert.Len(t, srv.Leads(), 1)
	srv.Faults.Add(fake.Fault{Op: waiqin365.OpAddSalesLeadsForApaas, Status: http.StatusBadGateway, AfterApply: true})
	res, err := c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{Code: "F1"})
	require.NoError(t, err, "read back by its code")
	assert.True(t, res.Resolved)
	l, stored := srv.Lead("F1")
	assert.True(t, stored)
	assert.Equal(t, l.ID, string(res.Lead.ID))
	assert.Equal(t, 2, srv.Requests(waiqin365.OpAddSalesLeadsForApaas))

	srv.Faults.Add(fake.Fault{Op: waiqin365.OpRemoveSalesLeads, Body: []byte(`<html>gateway</html>`)})
	_, err = c.RemoveSalesLeads(ctx, &waiqin365.RemoveSalesLeadsRequest{Code: "F1"})
	require.ErrorIs(t, err, waiqin365.ErrBadResponse)
}

func TestServerTimestampWindow(t *testing.T) {
	t.Parallel()
	srv := waiqin365test.NewServer(waiqin365test.WithCredentials(openID, appKey), waiqin365test.WithTimestampWindow(5*time.Minute))
	defer srv.Close()
	for _, tt := range []struct {
		skew time.Duration
		ok   bool
	}{{0, true}, {time.Hour, false}, {-time.Hour, false}} {
		skewed := func() time.Time { return time.Now().Add(tt.skew) }
		c, err := waiqin365.New(openID, appKey, waiqin365.WithBaseURL(srv.URL), core.WithClock(skewed))
		require.NoError(t, err)
		_, err = c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "x"})
		if tt.ok {
			require.NoError(t, err)
			continue
		}
		var apiErr *waiqin365.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, waiqin365test.MsgBadTimestamp, apiErr.Message)
	}
}

func TestServerRoutes(t *testing.T) {
	t.Parallel()
	srv, c := newPair(t)
	err := c.Do(ctx, "", "/api/organization/v1/addOrganization", map[string]string{"org_id": "ORG001"}, nil)
	var apiErr *waiqin365.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.HTTPStatus)
	assert.Equal(t, waiqin365test.MsgUnknownOp, apiErr.Message)

	srv.Handle("organization", "v1", "addOrganization", func(body []byte) (any, error) { return nil, nil })
	require.NoError(t, c.Do(ctx, "", "/api/organization/v1/addOrganization", map[string]string{"org_id": "ORG001"}, nil))

	resp, err := http.Get(srv.URL + "/api/salesleads/v1/querySalesLeads/" + openID + "/20250403101500/00/00")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	resp, err = http.Post(srv.URL+"/api/too/short", "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestServerLeadsSnapshot(t *testing.T) {
	t.Parallel()
	srv, c := newPair(t)
	_, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p", Code: "S1", Exts: []waiqin365.Ext{{Key: "k", Value: "v"}}})
	require.NoError(t, err)
	leads := srv.Leads()
	require.Len(t, leads, 1)
	leads[0].Exts["k"] = "changed"
	again, _ := srv.Lead("S1")
	assert.Equal(t, "v", again.Exts["k"], "snapshots are copies")
}

func TestServerGeneratesCodes(t *testing.T) {
	t.Parallel()
	srv, c := newPair(t)
	for range 2 {
		_, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p"})
		require.NoError(t, err)
	}
	leads := srv.Leads()
	require.Len(t, leads, 2)
	assert.Regexp(t, `^L\d{8}\d{8}$`, leads[0].Code)
	assert.NotEqual(t, leads[0].Code, leads[1].Code)
}

func TestNewPushFormIsSignedAndTyped(t *testing.T) {
	t.Parallel()
	form, err := waiqin365test.NewPushForm("s", waiqin365.DataTypeSalesLeadsFollow, map[string]any{"lead_ID": "SK1", "lead_code": "zsmd"})
	require.NoError(t, err)
	for _, k := range []string{"msgId", "dataType", "dataId", "dataVersion", "dataFormat", "dataSource", "data", "timestamp", "status", "tenantId", "digest"} {
		assert.NotEmpty(t, form.Get(k), k)
	}
	assert.Equal(t, "SK1", form.Get("dataId"))
	assert.Len(t, form.Get("msgId"), 19)
	assert.Len(t, form.Get("timestamp"), 13)
	p, err := waiqin365.VerifyPush(form, "s")
	require.NoError(t, err)
	assert.Equal(t, waiqin365.Text("zsmd"), p.SalesLeadsFollow.LeadCode)

	form.Set("status", waiqin365.PushStatusRetry) // not signed: no re-signing needed
	_, err = waiqin365.VerifyPush(form, "s")
	require.NoError(t, err)
	form.Set("data", `{"lead_ID":"SK2"}`)
	_, err = waiqin365.VerifyPush(form, "s")
	require.ErrorIs(t, err, waiqin365.ErrSignature)
	waiqin365test.SignPushForm(form, "s")
	_, err = waiqin365.VerifyPush(form, "s")
	require.NoError(t, err)

	_, err = waiqin365test.NewPushForm("s", "x", func() {})
	require.Error(t, err)
}
