package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"time"

	"github.com/cluekit/cluekit/wshoto"
	"github.com/cluekit/cluekit/wshoto/wshototest"
)

func init() { Register("wshoto", runWshoto) }

// runWshoto walks every typed wshoto endpoint: token, list pools, create
// pool, edit pool, list clues, get clue, edit clue, create follow-up, batch
// return. Live mode needs WSHOTO_BASE_URL, WSHOTO_APPID and WSHOTO_APP_SECRET
// (WSHOTO_USER_ID optionally names the operator staff id); it uses the first
// clue found, and skips, with a note, the steps that need data the tenant
// does not have. Otherwise it runs against wshototest, seeding clues there
// (wshoto documents no create-clue endpoint).
func runWshoto(ctx context.Context, p *Printer, counter *Counter) (string, int, error) {
	mode, err := wshotoLifecycle(ctx, p, counter)
	if err != nil {
		return mode, 0, err
	}
	if err := wshotoReceiveNotify(ctx, p); err != nil {
		return mode, 0, fmt.Errorf("notify: %w", err)
	}
	return mode, 1, nil
}

// wshotoReceiveNotify receives one notify message on a local endpoint that
// parses it with wshoto.ParseNotify (wshoto documents no delivery security:
// a real receiver authenticates deliveries itself, e.g. by a secret path).
func wshotoReceiveNotify(ctx context.Context, p *Printer) error {
	got := make(chan *wshoto.Notify, 1)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		n, err := wshoto.ParseNotify(body)
		if err != nil {
			http.Error(w, "not a notify message", http.StatusBadRequest)
			return
		}
		got <- n
	}))
	defer recv.Close()
	body, err := wshototest.NotifyBody("1540160872865209346", wshoto.NotifyCustomFieldChange,
		map[string]any{"tenant_id": wshototest.NotifyTenantID, "module_keys": []string{wshoto.ModuleClue}}, time.Now())
	if err != nil {
		return err
	}
	if err := wshototest.DeliverNotify(ctx, recv.URL+"/wshoto/notify", body); err != nil {
		return err
	}
	n := <-got
	p.Step("notify %s received: type %d (custom-field change), modules %v", n.MessageID, n.Type, n.CustomFieldChange.ModuleKeys)
	return nil
}

func wshotoLifecycle(ctx context.Context, p *Printer, counter *Counter) (string, error) {
	base, appID, secret := Env("WSHOTO_BASE_URL"), Env("WSHOTO_APPID"), Env("WSHOTO_APP_SECRET")
	operator := Env("WSHOTO_USER_ID")
	mode := "fake"
	var srv *wshototest.Server
	switch {
	case base != "" && appID != "" && secret != "":
		mode = "live"
	case base != "" || appID != "" || secret != "":
		var missing []string
		for name, v := range map[string]string{"WSHOTO_BASE_URL": base, "WSHOTO_APPID": appID, "WSHOTO_APP_SECRET": secret} {
			if v == "" {
				missing = append(missing, name)
			}
		}
		sort.Strings(missing)
		return "live", fmt.Errorf("live mode needs WSHOTO_BASE_URL, WSHOTO_APPID and WSHOTO_APP_SECRET; missing %s", strings.Join(missing, ", "))
	default:
		srv = wshototest.NewServer()
		defer srv.Close()
		base, appID, secret = srv.URL, srv.AppID, srv.AppSecret
		srv.SeedClue(wshototest.Clue{Name: "黄杉少女", MobilePhone: "15827238888", CorpName: "日月光封装测试(上海)有限公司",
			FollowUserID: wshototest.StaffID, State: 1, Label: "etvvCXcAAAZHYVzWCdeCCnTcIM2vtRPw", Area: "湖北省-武汉市-洪山区",
			Remark: "这是描述", AccessCustomerChannel: "广告-巨量引擎-头条", FieldMap: map[string]any{"mf_clue_1": "3234"}})
		srv.SeedClue(wshototest.Clue{Name: "线索2", MobilePhone: "13800000002", FollowUserID: wshototest.StaffID, State: 2})
		srv.SeedClue(wshototest.Clue{Name: "线索3", MobilePhone: "13800000003"})
		p.Step("started the fake 微盛·企微管家 server at %s and seeded 3 clues (wshoto has no create-clue endpoint)", srv.URL)
	}

	counter.TokenOps(wshoto.TokenOp)
	c, err := wshoto.New(appID, secret, wshoto.WithBaseURL(base), wshoto.WithLogger(counter.Logger()), wshoto.WithTimeout(20*time.Second))
	if err != nil {
		return mode, err
	}

	tok, err := c.AccessToken(ctx)
	if err != nil {
		return mode, fmt.Errorf("access token: %w", err)
	}
	p.Step("access token: obtained (%d chars), cached and sent as ?access_token= on every call", len(tok))

	pools, err := c.ListCluePools(ctx, &wshoto.ListCluePoolsRequest{CurrentIndex: 1, PageSize: 20})
	if err != nil {
		return mode, fmt.Errorf("list clue pools: %w", err)
	}
	p.Step("listed clue pools: %d on page 1, %d in total", len(pools.Records), pools.Total)
	if len(pools.Records) > 0 {
		first := pools.Records[0]
		p.Step("first pool %s %q: %d clues, default=%v", first.ID, first.CluePoolName, first.ClueNum, bool(first.IsDefaultPool))
		if operator == "" {
			operator = first.CreateUserID
		}
	}

	name := fmt.Sprintf("cluekit-example-%d", time.Now().Unix())
	poolID, err := c.CreateCluePool(ctx, &wshoto.CreateCluePoolRequest{UserID: operator, CluePoolName: name,
		RecycleRuleType: wshoto.RecycleAuto, SetRecycleDays: 7, DistributeRuleType: wshoto.DistributeManual})
	switch {
	case errors.Is(err, wshoto.ErrAmbiguous):
		p.Step("create pool: outcome unknown (%v); looking it up by name", err)
	case err != nil:
		return mode, fmt.Errorf("create clue pool: %w", err)
	}
	if poolID == "" {
		if poolID, err = wshotoFindPool(ctx, c, name); err != nil {
			return mode, err
		}
		if poolID == "" {
			return mode, fmt.Errorf("create clue pool %q: no id returned and the pool is not in the list", name)
		}
		p.Step("created clue pool %q; no id in the answer, found %s by name", name, poolID)
	} else {
		p.Step("created clue pool %q: id %s", name, poolID)
	}

	if operator == "" {
		p.Step("note: skipping edit pool: no operator staff id known (set WSHOTO_USER_ID)")
	} else {
		err = c.EditCluePool(ctx, &wshoto.EditCluePoolRequest{ID: poolID, UserID: operator, CluePoolName: name + "-edited", RecycleRuleType: wshoto.RecycleNone})
		if err != nil {
			return mode, fmt.Errorf("edit clue pool %s: %w", poolID, err)
		}
		p.Step("edited clue pool %s: renamed to %q, auto-recycling off", poolID, name+"-edited")
	}

	clues, err := c.ListClues(ctx, &wshoto.ListCluesRequest{CurrentIndex: 1, PageSize: 20})
	if err != nil {
		return mode, fmt.Errorf("list clues: %w", err)
	}
	p.Step("listed clues: %d on page 1", len(clues))
	if len(clues) == 0 {
		p.Step("note: no clue in this tenant (wshoto has no create-clue endpoint): skipping get clue, edit clue, create follow-up and batch return")
		return mode, nil
	}
	first := clues[0]
	if operator == "" {
		operator = wshotoFirst(first.FollowUserID, first.CreateUserID)
	}

	detail, err := c.GetClue(ctx, &wshoto.GetClueRequest{ClueID: first.ClueID})
	if err != nil {
		return mode, fmt.Errorf("get clue %s: %w", first.ClueID, err)
	}
	p.Step("got clue %s %q: state %d, pool %q, %d tags, created %s", detail.ClueID, detail.ClueName, detail.State,
		detail.CluePoolName, len(detail.TagList), wshotoTime(detail.GmtCreate))

	followUser := wshotoFirst(detail.FollowUserID, operator)
	if followUser == "" || operator == "" {
		p.Step("note: skipping edit clue, create follow-up and batch return: no staff id known (set WSHOTO_USER_ID)")
		return mode, nil
	}
	edit := &wshoto.EditClueRequest{ClueID: detail.ClueID, ClueName: detail.ClueName, CluePoolID: detail.CluePoolID,
		FollowUserID: followUser, UserID: operator}
	if mode == "live" {
		// Rewrite the current description: exercises the endpoint without
		// changing the tenant's data.
		edit.Remark = wshoto.Ptr(detail.Description)
	} else {
		edit.Remark = wshoto.Ptr("cluekit example: 已电话回访")
		edit.Gender = wshoto.Ptr(wshoto.GenderFemale)
	}
	if err := c.EditClue(ctx, edit); err != nil {
		return mode, fmt.Errorf("edit clue %s: %w", detail.ClueID, err)
	}
	if mode == "live" {
		p.Step("edited clue %s: rewrote its description only (update_specified_fields=[remark])", detail.ClueID)
	} else {
		back, err := c.GetClue(ctx, &wshoto.GetClueRequest{ClueID: detail.ClueID})
		if err != nil {
			return mode, fmt.Errorf("read back clue %s: %w", detail.ClueID, err)
		}
		if back.Description != *edit.Remark || back.ClueCorpName != detail.ClueCorpName || back.Area != detail.Area {
			return mode, fmt.Errorf("edit clue %s: read back description %q, company %q, area %q", detail.ClueID, back.Description, back.ClueCorpName, back.Area)
		}
		p.Step("edited clue %s: description and gender only; read back %q, gender %s, company and area untouched", detail.ClueID, back.Description, back.Gender)
	}

	followID, err := c.CreateFollow(ctx, &wshoto.CreateFollowRequest{Type: wshoto.FollowClue, ID: detail.ClueID.String(), UserID: operator,
		ContactType: wshoto.ContactOther, FollowContent: "cluekit example follow-up"})
	switch {
	case errors.Is(err, wshoto.ErrAmbiguous):
		p.Step("create follow-up: outcome unknown (%v); not retried", err)
	case err != nil:
		return mode, fmt.Errorf("create follow-up for clue %s: %w", detail.ClueID, err)
	case followID == "":
		p.Step("created a follow-up record for clue %s (no id in the answer)", detail.ClueID)
	default:
		p.Step("created follow-up record %s for clue %s", followID, detail.ClueID)
	}

	if srv != nil {
		srv.InvalidateToken()
		p.Step("the fake revoked the access token early: the next call gets code %d, refreshes once and replays", wshototest.CodeInvalidToken)
	}
	res, err := c.BatchReturnClues(ctx, &wshoto.BatchReturnCluesRequest{IDs: []wshoto.ID{detail.ClueID}, UserID: operator, RecoveryRemark: "cluekit example"})
	if err != nil {
		return mode, fmt.Errorf("batch return clue %s: %w", detail.ClueID, err)
	}
	p.Step("batch return: %d returned, %d failed", res.Success, res.Failed)
	for _, it := range res.FailedItems() {
		p.Step("  clue %s not returned: %s", it.ClueID, it.Reason)
	}
	if srv != nil {
		if res.Success != 1 {
			return mode, fmt.Errorf("batch return on the fake: %d returned, want 1", res.Success)
		}
		p.Step("token requests seen by the fake: %d (one at start, one after the revocation)", srv.TokenRequests())
	}
	return mode, nil
}

func wshotoFindPool(ctx context.Context, c *wshoto.Client, name string) (wshoto.ID, error) {
	for pool, err := range c.AllCluePools(ctx, &wshoto.ListCluePoolsRequest{CluePoolName: name}) {
		if err != nil {
			return "", fmt.Errorf("look up clue pool %q: %w", name, err)
		}
		if pool.CluePoolName == name {
			return pool.ID, nil
		}
	}
	return "", nil
}

func wshotoFirst(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func wshotoTime(t wshoto.Timestamp) string {
	if t == 0 {
		return "(unknown)"
	}
	return t.Time().Format(time.RFC3339)
}
