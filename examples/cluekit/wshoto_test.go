package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cluekit/cluekit/wshoto"
	"github.com/cluekit/cluekit/wshoto/wshototest"
)

func init() { addFakeSecrets(wshototest.DefaultAppSecret) }

func wshotoEnv(srv *wshototest.Server) map[string]string {
	return map[string]string{
		"WSHOTO_APP_ID":     wshototest.DefaultAppID,
		"WSHOTO_APP_SECRET": wshototest.DefaultAppSecret,
		"WSHOTO_BASE_URL":   srv.URL,
	}
}

func TestWshotoCheck(t *testing.T) {
	t.Parallel()
	t.Run("fake", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "", "wshoto", "check", "-fake")
		want(t, r, exitOK, "access token obtained", "not shown", "1 token request", "(UTC+8, in ", "result:         OK")
		if field(t, r.stdout, "app id") != wshototest.DefaultAppID {
			t.Errorf("app id\n%s", r)
		}
	})
	t.Run("variables", func(t *testing.T) {
		t.Parallel()
		srv := wshototest.NewServer()
		t.Cleanup(srv.Close)
		r := runCmd(t, wshotoEnv(srv), "", "wshoto", "check")
		want(t, r, exitOK, srv.URL, "expires:")
		assertNoSecrets(t, r, srv.CurrentToken())
		if srv.TokenRequests() != 1 {
			t.Errorf("token requests: %d", srv.TokenRequests())
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		t.Parallel()
		srv := wshototest.NewServer()
		t.Cleanup(srv.Close)
		env := wshotoEnv(srv)
		env["WSHOTO_APP_SECRET"] = "not-the-secret-0123456789"
		r := runCmd(t, env, "", "wshoto", "check")
		want(t, r, exitFail, "FAILED", "code:")
	})
}

func TestWshotoDo(t *testing.T) {
	t.Parallel()
	srv := wshototest.NewServer()
	t.Cleanup(srv.Close)
	id := srv.SeedClue(wshototest.Clue{Name: "张三"})
	r := runCmd(t, wshotoEnv(srv), "", "wshoto", "do", "POST", "/openapi/crm/clue/info", `{"clue_id":`+id+`}`)
	want(t, r, exitOK, "张三", "1 token request")
	assertNoSecrets(t, r, srv.CurrentToken())
	var clue map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &clue); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	// 19-digit ids keep every digit.
	if !strings.Contains(r.stdout, id) {
		t.Errorf("id %s lost\n%s", id, r)
	}

	r = runCmd(t, nil, "", "wshoto", "do", "-fake", "POST", "/openapi/crm/clue/page", `{"current_index":1,"page_size":10}`)
	want(t, r, exitOK, "fake server")

	r = runCmd(t, wshotoEnv(srv), "", "wshoto", "do", "POST", "/openapi/crm/clue/info", `{"clue_id":1}`)
	want(t, r, exitFail, "FAILED", "code:")
}

func TestWshotoCallbackSend(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []*wshoto.Notify
	receiver := func(status int) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			n, err := wshoto.ParseNotify(b)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if status == http.StatusOK {
				mu.Lock()
				got = append(got, n)
				mu.Unlock()
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"ok":true}`))
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	ok := receiver(http.StatusOK)
	r := runCmd(t, nil, "", "wshoto", "callback", "send", "-url", ok.URL)
	want(t, r, exitOK, "HTTP 200 OK", "acknowledged", "1540160872865209346")
	mu.Lock()
	if len(got) != 1 || got[0].MessageID != "1540160872865209346" || got[0].CustomFieldChange == nil {
		t.Fatalf("the receiver got %+v", got)
	}
	mu.Unlock()

	failing := receiver(http.StatusInternalServerError)
	r = runCmd(t, nil, "", "wshoto", "callback", "send", "-url", failing.URL)
	want(t, r, exitFail, "HTTP 500", "REFUSED")
}
