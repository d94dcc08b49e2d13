package wshototest_test

import (
	"context"
	"fmt"

	"github.com/cluekit/cluekit/wshoto"
	"github.com/cluekit/cluekit/wshoto/wshototest"
)

// Test code against the fake: seed a clue (wshoto has no create-clue
// endpoint), call the SDK, then read what the fake stored and how many
// requests it saw. InvalidateTokens revokes the token early, as wshoto may:
// the next call is refused once, refreshes the token and is replayed.
func Example() {
	srv := wshototest.NewServer()
	defer srv.Close()
	id := srv.SeedClue(wshototest.Clue{Name: "黄杉少女", FollowUserID: wshototest.StaffID})

	c, err := wshoto.New(wshototest.DefaultAppID, wshototest.DefaultAppSecret, wshoto.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	clue, err := c.GetClue(ctx, &wshoto.GetClueRequest{ClueID: wshoto.NumericID(id)})
	if err != nil {
		panic(err)
	}
	srv.InvalidateTokens()
	_, err = c.EditClue(ctx, &wshoto.EditClueRequest{
		ClueID: clue.ClueID, ClueName: clue.ClueName, CluePoolID: clue.CluePoolID,
		FollowUserID: clue.FollowUserID, UserID: wshototest.StaffID, Remark: wshoto.Ptr("已电话回访"),
	})
	if err != nil {
		panic(err)
	}
	stored, _ := srv.Clue(id)
	fmt.Println(stored.Name, stored.Remark)
	fmt.Println("clue/edit requests:", srv.Requests("clue/edit"), "token requests:", srv.TokenRequests())
	// Output:
	// 黄杉少女 已电话回访
	// clue/edit requests: 2 token requests: 2
}
