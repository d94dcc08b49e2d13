package jing_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
)

// withToken preloads a valid pair so calls go straight to the endpoint.
func withToken(t *testing.T, h *harness) {
	t.Helper()
	now := h.clock.Now()
	h.preload(t, jing.Token{Value: "at-live-1234", ObtainedAt: now, ExpiresAt: now.Add(2 * time.Hour),
		Refresh: "rt-live-5678", RefreshExpiresAt: now.Add(jing.RefreshTokenLifetime)})
}

// docUser is the example body of 用户批量创建 (USERCREATE).
var docUser = jing.User{
	Identities:   []jing.Identity{{Type: jing.IdentityMobile, Value: "19667348978", Name: "手机号"}},
	Fields:       map[string]any{"fieldcode1": "value1"},
	FieldsSource: &jing.FieldsSource{SourceType: jing.SourceTypeThirdpartyCustom, SourceValue: "..."},
}

const docUserBody = `[{"identities":[{"type":"mobile","value":"19667348978","name":"手机号"}],"fields":{"fieldcode1":"value1"},"fields_source":{"source_type":"thirdparty_custom_source","source_value":"..."}}]`

func TestCreateUsersRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		req        *jing.CreateUsersRequest
		wantQuery  string
		wantBody   string
		answer     string
		wantResult func(t *testing.T, res *jing.CreateUsersResult)
		// wantFailed lists the BatchError items as "id|code|message" (nil:
		// no error).
		wantFailed []string
	}{
		{
			name:      "doc example with returnFull",
			req:       &jing.CreateUsersRequest{Users: []jing.User{docUser}, ReturnFull: true},
			wantQuery: "returnFull=true",
			wantBody:  docUserBody,
			answer: `{"request_id":"6f843be20b21c5e18b9825616b85b424","code":0,"msg":"success","data":{"success":[` +
				`{"identities":[{"type":"mobile","value":"19667348978","name":"手机号"}],"leads_info":{"stage_name":"初始线索","lead_uuid":"e9vMaiGWybEQ3Nc9xGgwV4"},"user_uuid":"7wJy7CNpCPWnP7XMYwEHdn"}],` +
				`"failure":[{"identities":[{"type":"mobile","value":"1","name":"手机号"}],"reason":"invalid mobile"}]}}`,
			wantResult: func(t *testing.T, res *jing.CreateUsersResult) {
				assert.Equal(t, "6f843be20b21c5e18b9825616b85b424", res.RequestID)
				require.Len(t, res.Success, 1)
				s := res.Success[0]
				assert.Equal(t, []jing.Identity{{Type: jing.IdentityMobile, Value: "19667348978", Name: "手机号"}}, s.Identities)
				require.NotNil(t, s.LeadsInfo)
				assert.Equal(t, jing.String("初始线索"), s.LeadsInfo.StageName)
				assert.Equal(t, jing.Extra{"lead_uuid": json.RawMessage(`"e9vMaiGWybEQ3Nc9xGgwV4"`)}, s.LeadsInfo.Extra, "unknown keys are kept")
				assert.Equal(t, jing.Extra{"user_uuid": json.RawMessage(`"7wJy7CNpCPWnP7XMYwEHdn"`)}, s.Extra, "unknown keys are kept")
				assert.Nil(t, s.Raw, "a readable item is not kept twice")
				require.Len(t, res.Failure, 1)
				f := res.Failure[0]
				assert.Equal(t, "1", f.Identities[0].Value)
				assert.JSONEq(t, `{"identities":[{"type":"mobile","value":"1","name":"手机号"}],"reason":"invalid mobile"}`, string(f.Raw))
			},
			wantFailed: []string{"1||invalid mobile"},
		},
		{
			name: "no returnFull, minimal user, odd answer types",
			req: &jing.CreateUsersRequest{Users: []jing.User{
				{Identities: []jing.Identity{{Type: jing.IdentityWechatOpenID, Value: "oAbC<&>"}}},
				{Identities: []jing.Identity{{Type: jing.IdentityExternalUserID, Value: "wmX"}, {Type: jing.IdentityThirdpartyChannel, Value: "ch-1"}},
					Fields: map[string]any{"z": 1, "a": true, "m": nil}},
			}},
			wantBody: `[{"identities":[{"type":"wechat_openid","value":"oAbC<&>"}]},` +
				`{"identities":[{"type":"external_userid","value":"wmX"},{"type":"thirdparty_channel","value":"ch-1"}],"fields":{"a":true,"m":null,"z":1}}]`,
			answer: `{"code":0,"msg":"success","data":{"success":[{"identities":[{"type":"mobile","value":19667348978}],"leads_info":null},"odd",{"identities":"x","leads_info":{"stage_name":{}}}],"failure":["not an object"]}}`,
			wantResult: func(t *testing.T, res *jing.CreateUsersResult) {
				assert.Empty(t, res.RequestID)
				require.Len(t, res.Success, 3)
				assert.Equal(t, "19667348978", res.Success[0].Identities[0].Value, "a numeric value keeps its digits")
				assert.Nil(t, res.Success[0].LeadsInfo)
				assert.Equal(t, `"odd"`, string(res.Success[1].Raw), "an odd item is kept raw")
				assert.Nil(t, res.Success[1].Identities)
				assert.Nil(t, res.Success[2].Identities)
				assert.Nil(t, res.Success[2].LeadsInfo)
				assert.Equal(t, `{"identities":"x","leads_info":{"stage_name":{}}}`, string(res.Success[2].Raw))
				require.Len(t, res.Failure, 1)
				assert.Nil(t, res.Failure[0].Identities)
				assert.Equal(t, `"not an object"`, string(res.Failure[0].Raw))
			},
			wantFailed: []string{"0||"},
		},
		{
			name:     "data null",
			req:      &jing.CreateUsersRequest{Users: []jing.User{docUser}},
			wantBody: docUserBody,
			answer:   `{"code":0,"msg":"success","data":null}`,
			wantResult: func(t *testing.T, res *jing.CreateUsersResult) {
				assert.Empty(t, res.Success)
				assert.Empty(t, res.Failure)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			withToken(t, h)
			var seen []recorded
			h.tr.RegisterResponder("POST", createURL, recorder(&seen, 200, tt.answer))
			res, err := h.c.CreateUsers(context.Background(), tt.req)
			if tt.wantFailed == nil {
				require.NoError(t, err)
			} else {
				var batchErr *jing.BatchError
				require.ErrorAs(t, err, &batchErr, "refused users are an error, returned with the result")
				var got []string
				for _, f := range batchErr.Failed {
					got = append(got, f.ID+"|"+f.Code+"|"+f.Message)
				}
				assert.Equal(t, tt.wantFailed, got)
				assert.Equal(t, jing.OpCreateUsers, batchErr.Op)
				require.NotNil(t, res, "the result comes with the error")
			}
			require.Len(t, seen, 1)
			r := seen[0]
			assert.Equal(t, "POST", r.Method)
			assert.Equal(t, "/prefix/v1/user/create", r.Path)
			assert.Equal(t, tt.wantQuery, r.Query)
			assert.Equal(t, tt.wantBody, r.Body, "exact bytes")
			assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
			// The documented header names, sent exactly (lower case, underscores).
			assert.Equal(t, []string{testAppID}, r.Header["app_id"])
			assert.Equal(t, []string{"at-live-1234"}, r.Header["access_token"])
			assert.Empty(t, r.Header.Get("Authorization"))
			tt.wantResult(t, res)
			testkit.NoSecrets(t, h.logs.String(), testSecret, "at-live-1234", "rt-live-5678")
		})
	}
}

func TestCreateUsersValidation(t *testing.T) {
	t.Parallel()
	id := jing.Identity{Type: jing.IdentityMobile, Value: "13800000000"}
	tests := []struct {
		name string
		req  *jing.CreateUsersRequest
	}{
		{"nil request", nil},
		{"no users", &jing.CreateUsersRequest{}},
		{"user without identities", &jing.CreateUsersRequest{Users: []jing.User{{Identities: []jing.Identity{id}}, {}}}},
		{"identity without type", &jing.CreateUsersRequest{Users: []jing.User{{Identities: []jing.Identity{{Value: "1"}}}}}},
		{"identity without value", &jing.CreateUsersRequest{Users: []jing.User{{Identities: []jing.Identity{id, {Type: jing.IdentityMobile, Value: "  "}}}}}},
		{"unmarshalable field", &jing.CreateUsersRequest{Users: []jing.User{{Identities: []jing.Identity{id}, Fields: map[string]any{"f": make(chan int)}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			_, err := h.c.CreateUsers(context.Background(), tt.req)
			require.ErrorIs(t, err, jing.ErrInvalidParam)
			assert.Equal(t, 0, h.tr.GetTotalCallCount(), "no network call")
		})
	}
}

func TestCreateUsersFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    []int
		bodies    []string
		wantCalls int
		wantErr   []error
		notErr    []error
		wantCode  string
	}{
		{name: "503 is ambiguous, not retried", status: []int{503}, bodies: []string{``}, wantCalls: 1, wantErr: []error{jing.ErrAmbiguous}},
		{name: "500 is ambiguous", status: []int{500}, bodies: []string{``}, wantCalls: 1, wantErr: []error{jing.ErrAmbiguous}},
		{name: "429 retried", status: []int{429, 200}, bodies: []string{``, `{"code":0,"data":{"success":[],"failure":[]}}`}, wantCalls: 2},
		{name: "business code verbatim", status: []int{200}, bodies: []string{`{"request_id":"r9","code":20001,"msg":"参数错误"}`}, wantCalls: 1, wantCode: "20001", notErr: []error{jing.ErrInvalidToken, jing.ErrAmbiguous}},
		{name: "html on create: bad response, ambiguous", status: []int{200}, bodies: []string{`<html></html>`}, wantCalls: 1, wantErr: []error{jing.ErrBadResponse, jing.ErrAmbiguous}},
		{name: "undecodable data", status: []int{200}, bodies: []string{`{"code":0,"data":{"success":{}}}`}, wantCalls: 1, wantErr: []error{jing.ErrBadResponse}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			withToken(t, h)
			n := 0
			h.tr.RegisterResponder("POST", createURL, func(*http.Request) (*http.Response, error) {
				i := min(n, len(tt.status)-1)
				n++
				return httpmock.NewStringResponse(tt.status[i], tt.bodies[i]), nil
			})
			_, err := h.c.CreateUsers(context.Background(), &jing.CreateUsersRequest{Users: []jing.User{docUser}})
			assert.Equal(t, tt.wantCalls, n)
			if tt.wantErr == nil && tt.wantCode == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, e := range tt.wantErr {
				assert.ErrorIs(t, err, e)
			}
			for _, e := range tt.notErr {
				assert.NotErrorIs(t, err, e)
			}
			if tt.wantCode != "" {
				var apiErr *jing.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, tt.wantCode, apiErr.Code)
				assert.Equal(t, "r9", apiErr.RequestID)
				assert.Equal(t, jing.OpCreateUsers, apiErr.Op)
			}
			testkit.NoSecrets(t, err.Error(), testSecret, "at-live-1234", "rt-live-5678")
		})
	}
}

func TestCreateUsersAgainstFake(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	c, logs := newFakeClient(t, srv, nil)
	ctx := context.Background()
	req := &jing.CreateUsersRequest{ReturnFull: true, Users: []jing.User{
		{Identities: []jing.Identity{{Type: jing.IdentityMobile, Value: "19667348978", Name: "手机号"}}, Fields: map[string]any{"name": "赵拥晨"}},
		{Identities: []jing.Identity{{Type: jing.IdentityMobile, Value: "19667348978"}}}, // duplicate within the batch
	}}
	res, err := c.CreateUsers(ctx, req)
	var batchErr *jing.BatchError
	require.ErrorAs(t, err, &batchErr, "the duplicate within the batch is refused")
	require.Len(t, batchErr.Failed, 1)
	assert.Equal(t, "19667348978", batchErr.Failed[0].ID)
	assert.Equal(t, "user already exists", batchErr.Failed[0].Message)
	require.Len(t, res.Success, 1)
	require.Len(t, res.Failure, 1)
	assert.Equal(t, jing.String(jingtest.DefaultStageName), res.Success[0].LeadsInfo.StageName)
	assert.Equal(t, "19667348978", res.Failure[0].Identities[0].Value)

	res, err = c.CreateUsers(ctx, &jing.CreateUsersRequest{Users: req.Users[:1]})
	require.ErrorAs(t, err, &batchErr)
	assert.Contains(t, err.Error(), "1 item failed")
	assert.Empty(t, res.Success)
	require.Len(t, res.Failure, 1, "an existing user is reported in failure[]")
	assert.Contains(t, string(res.Failure[0].Raw), "already exists")
	assert.Equal(t, "user already exists", res.Failure[0].Reason())

	u, ok := srv.FindUser(jing.IdentityMobile, "19667348978")
	require.True(t, ok)
	assert.Len(t, u.LeadID, 22)
	assert.Equal(t, "赵拥晨", u.Fields["name"])
	testkit.NoSecrets(t, logs.String(), srv.AppSecret)
}

// FuzzCreateUsersResult: the data decoder never panics and keeps every item raw.
func FuzzCreateUsersResult(f *testing.F) {
	f.Add([]byte(`{"success":[{"identities":[{"type":"mobile","value":"19667348978","name":"手机号"}],"leads_info":{"stage_name":"初始线索"}}],"failure":[]}`))
	f.Add([]byte(`{"success":[],"failure":[{"identities":[{"type":"mobile","value":1}],"msg":"user already exists"},"x",null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var res jing.CreateUsersResult
		if err := json.Unmarshal(data, &res); err != nil {
			return
		}
		for _, s := range res.Success {
			if s.Raw != nil && !json.Valid(s.Raw) {
				t.Fatal("success item kept as invalid raw JSON")
			}
		}
		for _, f := range res.Failure {
			if f.Raw == nil || !json.Valid(f.Raw) {
				t.Fatal("failure item without valid raw")
			}
		}
	})
}

// A batch with refused users returns the result and a *BatchError, never
// nil with the failures inside.
func TestCreateUsersBatchError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		data       string
		wantFailed []string // "id|code|message"
	}{
		{name: "all created", data: `{"success":[{"identities":[{"type":"mobile","value":"1"}]}],"failure":[]}`},
		{name: "no failure key", data: `{"success":[]}`},
		{name: "failure reasons under several keys", data: `{"success":[],"failure":[` +
			`{"identities":[{"type":"mobile","value":"13800000001"}],"code":20010,"msg":"user already exists"},` +
			`{"identities":[{"type":"wechat_openid","value":"oX"}],"errcode":"20011","message":"bad openid"},` +
			`{"identities":[],"error_msg":"identities is required"},` +
			`{"reason":{"text":"odd"}}]}`,
			wantFailed: []string{"13800000001|20010|user already exists", "oX|20011|bad openid", "2||identities is required", `3||{"text":"odd"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			withToken(t, h)
			h.tr.RegisterResponder("POST", createURL, httpmock.NewStringResponder(200, `{"request_id":"rq","code":0,"msg":"success","data":`+tt.data+`}`))
			res, err := h.c.CreateUsers(context.Background(), &jing.CreateUsersRequest{Users: []jing.User{docUser}})
			require.NotNil(t, res)
			assert.Equal(t, "rq", res.RequestID)
			if tt.wantFailed == nil {
				require.NoError(t, err)
				return
			}
			var batchErr *jing.BatchError
			require.ErrorAs(t, err, &batchErr)
			assert.Equal(t, "jing", batchErr.Vendor)
			var got []string
			for _, f := range batchErr.Failed {
				got = append(got, f.ID+"|"+f.Code+"|"+f.Message)
			}
			assert.Equal(t, tt.wantFailed, got)
			assert.Len(t, res.Failure, len(tt.wantFailed))
			assert.NotErrorIs(t, err, jing.ErrAmbiguous)
		})
	}
}
