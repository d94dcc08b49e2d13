package v3cluetest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/cluekit/cluekit/v3clue"
	"github.com/cluekit/cluekit/v3clue/v3cluetest"
)

// Test code against the fake: it checks signatures like the vendor, stores
// clues, and injects faults.
func Example() {
	srv := v3cluetest.NewServer()
	defer srv.Close()
	c, err := v3clue.New(v3cluetest.DefaultAppID, v3cluetest.DefaultAppKey, v3clue.WithBaseURL(srv.URL))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	id := srv.AddClue(v3clue.Clue{IsClue: true, Type: 1, CreateTime: "2024-01-02 03:04:05",
		Fields: []v3clue.Field{{Name: "name", Type: v3clue.FieldTypeText, ValueAsText: v3clue.Ptr("张三")}}})
	srv.Faults.Add(v3cluetest.Fault{Op: v3cluetest.OpClueGet, Status: 503}) // retried: a read
	clue, err := c.GetClue(ctx, &v3clue.GetClueRequest{CustomerID: id})
	if err != nil {
		fmt.Println(err)
		return
	}
	name, _ := clue.Field("name")
	fmt.Println(clue.CustomerID == id, name.Text(), srv.Requests(v3cluetest.OpClueGet), "requests")

	// A client with another key is refused like by the vendor.
	other, _ := v3clue.New(v3cluetest.DefaultAppID, "not-the-key", v3clue.WithBaseURL(srv.URL))
	_, err = other.GetClue(ctx, &v3clue.GetClueRequest{CustomerID: id})
	var apiErr *v3clue.APIError
	fmt.Println(errors.Is(err, v3clue.ErrSignature), errors.As(err, &apiErr) && apiErr.Code == "1002")
	fmt.Println(srv.TokenRequests(), "token requests")
	// Output:
	// true 张三 2 requests
	// true true
	// 0 token requests
}
