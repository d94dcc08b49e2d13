package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cluekit/cluekit/weiling"
	"github.com/cluekit/cluekit/weiling/weilingtest"
)

func init() {
	addFakeSecrets(weilingtest.DefaultAppSecret, weilingtest.DefaultCallbackToken, weilingtest.DefaultEncodingAESKey)
}

func weilingEnv(srv *weilingtest.Server) map[string]string {
	return map[string]string{
		"WEILING_APP_ID":     srv.AppID,
		"WEILING_APP_SECRET": srv.AppSecret,
		"WEILING_BASE_URL":   srv.URL,
	}
}

func TestWeilingCheck(t *testing.T) {
	t.Parallel()
	t.Run("fake", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "", "weiling", "check", "-fake")
		want(t, r, exitOK, "access token obtained", "expires:", "assumes 2 h", "result:         OK", weilingtest.DefaultAppID)
	})
	t.Run("variables", func(t *testing.T) {
		t.Parallel()
		srv := weilingtest.NewServer()
		t.Cleanup(srv.Close)
		r := runCmd(t, weilingEnv(srv), "", "weiling", "check")
		want(t, r, exitOK, srv.URL)
		assertNoSecrets(t, r, srv.LiveTokens()...)
		if len(srv.LiveTokens()) == 0 || srv.TokenRequests() != 1 {
			t.Errorf("token requests %d", srv.TokenRequests())
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		t.Parallel()
		srv := weilingtest.NewServer()
		t.Cleanup(srv.Close)
		env := weilingEnv(srv)
		env["WEILING_APP_SECRET"] = "wrong-secret-0123456789"
		r := runCmd(t, env, "", "weiling", "check")
		want(t, r, exitFail, "FAILED", "code:")
	})
}

func TestWeilingDo(t *testing.T) {
	t.Parallel()
	srv := weilingtest.NewServer()
	t.Cleanup(srv.Close)
	id := srv.AddContact(weiling.Contact{UserName: "小穆"})
	r := runCmd(t, weilingEnv(srv), "", "weiling", "do", "POST", "/openapi/contact/batch", `{"contact_ids":["`+id+`"]}`)
	want(t, r, exitOK, "小穆", id)
	assertNoSecrets(t, r, srv.LiveTokens()...)
	var res struct {
		Contacts []json.RawMessage `json:"contact_list"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || len(res.Contacts) != 1 {
		t.Fatalf("%v\n%s", err, r)
	}
	r = runCmd(t, nil, "", "weiling", "do", "-fake", "GET", "/openapi/contact/list?start_day=2024-01-01&end_day=2024-01-31")
	want(t, r, exitFail, "code:        1006")
}

// weilingReceiver is a callback endpoint built with the SDK's handler.
type weilingReceiver struct {
	mu     sync.Mutex
	events []*weiling.Event
	srv    *httptest.Server
}

func newWeilingReceiver(t *testing.T, token, key string) *weilingReceiver {
	t.Helper()
	rc := &weilingReceiver{}
	h, err := weiling.NewCallbackHandler(token, key, func(_ context.Context, e *weiling.Event) error {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.events = append(rc.events, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rc.srv = httptest.NewServer(h)
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *weilingReceiver) got() []*weiling.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*weiling.Event(nil), rc.events...)
}

func TestWeilingCallbackSend(t *testing.T) {
	t.Parallel()
	token, key := weilingtest.NewCallbackToken(), weilingtest.NewEncodingAESKey()
	env := map[string]string{"WEILING_CALLBACK_TOKEN": token, "WEILING_ENCODING_AES_KEY": key, "WEILING_APP_ID": "wlapp0001"}
	t.Run("default event", func(t *testing.T) {
		t.Parallel()
		rc := newWeilingReceiver(t, token, key)
		r := runCmd(t, env, "", "weiling", "callback", "send", "-url", rc.srv.URL+"/weiling")
		want(t, r, exitOK, "HTTP 200 OK", "success", "msg_signature=", "result:         acknowledged")
		got := rc.got()
		if len(got) != 1 || got[0].Type != weiling.EventClueUpdate || got[0].Clue == nil || got[0].Clue.UserName != "小穆" || got[0].ReceiveID != "wlapp0001" {
			t.Fatalf("the handler got %+v", got)
		}
	})
	t.Run("event file", func(t *testing.T) {
		t.Parallel()
		rc := newWeilingReceiver(t, token, key)
		msg := weilingtest.NewMessage(weiling.EventClueUpdate, "wlapp0001", time.Now(), weiling.ClueEvent{
			Clue: weiling.Clue{ClueID: "clue-42", UserName: "王五"}, ChangeType: weiling.ChangeContent})
		b, _ := json.Marshal(msg)
		r := runCmd(t, env, "", "weiling", "callback", "send", "-url", rc.srv.URL, "-event", writeFile(t, "ev.json", b))
		want(t, r, exitOK, "acknowledged")
		if got := rc.got(); len(got) != 1 || got[0].Clue == nil || got[0].Clue.ClueID != "clue-42" {
			t.Fatalf("the handler got %+v", got)
		}
	})
	t.Run("URL check", func(t *testing.T) {
		t.Parallel()
		rc := newWeilingReceiver(t, token, key)
		r := runCmd(t, env, "", "weiling", "callback", "send", "-check-url", "-url", rc.srv.URL)
		want(t, r, exitOK, "GET ", "echostr=", "acknowledged")
		if len(rc.got()) != 0 {
			t.Fatal("a URL check reached the function")
		}
	})
	t.Run("fake secrets", func(t *testing.T) {
		t.Parallel()
		rc := newWeilingReceiver(t, weilingtest.DefaultCallbackToken, weilingtest.DefaultEncodingAESKey)
		r := runCmd(t, nil, "", "weiling", "callback", "send", "-fake", "-url", rc.srv.URL)
		want(t, r, exitOK, "acknowledged")
		if got := rc.got(); len(got) != 1 || got[0].ReceiveID != weilingtest.DefaultAppID {
			t.Fatalf("the handler got %+v", got)
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		t.Parallel()
		rc := newWeilingReceiver(t, weilingtest.NewCallbackToken(), key)
		r := runCmd(t, env, "", "weiling", "callback", "send", "-url", rc.srv.URL)
		want(t, r, exitFail, "HTTP 403", "REFUSED", `want HTTP 200 "success"`)
		if len(rc.got()) != 0 {
			t.Fatal("a refused callback reached the function")
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		t.Parallel()
		rc := newWeilingReceiver(t, token, weilingtest.NewEncodingAESKey())
		r := runCmd(t, env, "", "weiling", "callback", "send", "-url", rc.srv.URL)
		want(t, r, exitFail, "REFUSED")
		if len(rc.got()) != 0 {
			t.Fatal("an undecryptable callback reached the function")
		}
	})
	t.Run("malformed key", func(t *testing.T) {
		t.Parallel()
		bad := map[string]string{"WEILING_CALLBACK_TOKEN": token, "WEILING_ENCODING_AES_KEY": "short-key-123"}
		r := runCmd(t, bad, "", "weiling", "callback", "send", "-url", "http://127.0.0.1:1/")
		want(t, r, exitUsage, "WEILING_ENCODING_AES_KEY is not a usable EncodingAESKey")
	})
	t.Run("partial", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, map[string]string{"WEILING_CALLBACK_TOKEN": token}, "", "weiling", "callback", "send", "-url", "http://127.0.0.1:1/")
		want(t, r, exitUsage, "missing WEILING_ENCODING_AES_KEY (WEILING_CALLBACK_TOKEN is set)")
	})
}

// capture is an endpoint recording the deliveries it gets (and answering
// "success"), to test callback decode on real captures.
type capture struct {
	mu    sync.Mutex
	query []string
	body  [][]byte
	srv   *httptest.Server
}

func newCapture(t *testing.T) *capture {
	c := &capture{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.query = append(c.query, r.URL.RawQuery)
		c.body = append(c.body, b)
		c.mu.Unlock()
		_, _ = w.Write([]byte(weiling.CallbackAck))
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func TestWeilingCallbackDecode(t *testing.T) {
	t.Parallel()
	token, key := weilingtest.NewCallbackToken(), weilingtest.NewEncodingAESKey()
	env := map[string]string{"WEILING_CALLBACK_TOKEN": token, "WEILING_ENCODING_AES_KEY": key, "WEILING_APP_ID": "wlapp0001"}
	c := newCapture(t)
	r := runCmd(t, env, "", "weiling", "callback", "send", "-url", c.srv.URL+"/cb")
	want(t, r, exitOK)
	query, body := c.query[0], c.body[0]
	bodyFile := writeFile(t, "body.json", body)
	original, _ := testdata.ReadFile("testdata/weiling_clue_update.json")

	t.Run("round trip, query and body file", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, env, "", "weiling", "callback", "decode", "-query", query, "-body", bodyFile)
		want(t, r, exitOK, "signature OK", "event clue_update", `receive id "wlapp0001"`)
		assertSameJSON(t, r.stdout, original)
	})
	t.Run("whole URL, body on stdin", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, env, string(body), "weiling", "callback", "decode", "-query", c.srv.URL+"/cb?"+query)
		want(t, r, exitOK, "signature OK")
		assertSameJSON(t, r.stdout, original)
	})
	t.Run("separate flags, bare encrypt_msg", func(t *testing.T) {
		t.Parallel()
		q, _ := url.ParseQuery(query)
		var b struct {
			EncryptMsg string `json:"encrypt_msg"`
		}
		_ = json.Unmarshal(body, &b)
		r := runCmd(t, env, b.EncryptMsg, "weiling", "callback", "decode",
			"-msg-signature", q.Get("msg_signature"), "-timestamp", q.Get("timestamp"), "-nonce", q.Get("nonce"))
		want(t, r, exitOK, "signature OK")
		assertSameJSON(t, r.stdout, original)
	})
	t.Run("bad signature", func(t *testing.T) {
		t.Parallel()
		q, _ := url.ParseQuery(query)
		q.Set("nonce", q.Get("nonce")+"x")
		r := runCmd(t, env, "", "weiling", "callback", "decode", "-query", q.Encode(), "-body", bodyFile)
		want(t, r, exitFail, "bad signature")
		if strings.Contains(r.stdout, "小穆") {
			t.Error("printed a message whose signature is bad")
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		t.Parallel()
		other := map[string]string{"WEILING_CALLBACK_TOKEN": weilingtest.NewCallbackToken(), "WEILING_ENCODING_AES_KEY": key}
		r := runCmd(t, other, "", "weiling", "callback", "decode", "-query", query, "-body", bodyFile)
		want(t, r, exitFail, "bad signature", "another callback token")
	})
	t.Run("wrong key", func(t *testing.T) {
		t.Parallel()
		other := map[string]string{"WEILING_CALLBACK_TOKEN": token, "WEILING_ENCODING_AES_KEY": weilingtest.NewEncodingAESKey()}
		r := runCmd(t, other, "", "weiling", "callback", "decode", "-query", query, "-body", bodyFile)
		want(t, r, exitFail, "does not decrypt")
	})
	t.Run("missing parameters", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, env, "", "weiling", "callback", "decode", "-body", bodyFile)
		want(t, r, exitUsage, "missing msg_signature, timestamp, nonce")
	})
	t.Run("missing variables", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "", "weiling", "callback", "decode", "-query", query, "-body", bodyFile)
		want(t, r, exitUsage, "WEILING_CALLBACK_TOKEN", "WEILING_ENCODING_AES_KEY")
	})
	t.Run("fake", func(t *testing.T) {
		t.Parallel()
		c := newCapture(t)
		want(t, runCmd(t, nil, "", "weiling", "callback", "send", "-fake", "-url", c.srv.URL), exitOK)
		r := runCmd(t, nil, string(c.body[0]), "weiling", "callback", "decode", "-fake", "-query", c.query[0])
		want(t, r, exitOK, "signature OK")
		assertSameJSON(t, r.stdout, original)
	})
	t.Run("URL check", func(t *testing.T) {
		t.Parallel()
		c := newCapture(t)
		r := runCmd(t, env, "", "weiling", "callback", "send", "-check-url", "-url", c.srv.URL)
		want(t, r, exitFail, "REFUSED") // the capture answers "success", not the echo
		r = runCmd(t, env, "", "weiling", "callback", "decode", "-query", c.query[0])
		want(t, r, exitOK, "URL check: signature OK")
		if len(strings.TrimSpace(r.stdout)) == 0 {
			t.Fatalf("no echo\n%s", r)
		}
	})
}

func assertSameJSON(t *testing.T, got string, want []byte) {
	t.Helper()
	var a, b any
	if err := json.Unmarshal([]byte(got), &a); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal(want, &b); err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatalf("decoded\n%s\nwant\n%s", ja, jb)
	}
}
