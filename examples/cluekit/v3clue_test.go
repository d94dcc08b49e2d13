package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/cluekit/cluekit/v3clue"
	"github.com/cluekit/cluekit/v3clue/v3cluetest"
)

func init() { addFakeSecrets(v3cluetest.DefaultAppKey) }

func v3Env(srv *v3cluetest.Server) map[string]string {
	return map[string]string{
		"V3CLUE_APP_ID":   v3cluetest.DefaultAppID,
		"V3CLUE_APP_KEY":  v3cluetest.DefaultAppKey,
		"V3CLUE_BASE_URL": srv.URL,
	}
}

func TestV3clueCheck(t *testing.T) {
	t.Parallel()
	example := strconv.FormatInt(v3cluetest.ExampleCustomerID, 10)
	t.Run("fake probe", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "", "v3clue", "check", "-fake")
		want(t, r, exitOK, "probe customerId 1", "code -1", "the signature was accepted", "1002", "V3CLUE_CUSTOMER_ID", "result:         OK")
	})
	t.Run("fake clue", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "", "v3clue", "check", "-fake", "-customer-id", example)
		want(t, r, exitOK, "read customerId "+example, "fields")
	})
	t.Run("V3CLUE_CUSTOMER_ID", func(t *testing.T) {
		t.Parallel()
		srv := v3cluetest.NewServer()
		t.Cleanup(srv.Close)
		env := v3Env(srv)
		env["V3CLUE_CUSTOMER_ID"] = example
		r := runCmd(t, env, "", "v3clue", "check")
		want(t, r, exitOK, "read customerId "+example)
	})
	t.Run("V3CLUE_CUSTOMER_ID unknown", func(t *testing.T) {
		t.Parallel()
		srv := v3cluetest.NewServer()
		t.Cleanup(srv.Close)
		env := v3Env(srv)
		env["V3CLUE_CUSTOMER_ID"] = "77"
		r := runCmd(t, env, "", "v3clue", "check")
		want(t, r, exitFail, "signature was accepted, but the clue could not be read", "code:        -1")
	})
	t.Run("wrong key", func(t *testing.T) {
		t.Parallel()
		srv := v3cluetest.NewServer()
		t.Cleanup(srv.Close)
		env := v3Env(srv)
		env["V3CLUE_APP_KEY"] = "wrong-key-0123456789abcdef"
		r := runCmd(t, env, "", "v3clue", "check")
		want(t, r, exitFail, "REFUSED (code 1002)", "code:        1002", "hint:")
	})
}

func TestV3clueDo(t *testing.T) {
	t.Parallel()
	example := strconv.FormatInt(v3cluetest.ExampleCustomerID, 10)
	r := runCmd(t, nil, "", "v3clue", "do", "-fake", "POST", "/api/v3/clue/get", `{"customerId":`+example+`}`)
	want(t, r, exitOK, `"customerId": `+example, `"valueAsText": "[\"145678388\"]"`)
	var clue v3clue.Clue
	if err := json.Unmarshal([]byte(r.stdout), &clue); err != nil || clue.CustomerID != v3cluetest.ExampleCustomerID {
		t.Fatalf("%v %+v\n%s", err, clue, r)
	}
	// Flags after the arguments work too.
	r = runCmd(t, nil, "", "v3clue", "do", "POST", "/api/v3/clue/get", `{"customerId":8}`, "-fake")
	want(t, r, exitFail, "code:        -1", "线索不存在")
}

func TestV3clueSign(t *testing.T) {
	t.Parallel()
	srv := v3cluetest.NewServer()
	t.Cleanup(srv.Close)
	body := `{"customerId":` + strconv.FormatInt(v3cluetest.ExampleCustomerID, 10) + `}`
	ts := v3clue.FormatTimestamp(time.Now())
	r := runCmd(t, v3Env(srv), "", "v3clue", "sign", "-body", body, "-timestamp", ts)
	want(t, r, exitOK)
	if got := field(t, r.stdout, "signed string"); got != v3cluetest.DefaultAppID+ts+body+"****" {
		t.Errorf("signed string %s", got)
	}
	sig := field(t, r.stdout, "sign")
	sum := sha256.Sum256([]byte(v3cluetest.DefaultAppID + ts + body + v3cluetest.DefaultAppKey))
	if sig != hex.EncodeToString(sum[:]) {
		t.Fatalf("sign %s, want sha256(appId+timestamp+body+appKey)", sig)
	}
	// The printed headers are accepted by the fake, which checks signatures
	// as the vendor does.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+v3clue.PathClueGet, bytes.NewReader([]byte(body)))
	req.Header.Set("appId", v3cluetest.DefaultAppID)
	req.Header.Set("timestamp", ts)
	req.Header.Set("sign", sig)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Code int `json:"code"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.Code != 0 {
		t.Fatalf("the fake answered code %d (%v)", env.Code, err)
	}

	t.Run("no body", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "", "v3clue", "sign", "-fake", "-timestamp", "1700000000000")
		want(t, r, exitOK, "0 bytes", "(empty)")
		if got := field(t, r.stdout, "signed string"); got != v3cluetest.DefaultAppID+"1700000000000****" {
			t.Errorf("signed string %s", got)
		}
		if got := field(t, r.stdout, "sign"); got != v3clue.SignRequest(v3cluetest.DefaultAppID, "1700000000000", nil, v3cluetest.DefaultAppKey) {
			t.Errorf("sign %s", got)
		}
	})
	t.Run("odd timestamp", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "", "v3clue", "sign", "-fake", "-timestamp", "20240102150405")
		want(t, r, exitOK, "expects 13-digit epoch milliseconds")
	})
}
