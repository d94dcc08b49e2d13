package wshoto

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

const okTrue = `{"code":0,"msg":"请求成功","data":true}`

// seedEditRequest sets every field of the seed's example.
func seedEditRequest() *EditClueRequest {
	return &EditClueRequest{
		ClueID: "1591005521987920962", ClueName: "线索1", CluePoolID: "1591005280874161218",
		FollowUserID: "wovvCXcAAAT_dzekbq54K27FeMRBQJ2Q", UserID: "wovvCXcAAAT_dzekbq48K27FeMRBQJ1Q",
		ApplyClueName: true,
		ClueCorpName:  Ptr("企业"), Label: Ptr("BQ"), Gender: Ptr(GenderFemale), Birthday: Ptr(time.UnixMilli(1638720000000)),
		Email: Ptr("copr@email.com"), Area: Ptr("区域"), AreaCode: Ptr("354271"), Remark: Ptr("描述"), WorkID: Ptr(200),
		CoopModeType: Ptr("1"), Uin: Ptr(""), EncryptFlag: Ptr(EncryptNo), FieldMap: map[string]any{"customField": "自定义字段"},
		Address: Ptr("详细地址"), BusinessTagIDs: Ptr("wfhsdihfsd,wsifhwefosdhfd"),
	}
}

func TestEditClueSeedExample(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.reply("/openapi/crm/clue/edit", fixture(t, "edit_clue_response.json"))
	res, err := h.c.EditClue(ctx(t), seedEditRequest())
	require.NoError(t, err)
	// As the seed example, except: birthday in seconds (the table's unit),
	// and update_specified_fields listing exactly the keys sent.
	want := `{"clue_id":1591005521987920962,"clue_name":"线索1","clue_corp_name":"企业","clue_pool_id":1591005280874161218,` +
		`"follow_user_id":"wovvCXcAAAT_dzekbq54K27FeMRBQJ2Q","label":"BQ","gender":"1","birthday":1638720000,"email":"copr@email.com",` +
		`"area":"区域","area_code":"354271","remark":"描述","work_id":200,"coop_mode_type":"1","user_id":"wovvCXcAAAT_dzekbq48K27FeMRBQJ1Q",` +
		`"uin":"","encrypt_flag":0,"field_map":{"customField":"自定义字段"},"address":"详细地址","business_tag_ids":"wfhsdihfsd,wsifhwefosdhfd",` +
		`"update_specified_fields":["clue_name","clue_corp_name","label","gender","birthday","email","area","area_code","remark","work_id",` +
		`"coop_mode_type","uin","encrypt_flag","address","business_tag_ids","customField"]}`
	checkOne(t, rec, "/openapi/crm/clue/edit", want)
	assert.Equal(t, []string{"clue_name", "clue_corp_name", "label", "gender", "birthday", "email", "area", "area_code", "remark", "work_id",
		"coop_mode_type", "uin", "encrypt_flag", "address", "business_tag_ids", "customField"}, res.Fields)
}

// TestEditClueTypesEverySeedField: every key of the seed (the example and
// the table's access_customer_channel) is a typed field.
func TestEditClueTypesEverySeedField(t *testing.T) {
	t.Parallel()
	var seed map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(fixture(t, "edit_clue_request.json")), &seed))
	seed["access_customer_channel"] = nil
	req := seedEditRequest()
	req.AccessCustomerChannel = Ptr("一级-二级-三级")
	w, err := req.wire()
	require.NoError(t, err)
	b, err := flex.Marshal(w)
	require.NoError(t, err)
	var got map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &got))
	assert.ElementsMatch(t, keys(seed), keys(got))
	assert.Equal(t, `"一级-二级-三级"`, string(got["access_customer_channel"]))
}

func keys(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestEditClueUpdateSpecifiedFields(t *testing.T) {
	t.Parallel()
	const req = `"clue_id":1591005521987920962,"clue_name":"线索1","clue_pool_id":1591005280874161218,"follow_user_id":"f1"`
	base := func() EditClueRequest {
		return EditClueRequest{ClueID: "1591005521987920962", ClueName: "线索1", CluePoolID: "1591005280874161218", FollowUserID: "f1", UserID: "u1"}
	}
	tests := []struct {
		name string
		mod  func(r *EditClueRequest)
		want string
	}{
		{"rename only: clue_name listed", func(r *EditClueRequest) { r.ApplyClueName = true },
			`{` + req + `,"user_id":"u1","update_specified_fields":["clue_name"]}`},
		{"one field: only it is sent and listed", func(r *EditClueRequest) { r.Remark = Ptr("回访过") },
			`{` + req + `,"remark":"回访过","user_id":"u1","update_specified_fields":["remark"]}`},
		{"clear on purpose with an empty string", func(r *EditClueRequest) { r.ClueCorpName = Ptr("") },
			`{"clue_id":1591005521987920962,"clue_name":"线索1","clue_corp_name":"","clue_pool_id":1591005280874161218,"follow_user_id":"f1","user_id":"u1","update_specified_fields":["clue_corp_name"]}`},
		{"clear birthday with the zero time", func(r *EditClueRequest) { r.Birthday = Ptr(time.Time{}) },
			`{` + req + `,"birthday":null,"user_id":"u1","update_specified_fields":["birthday"]}`},
		{"birthday sent in seconds", func(r *EditClueRequest) { r.Birthday = Ptr(time.Unix(1285904160, 0).In(CST)) },
			`{` + req + `,"birthday":1285904160,"user_id":"u1","update_specified_fields":["birthday"]}`},
		{"birthday sent in milliseconds on request", func(r *EditClueRequest) {
			r.Birthday, r.BirthdayInMillis = Ptr(time.UnixMilli(1638720000000)), true
		}, `{` + req + `,"birthday":1638720000000,"user_id":"u1","update_specified_fields":["birthday"]}`},
		{"clear birthday in milliseconds mode: still null", func(r *EditClueRequest) { r.Birthday, r.BirthdayInMillis = Ptr(time.Time{}), true },
			`{` + req + `,"birthday":null,"user_id":"u1","update_specified_fields":["birthday"]}`},
		{"BirthdayInMillis alone changes nothing: refused as empty", nil, ""},
		{"custom fields only, sorted", func(r *EditClueRequest) {
			r.FieldMap = map[string]any{"mf_clue_2": []string{"1", "2"}, "mf_clue_1": "3234", "aaa": 123465}
		}, `{` + req + `,"user_id":"u1","field_map":{"aaa":123465,"mf_clue_1":"3234","mf_clue_2":["1","2"]},"update_specified_fields":["aaa","mf_clue_1","mf_clue_2"]}`},
		{"vendor example: clue_name and mf_clue_1", func(r *EditClueRequest) {
			r.ApplyClueName = true
			r.FieldMap = map[string]any{"mf_clue_1": "x"}
		}, `{` + req + `,"user_id":"u1","field_map":{"mf_clue_1":"x"},"update_specified_fields":["clue_name","mf_clue_1"]}`},
		{"apply required fields", func(r *EditClueRequest) { r.ApplyFollowUserID, r.ApplyCluePoolID = true, true },
			`{` + req + `,"user_id":"u1","update_specified_fields":["clue_pool_id","follow_user_id"]}`},
		{"zero ints are sent when set", func(r *EditClueRequest) { r.WorkID, r.EncryptFlag = Ptr(0), Ptr(EncryptNo) },
			`{` + req + `,"work_id":0,"user_id":"u1","encrypt_flag":0,"update_specified_fields":["work_id","encrypt_flag"]}`},
		{"clear work_id", func(r *EditClueRequest) { r.ClearWorkID = true },
			`{` + req + `,"work_id":null,"user_id":"u1","update_specified_fields":["work_id"]}`},
		{"clear encrypt_flag", func(r *EditClueRequest) { r.ClearEncryptFlag = true },
			`{` + req + `,"user_id":"u1","encrypt_flag":null,"update_specified_fields":["encrypt_flag"]}`},
		{"clear both, set another", func(r *EditClueRequest) { r.ClearWorkID, r.ClearEncryptFlag, r.Uin = true, true, Ptr("u") },
			`{` + req + `,"work_id":null,"user_id":"u1","uin":"u","encrypt_flag":null,"update_specified_fields":["work_id","uin","encrypt_flag"]}`},
		{"clear gender", func(r *EditClueRequest) { r.Gender = Ptr("") },
			`{` + req + `,"gender":"","user_id":"u1","update_specified_fields":["gender"]}`},
		{"html characters kept", func(r *EditClueRequest) { r.Remark = Ptr("<a&b>") },
			`{` + req + `,"remark":"<a&b>","user_id":"u1","update_specified_fields":["remark"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			rec := h.reply("/openapi/crm/clue/edit", okTrue)
			r := base()
			if tt.mod == nil {
				r.BirthdayInMillis = true
				_, err := h.c.EditClue(ctx(t), &r)
				require.ErrorIs(t, err, ErrInvalidParam)
				assert.Empty(t, rec.all())
				return
			}
			tt.mod(&r)
			res, err := h.c.EditClue(ctx(t), &r)
			require.NoError(t, err)
			checkOne(t, rec, "/openapi/crm/clue/edit", tt.want)
			var sent struct {
				Fields []string `json:"update_specified_fields"`
			}
			require.NoError(t, json.Unmarshal([]byte(rec.all()[0].Body), &sent))
			assert.NotEmpty(t, sent.Fields, "update_specified_fields is never empty")
			assert.Equal(t, sent.Fields, res.Fields, "the result lists the keys sent")
		})
	}
}

// TestEditClueListsExactlyTheSentOptionalKeys checks every optional field in
// isolation: it is sent and listed when set, absent and unlisted when nil.
func TestEditClueListsExactlyTheSentOptionalKeys(t *testing.T) {
	t.Parallel()
	setters := map[string]func(r *EditClueRequest){
		FieldClueCorpName: func(r *EditClueRequest) { r.ClueCorpName = Ptr("x") },
		FieldLabel:        func(r *EditClueRequest) { r.Label = Ptr("x") },
		FieldGender:       func(r *EditClueRequest) { r.Gender = Ptr("0") },
		FieldBirthday:     func(r *EditClueRequest) { r.Birthday = Ptr(time.Unix(1, 0)) },
		FieldEmail:        func(r *EditClueRequest) { r.Email = Ptr("x") },
		FieldArea:         func(r *EditClueRequest) { r.Area = Ptr("x") },
		FieldAreaCode:     func(r *EditClueRequest) { r.AreaCode = Ptr("x") },
		FieldAccessCustomerChannel: func(r *EditClueRequest) {
			r.AccessCustomerChannel = Ptr("x")
		},
		FieldRemark:                 func(r *EditClueRequest) { r.Remark = Ptr("x") },
		FieldWorkID:                 func(r *EditClueRequest) { r.WorkID = Ptr(1) },
		"clear " + FieldWorkID:      func(r *EditClueRequest) { r.ClearWorkID = true },
		FieldCoopModeType:           func(r *EditClueRequest) { r.CoopModeType = Ptr("1") },
		FieldUin:                    func(r *EditClueRequest) { r.Uin = Ptr("x") },
		FieldEncryptFlag:            func(r *EditClueRequest) { r.EncryptFlag = Ptr(1) },
		"clear " + FieldEncryptFlag: func(r *EditClueRequest) { r.ClearEncryptFlag = true },
		FieldAddress:                func(r *EditClueRequest) { r.Address = Ptr("x") },
		FieldBusinessTagIDs:         func(r *EditClueRequest) { r.BusinessTagIDs = Ptr("x") },
	}
	for key, set := range setters {
		r := EditClueRequest{ClueID: "1", ClueName: "n", CluePoolID: "2", FollowUserID: "f", UserID: "u"}
		set(&r)
		w, err := r.wire()
		require.NoError(t, err)
		b, err := flex.Marshal(w)
		require.NoError(t, err)
		var got map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(b, &got))
		field := strings.TrimPrefix(key, "clear ")
		assert.Equal(t, []string{field}, w.UpdateSpecifiedFields, key)
		for other := range setters {
			if strings.HasPrefix(other, "clear ") {
				continue
			}
			_, present := got[other]
			assert.Equal(t, other == field, present, "%s set: %s present=%v", key, other, present)
		}
		assert.NotContains(t, got, "field_map")
	}
}

func TestEditClueValidation(t *testing.T) {
	t.Parallel()
	valid := func() *EditClueRequest {
		return &EditClueRequest{ClueID: "1591005521987920962", ClueName: "n", CluePoolID: "1591005280874161218", FollowUserID: "f", UserID: "u", Remark: Ptr("r")}
	}
	tests := []struct {
		name string
		mod  func(r *EditClueRequest) *EditClueRequest
	}{
		{"nil request", func(*EditClueRequest) *EditClueRequest { return nil }},
		{"nothing to edit (would clear every field)", func(r *EditClueRequest) *EditClueRequest { r.Remark = nil; return r }},
		{"no clue_id", func(r *EditClueRequest) *EditClueRequest { r.ClueID = ""; return r }},
		{"clue_id not an integer", func(r *EditClueRequest) *EditClueRequest { r.ClueID = "12a"; return r }},
		{"clue_id float", func(r *EditClueRequest) *EditClueRequest { r.ClueID = "1.5e18"; return r }},
		{"no clue_name", func(r *EditClueRequest) *EditClueRequest { r.ClueName = ""; return r }},
		{"no clue_pool_id", func(r *EditClueRequest) *EditClueRequest { r.CluePoolID = ""; return r }},
		{"no follow_user_id", func(r *EditClueRequest) *EditClueRequest { r.FollowUserID = ""; return r }},
		{"no user_id", func(r *EditClueRequest) *EditClueRequest { r.UserID = ""; return r }},
		{"gender label", func(r *EditClueRequest) *EditClueRequest { r.Gender = Ptr("男"); return r }},
		{"encrypt flag 2", func(r *EditClueRequest) *EditClueRequest { r.EncryptFlag = Ptr(2); return r }},
		{"work_id set and cleared", func(r *EditClueRequest) *EditClueRequest { r.WorkID, r.ClearWorkID = Ptr(1), true; return r }},
		{"encrypt_flag set and cleared", func(r *EditClueRequest) *EditClueRequest {
			r.EncryptFlag, r.ClearEncryptFlag = Ptr(EncryptYes), true
			return r
		}},
		{"field_map standard key", func(r *EditClueRequest) *EditClueRequest { r.FieldMap = map[string]any{"remark": "x"}; return r }},
		{"field_map empty key", func(r *EditClueRequest) *EditClueRequest { r.FieldMap = map[string]any{"": "x"}; return r }},
		{"field_map unencodable", func(r *EditClueRequest) *EditClueRequest { r.FieldMap = map[string]any{"mf": make(chan int)}; return r }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			res, err := h.c.EditClue(ctx(t), tt.mod(valid()))
			require.ErrorIs(t, err, ErrInvalidParam)
			assert.Nil(t, res)
			assert.Zero(t, h.tr.GetTotalCallCount(), "validated before any network call")
		})
	}
}

func TestEditClueDataFalse(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.reply("/openapi/crm/clue/edit", `{"code":0,"msg":"请求成功","data":false}`)
	res, err := h.c.EditClue(ctx(t), &EditClueRequest{ClueID: "1", ClueName: "n", CluePoolID: "2", FollowUserID: "f", UserID: "u", Remark: Ptr("x")})
	assert.Nil(t, res)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "data=false")
}

func TestListCluesDocExample(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.reply("/openapi/crm/clue/page", fixture(t, "clue_page_response.json"))
	page, err := h.c.ListClues(ctx(t), &ListCluesRequest{
		StartTime: time.UnixMilli(1638785104000), EndTime: time.UnixMilli(1638785104000), CurrentIndex: 1, PageSize: 10,
		States: []ClueState{ClueStateToBeAdded, ClueStateAwaitingApproval}, CluePoolIDs: []NumericID{"1522843564091630593"},
		TagRelationType: TagRelationAny, TagIDs: "etvvCXcAAAZHYVzWCdeCCnTcIM2vtRPw",
	})
	require.NoError(t, err)
	// The doc example minus its empty follow_user_id (zero values are not sent).
	checkOne(t, rec, "/openapi/crm/clue/page", `{"start_time":1638785104000,"end_time":1638785104000,"current_index":1,"page_size":10,`+
		`"states":[1,2],"clue_pool_ids":[1522843564091630593],"tag_relation_type":1,"tag_ids":"etvvCXcAAAZHYVzWCdeCCnTcIM2vtRPw"}`)
	assert.Equal(t, 1, page.CurrentIndex)
	assert.Zero(t, page.NextIndex, "1 clue on a page of 10: the last page")
	assert.Zero(t, page.Total, "clue/page sends no total")
	clues := page.Records
	require.Len(t, clues, 1)
	c := clues[0]
	assert.Equal(t, NumericID("1539169150405479425"), c.ClueID, "19 digits exact")
	assert.Equal(t, NumericID("1522843564091630593"), c.CluePoolID)
	assert.Equal(t, "黄杉少女", c.ClueName)
	assert.Equal(t, Text("15827238888"), c.MobilePhone)
	assert.Equal(t, []Tag{{ID: "etvvCXcAAAZHYVzWCdeCCnTcIM2vtRPw", Name: "小学"}}, c.TagList, "tagId/tagName")
	assert.Equal(t, ClueStateToBeAdded, c.State)
	assert.Equal(t, "这是描述", c.Description)
	assert.Equal(t, "", c.RecoveryRemark, "null")
	assert.Equal(t, "1", c.RecoveryRemarkType)
	assert.Equal(t, "用户填写的退回原因文本内容", c.RecoveryRemarkInputText)
	assert.Equal(t, time.Unix(1655801496, 0).In(CST), c.GmtCreate.Time(), "seconds")
	assert.Equal(t, "3234", c.FieldMap["mf_clue_1"])
	opts, ok := c.FieldMap["mf_clue_52"].([]any)
	require.True(t, ok)
	assert.Equal(t, "1539179902926138370", opts[0].(map[string]any)["id"])
}

func TestListCluesDefaults(t *testing.T) {
	t.Parallel()
	for _, req := range []*ListCluesRequest{nil, {}} {
		h := newHarness(t)
		rec := h.reply("/openapi/crm/clue/page", `{"code":0,"data":[]}`)
		page, err := h.c.ListClues(ctx(t), req)
		require.NoError(t, err)
		assert.Empty(t, page.Records)
		assert.Equal(t, 1, page.CurrentIndex)
		assert.Zero(t, page.NextIndex)
		checkOne(t, rec, "/openapi/crm/clue/page", `{"current_index":1,"page_size":20}`)
	}
}

func TestListCluesAcceptsPagedObject(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.reply("/openapi/crm/clue/page", `{"code":0,"data":{"total":1,"records":[{"clue_id":"1539169150405479425","state":"2","gmt_create":1655801496000}]}}`)
	page, err := h.c.ListClues(ctx(t), nil)
	require.NoError(t, err)
	clues := page.Records
	require.Len(t, clues, 1)
	assert.Equal(t, int64(1), page.Total)
	assert.Equal(t, NumericID("1539169150405479425"), clues[0].ClueID)
	assert.Equal(t, ClueStateAwaitingApproval, clues[0].State)
	assert.Equal(t, time.Unix(1655801496, 0).In(CST), clues[0].GmtCreate.Time(), "ms above 1e12")
}

func TestListCluesValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  *ListCluesRequest
	}{
		{"page_size over 100", &ListCluesRequest{PageSize: 101}},
		{"negative page_size", &ListCluesRequest{PageSize: -1}},
		{"negative index", &ListCluesRequest{CurrentIndex: -1}},
		{"unknown state", &ListCluesRequest{States: []ClueState{6}}},
		{"tag relation 4", &ListCluesRequest{TagRelationType: 4}},
		{"end before start", &ListCluesRequest{StartTime: time.Unix(10, 0), EndTime: time.Unix(5, 0)}},
		{"bad pool id", &ListCluesRequest{CluePoolIDs: []NumericID{"x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			_, err := h.c.ListClues(ctx(t), tt.req)
			require.ErrorIs(t, err, ErrInvalidParam)
			assert.Zero(t, h.tr.GetTotalCallCount())
		})
	}
}

// pagedClues answers clue/page from n clues.
func pagedClues(t *testing.T, h *harness, n int) *recorder {
	return h.on(http.MethodPost, "/openapi/crm/clue/page", func(s seen) (int, string) {
		var req struct {
			CurrentIndex int `json:"current_index"`
			PageSize     int `json:"page_size"`
		}
		require.NoError(t, json.Unmarshal([]byte(s.Body), &req))
		var items []string
		for i := (req.CurrentIndex - 1) * req.PageSize; i < min(n, req.CurrentIndex*req.PageSize); i++ {
			items = append(items, fmt.Sprintf(`{"clue_id":%d}`, int64(1591005521987920962)+int64(i)))
		}
		return 200, `{"code":0,"data":[` + strings.Join(items, ",") + `]}`
	})
}

func collect[T any](t *testing.T, seq iter.Seq2[T, error], limit int) ([]T, error) {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

func TestAllClues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		total     int
		req       *ListCluesRequest
		limit     int
		wantItems int
		wantPages []int
	}{
		{"three pages", 250, nil, -1, 250, []int{1, 2, 3}},
		{"exact multiple ends with an empty page", 200, nil, -1, 200, []int{1, 2, 3}},
		{"empty", 0, nil, -1, 0, []int{1}},
		{"custom page size and start", 25, &ListCluesRequest{PageSize: 10, CurrentIndex: 2}, -1, 15, []int{2, 3}},
		{"caller stops early", 250, nil, 5, 5, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			rec := pagedClues(t, h, tt.total)
			got, err := collect(t, h.c.AllClues(ctx(t), tt.req), tt.limit)
			require.NoError(t, err)
			assert.Len(t, got, tt.wantItems)
			var pages []int
			for _, r := range rec.all() {
				var req struct {
					CurrentIndex int `json:"current_index"`
				}
				require.NoError(t, json.Unmarshal([]byte(r.Body), &req))
				pages = append(pages, req.CurrentIndex)
			}
			assert.Equal(t, tt.wantPages, pages)
			if tt.req == nil && len(got) > 1 {
				assert.Equal(t, NumericID("1591005521987920963"), got[1].ClueID)
			}
		})
	}
}

func TestAllCluesErrors(t *testing.T) {
	t.Parallel()
	t.Run("error yielded once", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		n := 0
		h.on(http.MethodPost, "/openapi/crm/clue/page", func(s seen) (int, string) {
			n++
			if n == 2 {
				return 200, `{"code":500,"msg":"系统繁忙"}`
			}
			items := make([]string, 100)
			for i := range items {
				items[i] = `{"clue_id":` + strconv.Itoa(n*1000+i) + `}`
			}
			return 200, `{"code":0,"data":[` + strings.Join(items, ",") + `]}`
		})
		var errs, items int
		for _, err := range h.c.AllClues(ctx(t), nil) {
			if err != nil {
				errs++
				continue
			}
			items++
		}
		assert.Equal(t, 1, errs)
		assert.Equal(t, 100, items)
	})
	t.Run("paging that does not advance", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.on(http.MethodPost, "/openapi/crm/clue/page", func(s seen) (int, string) {
			return 200, `{"code":0,"data":[{"clue_id":1},{"clue_id":2}]}`
		})
		_, err := collect(t, h.c.AllClues(ctx(t), &ListCluesRequest{PageSize: 2}), -1)
		require.ErrorIs(t, err, ErrBadResponse)
	})
	t.Run("validation", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		_, err := collect(t, h.c.AllClues(ctx(t), &ListCluesRequest{PageSize: 500}), -1)
		require.ErrorIs(t, err, ErrInvalidParam)
	})
}

func TestGetClueDocExample(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.reply("/openapi/crm/clue/info", fixture(t, "clue_info_response.json"))
	d, err := h.c.GetClue(ctx(t), &GetClueRequest{ClueID: "1406632857471840257"})
	require.NoError(t, err)
	checkOne(t, rec, "/openapi/crm/clue/info", `{"clue_id":1406632857471840257}`)
	assert.Equal(t, NumericID("1539169150405479425"), d.ClueID)
	assert.Equal(t, NumericID("1522843564091630593"), d.CluePoolID)
	assert.Equal(t, []Tag{{ID: "etvvCXcAAAZHYVzWCdeCCnTcIM2vtRPw", Name: "小学"}}, d.TagList, "tag_id/tag_name")
	assert.Equal(t, "男", d.Gender)
	assert.Equal(t, time.Unix(1655136000, 0).In(CST), d.Birthday.Time())
	assert.Equal(t, "xxxx@qq.com", d.Email)
	assert.Equal(t, "详细地址测试", d.Address)
	assert.Equal(t, "", d.MergeUserID)
	assert.Equal(t, []BusinessTag{{GroupID: "sttFmKWgAAVTx9AZV2oSegA2yLjeSqPQ", GroupName: "范围222", TagName: "666",
		TagID: "sttFmKWgAAHPu3UqphM2zjPOI7aLt-BQ", Type: 3, StrategyID: 2, ManageGroupName: "管理组222"}}, d.BusinessTags)
	assert.Equal(t, "2022-06-21", d.FieldMap["mf_clue_101"])
	assert.Len(t, d.FieldMap["mf_clue_52"], 2)
	assert.Equal(t, "广告-巨量引擎-头条", d.AccessCustomerChannel)
}

func TestGetClueVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		tags    int
		wantErr error
	}{
		{"business_tags array", `{"code":0,"data":{"clue_id":1,"business_tags":[{"tag_id":"a"},{"tag_id":"b"}]}}`, 2, nil},
		{"business_tags null", `{"code":0,"data":{"clue_id":1,"business_tags":null}}`, 0, nil},
		{"no data", `{"code":0,"msg":"请求成功","data":null}`, 0, ErrNotFound},
		{"bad business_tags", `{"code":0,"data":{"clue_id":1,"business_tags":"x"}}`, 0, ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.reply("/openapi/crm/clue/info", tt.body)
			d, err := h.c.GetClue(ctx(t), &GetClueRequest{ClueID: "1"})
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Len(t, d.BusinessTags, tt.tags)
		})
	}
}

func TestGetClueValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, req := range []*GetClueRequest{nil, {}, {ClueID: "abc"}} {
		_, err := h.c.GetClue(ctx(t), req)
		require.ErrorIs(t, err, ErrInvalidParam)
	}
	assert.Zero(t, h.tr.GetTotalCallCount())
}

func TestBatchReturnDocExample(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.reply("/openapi/crm/clue/batch/return", fixture(t, "batch_return_response.json"))
	res, err := h.c.BatchReturnClues(ctx(t), &BatchReturnCluesRequest{
		IDs: []NumericID{"1930511983321342722", "1930511983350702850"}, UserID: "user_id", RecoveryRemarkType: "1", RecoveryRemark: "备注原因",
	})
	// One clue was refused: the result AND a *BatchError naming it.
	var batchErr *BatchError
	require.ErrorAs(t, err, &batchErr)
	require.NotNil(t, res, "the result comes with the batch error")
	assert.Equal(t, []ItemError{core.NewItemError("1930511983115821825", "", "线索不存在", ErrNotFound)}, batchErr.Failed)
	assert.ErrorIs(t, err, ErrNotFound, "线索不存在")
	assert.Equal(t, "wshoto", batchErr.Vendor)
	assert.Equal(t, "clue/batch/return", batchErr.Op)
	checkOne(t, rec, "/openapi/crm/clue/batch/return", `{"ids":[1930511983321342722,1930511983350702850],"user_id":"user_id","recovery_remark_type":"1","recovery_remark":"备注原因"}`)
	assert.Equal(t, int64(1), res.Success)
	assert.Equal(t, int64(1), res.Failed)
	assert.Equal(t, []BatchReturnItem{
		{ClueID: "1930511983082267393", Reason: "", Success: true},
		{ClueID: "1930511983115821825", Reason: "线索不存在", Success: false},
	}, res.Items)
	assert.Equal(t, []BatchReturnItem{{ClueID: "1930511983115821825", Reason: "线索不存在"}}, res.FailedItems())
}

func TestBatchReturnVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		want    *BatchReturnResult
		failed  []ItemError // the *BatchError's items, returned with want
		wantErr error
	}{
		{"reason as array, clue_id as number", `{"code":0,"data":{"success":0,"failed":1,"result_items":[{"clue_id":1930511983115821825,"reason":["线索不存在","已锁定"],"success":"0"}]},"sub_code":"00000"}`,
			&BatchReturnResult{Failed: 1, Items: []BatchReturnItem{{ClueID: "1930511983115821825", Reason: "线索不存在,已锁定"}}},
			[]ItemError{core.NewItemError("1930511983115821825", "", "线索不存在,已锁定", ErrNotFound)}, nil},
		{"reason of another kind", `{"code":0,"data":{"success":0,"failed":1,"result_items":[{"clue_id":"1930511983115821825","reason":"已锁定","success":0}]}}`,
			&BatchReturnResult{Failed: 1, Items: []BatchReturnItem{{ClueID: "1930511983115821825", Reason: "已锁定"}}},
			[]ItemError{core.NewItemError("1930511983115821825", "", "已锁定")}, nil},
		{"failed count without items", `{"code":0,"data":{"success":0,"failed":1}}`,
			&BatchReturnResult{Failed: 1},
			[]ItemError{core.NewItemError("", "", "1 more clues not returned; wshoto did not say which")}, nil},
		{"all returned", `{"code":0,"data":{"success":1,"failed":0,"result_items":[{"clue_id":"1930511983115821825","reason":"","success":1}]}}`,
			&BatchReturnResult{Success: 1, Items: []BatchReturnItem{{ClueID: "1930511983115821825", Success: true}}}, nil, nil},
		{"data true", `{"code":0,"data":true}`, &BatchReturnResult{Success: 1}, nil, nil},
		{"no data", `{"code":0}`, &BatchReturnResult{}, nil, nil},
		{"sub_code failure", `{"code":0,"msg":"业务异常","data":null,"sub_code":"C0001"}`, nil, nil, nil},
		{"data false", `{"code":0,"data":false}`, nil, nil, nil},
		{"undecodable", `{"code":0,"data":{"success":"x"}}`, nil, nil, ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.reply("/openapi/crm/clue/batch/return", tt.body)
			res, err := h.c.BatchReturnClues(ctx(t), &BatchReturnCluesRequest{IDs: []NumericID{"1930511983115821825"}, UserID: "u"})
			if tt.want == nil {
				require.Error(t, err)
				assert.Nil(t, res)
				var batchErr *BatchError
				assert.False(t, errors.As(err, &batchErr), "a failed call is not a batch error")
				if tt.wantErr != nil {
					require.ErrorIs(t, err, tt.wantErr)
				}
				return
			}
			if tt.failed != nil {
				var batchErr *BatchError
				require.ErrorAs(t, err, &batchErr, "refused items are never buried in a result")
				assert.Equal(t, tt.failed, batchErr.Failed)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, res)
		})
	}
}

func TestBatchReturnIsNotRetriedWhenAmbiguous(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.on(http.MethodPost, "/openapi/crm/clue/batch/return", func(seen) (int, string) { return 502, "bad gateway" })
	_, err := h.c.BatchReturnClues(ctx(t), &BatchReturnCluesRequest{IDs: []NumericID{"1"}, UserID: "u"})
	require.ErrorIs(t, err, ErrAmbiguous)
	assert.Len(t, rec.all(), 1)
}

func TestBatchReturnValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, req := range []*BatchReturnCluesRequest{nil, {UserID: "u"}, {IDs: []NumericID{"1"}}, {IDs: []NumericID{"1", ""}, UserID: "u"}, {IDs: []NumericID{"9x"}, UserID: "u"}} {
		_, err := h.c.BatchReturnClues(ctx(t), req)
		require.ErrorIs(t, err, ErrInvalidParam)
	}
	assert.Zero(t, h.tr.GetTotalCallCount())
}

// TestIDsNeverPassThroughFloat: ids just above 2^53 differ from their float64
// rounding; they must survive decode and encode digit for digit.
func TestIDsNeverPassThroughFloat(t *testing.T) {
	t.Parallel()
	ids := []string{"9007199254740993", "1591005521987920963", "9223372036854775807"}
	for _, id := range ids {
		f, _ := strconv.ParseFloat(id, 64)
		require.NotEqual(t, id, strconv.FormatFloat(f, 'f', 0, 64), "test ids must not be exact in float64")
		h := newHarness(t)
		rec := h.reply("/openapi/crm/clue/info", `{"code":0,"data":{"clue_id":`+id+`,"clue_pool_id":"`+id+`"}}`)
		d, err := h.c.GetClue(ctx(t), &GetClueRequest{ClueID: NumericID(id)})
		require.NoError(t, err)
		assert.Equal(t, NumericID(id), d.ClueID)
		assert.Equal(t, NumericID(id), d.CluePoolID)
		assert.Equal(t, `{"clue_id":`+id+`}`, rec.all()[0].Body)
	}
}

func BenchmarkEditClueBody(b *testing.B) {
	req := seedEditRequest()
	b.ReportAllocs()
	for b.Loop() {
		w, err := req.wire()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := flex.Marshal(w); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeClueInfo(b *testing.B) {
	body, err := os.ReadFile("testdata/clue_info_response.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var d *ClueDetail
		env := newEnvelope(&d)
		if err := json.Unmarshal(body, env); err != nil {
			b.Fatal(err)
		}
		if o, err := env.Outcome(); err != nil || !o.OK || d == nil {
			b.Fatal("not decoded", err)
		}
	}
}
