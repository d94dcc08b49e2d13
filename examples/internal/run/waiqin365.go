package run

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

func init() {
	Register("waiqin365", Vars{
		Required: []string{"WAIQIN365_OPENID", "WAIQIN365_APP_KEY"},
		Optional: []string{"WAIQIN365_BASE_URL", "WAIQIN365_PUSH_SECRET"},
	}, waiqin365Lifecycle)
}

// wqPool is the default lead pool named in the vendor's examples.
const wqPool = "默认线索池"

// wqRun is one walk through the 勤策 sales-lead lifecycle. It changes only
// the two leads it creates (codes unique per run) and voids them at the end.
type wqRun struct {
	s          *Session
	c          *waiqin365.Client
	pushSecret string
	suffix     string
	code       string // the classic lead
	apaasCode  string // the aPaaS lead
	id         string // the classic lead's id, once found
	apaasID    string // the aPaaS lead's id, once found
	created    []string
}

// waiqin365Lifecycle creates a lead, finds its id by code (creates return
// none), modifies it, does the same through the aPaaS endpoints, receives
// one signed push on a local handler, and voids what it created.
func waiqin365Lifecycle(ctx context.Context, s *Session) error {
	r, stop, err := wqStart(s)
	if err != nil {
		return err
	}
	defer stop()
	steps := []func(context.Context) error{
		r.addLead, r.findLead, r.modifyLead,
		r.addApaasLead, r.findApaasLead, r.modifyApaasLead,
		r.receivePush,
	}
	for _, step := range steps {
		if err = step(ctx); err != nil {
			break
		}
	}
	// Void what was created even after a failure, with a context of its
	// own so that a deadline that ended the steps does not stop it.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return errors.Join(err, r.voidCreated(cctx))
}

// wqStart builds the client: against the fake (no credentials), or the
// vendor named by the credentials (live or dry run).
func wqStart(s *Session) (*wqRun, func(), error) {
	openID, appKey, base := s.Get("WAIQIN365_OPENID"), s.Get("WAIQIN365_APP_KEY"), s.Get("WAIQIN365_BASE_URL")
	stop := func() {}
	if !s.Live && !s.DryRun {
		srv := waiqin365test.NewServer()
		stop = srv.Close
		openID, appKey, base = waiqin365test.DefaultOpenID, waiqin365test.DefaultAppKey, srv.URL
		// Show the retry policy at work: a query answered 503 is retried (a
		// create would not be).
		srv.Faults.Add(waiqin365test.Fault{Op: waiqin365.OpQuerySalesLeads, Status: http.StatusServiceUnavailable})
		s.Step("started the fake on %s; its first query answers HTTP 503, which the SDK retries", srv.URL)
	}
	opts := []waiqin365.Option{waiqin365.WithObserver(s.Observer)}
	if base != "" {
		opts = append(opts, waiqin365.WithBaseURL(base))
	}
	c, err := waiqin365.New(openID, appKey, opts...)
	if err != nil {
		stop()
		return nil, nil, err
	}
	suffix := time.Now().In(waiqin365.CST).Format("20060102150405") + wqRandomHex(2)
	r := &wqRun{s: s, c: c, suffix: suffix, code: "CK" + suffix, apaasCode: "CKA" + suffix,
		pushSecret: s.Get("WAIQIN365_PUSH_SECRET")}
	if r.pushSecret == "" {
		r.pushSecret = wqRandomHex(16)
	}
	s.Step("client for openid %s at %s", openID, c.BaseURL())
	return r, stop, nil
}

func (r *wqRun) addLead(ctx context.Context) error {
	if !r.s.Change("create lead %q in pool %s", r.code, wqPool) {
		return nil
	}
	_, err := r.c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{
		PoolName: wqPool, Code: r.code, CusName: "cluekit 示例线索 " + r.suffix, Linkman: "张三",
		MobileCountry: "86", Mobile: "18811111111", Detail: "created by examples/waiqin365",
	})
	if err != nil {
		return fmt.Errorf("create lead %s: %w", r.code, err)
	}
	r.created = append(r.created, r.code)
	r.s.Step("created lead %s (the answer carries no id)", r.code)
	return nil
}

func (r *wqRun) findLead(ctx context.Context) error {
	if !r.wasCreated(r.code) {
		return nil
	}
	page, err := r.c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: r.code, Page: 1, PageSize: 10})
	if err != nil {
		return fmt.Errorf("query lead %s: %w", r.code, err)
	}
	r.s.Step("listed %s (page 1, last page)", Plural(len(page.Leads), "lead"))
	for _, l := range page.Leads {
		if l.Code == r.code && l.ID != "" {
			r.id = string(l.ID)
			r.s.Step("found lead %s: id %s, status %s", r.code, r.id, l.StatusValue)
			return nil
		}
	}
	return fmt.Errorf("query lead %s: not among %s", r.code, Plural(len(page.Leads), "row"))
}

func (r *wqRun) modifyLead(ctx context.Context) error {
	if !r.s.DryRun && r.id == "" {
		r.s.Skip("modify lead %s: it was not created", r.code)
		return nil
	}
	if !r.s.Change("modify lead %q (linkman 李四)", r.code) {
		return nil
	}
	_, err := r.c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{
		ID: waiqin365.ID(r.id), Linkman: "李四", Detail: "modified by examples/waiqin365",
	})
	if err != nil {
		return fmt.Errorf("modify lead %s: %w", r.code, err)
	}
	r.s.Step("modified lead %s (linkman 李四)", r.code)
	return nil
}

func (r *wqRun) addApaasLead(ctx context.Context) error {
	if !r.s.Change("create aPaaS lead %q (unassigned, pool %s)", r.apaasCode, wqPool) {
		return nil
	}
	_, err := r.c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{
		Code: r.apaasCode, CompanyName: "cluekit 示例公司 " + r.suffix, Linkman: "王五",
		Mobile:           &waiqin365.Mobile{Phone: "18912804466", Code: "86"},
		AllocationStatus: waiqin365.AllocationUnassigned, PoolName: wqPool,
	})
	if err != nil {
		return fmt.Errorf("create aPaaS lead %s: %w", r.apaasCode, err)
	}
	r.created = append(r.created, r.apaasCode)
	r.s.Step("created aPaaS lead %s (unassigned, pool %s)", r.apaasCode, wqPool)
	return nil
}

func (r *wqRun) findApaasLead(ctx context.Context) error {
	if !r.wasCreated(r.apaasCode) {
		return nil
	}
	page, err := r.c.QuerySalesLeadsForApaas(ctx, &waiqin365.QuerySalesLeadsForApaasRequest{
		Code: r.apaasCode, Sort: []waiqin365.SortSpec{{FieldKey: "create_time", Type: waiqin365.SortDesc}}, Page: 1, PageSize: 10,
	})
	if err != nil {
		return fmt.Errorf("query aPaaS lead %s: %w", r.apaasCode, err)
	}
	r.s.Step("listed %s (page 1, last page)", Plural(len(page.Leads), "aPaaS lead"))
	for _, l := range page.Leads {
		if l.Code == r.apaasCode && l.ID != "" {
			r.apaasID = string(l.ID)
			r.s.Step("found aPaaS lead %s: id %s", r.apaasCode, r.apaasID)
			return nil
		}
	}
	return fmt.Errorf("query aPaaS lead %s: not among %s", r.apaasCode, Plural(len(page.Leads), "row"))
}

func (r *wqRun) modifyApaasLead(ctx context.Context) error {
	if !r.s.DryRun && r.apaasID == "" {
		r.s.Skip("modify aPaaS lead %s: it was not created", r.apaasCode)
		return nil
	}
	if !r.s.Change("modify aPaaS lead %q (linkman 赵六)", r.apaasCode) {
		return nil
	}
	req := &waiqin365.ModifySalesLeadsForApaasRequest{Linkman: "赵六", Detail: "modified by examples/waiqin365"}
	if wqIsDigits(r.apaasID) {
		req.ID = waiqin365.NumericID(r.apaasID) // BIGINT: a bare JSON number, every digit kept
	} else {
		req.Code = r.apaasCode
	}
	if _, err := r.c.ModifySalesLeadsForApaas(ctx, req); err != nil {
		return fmt.Errorf("modify aPaaS lead %s: %w", r.apaasCode, err)
	}
	r.s.Step("modified aPaaS lead %s (linkman 赵六)", r.apaasCode)
	return nil
}

// voidCreated voids the leads this run created (in a dry run: lists them).
func (r *wqRun) voidCreated(ctx context.Context) error {
	codes := r.created
	if r.s.DryRun {
		codes = []string{r.code, r.apaasCode}
	}
	var errs []error
	for _, code := range codes {
		if !r.s.Change("void lead %q", code) {
			continue
		}
		_, err := r.c.RemoveSalesLeads(ctx, &waiqin365.RemoveSalesLeadsRequest{Code: code, Content: "cleanup by examples/waiqin365"})
		if err != nil {
			errs = append(errs, fmt.Errorf("void lead %s: %w", code, err))
			continue
		}
		r.s.Step("voided lead %s", code)
	}
	return errors.Join(errs...)
}

func (r *wqRun) wasCreated(code string) bool {
	for _, c := range r.created {
		if c == code {
			return true
		}
	}
	return false
}

// receivePush starts a local push receiver and has the fake's helper
// deliver one signed salesLeads_follow push to it, as 勤策 would.
func (r *wqRun) receivePush(ctx context.Context) error {
	rec := &waiqin365.SalesLeadsFollow{
		LeadID: waiqin365.Text(wqOr(r.id, r.code)), LeadCode: waiqin365.Text(r.code), ActivityType: "电话",
		ActivityContent: "cluekit follow-up", Location: "10,20", Offset: "50", CreateBy: "张三", Department: "销售部",
		CreateAt: waiqin365.Text(time.Now().In(waiqin365.CST).Format("2006-01-02 15:04")), Ext: map[string]string{"ext_1": "自定义字段"},
	}
	got, err := wqReceiveOnePush(ctx, r.pushSecret, rec)
	if err != nil {
		return fmt.Errorf("push: %w", err)
	}
	r.s.Callback()
	r.s.Step("received and acknowledged push salesLeads_follow: lead %s, %q by %s", got.LeadCode, got.ActivityContent, got.CreateBy)
	return nil
}

// wqReceiveOnePush delivers rec to a local push handler and returns the
// record the handler got.
func wqReceiveOnePush(ctx context.Context, pushSecret string, rec *waiqin365.SalesLeadsFollow) (*waiqin365.SalesLeadsFollow, error) {
	var mu sync.Mutex
	var got []*waiqin365.Push
	h, err := waiqin365.NewPushHandler(pushSecret, func(_ context.Context, p *waiqin365.Push) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, p) // a real receiver persists or enqueues here, fast
		return nil
	})
	if err != nil {
		return nil, err
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	if err := waiqin365test.DeliverPush(ctx, srv.URL, pushSecret, waiqin365.DataTypeSalesLeadsFollow, rec); err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].SalesLeadsFollow == nil {
		return nil, fmt.Errorf("the handler saw %s, want 1 salesLeads_follow", Plural(len(got), "delivery"))
	}
	f := got[0].SalesLeadsFollow
	if f.LeadID != rec.LeadID || f.LeadCode != rec.LeadCode || f.Ext["ext_1"] != rec.Ext["ext_1"] {
		return nil, errors.New("the received record differs from the one sent")
	}
	return f, nil
}

func wqOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func wqIsDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func wqRandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
