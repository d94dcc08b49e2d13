package perf

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
	"github.com/cluekit/cluekit/weiling"
	"github.com/cluekit/cluekit/weiling/weilingtest"
)

// Webhooks: what the SDK does with one delivery (sdk: verify, decrypt where
// the vendor encrypts, decode into the typed event), against the floor of
// json.Unmarshal of the same plaintext into a map[string]any (raw). handler
// is the whole http.Handler (request body read, verify, decode, ack), with
// an httptest request built per op; it has no raw counterpart and is shown
// for scale.

// BenchmarkWebhookWeiling: msg_signature check (SHA-1), AES-256-CBC
// decryption and ParseEvent of the clue_update fixture.
func BenchmarkWebhookWeiling(b *testing.B) {
	plain := fixture(b, "weiling", "clue_update.json")
	const token, appID = "perfcallbacktoken0123456789abcdef", "wloa4376fe67dc041d474a79513ed70ae3db"
	key := weilingtest.NewEncodingAESKey()
	enc, err := weiling.Encrypt(key, plain, appID)
	must(b, err)
	const ts, nonce = "1611580672", "nonce123"
	sig := weiling.Sign(token, ts, nonce, enc)

	sdkOp := func(b *testing.B) {
		if subtle.ConstantTimeCompare([]byte(weiling.Sign(token, ts, nonce, enc)), []byte(sig)) != 1 {
			b.Fatal("signature")
		}
		msg, _, err := weiling.Decrypt(key, enc)
		must(b, err)
		e, err := weiling.ParseEvent(msg)
		if err != nil || e.Clue == nil {
			b.Fatal(err)
		}
	}
	rawOp := func(b *testing.B) {
		var m map[string]any
		must(b, json.Unmarshal(plain, &m))
	}
	runPair(b, sdkOp, rawOp)
	b.Run("handler", func(b *testing.B) {
		h, err := weiling.NewCallbackHandler(token, key, func(context.Context, *weiling.Event) error { return nil })
		must(b, err)
		body, _ := json.Marshal(map[string]string{"to_app": appID, "encrypt_msg": enc})
		target := "/callback?" + url.Values{"msg_signature": {sig}, "timestamp": {ts}, "nonce": {nonce}}.Encode()
		b.ReportAllocs()
		for b.Loop() {
			serve(b, h, target, "application/json", body)
		}
	})
}

// BenchmarkWebhookWaiqin365: VerifyPush (MD5 digest, form checks, typed
// salesLeads_follow record) of a push of the follow-up fixture.
func BenchmarkWebhookWaiqin365(b *testing.B) {
	const pushSecret = "perf-push-secret"
	data := fixture(b, "waiqin365", "push_sales_leads_follow_data.json")
	form, err := waiqin365test.NewPushForm(pushSecret, waiqin365.DataTypeSalesLeadsFollow, data)
	must(b, err)
	plain := []byte(form.Get("data"))

	sdkOp := func(b *testing.B) {
		p, err := waiqin365.VerifyPush(form, pushSecret)
		if err != nil || p.SalesLeadsFollow == nil {
			b.Fatal(err)
		}
	}
	rawOp := func(b *testing.B) {
		var m map[string]any
		must(b, json.Unmarshal(plain, &m))
	}
	runPair(b, sdkOp, rawOp)
	b.Run("handler", func(b *testing.B) {
		h, err := waiqin365.NewPushHandler(pushSecret, func(context.Context, *waiqin365.Push) error { return nil })
		must(b, err)
		body := []byte(form.Encode())
		b.ReportAllocs()
		for b.Loop() {
			serve(b, h, "/push", "application/x-www-form-urlencoded", body)
		}
	})
}

// BenchmarkWebhookJing: ParseEvent of the object_create fixture (jing
// neither signs nor encrypts; the handler checks a URL secret).
func BenchmarkWebhookJing(b *testing.B) {
	plain := fixture(b, "jing", "object_create.json")

	sdkOp := func(b *testing.B) {
		e, err := jing.ParseEvent(plain)
		if err != nil || e.ExtraData.EntityID == "" {
			b.Fatal(err)
		}
	}
	rawOp := func(b *testing.B) {
		var m map[string]any
		must(b, json.Unmarshal(plain, &m))
	}
	runPair(b, sdkOp, rawOp)
	b.Run("handler", func(b *testing.B) {
		const secret = "0123456789abcdef0123456789abcdef"
		h, err := jing.NewWebhookHandler(func(context.Context, *jing.Event) error { return nil },
			jing.WithWebhookSecret(secret))
		must(b, err)
		b.ReportAllocs()
		for b.Loop() {
			serve(b, h, "/jing?token="+secret, "application/json", plain)
		}
	})
}

// serve delivers one POST to h and requires a 2xx answer.
func serve(b *testing.B, h http.Handler, target, contentType string, body []byte) {
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code/100 != 2 {
		b.Fatalf("HTTP %d: %s", w.Code, strings.TrimSpace(w.Body.String()))
	}
}
