package v3clue_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/v3clue"
	"github.com/cluekit/cluekit/v3clue/v3cluetest"
)

func newFakeClient(t *testing.T, srv *v3cluetest.Server, appKey string, opts ...v3clue.Option) (*v3clue.Client, *testkit.Buffer) {
	t.Helper()
	logger, logs := testkit.Logger()
	sl := &testkit.Sleeper{}
	all := append([]v3clue.Option{v3clue.WithBaseURL(srv.URL), v3clue.WithLogger(logger), core.WithSleep(sl.Sleep), core.WithRand(func() float64 { return 0 })}, opts...)
	c, err := v3clue.New(srv.AppID, appKey, all...)
	require.NoError(t, err)
	return c, logs
}

func TestFakeGetClue(t *testing.T) {
	t.Parallel()
	srv := v3cluetest.NewServer()
	defer srv.Close()
	c, logs := newFakeClient(t, srv, srv.AppKey)
	ctx := context.Background()

	got, err := c.GetClue(ctx, &v3clue.GetClueRequest{CustomerID: v3cluetest.ExampleCustomerID})
	require.NoError(t, err)
	assert.Equal(t, v3cluetest.ExampleClue(), *got)

	mobile := "[\"13800000000\",\"13900000000\"]"
	id := srv.AddClue(v3clue.Clue{IsClue: true, Type: 1, Fields: []v3clue.Field{{Name: "mobile", Type: v3clue.FieldTypeMobiles, ValueAsText: &mobile}},
		CreateTime: "2024-01-02 03:04:05", LastUpdateTime: "2024-01-02 03:04:05", CompanyInfo: []byte(`{"name":"探马"}`)})
	assert.Greater(t, id, v3cluetest.ExampleCustomerID)
	got, err = c.GetClue(ctx, &v3clue.GetClueRequest{CustomerID: id})
	require.NoError(t, err)
	assert.True(t, got.IsClue)
	f, ok := got.Field("mobile")
	require.True(t, ok)
	list, err := f.Strings()
	require.NoError(t, err)
	assert.Equal(t, []string{"13800000000", "13900000000"}, list)
	assert.JSONEq(t, `{"name":"探马"}`, string(got.CompanyInfo))
	assert.Equal(t, []string{}, got.TagIDs)

	_, err = c.GetClue(ctx, &v3clue.GetClueRequest{CustomerID: 999})
	var apiErr *v3clue.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "-1", apiErr.Code)
	assert.Equal(t, v3cluetest.MsgNotFound, apiErr.Message)
	assert.Equal(t, 1, srv.Rejected(-1))
	assert.Equal(t, 3, srv.Requests(v3cluetest.OpClueGet))

	for _, r := range srv.Received() {
		assert.Empty(t, r.Header.Values("appKey"), "appKey header not sent by default")
		assert.Equal(t, srv.AppID, r.Header.Get("appId"))
	}
	testkit.NoSecrets(t, logs.String(), srv.AppKey)
}

func TestFakeRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		srvOpts  []v3cluetest.Option
		wrongKey bool
		cliOpts  []v3clue.Option
		want     error
		code     int
	}{
		{name: "wrong app key", wrongKey: true, want: v3clue.ErrSignature, code: 1002},
		{name: "client clock 10 minutes ahead", srvOpts: []v3cluetest.Option{v3cluetest.WithClock(func() time.Time { return time.Now().Add(-10 * time.Minute) })}, want: v3clue.ErrClockSkew, code: 1003},
		{name: "client clock 10 minutes behind", cliOpts: []v3clue.Option{core.WithClock(func() time.Time { return time.Now().Add(-10 * time.Minute) })}, want: v3clue.ErrClockSkew, code: 1003},
		{name: "gateway demands appKey header", srvOpts: []v3cluetest.Option{v3cluetest.RequireAppKeyHeader()}, want: v3clue.ErrSignature, code: 1002},
		{name: "gateway demands appKey header, option given", srvOpts: []v3cluetest.Option{v3cluetest.RequireAppKeyHeader()}, cliOpts: []v3clue.Option{v3clue.WithAppKeyHeader()}},
		{name: "small skew is fine", cliOpts: []v3clue.Option{core.WithClock(func() time.Time { return time.Now().Add(-4 * time.Minute) })}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := v3cluetest.NewServer(tt.srvOpts...)
			defer srv.Close()
			key := srv.AppKey
			if tt.wrongKey {
				key = "not-the-" + srv.AppKey
			}
			c, logs := newFakeClient(t, srv, key, tt.cliOpts...)
			_, err := c.GetClue(context.Background(), &v3clue.GetClueRequest{CustomerID: v3cluetest.ExampleCustomerID})
			testkit.NoSecrets(t, logs.String(), key, srv.AppKey)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			assert.ErrorIs(t, err, v3clue.ErrSignature)
			if tt.code == 1002 {
				assert.False(t, errors.Is(err, v3clue.ErrClockSkew))
				assert.Contains(t, err.Error(), "WithAppKeyHeader", "a refused signature suggests the appKey header")
			} else {
				assert.NotContains(t, err.Error(), "WithAppKeyHeader")
			}
			assert.Equal(t, 1, srv.Requests(v3cluetest.OpClueGet), "not retried")
			assert.Equal(t, 1, srv.Rejected(tt.code))
			testkit.NoSecrets(t, err.Error(), key, srv.AppKey)
			for _, r := range srv.Received() {
				testkit.NoSecrets(t, err.Error(), r.Header.Get("sign"))
				testkit.NoSecrets(t, logs.String(), r.Header.Get("sign"))
			}
		})
	}
}

func TestFakeFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		faults   []v3cluetest.Fault
		wantErr  []error
		requests int
	}{
		{name: "503 then ok", faults: []v3cluetest.Fault{{Status: 503}}, requests: 2},
		{name: "reset then ok", faults: []v3cluetest.Fault{{Reset: true}}, requests: 2},
		{name: "html body", faults: []v3cluetest.Fault{{Body: []byte("<html>oops</html>")}}, wantErr: []error{v3clue.ErrBadResponse}, requests: 1},
		{name: "429 with Retry-After", faults: []v3cluetest.Fault{{Status: 429, Header: http.Header{"Retry-After": {"1"}}}}, requests: 2},
		{name: "three 502s", faults: []v3cluetest.Fault{{Status: 502}, {Status: 502}, {Status: 502}}, requests: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := v3cluetest.NewServer()
			defer srv.Close()
			srv.Faults.Add(tt.faults...)
			c, logs := newFakeClient(t, srv, srv.AppKey)
			_, err := c.GetClue(context.Background(), &v3clue.GetClueRequest{CustomerID: v3cluetest.ExampleCustomerID})
			assert.Equal(t, tt.requests, srv.Requests(v3cluetest.OpClueGet))
			switch {
			case tt.name == "three 502s":
				require.Error(t, err)
			case tt.wantErr == nil:
				require.NoError(t, err)
			default:
				for _, w := range tt.wantErr {
					require.ErrorIs(t, err, w)
				}
			}
			testkit.NoSecrets(t, logs.String(), srv.AppKey)
			// Every attempt carried its own timestamp and signature.
			signs := map[string]bool{}
			for _, r := range srv.Received() {
				signs[r.Header.Get("sign")] = true
			}
			assert.Len(t, signs, len(srv.Received()))
		})
	}
}

func TestFakeDo(t *testing.T) {
	t.Parallel()
	srv := v3cluetest.NewServer()
	defer srv.Close()
	var gotBody []byte
	srv.Handle("/api/v3/profile-fields", func(body []byte) v3cluetest.Response {
		gotBody = body
		return v3cluetest.Response{Data: []map[string]any{{"id": 97668}, {"id": 97669}}}
	})
	srv.Handle("/api/v3/import-customer", func(body []byte) v3cluetest.Response {
		if strings.Contains(string(body), "13800000000") {
			return v3cluetest.Response{Code: 40417, Message: "请求参数验证失败：电话号码重复"}
		}
		return v3cluetest.Response{}
	})
	c, logs := newFakeClient(t, srv, srv.AppKey)
	ctx := context.Background()

	var fields []struct {
		ID int64 `json:"id"`
	}
	require.NoError(t, c.Do(ctx, http.MethodPost, "/api/v3/profile-fields", nil, &fields))
	assert.Empty(t, gotBody, "an empty body, signed as the empty string")
	require.Len(t, fields, 2)
	assert.Equal(t, int64(97668), fields[0].ID)

	imp := map[string]any{"qwUserId": "u1", "fields": []map[string]any{{"alias": "customer_ch_phone", "values": []string{"13800000000"}}}}
	err := c.Do(ctx, http.MethodPost, "/api/v3/import-customer", imp, nil)
	require.ErrorIs(t, err, v3clue.ErrDuplicate)
	var apiErr *v3clue.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "40417", apiErr.Code)
	assert.Equal(t, 1, srv.Rejected(40417))
	assert.Equal(t, 1, srv.Requests("import-customer"))

	err = c.Do(ctx, http.MethodPost, "/api/v3/customer/search", map[string]any{"searchKey": "x"}, nil)
	require.ErrorIs(t, err, v3clue.ErrNotFound, "unknown path: HTTP 404")

	err = c.Do(ctx, http.MethodGet, "/api/v3/profile-fields", nil, nil)
	var e405 *v3clue.APIError
	require.ErrorAs(t, err, &e405)
	assert.Equal(t, http.StatusMethodNotAllowed, e405.HTTPStatus)
	testkit.NoSecrets(t, logs.String(), srv.AppKey)
}

func TestFakeConcurrentClients(t *testing.T) {
	t.Parallel()
	srv := v3cluetest.NewServer()
	defer srv.Close()
	c, _ := newFakeClient(t, srv, srv.AppKey)
	const n = 20
	errs := make(chan error, n)
	for i := range n {
		go func() {
			id := srv.AddClue(v3clue.Clue{Type: i})
			got, err := c.GetClue(context.Background(), &v3clue.GetClueRequest{CustomerID: id})
			if err == nil && got.Type != i {
				err = errors.New("wrong clue")
			}
			errs <- err
		}()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	assert.Len(t, srv.ClueIDs(), n+1)
}

func TestFakeNoTokens(t *testing.T) {
	t.Parallel()
	srv := v3cluetest.NewServer(v3cluetest.WithCredentials("app-x", "key-x"))
	defer srv.Close()
	c, err := v3clue.New("app-x", "key-x", v3clue.WithBaseURL(srv.URL))
	require.NoError(t, err)
	srv.InvalidateTokens() // nothing to invalidate: calls still succeed
	_, err = c.GetClue(context.Background(), &v3clue.GetClueRequest{CustomerID: v3cluetest.ExampleCustomerID})
	require.NoError(t, err)
	assert.Equal(t, 0, srv.TokenRequests())
	assert.Equal(t, 1, srv.Requests(v3cluetest.OpClueGet))
}

func TestFakeKeepsUnknownMembers(t *testing.T) {
	t.Parallel()
	srv := v3cluetest.NewServer()
	defer srv.Close()
	c, _ := newFakeClient(t, srv, srv.AppKey)
	var in v3clue.Clue
	require.NoError(t, json.Unmarshal([]byte(`{"isClue":true,"ownerId":12345678901234567890123,
		"fields":[{"field":"name","type":1,"valueAsText":"张三","fieldId":97668}]}`), &in))
	id := srv.AddClue(in)
	got, err := c.GetClue(context.Background(), &v3clue.GetClueRequest{CustomerID: id})
	require.NoError(t, err)
	assert.Equal(t, json.RawMessage(`12345678901234567890123`), got.Extra["ownerId"])
	require.Len(t, got.Fields, 1)
	assert.Equal(t, json.RawMessage(`97668`), got.Fields[0].Extra["fieldId"])
}
