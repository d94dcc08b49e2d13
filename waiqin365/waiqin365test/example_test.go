package waiqin365test_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

// A test of your own code against the fake: create a lead, find it by
// code, and see the SDK retry a 503 the fake was told to answer.
func Example() {
	srv := waiqin365test.NewServer()
	defer srv.Close()
	c, err := waiqin365.New(waiqin365test.DefaultOpenID, waiqin365test.DefaultAppKey, waiqin365.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	if _, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "默认线索池", Code: "L-0001", CusName: "示例客户"}); err != nil {
		panic(err)
	}
	srv.Faults.Add(waiqin365test.Fault{Op: waiqin365.OpQuerySalesLeads, Status: http.StatusServiceUnavailable})
	page, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "L-0001"})
	if err != nil {
		panic(err)
	}
	fmt.Println(page.Leads[0].CusName, page.Leads[0].StatusValue)
	fmt.Println("query requests:", srv.Requests(waiqin365.OpQuerySalesLeads), "token requests:", srv.TokenRequests())
	// Output:
	// 示例客户 未分配
	// query requests: 2 token requests: 0
}
