package wshoto_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/cluekit/cluekit/wshoto"
	"github.com/cluekit/cluekit/wshoto/wshototest"
)

// Edit one field of a clue: only Remark is sent and listed in
// update_specified_fields, so every other stored value stays as it was.
func ExampleClient_EditClue() {
	srv := wshototest.NewServer()
	defer srv.Close()
	id := srv.SeedClue(wshototest.Clue{Name: "黄杉少女", CorpName: "日月光", Remark: "这是描述", FollowUserID: wshototest.StaffID})

	ctx := context.Background()
	c, err := wshoto.New(wshototest.DefaultAppID, wshototest.DefaultAppSecret, wshoto.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	clue, err := c.GetClue(ctx, &wshoto.GetClueRequest{ClueID: wshoto.NumericID(id)})
	if err != nil {
		panic(err)
	}
	res, err := c.EditClue(ctx, &wshoto.EditClueRequest{
		ClueID: clue.ClueID, ClueName: clue.ClueName, CluePoolID: clue.CluePoolID,
		FollowUserID: clue.FollowUserID, UserID: wshototest.StaffID,
		Remark: wshoto.Ptr("已电话回访"), // nil fields are left unchanged; Ptr("") would clear
	})
	if err != nil {
		panic(err)
	}
	after, err := c.GetClue(ctx, &wshoto.GetClueRequest{ClueID: clue.ClueID})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Fields)
	fmt.Println(after.ClueName, after.ClueCorpName, after.Description)
	// Output:
	// [remark]
	// 黄杉少女 日月光 已电话回访
}

// Walk every clue, page by page.
func ExampleClient_AllClues() {
	srv := wshototest.NewServer()
	defer srv.Close()
	for _, name := range []string{"线索1", "线索2", "线索3"} {
		srv.SeedClue(wshototest.Clue{Name: name})
	}
	c, err := wshoto.New(wshototest.DefaultAppID, wshototest.DefaultAppSecret, wshoto.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	for clue, err := range c.AllClues(context.Background(), &wshoto.ListCluesRequest{PageSize: 2}) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Println(clue.ClueName, len(clue.ClueID))
	}
	// Output:
	// 线索1 19
	// 线索2 19
	// 线索3 19
}

// A batch return in which wshoto refused a clue returns the result (with the
// clues returned) and a *BatchError naming the refused ones.
func ExampleClient_BatchReturnClues() {
	srv := wshototest.NewServer()
	defer srv.Close()
	id := srv.SeedClue(wshototest.Clue{Name: "线索1", FollowUserID: wshototest.StaffID})
	c, err := wshoto.New(wshototest.DefaultAppID, wshototest.DefaultAppSecret, wshoto.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	res, err := c.BatchReturnClues(context.Background(), &wshoto.BatchReturnCluesRequest{
		IDs: []wshoto.NumericID{wshoto.NumericID(id), "1591005521987920000"}, UserID: wshototest.StaffID,
	})
	var batchErr *wshoto.BatchError
	if errors.As(err, &batchErr) {
		for _, f := range batchErr.Failed {
			fmt.Println("not returned:", f.ID, f.Message)
		}
	} else if err != nil {
		panic(err)
	}
	fmt.Println("returned:", res.Success, "not found:", errors.Is(err, wshoto.ErrNotFound))
	// Output:
	// not returned: 1591005521987920000 线索不存在
	// returned: 1 not found: true
}

// Parse a notify message; deduplicate on DedupeKey.
func ExampleParseNotify() {
	body := []byte(`{"message_id":"1540160872865209346","type":21,"content":"{\"tenant_id\":\"wpvvCXcAAAsQgTf6tGxZNXWs0AjheY6Q\",\"module_keys\":[\"clue\"]}","gmt_create":1656037941}`)
	n, err := wshoto.ParseNotify(body)
	if err != nil {
		panic(err)
	}
	fmt.Println(n.DedupeKey(), n.Type == wshoto.NotifyCustomFieldChange, n.CustomFieldChange.ModuleKeys, n.GmtCreate)
	// Output: 1540160872865209346 true [clue] 2022-06-24 10:32:21
}
