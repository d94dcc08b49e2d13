package run

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

func init() { Register("waiqin365", runWaiqin365) }

// runWaiqin365 walks the sales-lead lifecycle against 勤策 (WAIQIN365_OPENID
// and WAIQIN365_APPKEY set; WAIQIN365_BASE_URL optional) or the fake.
func runWaiqin365(ctx context.Context, p *Printer, counter *Counter) (mode string, callbacks int, err error) {
	base, openID, appKey := Env("WAIQIN365_BASE_URL"), Env("WAIQIN365_OPENID"), Env("WAIQIN365_APPKEY")
	pushSecret := Env("WAIQIN365_PUSH_SECRET")
	mode = "live"
	if openID == "" || appKey == "" {
		mode = "fake"
		openID, appKey = "5465103569540931532", "BFCO0PAgIUgd50c0l6" // the vendor doc's example pair
		srv := waiqin365test.NewServer(openID, appKey)
		defer srv.Close()
		base = srv.URL
		// Show the retry policy at work: the fake answers the first query
		// with 503, which the SDK retries (a create would not be retried).
		srv.Faults.Add(waiqin365test.Fault{Op: waiqin365.OpQuerySalesLeads, Status: 503})
		p.Step("the fake will answer the first query with HTTP 503: the SDK retries it")
	}
	if pushSecret == "" {
		pushSecret = wqRandomHex(16)
	}
	opts := []waiqin365.Option{waiqin365.WithLogger(counter.Logger())}
	if base != "" {
		opts = append(opts, waiqin365.WithBaseURL(base))
	}
	c, err := waiqin365.New(openID, appKey, opts...)
	if err != nil {
		return mode, 0, err
	}
	p.Step("mode %s, base %s", mode, c.BaseURL())

	// Codes are unique per run so reruns against a real tenant never collide.
	suffix := time.Now().In(waiqin365.CST).Format("20060102150405") + wqRandomHex(2)
	code, apaasCode := "CK"+suffix, "CKA"+suffix
	const pool = "默认线索池" // the default pool named in the vendor's examples

	if _, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{
		PoolName: pool, Code: code, CusName: "cluekit 示例线索 " + suffix, Linkman: "张三",
		MobileCountry: "86", Mobile: "18811111111", Detail: "created by examples/waiqin365",
	}); err != nil {
		return mode, 0, fmt.Errorf("addSalesLeads: %w", err)
	}
	p.Step("addSalesLeads: code %s (the answer carries no id)", code)

	q, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: code, Page: 1, PageSize: 10})
	if err != nil {
		return mode, 0, fmt.Errorf("querySalesLeads: %w", err)
	}
	id, err := wqFindByCode(q.Leads, code, func(l waiqin365.SalesLead) (string, string) { return l.Code, string(l.ID) })
	if err != nil {
		return mode, 0, fmt.Errorf("querySalesLeads: %w", err)
	}
	p.Step("querySalesLeads: code %s has id %s", code, id)

	if _, err := c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{
		ID: waiqin365.ID(id), Linkman: "李四", Detail: "modified by examples/waiqin365",
	}); err != nil {
		return mode, 0, fmt.Errorf("modifySalesLeads: %w", err)
	}
	p.Step("modifySalesLeads: id %s updated", id)

	if _, err := c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{
		Code: apaasCode, CompanyName: "cluekit 示例公司 " + suffix, Linkman: "王五",
		Mobile:           &waiqin365.Mobile{Phone: "18912804466", Code: "86"},
		AllocationStatus: waiqin365.AllocationUnassigned, PoolName: pool,
	}); err != nil {
		return mode, 0, fmt.Errorf("addSalesLeadsForApaas: %w", err)
	}
	p.Step("addSalesLeadsForApaas: code %s (unassigned, pool %s)", apaasCode, pool)

	qa, err := c.QuerySalesLeadsForApaas(ctx, &waiqin365.QuerySalesLeadsForApaasRequest{Code: apaasCode, Page: 1, PageSize: 10})
	if err != nil {
		return mode, 0, fmt.Errorf("querySalesLeadsForApaas: %w", err)
	}
	apaasID, err := wqFindByCode(qa.Leads, apaasCode, func(l waiqin365.ApaasSalesLead) (string, string) { return l.Code, string(l.ID) })
	if err != nil {
		return mode, 0, fmt.Errorf("querySalesLeadsForApaas: %w", err)
	}
	p.Step("querySalesLeadsForApaas: code %s has id %s", apaasCode, apaasID)

	mod := &waiqin365.ModifySalesLeadsForApaasRequest{Linkman: "赵六", Detail: "modified by examples/waiqin365"}
	if wqIsDigits(apaasID) {
		mod.ID = waiqin365.NumericID(apaasID) // BIGINT: a bare JSON number, every digit kept
	} else {
		mod.Code = apaasCode
	}
	if _, err := c.ModifySalesLeadsForApaas(ctx, mod); err != nil {
		return mode, 0, fmt.Errorf("modifySalesLeadsForApaas: %w", err)
	}
	p.Step("modifySalesLeadsForApaas: id %s updated", apaasID)

	if _, err := c.RemoveSalesLeads(ctx, &waiqin365.RemoveSalesLeadsRequest{
		ID: waiqin365.ID(id), Content: "cleanup by examples/waiqin365",
	}); err != nil {
		return mode, 0, fmt.Errorf("removeSalesLeads: %w", err)
	}
	p.Step("removeSalesLeads: id %s voided", id)

	follow, err := wqReceiveOnePush(ctx, pushSecret, &waiqin365.SalesLeadsFollow{
		LeadID: id, LeadCode: code, LeadName: "cluekit 示例线索 " + suffix, ActivityType: "电话",
		ActivityContent: "cluekit follow-up", Location: "10,20", Offset: "50", PhotoPath: "/aaa/bb.png",
		CreateBy: "张三", Department: "销售部", CreateAt: time.Now().In(waiqin365.CST).Format("2006-01-02 15:04"),
		Ext: map[string]string{"ext_1": "自定义字段"},
	})
	if err != nil {
		return mode, 0, fmt.Errorf("push: %w", err)
	}
	p.Step("push salesLeads_follow received and acknowledged: lead %s, %q by %s", follow.LeadID, follow.ActivityContent, follow.CreateBy)
	return mode, 1, nil
}

// wqReceiveOnePush starts a local push receiver, delivers one signed
// salesLeads_follow push to it, and returns the record the handler got.
func wqReceiveOnePush(ctx context.Context, pushSecret string, rec *waiqin365.SalesLeadsFollow) (*waiqin365.SalesLeadsFollow, error) {
	var mu sync.Mutex
	var got []*waiqin365.Push
	seen := map[string]bool{}
	h := waiqin365.NewPushHandler(pushSecret, func(_ context.Context, p *waiqin365.Push) error {
		mu.Lock()
		defer mu.Unlock()
		if seen[p.DedupeKey()] { // redelivery: already handled
			return nil
		}
		seen[p.DedupeKey()] = true
		got = append(got, p) // a real receiver persists or enqueues here, fast
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	if err := waiqin365test.DeliverPush(ctx, srv.URL, pushSecret, waiqin365.DataTypeSalesLeadsFollow, rec); err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].SalesLeadsFollow == nil {
		return nil, fmt.Errorf("handler saw %d pushes, want 1 salesLeads_follow", len(got))
	}
	f := got[0].SalesLeadsFollow
	if f.LeadID != rec.LeadID || f.LeadCode != rec.LeadCode || f.Ext["ext_1"] != rec.Ext["ext_1"] {
		return nil, errors.New("the received record differs from the one sent")
	}
	return f, nil
}

func wqFindByCode[T any](rows []T, code string, key func(T) (code, id string)) (string, error) {
	for _, r := range rows {
		if c, id := key(r); c == code && id != "" {
			return id, nil
		}
	}
	return "", fmt.Errorf("no lead with code %s among %d rows", code, len(rows))
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
