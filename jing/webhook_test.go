package jing_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
)

const hookSecret = "hook-secret-3e8a91"

func TestWebhookHandler(t *testing.T) {
	t.Parallel()
	seed := string(readFixture(t, "object_create.json"))
	tests := []struct {
		name       string
		opts       []jing.WebhookOption
		method     string
		target     string
		body       string
		fn         func(ctx context.Context, e *jing.Event) error
		nilFn      bool
		wantStatus int
		wantCalls  int32
		wantBody   string
	}{
		{name: "good, no secret configured", target: "/hook", body: seed, wantStatus: 200, wantCalls: 1, wantBody: "success"},
		{name: "good with secret", opts: []jing.WebhookOption{jing.WithWebhookSecret("token", hookSecret)},
			target: "/hook?token=" + hookSecret, body: seed, wantStatus: 200, wantCalls: 1},
		{name: "bad secret", opts: []jing.WebhookOption{jing.WithWebhookSecret("token", hookSecret)},
			target: "/hook?token=" + hookSecret + "x", body: seed, wantStatus: 403},
		{name: "missing secret", opts: []jing.WebhookOption{jing.WithWebhookSecret("token", hookSecret)},
			target: "/hook", body: seed, wantStatus: 403},
		{name: "secret in another param", opts: []jing.WebhookOption{jing.WithWebhookSecret("token", hookSecret)},
			target: "/hook?key=" + hookSecret, body: seed, wantStatus: 403},
		{name: "empty secret configured fails closed", opts: []jing.WebhookOption{jing.WithWebhookSecret("token", "")},
			target: "/hook?token=", body: seed, wantStatus: 500},
		{name: "GET refused", method: "GET", target: "/hook", wantStatus: 405},
		{name: "PUT refused", method: "PUT", target: "/hook", body: seed, wantStatus: 405},
		{name: "oversize", opts: []jing.WebhookOption{jing.WithWebhookMaxBody(100)}, target: "/hook", body: seed, wantStatus: 413},
		{name: "not an event", target: "/hook", body: `<xml/>`, wantStatus: 400},
		{name: "no event_type", target: "/hook", body: `{"mid":"941"}`, wantStatus: 400},
		{name: "tenant matches", opts: []jing.WebhookOption{jing.WithWebhookTenant("941")}, target: "/hook", body: seed, wantStatus: 200, wantCalls: 1},
		{name: "tenant mismatch", opts: []jing.WebhookOption{jing.WithWebhookTenant("942")}, target: "/hook", body: seed, wantStatus: 403},
		{name: "fn error: not acknowledged", target: "/hook", body: seed, wantStatus: 500, wantCalls: 1,
			fn: func(context.Context, *jing.Event) error { return errors.New("queue full") }},
		{name: "fn panic: not acknowledged", target: "/hook", body: seed, wantStatus: 500, wantCalls: 1,
			fn: func(context.Context, *jing.Event) error { panic("boom") }},
		{name: "nil fn", nilFn: true, target: "/hook", body: seed, wantStatus: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			var got *jing.Event
			fn := func(ctx context.Context, e *jing.Event) error {
				calls.Add(1)
				got = e
				if tt.fn != nil {
					return tt.fn(ctx, e)
				}
				return nil
			}
			if tt.nilFn {
				fn = nil
			}
			logger, logs := testkit.Logger()
			h := jing.NewWebhookHandler(fn, append(tt.opts, jing.WithWebhookLogger(logger), nil)...)
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			req := httptest.NewRequest(method, tt.target, strings.NewReader(tt.body))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tt.wantStatus, rec.Code)
			assert.Equal(t, tt.wantCalls, calls.Load())
			if tt.wantBody != "" {
				assert.Equal(t, tt.wantBody, rec.Body.String())
			}
			if tt.wantStatus == 200 {
				require.NotNil(t, got)
				assert.Equal(t, "e9vMaiGWybEQ3Nc9xGgwV4", got.ExtraData.EntityID)
			}
			if tt.wantStatus == 405 {
				assert.Equal(t, "POST", rec.Header().Get("Allow"))
			}
			testkit.NoSecrets(t, logs.String()+rec.Body.String(), hookSecret)
		})
	}
}

func TestWebhookDeliveredByFake(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c, _ := newFakeClient(t, srv, nil)
	ctx := context.Background()
	_, err := c.CreateUsers(ctx, &jing.CreateUsersRequest{Users: []jing.User{{
		Identities: []jing.Identity{{Type: jing.IdentityMobile, Value: "19667348978"}},
		Fields:     map[string]any{"name": "赵拥晨"},
	}}})
	require.NoError(t, err)
	u, ok := srv.FindUser(jing.IdentityMobile, "19667348978")
	require.True(t, ok)

	events := make(chan *jing.Event, 1)
	fail := atomic.Bool{}
	fail.Store(true)
	hook := httptest.NewServer(jing.NewWebhookHandler(func(_ context.Context, e *jing.Event) error {
		if fail.Swap(false) {
			return errors.New("first delivery fails")
		}
		events <- e
		return nil
	}, jing.WithWebhookSecret("token", hookSecret), jing.WithWebhookTenant(srv.MID)))
	defer hook.Close()
	url, err := jingtest.WebhookURL(hook.URL+"/jing?x=1", "token", hookSecret)
	require.NoError(t, err)

	ev := srv.ObjectCreateEvent(u)
	err = srv.DeliverWebhook(ctx, url, ev)
	require.Error(t, err, "a failed handler is not acknowledged")
	testkit.NoSecrets(t, err.Error(), hookSecret)
	require.NoError(t, srv.DeliverWebhook(ctx, url, ev), "redelivery")
	assert.Equal(t, 1, srv.Deliveries())
	e := <-events
	assert.Equal(t, jing.EventObjectCreate, e.EventType)
	assert.Equal(t, u.LeadID, e.ExtraData.EntityID)
	assert.Equal(t, u.ID, e.ExtraData.LeadOmniUserUUID)
	_, name, ok := e.ExtraData.Change("name")
	require.True(t, ok)
	assert.Equal(t, "赵拥晨", *name)
	_, mobile, _ := e.ExtraData.Change("mobile")
	assert.Equal(t, "19667348978", *mobile)

	bad, err := jingtest.WebhookURL(hook.URL, "token", "wrong")
	require.NoError(t, err)
	assert.ErrorContains(t, srv.DeliverWebhook(ctx, bad, ev), "HTTP 403")
}
