package jing_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/internal/webhook"
	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
)

const hookSecret = "hook-secret-3e8a91"

func TestWebhookHandler(t *testing.T) {
	t.Parallel()
	seed := string(readFixture(t, "object_create.json"))
	secret := jing.WithWebhookSecret(hookSecret)
	open := jing.WithoutAuthentication()
	withToken := "/hook?token=" + hookSecret
	tests := []struct {
		name       string
		opts       []jing.Option
		method     string
		target     string
		body       string
		fn         func(ctx context.Context, e *jing.Event) error
		wantStatus int
		wantCalls  int32
		wantBody   string
	}{
		{name: "good, explicitly without authentication", opts: []jing.Option{open}, target: "/hook", body: seed, wantStatus: 200, wantCalls: 1, wantBody: "success"},
		{name: "good with secret", opts: []jing.Option{secret}, target: withToken, body: seed, wantStatus: 200, wantCalls: 1, wantBody: "success"},
		{name: "bad secret", opts: []jing.Option{secret}, target: "/hook?token=" + hookSecret + "x", body: seed, wantStatus: 403},
		{name: "missing secret", opts: []jing.Option{secret}, target: "/hook", body: seed, wantStatus: 403},
		{name: "secret in another param", opts: []jing.Option{secret}, target: "/hook?key=" + hookSecret, body: seed, wantStatus: 403},
		{name: "secret in a configured param", opts: []jing.Option{secret, jing.WithWebhookSecretParam("key")}, target: "/hook?key=" + hookSecret, body: seed, wantStatus: 200, wantCalls: 1},
		{name: "default param when another is configured", opts: []jing.Option{secret, jing.WithWebhookSecretParam("key")}, target: withToken, body: seed, wantStatus: 403},
		{name: "the curl of the issue, with a secret configured", opts: []jing.Option{secret}, target: "/hook", body: `{"event_type":"object_create"}`, wantStatus: 403},
		{name: "GET refused", opts: []jing.Option{secret}, method: "GET", target: withToken, wantStatus: 405},
		{name: "PUT refused", opts: []jing.Option{secret}, method: "PUT", target: withToken, body: seed, wantStatus: 405},
		{name: "oversize", opts: []jing.Option{secret, jing.WithMaxBodyBytes(100)}, target: withToken, body: seed, wantStatus: 413},
		{name: "not an event", opts: []jing.Option{secret}, target: withToken, body: `<xml/>`, wantStatus: 400},
		{name: "no event_type", opts: []jing.Option{secret}, target: withToken, body: `{"mid":"941"}`, wantStatus: 400},
		{name: "tenant matches", opts: []jing.Option{secret, jing.WithWebhookTenant("941")}, target: withToken, body: seed, wantStatus: 200, wantCalls: 1},
		{name: "tenant mismatch", opts: []jing.Option{secret, jing.WithWebhookTenant("942")}, target: withToken, body: seed, wantStatus: 403},
		{name: "tenant checked without authentication too", opts: []jing.Option{open, jing.WithWebhookTenant("942")}, target: "/hook", body: seed, wantStatus: 403},
		{name: "fn error: not acknowledged", opts: []jing.Option{secret}, target: withToken, body: seed, wantStatus: 500, wantCalls: 1,
			fn: func(context.Context, *jing.Event) error { return errors.New("queue full") }},
		{name: "fn panic: not acknowledged", opts: []jing.Option{secret}, target: withToken, body: seed, wantStatus: 500, wantCalls: 1,
			fn: func(context.Context, *jing.Event) error { panic("boom") }},
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
			logger, logs := testkit.Logger()
			h, err := jing.NewWebhookHandler(fn, append(tt.opts, jing.WithLogger(logger), nil)...)
			require.NoError(t, err)
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
				assert.Equal(t, jing.ID("e9vMaiGWybEQ3Nc9xGgwV4"), got.ExtraData.EntityID)
			}
			if tt.wantStatus == 405 {
				assert.Equal(t, "POST", rec.Header().Get("Allow"))
			}
			testkit.NoSecrets(t, logs.String()+rec.Body.String(), hookSecret)
		})
	}
}

// A handler that would answer anyone is never built by accident: the
// constructor refuses it unless told which authentication to use.
func TestNewWebhookHandlerRefusesOpenEndpoint(t *testing.T) {
	t.Parallel()
	fn := func(context.Context, *jing.Event) error { return nil }
	tests := []struct {
		name    string
		fn      func(context.Context, *jing.Event) error
		opts    []jing.Option
		wantErr string
	}{
		{name: "no authentication option", fn: fn, wantErr: "WithoutAuthentication"},
		{name: "only a tenant is no authentication", fn: fn, opts: []jing.Option{jing.WithWebhookTenant("941")}, wantErr: "WithWebhookSecret"},
		{name: "empty secret", fn: fn, opts: []jing.Option{jing.WithWebhookSecret("")}, wantErr: "empty secret"},
		{name: "secret and open", fn: fn, opts: []jing.Option{jing.WithWebhookSecret(hookSecret), jing.WithoutAuthentication()}, wantErr: "exclude each other"},
		{name: "nil fn", opts: []jing.Option{jing.WithWebhookSecret(hookSecret)}, wantErr: "nil function"},
		{name: "empty tenant", fn: fn, opts: []jing.Option{jing.WithWebhookSecret(hookSecret), jing.WithWebhookTenant(" ")}, wantErr: "tenant"},
		{name: "bad param name", fn: fn, opts: []jing.Option{jing.WithWebhookSecret(hookSecret), jing.WithWebhookSecretParam("a=b")}, wantErr: "WithWebhookSecretParam"},
		{name: "client option", fn: fn, opts: []jing.Option{jing.WithWebhookSecret(hookSecret), jing.WithTimeout(time.Second)}, wantErr: "WithTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := jing.NewWebhookHandler(tt.fn, tt.opts...)
			require.Error(t, err)
			assert.Nil(t, h)
			assert.Contains(t, err.Error(), tt.wantErr)
			testkit.NoSecrets(t, err.Error(), hookSecret)
		})
	}
	t.Run("handler options are refused by New", func(t *testing.T) {
		t.Parallel()
		for _, o := range []jing.Option{jing.WithWebhookSecret(hookSecret), jing.WithoutAuthentication(), jing.WithWebhookTenant("941")} {
			_, err := jing.New("a", "sec-1", o)
			require.Error(t, err)
			testkit.NoSecrets(t, err.Error(), hookSecret)
		}
	})
}

// The issue: with no secret the endpoint answered 200 to
// curl -d '{"event_type":"object_create"}'. Now that needs
// WithoutAuthentication, which warns once, when the handler is built.
func TestWithoutAuthenticationWarnsOnce(t *testing.T) {
	t.Parallel()
	logger, logs := testkit.Logger()
	var calls atomic.Int32
	h, err := jing.NewWebhookHandler(func(context.Context, *jing.Event) error {
		calls.Add(1)
		return nil
	}, jing.WithoutAuthentication(), jing.WithLogger(logger))
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(logs.String(), "WithoutAuthentication"), "one warning at construction")
	assert.Contains(t, logs.String(), `"level":"WARN"`)
	for range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(`{"event_type":"object_create"}`)))
		assert.Equal(t, 200, rec.Code)
	}
	assert.Equal(t, int32(3), calls.Load())
	assert.Equal(t, 1, strings.Count(logs.String(), "WithoutAuthentication"), "not repeated per delivery")
}

// PHP encodes an empty map as []: mapping_data and mapping_data_text
// arrive as [] or null, and the event must still be acknowledged.
func TestWebhookEmptyMappingData(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"object_update.php_empty_list.synthetic.json", "object_update.null_mapping.synthetic.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body := readFixture(t, name)
			e, err := jing.ParseEvent(body)
			require.NoError(t, err)
			x := e.ExtraData
			assert.Nil(t, x.MappingData)
			assert.Nil(t, x.MappingDataText)
			assert.Empty(t, x.MappingData.Fields())
			_, _, ok := x.Change(jing.FieldName)
			assert.False(t, ok)
			assert.Empty(t, x.Extra, "accepted as the documented field, not kept aside")
			assert.Len(t, e.DedupeKey(), 64)

			var got *jing.Event
			h, err := jing.NewWebhookHandler(func(_ context.Context, e *jing.Event) error { got = e; return nil }, jing.WithWebhookSecret(hookSecret))
			require.NoError(t, err)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/hook?token="+hookSecret, bytes.NewReader(body)))
			assert.Equal(t, 200, rec.Code, "acknowledged")
			require.NotNil(t, got)
			assert.Equal(t, jing.EventObjectUpdate, got.EventType)
		})
	}
}

// A redelivered event (same DedupeKey) is acknowledged without calling the
// function again; observers see each delivery.
func TestWebhookDedupeAndObserver(t *testing.T) {
	t.Parallel()
	seed := readFixture(t, "object_create.json")
	var calls atomic.Int32
	var infos []jing.CallbackInfo
	obs := jing.Observer{Callback: func(_ context.Context, info jing.CallbackInfo, _ error) { infos = append(infos, info) }}
	h, err := jing.NewWebhookHandler(func(context.Context, *jing.Event) error {
		calls.Add(1)
		return nil
	}, jing.WithWebhookSecret(hookSecret), jing.WithDeduper(webhook.NewMemoryDeduper(time.Hour, nil)), jing.WithObserver(obs))
	require.NoError(t, err)
	for range 2 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/hook?token="+hookSecret, bytes.NewReader(seed)))
		assert.Equal(t, 200, rec.Code)
		assert.Equal(t, "success", rec.Body.String())
	}
	assert.Equal(t, int32(1), calls.Load())
	require.Len(t, infos, 2)
	assert.Equal(t, jing.CallbackInfo{Vendor: "jing", Event: "object_create", HTTPStatus: 200, Duration: infos[0].Duration}, infos[0])
	assert.True(t, infos[1].Duplicate)
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
	h, err := jing.NewWebhookHandler(func(_ context.Context, e *jing.Event) error {
		if fail.Swap(false) {
			return errors.New("first delivery fails")
		}
		events <- e
		return nil
	}, jing.WithWebhookSecret(hookSecret), jing.WithWebhookTenant(srv.MID))
	require.NoError(t, err)
	hook := httptest.NewServer(h)
	defer hook.Close()
	url, err := jingtest.WebhookURL(hook.URL+"/jing?x=1", hookSecret)
	require.NoError(t, err)

	ev := srv.ObjectCreateEvent(u)
	err = srv.DeliverWebhook(ctx, url, ev)
	require.Error(t, err, "a failed handler is not acknowledged")
	testkit.NoSecrets(t, err.Error(), hookSecret)
	require.NoError(t, srv.DeliverWebhook(ctx, url, ev), "redelivery")
	assert.Equal(t, 1, srv.Deliveries())
	e := <-events
	assert.Equal(t, jing.EventObjectCreate, e.EventType)
	assert.Equal(t, jing.ID(u.LeadID), e.ExtraData.EntityID)
	assert.Equal(t, jing.ID(u.ID), e.ExtraData.LeadOmniUserUUID)
	_, name, ok := e.ExtraData.Change("name")
	require.True(t, ok)
	assert.Equal(t, "赵拥晨", *name)
	_, mobile, _ := e.ExtraData.Change("mobile")
	assert.Equal(t, "19667348978", *mobile)

	bad, err := jingtest.WebhookURL(hook.URL, "wrong")
	require.NoError(t, err)
	assert.ErrorContains(t, srv.DeliverWebhook(ctx, bad, ev), "HTTP 403")
}
