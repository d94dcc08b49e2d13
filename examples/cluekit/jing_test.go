package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
)

func init() { addFakeSecrets(jingtest.DefaultAppSecret, jingFakeWebhookSecret) }

func jingEnv(srv *jingtest.Server) map[string]string {
	return map[string]string{
		"JING_APP_ID":     srv.AppID,
		"JING_APP_SECRET": srv.AppSecret,
		"JING_BASE_URL":   srv.URL,
	}
}

func TestJingCheck(t *testing.T) {
	t.Parallel()
	t.Run("fake", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "", "jing", "check", "-fake")
		want(t, r, exitOK, "access token obtained", "expires:", "refresh token:", "result:         OK", jingtest.DefaultAppID)
	})
	t.Run("variables", func(t *testing.T) {
		t.Parallel()
		srv := jingtest.NewServer()
		t.Cleanup(srv.Close)
		r := runCmd(t, jingEnv(srv), "", "jing", "check")
		want(t, r, exitOK, srv.URL, "ends the refresh token other processes of this app hold")
		assertNoSecrets(t, r, srv.LiveTokens()...)
		if len(srv.LiveTokens()) == 0 {
			t.Error("no token issued")
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		t.Parallel()
		srv := jingtest.NewServer()
		t.Cleanup(srv.Close)
		env := jingEnv(srv)
		env["JING_APP_SECRET"] = "wrong-secret-0123456789"
		r := runCmd(t, env, "", "jing", "check")
		want(t, r, exitFail, "FAILED", "code:")
	})
}

func TestJingDo(t *testing.T) {
	t.Parallel()
	srv := jingtest.NewServer()
	t.Cleanup(srv.Close)
	body := `[{"identities":[{"type":"mobile","value":"19612345678","name":"手机号"}],"fields":{"name":"张三"}}]`
	r := runCmd(t, jingEnv(srv), "", "jing", "do", "POST", "/v1/user/create", body)
	want(t, r, exitOK, "19612345678", "1 token request")
	assertNoSecrets(t, r, srv.LiveTokens()...)
	var res struct {
		Success []json.RawMessage `json:"success"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || len(res.Success) != 1 {
		t.Fatalf("%v\n%s", err, r)
	}
	if _, ok := srv.FindUser(jing.IdentityMobile, "19612345678"); !ok {
		t.Fatal("the user was not created")
	}
}

// jingReceiver is a webhook endpoint built with the SDK's handler.
type jingReceiver struct {
	mu     sync.Mutex
	events []*jing.Event
	srv    *httptest.Server
}

func newJingReceiver(t *testing.T, opts ...jing.Option) *jingReceiver {
	t.Helper()
	rc := &jingReceiver{}
	h, err := jing.NewWebhookHandler(func(_ context.Context, e *jing.Event) error {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.events = append(rc.events, e)
		return nil
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	rc.srv = httptest.NewServer(h)
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *jingReceiver) got() []*jing.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*jing.Event(nil), rc.events...)
}

func TestJingCallbackSend(t *testing.T) {
	t.Parallel()
	const secret = "webhook-secret-5e4d3c2b1a09"
	env := map[string]string{"JING_WEBHOOK_SECRET": secret}
	t.Run("default event", func(t *testing.T) {
		t.Parallel()
		rc := newJingReceiver(t, jing.WithWebhookSecret(secret))
		r := runCmd(t, env, "", "jing", "callback", "send", "-url", rc.srv.URL+"/jing")
		want(t, r, exitOK, "HTTP 200 OK", "token=****", "result:         acknowledged")
		got := rc.got()
		if len(got) != 1 || got[0].EventType != jing.EventObjectCreate || got[0].ExtraData.EntityID != "e9vMaiGWybEQ3Nc9xGgwV4" {
			t.Fatalf("the handler got %+v", got)
		}
	})
	t.Run("event file and secret parameter", func(t *testing.T) {
		t.Parallel()
		rc := newJingReceiver(t, jing.WithWebhookSecret(secret), jing.WithWebhookSecretParam("key"))
		ev, _ := testdata.ReadFile("testdata/jing_object_create.json")
		ev = []byte(strings.Replace(string(ev), "e9vMaiGWybEQ3Nc9xGgwV4", "lead-77", 1))
		r := runCmd(t, env, "", "jing", "callback", "send", "-url", rc.srv.URL+"?a=1", "-event", writeFile(t, "ev.json", ev), "-secret-param", "key")
		want(t, r, exitOK, "key=****", "a=1")
		if got := rc.got(); len(got) != 1 || got[0].ExtraData.EntityID != "lead-77" {
			t.Fatalf("the handler got %+v", got)
		}
	})
	t.Run("fake secret", func(t *testing.T) {
		t.Parallel()
		rc := newJingReceiver(t, jing.WithWebhookSecret(jingFakeWebhookSecret))
		r := runCmd(t, nil, "", "jing", "callback", "send", "-fake", "-url", rc.srv.URL)
		want(t, r, exitOK, "acknowledged")
		if len(rc.got()) != 1 {
			t.Fatal("not received")
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		t.Parallel()
		rc := newJingReceiver(t, jing.WithWebhookSecret("another-webhook-secret"))
		r := runCmd(t, env, "", "jing", "callback", "send", "-url", rc.srv.URL)
		want(t, r, exitFail, "HTTP 403", "REFUSED")
		if len(rc.got()) != 0 {
			t.Fatal("a refused webhook reached the function")
		}
	})
	t.Run("not an event", func(t *testing.T) {
		t.Parallel()
		rc := newJingReceiver(t, jing.WithWebhookSecret(secret))
		r := runCmd(t, env, `{"hello":`, "jing", "callback", "send", "-url", rc.srv.URL, "-event", "-")
		want(t, r, exitFail, "warning: the event is not a webhook the SDK can parse", "HTTP 400")
	})
}

// TestDoMasksTokens: a token endpoint called through do prints no token,
// although the scrubber did not know the new one.
func TestDoMasksTokens(t *testing.T) {
	t.Parallel()
	srv := jingtest.NewServer()
	t.Cleanup(srv.Close)
	r := runCmd(t, jingEnv(srv), "", "jing", "do", "POST", "/v1/oauth2/token", `{"app_id":"`+srv.AppID+`","app_secret":"`+srv.AppSecret+`"}`)
	want(t, r, exitOK, `"access_token": "****"`, `"refresh_token": "****"`, `"token_type": "bearer"`)
	assertNoSecrets(t, r, srv.LiveTokens()...)
	if got := maskCredentialFields(`{"AccessToken": "a\"b", "token_type": "x", "n": {"appKey":"k"}}`); got != `{"AccessToken": "****", "token_type": "x", "n": {"appKey":"****"}}` {
		t.Fatalf("masked %s", got)
	}
}
