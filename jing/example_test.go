package jing_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"

	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
)

// Create a lead through batch user creation, against the fake server.
func Example() {
	srv := jingtest.NewServer()
	defer srv.Close()

	c, err := jing.New(jingtest.DefaultAppID, jingtest.DefaultAppSecret, jing.WithBaseURL(srv.URL))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	res, err := c.CreateUsers(ctx, &jing.CreateUsersRequest{
		ReturnFull: true,
		Users: []jing.User{{
			Identities:   []jing.Identity{{Type: jing.IdentityMobile, Value: "19667348978", Name: "手机号"}},
			Fields:       map[string]any{"name": "赵拥晨"},
			FieldsSource: &jing.FieldsSource{SourceType: jing.SourceTypeThirdpartyCustom, SourceValue: "website"},
		}},
	})
	if err != nil {
		panic(err)
	}
	for _, u := range res.Success {
		fmt.Println("created", u.Identities[0].Value, "stage", u.LeadsInfo.StageName)
	}
	// Creating the same user again: the result and a *BatchError naming
	// the refused user.
	res, err = c.CreateUsers(ctx, &jing.CreateUsersRequest{Users: []jing.User{{
		Identities: []jing.Identity{{Type: jing.IdentityMobile, Value: "19667348978"}},
	}}})
	var batchErr *jing.BatchError
	if errors.As(err, &batchErr) {
		fmt.Println("success", len(res.Success), "failure", len(res.Failure))
		fmt.Println("refused", batchErr.Failed[0].ID+":", batchErr.Failed[0].Message)
	}
	// Output:
	// created 19667348978 stage 初始线索
	// success 0 failure 1
	// refused 19667348978: user already exists
}

// Parse a webhook body and read mapping_data as before/after values.
func ExampleParseEvent() {
	body, err := os.ReadFile("testdata/object_create.json")
	if err != nil {
		panic(err)
	}
	e, err := jing.ParseEvent(body)
	if err != nil {
		panic(err)
	}
	fmt.Println(e.EventType, e.ExtraData.ObjectName, e.ExtraData.EntityID, e.Time().UTC())
	before, after, _ := e.ExtraData.Change("name")
	fmt.Println("name:", before == nil, *after)
	_, label, _ := e.ExtraData.TextChange("lead_pool")
	fmt.Println("lead_pool:", *label)

	upd, _ := jing.ParseEvent([]byte(`{"event_type":"object_update","extra_data":{"mapping_data":{"company_id":[null,"中山大学"]}}}`))
	before, after, _ = upd.ExtraData.Change("company_id")
	fmt.Println("company_id:", before == nil, *after)
	// Output:
	// object_create lead e9vMaiGWybEQ3Nc9xGgwV4 2023-02-21 06:50:53 +0000 UTC
	// name: true 赵拥晨
	// lead_pool: 市场公海
	// company_id: true 中山大学
}

// Receive webhooks: acknowledge only after the event is safely queued.
func ExampleNewWebhookHandler() {
	queue := make(chan []byte, 100)
	h, err := jing.NewWebhookHandler(func(ctx context.Context, e *jing.Event) error {
		select {
		case queue <- e.Raw: // persist or enqueue, then return at once
			return nil
		case <-ctx.Done():
			return ctx.Err() // not acknowledged: the vendor may deliver again
		}
	}, jing.WithWebhookSecret("an-unguessable-value"), jing.WithWebhookTenant("941"))
	if err != nil {
		panic(err)
	}
	hook := httptest.NewServer(h)
	defer hook.Close()

	// Register this URL with JINGdigital: ?token=<secret>.
	url, _ := jingtest.WebhookURL(hook.URL, "an-unguessable-value")
	body, _ := os.ReadFile("testdata/object_create.json")
	if err := jingtest.DeliverWebhook(context.Background(), url, body); err != nil {
		panic(err)
	}
	e, _ := jing.ParseEvent(<-queue)
	fmt.Println("queued", e.EventType, "dedupe key", len(e.DedupeKey()), "hex chars")
	// Output:
	// queued object_create dedupe key 64 hex chars
}
