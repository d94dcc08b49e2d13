package jingtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strconv"

	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
)

// Test your code against the fake: create a user, expire the tokens, make a
// refused user, and receive the lead webhook the vendor would push.
func Example() {
	srv := jingtest.NewServer()
	defer srv.Close()
	c, err := jing.New(jingtest.DefaultAppID, jingtest.DefaultAppSecret,
		jing.WithBaseURL(srv.URL), jing.WithClock(srv.Clock.Now),
		jing.WithInvalidTokenCodes(strconv.Itoa(jingtest.CodeInvalidAccessToken)))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	user := jing.User{Identities: []jing.Identity{{Type: jing.IdentityMobile, Value: "19667348978"}}, Fields: map[string]any{"name": "赵拥晨"}}
	if _, err := c.CreateUsers(ctx, &jing.CreateUsersRequest{Users: []jing.User{user}}); err != nil {
		panic(err)
	}
	fmt.Println("token requests:", srv.TokenRequests())

	srv.InvalidateTokens() // the next call is refused once, refreshed and replayed
	_, err = c.CreateUsers(ctx, &jing.CreateUsersRequest{Users: []jing.User{user}})
	var batchErr *jing.BatchError
	fmt.Println("duplicate refused:", errors.As(err, &batchErr), "token requests:", srv.TokenRequests())

	h, err := jing.NewWebhookHandler(func(_ context.Context, e *jing.Event) error {
		_, name, _ := e.ExtraData.Change(jing.FieldName)
		fmt.Println("webhook:", e.EventType, *name)
		return nil
	}, jing.WithWebhookSecret("s3cret"))
	if err != nil {
		panic(err)
	}
	hook := httptest.NewServer(h)
	defer hook.Close()
	url, _ := jingtest.WebhookURL(hook.URL, "s3cret")
	u, _ := srv.FindUser(jing.IdentityMobile, "19667348978")
	if err := srv.DeliverWebhook(ctx, url, srv.ObjectCreateEvent(u)); err != nil {
		panic(err)
	}
	fmt.Println("create requests:", srv.Requests(jing.OpCreateUsers), "deliveries:", srv.Deliveries())
	// Output:
	// token requests: 1
	// duplicate refused: true token requests: 2
	// webhook: object_create 赵拥晨
	// create requests: 3 deliveries: 1
}
