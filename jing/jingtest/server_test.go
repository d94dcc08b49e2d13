package jingtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
)

type answer struct {
	RequestID string          `json:"request_id"`
	Code      int             `json:"code"`
	Msg       string          `json:"msg"`
	Data      json.RawMessage `json:"data"`
	Timestamp int64           `json:"timestamp"`
}

type pair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
}

// post sends a raw request to the fake.
func post(t *testing.T, srv *jingtest.Server, path, body string, header map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = []string{v}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	var a answer
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&a))
	assert.Regexp(t, `^[0-9a-f]{32}$`, a.RequestID)
	return a
}

func getToken(t *testing.T, srv *jingtest.Server) pair {
	t.Helper()
	a := post(t, srv, "/v1/oauth2/token", `{"app_id":"`+srv.AppID+`","app_secret":"`+srv.AppSecret+`"}`, nil)
	require.Equal(t, 0, a.Code)
	var p pair
	require.NoError(t, json.Unmarshal(a.Data, &p))
	return p
}

func refresh(t *testing.T, srv *jingtest.Server, rt string) (answer, pair) {
	t.Helper()
	a := post(t, srv, "/v1/oauth2/token/refresh", `{"app_id":"`+srv.AppID+`","app_secret":"`+srv.AppSecret+`","refresh_token":"`+rt+`"}`, nil)
	var p pair
	if a.Code == 0 {
		require.NoError(t, json.Unmarshal(a.Data, &p))
	}
	return a, p
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestTokenRotation(t *testing.T) {
	t.Parallel()
	srv := jingtest.NewServer()
	defer srv.Close()

	p1 := getToken(t, srv)
	assert.Regexp(t, uuidRE, p1.AccessToken)
	assert.Regexp(t, uuidRE, p1.RefreshToken)
	assert.Equal(t, "all", p1.Scope)
	assert.Equal(t, "bearer", p1.TokenType)
	assert.Equal(t, int64(jingtest.DefaultAccessTokenTTL/time.Second), p1.ExpiresIn)

	a, p2 := refresh(t, srv, p1.RefreshToken)
	require.Equal(t, 0, a.Code)
	assert.NotZero(t, a.Timestamp, "token answers carry timestamp (ms)")
	assert.NotEqual(t, p1.RefreshToken, p2.RefreshToken)
	assert.True(t, srv.RefreshTokenValid(p2.RefreshToken))
	assert.True(t, srv.AccessTokenValid(p1.AccessToken), "old access tokens live until they expire")

	a, _ = refresh(t, srv, p1.RefreshToken)
	assert.Equal(t, jingtest.CodeInvalidRefreshToken, a.Code, "a refresh kills the previous refresh token")

	p3 := getToken(t, srv)
	a, _ = refresh(t, srv, p2.RefreshToken)
	assert.Equal(t, jingtest.CodeInvalidRefreshToken, a.Code, "a get-token kills the previous refresh token")

	srv.Clock.Advance(jing.RefreshTokenLifetime)
	a, _ = refresh(t, srv, p3.RefreshToken)
	assert.Equal(t, jingtest.CodeInvalidRefreshToken, a.Code, "refresh tokens live 30 days")
	assert.False(t, srv.AccessTokenValid(p3.AccessToken), "access tokens expire on the clock")

	p4 := getToken(t, srv)
	srv.RevokeRefreshToken()
	a, _ = refresh(t, srv, p4.RefreshToken)
	assert.Equal(t, jingtest.CodeInvalidRefreshToken, a.Code)
	assert.Equal(t, 3, srv.Requests(jing.OpGetToken))
	assert.Equal(t, 5, srv.Requests(jing.OpRefreshToken))
}

func TestCredentialAndBodyChecks(t *testing.T) {
	t.Parallel()
	srv := jingtest.NewServer(jingtest.WithCredentials("id-1", "secret-1"))
	t.Cleanup(srv.Close)
	tests := []struct {
		name, path, body string
		want             int
	}{
		{"wrong secret", "/v1/oauth2/token", `{"app_id":"id-1","app_secret":"nope"}`, jingtest.CodeInvalidCredentials},
		{"wrong app", "/v1/oauth2/token", `{"app_id":"id-2","app_secret":"secret-1"}`, jingtest.CodeInvalidCredentials},
		{"not JSON", "/v1/oauth2/token", `app_id=id-1`, jingtest.CodeBadRequest},
		{"refresh wrong secret", "/v1/oauth2/token/refresh", `{"app_id":"id-1","app_secret":"x","refresh_token":"r"}`, jingtest.CodeInvalidCredentials},
		{"refresh unknown token", "/v1/oauth2/token/refresh", `{"app_id":"id-1","app_secret":"secret-1","refresh_token":"r"}`, jingtest.CodeInvalidRefreshToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, post(t, srv, tt.path, tt.body, nil).Code)
		})
	}
}

func TestCreateUsersChecks(t *testing.T) {
	t.Parallel()
	srv := jingtest.NewServer()
	defer srv.Close()
	p := getToken(t, srv)
	auth := map[string]string{"app_id": srv.AppID, "access_token": p.AccessToken}
	user := `[{"identities":[{"type":"mobile","value":"19667348978","name":"手机号"}],"fields":{"name":"赵拥晨"},"fields_source":{"source_type":"thirdparty_custom_source","source_value":"x"}}]`

	assert.Equal(t, jingtest.CodeInvalidCredentials, post(t, srv, "/v1/user/create", user, map[string]string{"access_token": p.AccessToken}).Code, "no app_id")
	assert.Equal(t, jingtest.CodeInvalidCredentials, post(t, srv, "/v1/user/create", user, map[string]string{"app_id": "other", "access_token": p.AccessToken}).Code)
	assert.Equal(t, jingtest.CodeInvalidAccessToken, post(t, srv, "/v1/user/create", user, map[string]string{"app_id": srv.AppID}).Code, "no token")
	assert.Equal(t, jingtest.CodeInvalidAccessToken, post(t, srv, "/v1/user/create", user, map[string]string{"app_id": srv.AppID, "access_token": "x"}).Code)
	assert.Equal(t, jingtest.CodeInvalidAccessToken, post(t, srv, "/v1/user/create", user, map[string]string{"app_id": srv.AppID, "Authorization": "Bearer " + p.AccessToken}).Code, "Authorization is not how the token travels")
	assert.Equal(t, jingtest.CodeBadRequest, post(t, srv, "/v1/user/create", user[1:len(user)-1], auth).Code, "an object, not an array")
	assert.Equal(t, jingtest.CodeBadRequest, post(t, srv, "/v1/user/create", `[]`, auth).Code)

	a := post(t, srv, "/v1/user/create?returnFull=true", user, auth)
	require.Equal(t, 0, a.Code)
	assert.JSONEq(t, `{"success":[{"identities":[{"type":"mobile","value":"19667348978","name":"手机号"}],"leads_info":{"stage_name":"初始线索"}}],"failure":[]}`, string(a.Data))
	a = post(t, srv, "/v1/user/create", user+``, auth)
	assert.JSONEq(t, `{"success":[],"failure":[{"identities":[{"type":"mobile","value":"19667348978","name":"手机号"}],"msg":"user already exists"}]}`, string(a.Data))
	a = post(t, srv, "/v1/user/create", `[{"identities":[]},{"identities":[{"type":"mobile"}]},7]`, auth)
	assert.JSONEq(t, `{"success":[],"failure":[{"identities":[],"msg":"identities is required"},{"identities":[{"type":"mobile","value":""}],"msg":"identity type and value are required"},{"identities":null,"msg":"invalid user item"}]}`, string(a.Data))

	users := srv.Users()
	require.Len(t, users, 1)
	u := users[0]
	assert.Regexp(t, `^[2-9A-HJ-NP-Za-km-z]{22}$`, u.ID)
	assert.Regexp(t, `^[2-9A-HJ-NP-Za-km-z]{22}$`, u.LeadID)
	assert.NotEqual(t, u.ID, u.LeadID)
	assert.Equal(t, jing.SourceTypeThirdpartyCustom, u.FieldsSource.SourceType)

	srv.Clock.Advance(jingtest.DefaultAccessTokenTTL)
	assert.Equal(t, jingtest.CodeInvalidAccessToken, post(t, srv, "/v1/user/create", user, auth).Code, "expired")

	resp, err := http.Get(srv.URL + "/v1/user/create")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, 11, srv.Requests(jing.OpCreateUsers), "counts every POST, not the GET")
}

func TestContentTypeRequired(t *testing.T) {
	t.Parallel()
	srv := jingtest.NewServer()
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/v1/oauth2/token", "text/plain", bytes.NewReader([]byte(`{"app_id":"`+srv.AppID+`","app_secret":"`+srv.AppSecret+`"}`)))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assert.Contains(t, string(b), strconv.Itoa(jingtest.CodeBadRequest))
}

func TestFaultsOnEveryOperation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	newClient := func(srv *jingtest.Server) *jing.Client {
		c, err := jing.New(srv.AppID, srv.AppSecret, jing.WithBaseURL(srv.URL), jing.WithClock(srv.Clock.Now),
			core.WithSleep((&testkit.Sleeper{}).Sleep))
		require.NoError(t, err)
		return c
	}
	users := &jing.CreateUsersRequest{Users: []jing.User{{Identities: []jing.Identity{{Type: jing.IdentityMobile, Value: "13800000000"}}}}}

	t.Run("get-token 503 then ok", func(t *testing.T) {
		t.Parallel()
		srv := jingtest.NewServer()
		defer srv.Close()
		srv.Faults.Add(fake.Fault{Op: jing.OpGetToken, Status: 503})
		_, err := newClient(srv).AccessToken(ctx)
		require.NoError(t, err)
		assert.Equal(t, 2, srv.Requests(jing.OpGetToken))
	})
	t.Run("refresh reset falls back to get-token", func(t *testing.T) {
		t.Parallel()
		srv := jingtest.NewServer()
		defer srv.Close()
		c := newClient(srv)
		_, err := c.AccessToken(ctx)
		require.NoError(t, err)
		srv.Faults.Add(fake.Fault{Op: jing.OpRefreshToken, Reset: true, AfterApply: true})
		require.NoError(t, c.RefreshToken(ctx), "the lost answer rotated the token; get-token recovers")
		assert.Equal(t, 2, srv.Requests(jing.OpGetToken))
		require.NoError(t, c.RefreshToken(ctx))
		assert.Equal(t, 2, srv.Requests(jing.OpGetToken), "the recovered pair refreshes normally")
	})
	t.Run("create reset after apply is ambiguous", func(t *testing.T) {
		t.Parallel()
		srv := jingtest.NewServer()
		defer srv.Close()
		srv.Faults.Add(fake.Fault{Op: jing.OpCreateUsers, Reset: true, AfterApply: true})
		_, err := newClient(srv).CreateUsers(ctx, users)
		require.ErrorIs(t, err, jing.ErrAmbiguous)
		assert.Equal(t, 1, srv.Requests(jing.OpCreateUsers), "not retried")
		assert.Len(t, srv.Users(), 1, "it was applied")
	})
	t.Run("create malformed body", func(t *testing.T) {
		t.Parallel()
		srv := jingtest.NewServer()
		defer srv.Close()
		srv.Faults.Add(fake.Fault{Op: jing.OpCreateUsers, Body: []byte(`<html>`)})
		_, err := newClient(srv).CreateUsers(ctx, users)
		require.ErrorIs(t, err, jing.ErrBadResponse)
	})
	t.Run("create 429 retried", func(t *testing.T) {
		t.Parallel()
		srv := jingtest.NewServer()
		defer srv.Close()
		srv.Faults.Add(fake.Fault{Op: jing.OpCreateUsers, Status: 429, Header: http.Header{"Retry-After": {"1"}}})
		res, err := newClient(srv).CreateUsers(ctx, users)
		require.NoError(t, err)
		assert.Len(t, res.Success, 1)
		assert.Equal(t, 2, srv.Requests(jing.OpCreateUsers))
	})
}

func TestDeliverWebhook(t *testing.T) {
	t.Parallel()
	var got []string
	var status = 200
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+r.Header.Get("Content-Type")+" "+r.URL.RawQuery+" "+string(b))
		w.WriteHeader(status)
	}))
	defer hook.Close()
	ctx := context.Background()
	url, err := jingtest.WebhookURL(hook.URL+"?a=1", "s e/c")
	require.NoError(t, err)

	ev, err := jing.ParseEvent([]byte(`{"event_type":"object_voids", "mid":"941"}`))
	require.NoError(t, err)
	require.NoError(t, jingtest.DeliverWebhook(ctx, url, []byte(`{"a":1}`)))
	require.NoError(t, jingtest.DeliverWebhook(ctx, url, `{"b":2}`))
	require.NoError(t, jingtest.DeliverWebhook(ctx, url, ev))
	require.NoError(t, jingtest.DeliverWebhook(ctx, url, map[string]any{"event_type": "x"}))
	require.Equal(t, []string{
		`POST application/json a=1&token=s+e%2Fc {"a":1}`,
		`POST application/json a=1&token=s+e%2Fc {"b":2}`,
		`POST application/json a=1&token=s+e%2Fc {"event_type":"object_voids", "mid":"941"}`,
		`POST application/json a=1&token=s+e%2Fc {"event_type":"x"}`,
	}, got)

	status = 500
	assert.ErrorContains(t, jingtest.DeliverWebhook(ctx, url, `{}`), "HTTP 500")
	var nilEvent *jing.Event
	assert.Error(t, jingtest.DeliverWebhook(ctx, url, nilEvent))
	assert.Error(t, jingtest.DeliverWebhook(ctx, url, func() {}))
	err = jingtest.DeliverWebhook(ctx, "http://127.0.0.1:1/?token=secret-in-url", `{}`)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret-in-url")
}

func TestObjectCreateEventParses(t *testing.T) {
	t.Parallel()
	clock := fake.NewClock()
	srv := jingtest.NewServer(jingtest.WithClock(clock.Now), jingtest.WithMID("1001"))
	defer srv.Close()
	u := jingtest.User{ID: jingtest.NewID(), LeadID: jingtest.NewID(),
		Identities: []jing.Identity{{Type: jing.IdentityMobile, Value: "19667348978"}}, Fields: map[string]any{"name": "赵拥晨", "n": 3}}
	before := clock.Now().Unix()
	e, err := jing.ParseEvent(srv.ObjectCreateEvent(u))
	after := clock.Now().Unix()
	require.NoError(t, err)
	assert.Equal(t, jing.ID("1001"), e.MID)
	assert.Equal(t, jing.EventObjectCreate, e.EventType)
	// The fake's clock is the wall clock (plus any Advance): the event was
	// stamped between the two readings.
	assert.True(t, int64(e.CreateTime) >= before && int64(e.CreateTime) <= after, "create_time %d not in [%d, %d]", e.CreateTime, before, after)
	assert.Equal(t, jing.ID(u.LeadID), e.ExtraData.EntityID)
	assert.Nil(t, e.ExtraData.Owner)
	assert.Empty(t, e.ExtraData.Extra)
	for field, want := range map[string]string{"name": "赵拥晨", "n": "3", "mobile": "19667348978", "life_status": "baby_lead"} {
		b, a, ok := e.ExtraData.Change(field)
		require.True(t, ok, field)
		assert.Nil(t, b)
		assert.Equal(t, want, *a)
	}
	ct, err := e.ExtraData.CreatedTime()
	require.NoError(t, err)
	assert.Equal(t, int64(e.CreateTime), ct.Unix())
}

func TestNewID(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		id := jingtest.NewID()
		require.Regexp(t, `^[2-9A-HJ-NP-Za-km-z]{22}$`, id)
		require.False(t, seen[id])
		seen[id] = true
	}
}

func TestLiveTokens(t *testing.T) {
	t.Parallel()
	srv := jingtest.NewServer()
	defer srv.Close()
	assert.Empty(t, srv.LiveTokens())
	p1 := getToken(t, srv)
	assert.ElementsMatch(t, []string{p1.AccessToken, p1.RefreshToken}, srv.LiveTokens())
	_, p2 := refresh(t, srv, p1.RefreshToken)
	assert.ElementsMatch(t, []string{p1.AccessToken, p2.AccessToken, p2.RefreshToken}, srv.LiveTokens(),
		"old access tokens live until they expire; the old refresh token is dead")
	srv.InvalidateTokens()
	assert.Equal(t, []string{p2.RefreshToken}, srv.LiveTokens())
	srv.RevokeRefreshToken()
	assert.Empty(t, srv.LiveTokens())
}
