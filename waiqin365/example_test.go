package waiqin365_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

// The lead lifecycle against the in-memory fake: create, find the id by
// code (creates do not return it), modify by id.
func Example() {
	srv := waiqin365test.NewServer()
	defer srv.Close()
	c, err := waiqin365.New(waiqin365test.DefaultOpenID, waiqin365test.DefaultAppKey, waiqin365.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	_, err = c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{
		PoolName: "默认线索池", Code: "codezs", CusName: "api专用", Linkman: "联系人1", Mobile: "18811111111",
	})
	if err != nil {
		panic(err)
	}
	res, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "codezs"})
	if err != nil {
		panic(err)
	}
	lead := res.Leads[0]
	fmt.Println(lead.Code, lead.CusName, lead.StatusValue, len(lead.ID), "digit id")

	_, err = c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{ID: lead.ID, Linkman: "李四"})
	if err != nil {
		panic(err)
	}
	_, err = c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "默认线索池", Code: "codezs"})
	var apiErr *waiqin365.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("return_code", apiErr.Code, apiErr.Message)
	}
	// Output:
	// codezs api专用 未分配 19 digit id
	// return_code 1 code already exists: codezs
}

// A create whose answer is lost after the lead was stored: the SDK reads
// the lead back by its code and reports it as created (Resolved) instead of
// failing with ErrAmbiguous. The fake drops the connection after applying.
func ExampleClient_AddSalesLeads_resolved() {
	srv := waiqin365test.NewServer()
	defer srv.Close()
	srv.Faults.Add(waiqin365test.Fault{Op: waiqin365.OpAddSalesLeads, Reset: true, AfterApply: true})
	c, err := waiqin365.New(waiqin365test.DefaultOpenID, waiqin365test.DefaultAppKey, waiqin365.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	res, err := c.AddSalesLeads(context.Background(), &waiqin365.AddSalesLeadsRequest{
		PoolName: "默认线索池", Code: "L-0001", CusName: "api专用",
	})
	if err != nil {
		panic(err) // errors.Is(err, waiqin365.ErrAmbiguous): still unknown after reading back
	}
	fmt.Println(res.Resolved, res.Lead.Code, res.Lead.CusName, srv.Requests(waiqin365.OpAddSalesLeads), "create sent")
	// Output: true L-0001 api专用 1 create sent
}

// The vendor's worked example of the request digest.
func ExampleDigest() {
	body := `{"org_id":"ORG001","org_name":"南京掌控网络","org_parent_id":"","org_sequence":001}`
	fmt.Println(waiqin365.Digest([]byte(body), "BFCO0PAgIUgd50c0l6", "20150806142836"))
	// Output: 74267bf0cae0998a719879ec9b3c7780
}

// A push receiver: verify, hand the push to fn, acknowledge only after fn
// returned nil. Here the fake's helper delivers one signed push.
func ExampleNewPushHandler() {
	const secret = "push-secret"
	done := make(chan *waiqin365.SalesLeadsFollow, 1)
	h, err := waiqin365.NewPushHandler(secret, func(ctx context.Context, p *waiqin365.Push) error {
		// Persist or enqueue p (keyed by p.DedupeKey()) and return fast:
		// 勤策 waits 5 seconds and redelivers what was not acknowledged.
		if p.DataType == waiqin365.DataTypeSalesLeadsFollow {
			done <- p.SalesLeadsFollow
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	err = waiqin365test.DeliverPush(context.Background(), srv.URL, secret, waiqin365.DataTypeSalesLeadsFollow,
		&waiqin365.SalesLeadsFollow{LeadID: "SK202101090003", LeadCode: "zsmd", ActivityContent: "zhangsan", Ext: map[string]string{"ext_1": "自定义字段"}})
	if err != nil {
		panic(err)
	}
	f := <-done
	fmt.Println(f.LeadID, f.LeadCode, f.ActivityContent, f.Ext["ext_1"])
	// Output: SK202101090003 zsmd zhangsan 自定义字段
}

// Any other OpenAPI operation, signed the same way.
func ExampleClient_Do() {
	srv := waiqin365test.NewServer()
	defer srv.Close()
	srv.Handle("organization", "v1", "queryOrganization", func(body []byte) (any, error) {
		return `[{"org_id":"ORG001","org_name":"南京掌控网络"}]`, nil
	})
	c, err := waiqin365.New(waiqin365test.DefaultOpenID, waiqin365test.DefaultAppKey, waiqin365.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	var orgs []struct {
		OrgID   string `json:"org_id"`
		OrgName string `json:"org_name"`
	}
	err = c.Do(context.Background(), "POST", "/api/organization/v1/queryOrganization", map[string]string{"org_id": "ORG001"}, &orgs)
	if err != nil {
		panic(err)
	}
	fmt.Println(orgs[0].OrgID, orgs[0].OrgName)
	// Output: ORG001 南京掌控网络
}
