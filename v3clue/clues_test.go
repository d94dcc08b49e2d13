package v3clue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/flex"
)

func seedResponse(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/clue_get_response.json")
	require.NoError(t, err)
	return string(b)
}

// checkSigned asserts one request is signed exactly as documented.
func checkSigned(t *testing.T, r captured, wantPath, wantBody string) {
	t.Helper()
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/apiServer"+wantPath, r.Path)
	assert.Equal(t, wantBody, string(r.Body))
	assert.Equal(t, testAppID, r.header("appId"), "exact header name appId")
	ts := r.header("timestamp")
	assert.Len(t, ts, 13)
	_, err := strconv.ParseInt(ts, 10, 64)
	assert.NoError(t, err)
	assert.Equal(t, SignRequest(testAppID, ts, r.Body, testAppKey), r.header("sign"), "sign over the exact bytes received")
	assert.Regexp(t, `^[0-9a-f]{64}$`, r.header("sign"))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
}

func TestGetClueRequest(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.respond(jsonResp(200, seedResponse(t)))
	clue, err := h.c.GetClue(context.Background(), &GetClueRequest{CustomerID: 410983932389440})
	require.NoError(t, err)
	assert.Equal(t, int64(410983932389440), clue.CustomerID)
	reqs := h.requests()
	require.Len(t, reqs, 1)
	checkSigned(t, reqs[0], "/api/v3/clue/get", `{"customerId":410983932389440}`)
	assert.Equal(t, "1700000000000", reqs[0].header("timestamp"), "from the injected clock")
	for k := range reqs[0].Header {
		assert.False(t, strings.EqualFold(k, "appKey"), "appKey header is not sent by default")
	}
	h.noSecrets(t, h.logs.String())
}

func TestAppKeyHeaderOption(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"default: absent", nil, ""},
		{"opt-in: present", []Option{WithAppKeyHeader()}, testAppKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.opts...)
			h.respond(jsonResp(200, `{"code":1002,"message":"签名校验未通过"}`))
			_, err := h.c.GetClue(context.Background(), &GetClueRequest{CustomerID: 8})
			require.ErrorIs(t, err, ErrSignature)
			reqs := h.requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tt.want, reqs[0].header("appKey"))
			checkSigned(t, reqs[0], "/api/v3/clue/get", `{"customerId":8}`)
			if tt.want == "" {
				assert.Contains(t, err.Error(), "WithAppKeyHeader", "the refusal suggests the option")
			} else {
				assert.NotContains(t, err.Error(), "WithAppKeyHeader", "the option is already given")
			}
			h.noSecrets(t, err.Error())
			h.noSecrets(t, h.logs.String())
		})
	}
}

func TestGetClueRetriesWithFreshSignature(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.respond(jsonResp(503, "busy"), jsonResp(502, ""), jsonResp(200, seedResponse(t)))
	clue, err := h.c.GetClue(context.Background(), &GetClueRequest{CustomerID: 410983932389440})
	require.NoError(t, err)
	assert.Equal(t, "打马赛克就", func() string { f, _ := clue.Field("name"); return f.Text() }())
	reqs := h.requests()
	require.Len(t, reqs, 3)
	seenTS, seenSign := map[string]bool{}, map[string]bool{}
	prev := int64(0)
	for _, r := range reqs {
		checkSigned(t, r, "/api/v3/clue/get", `{"customerId":410983932389440}`)
		ts, _ := strconv.ParseInt(r.header("timestamp"), 10, 64)
		assert.Greater(t, ts, prev, "each attempt reads the clock again")
		prev = ts
		seenTS[r.header("timestamp")] = true
		seenSign[r.header("sign")] = true
	}
	assert.Len(t, seenTS, 3, "a new timestamp per attempt")
	assert.Len(t, seenSign, 3, "a new signature per attempt")
	assert.Equal(t, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}, h.sleeper.Waits())
	h.noSecrets(t, h.logs.String())
}

func TestGetClueErrorMapping(t *testing.T) {
	t.Parallel()
	all := []error{ErrSignature, ErrClockSkew, ErrDuplicate, ErrNotFound, ErrInvalidParam, ErrRateLimited, ErrPermission, ErrAmbiguous, ErrBadResponse}
	tests := []struct {
		name     string
		status   int
		body     string
		want     []error
		code     string
		msg      string
		attempts int
	}{
		{"1002 signature", 200, `{"code":1002,"message":"签名校验未通过","data":null}`, []error{ErrSignature}, "1002", "签名校验未通过", 1},
		{"1003 clock skew", 200, `{"code":1003,"message":"请求时间与服务器时间相差过大，请校对时间后重新请求"}`, []error{ErrClockSkew, ErrSignature}, "1003", "请求时间与服务器时间相差过大，请校对时间后重新请求", 1},
		{"40417 duplicate", 200, `{"code":40417,"message":"请求参数验证失败：电话号码重复"}`, []error{ErrDuplicate}, "40417", "请求参数验证失败：电话号码重复", 1},
		{"-1 failure", 200, `{"code":-1,"message":"失败"}`, nil, "-1", "失败", 1},
		{"unknown code verbatim", 200, `{"code":"70001","message":"线索不存在"}`, nil, "70001", "线索不存在", 1},
		{"html page", 200, `<html>gateway</html>`, []error{ErrBadResponse}, "", "", 1},
		// The vendor's code is kept; the message says what is wrong with
		// the answer (the transport's wording for a payload that does not
		// decode).
		{"ok without data", 200, `{"code":0,"message":"ok"}`, []error{ErrBadResponse}, "0", "the answer has no clue", 1},
		{"ok with null data", 200, `{"code":0,"message":"ok","data":null}`, []error{ErrBadResponse}, "0", "the answer has no clue", 1},
		{"ok with bad data", 200, `{"code":0,"message":"ok","data":{"customerId":"abc"}}`, []error{ErrBadResponse}, "0", "ok", 1},
		{"ok with a list for data", 200, `{"code":0,"message":"ok","data":[]}`, []error{ErrBadResponse}, "0", "ok", 1},
		{"429 retried then fails", 429, ``, []error{ErrRateLimited}, "", "Too Many Requests", 3},
		{"404", 404, `{"code":-1,"message":"no route"}`, []error{ErrNotFound}, "-1", "no route", 1},
		{"403", 403, ``, []error{ErrPermission}, "", "Forbidden", 1},
		{"echoed secrets are scrubbed", 200, `{"code":1002,"message":"bad key ` + testAppKey + `"}`, []error{ErrSignature}, "1002", "bad key [redacted]", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.respond(jsonResp(tt.status, tt.body))
			clue, err := h.c.GetClue(context.Background(), &GetClueRequest{CustomerID: 8})
			require.Error(t, err)
			assert.Nil(t, clue)
			for _, s := range all {
				want := false
				for _, w := range tt.want {
					want = want || w == s
				}
				assert.Equal(t, want, errors.Is(err, s), "errors.Is(err, %v)", s)
			}
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "v3clue", apiErr.Vendor)
			assert.Equal(t, "clue/get", apiErr.Op)
			assert.Equal(t, tt.status, apiErr.HTTPStatus)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.msg, apiErr.Message)
			assert.Len(t, h.requests(), tt.attempts)
			h.noSecrets(t, err.Error())
			h.noSecrets(t, h.logs.String())
		})
	}
}

func TestGetClueEchoedSignatureScrubbed(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// The vendor echoes the signature it received in its message.
	h.tr.RegisterResponder(http.MethodPost, `=~.*`, func(r *http.Request) (*http.Response, error) {
		sig := r.Header["sign"][0]
		h.mu.Lock()
		h.got = append(h.got, captured{Header: r.Header.Clone()})
		h.mu.Unlock()
		return jsonResp(200, fmt.Sprintf(`{"code":1002,"message":"expected other than %s"}`, sig))(), nil
	})
	_, err := h.c.GetClue(context.Background(), &GetClueRequest{CustomerID: 8})
	require.ErrorIs(t, err, ErrSignature)
	assert.Contains(t, err.Error(), "[redacted]")
	h.noSecrets(t, err.Error())
	h.noSecrets(t, h.logs.String())
}

func TestGetClueValidatesBeforeNetwork(t *testing.T) {
	t.Parallel()
	for _, id := range []int64{0, -1, -410983932389440} {
		t.Run(strconv.FormatInt(id, 10), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.respond(jsonResp(200, seedResponse(t)))
			_, err := h.c.GetClue(context.Background(), &GetClueRequest{CustomerID: id})
			require.ErrorIs(t, err, ErrInvalidParam)
			assert.Empty(t, h.requests())
		})
	}
	t.Run("nil request", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.respond(jsonResp(200, seedResponse(t)))
		_, err := h.c.GetClue(context.Background(), nil)
		require.ErrorIs(t, err, ErrInvalidParam)
		assert.Empty(t, h.requests())
	})
}

func TestGetClueCancelledContext(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.respond(jsonResp(503, ""))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := h.c.GetClue(ctx, &GetClueRequest{CustomerID: 8})
	require.ErrorIs(t, err, context.Canceled)
	assert.LessOrEqual(t, len(h.requests()), 1)
}

// TestSeedExampleDecoded decodes the vendor's clue/get example field by field.
func TestSeedExampleDecoded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.respond(jsonResp(200, seedResponse(t)))
	c, err := h.c.GetClue(context.Background(), &GetClueRequest{CustomerID: 410983932389440})
	require.NoError(t, err)

	assert.Equal(t, int64(410983932389440), c.CustomerID)
	assert.False(t, c.IsClue)
	assert.Equal(t, 1, c.Type)
	assert.True(t, c.ConvertCustomerTime.IsZero(), "absent from the example")
	assert.Equal(t, []string{}, c.TagIDs)
	assert.Equal(t, DateTime("2021-05-11 15:15:48"), c.CreateTime)
	assert.Equal(t, DateTime("2021-05-11 15:15:48"), c.LastUpdateTime)
	assert.Nil(t, c.CompanyInfo, "absent from the example")
	created, err := c.CreateTime.Time()
	require.NoError(t, err)
	assert.Equal(t, time.Date(2021, 5, 11, 15, 15, 48, 0, CST), created)
	assert.Equal(t, int64(1620717348), created.Unix())
	updated, err := c.LastUpdateTime.Time()
	require.NoError(t, err)
	assert.True(t, updated.Equal(created))
	converted, err := c.ConvertCustomerTime.Time()
	require.NoError(t, err)
	assert.True(t, converted.IsZero())

	str := func(s string) *string { return &s }
	want := []Field{
		{Name: "customer_source", Type: FieldTypeSelect},
		{Name: "description", Type: FieldTypeText, ValueAsText: str("u 诶IE")},
		{Name: "mobile", Type: FieldTypeMobiles, ValueAsText: str(`["145678388"]`)},
		{Name: "address", Type: FieldTypeText},
		{Name: "birthday", Type: FieldTypeDate},
		{Name: "corp_name", Type: FieldTypeText},
		{Name: "name", Type: FieldTypeText, ValueAsText: str("打马赛克就")},
		{Name: "purchase_intention", Type: FieldTypeSelect},
		{Name: "gender", Type: FieldTypeSelect},
		{Name: "customer_stage", Type: FieldTypeSelect, ValueAsText: str("396823724189760")},
	}
	assert.Equal(t, want, c.Fields)

	mobile, ok := c.Field("mobile")
	require.True(t, ok)
	mobiles, err := mobile.Strings()
	require.NoError(t, err)
	assert.Equal(t, []string{"145678388"}, mobiles)
	stage, _ := c.Field("customer_stage")
	id, ok := stage.OptionID()
	assert.True(t, ok)
	assert.Equal(t, "396823724189760", id)
	name, _ := c.Field("name")
	assert.Equal(t, "打马赛克就", name.Text())
	desc, _ := c.Field("description")
	assert.Equal(t, "u 诶IE", desc.Text())
	birthday, _ := c.Field("birthday")
	assert.True(t, birthday.IsNull())
	bd, err := birthday.Date()
	require.NoError(t, err)
	assert.True(t, bd.IsZero())
	for _, n := range []string{"customer_source", "purchase_intention", "gender"} {
		f, ok := c.Field(n)
		require.True(t, ok, n)
		_, ok = f.OptionID()
		assert.False(t, ok, n)
	}
	_, ok = c.Field("no_such_field")
	assert.False(t, ok)
}

func TestClueUnmarshalQuirks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr bool
		check   func(t *testing.T, c Clue)
	}{
		{name: "ids and flags as strings", in: `{"customerId":"410983932389440","isClue":"true","type":"2","tagIds":[1234567890123456789,"t2"]}`,
			check: func(t *testing.T, c Clue) {
				assert.Equal(t, int64(410983932389440), c.CustomerID)
				assert.True(t, c.IsClue)
				assert.Equal(t, 2, c.Type)
				assert.Equal(t, []string{"1234567890123456789", "t2"}, c.TagIDs, "19 digits kept exactly")
			}},
		{name: "19-digit customer id", in: `{"customerId":9223372036854775807}`,
			check: func(t *testing.T, c Clue) { assert.Equal(t, int64(9223372036854775807), c.CustomerID) }},
		{name: "company info and convert time", in: `{"customerId":1,"convertCustomerTime":"2022-02-15 02:46:47","companyInfo":{"name":"探马","size":10}}`,
			check: func(t *testing.T, c Clue) {
				assert.JSONEq(t, `{"name":"探马","size":10}`, string(c.CompanyInfo))
				tm, err := c.ConvertCustomerTime.Time()
				require.NoError(t, err)
				assert.Equal(t, time.Date(2022, 2, 15, 2, 46, 47, 0, CST), tm)
			}},
		{name: "null company info and tags", in: `{"customerId":1,"companyInfo":null,"tagIds":null,"fields":null}`,
			check: func(t *testing.T, c Clue) {
				assert.Nil(t, c.CompanyInfo)
				assert.Nil(t, c.TagIDs)
				assert.Nil(t, c.Fields)
			}},
		{name: "unknown members kept verbatim", in: `{"customerId":1,"newThing":{"x":[1,2]},"ownerId":12345678901234567890123,"fields":[{"field":"a","type":1,"valueAsText":"x","fieldId": 97668}]}`,
			check: func(t *testing.T, c Clue) {
				assert.Equal(t, int64(1), c.CustomerID)
				assert.Equal(t, flex.Extra{"newThing": json.RawMessage(`{"x":[1,2]}`), "ownerId": json.RawMessage(`12345678901234567890123`)}, c.Extra, "every digit kept")
				require.Len(t, c.Fields, 1)
				assert.Equal(t, flex.Extra{"fieldId": json.RawMessage(`97668`)}, c.Fields[0].Extra)
				b, err := json.Marshal(c)
				require.NoError(t, err)
				assert.Contains(t, string(b), `"ownerId":12345678901234567890123`)
				assert.Contains(t, string(b), `"newThing":{"x":[1,2]}`)
				assert.Contains(t, string(b), `"fieldId":97668`)
				var again Clue
				require.NoError(t, json.Unmarshal(b, &again))
				assert.Equal(t, c, again)
			}},
		{name: "a known member in another case is not unknown", in: `{"CustomerId":7,"ISCLUE":true}`,
			check: func(t *testing.T, c Clue) {
				assert.Equal(t, int64(7), c.CustomerID)
				assert.True(t, c.IsClue)
				assert.Nil(t, c.Extra)
			}},
		{name: "a list is not a clue", in: `[]`, wantErr: true},
		{name: "customer id overflow", in: `{"customerId":92233720368547758070}`, wantErr: true},
		{name: "customer id float", in: `{"customerId":1.5}`, wantErr: true},
		{name: "fields not an array", in: `{"fields":"x"}`, wantErr: true},
		{name: "field value object", in: `{"fields":[{"field":"a","type":1,"valueAsText":{}}]}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c Clue
			err := json.Unmarshal([]byte(tt.in), &c)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

func TestClueRoundTrip(t *testing.T) {
	t.Parallel()
	var env struct {
		Data Clue `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(seedResponse(t)), &env))
	b, err := json.Marshal(env.Data)
	require.NoError(t, err)
	assert.JSONEq(t, `{"customerId":410983932389440,"isClue":false,"type":1,"fields":[
		{"field":"customer_source","type":2,"valueAsText":null},
		{"field":"description","type":1,"valueAsText":"u 诶IE"},
		{"field":"mobile","type":8,"valueAsText":"[\"145678388\"]"},
		{"field":"address","type":1,"valueAsText":null},
		{"field":"birthday","type":3,"valueAsText":null},
		{"field":"corp_name","type":1,"valueAsText":null},
		{"field":"name","type":1,"valueAsText":"打马赛克就"},
		{"field":"purchase_intention","type":2,"valueAsText":null},
		{"field":"gender","type":2,"valueAsText":null},
		{"field":"customer_stage","type":2,"valueAsText":"396823724189760"}],
		"tagIds":[],"createTime":"2021-05-11 15:15:48","lastUpdateTime":"2021-05-11 15:15:48"}`, string(b))
	var again Clue
	require.NoError(t, json.Unmarshal(b, &again))
	assert.Equal(t, env.Data, again)
}

func TestDateTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      DateTime
		want    time.Time
		wantErr bool
	}{
		{"2021-05-11 15:15:48", time.Date(2021, 5, 11, 15, 15, 48, 0, CST), false},
		{" 2021-05-11 15:15:48 ", time.Date(2021, 5, 11, 15, 15, 48, 0, CST), false},
		{"2021-05-11", time.Date(2021, 5, 11, 0, 0, 0, 0, CST), false},
		{"1620717348000", time.Date(2021, 5, 11, 15, 15, 48, 0, CST), false},
		{"", time.Time{}, false},
		{"2021-05-11T15:15:48Z", time.Time{}, true},
		{"2021-13-01 00:00:00", time.Time{}, true},
		{"99999999999999999999", time.Time{}, true},
		{"yesterday", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(string(tt.in), func(t *testing.T) {
			t.Parallel()
			got, err := tt.in.Time()
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(got), "%v != %v", got, tt.want)
			if !got.IsZero() {
				assert.Equal(t, CST, got.Location())
			}
		})
	}
}

func BenchmarkDecodeSeedClue(b *testing.B) {
	raw, err := os.ReadFile("testdata/clue_get_response.json")
	require.NoError(b, err)
	_, data, err := decodeEnvelope(raw)
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		var c Clue
		if err := json.Unmarshal(data, &c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeSeedAnswer decodes the whole answer in one pass, as
// GetClue does.
func BenchmarkDecodeSeedAnswer(b *testing.B) {
	raw, err := os.ReadFile("testdata/clue_get_response.json")
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		var c Clue
		if err := json.Unmarshal(raw, newEnvelope(&c)); err != nil {
			b.Fatal(err)
		}
	}
}
