package weiling_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/cluekit/cluekit/weiling"
	"github.com/cluekit/cluekit/weiling/weilingtest"
)

// Create a contact, read it back and page through the day's contacts,
// against the in-memory fake (use weiling.New(appID, appSecret) for the
// real API).
func Example() {
	srv := weilingtest.NewServer()
	defer srv.Close()
	c, err := weiling.New(weilingtest.DefaultAppID, weilingtest.DefaultAppSecret, weiling.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	created, err := c.CreateContact(ctx, &weiling.CreateContactRequest{
		UserName:    "小穆",
		ContactWays: []weiling.ContactWay{{Type: weiling.ContactWayMobile, ContactWay: "18856427333"}},
		Status:      weiling.Ptr(weiling.ContactUnassigned),
		CorpName:    "上海卫瓴科技有限公司",
	})
	if errors.Is(err, weiling.ErrAmbiguous) {
		fmt.Println("the create may have happened: look it up before retrying")
		return
	} else if err != nil {
		log.Fatal(err)
	}
	got, err := c.BatchGetContacts(ctx, &weiling.BatchGetContactsRequest{ContactIDs: []string{created.ContactID}})
	if err != nil {
		log.Fatal(err)
	}
	ct := got.Contacts[0]
	fmt.Println(ct.UserName, ct.CorpName, ct.ContactWays[0].ContactWay)

	today := weiling.Day(srv.Now())
	for ct, err := range c.AllContacts(ctx, &weiling.ListContactsRequest{StartDay: today, EndDay: today}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("listed:", ct.UserName)
	}

	// Items a batch call refuses come back in the result and as a
	// *BatchError.
	res, err := c.DisuseContacts(ctx, &weiling.DisuseContactsRequest{ContactIDs: []string{created.ContactID, "no-such-contact"}})
	var be *weiling.BatchError
	if errors.As(err, &be) {
		fmt.Println("failed:", be.Failed[0].ID, be.Failed[0].Code, errors.Is(err, weiling.ErrNotFound), len(res.Failed))
	}
	// Output:
	// 小穆 上海卫瓴科技有限公司 18856427333
	// listed: 小穆
	// failed: no-such-contact 1003 true 1
}

// Receive weiling's encrypted event callbacks. The handler verifies the
// signature, decrypts, and answers "success" only after the function
// returned nil; enqueue and return within 1 second.
func ExampleNewCallbackHandler() {
	srv := weilingtest.NewServer()
	defer srv.Close()

	events := make(chan *weiling.Event, 1)
	h, err := weiling.NewCallbackHandler(srv.CallbackToken, srv.EncodingAESKey, func(ctx context.Context, e *weiling.Event) error {
		select {
		case events <- e: // hand over to a worker; deduplicate with e.DedupeKey()
			return nil
		case <-ctx.Done():
			return ctx.Err() // not acknowledged: weiling delivers again
		}
	}, weiling.WithCallbackAppID(srv.AppID))
	if err != nil {
		log.Fatal(err) // an empty token, a malformed key, a nil function
	}
	hs := httptest.NewServer(h) // in production: http.Handle("/weiling/callback", h)
	defer hs.Close()

	ctx := context.Background()
	if err := srv.VerifyCallbackURL(ctx, hs.URL); err != nil { // the check weiling runs when you save the URL
		log.Fatal(err)
	}
	id := srv.AddClue(weiling.Clue{UserName: "小穆", Mobile: "18856427333", Status: weiling.ClueClaimed})
	msg, _ := srv.ClueMessage(weiling.EventClueUpdate, id, weiling.ChangeOwner)
	if err := srv.DeliverCallback(ctx, hs.URL, msg); err != nil {
		log.Fatal(err)
	}
	e := <-events
	fmt.Println(e.Type, e.Clue.UserName, e.Clue.Mobile, e.Clue.ChangeType)
	// Output: clue_update 小穆 18856427333 change_owner
}

// Clues are deprecated by the vendor but still served; AllClues walks the
// cursor until code 1006.
func ExampleClient_AllClues() {
	srv := weilingtest.NewServer(weilingtest.WithPageSize(2))
	defer srv.Close()
	for i := range 3 {
		srv.AddClue(weiling.Clue{UserName: fmt.Sprintf("线索%d", i+1), CreateTime: weiling.UnixMillis(time.Date(2024, 5, 1, 9, i, 0, 0, time.UTC).UnixMilli())})
	}
	c, _ := weiling.New(srv.AppID, srv.AppSecret, weiling.WithBaseURL(srv.URL))
	for cl, err := range c.AllClues(context.Background(), nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(cl.UserName, cl.Created().UTC().Format(time.DateTime))
	}
	// Output:
	// 线索1 2024-05-01 09:00:00
	// 线索2 2024-05-01 09:01:00
	// 线索3 2024-05-01 09:02:00
}
