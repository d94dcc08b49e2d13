package wshoto_test

import (
	"context"
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
	c, err := wshoto.New(srv.AppID, srv.AppSecret, wshoto.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	clue, err := c.GetClue(ctx, &wshoto.GetClueRequest{ClueID: wshoto.ID(id)})
	if err != nil {
		panic(err)
	}
	err = c.EditClue(ctx, &wshoto.EditClueRequest{
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
	fmt.Println(after.ClueName, after.ClueCorpName, after.Description)
	// Output: 黄杉少女 日月光 已电话回访
}

// Walk every clue, page by page.
func ExampleClient_AllClues() {
	srv := wshototest.NewServer()
	defer srv.Close()
	for _, name := range []string{"线索1", "线索2", "线索3"} {
		srv.SeedClue(wshototest.Clue{Name: name})
	}
	c, err := wshoto.New(srv.AppID, srv.AppSecret, wshoto.WithBaseURL(srv.URL))
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

// Parse a notify message; deduplicate on MessageID.
func ExampleParseNotify() {
	body := []byte(`{"message_id":"1540160872865209346","type":21,"content":"{\"tenant_id\":\"wpvvCXcAAAsQgTf6tGxZNXWs0AjheY6Q\",\"module_keys\":[\"clue\"]}","gmt_create":1656037941}`)
	n, err := wshoto.ParseNotify(body)
	if err != nil {
		panic(err)
	}
	fmt.Println(n.MessageID, n.Type == wshoto.NotifyCustomFieldChange, n.CustomFieldChange.ModuleKeys)
	// Output: 1540160872865209346 true [clue]
}
