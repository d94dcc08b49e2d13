package weiling_test

//lint:file-ignore SA1019 the clue APIs are deprecated by the vendor but still served

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/weiling"
)

// TestCodeTable runs every documented code through a query (GET via Do)
// and checks the sentinels, the retry and the verbatim code.
func TestCodeTable(t *testing.T) {
	t.Parallel()
	all := []error{weiling.ErrInvalidToken, weiling.ErrRateLimited, weiling.ErrDuplicate, weiling.ErrNotFound,
		weiling.ErrInvalidParam, weiling.ErrPermission, weiling.ErrAmbiguous, weiling.ErrBadResponse}
	tests := []struct {
		code     string
		want     []error
		attempts int // API attempts (3 = retried to exhaustion, 2 = token replay)
	}{
		{`403`, []error{weiling.ErrInvalidToken, weiling.ErrPermission}, 2},
		{`"403"`, []error{weiling.ErrInvalidToken, weiling.ErrPermission}, 2},
		{`1007`, []error{weiling.ErrInvalidToken}, 2},
		{`1009`, []error{weiling.ErrRateLimited}, 3},
		{`"1015"`, []error{weiling.ErrRateLimited}, 3},
		{`1000`, []error{weiling.ErrInvalidParam}, 1},
		{`1001`, []error{weiling.ErrInvalidParam}, 1},
		{`1011`, []error{weiling.ErrInvalidParam}, 1},
		{`1012`, []error{weiling.ErrInvalidParam}, 1},
		{`1013`, []error{weiling.ErrInvalidParam}, 1},
		{`1014`, []error{weiling.ErrInvalidParam}, 1},
		{`1002`, []error{weiling.ErrDuplicate}, 1},
		{`1004`, []error{weiling.ErrDuplicate}, 1},
		{`1003`, []error{weiling.ErrNotFound}, 1},
		{`3000`, []error{weiling.ErrNotFound}, 1},
		{`1008`, []error{weiling.ErrPermission}, 1},
		{`501`, []error{weiling.ErrPermission}, 1},
		{`500`, nil, 3},
		{`1005`, nil, 1},
		{`1006`, nil, 1},
		{`1010`, nil, 1},
		{`2000`, nil, 1},
		{`99999`, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.on(http.MethodGet, "x/get", `{"code":`+tt.code+`,"msg":"消息"}`)
			err := h.c.Do(context.Background(), http.MethodGet, "/openapi/x/get", nil, nil)
			require.Error(t, err)
			var apiErr *weiling.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, trimQuotes(tt.code), apiErr.Code)
			assert.Equal(t, "消息", apiErr.Message)
			assert.Equal(t, "weiling", apiErr.Vendor)
			assert.Equal(t, "x/get", apiErr.Op)
			for _, e := range all {
				want := false
				for _, w := range tt.want {
					want = want || w == e
				}
				assert.Equal(t, want, errors.Is(err, e), "errors.Is(%v)", e)
			}
			assert.Equal(t, tt.attempts, h.count(), "attempts")
			testkit.NoSecrets(t, err.Error(), testSecret, testToken)
		})
	}
}

func trimQuotes(s string) string {
	if len(s) > 1 && s[0] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

func TestBusyCodeOnCreateIsAmbiguous(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, "contact/create", `{"code":500,"msg":"服务繁忙，请稍后重试"}`, ok(`{"contact_id":"c1"}`))
	_, err := h.c.CreateContact(context.Background(), &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactClaimed)})
	require.ErrorIs(t, err, weiling.ErrAmbiguous)
	assert.Equal(t, 1, h.count(), "a create is never retried on 500")

	// A rate-limit code means the call was not applied: creates retry it.
	h2 := newHarness(t)
	h2.on(http.MethodPost, "contact/create", `{"code":1009,"msg":"接口调用超过频率限制"}`, ok(`{"contact_id":"c1"}`))
	res, err := h2.c.CreateContact(context.Background(), &weiling.CreateContactRequest{Status: weiling.Ptr(weiling.ContactClaimed)})
	require.NoError(t, err)
	assert.Equal(t, "c1", res.ContactID)
	assert.Equal(t, 2, h2.count())
	assert.Len(t, h2.sleeper.Waits(), 1)
}

func TestBusyCodeOnQueryIsRetried(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, "contact/batch", `{"code":"500","msg":"服务繁忙，请稍后重试"}`, ok(`{"contact_list":[{"contact_id":"a"}]}`))
	got, err := h.c.BatchGetContacts(context.Background(), &weiling.BatchGetContactsRequest{ContactIDs: []string{"a"}})
	require.NoError(t, err)
	assert.Len(t, got.Contacts, 1)
	assert.Equal(t, 2, h.count())
}

func TestEnvelopeDecoding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr error
		code    string
	}{
		{"int zero", 200, `{"code":0,"msg":"success","data":{"contact_list":[]}}`, nil, ""},
		{"string zero", 200, `{"code":"0","msg":"success","data":{"contact_list":[]}}`, nil, ""},
		{"null data", 200, `{"code":0,"msg":"success","data":null}`, nil, ""},
		{"no code", 200, `{"msg":"success","data":{}}`, weiling.ErrBadResponse, ""},
		{"empty code", 200, `{"code":"","msg":"success"}`, weiling.ErrBadResponse, ""},
		{"html", 200, `<html>oops</html>`, weiling.ErrBadResponse, ""},
		{"empty body", 200, ``, weiling.ErrBadResponse, ""},
		{"array", 200, `[]`, weiling.ErrBadResponse, ""},
		{"bad data", 200, `{"code":0,"data":{"contact_list":"nope"}}`, weiling.ErrBadResponse, "0"},
		{"code in 400 body", 400, `{"code":1013,"msg":"参数格式或值错误"}`, weiling.ErrInvalidParam, "1013"},
		{"404", 404, `not found`, weiling.ErrNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.tr.RegisterResponder(http.MethodPost, testBase+"/openapi/contact/batch", httpmock.NewStringResponder(tt.status, tt.body))
			_, err := h.c.BatchGetContacts(context.Background(), &weiling.BatchGetContactsRequest{ContactIDs: []string{"a"}})
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			var apiErr *weiling.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.code, apiErr.Code)
		})
	}
}

func TestBatchErrorAndItems(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.on(http.MethodPost, "clue/recover", ok(`{
		"fail_list":[
			{"id":"a","error_code":1003,"error_msg":"数据不存在"},
			{"clue_id":"b","error_code":"1013","error_msg":"参数格式或值错误"},
			{"contact_id":"c","error_code":1004,"error_msg":"重复操作"}],
		"success_list":["d",{"clue_id":"e"},{"id":"f","x":1},7]}`))
	res, err := h.c.RecoverClues(context.Background(), &weiling.RecoverCluesRequest{ClueIDs: []string{"a", "b", "c", "d", "e", "f", "7"}})
	require.Error(t, err)
	require.NotNil(t, res, "the result comes with the error")
	var be *weiling.BatchError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, "clue/recover", be.Op)
	assert.ErrorIs(t, err, weiling.ErrNotFound)
	assert.ErrorIs(t, err, weiling.ErrInvalidParam)
	assert.ErrorIs(t, err, weiling.ErrDuplicate)
	assert.NotErrorIs(t, err, weiling.ErrPermission)
	ids := []string{}
	for _, f := range res.Failed {
		ids = append(ids, f.ID)
	}
	assert.Equal(t, []string{"a", "b", "c"}, ids)
	assert.Equal(t, "1013", res.Failed[1].Code)
	assert.Equal(t, "参数格式或值错误", res.Failed[1].Message)
	assert.Equal(t, res.Failed, be.Failed, "the error holds the result's failures")
	var itemErr *weiling.APIError
	require.ErrorAs(t, be.Unwrap()[0], &itemErr)
	assert.Equal(t, "1003", itemErr.Code)
	assert.Contains(t, err.Error(), "3 items failed")
	succ := []string{}
	for _, s := range res.Succeeded {
		succ = append(succ, s.ID)
	}
	assert.Equal(t, []string{"d", "e", "f", "7"}, succ)
	assert.JSONEq(t, `{"id":"f","x":1}`, string(res.Succeeded[2].Raw))

	// An empty fail_list is no error.
	h.on(http.MethodPost, "clue/disuse", ok(`{"fail_list":[]}`))
	res, err = h.c.DisuseClues(context.Background(), &weiling.DisuseCluesRequest{ClueIDs: []string{"a"}})
	require.NoError(t, err)
	assert.Empty(t, res.Failed)
}

// TestBatchResultJSON: a result encodes in the vendor's shape and decodes
// back to itself.
func TestBatchResultJSON(t *testing.T) {
	t.Parallel()
	in := `{"fail_list":[{"contact_id":"c","error_code":1003,"error_msg":"数据不存在"}],"success_list":["d",{"clue_id":"e"}]}`
	var res weiling.BatchResult
	require.NoError(t, json.Unmarshal([]byte(in), &res))
	out, err := json.Marshal(res)
	require.NoError(t, err)
	assert.JSONEq(t, `{"fail_list":[{"id":"c","error_code":"1003","error_msg":"数据不存在"}],"success_list":["d",{"clue_id":"e"}]}`, string(out))
	var back weiling.BatchResult
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, res, back)
	// PHP's empty map ([]) and null are results without items.
	for _, empty := range []string{`[]`, `null`, `{}`} {
		var r weiling.BatchResult
		require.NoError(t, json.Unmarshal([]byte(empty), &r), empty)
		assert.Empty(t, r.Failed, empty)
	}
}
