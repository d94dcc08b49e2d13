package weiling_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/internal/webhook"
	"github.com/cluekit/cluekit/weiling"
	"github.com/cluekit/cluekit/weiling/weilingtest"
)

const (
	cbToken = "QDG6eKcluekitToken16"
	cbKey   = vecKey
	cbApp   = vecAppID
)

// signedPost builds a POST the way weiling sends it.
func signedPost(t testing.TB, token, key, appID string, msg []byte, mutate func(q url.Values, body *string)) *http.Request {
	t.Helper()
	enc, err := weiling.Encrypt(key, msg, appID)
	require.NoError(t, err)
	q := url.Values{"timestamp": {"1700000000"}, "nonce": {"n0nce"}}
	q.Set("msg_signature", weiling.Sign(token, "1700000000", "n0nce", enc))
	body := `{"to_app":"` + appID + `","encrypt_msg":"` + enc + `"}`
	if mutate != nil {
		mutate(q, &body)
	}
	r := httptest.NewRequest(http.MethodPost, "/weiling/callback?"+q.Encode(), strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// mustHandler builds a callback handler or fails the test.
func mustHandler(tb testing.TB, token, key string, fn func(context.Context, *weiling.Event) error, opts ...weiling.Option) *weiling.Handler {
	tb.Helper()
	h, err := weiling.NewCallbackHandler(token, key, fn, opts...)
	require.NoError(tb, err)
	return h
}

type recorder struct {
	mu     sync.Mutex
	events []*weiling.Event
	err    error
	panic  bool
}

func (rc *recorder) fn(_ context.Context, e *weiling.Event) error {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.panic {
		panic("boom")
	}
	rc.events = append(rc.events, e)
	return rc.err
}

func TestCallbackPost(t *testing.T) {
	t.Parallel()
	seed := fixture(t, "clue_update.json")
	tests := []struct {
		name       string
		msg        []byte
		mutate     func(q url.Values, body *string)
		fnErr      error
		fnPanic    bool
		opts       []weiling.Option
		wantStatus int
		wantCalls  int
	}{
		{name: "ok", msg: seed, wantStatus: 200, wantCalls: 1},
		{name: "upper-case signature", msg: seed, mutate: func(q url.Values, _ *string) { q.Set("msg_signature", strings.ToUpper(q.Get("msg_signature"))) }, wantStatus: 200, wantCalls: 1},
		{name: "bad signature", msg: seed, mutate: func(q url.Values, _ *string) { q.Set("msg_signature", strings.Repeat("0", 40)) }, wantStatus: 403},
		{name: "no signature", msg: seed, mutate: func(q url.Values, _ *string) { q.Del("msg_signature") }, wantStatus: 403},
		{name: "timestamp changed", msg: seed, mutate: func(q url.Values, _ *string) { q.Set("timestamp", "1700000001") }, wantStatus: 403},
		{name: "ciphertext changed", msg: seed, mutate: func(_ url.Values, b *string) { *b = strings.Replace(*b, `"encrypt_msg":"`, `"encrypt_msg":"AAAA`, 1) }, wantStatus: 403},
		{name: "not json", msg: seed, mutate: func(_ url.Values, b *string) { *b = "to_app=x&encrypt_msg=y" }, wantStatus: 400},
		{name: "no encrypt_msg", msg: seed, mutate: func(_ url.Values, b *string) { *b = `{"to_app":"x"}` }, wantStatus: 400},
		{name: "fn error", msg: seed, fnErr: errors.New("db down"), wantStatus: 500, wantCalls: 1},
		{name: "fn panic", msg: seed, fnPanic: true, wantStatus: 500},
		{name: "bad event", msg: []byte(`{"header":{"event_type":"clue_update"},"event":"x"}`), wantStatus: 400},
		{name: "raw event", msg: []byte(`{"header":{"event_type":"dept_add","time_stamp":"1"},"event":{"id":1}}`), wantStatus: 200, wantCalls: 1},
		{name: "expected app", msg: seed, opts: []weiling.Option{weiling.WithCallbackAppID(cbApp)}, wantStatus: 200, wantCalls: 1},
		{name: "other app", msg: seed, opts: []weiling.Option{weiling.WithCallbackAppID("wloa-other")}, wantStatus: 403},
		{name: "body too large", msg: seed, opts: []weiling.Option{weiling.WithMaxBodyBytes(64)}, wantStatus: 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := &recorder{err: tt.fnErr, panic: tt.fnPanic}
			logger, logs := testkit.Logger()
			opts := append([]weiling.Option{weiling.WithLogger(logger)}, tt.opts...)
			h := mustHandler(t, cbToken, cbKey, rc.fn, opts...)
			w := httptest.NewRecorder()
			req := signedPost(t, cbToken, cbKey, cbApp, tt.msg, tt.mutate)
			sig := req.URL.Query().Get("msg_signature")
			require.NotPanics(t, func() { h.ServeHTTP(w, req) })
			assert.Equal(t, tt.wantStatus, w.Code, w.Body.String())
			if tt.wantStatus == 200 {
				assert.Equal(t, "success", w.Body.String())
			} else {
				assert.NotEqual(t, "success", strings.TrimSpace(w.Body.String()))
			}
			assert.Len(t, rc.events, tt.wantCalls)
			testkit.NoSecrets(t, logs.String(), cbToken, cbKey, sig)
		})
	}
}

func TestCallbackPostEventContent(t *testing.T) {
	t.Parallel()
	rc := &recorder{}
	h := mustHandler(t, cbToken, cbKey, rc.fn)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedPost(t, cbToken, cbKey, cbApp, fixture(t, "clue_update.json"), nil))
	require.Equal(t, 200, w.Code)
	require.Len(t, rc.events, 1)
	e := rc.events[0]
	assert.Equal(t, weiling.EventClueUpdate, e.Type)
	assert.Equal(t, cbApp, e.ReceiveID)
	assert.Equal(t, cbApp, e.ToApp)
	require.NotNil(t, e.Clue)
	assertSeedClue(t, e.Clue.Clue)
	assert.Equal(t, weiling.ChangeContent, e.Clue.ChangeType)

	// The header has no to_app: the body's is used.
	rc2 := &recorder{}
	h2 := mustHandler(t, cbToken, cbKey, rc2.fn, weiling.WithCallbackAppID(cbApp))
	w = httptest.NewRecorder()
	h2.ServeHTTP(w, signedPost(t, cbToken, cbKey, cbApp, []byte(`{"header":{"event_type":"dept_add"},"event":{}}`), nil))
	require.Equal(t, 200, w.Code)
	assert.Equal(t, cbApp, rc2.events[0].ToApp)

	// The trailing id is never required to match.
	rc3 := &recorder{}
	h3 := mustHandler(t, cbToken, cbKey, rc3.fn)
	w = httptest.NewRecorder()
	h3.ServeHTTP(w, signedPost(t, cbToken, cbKey, "some-other-receiver", []byte(`{"header":{"event_type":"dept_add","to_app":"x"},"event":{}}`), nil))
	require.Equal(t, 200, w.Code)
	assert.Equal(t, "some-other-receiver", rc3.events[0].ReceiveID)
}

func TestCallbackURLVerification(t *testing.T) {
	t.Parallel()
	h := mustHandler(t, wecomToken, wecomKey, (&recorder{}).fn)
	// WeCom's published URL-check vector.
	q := url.Values{"msg_signature": {"5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"}, "timestamp": {"1409659589"}, "nonce": {"263014780"}, "echostr": {wecomEchoStr}}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/cb?"+q.Encode(), nil))
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, "1616140317555161061", w.Body.String())

	// echostr sent without URL-encoding: '+' arrives as ' '.
	raw := "msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr=" + wecomEchoStr
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/cb?"+raw, nil))
	assert.Equal(t, 200, w.Code)
	assert.Equal(t, "1616140317555161061", w.Body.String())

	bad := []url.Values{
		{"msg_signature": {"5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd4"}, "timestamp": {"1409659589"}, "nonce": {"263014780"}, "echostr": {wecomEchoStr}},
		{"msg_signature": {"5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"}, "timestamp": {"1409659590"}, "nonce": {"263014780"}, "echostr": {wecomEchoStr}},
		{"msg_signature": {"5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"}, "timestamp": {"1409659589"}, "nonce": {"263014780"}},
		{"timestamp": {"1409659589"}, "nonce": {"263014780"}, "echostr": {wecomEchoStr}},
	}
	for i, q := range bad {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/cb?"+q.Encode(), nil))
		assert.Contains(t, []int{400, 403}, w.Code, "case %d", i)
		assert.NotContains(t, w.Body.String(), "1616140317555161061")
	}
	// A valid signature over an undecryptable echostr.
	q = url.Values{"timestamp": {"1"}, "nonce": {"2"}, "echostr": {"AAAA"}}
	q.Set("msg_signature", weiling.Sign(wecomToken, "1", "2", "AAAA"))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/cb?"+q.Encode(), nil))
	assert.Equal(t, 400, w.Code)
}

// TestCallbackMisconfigured: a configuration error is an error at start-up,
// never a handler that fails every delivery, and the error carries no secret.
func TestCallbackMisconfigured(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		token, key string
		fn         func(context.Context, *weiling.Event) error
		opts       []weiling.Option
		want       error
	}{
		{"bad key", cbToken, "short", (&recorder{}).fn, nil, weiling.ErrInvalidAESKey},
		{"key not base64", cbToken, strings.Repeat("!", 43), (&recorder{}).fn, nil, weiling.ErrInvalidAESKey},
		{"empty token", "", cbKey, (&recorder{}).fn, nil, nil},
		{"nil fn", cbToken, cbKey, nil, nil, nil},
		{"client option", cbToken, cbKey, (&recorder{}).fn, []weiling.Option{weiling.WithTimeout(time.Second)}, nil},
		{"empty app id", cbToken, cbKey, (&recorder{}).fn, []weiling.Option{weiling.WithCallbackAppID("")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var h *weiling.Handler
			var err error
			require.NotPanics(t, func() { h, err = weiling.NewCallbackHandler(tt.token, tt.key, tt.fn, tt.opts...) })
			require.Error(t, err)
			assert.Nil(t, h)
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
			}
			testkit.NoSecrets(t, err.Error(), cbToken, cbKey)
		})
	}
	// A handler option given to a client is refused too.
	_, err := weiling.New(testAppID, testSecret, weiling.WithCallbackAppID(cbApp))
	require.Error(t, err)
	_, err = weiling.New(testAppID, testSecret, weiling.WithMaxBodyBytes(1))
	require.Error(t, err)
}

func TestCallbackMethods(t *testing.T) {
	t.Parallel()
	h := mustHandler(t, cbToken, cbKey, (&recorder{}).fn)
	for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(m, "/cb", bytes.NewReader(nil)))
		assert.Equal(t, http.StatusMethodNotAllowed, w.Code)
		assert.Equal(t, "GET, POST", w.Header().Get("Allow"))
	}
}

// TestCallbackWithFakeDelivery: the fake's helpers (URL check and POST)
// against the handler over real HTTP.
func TestCallbackWithFakeDelivery(t *testing.T) {
	t.Parallel()
	rc := &recorder{}
	srv := httptest.NewServer(mustHandler(t, cbToken, cbKey, rc.fn, weiling.WithCallbackAppID(cbApp)))
	defer srv.Close()
	ctx := context.Background()
	require.NoError(t, weilingtest.VerifyCallbackURL(ctx, srv.URL, cbToken, cbKey, cbApp))
	msg := weilingtest.NewMessage(weiling.EventClueAdd, cbApp, time.Now(), map[string]any{"clue_id": "c1", "create_time": 1631618303000, "change_type": 4})
	require.NoError(t, weilingtest.DeliverCallback(ctx, srv.URL, cbToken, cbKey, cbApp, msg))
	require.Len(t, rc.events, 1)
	assert.Equal(t, "c1", rc.events[0].Clue.ClueID)
	assert.Equal(t, weiling.ChangeType("4"), rc.events[0].Clue.ChangeType)
	// Wrong token or key: not acknowledged.
	err := weilingtest.DeliverCallback(ctx, srv.URL, "other-token-0000", cbKey, cbApp, msg)
	require.ErrorIs(t, err, weilingtest.ErrNotAcknowledged)
	err = weilingtest.VerifyCallbackURL(ctx, srv.URL, cbToken, "zyxwvutsrqponmlkjihgfedcba9876543210ZYXWVUT", cbApp)
	require.ErrorIs(t, err, weilingtest.ErrNotAcknowledged)
	rc.mu.Lock()
	rc.err = errors.New("not now")
	rc.mu.Unlock()
	err = weilingtest.DeliverCallback(ctx, srv.URL, cbToken, cbKey, cbApp, msg)
	require.ErrorIs(t, err, weilingtest.ErrNotAcknowledged)
	assert.Len(t, rc.events, 2)
}

func BenchmarkCallbackHandler(b *testing.B) {
	h := mustHandler(b, cbToken, cbKey, func(context.Context, *weiling.Event) error { return nil })
	seed := fixture(b, "clue_update.json")
	req := signedPost(b, cbToken, cbKey, cbApp, seed, nil)
	body, _ := io.ReadAll(req.Body)
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, req.URL.String(), bytes.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// TestCallbackDedupe: with WithDeduper, a redelivered event is acknowledged
// without calling the function again (keyed by Event.DedupeKey), and an
// observer sees each delivery.
func TestCallbackDedupe(t *testing.T) {
	t.Parallel()
	rc := &recorder{}
	var infos []weiling.CallbackInfo
	obs := weiling.Observer{Callback: func(_ context.Context, info weiling.CallbackInfo, _ error) { infos = append(infos, info) }}
	h := mustHandler(t, cbToken, cbKey, rc.fn, weiling.WithDeduper(webhook.NewMemoryDeduper(time.Hour, nil)), weiling.WithObserver(obs))
	req := signedPost(t, cbToken, cbKey, cbApp, fixture(t, "clue_update.json"), nil)
	body, err := io.ReadAll(req.Body)
	require.NoError(t, err)
	for range 2 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, req.URL.String(), bytes.NewReader(body)))
		assert.Equal(t, 200, w.Code)
		assert.Equal(t, weiling.CallbackAck, w.Body.String())
	}
	assert.Len(t, rc.events, 1, "the redelivery is not handled again")
	require.Len(t, infos, 2)
	assert.Equal(t, weiling.EventClueUpdate, infos[0].Event)
	assert.False(t, infos[0].Duplicate)
	assert.True(t, infos[1].Duplicate)
}
