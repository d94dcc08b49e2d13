package weilingtest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/cluekit/cluekit/weiling"
	"github.com/cluekit/cluekit/weiling/weilingtest"
)

// Test your code against the fake: it accepts its default credentials,
// stores what you create, and misbehaves on demand.
func Example() {
	srv := weilingtest.NewServer()
	defer srv.Close()
	c, err := weiling.New(weilingtest.DefaultAppID, weilingtest.DefaultAppSecret, weiling.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()

	created, err := c.CreateContact(ctx, &weiling.CreateContactRequest{UserName: "小穆", Status: weiling.Ptr(weiling.ContactUnassigned)})
	if err != nil {
		panic(err)
	}
	stored, _ := srv.Contact(created.ContactID)
	fmt.Println("stored:", stored.UserName)

	// The next create is applied, then its connection is reset: the SDK
	// cannot know the outcome and does not retry.
	srv.Faults.Add(weilingtest.Fault{Op: "contact/create", Reset: true, AfterApply: true})
	_, err = c.CreateContact(ctx, &weiling.CreateContactRequest{UserName: "小王", Status: weiling.Ptr(weiling.ContactUnassigned)})
	fmt.Println("ambiguous:", errors.Is(err, weiling.ErrAmbiguous), "stored:", len(srv.Contacts()))

	// Revoked tokens are refreshed once and the call replayed.
	srv.InvalidateTokens()
	_, err = c.BatchGetContacts(ctx, &weiling.BatchGetContactsRequest{ContactIDs: []string{created.ContactID}})
	fmt.Println("after revocation:", err, "token requests:", srv.TokenRequests())
	// Output:
	// stored: 小穆
	// ambiguous: true stored: 2
	// after revocation: <nil> token requests: 2
}
