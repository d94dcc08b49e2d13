package waiqin365_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/waiqin365"
)

const imgURL = "http://image-test.waiqin365.com/7872470323618986146/apaas/salesleads_info/5fb13110e1de13d4c11e6e7f5b8026da_r.jpg"
const imgPath = "apaas/salesleads_info/5fb13110e1de13d4c11e6e7f5b8026da_r.jpg"

func TestQuerySalesLeadsForApaasDecodesEverySeedField(t *testing.T) {
	t.Parallel()
	h := newHarness(t, []step{{200, queryAnswer(t, fixture(t, "query_sales_leads_for_apaas_rows.json"))}})
	res, err := h.c.QuerySalesLeadsForApaas(ctx, &waiqin365.QuerySalesLeadsForApaasRequest{Code: "L2025040300000568"})
	require.NoError(t, err)
	require.Len(t, res.Leads, 1)
	l := res.Leads[0]
	assert.Equal(t, waiqin365.ID("4983449723663499848"), l.ID)
	assert.Equal(t, "测试企业", l.CompanyName)
	assert.Equal(t, "L2025040300000568", l.Code)
	assert.Equal(t, &waiqin365.OptionValue{Code: "LY0002", Label: "会议"}, l.SourceTypeID)
	assert.Equal(t, &waiqin365.OptionValue{Code: "YDCG", Label: "运动场馆"}, l.CustomerClassification)
	assert.Equal(t, &waiqin365.OptionValue{Code: "THYY0001", Label: "联系不上客户"}, l.ReturnReasonID)
	assert.Nil(t, l.DeleteReasonID)
	assert.Nil(t, l.InvalidReasonID, "null option")
	assert.Equal(t, &waiqin365.Ref{Name: "试个水", ID: "7715879860058939412", Status: "1"}, l.MarketID)
	assert.Equal(t, "联系人哇", l.Linkman)
	assert.Equal(t, &waiqin365.Mobile{Phone: "15269887453", Code: "86"}, l.Mobile)
	assert.Equal(t, waiqin365.String("8875412"), l.Tel)
	assert.Equal(t, &waiqin365.Region{Code: "86", Name: "中国"}, l.MssCountry)
	assert.Equal(t, &waiqin365.Region{Code: "320000", Name: "江苏省"}, l.MssProvince)
	assert.Equal(t, &waiqin365.Region{Code: "320100", Name: "南京市"}, l.MssCity)
	assert.Equal(t, &waiqin365.Region{Code: "320105", Name: "建邺区"}, l.MssArea)
	assert.Equal(t, &waiqin365.Region{Code: "320105002", Name: "沙洲街道"}, l.MssStreet)
	assert.Equal(t, "国家广告园", l.MarkAddr)
	assert.Equal(t, "234242@qq.com", l.Email)
	assert.Equal(t, "http://www.dsdsd.com", l.Website)
	assert.Equal(t, &waiqin365.OptionValue{Code: "YWsaHzOn", Label: "已分配"}, l.AllocationStatus)
	assert.Equal(t, &waiqin365.OptionValue{Code: "4YJHrhGk", Label: "待处理"}, l.SalesleadsStatus)
	assert.Equal(t, []string{"人工设置标签", "人工设置标签1"}, l.Labels())
	assert.Equal(t, "默认线索池", l.PoolName)
	assert.Equal(t, "找不到客户", l.RemovedResult)
	assert.Equal(t, &waiqin365.Ref{Name: "老板", ID: "6044797260167447230", Status: "1"}, l.Owner)
	assert.Equal(t, waiqin365.Files{{Path: imgPath, URL: imgURL}}, l.CardPhoto)
	require.Len(t, l.Exts, 9)

	kinds := map[string]waiqin365.FieldKind{}
	for k, v := range l.Exts {
		kinds[k] = v.Kind()
	}
	assert.Equal(t, map[string]waiqin365.FieldKind{
		"field_VjL4R__c": waiqin365.FieldOption, "field_dV3SL__c": waiqin365.FieldFiles, "field_8wbqi__c": waiqin365.FieldText,
		"field_Jl4uS__c": waiqin365.FieldDate, "field_MB2ri__c": waiqin365.FieldOptions, "field_AaZnB__c": waiqin365.FieldText,
		"field_L0Ok0__c": waiqin365.FieldOption, "field_1B7iQ__c": waiqin365.FieldText, "field_JTEBH__c": waiqin365.FieldFiles,
	}, kinds)

	s, err := l.Exts["field_8wbqi__c"].AsString()
	require.NoError(t, err)
	assert.Equal(t, "单行文本", s)
	o, err := l.Exts["field_L0Ok0__c"].AsOption()
	require.NoError(t, err)
	assert.Equal(t, &waiqin365.OptionValue{Code: "4LCM1jU6", Label: "选项1"}, o)
	opts, err := l.Exts["field_MB2ri__c"].AsOptions()
	require.NoError(t, err)
	assert.Equal(t, []waiqin365.OptionValue{{Code: "选项1", Label: "选项1", Status: "1"}, {Code: "选项2", Label: "选项2", Status: "1"}}, opts)
	d, err := l.Exts["field_Jl4uS__c"].AsDate()
	require.NoError(t, err)
	assert.Equal(t, waiqin365.DateValue{Format: "YYYY-MM-DD", Value: "2025-12-31"}, d)
	at, err := d.Time()
	require.NoError(t, err)
	assert.Equal(t, "2025-12-31T00:00:00+08:00", at.Format("2006-01-02T15:04:05Z07:00"))
	files, err := l.Exts["field_dV3SL__c"].AsFiles()
	require.NoError(t, err)
	require.Len(t, files, 2)
	assert.Equal(t, waiqin365.File{Path: imgPath, Name: "5fb13110e1de13d4c11e6e7f5b8026da_r.jpg", URL: imgURL}, files[0])

	_, err = l.Exts["field_dV3SL__c"].AsString()
	require.ErrorIs(t, err, waiqin365.ErrFieldShape)
	_, err = l.Exts["field_8wbqi__c"].AsDate()
	require.NoError(t, err, "a bare string is taken as a date value")
	_, err = l.Exts["field_Jl4uS__c"].AsFiles()
	require.ErrorIs(t, err, waiqin365.ErrFieldShape, "a date is not a file")
	_, err = l.Exts["field_dV3SL__c"].AsOption()
	require.ErrorIs(t, err, waiqin365.ErrFieldShape)

	// A row re-encodes to the same JSON (the fake relies on it).
	b, err := json.Marshal(l.Exts)
	require.NoError(t, err)
	var orig []map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(fixture(t, "query_sales_leads_for_apaas_rows.json"), &orig))
	assert.JSONEq(t, string(orig[0]["exts"]), string(b))
}

func TestFieldValueKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		kind waiqin365.FieldKind
		str  string
		err  bool
	}{
		{`null`, waiqin365.FieldNull, "", false},
		{``, waiqin365.FieldNull, "", false},
		{`"x"`, waiqin365.FieldText, "x", false},
		{`12.50`, waiqin365.FieldNumber, "12.50", false},
		{`6789690485561771524`, waiqin365.FieldNumber, "6789690485561771524", false},
		{`true`, waiqin365.FieldBool, "true", false},
		{`{"code":"a"}`, waiqin365.FieldOption, "", true},
		{`[{"label":"a"}]`, waiqin365.FieldOptions, "", true},
		{`{"format":"YYYY-MM-DD","value":"2025-01-01"}`, waiqin365.FieldDate, "", true},
		{`[{"url":"u"}]`, waiqin365.FieldFiles, "", true},
		{`{"path":"p"}`, waiqin365.FieldFiles, "", true},
		{`{"x":1}`, waiqin365.FieldObject, "", true},
		{`[]`, waiqin365.FieldArray, "", true},
		{`[1,2]`, waiqin365.FieldArray, "", true},
	}
	for _, tt := range tests {
		v := waiqin365.FieldValue(tt.raw)
		assert.Equal(t, tt.kind, v.Kind(), tt.raw)
		assert.NotEmpty(t, tt.kind.String())
		s, err := v.AsString()
		if tt.err {
			assert.ErrorIs(t, err, waiqin365.ErrFieldShape, tt.raw)
		} else {
			require.NoError(t, err, tt.raw)
			assert.Equal(t, tt.str, s)
		}
	}
	opts, err := waiqin365.FieldValue(`{"code":"a","label":"A"}`).AsOptions()
	require.NoError(t, err)
	assert.Equal(t, []waiqin365.OptionValue{{Code: "a", Label: "A"}}, opts, "a single option as a list of one")
	o, err := waiqin365.FieldValue(`"xA62mwYV"`).AsOption()
	require.NoError(t, err)
	assert.Equal(t, &waiqin365.OptionValue{Code: "xA62mwYV", Label: "xA62mwYV"}, o)
	o, err = waiqin365.FieldValue(`null`).AsOption()
	require.NoError(t, err)
	assert.Nil(t, o)
}

// TestTolerantValues: the table types these fields VARCHAR, so a bare
// string (or number) in place of the documented object is accepted.
func TestTolerantValues(t *testing.T) {
	t.Parallel()
	var row waiqin365.ApaasSalesLead
	require.NoError(t, json.Unmarshal([]byte(`{
		"id": 4983449723663499848, "source_type_id": "会议", "salesleads_status": 1, "owner": "6044797260167447230",
		"market_id": "试个水", "mobile": 15269887453, "mss_province": "江苏省", "card_photo": "名片.jpg",
		"customer_classification": {"code": 7, "label": "运动场馆", "content": {"x": 1}}, "tel": 8875412,
		"mss_city": null, "exts": null}`), &row))
	assert.Equal(t, waiqin365.ID("4983449723663499848"), row.ID)
	assert.Equal(t, &waiqin365.OptionValue{Code: "会议", Label: "会议"}, row.SourceTypeID)
	assert.Equal(t, &waiqin365.OptionValue{Code: "1", Label: "1"}, row.SalesleadsStatus)
	assert.Equal(t, &waiqin365.Ref{ID: "6044797260167447230"}, row.Owner)
	assert.Equal(t, &waiqin365.Ref{Name: "试个水"}, row.MarketID)
	assert.Equal(t, &waiqin365.Mobile{Phone: "15269887453"}, row.Mobile)
	assert.Equal(t, &waiqin365.Region{Name: "江苏省"}, row.MssProvince)
	assert.Equal(t, waiqin365.Files{{Path: "名片.jpg"}}, row.CardPhoto)
	assert.Equal(t, &waiqin365.OptionValue{Code: "7", Label: "运动场馆", Content: `{"x":1}`}, row.CustomerClassification, "an object as its compact JSON text")
	assert.Equal(t, waiqin365.String("8875412"), row.Tel)
	assert.Nil(t, row.MssCity)

	require.Error(t, json.Unmarshal([]byte(`{"owner":[1]}`), &row), "a list where an object belongs is an error")
}
