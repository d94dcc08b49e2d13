package wshoto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func compact(t *testing.T, s string) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, json.Compact(&buf, []byte(s)))
	return buf.String()
}

func TestListCluePoolsDocExample(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.reply("/openapi/crm/cluepool/list", fixture(t, "cluepool_list_response.json"))
	page, err := h.c.ListCluePools(ctx(t), &ListCluePoolsRequest{CluePoolName: "线索池名称", CurrentIndex: 1, PageSize: 10})
	require.NoError(t, err)
	checkOne(t, rec, "/openapi/crm/cluepool/list", compact(t, fixture(t, "cluepool_list_request.json")))
	assert.Equal(t, Int(15), page.Total)
	assert.Equal(t, 1, page.CurrentIndex)
	assert.Zero(t, page.NextIndex, "1 pool on a page of 10: the last page")
	require.Len(t, page.Records, 1)
	assert.Equal(t, CluePool{ID: "5012", CluePoolName: "默认线索池", ClueNum: 562, RecycleRuleType: 1, IsDefaultPool: true,
		MainDepartment: "1", ReceiveRule: "管理员分配", CreateUserID: "WaWaWa"}, page.Records[0])
}

func TestListCluePoolsDefaultsAndValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.reply("/openapi/crm/cluepool/list", `{"code":0,"data":{"total":0,"records":[]}}`)
	page, err := h.c.ListCluePools(ctx(t), nil)
	require.NoError(t, err)
	checkOne(t, rec, "/openapi/crm/cluepool/list", `{}`)
	assert.Equal(t, 1, page.CurrentIndex)
	assert.Zero(t, page.NextIndex)
	for _, req := range []*ListCluePoolsRequest{{PageSize: 101}, {PageSize: -2}, {CurrentIndex: -1}} {
		_, err := h.c.ListCluePools(ctx(t), req)
		require.ErrorIs(t, err, ErrInvalidParam)
	}
	assert.Len(t, rec.all(), 1)
}

func TestAllCluePools(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		total     int
		pageSize  int
		wantPages int
	}{
		{"stops at total without an empty page", 200, 0, 2},
		{"short last page", 150, 0, 2},
		{"small pages", 5, 2, 3},
		{"none", 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			rec := h.on(http.MethodPost, "/openapi/crm/cluepool/list", func(s seen) (int, string) {
				var req struct {
					Name         string `json:"clue_pool_name"`
					CurrentIndex int    `json:"current_index"`
					PageSize     int    `json:"page_size"`
				}
				require.NoError(t, json.Unmarshal([]byte(s.Body), &req))
				assert.Equal(t, "池", req.Name)
				var recs []string
				for i := (req.CurrentIndex - 1) * req.PageSize; i < min(tt.total, req.CurrentIndex*req.PageSize); i++ {
					recs = append(recs, fmt.Sprintf(`{"id":%d,"clue_num":"%d"}`, int64(1591005280874161218)+int64(i), i))
				}
				return 200, fmt.Sprintf(`{"code":0,"data":{"total":%d,"records":[%s]}}`, tt.total, strings.Join(recs, ","))
			})
			got, err := collect(t, h.c.AllCluePools(ctx(t), &ListCluePoolsRequest{CluePoolName: "池", PageSize: tt.pageSize}), -1)
			require.NoError(t, err)
			assert.Len(t, got, tt.total)
			assert.Len(t, rec.all(), tt.wantPages)
			if tt.total > 1 {
				assert.Equal(t, NumericID("1591005280874161219"), got[1].ID)
				assert.Equal(t, Int(1), got[1].ClueNum)
			}
		})
	}
}

func TestCreateCluePoolDocExample(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	list := h.reply("/openapi/crm/cluepool/list", noPools)
	rec := h.reply("/openapi/crm/cluepool/create", fixture(t, "cluepool_create_response.json"))
	res, err := h.c.CreateCluePool(ctx(t), &CreateCluePoolRequest{
		UserID: "test_4f1469442b8b", CluePoolName: "test_dc577797d715", RecycleRuleType: RecycleAuto, SetRecycleDays: 7,
		GroupIDs: []string{"test_18a5fc5f8560"}, DistributeRuleType: DistributeManual, DistributeDeptIDs: []string{"test_e54eb6104387"},
		DistributeUserIDs: []string{"test_d0e596abef05"}, NotFollowRecycleDays: 7,
	})
	require.NoError(t, err)
	checkOne(t, list, "/openapi/crm/cluepool/list", `{"clue_pool_name":"test_dc577797d715","current_index":1,"page_size":100}`)
	checkOne(t, rec, "/openapi/crm/cluepool/create", compact(t, fixture(t, "cluepool_create_request.json")))
	assert.Equal(t, &CreateCluePoolResult{ID: "1000"}, res)
}

// noPools is a cluepool/list answer with no pool.
const noPools = `{"code":0,"msg":"请求成功","data":{"total":0,"records":[]}}`

func TestCreatedIDShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
		want       NumericID
		wantErr    bool
	}{
		{"number", `1591005280874161219`, "1591005280874161219", false},
		{"string", `"1591005280874161219"`, "1591005280874161219", false},
		{"object", `{"id":1591005280874161219}`, "1591005280874161219", false},
		{"null", `null`, "", false},
		{"absent", ``, "", false},
		{"garbage", `"abc"`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.reply("/openapi/crm/cluepool/list", noPools)
			body := `{"code":0,"msg":"请求成功"}`
			if tt.data != "" {
				body = `{"code":0,"msg":"请求成功","data":` + tt.data + `}`
			}
			h.reply("/openapi/crm/cluepool/create", body)
			res, err := h.c.CreateCluePool(ctx(t), &CreateCluePoolRequest{CluePoolName: "p"})
			if tt.wantErr {
				require.ErrorIs(t, err, ErrBadResponse)
				assert.NotErrorIs(t, err, ErrAmbiguous)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, "0", apiErr.Code, "code 0: the pool was created")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.ID)
		})
	}
}

func TestCreateCluePoolMinimalBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.reply("/openapi/crm/cluepool/list", noPools)
	rec := h.reply("/openapi/crm/cluepool/create", `{"code":0,"data":1}`)
	_, err := h.c.CreateCluePool(ctx(t), &CreateCluePoolRequest{CluePoolName: "池"})
	require.NoError(t, err)
	checkOne(t, rec, "/openapi/crm/cluepool/create", `{"clue_pool_name":"池","recycle_rule_type":0,"distribute_rule_type":0}`)
}

func TestCreateCluePoolValidation(t *testing.T) {
	t.Parallel()
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint("id", i)
		}
		return out
	}
	tests := []struct {
		name string
		req  *CreateCluePoolRequest
		ok   bool
	}{
		{"nil", nil, false},
		{"21 group ids", &CreateCluePoolRequest{GroupIDs: ids(21)}, false},
		{"20 group ids", &CreateCluePoolRequest{GroupIDs: ids(20)}, true},
		{"101 dept ids", &CreateCluePoolRequest{DistributeDeptIDs: ids(101)}, false},
		{"101 user ids", &CreateCluePoolRequest{DistributeUserIDs: ids(101)}, false},
		{"100 each", &CreateCluePoolRequest{DistributeDeptIDs: ids(100), DistributeUserIDs: ids(100)}, true},
		{"auto without ids", &CreateCluePoolRequest{DistributeRuleType: DistributeAuto}, false},
		{"claim without ids", &CreateCluePoolRequest{DistributeRuleType: DistributeClaim}, false},
		{"auto with users", &CreateCluePoolRequest{DistributeRuleType: DistributeAuto, DistributeUserIDs: ids(1)}, true},
		{"claim with depts", &CreateCluePoolRequest{DistributeRuleType: DistributeClaim, DistributeDeptIDs: ids(1)}, true},
		{"distribute 3", &CreateCluePoolRequest{DistributeRuleType: 3}, false},
		{"recycle 2", &CreateCluePoolRequest{RecycleRuleType: 2}, false},
		{"negative days", &CreateCluePoolRequest{SetRecycleDays: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.reply("/openapi/crm/cluepool/create", `{"code":0,"data":1}`)
			_, err := h.c.CreateCluePool(ctx(t), tt.req)
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidParam)
			assert.Zero(t, h.tr.GetTotalCallCount())
		})
	}
}

func TestCreatesAreNotRetriedWhenAmbiguous(t *testing.T) {
	t.Parallel()
	for _, status := range []int{500, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			pool := h.on(http.MethodPost, "/openapi/crm/cluepool/create", func(seen) (int, string) { return status, "" })
			follow := h.on(http.MethodPost, "/openapi/crm/follow/create", func(seen) (int, string) { return status, "" })
			_, err := h.c.CreateCluePool(ctx(t), &CreateCluePoolRequest{CluePoolName: "p"})
			require.ErrorIs(t, err, ErrAmbiguous)
			_, err = h.c.CreateFollow(ctx(t), &CreateFollowRequest{Type: FollowClue, ID: "1", UserID: "u", ContactType: ContactOther, FollowContent: "c"})
			require.ErrorIs(t, err, ErrAmbiguous)
			assert.Len(t, pool.all(), 1)
			assert.Len(t, follow.all(), 1)
		})
	}
}

func TestEditCluePoolDocExample(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.reply("/openapi/crm/cluepool/edit", okTrue)
	res, err := h.c.EditCluePool(ctx(t), &EditCluePoolRequest{
		ID: "123", UserID: "test_4f1469442b8b", CluePoolName: "test_dc577797d715", RecycleRuleType: RecycleAuto, SetRecycleDays: Ptr(7),
		GroupIDs: []string{"test_18a5fc5f8560"}, DistributeRuleType: Ptr(DistributeManual), DistributeDeptIDs: []string{"test_e54eb6104387"},
		DistributeUserIDs: []string{"test_d0e596abef05"}, NotFollowRecycleDays: Ptr(7),
	})
	require.NoError(t, err)
	assert.Equal(t, &EditCluePoolResult{ID: "123"}, res)
	checkOne(t, rec, "/openapi/crm/cluepool/edit", compact(t, fixture(t, "cluepool_edit_request.json")))
}

func TestEditCluePoolMinimalAndValidation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.reply("/openapi/crm/cluepool/edit", okTrue)
	_, err := h.c.EditCluePool(ctx(t), &EditCluePoolRequest{ID: "1591005280874161218", UserID: "u", CluePoolName: "p"})
	require.NoError(t, err)
	checkOne(t, rec, "/openapi/crm/cluepool/edit", `{"id":1591005280874161218,"user_id":"u","clue_pool_name":"p","recycle_rule_type":0}`)
	bad := []*EditCluePoolRequest{
		nil,
		{UserID: "u", CluePoolName: "p"},
		{ID: "x1", UserID: "u", CluePoolName: "p"},
		{ID: "1", CluePoolName: "p"},
		{ID: "1", UserID: "u"},
		{ID: "1", UserID: "u", CluePoolName: "p", RecycleRuleType: 5},
		{ID: "1", UserID: "u", CluePoolName: "p", DistributeRuleType: Ptr(DistributeAuto)},
		{ID: "1", UserID: "u", CluePoolName: "p", GroupIDs: make([]string, 21)},
	}
	for _, req := range bad {
		res, err := h.c.EditCluePool(ctx(t), req)
		require.ErrorIs(t, err, ErrInvalidParam)
		assert.Nil(t, res)
	}
	assert.Len(t, rec.all(), 1)
}

func TestEditCluePoolDataFalse(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.reply("/openapi/crm/cluepool/edit", `{"code":0,"msg":"请求成功","data":false}`)
	res, err := h.c.EditCluePool(ctx(t), &EditCluePoolRequest{ID: "1", UserID: "u", CluePoolName: "p"})
	assert.Nil(t, res)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Message, "data=false")
}
