package weiling_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/weiling"
)

func TestCreateContactWire(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, "contact/create", ok(`{"contact_id":"Rw4Ed-aep4uP1_NPBh-SQ8SVxOpdHyLIPu2y_0Jr3bw"}`))
	req := &weiling.CreateContactRequest{
		UserName:              "小穆",
		ContactWays:           []weiling.ContactWay{{Type: weiling.ContactWayMobile, ContactWay: "18856427333"}, {Type: weiling.ContactWayEmail, ContactWay: "a@b.cn"}},
		CreateTime:            1631618303000,
		Status:                weiling.Ptr(weiling.ContactInSea),
		CreateUserID:          "u1",
		OwnerID:               "u2",
		SeaID:                 "sea1",
		Gender:                weiling.GenderFemale,
		Age:                   30,
		CorpName:              "上海卫瓴科技有限公司",
		CorpAddress:           "川和路55弄",
		RegisterAddress:       "上科路366号",
		PopulationSize:        weiling.Ptr(weiling.Population0To19),
		Industry:              "软件",
		LegalPerson:           "张三",
		Email:                 "a@b.cn",
		QQ:                    "10001",
		WxID:                  "wx_1",
		GroupName:             "通用词",
		KeyWord:               "卫瓴",
		PlanName:              "品牌词",
		CreativeTitle:         "标题",
		CreativeDescription:   "描述",
		AdvertiserAccountName: "账户",
		Region:                "浙江省杭州市",
		URL:                   "https://x.cn/?a=1&b=<2>",
		Searchword:            "卫瓴科技怎么样",
		FromChannelID:         "ch1",
		ContactCustom:         map[string]any{"field_a": "文本", "field_b": []string{"选项一", "选项二"}, "field_date": int64(1631618303000)},
	}
	res, err := h.c.CreateContact(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "Rw4Ed-aep4uP1_NPBh-SQ8SVxOpdHyLIPu2y_0Jr3bw", res.ContactID)
	r := h.last(t)
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/prefix/openapi/contact/create", r.Path)
	assert.Equal(t, testToken, r.Query.Get("access_token"))
	assert.JSONEq(t, `{
		"user_name":"小穆",
		"contact_ways":[{"type":1,"contact_way":"18856427333"},{"type":3,"contact_way":"a@b.cn"}],
		"create_time":1631618303000,"status":0,"create_user_id":"u1","owner_id":"u2","sea_id":"sea1",
		"gender":2,"age":30,"corp_name":"上海卫瓴科技有限公司","corp_address":"川和路55弄","register_address":"上科路366号",
		"population_size":0,"industry":"软件","legal_person":"张三","email":"a@b.cn","qq":"10001","wx_id":"wx_1",
		"group_name":"通用词","key_word":"卫瓴","plan_name":"品牌词","creative_title":"标题","creative_description":"描述",
		"advertiser_account_name":"账户","region":"浙江省杭州市","url":"https://x.cn/?a=1&b=<2>","searchword":"卫瓴科技怎么样",
		"from_channel_id":"ch1","contact_custom":{"field_a":"文本","field_b":["选项一","选项二"],"field_date":1631618303000}}`, r.Body)
	assert.Contains(t, r.Body, `&b=<2>`, "no HTML escaping")
}

func TestCreateContactMinimalBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, "contact/create", ok(""))
	res, err := h.c.CreateContact(context.Background(), &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactUnassigned)})
	require.NoError(t, err)
	assert.Equal(t, "", res.ContactID)
	assert.Equal(t, `{"status":4}`, h.last(t).Body)
}

func TestCreateContactResultShapes(t *testing.T) {
	t.Parallel()
	tests := []struct{ data, want string }{
		{`{"contact_id":"abc"}`, "abc"},
		{`{"id":"abc"}`, "abc"},
		{`"abc"`, "abc"},
		{`{"contact_id":123}`, ""},
		{`true`, ""},
		{`[1,2]`, ""},
		{`{}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.data, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.on(http.MethodPost, "contact/create", ok(tt.data))
			res, err := h.c.CreateContact(context.Background(), &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactClaimed)})
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.ContactID)
			assert.JSONEq(t, tt.data, string(res.Raw))
		})
	}
}

func TestCreateContactValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  *weiling.CreateContactRequest
		msg  string
	}{
		{"nil", nil, "nil"},
		{"no status", &weiling.CreateContactRequest{UserName: "x"}, "status is required"},
		{"status 2", &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactStatus(2))}, "status 2"},
		{"status 3", &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactStatus(3))}, "status 3"},
		{"way type 0", &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactClaimed), ContactWays: []weiling.ContactWay{{Type: 0, ContactWay: "1"}}}, "contact_ways[0].type"},
		{"way type 101", &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactClaimed), ContactWays: []weiling.ContactWay{{Type: 1, ContactWay: "1"}, {Type: 101, ContactWay: "2"}}}, "contact_ways[1].type"},
		{"empty way", &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactClaimed), ContactWays: []weiling.ContactWay{{Type: 1, ContactWay: " "}}}, "contact_way is empty"},
		{"gender", &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactClaimed), Gender: 3}, "gender"},
		{"age", &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactClaimed), Age: -1}, "age"},
		{"population", &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactClaimed), PopulationSize: weiling.Ptr(weiling.PopulationSize(6))}, "population_size"},
		{"create time", &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactClaimed), CreateTime: -5}, "create_time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			_, err := h.c.CreateContact(context.Background(), tt.req)
			require.ErrorIs(t, err, weiling.ErrInvalidParam)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Zero(t, h.count())
			assert.Zero(t, h.tokenN.Load())
		})
	}
}

func TestBatchGetContacts(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, "contact/batch", string(fixture(t, "contact_batch_response.json")))
	res, err := h.c.BatchGetContacts(context.Background(), &weiling.BatchGetContactsRequest{ContactIDs: []string{"Rw4Ed-aep4uP1_NPBh-SQ8SVxOpdHyLIPu2y_0Jr3bw", "missing"}})
	require.NoError(t, err)
	got := res.Contacts
	r := h.last(t)
	assert.Equal(t, "/prefix/openapi/contact/batch", r.Path)
	assert.JSONEq(t, `{"contact_ids":["Rw4Ed-aep4uP1_NPBh-SQ8SVxOpdHyLIPu2y_0Jr3bw","missing"]}`, r.Body)
	require.Len(t, got, 1)
	c := got[0]
	assert.Equal(t, "Rw4Ed-aep4uP1_NPBh-SQ8SVxOpdHyLIPu2y_0Jr3bw", c.ContactID)
	assert.Equal(t, "小穆", c.UserName)
	require.Len(t, c.ContactWays, 3)
	assert.Equal(t, weiling.ContactWay{Type: weiling.ContactWayMobile, ContactWay: "18856427333"}, c.ContactWays[0])
	assert.Equal(t, weiling.ContactWayType(0), c.ContactWays[1].Type)
	assert.Equal(t, weiling.ContactWayMobile, c.ContactWays[1].Kind(), "type 0 is a phone")
	assert.Equal(t, weiling.ContactWayType(101), c.ContactWays[2].Type)
	assert.Equal(t, weiling.ContactWayEmail, c.ContactWays[2].Kind(), "classified by content")
	assert.Equal(t, weiling.ContactClaimed, c.Status)
	require.NotNil(t, c.ContactSource)
	assert.Equal(t, "2", string(c.ContactSource.Type))
	assert.Equal(t, "cmp-1", string(c.ContactSource.ComponentID))
	assert.Equal(t, "官网表单", c.ContactSource.ComponentName)
	assert.Equal(t, "其他-销售导入", c.FromChannelName)
	assert.Equal(t, "A", c.Level)
	assert.Equal(t, "上海卫瓴科技有限公司", c.CorpName)
	assert.Equal(t, "上海市浦东新区川和路55弄14号楼", c.CorpAddress)
	assert.Equal(t, "中国(上海)自由贸易试验区上科路366号", c.RegisterAddress)
	assert.Equal(t, weiling.Text("2018-03-01"), c.CorpFoundedTime)
	assert.Equal(t, "卫瓴科技怎么样", c.Searchword)
	assert.Equal(t, "浙江省杭州市", c.Region)
	assert.Equal(t, "品牌词-官网-上海全天投放", c.PlanName)
	assert.Equal(t, "通用词-私域运营", c.GroupName)
	assert.Equal(t, "标题", c.CreativeTitle)
	assert.Equal(t, "描述", c.CreativeDescription)
	assert.Equal(t, weiling.Text("d"), c.OtherCustomField)
	assert.False(t, bool(c.IsRepeat))
	assert.False(t, bool(c.IsUseless))
	assert.Equal(t, "ZiDcy2WgGA29LddvWH0ogdZOLItF6RdkE6wE-xqfhDY", c.CreateUserID)
	assert.Equal(t, "ZiDcy2WgGA29LddvWH0ogdZOLItF6RdkE6wE-xqfhDY", c.OwnerID)
	assert.Equal(t, "https://example.com/form", c.URL)
	assert.Equal(t, "mu@example.com", c.Email)
	assert.EqualValues(t, 30, c.Age)
	assert.Equal(t, weiling.GenderFemale, c.Gender)
	assert.Equal(t, weiling.Population500To999, c.PopulationSize)
	assert.Equal(t, "测试行业", c.Industry)
	assert.Equal(t, "开发", c.Position)
	assert.EqualValues(t, 1631618303000, c.CreateTime)
	assert.Equal(t, time.UnixMilli(1631618303000), c.Created())
	assert.EqualValues(t, 1631618304000, c.LastFollowTime)
	assert.EqualValues(t, 1631618305000, c.FirstProgressTime)
	assert.EqualValues(t, 1631618306000, c.ClaimTime)
	require.Len(t, c.TagGroupList, 1)
	tg := c.TagGroupList[0]
	assert.Equal(t, "g1", tg.GroupID)
	assert.Equal(t, "意向", tg.GroupName)
	assert.Equal(t, "1", string(tg.Type))
	assert.EqualValues(t, 1631618307000, tg.CreateTime)
	require.Len(t, tg.TagInfo, 1)
	assert.Equal(t, weiling.Tag{TagID: "t1", TagName: "高", Type: "1", CreateTime: 1631618308000, TagUserID: "u1"}, tg.TagInfo[0])
	assert.Equal(t, []weiling.BusinessRef{{BusinessID: "b1", BusinessName: "商机一"}}, c.BusinessList)
	assert.Equal(t, []weiling.CompanyRef{{CompanyID: "c1", CompanyName: "上海卫瓴科技有限公司"}}, c.CompanyList)
	assert.Equal(t, "1234567890123456789", string(c.LatestProgressID), "19 digits kept exactly")
	assert.Equal(t, weiling.Text("2"), c.CustomerStage)
	assert.Equal(t, weiling.Extra{"sea_id": json.RawMessage(`"kox80-hte6v49WL3XgqDC0HVZA9JcVFIwZi1vFte4YU"`)}, c.Extra)
}

func TestContactIDListValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	many := make([]string, 101)
	for i := range many {
		many[i] = "id"
	}
	h := newHarness(t)
	calls := []struct {
		name string
		call func(ids []string) error
		max  bool
	}{
		{"batch", func(ids []string) error {
			_, err := h.c.BatchGetContacts(ctx, &weiling.BatchGetContactsRequest{ContactIDs: ids})
			return err
		}, true},
		{"disuse", func(ids []string) error {
			_, err := h.c.DisuseContacts(ctx, &weiling.DisuseContactsRequest{ContactIDs: ids})
			return err
		}, true},
		{"recover", func(ids []string) error {
			_, err := h.c.RecoverContacts(ctx, &weiling.RecoverContactsRequest{ContactIDs: ids})
			return err
		}, true},
		{"back to sea", func(ids []string) error {
			_, err := h.c.BackContactsToSea(ctx, &weiling.BackContactsToSeaRequest{ContactIDs: ids})
			return err
		}, false},
	}
	for _, c := range calls {
		assert.ErrorIs(t, c.call(nil), weiling.ErrInvalidParam, c.name)
		assert.ErrorIs(t, c.call([]string{"a", ""}), weiling.ErrInvalidParam, c.name)
		if c.max {
			err := c.call(many)
			assert.ErrorIs(t, err, weiling.ErrInvalidParam, c.name)
			assert.Contains(t, err.Error(), "at most 100")
		}
	}
	nilRequests := []func() error{
		func() error { _, err := h.c.BatchGetContacts(ctx, nil); return err },
		func() error { _, err := h.c.DisuseContacts(ctx, nil); return err },
		func() error { _, err := h.c.RecoverContacts(ctx, nil); return err },
		func() error { _, err := h.c.BackContactsToSea(ctx, nil); return err },
		func() error { _, err := h.c.CreateContact(ctx, nil); return err },
		func() error { _, err := h.c.ListContacts(ctx, nil); return err },
	}
	for i, call := range nilRequests {
		assert.ErrorIs(t, call(), weiling.ErrInvalidParam, "nil request %d", i)
	}
	_, err := h.c.ChangeContactOwner(ctx, nil)
	assert.ErrorIs(t, err, weiling.ErrInvalidParam)
	_, err = h.c.ChangeContactOwner(ctx, &weiling.ChangeOwnerRequest{Changes: []weiling.OwnerChange{{ID: "a"}}})
	assert.ErrorIs(t, err, weiling.ErrInvalidParam)
	for _, req := range []*weiling.EditContactRequest{{}, nil, {ContactID: "a", Gender: 7}} {
		_, err := h.c.EditContact(ctx, req)
		assert.ErrorIs(t, err, weiling.ErrInvalidParam)
	}
	assert.Zero(t, h.count())
}

func TestListContactsWire(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, "contact/list", ok(`{"contact_list":[{"contact_id":"a"},{"contact_id":"b"}],"cursor":"next-1"}`))
	page, err := h.c.ListContacts(context.Background(), &weiling.ListContactsRequest{StartDay: "2024-01-01", EndDay: "2024-01-31", OwnerID: "o1"})
	require.NoError(t, err)
	assert.False(t, page.Done)
	assert.Equal(t, "next-1", page.Cursor)
	require.Len(t, page.Contacts, 2)
	r := h.last(t)
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, "/prefix/openapi/contact/list", r.Path)
	assert.Equal(t, map[string][]string{"access_token": {testToken}, "cursor": {""}, "start_day": {"2024-01-01"}, "end_day": {"2024-01-31"}, "owner_id": {"o1"}}, map[string][]string(r.Query))
	assert.Empty(t, r.Body)
}

func TestListContactsValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, req := range []*weiling.ListContactsRequest{
		nil, {}, {StartDay: "2024-01-01"}, {EndDay: "2024-01-01"},
		{StartDay: "2024/01/01", EndDay: "2024-01-02"}, {StartDay: "2024-01-01", EndDay: "20240102"},
		{StartDay: "2024-02-01", EndDay: "2024-01-01"},
	} {
		_, err := h.c.ListContacts(context.Background(), req)
		assert.ErrorIs(t, err, weiling.ErrInvalidParam)
	}
	assert.Zero(t, h.count())
}

func TestListContactsEndOfData(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, "contact/list", `{"code":1006,"msg":"数据加载完毕"}`)
	page, err := h.c.ListContacts(context.Background(), &weiling.ListContactsRequest{StartDay: "2024-01-01", EndDay: "2024-01-01", Cursor: "c9"})
	require.NoError(t, err)
	assert.True(t, page.Done)
	assert.Empty(t, page.Contacts)
	assert.Equal(t, "c9", h.last(t).Query.Get("cursor"))
}

func TestAllContacts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pages   []string
		want    []string
		wantErr error
		calls   int
	}{
		{"ends with 1006", []string{
			ok(`{"contact_list":[{"contact_id":"a"},{"contact_id":"b"}],"cursor":"c1"}`),
			ok(`{"contact_list":[{"contact_id":"c"}],"cursor":"c2"}`),
			`{"code":"1006","msg":"数据加载完毕"}`,
		}, []string{"a", "b", "c"}, nil, 3},
		{"ends with empty cursor", []string{
			ok(`{"contact_list":[{"contact_id":"a"}],"cursor":"c1"}`),
			ok(`{"contact_list":[{"contact_id":"b"}],"cursor":""}`),
		}, []string{"a", "b"}, nil, 2},
		{"ends with empty list", []string{
			ok(`{"contact_list":[{"contact_id":"a"}],"cursor":"c1"}`),
			ok(`{"contact_list":[],"cursor":"c2"}`),
		}, []string{"a"}, nil, 2},
		{"empty at once", []string{`{"code":1006,"msg":"数据加载完毕"}`}, nil, nil, 1},
		{"error mid-way", []string{
			ok(`{"contact_list":[{"contact_id":"a"}],"cursor":"c1"}`),
			`{"code":1014,"msg":"游标参数错误"}`,
		}, []string{"a"}, weiling.ErrInvalidParam, 2},
		{"repeated cursor", []string{
			ok(`{"contact_list":[{"contact_id":"a"}],"cursor":"c1"}`),
			ok(`{"contact_list":[{"contact_id":"b"}],"cursor":"c1"}`),
		}, []string{"a", "b"}, weiling.ErrBadResponse, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.on(http.MethodGet, "contact/list", tt.pages...)
			req := &weiling.ListContactsRequest{StartDay: "2024-01-01", EndDay: "2024-01-02"}
			var got []string
			var errs []error
			for c, err := range h.c.AllContacts(context.Background(), req) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				got = append(got, c.ContactID)
			}
			assert.Equal(t, tt.want, got)
			if tt.wantErr != nil {
				require.Len(t, errs, 1, "the error is yielded once")
				assert.ErrorIs(t, errs[0], tt.wantErr)
			} else {
				assert.Empty(t, errs)
			}
			assert.Equal(t, tt.calls, h.count())
			assert.Equal(t, "", req.Cursor, "the caller's request is not modified")
			h.mu.Lock()
			cursors := []string{}
			for _, c := range h.calls {
				cursors = append(cursors, c.Query.Get("cursor"))
				assert.Equal(t, "2024-01-01", c.Query.Get("start_day"))
			}
			h.mu.Unlock()
			assert.Equal(t, "", cursors[0])
		})
	}
}

func TestAllContactsStopsWhenCallerStops(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, "contact/list", ok(`{"contact_list":[{"contact_id":"a"},{"contact_id":"b"}],"cursor":"c1"}`))
	for range h.c.AllContacts(context.Background(), &weiling.ListContactsRequest{StartDay: "2024-01-01", EndDay: "2024-01-02"}) {
		break
	}
	assert.Equal(t, 1, h.count())
}

func TestEditContactWire(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, "contact/edit", `{"code":0,"msg":"success"}`)
	_, err := h.c.EditContact(context.Background(), &weiling.EditContactRequest{
		ContactID: "c1", UserName: "n", Position: "p", Gender: weiling.GenderMale, Age: 40, WxID: "w", QQ: "q", Email: "e@x.cn", Remark: "r",
		ContactCustom: map[string]any{"f": "v"},
	})
	require.NoError(t, err)
	r := h.last(t)
	assert.Equal(t, "/prefix/openapi/contact/edit", r.Path)
	assert.JSONEq(t, `{"contact_id":"c1","user_name":"n","position":"p","gender":1,"age":40,"wx_id":"w","qq":"q","email":"e@x.cn","remark":"r","contact_custom":{"f":"v"}}`, r.Body)
	_, err = h.c.EditContact(context.Background(), &weiling.EditContactRequest{ContactID: "c1", Remark: "only"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"contact_id":"c1","remark":"only"}`, h.last(t).Body)
}

func TestChangeContactOwnerWire(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, "contact/owner_change", ok(`{"fail_list":[{"id":"b","error_code":1003,"error_msg":"数据不存在"}]}`))
	res, err := h.c.ChangeContactOwner(context.Background(), &weiling.ChangeOwnerRequest{
		Changes: []weiling.OwnerChange{{ID: "a", OwnerID: "o"}, {ID: "b", OwnerID: "o"}}, OperatorUserID: "op",
	})
	require.ErrorIs(t, err, weiling.ErrNotFound)
	require.Len(t, res.Failed, 1)
	assert.Equal(t, "b", res.Failed[0].ID)
	r := h.last(t)
	assert.Equal(t, "/prefix/openapi/contact/owner_change", r.Path)
	assert.JSONEq(t, `{"contact_list":[{"id":"a","owner_id":"o"},{"id":"b","owner_id":"o"}],"operator_user_id":"op"}`, r.Body)
	assert.NotContains(t, r.Body, "op_user_id")
}

func TestDisuseContactsKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, "contact/disuse", ok(`{"fail_list":[]}`))
	_, err := h.c.DisuseContacts(context.Background(), &weiling.DisuseContactsRequest{ContactIDs: []string{"a", "b"}})
	require.NoError(t, err)
	assert.Equal(t, `{"contatc_ids":["a","b"]}`, h.last(t).Body, "the documented (misspelt) key")

	h2 := newHarness(t, weiling.WithDisuseContactIDsKey())
	h2.on(http.MethodPost, "contact/disuse", ok(`{"fail_list":[]}`))
	_, err = h2.c.DisuseContacts(context.Background(), &weiling.DisuseContactsRequest{ContactIDs: []string{"a"}})
	require.NoError(t, err)
	assert.Equal(t, `{"contact_ids":["a"]}`, h2.last(t).Body)
}

func TestRecoverAndBackToSeaContactsWire(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, "contact/recover", ok(`{"fail_list":[{"contact_id":"x","error_code":1003,"error_msg":"数据不存在"}]}`))
	h.on(http.MethodPost, "contact/back_to_sea", ok(`{"fail_list":[]}`))
	res, err := h.c.RecoverContacts(context.Background(), &weiling.RecoverContactsRequest{ContactIDs: []string{"a", "x"}})
	require.ErrorIs(t, err, weiling.ErrNotFound)
	assert.Equal(t, "x", res.Failed[0].ID)
	assert.Equal(t, `{"contact_ids":["a","x"]}`, h.last(t).Body)
	assert.Equal(t, "/prefix/openapi/contact/recover", h.last(t).Path)

	_, err = h.c.BackContactsToSea(context.Background(), &weiling.BackContactsToSeaRequest{ContactIDs: []string{"a"}, SeaID: "sea1"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"contact_ids":["a"],"sea_id":"sea1"}`, h.last(t).Body)
	assert.Equal(t, "/prefix/openapi/contact/back_to_sea", h.last(t).Path)
	_, err = h.c.BackContactsToSea(context.Background(), &weiling.BackContactsToSeaRequest{ContactIDs: []string{"a"}})
	require.NoError(t, err)
	assert.Equal(t, `{"contact_ids":["a"]}`, h.last(t).Body)
}

func TestDay(t *testing.T) {
	t.Parallel()
	// 2024-01-01 17:00 UTC is already 2024-01-02 in China.
	assert.Equal(t, "2024-01-02", weiling.Day(time.Date(2024, 1, 1, 17, 0, 0, 0, time.UTC)))
	assert.Equal(t, "2024-01-01", weiling.Day(time.Date(2024, 1, 1, 15, 59, 0, 0, time.UTC)))
	assert.True(t, strings.HasPrefix(weiling.Day(time.Now()), "20"))
}
