package waiqin365_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/internal/webhook"
	"github.com/cluekit/cluekit/waiqin365"
)

// jsonPush renders a signed form as a JSON object body: every field a
// string, except those in raw, written as the JSON given.
func jsonPush(t *testing.T, form url.Values, raw map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteByte('{')
	first := true
	for k, vs := range form {
		if !first {
			b.WriteByte(',')
		}
		first = false
		kb, err := json.Marshal(k)
		require.NoError(t, err)
		b.Write(kb)
		b.WriteByte(':')
		if r, ok := raw[k]; ok {
			b.WriteString(r)
			continue
		}
		vb, err := json.Marshal(vs[0])
		require.NoError(t, err)
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.String()
}

// TestPushCarriers: 勤策 does not state the push content type, so the same
// fields are accepted as a form body, as URL query parameters and as a
// JSON object body, each verified the same way.
func TestPushCarriers(t *testing.T) {
	t.Parallel()
	// data as a JSON object inside a JSON body: the digest covers its JSON
	// text as sent.
	objData := `{"lead_ID":"SK202101090003","lead_code":"zsmd","ext_1":12.5}`
	objForm := followForm(t)
	objForm.Set("data", objData)
	objForm.Set("timestamp", "1503276678552")
	objForm.Set("digest", waiqin365.PushDigest(objData, pushSecret, "1503276678552"))

	tests := []struct {
		name        string
		contentType string
		target      func(t *testing.T) string // URL path and query
		body        func(t *testing.T) string
		wantStatus  int
		wantCode    waiqin365.Text // the lead_code handed to fn ("" = not called)
	}{
		{"form body", formType, plainTarget, func(t *testing.T) string { return followForm(t).Encode() }, 200, "zsmd"},
		{"form body without a content type", "", plainTarget, func(t *testing.T) string { return followForm(t).Encode() }, 200, "zsmd"},
		{"query parameters, empty body", "", func(t *testing.T) string { return "/push?" + followForm(t).Encode() }, emptyBody, 200, "zsmd"},
		{"query parameters, form content type", formType, func(t *testing.T) string { return "/push?" + followForm(t).Encode() }, emptyBody, 200, "zsmd"},
		{"JSON body, data as a string", "application/json", plainTarget, func(t *testing.T) string { return jsonPush(t, followForm(t), nil) }, 200, "zsmd"},
		{"JSON body without a content type", "", plainTarget, func(t *testing.T) string { return jsonPush(t, followForm(t), nil) }, 200, "zsmd"},
		{"JSON body, numeric timestamp, charset", "application/json; charset=utf-8", plainTarget, func(t *testing.T) string {
			f := followForm(t)
			return jsonPush(t, f, map[string]string{"timestamp": f.Get("timestamp")})
		}, 200, "zsmd"},
		{"JSON body, data as an object", "application/json", plainTarget, func(t *testing.T) string {
			return jsonPush(t, objForm, map[string]string{"data": objData, "timestamp": "1503276678552"})
		}, 200, "zsmd"},
		{"JSON body, null members ignored", "application/json", plainTarget, func(t *testing.T) string {
			return jsonPush(t, followForm(t), map[string]string{"statusTime": "null"})
		}, 200, "zsmd"},

		{"query parameters, bad digest", "", func(t *testing.T) string {
			f := followForm(t)
			f.Set("digest", strings.Repeat("0", 32))
			return "/push?" + f.Encode()
		}, emptyBody, 403, ""},
		{"JSON body, tampered data", "application/json", plainTarget, func(t *testing.T) string {
			f := followForm(t)
			f.Set("data", strings.Replace(f.Get("data"), "zsmd", "evil", 1))
			return jsonPush(t, f, nil)
		}, 403, ""},
		{"JSON body, data object re-spaced after signing", "application/json", plainTarget, func(t *testing.T) string {
			return jsonPush(t, objForm, map[string]string{"data": `{"lead_ID": "SK202101090003","lead_code":"zsmd","ext_1":12.5}`})
		}, 403, ""},
		{"JSON body, repeated digest", "application/json", plainTarget, func(t *testing.T) string {
			body := jsonPush(t, followForm(t), nil)
			return strings.TrimSuffix(body, "}") + `,"digest":"x"}`
		}, 400, ""},
		{"JSON body that is a list", "application/json", plainTarget, func(*testing.T) string { return `[1,2]` }, 400, ""},
		{"JSON body that is not JSON", "application/json", plainTarget, func(*testing.T) string { return `{"msgId":` }, 400, ""},
		{"no fields at all", "", plainTarget, emptyBody, 403, ""},
		{"query that is not form-encoded", "", func(*testing.T) string { return "/push?%zz" }, emptyBody, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var got []*waiqin365.Push
			h, err := waiqin365.NewPushHandler(pushSecret, func(_ context.Context, p *waiqin365.Push) error {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, p)
				return nil
			})
			require.NoError(t, err)
			r := httptest.NewRequest(http.MethodPost, tt.target(t), strings.NewReader(tt.body(t)))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			assert.Equal(t, tt.wantStatus, w.Code, w.Body.String())
			if tt.wantCode == "" {
				assert.Empty(t, got)
				assert.Contains(t, w.Body.String(), `"return_code":1`)
				return
			}
			require.Len(t, got, 1)
			require.NotNil(t, got[0].SalesLeadsFollow)
			assert.Equal(t, tt.wantCode, got[0].SalesLeadsFollow.LeadCode)
			assert.Equal(t, "7898952955531954883", got[0].MsgID)
			assert.Contains(t, w.Body.String(), `"return_code":0`)
		})
	}
}

func plainTarget(*testing.T) string { return "/push" }
func emptyBody(*testing.T) string   { return "" }

// TestPushFieldsOfJSONData: data sent as an object keeps its JSON text
// verbatim (what the digest covers), numbers keep their literal text.
func TestPushFieldsOfJSONData(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodPost, "/push", nil)
	r.Header.Set("Content-Type", "application/json")
	fields, err := waiqin365.PushFields(r, []byte(`{"data": {"a": [1, 2]}, "timestamp": 1503276678552, "status": 0, "x": true, "y": null, "k\u00e9y": "v"}`))
	require.NoError(t, err)
	assert.Equal(t, url.Values{"data": {`{"a": [1, 2]}`}, "timestamp": {"1503276678552"}, "status": {"0"}, "x": {"true"}, "kéy": {"v"}}, fields)
}

func TestNewPushHandlerValidatesItsConfiguration(t *testing.T) {
	t.Parallel()
	fn := func(context.Context, *waiqin365.Push) error { return nil }
	tests := []struct {
		name   string
		secret string
		fn     func(context.Context, *waiqin365.Push) error
		opts   []waiqin365.Option
	}{
		{"empty secret", "", fn, nil},
		{"nil function", pushSecret, nil, nil},
		{"a client-only option", pushSecret, fn, []waiqin365.Option{waiqin365.WithTimeout(time.Second)}},
		{"a bad body cap", pushSecret, fn, []waiqin365.Option{waiqin365.WithMaxBodyBytes(0)}},
		{"a negative tolerance", pushSecret, fn, []waiqin365.Option{waiqin365.WithPushTolerance(-time.Second)}},
	}
	for _, tt := range tests {
		h, err := waiqin365.NewPushHandler(tt.secret, tt.fn, tt.opts...)
		require.Error(t, err, tt.name)
		assert.Nil(t, h, tt.name)
		testkit.NoSecrets(t, err.Error(), pushSecret)
	}
	_, err := waiqin365.New(testOpenID, testAppKey, waiqin365.WithPushTolerance(time.Minute))
	require.Error(t, err, "a handler option on a client")
	_, err = waiqin365.New(testOpenID, testAppKey, waiqin365.WithDeduper(webhook.NewMemoryDeduper(0, nil)))
	require.Error(t, err, "a handler option on a client")
}

// TestPushRedeliveryIsDeduped: with WithDeduper, a redelivered push is
// acknowledged without calling fn again, and observers see both deliveries.
func TestPushRedeliveryIsDeduped(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := 0
	var infos []core.CallbackInfo
	obs := waiqin365.Observer{Callback: func(_ context.Context, info waiqin365.CallbackInfo, _ error) {
		mu.Lock()
		defer mu.Unlock()
		infos = append(infos, info)
	}}
	h, err := waiqin365.NewPushHandler(pushSecret, func(context.Context, *waiqin365.Push) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return nil
	}, waiqin365.WithDeduper(webhook.NewMemoryDeduper(time.Hour, nil)), waiqin365.WithObserver(obs))
	require.NoError(t, err)
	body := followForm(t).Encode()
	for range 2 {
		w := post(h, http.MethodPost, formType, body)
		require.Equal(t, http.StatusOK, w.Code)
		assert.Contains(t, w.Body.String(), `"msg_id":"7898952955531954883"`)
	}
	assert.Equal(t, 1, calls)
	require.Len(t, infos, 2)
	assert.Equal(t, "waiqin365", infos[0].Vendor)
	assert.Equal(t, waiqin365.DataTypeSalesLeadsFollow, infos[0].Event)
	assert.False(t, infos[0].Duplicate)
	assert.True(t, infos[1].Duplicate)
}

// TestVerifyPushOptions: the tolerance and the clock also apply to the
// lower-level VerifyPush; a client-only option is refused.
func TestVerifyPushOptions(t *testing.T) {
	t.Parallel()
	form := followForm(t)
	ms, err := strconv.ParseInt(form.Get("timestamp"), 10, 64)
	require.NoError(t, err)
	at := time.UnixMilli(ms)
	_, err = waiqin365.VerifyPush(form, pushSecret, waiqin365.WithPushTolerance(time.Minute),
		waiqin365.WithClock(func() time.Time { return at.Add(time.Hour) }))
	require.ErrorIs(t, err, waiqin365.ErrSignature)
	_, err = waiqin365.VerifyPush(form, pushSecret, waiqin365.WithPushTolerance(time.Minute),
		waiqin365.WithClock(func() time.Time { return at.Add(30 * time.Second) }))
	require.NoError(t, err)
	_, err = waiqin365.VerifyPush(form, pushSecret, waiqin365.WithMaxAttempts(2))
	require.Error(t, err)
}
