package v3cluetest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/v3clue"
)

type answer struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// post sends one raw request; mutate may change the headers after signing.
func post(t *testing.T, srv *Server, path, body string, mutate func(h http.Header)) (int, answer) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewBufferString(body))
	require.NoError(t, err)
	ts := v3clue.FormatTimestamp(time.Now())
	req.Header["appId"] = []string{srv.AppID}
	req.Header["timestamp"] = []string{ts}
	req.Header["sign"] = []string{v3clue.SignRequest(srv.AppID, ts, []byte(body), srv.AppKey)}
	req.Header.Set("Content-Type", "application/json")
	if mutate != nil {
		mutate(req.Header)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var a answer
	if len(raw) > 0 {
		require.NoError(t, json.Unmarshal(raw, &a), string(raw))
	}
	return resp.StatusCode, a
}

func TestServerVerification(t *testing.T) {
	t.Parallel()
	const body = `{"customerId":410983932389440}`
	tests := []struct {
		name   string
		path   string
		body   string
		mutate func(h http.Header)
		status int
		code   int
	}{
		{name: "valid", status: 200, code: 0},
		{name: "python-style spaces in body", body: `{"customerId": 410983932389440}`, status: 200, code: 0},
		{name: "missing appId", mutate: func(h http.Header) { delete(h, "appId") }, status: 200, code: 1002},
		{name: "other appId", mutate: func(h http.Header) { h["appId"] = []string{"other"} }, status: 200, code: 1002},
		{name: "missing sign", mutate: func(h http.Header) { delete(h, "sign") }, status: 200, code: 1002},
		{name: "uppercase sign", mutate: func(h http.Header) { h["sign"] = []string{string(bytes.ToUpper([]byte(h["sign"][0])))} }, status: 200, code: 1002},
		{name: "sign over other body", mutate: func(h http.Header) {
			h["sign"] = []string{v3clue.SignRequest(DefaultAppID, h["timestamp"][0], []byte(`{"customerId":8}`), DefaultAppKey)}
		}, status: 200, code: 1002},
		{name: "hmac is not the recipe", mutate: func(h http.Header) { h["sign"] = []string{"0000"} }, status: 200, code: 1002},
		{name: "missing timestamp", mutate: func(h http.Header) { delete(h, "timestamp") }, status: 200, code: 1002},
		{name: "timestamp in seconds is skewed", mutate: func(h http.Header) {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			h["timestamp"] = []string{ts}
			h["sign"] = []string{v3clue.SignRequest(DefaultAppID, ts, []byte(body), DefaultAppKey)}
		}, status: 200, code: 1003},
		{name: "old timestamp", mutate: func(h http.Header) {
			ts := v3clue.FormatTimestamp(time.Now().Add(-6 * time.Minute))
			h["timestamp"] = []string{ts}
			h["sign"] = []string{v3clue.SignRequest(DefaultAppID, ts, []byte(body), DefaultAppKey)}
		}, status: 200, code: 1003},
		{name: "wrong appKey header", mutate: func(h http.Header) { h["appKey"] = []string{"nope"} }, status: 200, code: 1002},
		{name: "right appKey header", mutate: func(h http.Header) { h["appKey"] = []string{DefaultAppKey} }, status: 200, code: 0},
		{name: "lowercase header names", mutate: func(h http.Header) {
			h["appid"], h["SIGN"] = h["appId"], h["sign"]
			delete(h, "appId")
			delete(h, "sign")
		}, status: 200, code: 0},
		{name: "not JSON content type", mutate: func(h http.Header) { h.Set("Content-Type", "text/plain") }, status: 200, code: -1},
		{name: "no customerId", body: `{}`, status: 200, code: -1},
		{name: "numeric string customerId is coerced", body: `{"customerId":"410983932389440"}`, status: 200, code: 0},
		{name: "float customerId", body: `{"customerId":4.5}`, status: 200, code: -1},
		{name: "negative customerId", body: `{"customerId":-1}`, status: 200, code: -1},
		{name: "not JSON", body: `customerId=1`, status: 200, code: -1},
		{name: "unknown clue", body: `{"customerId":8}`, status: 200, code: -1},
		{name: "unknown endpoint", path: "/api/v3/nope", status: 404, code: -1},
		{name: "outside the base path", path: "/../api/v3/clue/get", status: 404, code: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := NewServer()
			defer srv.Close()
			path := tt.path
			if path == "" {
				path = v3clue.PathClueGet
			}
			b := tt.body
			if b == "" {
				b = body
			}
			status, a := post(t, srv, path, b, tt.mutate)
			assert.Equal(t, tt.status, status)
			assert.Equal(t, tt.code, a.Code, a.Message)
			if tt.code == 0 {
				assert.Equal(t, "ok", a.Message)
				var c v3clue.Clue
				require.NoError(t, json.Unmarshal(a.Data, &c))
				assert.Equal(t, ExampleClue(), c)
			} else {
				assert.Equal(t, "null", string(bytes.TrimSpace(a.Data)))
			}
		})
	}
}

func TestServerMethodAndFaults(t *testing.T) {
	t.Parallel()
	srv := NewServer()
	defer srv.Close()
	resp, err := http.Get(srv.URL + v3clue.PathClueGet)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)

	srv.Faults.Add(Fault{Op: OpClueGet, Status: 500, AfterApply: true})
	status, a := post(t, srv, v3clue.PathClueGet, `{"customerId":410983932389440}`, nil)
	assert.Equal(t, 500, status)
	assert.Equal(t, 0, a.Code, "AfterApply keeps the real body")
	assert.Equal(t, 2, srv.Requests(OpClueGet))
	assert.Equal(t, 2, srv.Requests(""))
}

func TestServerStore(t *testing.T) {
	t.Parallel()
	srv := NewServer(WithCredentials("app-2", "key-2"), WithMaxSkew(time.Second))
	defer srv.Close()
	assert.Equal(t, "app-2", srv.AppID)
	id1 := srv.AddClue(v3clue.Clue{})
	id2 := srv.AddClue(v3clue.Clue{})
	assert.Equal(t, ExampleCustomerID+1, id1)
	assert.Equal(t, ExampleCustomerID+2, id2)
	srv.AddClue(v3clue.Clue{CustomerID: ExampleCustomerID + 3})
	assert.Equal(t, ExampleCustomerID+4, srv.AddClue(v3clue.Clue{}), "skips taken ids")

	v := "x"
	orig := v3clue.Clue{CustomerID: 5, Fields: []v3clue.Field{{Name: "a", ValueAsText: &v}}, TagIDs: []string{"t"}}
	srv.AddClue(orig)
	v = "changed"
	orig.TagIDs[0] = "changed"
	got, ok := srv.Clue(5)
	require.True(t, ok)
	assert.Equal(t, "x", *got.Fields[0].ValueAsText, "stored by value")
	assert.Equal(t, []string{"t"}, got.TagIDs)
	srv.DeleteClue(5)
	_, ok = srv.Clue(5)
	assert.False(t, ok)
	assert.Len(t, srv.ClueIDs(), 5)
}

func FuzzServerVerify(f *testing.F) {
	srv := &Server{AppID: DefaultAppID, AppKey: DefaultAppKey, now: func() time.Time { return time.UnixMilli(1700000000000) }, maxSkew: DefaultMaxSkew}
	body := []byte(`{"customerId":410983932389440}`)
	f.Add(DefaultAppID, "1700000000000", v3clue.SignRequest(DefaultAppID, "1700000000000", body, DefaultAppKey), "", body)
	f.Add(DefaultAppID, "-1", "", "x", []byte{})
	f.Add("", "99999999999999999999", "zz", DefaultAppKey, []byte("{"))
	f.Fuzz(func(t *testing.T, appID, ts, sign, appKey string, b []byte) {
		h := http.Header{}
		h.Set("appId", appID)
		h.Set("timestamp", ts)
		h.Set("sign", sign)
		if appKey != "" {
			h.Set("appKey", appKey)
		}
		code, _ := srv.verify(h, b)
		if code == 0 && sign != v3clue.SignRequest(appID, ts, b, DefaultAppKey) {
			t.Fatal("accepted a wrong signature")
		}
		if code == 0 && appID != DefaultAppID {
			t.Fatal("accepted another app")
		}
	})
}
