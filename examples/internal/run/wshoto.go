package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/cluekit/cluekit/wshoto"
	"github.com/cluekit/cluekit/wshoto/wshototest"
)

func init() {
	Register("wshoto", Vars{
		Required: []string{"WSHOTO_APP_ID", "WSHOTO_APP_SECRET"},
		Optional: []string{"WSHOTO_BASE_URL", "WSHOTO_USER_ID", "WSHOTO_CLUE_ID"},
	}, runWshoto)
}

// wshotoRun is one run of the wshoto lifecycle: access token, clue pools
// (list; create and edit against the fake only), clues (list, get, edit),
// a follow-up record, a batch return, and one notify message received.
//
// wshoto documents no way to create or delete a clue, nor to delete a pool.
// So in live mode the example creates no pool (it could not remove it), and
// it changes only the clue named by WSHOTO_CLUE_ID: it sets the clue's
// description and restores it, adds a follow-up record to it and returns it
// to its pool. Without WSHOTO_CLUE_ID those steps are skipped. WSHOTO_USER_ID
// names the operator staff id (default: the clue's follower). Against the
// fake, the example seeds the clues it works on.
type wshotoRun struct {
	s        *Session
	c        *wshoto.Client
	srv      *wshototest.Server // the fake, nil in live and dry-run modes
	operator string             // user_id of the changing calls
	clueID   wshoto.NumericID   // the clue the example may change ("" = none)
}

func runWshoto(ctx context.Context, s *Session) error {
	r := &wshotoRun{s: s, operator: s.Get("WSHOTO_USER_ID")}
	if err := r.setup(); err != nil {
		return err
	}
	defer r.close()
	steps := []func(context.Context) error{
		r.token, r.listPools, r.createPool, r.listClues, r.editClue, r.follow, r.batchReturn, r.notify,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// setup reads WSHOTO_CLUE_ID and builds the client: against the fake (with
// seeded clues) when no credentials are set, against the vendor in live
// mode, none in a dry run.
func (r *wshotoRun) setup() error {
	if raw := r.s.Get("WSHOTO_CLUE_ID"); raw != "" {
		if n, err := strconv.ParseInt(raw, 10, 64); err != nil || n <= 0 {
			return fmt.Errorf("WSHOTO_CLUE_ID=%q is not a clue id (a positive integer)", raw)
		}
		r.clueID = wshoto.NumericID(raw)
	}
	opts := []wshoto.Option{wshoto.WithObserver(r.s.Observer), wshoto.WithTimeout(20 * time.Second)}
	appID, secret := r.s.Get("WSHOTO_APP_ID"), r.s.Get("WSHOTO_APP_SECRET")
	switch {
	case r.s.DryRun:
		return nil
	case r.s.Live:
		if base := r.s.Get("WSHOTO_BASE_URL"); base != "" {
			opts = append(opts, wshoto.WithBaseURL(base))
		}
	default:
		r.startFake()
		appID, secret = wshototest.DefaultAppID, wshototest.DefaultAppSecret
		opts = append(opts, wshoto.WithBaseURL(r.srv.URL))
	}
	c, err := wshoto.New(appID, secret, opts...)
	r.c = c
	return err
}

// startFake starts the fake and seeds the clues the example works on
// (wshoto has no create-clue endpoint).
func (r *wshotoRun) startFake() {
	r.srv = wshototest.NewServer()
	id := r.srv.SeedClue(wshototest.Clue{Name: "黄杉少女", MobilePhone: "15827238888", CorpName: "日月光封装测试(上海)有限公司",
		FollowUserID: wshototest.StaffID, State: 1, Label: "etvvCXcAAAZHYVzWCdeCCnTcIM2vtRPw", Area: "湖北省-武汉市-洪山区",
		Remark: "这是描述", AccessCustomerChannel: "广告-巨量引擎-头条", FieldMap: map[string]any{"mf_clue_1": "3234"}})
	r.srv.SeedClue(wshototest.Clue{Name: "线索2", MobilePhone: "13800000002", FollowUserID: wshototest.StaffID, State: 2})
	r.srv.SeedClue(wshototest.Clue{Name: "线索3", MobilePhone: "13800000003"})
	r.clueID, r.operator = wshoto.NumericID(id), wshototest.StaffID
	r.s.Step("started the fake 微盛·企微管家 server at %s and seeded %s (wshoto has no create-clue endpoint)",
		r.srv.URL, Plural(3, "clue"))
}

func (r *wshotoRun) close() {
	if r.srv != nil {
		r.srv.Close()
	}
}

// token obtains the access token (reads are not made in a dry run).
func (r *wshotoRun) token(ctx context.Context) error {
	if r.c == nil {
		return nil
	}
	tok, err := r.c.AccessToken(ctx)
	if err != nil {
		return fmt.Errorf("access token: %w", err)
	}
	r.s.Step("obtained an access token (%d chars), cached and sent as ?access_token= on every call", len(tok))
	return nil
}

func (r *wshotoRun) listPools(ctx context.Context) error {
	if r.c == nil {
		return nil
	}
	page, err := r.c.ListCluePools(ctx, &wshoto.ListCluePoolsRequest{CurrentIndex: 1, PageSize: 20})
	if err != nil {
		return fmt.Errorf("list clue pools: %w", err)
	}
	r.s.Step("listed %s (page %d%s, %d in total)", Plural(len(page.Records), "clue pool"), page.CurrentIndex, wshotoLast(page.NextIndex), page.Total)
	if len(page.Records) > 0 {
		p := page.Records[0]
		r.s.Step("first pool %s %q: %s, default %v", p.ID, p.CluePoolName, Plural(int(p.ClueNum), "clue"), bool(p.IsDefaultPool))
	}
	return nil
}

// createPool creates a pool and edits it, against the fake only: wshoto
// documents no way to delete a pool, so live mode would leave it behind.
func (r *wshotoRun) createPool(ctx context.Context) error {
	if r.srv == nil {
		r.s.Skip("create and edit a clue pool: wshoto documents no way to delete a pool, and live mode leaves nothing behind")
		return nil
	}
	name := fmt.Sprintf("cluekit-example-%d", time.Now().Unix())
	if !r.s.Change("create clue pool %q", name) {
		return nil
	}
	res, err := r.c.CreateCluePool(ctx, &wshoto.CreateCluePoolRequest{UserID: r.operator, CluePoolName: name,
		RecycleRuleType: wshoto.RecycleAuto, SetRecycleDays: 7, DistributeRuleType: wshoto.DistributeManual})
	if err != nil {
		return fmt.Errorf("create clue pool %q: %w", name, err)
	}
	r.s.Step("created clue pool %q: id %s", name, res.ID)
	if !r.s.Change("rename clue pool %s", res.ID) {
		return nil
	}
	_, err = r.c.EditCluePool(ctx, &wshoto.EditCluePoolRequest{ID: res.ID, UserID: r.operator, CluePoolName: name + "-edited", RecycleRuleType: wshoto.RecycleNone})
	if err != nil {
		return fmt.Errorf("edit clue pool %s: %w", res.ID, err)
	}
	r.s.Step("edited clue pool %s: renamed to %q, auto-recycling off", res.ID, name+"-edited")
	return nil
}

func (r *wshotoRun) listClues(ctx context.Context) error {
	if r.c == nil {
		return nil
	}
	page, err := r.c.ListClues(ctx, &wshoto.ListCluesRequest{CurrentIndex: 1, PageSize: 20})
	if err != nil {
		return fmt.Errorf("list clues: %w", err)
	}
	r.s.Step("listed %s (page %d%s)", Plural(len(page.Records), "clue"), page.CurrentIndex, wshotoLast(page.NextIndex))
	return nil
}

// editClue sets the named clue's description, reads it back, and restores
// it: only the description is sent (update_specified_fields [remark]).
func (r *wshotoRun) editClue(ctx context.Context) error {
	if r.clueID == "" {
		r.s.Skip("edit a clue, add a follow-up record, return a clue to its pool: set WSHOTO_CLUE_ID to name the clue the example may change")
		return nil
	}
	if !r.s.Change("edit clue %s: set its description, then restore it", r.clueID) {
		return nil
	}
	d, err := r.getClue(ctx)
	if err != nil || r.clueID == "" {
		return err
	}
	marker := "cluekit example " + time.Now().In(wshoto.CST).Format(time.DateTime)
	if err := r.setRemark(ctx, d, marker); err != nil {
		return err
	}
	back, err := r.c.GetClue(ctx, &wshoto.GetClueRequest{ClueID: d.ClueID})
	if err != nil {
		return fmt.Errorf("read back clue %s: %w", d.ClueID, err)
	}
	if back.Description != marker || back.ClueCorpName != d.ClueCorpName || back.Area != d.Area {
		return fmt.Errorf("edit clue %s: read back description %q, company %q, area %q", d.ClueID, back.Description, back.ClueCorpName, back.Area)
	}
	r.s.Step("edited clue %s: description only; read back %q, company and area untouched", d.ClueID, back.Description)
	if err := r.setRemark(ctx, d, d.Description); err != nil {
		return err
	}
	r.s.Step("restored clue %s's description to %q", d.ClueID, d.Description)
	return nil
}

// getClue reads the named clue and settles the operator (WSHOTO_USER_ID,
// else its follower or creator); without one, the changing steps are
// skipped.
func (r *wshotoRun) getClue(ctx context.Context) (*wshoto.ClueDetail, error) {
	d, err := r.c.GetClue(ctx, &wshoto.GetClueRequest{ClueID: r.clueID})
	if err != nil {
		return nil, fmt.Errorf("get clue %s: %w", r.clueID, err)
	}
	r.s.Step("read clue %s %q: state %d, pool %q, %s, created %s", d.ClueID, d.ClueName, d.State, d.CluePoolName,
		Plural(len(d.TagList), "tag"), wshotoTime(d.GmtCreate))
	for _, id := range []string{r.operator, d.FollowUserID, d.CreateUserID} {
		if r.operator == "" {
			r.operator = id
		}
	}
	if r.operator == "" {
		r.s.Skip("edit clue %s, add a follow-up record, return it to its pool: no operator staff id known; set WSHOTO_USER_ID", d.ClueID)
		r.clueID = ""
	}
	return d, nil
}

func (r *wshotoRun) setRemark(ctx context.Context, d *wshoto.ClueDetail, remark string) error {
	// follow_user_id is required but not applied: it is not listed in
	// update_specified_fields.
	follower := d.FollowUserID
	if follower == "" {
		follower = r.operator
	}
	_, err := r.c.EditClue(ctx, &wshoto.EditClueRequest{ClueID: d.ClueID, ClueName: d.ClueName, CluePoolID: d.CluePoolID,
		FollowUserID: follower, UserID: r.operator, Remark: wshoto.Ptr(remark)})
	if err != nil {
		return fmt.Errorf("edit clue %s: %w", d.ClueID, err)
	}
	return nil
}

// follow adds a follow-up record to the named clue (never retried once it
// may have been applied).
func (r *wshotoRun) follow(ctx context.Context) error {
	if r.clueID == "" || !r.s.Change("add a follow-up record to clue %s", r.clueID) {
		return nil
	}
	res, err := r.c.CreateFollow(ctx, &wshoto.CreateFollowRequest{Type: wshoto.FollowClue, ID: wshoto.ID(r.clueID), UserID: r.operator,
		ContactType: wshoto.ContactOther, FollowContent: "cluekit example follow-up"})
	switch {
	case errors.Is(err, wshoto.ErrAmbiguous):
		r.s.Step("create follow-up: outcome unknown, not retried (%v)", err)
	case err != nil:
		return fmt.Errorf("create follow-up for clue %s: %w", r.clueID, err)
	default:
		r.s.Step("created follow-up record %s on clue %s", res.ID, r.clueID)
	}
	return nil
}

// batchReturn returns the named clue to its pool. Against the fake, the
// token is revoked first: the call is refused once, refreshes the token and
// is replayed.
func (r *wshotoRun) batchReturn(ctx context.Context) error {
	if r.clueID == "" || !r.s.Change("return clue %s to its pool (it loses its follower; wshoto documents no way to assign it back)", r.clueID) {
		return nil
	}
	if r.srv != nil {
		r.srv.InvalidateTokens()
		r.s.Step("the fake revoked the access token early: the next call gets code %d, refreshes once and replays", wshototest.CodeInvalidToken)
	}
	res, err := r.c.BatchReturnClues(ctx, &wshoto.BatchReturnCluesRequest{IDs: []wshoto.NumericID{r.clueID}, UserID: r.operator, RecoveryRemark: "cluekit example"})
	var batchErr *wshoto.BatchError
	switch {
	case errors.As(err, &batchErr):
		for _, f := range batchErr.Failed {
			r.s.Step("clue %s not returned: %s", f.ID, f.Message)
		}
	case err != nil:
		return fmt.Errorf("return clue %s: %w", r.clueID, err)
	}
	r.s.Step("returned %s to its pool, %d refused", Plural(int(res.Success), "clue"), res.Failed)
	if r.srv != nil && (res.Success != 1 || r.srv.TokenRequests() != 2) {
		return fmt.Errorf("batch return on the fake: %d returned, %s; want 1 and 2", res.Success, Plural(r.srv.TokenRequests(), "token request"))
	}
	return nil
}

// notify receives one notify message on a local endpoint that parses it
// with wshoto.ParseNotify. wshoto documents no delivery security: a real
// receiver authenticates deliveries itself (e.g. a secret path) and
// deduplicates on DedupeKey.
func (r *wshotoRun) notify(ctx context.Context) error {
	if r.s.DryRun {
		return nil
	}
	got := make(chan *wshoto.Notify, 1)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, 1<<20))
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
		return fmt.Errorf("notify: %w", err)
	}
	n := <-got
	r.s.Callback()
	r.s.Step("received notify %s: type %d (custom-field change), modules %v, dedupe key %s", n.MessageID, n.Type, n.CustomFieldChange.ModuleKeys, n.DedupeKey())
	return nil
}

func wshotoLast(next int) string {
	if next == 0 {
		return ", last page"
	}
	return ""
}

func wshotoTime(t wshoto.Time) string {
	if t.IsZero() {
		return "(unknown)"
	}
	return t.Time().Format(time.DateTime + " -07:00")
}
