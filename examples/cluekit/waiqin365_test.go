package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

func init() { addFakeSecrets(waiqin365test.DefaultAppKey, wqFakePushSecret) }

func wqEnv(srv *waiqin365test.Server) map[string]string {
	return map[string]string{
		"WAIQIN365_OPENID":   waiqin365test.DefaultOpenID,
		"WAIQIN365_APP_KEY":  waiqin365test.DefaultAppKey,
		"WAIQIN365_BASE_URL": srv.URL,
	}
}

func TestWaiqin365Check(t *testing.T) {
	t.Parallel()
	t.Run("fake", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "", "waiqin365", "check", "-fake")
		want(t, r, exitOK, "querySalesLeads", "openid and the digest were accepted", "result:         OK")
		if !strings.HasPrefix(field(t, r.stdout, "base URL"), "http://127.0.0.1:") || field(t, r.stdout, "openid") != waiqin365test.DefaultOpenID {
			t.Errorf("base URL or openid missing\n%s", r)
		}
		field(t, r.stdout, "latency")
	})
	t.Run("variables", func(t *testing.T) {
		t.Parallel()
		srv := waiqin365test.NewServer()
		t.Cleanup(srv.Close)
		r := runCmd(t, wqEnv(srv), "", "waiqin365", "check")
		want(t, r, exitOK, "live (WAIQIN365_OPENID, WAIQIN365_APP_KEY, WAIQIN365_BASE_URL)", srv.URL)
		if srv.Requests(waiqin365.OpQuerySalesLeads) != 1 {
			t.Errorf("querySalesLeads requests: %d", srv.Requests(waiqin365.OpQuerySalesLeads))
		}
	})
	t.Run("wrong appkey", func(t *testing.T) {
		t.Parallel()
		srv := waiqin365test.NewServer()
		t.Cleanup(srv.Close)
		env := wqEnv(srv)
		env["WAIQIN365_APP_KEY"] = "wrong-appkey-0123456789"
		r := runCmd(t, env, "", "waiqin365", "check")
		want(t, r, exitFail, "FAILED", "code:        1", waiqin365test.MsgBadDigest)
	})
}

func TestWaiqin365Do(t *testing.T) {
	t.Parallel()
	srv := waiqin365test.NewServer()
	t.Cleanup(srv.Close)
	if _, err := srv.SeedLeads(waiqin365test.Lead{Code: "CK001", Name: "张三门店"}); err != nil {
		t.Fatal(err)
	}
	env := wqEnv(srv)
	file := writeFile(t, "query.json", []byte(`{"code":"CK001","page":1,"pageSize":10}`))
	for _, c := range []struct {
		name, stdin string
		args        []string
	}{
		{"text", "", []string{"POST", "/api/salesleads/v1/querySalesLeads", `{"code":"CK001"}`}},
		{"file", "", []string{"POST", "/api/salesleads/v1/querySalesLeads", "@" + file}},
		{"stdin", `{"code":"CK001"}`, []string{"post", "/api/salesleads/v1/querySalesLeads", "-"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, env, c.stdin, append([]string{"waiqin365", "do"}, c.args...)...)
			want(t, r, exitOK, "OK in")
			var rows []map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 1 || rows[0]["code"] != "CK001" {
				t.Fatalf("rows %v (%v)\n%s", rows, err, r)
			}
			if !strings.Contains(r.stdout, "\n  ") {
				t.Errorf("not indented\n%s", r)
			}
		})
	}
	t.Run("fake", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "", "waiqin365", "do", "-fake", "POST", "/api/salesleads/v1/querySalesLeads", `{"code":"none"}`)
		want(t, r, exitOK, "fake server")
		if strings.TrimSpace(r.stdout) != "[]" {
			t.Errorf("stdout %q", r.stdout)
		}
	})
	t.Run("vendor error", func(t *testing.T) {
		t.Parallel()
		// No query condition: 勤策 refuses it (the fake with code 1).
		r := runCmd(t, env, "", "waiqin365", "do", "POST", "/api/salesleads/v1/querySalesLeads", `{}`)
		want(t, r, exitFail, "FAILED", "code:")
	})
}

// wqReceiver is a push endpoint built with the SDK's handler.
type wqReceiver struct {
	mu     sync.Mutex
	pushes []*waiqin365.Push
	srv    *httptest.Server
}

func newWqReceiver(t *testing.T, secret string) *wqReceiver {
	t.Helper()
	rc := &wqReceiver{}
	h, err := waiqin365.NewPushHandler(secret, func(_ context.Context, p *waiqin365.Push) error {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.pushes = append(rc.pushes, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rc.srv = httptest.NewServer(h)
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *wqReceiver) got() []*waiqin365.Push {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*waiqin365.Push(nil), rc.pushes...)
}

func TestWaiqin365CallbackSend(t *testing.T) {
	t.Parallel()
	const secret = "push-secret-0f9e8d7c6b5a"
	env := map[string]string{"WAIQIN365_PUSH_SECRET": secret}
	t.Run("default event", func(t *testing.T) {
		t.Parallel()
		rc := newWqReceiver(t, secret)
		r := runCmd(t, env, "", "waiqin365", "callback", "send", "-url", rc.srv.URL+"/push")
		want(t, r, exitOK, "HTTP 200 OK", `"return_code":0`, "result:         acknowledged", "dataType=salesLeads_follow")
		got := rc.got()
		if len(got) != 1 || got[0].SalesLeadsFollow == nil || got[0].SalesLeadsFollow.LeadCode != "zsmd" || got[0].SalesLeadsFollow.Ext["ext_*"] != "自定义字段" {
			t.Fatalf("the handler got %+v", got)
		}
	})
	t.Run("form event", func(t *testing.T) {
		t.Parallel()
		rc := newWqReceiver(t, secret)
		form, _ := testdata.ReadFile("testdata/waiqin365_push_custom_form.txt")
		r := runCmd(t, env, "", "waiqin365", "callback", "send", "-url", rc.srv.URL, "-event", writeFile(t, "form.txt", form))
		want(t, r, exitOK, "acknowledged")
		got := rc.got()
		if len(got) != 1 || got[0].DataType != waiqin365.DataTypeCustom || got[0].MsgID != "7898952955531954883" {
			t.Fatalf("the handler got %+v", got)
		}
		var data map[string]string
		if err := got[0].Decode(&data); err != nil || data["cm_name"] != "苏果超市夫子庙社区店" {
			t.Fatalf("data %v %v", data, err)
		}
	})
	t.Run("JSON event with -type", func(t *testing.T) {
		t.Parallel()
		rc := newWqReceiver(t, secret)
		r := runCmd(t, env, `{"id":"42","name":"李四"}`, "waiqin365", "callback", "send", "-url", rc.srv.URL, "-event", "-", "-type", "employee")
		want(t, r, exitOK, "acknowledged")
		if got := rc.got(); len(got) != 1 || got[0].DataType != "employee" || got[0].DataID != "42" {
			t.Fatalf("the handler got %+v", got)
		}
	})
	t.Run("fake secret", func(t *testing.T) {
		t.Parallel()
		rc := newWqReceiver(t, wqFakePushSecret)
		r := runCmd(t, nil, "", "waiqin365", "callback", "send", "-fake", "-url", rc.srv.URL)
		want(t, r, exitOK, "acknowledged")
		if len(rc.got()) != 1 {
			t.Fatal("not received")
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		t.Parallel()
		rc := newWqReceiver(t, "another-push-secret-123")
		r := runCmd(t, env, "", "waiqin365", "callback", "send", "-url", rc.srv.URL)
		want(t, r, exitFail, "HTTP 403", "REFUSED", "not acknowledged")
		if len(rc.got()) != 0 {
			t.Fatal("a refused push reached the function")
		}
	})
	t.Run("2xx without the acknowledgement", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
		t.Cleanup(srv.Close)
		r := runCmd(t, env, "", "waiqin365", "callback", "send", "-url", srv.URL)
		want(t, r, exitFail, "not the documented acknowledgement")
	})
	t.Run("nobody listening", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.NotFoundHandler())
		u := srv.URL
		srv.Close()
		r := runCmd(t, env, "", "waiqin365", "callback", "send", "-url", u)
		want(t, r, exitFail, "NOT DELIVERED", "no answer")
	})
	t.Run("bad event", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, env, "{not json", "waiqin365", "callback", "send", "-url", "http://127.0.0.1:1/", "-event", "-")
		want(t, r, exitUsage, "not valid JSON")
	})
}

func TestWaiqin365Sign(t *testing.T) {
	t.Parallel()
	t.Run("the vendor's worked example", func(t *testing.T) {
		t.Parallel()
		body := `{"org_id":"ORG001","org_name":"南京掌控网络","org_parent_id":"","org_sequence":001}`
		r := runCmd(t, nil, "", "waiqin365", "sign", "-fake", "-timestamp", "20150806142836",
			"-path", "/api/organization/v1/addOrganization", "-msg-id", "ORG00001", "-body", body)
		want(t, r, exitOK)
		if got := field(t, r.stdout, "digest"); got != "74267bf0cae0998a719879ec9b3c7780" {
			t.Errorf("digest %s", got)
		}
		if got := field(t, r.stdout, "signed string"); got != body+"|****|20150806142836" {
			t.Errorf("signed string %s", got)
		}
		if got := field(t, r.stdout, "URL"); got != "POST https://openapi.waiqin365.com/api/organization/v1/addOrganization/5465103569540931532/20150806142836/74267bf0cae0998a719879ec9b3c7780/ORG00001" {
			t.Errorf("URL %s", got)
		}
		want(t, r, exitOK, "89 bytes", "not valid JSON: signed as is")
	})
	t.Run("variables, body from a file", func(t *testing.T) {
		t.Parallel()
		const key = "my-appkey-0123456789"
		env := map[string]string{"WAIQIN365_OPENID": "1234567890123456789", "WAIQIN365_APP_KEY": key}
		r := runCmd(t, env, "", "waiqin365", "sign", "-body", "@"+writeFile(t, "b.json", []byte(`{"a":1}`)), "-timestamp", "20240102150405")
		want(t, r, exitOK)
		if got := field(t, r.stdout, "signed string"); got != `{"a":1}|****|20240102150405` {
			t.Errorf("signed string %s", got)
		}
		if got := field(t, r.stdout, "digest"); got != waiqin365.Digest([]byte(`{"a":1}`), key, "20240102150405") {
			t.Errorf("digest %s", got)
		}
	})
	t.Run("a trailing newline is shown", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "{\"a\":1}\n", "waiqin365", "sign", "-fake", "-body", "-", "-timestamp", "20240102150405")
		want(t, r, exitOK, "ends with a newline", `(quoted):`, `"{\"a\":1}\n|****|20240102150405"`)
	})
	t.Run("push digest", func(t *testing.T) {
		t.Parallel()
		const secret = "push-secret-abcdef012"
		data := `{"lead_ID":"1","lead_code":"c1"}`
		r := runCmd(t, map[string]string{"WAIQIN365_PUSH_SECRET": secret}, "", "waiqin365", "sign", "-push", "-body", data, "-timestamp", "1569404987248")
		want(t, r, exitOK, "push digest")
		if got := field(t, r.stdout, "signed string"); got != data+"|****|1569404987248" {
			t.Errorf("signed string %s", got)
		}
		// The digest printed is one the SDK's verifier accepts.
		form, err := waiqin365test.NewPushForm("unused", waiqin365.DataTypeSalesLeadsFollow, data)
		if err != nil {
			t.Fatal(err)
		}
		form.Set("timestamp", "1569404987248")
		form.Set("digest", field(t, r.stdout, "digest"))
		if _, err := waiqin365.VerifyPush(form, secret); err != nil {
			t.Fatalf("the SDK refuses the digest: %v", err)
		}
		if field(t, r.stdout, "digest") != waiqin365.PushDigest(data, secret, "1569404987248") {
			t.Fatal("digest differs from PushDigest")
		}
	})
	t.Run("push without the secret", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "", "waiqin365", "sign", "-push", "-body", "{}")
		want(t, r, exitUsage, "missing WAIQIN365_PUSH_SECRET")
	})
}
