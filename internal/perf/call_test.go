package perf

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/v3clue"
	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/weiling"
	"github.com/cluekit/cluekit/wshoto"
)

// Per-call overhead: one typed call per vendor through the SDK (sdk) and
// hand-written (raw) with net/http and encoding/json, against the same static
// loopback server, with a warm token. raw does what a user would write: the
// same wire work (signature or token, query, body), the envelope decoded with
// its data kept as json.RawMessage and checked, then the data decoded into
// plain structs generated from the vendor's fixtures (baseline_types_test.go)
// — not the SDK's types. List answers hold 100 records built from the
// fixture's one (distinct ids); jing creates 100 users in one call; v3clue's
// clue/get answers one clue.

const (
	wqOpenID = "5465103569540931532"
	wqAppKey = "BFCO0PAgIUgd50c0l6"
	appID    = "perf-app-id"
	secret   = "perf-app-secret-0123456789"
)

var rawClient = &http.Client{Timeout: 30 * time.Second}

// runPair runs one operation through the SDK (sdk) and hand-written (raw)
// as sub-benchmarks reporting ns/op, B/op and allocs/op, then both in turn
// in one loop (interleaved), reporting each one's mean time and their
// ratio: background load on a shared machine then weighs on both alike.
func runPair(b *testing.B, sdk, raw func(*testing.B)) {
	b.Run("sdk", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sdk(b)
		}
	})
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			raw(b)
		}
	})
	b.Run("interleaved", func(b *testing.B) {
		var tSDK, tRaw time.Duration
		for b.Loop() {
			t0 := time.Now()
			sdk(b)
			t1 := time.Now()
			raw(b)
			tRaw += time.Since(t1)
			tSDK += t1.Sub(t0)
		}
		b.ReportMetric(float64(tSDK.Nanoseconds())/float64(b.N), "sdk-ns/op")
		b.ReportMetric(float64(tRaw.Nanoseconds())/float64(b.N), "raw-ns/op")
		b.ReportMetric(float64(tSDK)/float64(tRaw), "sdk/raw")
	})
}

// rawDo sends a request and returns the body of a 200 answer.
func rawDo(b *testing.B, req *http.Request) []byte {
	resp, err := rawClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("HTTP %d: %v", resp.StatusCode, err)
	}
	return body
}

// codeIsZero reports whether a JSON code (number or string) is 0.
func codeIsZero(raw json.RawMessage) bool {
	s := string(raw)
	return s == "0" || s == `"0"`
}

// rows100 is the size of a realistic page.
const rows100 = 100

// --- waiqin365: querySalesLeads, 100 rows, MD5 digest in the path ---------

func waiqin365Answer(b *testing.B, n int) []byte {
	var rows []json.RawMessage
	must(b, json.Unmarshal(fixture(b, "waiqin365", "query_sales_leads_rows.json"), &rows))
	inner := replicate(b, rows[0], "6789690485561771524", n)
	data, err := json.Marshal(string(inner))
	must(b, err)
	return []byte(`{"return_code":"0","return_msg":null,"msg_id":null,"response_data":` + string(data) + `}`)
}

func BenchmarkCallWaiqin365(b *testing.B) {
	const path = "/api/salesleads/v1/querySalesLeads/"
	answer := waiqin365Answer(b, rows100)
	srv := staticServer(b, map[string][]byte{path: answer}).URL

	c, err := waiqin365.New(wqOpenID, wqAppKey, waiqin365.WithBaseURL(srv))
	must(b, err)
	req := &waiqin365.QuerySalesLeadsRequest{Code: "codezs", Page: 1, PageSize: rows100}
	sdkOp := func(b *testing.B) {
		res, err := c.QuerySalesLeads(ctx, req)
		if err != nil || len(res.Leads) != rows100 {
			b.Fatal(err)
		}
	}
	type query struct {
		Code     string `json:"code"`
		Page     int    `json:"page"`
		PageSize int    `json:"pageSize"`
	}
	rawOp := func(b *testing.B) {
		body, _ := json.Marshal(query{Code: "codezs", Page: 1, PageSize: rows100})
		ts := time.Now().In(waiqin365.CST).Format("20060102150405")
		sum := md5.Sum([]byte(string(body) + "|" + wqAppKey + "|" + ts))
		var id [16]byte
		_, _ = rand.Read(id[:])
		u := srv + path + wqOpenID + "/" + ts + "/" + hex.EncodeToString(sum[:]) + "/" + hex.EncodeToString(id[:])
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		raw := rawDo(b, req)
		var env struct {
			ReturnCode   json.RawMessage `json:"return_code"`
			ReturnMsg    *string         `json:"return_msg"`
			MsgID        *string         `json:"msg_id"`
			ResponseData json.RawMessage `json:"response_data"`
		}
		if err := json.Unmarshal(raw, &env); err != nil || !codeIsZero(env.ReturnCode) {
			b.Fatal(err)
		}
		var inner string
		must(b, json.Unmarshal(env.ResponseData, &inner))
		var rows []rawWaiqinLead
		if err := json.Unmarshal([]byte(inner), &rows); err != nil || len(rows) != rows100 {
			b.Fatal(err)
		}
	}
	runPair(b, sdkOp, rawOp)
}

// --- wshoto: clue/page, 100 clues, access_token in the query --------------

func BenchmarkCallWshoto(b *testing.B) {
	var page struct {
		Data []json.RawMessage `json:"data"`
	}
	must(b, json.Unmarshal(fixture(b, "wshoto", "clue_page_response.json"), &page))
	clues := replicate(b, page.Data[0], "1539169150405479425", rows100)
	answer := []byte(`{"code":0,"msg":"请求成功","data":` + string(clues) + `}`)
	srv := staticServer(b, map[string][]byte{
		"/openapi/access_token":  fixture(b, "wshoto", "token_response.json"),
		"/openapi/crm/clue/page": answer,
	})

	c, err := wshoto.New(appID, secret, wshoto.WithBaseURL(srv.URL))
	must(b, err)
	_, err = c.AccessToken(ctx) // warm
	must(b, err)
	req := &wshoto.ListCluesRequest{PageSize: rows100}
	sdkOp := func(b *testing.B) {
		page, err := c.ListClues(ctx, req)
		if err != nil || len(page.Records) != rows100 {
			b.Fatal(err)
		}
	}
	tok := rawWshotoToken(b, srv.URL)
	type listReq struct {
		CurrentIndex int `json:"current_index"`
		PageSize     int `json:"page_size"`
	}
	rawOp := func(b *testing.B) {
		body, _ := json.Marshal(listReq{CurrentIndex: 1, PageSize: rows100})
		q := url.Values{}
		q.Set("access_token", tok)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/openapi/crm/clue/page?"+q.Encode(), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		raw := rawDo(b, req)
		var env struct {
			Code    json.RawMessage `json:"code"`
			Msg     string          `json:"msg"`
			Data    json.RawMessage `json:"data"`
			SubCode *string         `json:"sub_code"`
		}
		if err := json.Unmarshal(raw, &env); err != nil || !codeIsZero(env.Code) {
			b.Fatal(err)
		}
		var clues []rawWshotoClue
		if err := json.Unmarshal(env.Data, &clues); err != nil || len(clues) != rows100 {
			b.Fatal(err)
		}
	}
	runPair(b, sdkOp, rawOp)
}

func rawWshotoToken(b *testing.B, base string) string {
	q := url.Values{}
	q.Set("appid", appID)
	q.Set("app_secret", secret)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/openapi/access_token?"+q.Encode(), nil)
	var env struct {
		Data struct {
			AccessToken string `json:"access_token"`
		} `json:"data"`
	}
	must(b, json.Unmarshal(rawDo(b, req), &env))
	return env.Data.AccessToken
}

// --- weiling: contact/batch, 100 contacts, access_token in the query ------

func BenchmarkCallWeiling(b *testing.B) {
	var fx struct {
		Data struct {
			Contacts []json.RawMessage `json:"contact_list"`
		} `json:"data"`
	}
	must(b, json.Unmarshal(fixture(b, "weiling", "contact_batch_response.json"), &fx))
	const id = "Rw4Ed-aep4uP1_NPBh-SQ8SVxOpdHyLIPu2y_0Jr3bw"
	contacts := replicate(b, fx.Data.Contacts[0], id, rows100)
	answer := []byte(`{"code":"0","msg":"success","data":{"contact_list":` + string(contacts) + `}}`)
	srv := staticServer(b, map[string][]byte{
		"/openapi/auth/access_token/get": []byte(`{"code":0,"msg":"success","data":{"access_token":"6f8a4c1d2e3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b"}}`),
		"/openapi/contact/batch":         answer,
	})
	ids := make([]string, rows100)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%05d", id[:len(id)-5], i)
	}

	c, err := weiling.New(appID, secret, weiling.WithBaseURL(srv.URL))
	must(b, err)
	_, err = c.AccessToken(ctx)
	must(b, err)
	breq := &weiling.BatchGetContactsRequest{ContactIDs: ids}
	sdkOp := func(b *testing.B) {
		got, err := c.BatchGetContacts(ctx, breq)
		if err != nil || len(got.Contacts) != rows100 {
			b.Fatal(err)
		}
	}
	q := url.Values{}
	q.Set("app_id", appID)
	q.Set("app_secret", secret)
	treq, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/openapi/auth/access_token/get?"+q.Encode(), nil)
	var tenv struct {
		Data struct {
			AccessToken string `json:"access_token"`
		} `json:"data"`
	}
	must(b, json.Unmarshal(rawDo(b, treq), &tenv))
	tok := tenv.Data.AccessToken
	rawOp := func(b *testing.B) {
		body, _ := json.Marshal(map[string]any{"contact_ids": ids})
		q := url.Values{}
		q.Set("access_token", tok)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/openapi/contact/batch?"+q.Encode(), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		raw := rawDo(b, req)
		var env struct {
			Code json.RawMessage `json:"code"`
			Msg  string          `json:"msg"`
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(raw, &env); err != nil || !codeIsZero(env.Code) {
			b.Fatal(err)
		}
		var out struct {
			Contacts []rawWeilingContact `json:"contact_list"`
		}
		if err := json.Unmarshal(env.Data, &out); err != nil || len(out.Contacts) != rows100 {
			b.Fatal(err)
		}
	}
	runPair(b, sdkOp, rawOp)
}

// --- jing: user/create, 100 users, app_id and access_token headers ------

// jingCreateAnswer is the documented user/create answer (returnFull=true)
// for n users with distinct mobiles.
func jingCreateAnswer(n int) []byte {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"identities":[{"type":"mobile","value":"1966734%04d","name":"手机号"}],"leads_info":{"stage_name":"初始线索"}}`, i)
	}
	return []byte(`{"request_id":"6f843be20b21c5e18b9825616b85b424","code":0,"msg":"success",` +
		`"data":{"success":[` + strings.Join(items, ",") + `],"failure":[]}}`)
}

const jingTokenAnswer = `{"request_id":"6f843be20b21c5e18b9825616b85b424","code":0,"msg":"success",` +
	`"data":{"access_token":"535eda1d-a06e-42f9-958f-d244ae72b646","refresh_token":"fc5e86a1-81da-4715-a18f-8724ff1fd413",` +
	`"scope":"all","token_type":"bearer","expires_in":4511},"timestamp":1722583035263}`

// Plain structs a user would write for user/create.
type rawJingIdentity struct {
	Type  string `json:"type"`
	Value string `json:"value"`
	Name  string `json:"name"`
}

type rawJingUser struct {
	Identities   []rawJingIdentity `json:"identities"`
	Fields       map[string]any    `json:"fields"`
	FieldsSource struct {
		SourceType  string `json:"source_type"`
		SourceValue string `json:"source_value"`
	} `json:"fields_source"`
}

type rawJingCreated struct {
	Success []struct {
		Identities []rawJingIdentity `json:"identities"`
		LeadsInfo  struct {
			StageName string `json:"stage_name"`
		} `json:"leads_info"`
	} `json:"success"`
	Failure []json.RawMessage `json:"failure"`
}

func BenchmarkCallJing(b *testing.B) {
	srv := staticServer(b, map[string][]byte{
		jing.DefaultTokenPath: []byte(jingTokenAnswer),
		jing.CreateUsersPath:  jingCreateAnswer(rows100),
	})
	users := make([]jing.User, rows100)
	rawUsers := make([]rawJingUser, rows100)
	for i := range users {
		mobile := fmt.Sprintf("1966734%04d", i)
		users[i] = jing.User{
			Identities:   []jing.Identity{{Type: jing.IdentityMobile, Value: mobile, Name: "手机号"}},
			Fields:       map[string]any{"fieldcode1": "value1"},
			FieldsSource: &jing.FieldsSource{SourceType: "thirdparty_custom_source", SourceValue: "perf"},
		}
		rawUsers[i] = rawJingUser{Identities: []rawJingIdentity{{Type: "mobile", Value: mobile, Name: "手机号"}},
			Fields: map[string]any{"fieldcode1": "value1"}}
		rawUsers[i].FieldsSource.SourceType, rawUsers[i].FieldsSource.SourceValue = "thirdparty_custom_source", "perf"
	}

	c, err := jing.New(appID, secret, jing.WithBaseURL(srv.URL))
	must(b, err)
	_, err = c.AccessToken(ctx)
	must(b, err)
	req := &jing.CreateUsersRequest{Users: users, ReturnFull: true}
	sdkOp := func(b *testing.B) {
		res, err := c.CreateUsers(ctx, req)
		if err != nil || len(res.Success) != rows100 {
			b.Fatal(err)
		}
	}
	tbody, _ := json.Marshal(map[string]string{"app_id": appID, "app_secret": secret})
	treq, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+jing.DefaultTokenPath, bytes.NewReader(tbody))
	treq.Header.Set("Content-Type", "application/json")
	var tenv struct {
		Data struct {
			AccessToken string `json:"access_token"`
		} `json:"data"`
	}
	must(b, json.Unmarshal(rawDo(b, treq), &tenv))
	tok := tenv.Data.AccessToken
	rawOp := func(b *testing.B) {
		body, _ := json.Marshal(rawUsers)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+jing.CreateUsersPath+"?returnFull=true", bytes.NewReader(body))
		req.Header["app_id"] = []string{appID}
		req.Header["access_token"] = []string{tok}
		req.Header.Set("Content-Type", "application/json")
		raw := rawDo(b, req)
		var env struct {
			RequestID string          `json:"request_id"`
			Code      json.RawMessage `json:"code"`
			Msg       string          `json:"msg"`
			Data      json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(raw, &env); err != nil || !codeIsZero(env.Code) {
			b.Fatal(err)
		}
		var res rawJingCreated
		if err := json.Unmarshal(env.Data, &res); err != nil || len(res.Success) != rows100 {
			b.Fatal(err)
		}
	}
	runPair(b, sdkOp, rawOp)
}

// --- v3clue: clue/get, SHA-256 signature headers ---------------------------

func BenchmarkCallV3clue(b *testing.B) {
	srv := staticServer(b, map[string][]byte{
		v3clue.PathClueGet: fixture(b, "v3clue", "clue_get_response.json"),
	})
	const customerID = 410983932389440

	c, err := v3clue.New(appID, secret, v3clue.WithBaseURL(srv.URL))
	must(b, err)
	sdkOp := func(b *testing.B) {
		clue, err := c.GetClue(ctx, &v3clue.GetClueRequest{CustomerID: customerID})
		if err != nil || clue.CustomerID != customerID {
			b.Fatal(err)
		}
	}
	rawOp := func(b *testing.B) {
		body, _ := json.Marshal(struct {
			CustomerID int64 `json:"customerId"`
		}{customerID})
		ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
		h := sha256.New()
		h.Write([]byte(appID + ts))
		h.Write(body)
		h.Write([]byte(secret))
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+v3clue.PathClueGet, bytes.NewReader(body))
		req.Header["appId"] = []string{appID}
		req.Header["timestamp"] = []string{ts}
		req.Header["sign"] = []string{hex.EncodeToString(h.Sum(nil))}
		req.Header.Set("Content-Type", "application/json")
		raw := rawDo(b, req)
		var env struct {
			Code    json.RawMessage `json:"code"`
			Message string          `json:"message"`
			Data    json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(raw, &env); err != nil || !codeIsZero(env.Code) {
			b.Fatal(err)
		}
		var clue rawV3Clue
		if err := json.Unmarshal(env.Data, &clue); err != nil || string(clue.CustomerId) != strconv.Itoa(customerID) {
			b.Fatal(err)
		}
	}
	runPair(b, sdkOp, rawOp)
}

// BenchmarkObserverOverhead: the same v3clue call with and without an
// Observer whose callbacks do nothing (sdk = with, raw = without).
func BenchmarkObserverOverhead(b *testing.B) {
	srv := staticServer(b, map[string][]byte{
		v3clue.PathClueGet: fixture(b, "v3clue", "clue_get_response.json"),
	})
	nop := v3clue.Observer{
		CallStart: func(ctx context.Context, _ v3clue.CallInfo) context.Context { return ctx },
		Attempt:   func(context.Context, v3clue.AttemptInfo) {},
		CallEnd:   func(context.Context, v3clue.CallInfo, error) {},
	}
	with, err := v3clue.New(appID, secret, v3clue.WithBaseURL(srv.URL), v3clue.WithObserver(nop))
	must(b, err)
	without, err := v3clue.New(appID, secret, v3clue.WithBaseURL(srv.URL))
	must(b, err)
	req := &v3clue.GetClueRequest{CustomerID: 410983932389440}
	call := func(c *v3clue.Client) func(*testing.B) {
		return func(b *testing.B) {
			if _, err := c.GetClue(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	}
	runPair(b, call(with), call(without))
}
