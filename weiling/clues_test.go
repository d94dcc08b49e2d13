package weiling_test

//lint:file-ignore SA1019 these tests cover the clue APIs the vendor marks deprecated

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/weiling"
)

// assertSeedClue checks every field of the seed's example clue (the values
// shared by the clue-list fixture and the clue_update example).
func assertSeedClue(t *testing.T, c weiling.Clue) {
	t.Helper()
	assert.Equal(t, "Rw4Ed-aep4uP1_NPBh-SQ8SVxOpdHyLIPu2y_0Jr3bw", c.ClueID)
	assert.Equal(t, "小穆", c.UserName)
	assert.Equal(t, "18856427333", c.Mobile)
	assert.EqualValues(t, 0, c.ClueSource)
	assert.Equal(t, "其他-销售导入", c.FromChannelName)
	assert.Equal(t, "D", c.Level)
	assert.Equal(t, "上海卫瓴科技有限公司", c.CorpName)
	assert.Equal(t, "上海市浦东新区川和路55弄14号楼", c.CorpAddress)
	assert.Equal(t, "中国(上海)自由贸易试验区上科路366号、川和路55弄", c.RegisterAddress)
	assert.Equal(t, "张三", c.LegalPerson)
	assert.Equal(t, "卫瓴科技", c.Keyword)
	assert.Equal(t, "卫瓴科技怎么样", c.Searchword)
	assert.Equal(t, "浙江省杭州市", c.Region)
	assert.Equal(t, "品牌词-官网-上海全天投放", c.PlanName)
	assert.Equal(t, "通用词-私域运营", c.GroupName)
	assert.Equal(t, weiling.ClueClaimed, c.Status)
	assert.Equal(t, "kox80-hte6v49WL3XgqDC0HVZA9JcVFIwZi1vFte4YU", c.SeaID)
	assert.False(t, bool(c.IsRepeat))
	assert.False(t, bool(c.IsUseless))
	assert.Equal(t, "ZiDcy2WgGA29LddvWH0ogdZOLItF6RdkE6wE-xqfhDY", c.CreateUserID)
	assert.Equal(t, "dOQJwXMpfWHIg9y8XtZwsDNAC0OcrIcmW9UxSM51pUA", c.CustomerID)
	assert.Equal(t, "ZiDcy2WgGA29LddvWH0ogdZOLItF6RdkE6wE-xqfhDY", c.OwnerID)
	assert.Equal(t, "http://www.awsomebackend.com/h5/demo/test/testForm.html?wl_src=baidu&wl_form_id=1435079625428328448", c.URL)
	assert.Equal(t, weiling.GenderMale, c.Gender)
	assert.Equal(t, "开发", c.Position)
	assert.Equal(t, weiling.Population20To99, c.PopulationSize)
	assert.Equal(t, "测试行业", c.Industry)
	assert.EqualValues(t, 1631618303000, c.CreateTime)
	assert.Equal(t, time.UnixMilli(1631618303000), c.Created())
	require.NotNil(t, c.AddSource)
	assert.Equal(t, weiling.AddSource{ID: "AvRzhTR_frX0v51a5iSNttC1HqarhZfi6OjZ6mEHzFw", Type: 4, Name: "注册加微"}, *c.AddSource)
}

func TestListCluesFixture(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, "clue/list", string(fixture(t, "clue_list_response.json")))
	page, err := h.c.ListClues(context.Background(), &weiling.ListCluesRequest{Start: time.UnixMilli(1631618300000), OwnerID: "o1", Mobile: "18856427333", Cursor: "c0"})
	require.NoError(t, err)
	r := h.last(t)
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, "/prefix/openapi/clue/list", r.Path)
	assert.Equal(t, map[string][]string{"access_token": {testToken}, "cursor": {"c0"}, "start": {"1631618300000"}, "owner_id": {"o1"}, "mobile": {"18856427333"}}, map[string][]string(r.Query))
	assert.Equal(t, "Y3Vyc29yLTI", page.Cursor)
	assert.False(t, page.Done)
	require.Len(t, page.Clues, 1)
	c := page.Clues[0]
	assertSeedClue(t, c)
	assert.Equal(t, []weiling.CompanyRef{{CompanyID: "c0mp4ny-1d", CompanyName: "上海卫瓴科技有限公司"}}, c.CompanyList)
	assert.Equal(t, weiling.Extra{"untyped_member": json.RawMessage(`{"kept": [1, 2, 3]}`)}, c.Extra)
}

func TestListCluesFirstPageQuery(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, "clue/list", `{"code":1006,"msg":"数据加载完毕"}`)
	page, err := h.c.ListClues(context.Background(), nil)
	require.NoError(t, err)
	assert.True(t, page.Done)
	assert.Equal(t, map[string][]string{"access_token": {testToken}, "cursor": {""}}, map[string][]string(h.last(t).Query))
	_, err = h.c.ListClues(context.Background(), &weiling.ListCluesRequest{Start: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)})
	assert.ErrorIs(t, err, weiling.ErrInvalidParam)
}

func TestAllClues(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, "clue/list",
		ok(`{"clue_list":[{"clue_id":"a","create_time":"1631618303000"},{"clue_id":"b","create_time":1631618303001}],"cursor":"c1"}`),
		ok(`{"clue_list":[{"clue_id":"c"}],"cursor":"c2"}`),
		`{"code":1006,"msg":"数据加载完毕"}`)
	var ids []string
	for c, err := range h.c.AllClues(context.Background(), &weiling.ListCluesRequest{OwnerID: "o"}) {
		require.NoError(t, err)
		ids = append(ids, c.ClueID)
	}
	assert.Equal(t, []string{"a", "b", "c"}, ids)
	require.Equal(t, 3, h.count())
	h.mu.Lock()
	defer h.mu.Unlock()
	assert.Equal(t, []string{"", "c1", "c2"}, []string{h.calls[0].Query.Get("cursor"), h.calls[1].Query.Get("cursor"), h.calls[2].Query.Get("cursor")})
	for _, c := range h.calls {
		assert.Equal(t, "o", c.Query.Get("owner_id"))
	}
}

func TestAllCluesError(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodGet, "clue/list", `{"code":1008,"msg":"该Ip已被禁用"}`)
	n := 0
	for _, err := range h.c.AllClues(context.Background(), nil) {
		n++
		require.ErrorIs(t, err, weiling.ErrPermission)
	}
	assert.Equal(t, 1, n)
}

func TestBatchGetClues(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, "clue/batch", ok(`{"clue_list":[{"clue_id":"a","status":"4","is_useless":1}]}`))
	res, err := h.c.BatchGetClues(context.Background(), &weiling.BatchGetCluesRequest{ClueIDs: []string{"a", "b"}})
	require.NoError(t, err)
	got := res.Clues
	require.Len(t, got, 1)
	assert.Equal(t, weiling.ClueInPool, got[0].Status)
	assert.True(t, bool(got[0].IsUseless))
	assert.Equal(t, "/prefix/openapi/clue/batch", h.last(t).Path)
	assert.Equal(t, `{"clue_ids":["a","b"]}`, h.last(t).Body)
}

func TestClueValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t)
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "x"
		}
		return out
	}
	changes := func(n int) []weiling.OwnerChange {
		out := make([]weiling.OwnerChange, n)
		for i := range out {
			out[i] = weiling.OwnerChange{ID: "x", OwnerID: "o"}
		}
		return out
	}
	tests := []struct {
		name string
		err  func() error
	}{
		{"batch nil", func() error { _, err := h.c.BatchGetClues(ctx, nil); return err }},
		{"disuse nil", func() error { _, err := h.c.DisuseClues(ctx, nil); return err }},
		{"back to sea nil", func() error { _, err := h.c.BackCluesToSea(ctx, nil); return err }},
		{"recover nil", func() error { _, err := h.c.RecoverClues(ctx, nil); return err }},
		{"owner change nil", func() error { _, err := h.c.ChangeClueOwner(ctx, nil); return err }},
		{"batch none", func() error {
			_, err := h.c.BatchGetClues(ctx, &weiling.BatchGetCluesRequest{ClueIDs: nil})
			return err
		}},
		{"batch 101", func() error {
			_, err := h.c.BatchGetClues(ctx, &weiling.BatchGetCluesRequest{ClueIDs: ids(101)})
			return err
		}},
		{"batch empty id", func() error {
			_, err := h.c.BatchGetClues(ctx, &weiling.BatchGetCluesRequest{ClueIDs: []string{""}})
			return err
		}},
		{"disuse 101", func() error {
			_, err := h.c.DisuseClues(ctx, &weiling.DisuseCluesRequest{ClueIDs: ids(101)})
			return err
		}},
		{"disuse none", func() error {
			_, err := h.c.DisuseClues(ctx, &weiling.DisuseCluesRequest{ClueIDs: []string{}})
			return err
		}},
		{"owner change 100", func() error {
			_, err := h.c.ChangeClueOwner(ctx, &weiling.ChangeOwnerRequest{Changes: changes(100)})
			return err
		}},
		{"owner change none", func() error { _, err := h.c.ChangeClueOwner(ctx, &weiling.ChangeOwnerRequest{}); return err }},
		{"owner change no owner", func() error {
			_, err := h.c.ChangeClueOwner(ctx, &weiling.ChangeOwnerRequest{Changes: []weiling.OwnerChange{{ID: "a"}}})
			return err
		}},
		{"update nil", func() error { _, err := h.c.UpdateClues(ctx, nil); return err }},
		{"update none", func() error { _, err := h.c.UpdateClues(ctx, &weiling.UpdateCluesRequest{}); return err }},
		{"update no id", func() error {
			_, err := h.c.UpdateClues(ctx, &weiling.UpdateCluesRequest{Clues: []weiling.ClueUpdate{{UserName: "x"}}})
			return err
		}},
		{"update gender", func() error {
			_, err := h.c.UpdateClues(ctx, &weiling.UpdateCluesRequest{Clues: []weiling.ClueUpdate{{ClueID: "a", Gender: -1}}})
			return err
		}},
		{"back to sea none", func() error {
			_, err := h.c.BackCluesToSea(ctx, &weiling.BackCluesToSeaRequest{ClueIDs: nil, SeaID: "s"})
			return err
		}},
		{"recover empty id", func() error {
			_, err := h.c.RecoverClues(ctx, &weiling.RecoverCluesRequest{ClueIDs: []string{" "}})
			return err
		}},
	}
	for _, tt := range tests {
		assert.ErrorIs(t, tt.err(), weiling.ErrInvalidParam, tt.name)
	}
	assert.Zero(t, h.count())
	// 99 changes are allowed (< 100).
	h.on(http.MethodPost, "clue/owner_change", ok(`{"fail_list":[]}`))
	_, err := h.c.ChangeClueOwner(ctx, &weiling.ChangeOwnerRequest{Changes: changes(99)})
	require.NoError(t, err)
}

func TestClueBatchEndpointsWire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		op       string
		call     func(c *weiling.Client) (*weiling.BatchResult, error)
		wantBody string
	}{
		{"clue/owner_change", func(c *weiling.Client) (*weiling.BatchResult, error) {
			return c.ChangeClueOwner(ctx, &weiling.ChangeOwnerRequest{Changes: []weiling.OwnerChange{{ID: "a", OwnerID: "o"}}, OperatorUserID: "op"})
		}, `{"clue_list":[{"id":"a","owner_id":"o"}],"operator_user_id":"op"}`},
		{"clue/disuse", func(c *weiling.Client) (*weiling.BatchResult, error) {
			return c.DisuseClues(ctx, &weiling.DisuseCluesRequest{ClueIDs: []string{"a", "b"}})
		}, `{"clue_ids":["a","b"]}`},
		{"clue/update", func(c *weiling.Client) (*weiling.BatchResult, error) {
			return c.UpdateClues(ctx, &weiling.UpdateCluesRequest{Clues: []weiling.ClueUpdate{
				{ClueID: "a", UserName: "n", Position: "p", Gender: weiling.GenderFemale, Age: 3, WxID: "w", QQ: "q", Email: "e", Remark: "r",
					ClueCustomField: map[string]any{"text": "v", "multi": []string{"l1", "l2"}, "date": 1631618303000}},
				{ClueID: "b", Remark: "only"},
			}})
		}, `{"clue_list":[{"clue_id":"a","user_name":"n","position":"p","gender":2,"age":3,"wx_id":"w","qq":"q","email":"e","remark":"r","clue_custom_field":{"date":1631618303000,"multi":["l1","l2"],"text":"v"}},{"clue_id":"b","remark":"only"}]}`},
		{"clue/back_to_sea", func(c *weiling.Client) (*weiling.BatchResult, error) {
			return c.BackCluesToSea(ctx, &weiling.BackCluesToSeaRequest{ClueIDs: []string{"a"}, SeaID: "sea1"})
		}, `{"clue_ids":["a"],"sea_id":"sea1"}`},
		{"clue/recover", func(c *weiling.Client) (*weiling.BatchResult, error) {
			return c.RecoverClues(ctx, &weiling.RecoverCluesRequest{ClueIDs: []string{"a"}})
		}, `{"clue_ids":["a"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.on(http.MethodPost, tt.op, ok(`{"fail_list":[],"success_list":["a"]}`), ok(`{"fail_list":[{"clue_id":"zz","error_code":1003,"error_msg":"数据不存在"}]}`))
			res, err := tt.call(h.c)
			require.NoError(t, err)
			assert.Equal(t, "a", res.Succeeded[0].ID)
			r := h.last(t)
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/prefix/openapi/"+tt.op, r.Path)
			assert.Equal(t, testToken, r.Query.Get("access_token"))
			assert.JSONEq(t, tt.wantBody, r.Body)
			assert.Equal(t, "application/json", r.CT)
			res, err = tt.call(h.c)
			require.ErrorIs(t, err, weiling.ErrNotFound)
			var be *weiling.BatchError
			require.ErrorAs(t, err, &be)
			assert.Equal(t, tt.op, be.Op)
			assert.Equal(t, "zz", res.Failed[0].ID)
		})
	}
}
