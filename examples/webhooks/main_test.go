package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/jing/jingtest"
	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
	"github.com/cluekit/cluekit/weiling/weilingtest"
)

const (
	pushSecret = "push-secret-for-test"
	wlToken    = "QDG6eK"
	wlAESKey   = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C" // WeCom's sample key shape: 43 characters
	wlAppID    = "wloa4376fe67dc041d474a79513ed70ae3db"
	jingSecret = "jing-url-secret"
)

func testConfig() config {
	return config{Waiqin365PushSecret: pushSecret, WeilingToken: wlToken, WeilingAESKey: wlAESKey, WeilingAppID: wlAppID,
		JingWebhookSecret: jingSecret}
}

func startMux(t *testing.T, c config) (*httptest.Server, *testkit.Buffer, *testkit.Buffer) {
	t.Helper()
	out := &testkit.Buffer{}
	logs := &testkit.Buffer{}
	srv := httptest.NewServer(newMux(c, out, slog.New(slog.NewTextHandler(logs, nil))))
	t.Cleanup(srv.Close)
	return srv, out, logs
}

func lines(t *testing.T, out *testkit.Buffer) []line {
	t.Helper()
	var got []line
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		var l line
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), "each output line is JSON: %s", sc.Text())
		got = append(got, l)
	}
	return got
}

func TestAcknowledgesEachVendorAndPrintsOneLine(t *testing.T) {
	t.Parallel()
	srv, out, logs := startMux(t, testConfig())
	ctx := context.Background()

	follow := map[string]any{"lead_ID": "SK202101090003", "lead_code": "zsmd", "lead_name": "张三门店", "create_at": "2026-11-23 10:00", "ext_level": "A"}
	require.NoError(t, waiqin365test.DeliverPush(ctx, srv.URL+"/waiqin365/push", pushSecret, waiqin365.DataTypeSalesLeadsFollow, follow))

	require.NoError(t, weilingtest.VerifyCallbackURL(ctx, srv.URL+"/weiling/callback", wlToken, wlAESKey, wlAppID))
	msg := weilingtest.NewMessage("clue_update", wlAppID, time.Now(), map[string]any{"clue_id": "Rw4Ed-aep4uP1_NPBh-SQ8SVxOpdHyLIPu2y_0Jr3bw", "user_name": "小穆", "change_type": "change_content"})
	require.NoError(t, weilingtest.DeliverCallback(ctx, srv.URL+"/weiling/callback", wlToken, wlAESKey, wlAppID, msg))

	jsrv := jingtest.NewServer()
	defer jsrv.Close()
	u, err := jingtest.WebhookURL(srv.URL+"/jing/webhook", jingSecret)
	require.NoError(t, err)
	require.NoError(t, jingtest.DeliverWebhook(ctx, u, jsrv.ObjectCreateEvent(jingtest.User{LeadID: "e9vMaiGWybEQ3Nc9xGgwV4"})))

	got := lines(t, out)
	require.Len(t, got, 3)
	assert.Equal(t, "waiqin365", got[0].Vendor)
	assert.Equal(t, "salesLeads_follow", got[0].Type)
	assert.Equal(t, "weiling", got[1].Vendor)
	assert.Equal(t, "clue_update", got[1].Type)
	assert.Equal(t, "jing", got[2].Vendor)
	assert.Equal(t, "object_create", got[2].Type)
	for _, l := range got {
		assert.NotEmpty(t, l.DedupeKey)
		assert.NotEmpty(t, l.Data)
	}
	testkit.NoSecrets(t, out.String()+logs.String(), pushSecret, wlAESKey, jingSecret)
}

func TestRejectsBadSignatures(t *testing.T) {
	t.Parallel()
	srv, out, _ := startMux(t, testConfig())
	ctx := context.Background()

	form, err := waiqin365test.NewPushForm("wrong-secret", waiqin365.DataTypeSalesLeadsFollow, map[string]any{"lead_ID": "1"})
	require.NoError(t, err)
	assert.Error(t, waiqin365test.DeliverPushForm(ctx, srv.URL+"/waiqin365/push", form))

	msg := weilingtest.NewMessage("clue_add", wlAppID, time.Now(), map[string]any{"clue_id": "x"})
	assert.Error(t, weilingtest.DeliverCallback(ctx, srv.URL+"/weiling/callback", "wrongToken", wlAESKey, wlAppID, msg))
	resp, err := http.Post(srv.URL+"/weiling/callback?msg_signature=00&timestamp=1&nonce=2", "application/json", strings.NewReader(`{"to_app":"x","encrypt_msg":"AAAA"}`))
	require.NoError(t, err)
	resp.Body.Close()
	assert.NotEqual(t, http.StatusOK, resp.StatusCode)

	jsrv := jingtest.NewServer()
	defer jsrv.Close()
	ev := jsrv.ObjectCreateEvent(jingtest.User{LeadID: "e9vMaiGWybEQ3Nc9xGgwV4"})
	assert.Error(t, jingtest.DeliverWebhook(ctx, srv.URL+"/jing/webhook", ev), "no secret in the URL")
	bad, _ := jingtest.WebhookURL(srv.URL+"/jing/webhook", "guess")
	assert.Error(t, jingtest.DeliverWebhook(ctx, bad, ev))

	assert.Empty(t, out.String(), "nothing rejected is printed")
}

func TestUnconfiguredRoutesAnswer503(t *testing.T) {
	t.Parallel()
	srv, _, _ := startMux(t, config{})
	for _, path := range []string{"/waiqin365/push", "/weiling/callback"} {
		resp, err := http.PostForm(srv.URL+path, url.Values{"a": {"b"}})
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, path)
	}
	// JING signs nothing: without a configured secret the route is never
	// opened, so anyone's event is refused rather than acknowledged.
	jsrv := jingtest.NewServer()
	defer jsrv.Close()
	err := jingtest.DeliverWebhook(context.Background(), srv.URL+"/jing/webhook", jsrv.ObjectCreateEvent(jingtest.User{LeadID: "x"}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "503")
}

func TestServeShutsDownGracefully(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	c := testConfig()
	c.Addr = addr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, io.Discard, slog.New(slog.DiscardHandler)) }()
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/jing/webhook")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusMethodNotAllowed
	}, 5*time.Second, 10*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
}
