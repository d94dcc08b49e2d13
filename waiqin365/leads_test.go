package waiqin365_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/waiqin365"
)

// docExts are the custom fields of the classic doc examples.
var docExts = []waiqin365.Ext{{Key: "自定义字段1", Value: "api测试用啊"}, {Key: "自定义字段2", Value: "测试用"}}

// apaasExts are the custom fields of the aPaaS doc examples.
var apaasExts = map[string]string{
	"field_kig9p__cywdzm9": "10000.00", "field_dacfk__cxuv3jd": "1214123412341234",
	"field_puezh__cdc07gx": "12341234125463457634567", "field_db3nn__ctvj575": "2024-07-26",
	"field_xvw5t__cz8n029": "j8gKhgpu", "field_swe5j__cpzhpuj": "xA62mwYV,QlmleNPY",
}

// editJSON decodes a fixture (numbers exact), applies edit and re-encodes.
func editJSON(t *testing.T, raw []byte, edit func(m map[string]any)) string {
	t.Helper()
	var m map[string]any
	require.NoError(t, flex.Unmarshal(raw, &m))
	if edit != nil {
		edit(m)
	}
	b, err := flex.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// TestOperationsWireFormat sends each of the seven operations with the
// vendor doc example's values and checks method, signed path, digest and
// body (against the doc example, adjusted only where the table wins).
func TestOperationsWireFormat(t *testing.T) {
	t.Parallel()
	rows := fixture(t, "query_sales_leads_rows.json")
	apaasRows := fixture(t, "query_sales_leads_for_apaas_rows.json")
	tests := []struct {
		name   string
		op     string
		answer string
		call   func(h *harness) error
		want   string // JSON the body must equal
		// emptyOK: the call asks (through Extra) for an empty string.
		emptyOK bool
	}{
		{
			name: "addSalesLeads: doc example", op: waiqin365.OpAddSalesLeads, answer: okWrite,
			call: func(h *harness) error {
				res, err := h.c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{
					EmpName: "负责人", Code: "code", CusName: "api专用", PoolName: "线索池名称", SourceType: "客户介绍",
					MarketName: "市场活动1", Linkman: "联系人1", MobileCountry: "86", Mobile: "18811111111",
					MobileRepeat: waiqin365.MobileRepeatForbidden, Tel: "02588888888", CustomerClassificationName: "学校",
					Position: "公务员", Detail: "线索详情线索详情", MssProvinceName: "江苏省", MssCityName: "南京市",
					MssAreaName: "建邺区", MssStreetName: "沙洲街道", MarkAddr: "江苏省南京市雨花台区春江路1号肯德基(铁心桥餐厅)",
					Email: "waiqin365@waiqin365.com", Website: "https://api.waiqin365.com/",
					Address: "江苏省南京市雨花台区春江路1号肯德基(铁心桥餐厅)", Latlon: "31.963018601806095,118.76207851993819",
					Exts: docExts,
				})
				if err == nil && res.MsgID != "90b4b267dd3d49aeace879038b1e7291" {
					t.Errorf("MsgID = %q", res.MsgID)
				}
				return err
			},
			want: editJSON(t, fixture(t, "add_sales_leads_request.json"), nil),
		},
		{
			name: "addSalesLeadsForApaas: doc example", op: waiqin365.OpAddSalesLeadsForApaas, answer: okWrite,
			call: func(h *harness) error {
				_, err := h.c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{
					CompanyName: "示例公司", Code: "L90188053235235", SourceType: "客户介绍", CustomerClassificationName: "学校",
					ReturnReason: "原因", InvalidReason: "失效", MarketName: "市场活动名称",
					Mobile: &waiqin365.Mobile{Phone: "18912804466", Code: "86"}, Linkman: "联系人", Telephone: "02588888888",
					Position: "公务员", Detail: "线索详情线索详情", MssCountry: "中国", MssProvince: "江苏省", MssCity: "南京市",
					MssArea: "建邺区", MssStreet: "沙洲街道", MarkAddr: "江苏省南京市雨花台区春江路1号肯德基(铁心桥餐厅)",
					Email: "waiqin365@waiqin365.com", Website: "https://api.waiqin365.com/", Latitude: "31.963018601806095",
					Longitude: "118.76207851993819", Address: "江苏省南京市雨花台区春江路", AllocationStatus: waiqin365.AllocationAssigned,
					SalesleadsStatus: waiqin365.StatusPending, PoolName: "默认线索池", RemovedResult: "暂无", Labels: "示例标签",
					ResponsiblePerson: "负责人ID", CardPhoto: "名片", MobileDuplicate: waiqin365.MobileRepeatAllowed, Exts: apaasExts,
				})
				return err
			},
			want: editJSON(t, fixture(t, "add_sales_leads_for_apaas_request.json"), nil),
		},
		{
			name: "addSalesLeadsForApaas: table spelling remove_result and market_id", op: waiqin365.OpAddSalesLeadsForApaas, answer: okWrite,
			call: func(h *harness) error {
				_, err := h.c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{
					Code: "L1", RemoveResult: "暂无", MarketID: "7715879860058939412", AllocationStatus: "0", PoolName: "默认线索池",
				})
				return err
			},
			want: `{"code":"L1","market_id":"7715879860058939412","allocation_status":"0","pool_name":"默认线索池","remove_result":"暂无"}`,
		},
		{
			name: "modifySalesLeads: doc example, id as the table's VARCHAR", op: waiqin365.OpModifySalesLeads, answer: okWrite,
			call: func(h *harness) error {
				_, err := h.c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{
					ID: "6789690485561771524", Code: "codezs", PoolName: "线索池名称", CusName: "api专用", SourceType: "客户介绍",
					MarketName: "市场活动1", Linkman: "联系人1", MobileCountry: "86", Mobile: "18811111111", Tel: "02588888888",
					CustomerClassificationName: "学校", Position: "公务员", Detail: "线索详情线索详情", MssProvinceName: "江苏省",
					MssCityName: "南京市", MssAreaName: "建邺区", MssStreetName: "沙洲街道", MarkAddr: "南京市铁心桥",
					Email: "waiqin365@waiqin365.com", Website: "https://api.waiqin365.com/",
					Address: "江苏省南京市雨花台区春江路1号肯德基(铁心桥餐厅)", Latlon: "31.963018601806095,118.76207851993819",
					Exts: docExts,
				})
				return err
			},
			want: editJSON(t, fixture(t, "modify_sales_leads_request.json"), func(m map[string]any) {
				m["id"] = "6789690485561771524" // VARCHAR(40) in the table; the example's bare number is not used
			}),
		},
		{
			name: "modifySalesLeadsForApaas: doc example (repaired), id a bare BIGINT", op: waiqin365.OpModifySalesLeadsForApaas, answer: okWrite,
			call: func(h *harness) error {
				_, err := h.c.ModifySalesLeadsForApaas(ctx, &waiqin365.ModifySalesLeadsForApaasRequest{
					ID: "5031887187231707391", CompanyName: "掌控网络", SourceType: "智能拓店", CustomerClassificationName: "运动场馆",
					ReturnReason: "联系不上客户", InvalidReason: "其他", MarketName: "市场活动", Linkman: "张三",
					Mobile: &waiqin365.Mobile{Phone: "15444212232", Code: "86"}, Position: "经理", Detail: "这是一个线索详情",
					MssCountry: "中国", MssProvince: "江苏省", MssCity: "南京", MssArea: "建邺区", MssStreet: "秣陵街道",
					MarkAddress: "江苏省南京市建邺区国家广告产业园", Email: "qince@163.com", Website: "https://qince.com",
					AllocationStatus: "1", SalesleadsStatus: "1", PoolName: "默认线索池", ResponsiblePerson: "5031887187231707391",
					Exts: apaasExts,
				})
				return err
			},
			// The doc example minus its syntax errors and its null/empty
			// values, which the SDK does not send unless asked (Extra).
			want: repairedModifyApaas(t),
		},
		{
			name: "modifySalesLeadsForApaas: example spelling salesleads_label and table labels", op: waiqin365.OpModifySalesLeadsForApaas, answer: okWrite,
			call: func(h *harness) error {
				_, err := h.c.ModifySalesLeadsForApaas(ctx, &waiqin365.ModifySalesLeadsForApaasRequest{
					Code: "L2025040300000568", Labels: "a", SalesleadsLabel: "b", RemovedResult: "r", MarketID: "7715879860058939412",
				})
				return err
			},
			want: `{"code":"L2025040300000568","market_id":"7715879860058939412","removed_result":"r","labels":"a","salesleads_label":"b"}`,
		},
		{
			name: "removeSalesLeads: doc example, reason_id as the table's VARCHAR", op: waiqin365.OpRemoveSalesLeads, answer: okWrite,
			call: func(h *harness) error {
				_, err := h.c.RemoveSalesLeads(ctx, &waiqin365.RemoveSalesLeadsRequest{
					Code: "codezs", EmpID: "5061962864497943367", ReasonID: "1000025", Content: "api删除1342",
				})
				return err
			},
			want: editJSON(t, fixture(t, "remove_sales_leads_request.json"), func(m map[string]any) { m["reason_id"] = "1000025" }),
		},
		{
			name: "removeSalesLeads: reason_id as the example's number through Extra", op: waiqin365.OpRemoveSalesLeads, answer: okWrite,
			call: func(h *harness) error {
				_, err := h.c.RemoveSalesLeads(ctx, &waiqin365.RemoveSalesLeadsRequest{
					Code: "codezs", EmpID: "5061962864497943367", Content: "api删除1342",
					Extra: map[string]any{"reason_id": json.Number("1000025")},
				})
				return err
			},
			want: editJSON(t, fixture(t, "remove_sales_leads_request.json"), nil),
		},
		{
			name: "querySalesLeads: doc example", op: waiqin365.OpQuerySalesLeads, answer: queryAnswer(t, rows),
			call: func(h *harness) error {
				res, err := h.c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{
					Code: "codezs", ID: "5025653528380651509", Linkman: "联系人", Mobile: "18811111111", EmpName: "张三",
					CusName: "线索1", CreateTimeStart: "2020-01-20", CreateTimeEnd: "2020-09-20", SalesleadsStatus: "1",
					Page: 1, PageSize: 10,
				})
				if err == nil {
					require.Len(t, res.Leads, 1)
					assert.Equal(t, waiqin365.ID("6789690485561771524"), res.Leads[0].ID)
					assert.NotEmpty(t, res.MsgID, "msg_id null: the sent msg_id is reported")
				}
				return err
			},
			want: editJSON(t, fixture(t, "query_sales_leads_request.json"), nil),
		},
		{
			name: "querySalesLeadsForApaas: doc example, sort and query_group in the table's list forms", op: waiqin365.OpQuerySalesLeadsForApaas, answer: queryAnswer(t, apaasRows),
			call: func(h *harness) error {
				res, err := h.c.QuerySalesLeadsForApaas(ctx, &waiqin365.QuerySalesLeadsForApaasRequest{
					Code: "codezs", ID: "5025653528380651509", Linkman: "联系人", Mobile: "18811111111", EmpName: "张三",
					CusName: "线索1", CreateTimeStart: "2025-01-20", CreateTimeEnd: "2025-09-20", ModifyTimeStart: "2025-01-20",
					ModifyTimeEnd: "2025-01-21", SalesleadsStatus: "1",
					Sort: []waiqin365.SortSpec{{FieldKey: "create_time", Type: waiqin365.SortAsc}},
					QueryGroup: []waiqin365.QueryGroup{{Connector: "AND",
						Filters: []waiqin365.QueryFilter{{FieldKey: " ", FieldValues: []string{" "}}}}},
					Page: 1, PageSize: 10,
				})
				if err == nil {
					require.Len(t, res.Leads, 1)
					assert.Equal(t, waiqin365.ID("4983449723663499848"), res.Leads[0].ID)
				}
				return err
			},
			want: editJSON(t, fixture(t, "query_sales_leads_for_apaas_request.json"), func(m map[string]any) {
				// The table: sort is a list of {field_key, type}, query_group a
				// list of groups whose filters and field_values are lists; an
				// empty operator is not sent.
				delete(m, "sorts")
				m["sort"] = []any{map[string]any{"field_key": "create_time", "type": "asc"}}
				m["query_group"] = []any{map[string]any{"connector": "AND",
					"filters": []any{map[string]any{"field_key": " ", "field_values": []string{" "}}}}}
			}),
		},
		{
			name: "querySalesLeadsForApaas: doc example verbatim (sorts object, query_group object through Extra)", op: waiqin365.OpQuerySalesLeadsForApaas,
			answer: queryAnswer(t, apaasRows), emptyOK: true,
			call: func(h *harness) error {
				_, err := h.c.QuerySalesLeadsForApaas(ctx, &waiqin365.QuerySalesLeadsForApaasRequest{
					Code: "codezs", ID: "5025653528380651509", Linkman: "联系人", Mobile: "18811111111", EmpName: "张三",
					CusName: "线索1", CreateTimeStart: "2025-01-20", CreateTimeEnd: "2025-09-20", ModifyTimeStart: "2025-01-20",
					ModifyTimeEnd: "2025-01-21", SalesleadsStatus: "1",
					Sorts: &waiqin365.SortSpec{FieldKey: "create_time", Type: waiqin365.SortAsc},
					Page:  1, PageSize: 10,
					Extra: map[string]any{"query_group": map[string]any{"connector": "AND",
						"filters": map[string]any{"field_key": " ", "field_values": " ", "operator": ""}}},
				})
				return err
			},
			want: editJSON(t, fixture(t, "query_sales_leads_for_apaas_request.json"), nil),
		},
		{
			name: "addSalesLeadsForApaas: exts in the table's list form", op: waiqin365.OpAddSalesLeadsForApaas, answer: okWrite,
			call: func(h *harness) error {
				_, err := h.c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{
					Code: "L90188053235235", ExtList: []waiqin365.Ext{{Key: "field_kig9p__cywdzm9", Value: "10000.00"}},
				})
				return err
			},
			want: `{"code":"L90188053235235","exts":[{"salesleads_ext_key":"field_kig9p__cywdzm9","salesleads_ext_value":"10000.00"}]}`,
		},
		{
			name: "modifySalesLeads: exts in the table's map form", op: waiqin365.OpModifySalesLeads, answer: okWrite,
			call: func(h *harness) error {
				_, err := h.c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{
					Code: "codezs", ExtMap: map[string]string{"自定义字段1": "api测试用啊", "自定义字段2": "测试用"},
				})
				return err
			},
			want: `{"code":"codezs","exts":{"自定义字段1":"api测试用啊","自定义字段2":"测试用"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, []step{{200, tt.answer}})
			require.NoError(t, tt.call(h))
			reqs := h.requests()
			if tt.op == waiqin365.OpAddSalesLeadsForApaas {
				// With a code, the create is preceded by the listing of
				// the leads holding it (see AddSalesLeadsForApaas).
				var sent struct{ Code string }
				require.NoError(t, json.Unmarshal([]byte(tt.want), &sent))
				require.Len(t, reqs, 2)
				checkSigned(t, reqs[0], waiqin365.OpQuerySalesLeadsForApaas)
				assert.JSONEq(t, `{"code":"`+sent.Code+`","page":1,"pageSize":1000}`, string(reqs[0].Body))
				reqs = reqs[1:]
			}
			require.Len(t, reqs, 1)
			checkSigned(t, reqs[0], tt.op)
			assert.JSONEq(t, tt.want, string(reqs[0].Body))
			assert.NotContains(t, string(reqs[0].Body), ":null", "unset fields are omitted")
			if !tt.emptyOK {
				assert.NotContains(t, string(reqs[0].Body), `:""`, "empty strings are never sent unless asked")
			}
			testkit.NoSecrets(t, h.logs.String(), h.secrets()...)
		})
	}
}

func repairedModifyApaas(t *testing.T) string {
	raw := string(fixture(t, "modify_sales_leads_for_apaas_request.txt"))
	raw = strings.Replace(raw, `"responsible_person: "`, `"responsible_person": "`, 1)
	raw = strings.Replace(raw, `"exts:{`, `"exts":{`, 1)
	return editJSON(t, []byte(raw), func(m map[string]any) {
		for _, k := range []string{"telephone", "removed_result", "salesleads_label", "card_photo"} {
			delete(m, k) // "" or null in the example
		}
	})
}

func TestNullsAndEmptyStringsOnlyThroughExtra(t *testing.T) {
	t.Parallel()
	h := newHarness(t, []step{{200, okWrite}})
	_, err := h.c.ModifySalesLeadsForApaas(ctx, &waiqin365.ModifySalesLeadsForApaasRequest{
		ID:    "5031887187231707391",
		Extra: map[string]any{"telephone": "", "card_photo": nil, "zz_raw": json.RawMessage(`{"a":[1,2]}`)},
	})
	require.NoError(t, err)
	assert.Equal(t, `{"id":5031887187231707391,"card_photo":null,"telephone":"","zz_raw":{"a":[1,2]}}`, string(h.requests()[0].Body),
		"typed fields first, then Extra keys sorted; the id keeps all 19 digits")
}

func TestNoParameterCallSendsEmptyObject(t *testing.T) {
	t.Parallel()
	h := newHarness(t, []step{{200, okWrite}})
	require.NoError(t, h.c.Do(ctx, "", "/api/salesleads/v1/someOperation", nil, nil))
	require.NoError(t, h.c.Do(ctx, "", "/api/salesleads/v1/someOperation", json.RawMessage(`null`), nil))
	for _, r := range h.requests() {
		assert.Equal(t, "{}", string(r.Body))
		checkSigned(t, r, "someOperation")
	}
}

func TestQueryResponseDataShapes(t *testing.T) {
	t.Parallel()
	row := `{"id":"6789690485561771524","code":"c1","labels":[],"exts":[]}`
	tests := []struct {
		name     string
		data     string // the response_data JSON value
		wantRows int
		wantErr  error
	}{
		{"JSON string holding an array (documented)", mustQuote(t, "["+row+"]"), 1, nil},
		{"plain array", "[" + row + "," + row + "]", 2, nil},
		{"object with rows", `{"rows":[` + row + `]}`, 1, nil},
		{"string holding an object with rows", mustQuote(t, `{"rows":[`+row+`],"total":1}`), 1, nil},
		{"null", "null", 0, nil},
		{"empty string", `""`, 0, nil},
		{"empty array string", `"[]"`, 0, nil},
		{"string that is not JSON", `"<<DATA>>"`, 0, waiqin365.ErrBadResponse},
		{"number", `42`, 0, waiqin365.ErrBadResponse},
		{"object without rows", `{"total":1}`, 0, waiqin365.ErrBadResponse},
		{"rows of the wrong type", `[1,2]`, 0, waiqin365.ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, []step{{200, `{"return_code":"0","return_msg":null,"msg_id":null,"response_data":` + tt.data + `}`}})
			res, err := h.c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "c1"})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.NotErrorIs(t, err, waiqin365.ErrAmbiguous)
				assert.Len(t, h.requests(), 1, "a malformed answer is not retried")
				return
			}
			require.NoError(t, err)
			assert.Len(t, res.Leads, tt.wantRows)
		})
	}
}

func mustQuote(t *testing.T, s string) string {
	b, err := json.Marshal(s)
	require.NoError(t, err)
	return string(b)
}

func TestQuerySalesLeadsDecodesEverySeedField(t *testing.T) {
	t.Parallel()
	h := newHarness(t, []step{{200, queryAnswer(t, fixture(t, "query_sales_leads_rows.json"))}})
	res, err := h.c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "codezs"})
	require.NoError(t, err)
	require.Len(t, res.Leads, 1)
	l := res.Leads[0]
	want := waiqin365.SalesLead{
		ID: "6789690485561771524", CusName: "api专用", Code: "", SourceTypeName: "客户介绍", MarketName: "市场活动1",
		Linkman: "联系人1", MobileCountry: "86", Mobile: "18811111111", Tel: "02588888888", Position: "公务员", Detail: "线索详情",
		MssProvince: "江苏省", MssCity: "南京市", MssArea: "雨花台区", MssStreet: "",
		MarkAddr: "江苏省南京市雨花台区春江路1号肯德基(铁心桥餐厅)详细地址", Email: "waiqin365@waiqin365.com",
		Website: "https://api.waiqin365.com/", EmpName: "李四", StatusValue: "跟进", EmpIDStr: "5025653528380651509",
		CreateTime: "2020-07-25 14:45", OwnerChangeTime: "2020-07-27 17:10", Result: "跟进内容", DisableReasonName: "线索重复2",
		DisableReasonExt: "误操作重复导入了", CreatorName: "系统", FollowName: "张三", FollowTime: "2020-07-27 19:43",
		ModifyierName: "张三", TransfTime: "", ModifyTime: "2020-07-27 19:42", PoolName: "", DistributionName: "",
		DistributionTakeTime: "", ReturnReasonName: "", DeleteReasonName: "客户暂无需求", DeleteReasonExt: "录制错误了",
		CustomerClassificationName: "学校", CmCode: "CUS000044", CmName: "已转换客户名称",
		Labels: []waiqin365.Label{{SalesleadsID: "6789690485561771524", Color: "#cc0000", Name: "重复",
			RuleDescription: "新增、编辑线索时根据设置的查重条件检查当前线索是否与系统内已存在的线索重复,如果重复则打上此标签", ID: "1", Status: "1"}},
		Exts: []waiqin365.LeadExt{{ExtColumn: "ext_2206290023", ExtKey: "数值111", ExtValue: "10"}},
	}
	assert.Equal(t, want, l)
	created, err := waiqin365.ParseTime(l.CreateTime)
	require.NoError(t, err)
	assert.Equal(t, "2020-07-25T14:45:00+08:00", created.Format("2006-01-02T15:04:05Z07:00"))
}

func TestNineteenDigitIDsStayExact(t *testing.T) {
	t.Parallel()
	const id = "9223372036854775807" // int64 max; float64 would give ...5808
	// The row's id arrives as a bare number here, beyond 2^53.
	rows := `[{"id":` + id + `,"emp_id_str":6789690485561771524,"labels":[{"salesleads_id":` + id + `,"id":1}],"exts":[]}]`
	h := newHarness(t, []step{{200, `{"return_code":"0","response_data":` + mustQuote(t, rows) + `}`}, {200, okWrite}})
	res, err := h.c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{ID: id})
	require.NoError(t, err)
	got := res.Leads[0]
	assert.Equal(t, waiqin365.ID(id), got.ID)
	assert.Equal(t, waiqin365.ID("6789690485561771524"), got.EmpIDStr)
	assert.Equal(t, waiqin365.ID(id), got.Labels[0].SalesleadsID)
	_, err = h.c.ModifySalesLeadsForApaas(ctx, &waiqin365.ModifySalesLeadsForApaasRequest{ID: waiqin365.NumericID(got.ID)})
	require.NoError(t, err)
	reqs := h.requests()
	assert.Equal(t, `{"id":"`+id+`"}`, string(reqs[0].Body), "query ids are sent as strings")
	assert.Equal(t, `{"id":`+id+`}`, string(reqs[1].Body), "the BIGINT id is a bare number with every digit")
}

func TestExtraMerging(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		req     *waiqin365.AddSalesLeadsRequest
		want    string
		wantErr bool
	}{
		{"no extra", &waiqin365.AddSalesLeadsRequest{PoolName: "p"}, `{"poolName":"p"}`, false},
		{"extra sorted after typed fields", &waiqin365.AddSalesLeadsRequest{PoolName: "p", Extra: map[string]any{"z": 1, "a": "<&>"}},
			`{"poolName":"p","a":"<&>","z":1}`, false},
		{"extra satisfies the owner rule", &waiqin365.AddSalesLeadsRequest{Extra: map[string]any{"empName": "张三"}}, `{"empName":"张三"}`, false},
		{"extra repeating a set field", &waiqin365.AddSalesLeadsRequest{PoolName: "p", Extra: map[string]any{"poolName": "q"}}, "", true},
		{"extra with an empty key", &waiqin365.AddSalesLeadsRequest{PoolName: "p", Extra: map[string]any{"": 1}}, "", true},
		{"extra that cannot be marshalled", &waiqin365.AddSalesLeadsRequest{PoolName: "p", Extra: map[string]any{"f": func() {}}}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, []step{{200, okWrite}})
			_, err := h.c.AddSalesLeads(ctx, tt.req)
			if tt.wantErr {
				require.ErrorIs(t, err, waiqin365.ErrInvalidParam)
				assert.Empty(t, h.requests())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(h.requests()[0].Body))
		})
	}
}

func TestAllSalesLeadsPages(t *testing.T) {
	t.Parallel()
	page := func(ids ...string) step {
		var b bytes.Buffer
		b.WriteByte('[')
		for i, id := range ids {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"id":"` + id + `","code":"c` + id + `"}`)
		}
		b.WriteByte(']')
		return step{200, `{"return_code":"0","response_data":` + mustQuote(t, b.String()) + `}`}
	}
	tests := []struct {
		name      string
		steps     []step
		pageSize  int
		stopAfter int
		wantIDs   []string
		wantReqs  int
		wantErr   error
		wantCode  string
	}{
		{"short last page", []step{page("1", "2"), page("3")}, 2, 0, []string{"1", "2", "3"}, 2, nil, ""},
		{"empty last page", []step{page("1", "2"), page()}, 2, 0, []string{"1", "2"}, 2, nil, ""},
		{"caller stops", []step{page("1", "2"), page("3", "4")}, 2, 3, []string{"1", "2", "3"}, 2, nil, ""},
		{"error yielded once", []step{page("1", "2"), {200, `{"return_code":"1","return_msg":"失败"}`}}, 2, 0, []string{"1", "2"}, 2, nil, "1"},
		{"server ignoring page", []step{page("1", "2")}, 2, 0, []string{"1", "2"}, 2, waiqin365.ErrBadResponse, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.steps)
			var ids []string
			var errs []error
			for l, err := range h.c.AllSalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{EmpName: "张三", PageSize: tt.pageSize}) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				ids = append(ids, string(l.ID))
				if tt.stopAfter > 0 && len(ids) == tt.stopAfter {
					break
				}
			}
			assert.Equal(t, tt.wantIDs, ids)
			reqs := h.requests()
			assert.Len(t, reqs, tt.wantReqs)
			for i, r := range reqs {
				var body struct{ Page, PageSize int }
				require.NoError(t, json.Unmarshal(r.Body, &body))
				assert.Equal(t, i+1, body.Page)
				assert.Equal(t, tt.pageSize, body.PageSize)
			}
			switch {
			case tt.wantCode != "":
				require.Len(t, errs, 1)
				var apiErr *waiqin365.APIError
				require.ErrorAs(t, errs[0], &apiErr)
				assert.Equal(t, tt.wantCode, apiErr.Code)
			case tt.wantErr != nil:
				require.Len(t, errs, 1)
				assert.ErrorIs(t, errs[0], tt.wantErr)
			default:
				assert.Empty(t, errs)
			}
		})
	}
}

func TestAllSalesLeadsDefaultsAndValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, []step{{200, `{"return_code":"0","response_data":"[]"}`}})
	n := 0
	for _, err := range h.c.AllSalesLeadsForApaas(ctx, &waiqin365.QuerySalesLeadsForApaasRequest{Code: "x"}) {
		require.NoError(t, err)
		n++
	}
	assert.Zero(t, n)
	assert.JSONEq(t, `{"code":"x","page":1,"pageSize":1000}`, string(h.requests()[0].Body), "the documented default page size is sent explicitly")

	for _, err := range h.c.AllSalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{}) {
		require.ErrorIs(t, err, waiqin365.ErrInvalidParam)
		n++
	}
	assert.Equal(t, 1, n, "the validation error is yielded once")
	assert.Len(t, h.requests(), 1)
}

// TestResponseDataBothForms: response_data as JSON decodes straight into
// the result, and as a JSON string its contents do, for typed queries and
// for Do alike.
func TestResponseDataBothForms(t *testing.T) {
	t.Parallel()
	rows := `[{"id":"6789690485561771524","code":"c1","exts":[{"ext_key":"k","ext_value":12.50,"ext_column":"ext_1"}]}]`
	for _, data := range []string{rows, mustQuote(t, rows)} {
		h := newHarness(t, []step{{200, `{"return_code":"0","return_msg":null,"msg_id":"m","response_data":` + data + `}`}})
		page, err := h.c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "c1"})
		require.NoError(t, err, data)
		require.Len(t, page.Leads, 1)
		assert.Equal(t, waiqin365.ID("6789690485561771524"), page.Leads[0].ID)
		assert.Equal(t, waiqin365.String("12.50"), page.Leads[0].Exts[0].ExtValue)
		assert.Equal(t, "m", page.MsgID)

		var raw json.RawMessage
		require.NoError(t, h.c.Do(ctx, "", "/api/salesleads/v1/querySalesLeads", map[string]string{"code": "c1"}, &raw))
		assert.JSONEq(t, rows, string(raw), "the inner JSON, whatever the form")
		var generic []map[string]any
		require.NoError(t, h.c.Do(ctx, "", "/api/salesleads/v1/querySalesLeads", map[string]string{"code": "c1"}, &generic))
		assert.Equal(t, json.Number("12.50"), generic[0]["exts"].([]any)[0].(map[string]any)["ext_value"])
	}
}
