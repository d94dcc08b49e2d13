package weiling_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cluekit/cluekit/weiling"
)

func FuzzDecrypt(f *testing.F) {
	f.Add(wecomKey, wecomEchoStr)
	f.Add(wecomKey, wecomEncrypt)
	f.Add(vecKey, vecCipher)
	f.Add(vecKey, "")
	f.Add(vecKey, "AAAAAAAAAAAAAAAAAAAAAA==")
	f.Add("short", vecCipher)
	f.Add(strings.Repeat("=", 43), vecCipher)
	f.Fuzz(func(t *testing.T, key, msg string) {
		plain, rid, err := weiling.Decrypt(key, msg)
		if err != nil {
			if plain != nil || rid != "" {
				t.Fatalf("error with output: %v", err)
			}
			return
		}
		// Whatever decrypts must survive a round trip.
		enc, err := weiling.Encrypt(key, plain, rid)
		if err != nil {
			t.Fatalf("re-encrypt: %v", err)
		}
		p2, r2, err := weiling.Decrypt(key, enc)
		if err != nil || !bytes.Equal(p2, plain) || r2 != rid {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzParseEvent(f *testing.F) {
	for _, name := range []string{"clue_update.json", "clue_update_as_printed.txt", "clue_update_schema_sample.json", "clue_history.json"} {
		f.Add(fixture(f, name))
	}
	f.Add([]byte(`{"header":{"event_type":"dept_add","time_stamp":1},"event":{"contact_id":5}}`))
	f.Add([]byte(`{"header":{"event_type":"clue_add"},"event":{"change_type":4,"create_time":"1","add_source":{"type":"4"}}}`))
	f.Fuzz(func(t *testing.T, msg []byte) {
		e, err := weiling.ParseEvent(msg)
		if err != nil {
			return
		}
		_ = e.DedupeKey()
		_ = e.Time()
		if (e.Type == weiling.EventClueAdd || e.Type == weiling.EventClueUpdate) && len(e.Payload) > 0 && e.Clue == nil {
			t.Fatal("typed clue event without Clue")
		}
		if e.Clue != nil && e.ClueHistory != nil {
			t.Fatal("two typed payloads")
		}
	})
}

// FuzzCallbackHandler feeds the handler arbitrary methods, queries and
// bodies: it must never panic, never acknowledge without calling fn, and
// only accept what carries a valid signature.
func FuzzCallbackHandler(f *testing.F) {
	seed := fixture(f, "clue_update.json")
	enc, err := weiling.Encrypt(cbKey, seed, cbApp)
	if err != nil {
		f.Fatal(err)
	}
	sig := weiling.Sign(cbToken, "1700000000", "n0nce", enc)
	q := url.Values{"msg_signature": {sig}, "timestamp": {"1700000000"}, "nonce": {"n0nce"}}.Encode()
	body := `{"to_app":"` + cbApp + `","encrypt_msg":"` + enc + `"}`
	f.Add("POST", q, body)
	f.Add("POST", q, `{"to_app":1,"encrypt_msg":"`+enc+`"}`)
	f.Add("POST", q, `{}`)
	f.Add("POST", "msg_signature=&timestamp=&nonce=", `{"encrypt_msg":"AAAA"}`)
	echo, _ := weiling.Encrypt(cbKey, []byte("echo"), cbApp)
	f.Add("GET", url.Values{"msg_signature": {weiling.Sign(cbToken, "1", "2", echo)}, "timestamp": {"1"}, "nonce": {"2"}, "echostr": {echo}}.Encode(), "")
	f.Add("GET", "echostr=%zz&msg_signature=1", "")
	f.Add("PUT", "", "x")
	f.Fuzz(func(t *testing.T, method, rawQuery, body string) {
		if method != http.MethodGet && method != http.MethodPost {
			method = http.MethodPost
		}
		calls := 0
		h, err := weiling.NewCallbackHandler(cbToken, cbKey, func(_ context.Context, e *weiling.Event) error {
			calls++
			if e == nil {
				t.Fatal("nil event")
			}
			return nil
		}, weiling.WithMaxBodyBytes(1<<16))
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(method, "/cb", strings.NewReader(body))
		r.URL.RawQuery = rawQuery
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		switch {
		case method == http.MethodPost && w.Code == http.StatusOK:
			if calls != 1 || w.Body.String() != weiling.CallbackAck {
				t.Fatalf("acknowledged with %d calls, body %q", calls, w.Body.String())
			}
			var b struct {
				EncryptMsg json.RawMessage `json:"encrypt_msg"`
			}
			_ = json.Unmarshal([]byte(body), &b)
			qv, _ := url.ParseQuery(rawQuery)
			var em string
			_ = json.Unmarshal(b.EncryptMsg, &em)
			if !strings.EqualFold(qv.Get("msg_signature"), weiling.Sign(cbToken, qv.Get("timestamp"), qv.Get("nonce"), em)) {
				t.Fatal("accepted without a valid signature")
			}
		case method == http.MethodPost && calls != 0:
			t.Fatalf("fn called but answered %d", w.Code)
		case w.Code != http.StatusOK && w.Code < 400:
			t.Fatalf("unexpected status %d", w.Code)
		}
	})
}

func FuzzDecodeItems(f *testing.F) {
	f.Add(fixture(f, "contact_batch_response.json"))
	f.Add(fixture(f, "clue_list_response.json"))
	f.Add([]byte(`{"code":0,"data":{"fail_list":[{"id":1,"error_code":"1003"}],"success_list":["a",{"clue_id":2},[1]]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var env struct {
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(b, &env) != nil {
			return
		}
		var c struct {
			Contacts []weiling.Contact `json:"contact_list"`
			Clues    []weiling.Clue    `json:"clue_list"`
		}
		_ = json.Unmarshal(env.Data, &c)
		var br weiling.BatchResult
		if json.Unmarshal(env.Data, &br) == nil && len(br.Failed) > 0 {
			err := (&weiling.BatchError{Vendor: "weiling", Op: "x", Failed: br.Failed}).Error()
			if err == "" {
				t.Fatal("empty error")
			}
		}
		var ev weiling.ClueEvent
		_ = json.Unmarshal(env.Data, &ev)
	})
}
