package wshototest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/wshoto"
	"github.com/cluekit/cluekit/wshoto/wshototest"
)

func setup(t *testing.T, opts ...wshototest.Option) (*wshototest.Server, *wshoto.Client, *testkit.Buffer) {
	t.Helper()
	srv := wshototest.NewServer(opts...)
	t.Cleanup(srv.Close)
	logger, logs := testkit.Logger()
	c, err := wshoto.New(srv.AppID, srv.AppSecret, wshoto.WithBaseURL(srv.URL), wshoto.WithLogger(logger),
		core.WithSleep((&testkit.Sleeper{}).Sleep), wshoto.WithClock(srv.Now))
	require.NoError(t, err)
	t.Cleanup(func() { testkit.NoSecrets(t, logs.String(), srv.AppSecret) })
	return srv, c, logs
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// raw posts body to path with the given token and decodes the envelope.
func raw(t *testing.T, srv *wshototest.Server, path, tok, body string) (int, map[string]any) {
	t.Helper()
	u := srv.URL + path
	if tok != "" {
		u += "?access_token=" + tok
	}
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var env map[string]any
	if resp.StatusCode == 200 {
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&env))
	}
	return resp.StatusCode, env
}

func code(env map[string]any) string { return env["code"].(json.Number).String() }

func TestFakeLifecycle(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	id := srv.SeedClue(wshototest.Clue{Name: "黄杉少女", CorpName: "日月光", FollowUserID: wshototest.StaffID, State: 1,
		Label: "etvvCXcAAAZHYVzWCdeCCnTcIM2vtRPw", Remark: "这是描述", FieldMap: map[string]any{"mf_clue_1": "3234"}})
	require.Len(t, id, 19)

	page, err := c.ListClues(ctx(t), &wshoto.ListCluesRequest{States: []wshoto.ClueState{wshoto.ClueStateToBeAdded}})
	require.NoError(t, err)
	clues := page.Records
	require.Len(t, clues, 1)
	assert.Equal(t, wshoto.NumericID(id), clues[0].ClueID)
	assert.Equal(t, []wshoto.Tag{{ID: "etvvCXcAAAZHYVzWCdeCCnTcIM2vtRPw", Name: "小学"}}, clues[0].TagList)

	_, err = c.EditClue(ctx(t), &wshoto.EditClueRequest{ClueID: clues[0].ClueID, ClueName: "ignored unless applied", CluePoolID: clues[0].CluePoolID,
		FollowUserID: wshototest.StaffID, UserID: wshototest.StaffID, Remark: wshoto.Ptr("已回访"), Birthday: wshoto.Ptr(time.Unix(1285904160, 0))})
	require.NoError(t, err)
	stored, ok := srv.Clue(id)
	require.True(t, ok)
	assert.Equal(t, "已回访", stored.Remark)
	assert.Equal(t, int64(1285904160), stored.Birthday)
	assert.Equal(t, "黄杉少女", stored.Name, "clue_name not listed: unchanged")
	assert.Equal(t, "日月光", stored.CorpName, "unset fields are untouched")
	assert.Equal(t, "3234", stored.FieldMap["mf_clue_1"])

	d, err := c.GetClue(ctx(t), &wshoto.GetClueRequest{ClueID: wshoto.NumericID(id)})
	require.NoError(t, err)
	assert.Equal(t, "已回访", d.Description)
	assert.Equal(t, time.Unix(1285904160, 0).In(wshoto.CST), d.Birthday.Time())

	_, err = c.EditClue(ctx(t), &wshoto.EditClueRequest{ClueID: d.ClueID, ClueName: d.ClueName, CluePoolID: d.CluePoolID,
		FollowUserID: d.FollowUserID, UserID: wshototest.StaffID, ClueCorpName: wshoto.Ptr("")})
	require.NoError(t, err)
	stored, _ = srv.Clue(id)
	assert.Equal(t, "", stored.CorpName, "cleared on purpose")
	assert.Equal(t, "已回访", stored.Remark)

	created, err := c.CreateCluePool(ctx(t), &wshoto.CreateCluePoolRequest{UserID: wshototest.StaffID, CluePoolName: "新池", RecycleRuleType: wshoto.RecycleAuto})
	require.NoError(t, err)
	poolID := created.ID
	p, ok := srv.Pool(poolID.String())
	require.True(t, ok)
	assert.Equal(t, int64(7), p.SetRecycleDays, "vendor default")
	_, err = c.EditCluePool(ctx(t), &wshoto.EditCluePoolRequest{ID: poolID, UserID: wshototest.StaffID, CluePoolName: "改名", RecycleRuleType: wshoto.RecycleNone})
	require.NoError(t, err)
	pools, err := c.ListCluePools(ctx(t), &wshoto.ListCluePoolsRequest{CluePoolName: "改名"})
	require.NoError(t, err)
	require.Len(t, pools.Records, 1)
	assert.Equal(t, poolID, pools.Records[0].ID)

	fres, err := c.CreateFollow(ctx(t), &wshoto.CreateFollowRequest{Type: wshoto.FollowClue, ID: wshoto.ID(id), UserID: wshototest.StaffID,
		ContactType: wshoto.ContactPhone, FollowContent: "电话回访"})
	require.NoError(t, err)
	require.Len(t, srv.Follows(), 1)
	assert.Equal(t, fres.ID.String(), srv.Follows()[0].ID)

	res, err := c.BatchReturnClues(ctx(t), &wshoto.BatchReturnCluesRequest{IDs: []wshoto.NumericID{wshoto.NumericID(id), "1591005521987920000"}, UserID: wshototest.StaffID, RecoveryRemark: "无意向"})
	var batchErr *wshoto.BatchError
	require.ErrorAs(t, err, &batchErr, "one clue refused")
	require.Len(t, batchErr.Failed, 1)
	assert.Equal(t, "1591005521987920000", batchErr.Failed[0].ID)
	assert.ErrorIs(t, err, wshoto.ErrNotFound)
	assert.Equal(t, int64(1), res.Success)
	assert.Equal(t, []wshoto.BatchReturnItem{{ClueID: "1591005521987920000", Reason: "线索不存在"}}, res.FailedItems())
	stored, _ = srv.Clue(id)
	assert.Equal(t, 1, stored.RecoveryNum)
	assert.Equal(t, 0, stored.State)
	assert.Equal(t, 1, srv.TokenRequests())
}

// TestFakeEditWithoutFieldListClearsEverything shows the hazard the SDK's
// EditClueRequest prevents: without update_specified_fields the vendor
// edits every field and clears those sent empty or not at all.
func TestFakeEditWithoutFieldListClearsEverything(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	id := srv.SeedClue(wshototest.Clue{Name: "n", CorpName: "企业", Remark: "描述", Email: "a@b.c", FollowUserID: "f", FieldMap: map[string]any{"mf_clue_1": "x"}})
	var ok bool
	err := c.Do(ctx(t), http.MethodPost, "/openapi/crm/clue/edit", map[string]any{
		"clue_id": json.Number(id), "clue_name": "n", "clue_pool_id": json.Number(srv.DefaultPoolID()), "follow_user_id": "f", "user_id": "u", "remark": "新描述",
	}, &ok)
	require.NoError(t, err)
	assert.True(t, ok)
	stored, _ := srv.Clue(id)
	assert.Equal(t, "新描述", stored.Remark)
	assert.Empty(t, stored.CorpName)
	assert.Empty(t, stored.Email)
	assert.Empty(t, stored.FieldMap)
}

func TestFakeTokenChecks(t *testing.T) {
	t.Parallel()
	srv := wshototest.NewServer()
	t.Cleanup(srv.Close)
	status, env := raw(t, srv, "/openapi/crm/clue/page", "", `{"current_index":1,"page_size":10}`)
	require.Equal(t, 200, status)
	assert.Equal(t, "10001", code(env), "missing token")
	_, env = raw(t, srv, "/openapi/crm/clue/page", "forged", `{"current_index":1,"page_size":10}`)
	assert.Equal(t, "10001", code(env), "unknown token")

	resp, err := http.Get(srv.URL + "/openapi/access_token?appid=" + srv.AppID + "&app_secret=" + srv.AppSecret)
	require.NoError(t, err)
	var tok struct {
		Code int `json:"code"`
		Data struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int64  `json:"expires_in"`
			CreateAt    int64  `json:"create_at"`
		} `json:"data"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	assert.Equal(t, int64(7200), tok.Data.ExpiresIn)
	assert.NotZero(t, tok.Data.CreateAt)
	_, env = raw(t, srv, "/openapi/crm/clue/page", tok.Data.AccessToken, `{"current_index":1,"page_size":10}`)
	assert.Equal(t, "0", code(env))

	_, env = raw(t, srv, "/openapi/crm/clue/page", tok.Data.AccessToken, `{"current_index":1,"page_size":101}`)
	assert.Equal(t, "30001", code(env), "page_size over 100")
	_, env = raw(t, srv, "/openapi/crm/clue/info", tok.Data.AccessToken, `{"clue_id":"1591005521987920962"}`)
	assert.Equal(t, "30001", code(env), "a long sent as a string")
	_, env = raw(t, srv, "/openapi/crm/clue/info", tok.Data.AccessToken, `{"clue_id":1591005521987920999}`)
	assert.Equal(t, "30004", code(env), "unknown clue")
	_, env = raw(t, srv, "/openapi/crm/clue/edit", tok.Data.AccessToken, `{"clue_id":1}`)
	assert.Equal(t, "30001", code(env), "missing required fields")

	srv.InvalidateTokens()
	_, env = raw(t, srv, "/openapi/crm/clue/page", tok.Data.AccessToken, `{"current_index":1,"page_size":10}`)
	assert.Equal(t, "10001", code(env), "revoked")

	status, _ = raw(t, srv, "/openapi/access_token", "", ``)
	assert.Equal(t, http.StatusMethodNotAllowed, status)
}

func TestFakeBadCredentials(t *testing.T) {
	t.Parallel()
	srv := wshototest.NewServer(wshototest.WithCredentials("app-1", "secret-1"))
	t.Cleanup(srv.Close)
	c, err := wshoto.New("app-1", "wrong-secret-value", wshoto.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.AccessToken(ctx(t))
	var apiErr *wshoto.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "20001", apiErr.Code)
	testkit.NoSecrets(t, err.Error(), "wrong-secret-value", "secret-1")
}

func TestFakeTokenExpiryAndRevocation(t *testing.T) {
	t.Parallel()
	clock := fake.NewClock()
	srv, c, _ := setup(t, wshototest.WithClock(clock.Now), wshototest.WithTokenTTL(time.Hour))
	list := func() {
		t.Helper()
		_, err := c.ListCluePools(ctx(t), nil)
		require.NoError(t, err)
	}
	list()
	list()
	assert.Equal(t, 1, srv.TokenRequests())

	clock.Advance(time.Hour + time.Second) // both the client and the fake see it expire
	list()
	assert.Equal(t, 2, srv.TokenRequests(), "refreshed after expiry")
	assert.Equal(t, 2, srv.TokensIssued())

	srv.InvalidateTokens()
	list()
	assert.Equal(t, 3, srv.TokenRequests(), "refreshed after revocation")
	assert.Equal(t, 5, srv.Requests("cluepool/list"), "the revoked call was replayed once")
}

func TestFakeTokenReusedWhileValid(t *testing.T) {
	t.Parallel()
	srv := wshototest.NewServer()
	t.Cleanup(srv.Close)
	get := func() string {
		resp, err := http.Get(srv.URL + "/openapi/access_token?appid=" + srv.AppID + "&app_secret=" + srv.AppSecret)
		require.NoError(t, err)
		defer resp.Body.Close()
		var v struct {
			Data struct {
				AccessToken string `json:"access_token"`
			} `json:"data"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
		return v.Data.AccessToken
	}
	a, b := get(), get()
	assert.Equal(t, a, b, "same token while valid, as the vendor documents")
	assert.Equal(t, 1, srv.TokensIssued())
}

func TestFakeConcurrentRevocationRefreshesOnce(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	_, err := c.AccessToken(ctx(t))
	require.NoError(t, err)
	srv.InvalidateTokens()
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.ListCluePools(ctx(t), nil)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 2, srv.TokenRequests(), "one refresh for all")
	assert.LessOrEqual(t, srv.Requests("cluepool/list"), 100, "at most one replay each")
}

func TestFakeFaults(t *testing.T) {
	t.Parallel()
	t.Run("retried query", func(t *testing.T) {
		t.Parallel()
		srv, c, _ := setup(t)
		srv.Faults.Add(fake.Fault{Op: "clue/page", Status: 503})
		_, err := c.ListClues(ctx(t), nil)
		require.NoError(t, err)
		assert.Equal(t, 2, srv.Requests("clue/page"))
	})
	t.Run("create applied then reset is found by name", func(t *testing.T) {
		t.Parallel()
		srv, c, _ := setup(t)
		srv.Faults.Add(fake.Fault{Op: "cluepool/create", Reset: true, AfterApply: true})
		res, err := c.CreateCluePool(ctx(t), &wshoto.CreateCluePoolRequest{CluePoolName: "p"})
		require.NoError(t, err)
		assert.True(t, res.Resolved)
		assert.Equal(t, 1, srv.Requests("cluepool/create"))
		_, stored := srv.Pool(string(res.ID))
		assert.True(t, stored)
	})
	t.Run("create applied then reset, pools not listed first, is ambiguous", func(t *testing.T) {
		t.Parallel()
		srv, c, _ := setup(t)
		srv.Faults.Add(fake.Fault{Op: "cluepool/list", Status: 403}, fake.Fault{Op: "cluepool/create", Reset: true, AfterApply: true})
		_, err := c.CreateCluePool(ctx(t), &wshoto.CreateCluePoolRequest{CluePoolName: "p"})
		require.ErrorIs(t, err, wshoto.ErrAmbiguous)
		assert.Equal(t, 1, srv.Requests("cluepool/create"))
		assert.Equal(t, 1, srv.Requests("cluepool/list"), "the first listing only: nothing to tell a new pool by")
		pools, err := c.ListCluePools(ctx(t), &wshoto.ListCluePoolsRequest{CluePoolName: "p"})
		require.NoError(t, err)
		assert.Len(t, pools.Records, 1, "the pool exists: check before creating again")
	})
	t.Run("malformed body", func(t *testing.T) {
		t.Parallel()
		srv, c, _ := setup(t)
		srv.Faults.Add(fake.Fault{Op: "clue/info", Body: []byte(`<html>`)})
		_, err := c.GetClue(ctx(t), &wshoto.GetClueRequest{ClueID: "1"})
		require.ErrorIs(t, err, wshoto.ErrBadResponse)
	})
	t.Run("token endpoint down", func(t *testing.T) {
		t.Parallel()
		srv, c, logs := setup(t)
		srv.Faults.Add(fake.Fault{Op: "access_token", Status: 503}, fake.Fault{Op: "access_token", Status: 503}, fake.Fault{Op: "access_token", Status: 503})
		_, err := c.ListClues(ctx(t), nil)
		require.Error(t, err)
		testkit.NoSecrets(t, err.Error(), srv.AppSecret)
		testkit.NoSecrets(t, logs.String(), srv.AppSecret)
	})
}

func TestFakeListFilters(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	pool := srv.DefaultPoolID()
	now := srv.Now()
	srv.SeedClue(wshototest.Clue{Name: "a", FollowUserID: "u1", State: 1, Label: "t1,t2", GmtCreate: now.Add(-time.Hour)})
	srv.SeedClue(wshototest.Clue{Name: "b", FollowUserID: "u2", State: 2, Label: "t2", GmtCreate: now})
	srv.SeedClue(wshototest.Clue{Name: "c", State: 0, GmtCreate: now})
	tests := []struct {
		name string
		req  wshoto.ListCluesRequest
		want []string
	}{
		{"all", wshoto.ListCluesRequest{}, []string{"a", "b", "c"}},
		{"follower", wshoto.ListCluesRequest{FollowUserID: "u2"}, []string{"b"}},
		{"states", wshoto.ListCluesRequest{States: []wshoto.ClueState{0, 1}}, []string{"a", "c"}},
		{"since", wshoto.ListCluesRequest{StartTime: now.Add(-time.Minute)}, []string{"b", "c"}},
		{"any tag", wshoto.ListCluesRequest{TagRelationType: wshoto.TagRelationAny, TagIDs: "t1,t9"}, []string{"a"}},
		{"all tags", wshoto.ListCluesRequest{TagRelationType: wshoto.TagRelationAll, TagIDs: "t2"}, []string{"a", "b"}},
		{"no tags", wshoto.ListCluesRequest{TagRelationType: wshoto.TagRelationNone}, []string{"c"}},
		{"pool", wshoto.ListCluesRequest{CluePoolIDs: []wshoto.NumericID{wshoto.NumericID(pool)}}, []string{"a", "b", "c"}},
		{"other pool", wshoto.ListCluesRequest{CluePoolIDs: []wshoto.NumericID{"1"}}, nil},
		{"page 2 of 2", wshoto.ListCluesRequest{CurrentIndex: 2, PageSize: 2}, []string{"c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := c.ListClues(ctx(t), &tt.req)
			require.NoError(t, err)
			var names []string
			for _, cl := range page.Records {
				names = append(names, cl.ClueName)
			}
			assert.Equal(t, tt.want, names)
		})
	}
	var n int
	for _, err := range c.AllClues(ctx(t), &wshoto.ListCluesRequest{PageSize: 1}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 3, n)
}
