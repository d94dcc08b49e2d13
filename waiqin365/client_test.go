package waiqin365_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/fake"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		openID, appKey string
		opts           []waiqin365.Option
		wantErr        bool
	}{
		{"defaults", testOpenID, testAppKey, nil, false},
		{"tenant base with a path prefix", testOpenID, testAppKey, []waiqin365.Option{waiqin365.WithBaseURL("https://openapi.qince.com/prefix/")}, false},
		{"loopback http", testOpenID, testAppKey, []waiqin365.Option{waiqin365.WithBaseURL("http://127.0.0.1:9")}, false},
		{"empty openid", "", testAppKey, nil, true},
		{"blank openid", "  ", testAppKey, nil, true},
		{"empty app key", testOpenID, "", nil, true},
		{"remote plain http", testOpenID, testAppKey, []waiqin365.Option{waiqin365.WithBaseURL("http://openapi.waiqin365.com")}, true},
		{"malformed base", testOpenID, testAppKey, []waiqin365.Option{waiqin365.WithBaseURL("openapi.waiqin365.com")}, true},
		{"bad attempts", testOpenID, testAppKey, []waiqin365.Option{waiqin365.WithMaxAttempts(0)}, true},
		{"nil http client", testOpenID, testAppKey, []waiqin365.Option{waiqin365.WithHTTPClient(nil)}, true},
		{"another vendor's option", testOpenID, testAppKey, []waiqin365.Option{core.VendorOption("WithX", func(*struct{ X int }) error { return nil })}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := waiqin365.New(tt.openID, tt.appKey, tt.opts...)
			if tt.wantErr {
				require.Error(t, err)
				testkit.NoSecrets(t, err.Error(), testAppKey)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.openID, c.OpenID())
		})
	}
	c, err := waiqin365.New(testOpenID, testAppKey)
	require.NoError(t, err)
	assert.Equal(t, waiqin365.DefaultBaseURL, c.BaseURL())
}

func TestBasePathPrefixIsKept(t *testing.T) {
	t.Parallel()
	h := newHarness(t, []step{{200, okWrite}}, waiqin365.WithBaseURL("https://tenant.example.com/gw/"))
	_, err := h.c.RemoveSalesLeads(ctx, &waiqin365.RemoveSalesLeadsRequest{Code: "c"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(h.requests()[0].Path, "/gw/api/salesleads/v1/removeSalesLeads/"+testOpenID+"/"), h.requests()[0].Path)
}

func TestValidationBeforeNetwork(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call func(c *waiqin365.Client) error
	}{
		{"add: nil", func(c *waiqin365.Client) error { _, err := c.AddSalesLeads(ctx, nil); return err }},
		{"add: no owner and no pool", func(c *waiqin365.Client) error {
			_, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{Code: "c", CusName: "n"})
			return err
		}},
		{"add: blank owner", func(c *waiqin365.Client) error {
			_, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{EmpName: "  ", Extra: map[string]any{"poolName": ""}})
			return err
		}},
		{"apaas add: nil", func(c *waiqin365.Client) error { _, err := c.AddSalesLeadsForApaas(ctx, nil); return err }},
		{"apaas add: unassigned without pool", func(c *waiqin365.Client) error {
			_, err := c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{AllocationStatus: "0"})
			return err
		}},
		{"apaas add: unassigned with an owner", func(c *waiqin365.Client) error {
			_, err := c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{AllocationStatus: "0", PoolName: "p", ResponsiblePerson: "6044797260167447230"})
			return err
		}},
		{"apaas add: assigned without an owner", func(c *waiqin365.Client) error {
			_, err := c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{AllocationStatus: "1", PoolName: "p"})
			return err
		}},
		{"apaas add: allocation through Extra", func(c *waiqin365.Client) error {
			_, err := c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{Extra: map[string]any{"allocation_status": "1"}})
			return err
		}},
		{"modify: nil", func(c *waiqin365.Client) error { _, err := c.ModifySalesLeads(ctx, nil); return err }},
		{"modify: no id or code", func(c *waiqin365.Client) error {
			_, err := c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{CusName: "x"})
			return err
		}},
		{"apaas modify: nil", func(c *waiqin365.Client) error { _, err := c.ModifySalesLeadsForApaas(ctx, nil); return err }},
		{"apaas modify: no id or code", func(c *waiqin365.Client) error {
			_, err := c.ModifySalesLeadsForApaas(ctx, &waiqin365.ModifySalesLeadsForApaasRequest{Linkman: "x"})
			return err
		}},
		{"apaas modify: allocation rule", func(c *waiqin365.Client) error {
			_, err := c.ModifySalesLeadsForApaas(ctx, &waiqin365.ModifySalesLeadsForApaasRequest{Code: "c", AllocationStatus: "0"})
			return err
		}},
		{"apaas modify: id that is not an integer", func(c *waiqin365.Client) error {
			_, err := c.ModifySalesLeadsForApaas(ctx, &waiqin365.ModifySalesLeadsForApaasRequest{ID: "50318871872317073a1"})
			return err
		}},
		{"remove: nil", func(c *waiqin365.Client) error { _, err := c.RemoveSalesLeads(ctx, nil); return err }},
		{"remove: no id or code", func(c *waiqin365.Client) error {
			_, err := c.RemoveSalesLeads(ctx, &waiqin365.RemoveSalesLeadsRequest{ReasonID: "1000025"})
			return err
		}},
		{"query: nil", func(c *waiqin365.Client) error { _, err := c.QuerySalesLeads(ctx, nil); return err }},
		{"query: paging is not a condition", func(c *waiqin365.Client) error {
			_, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Page: 1, PageSize: 10})
			return err
		}},
		{"query: negative page", func(c *waiqin365.Client) error {
			_, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "c", Page: -1})
			return err
		}},
		{"apaas query: nil", func(c *waiqin365.Client) error { _, err := c.QuerySalesLeadsForApaas(ctx, nil); return err }},
		{"apaas query: sorting is not a condition", func(c *waiqin365.Client) error {
			_, err := c.QuerySalesLeadsForApaas(ctx, &waiqin365.QuerySalesLeadsForApaasRequest{Sorts: &waiqin365.SortSpec{FieldKey: "create_time"}})
			return err
		}},
		{"apaas add: exts in both forms", func(c *waiqin365.Client) error {
			_, err := c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{Code: "c",
				Exts: map[string]string{"k": "v"}, ExtList: []waiqin365.Ext{{Key: "k", Value: "v"}}})
			return err
		}},
		{"apaas add: ExtList and Extra exts", func(c *waiqin365.Client) error {
			_, err := c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{Code: "c",
				ExtList: []waiqin365.Ext{{Key: "k", Value: "v"}}, Extra: map[string]any{"exts": map[string]string{}}})
			return err
		}},
		{"modify: exts in both forms", func(c *waiqin365.Client) error {
			_, err := c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{Code: "c",
				Exts: []waiqin365.Ext{{Key: "k", Value: "v"}}, ExtMap: map[string]string{"k": "v"}})
			return err
		}},
		{"do: empty module", func(c *waiqin365.Client) error { return c.Do(ctx, "", "/api//v1/op", nil, nil) }},
		{"do: slash in operation", func(c *waiqin365.Client) error { return c.Do(ctx, "", "/api/m/v1/a/b", nil, nil) }},
		{"do: dot-dot version", func(c *waiqin365.Client) error { return c.Do(ctx, "", "/api/m/../op", nil, nil) }},
		{"do: escaped slash", func(c *waiqin365.Client) error { return c.Do(ctx, "", "/api/m%2Fx/v1/op", nil, nil) }},
		{"do: not under /api/", func(c *waiqin365.Client) error { return c.Do(ctx, "", "/salesleads/v1/op", nil, nil) }},
		{"do: not a path", func(c *waiqin365.Client) error { return c.Do(ctx, "", "https://evil.example/api/m/v1/op", nil, nil) }},
		{"do: body that cannot be marshalled", func(c *waiqin365.Client) error { return c.Do(ctx, "", "/api/m/v1/op", func() {}, nil) }},
		{"do: bytes that are not JSON", func(c *waiqin365.Client) error { return c.Do(ctx, "", "/api/m/v1/op", []byte("{x"), nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, []step{{200, okWrite}})
			err := tt.call(h.c)
			require.ErrorIs(t, err, waiqin365.ErrInvalidParam)
			assert.Empty(t, h.requests(), "no network call")
			testkit.NoSecrets(t, err.Error(), testAppKey)
		})
	}
}

func TestValidCornerCasesPass(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		call func(c *waiqin365.Client) error
	}{
		{"add: pool only", func(c *waiqin365.Client) error {
			_, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p"})
			return err
		}},
		{"apaas add: no allocation status needs nothing", func(c *waiqin365.Client) error {
			_, err := c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{CompanyName: "n"})
			return err
		}},
		{"apaas add: assigned with an owner", func(c *waiqin365.Client) error {
			_, err := c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{AllocationStatus: "1", ResponsiblePerson: "6044797260167447230"})
			return err
		}},
		{"apaas query: query group only", func(c *waiqin365.Client) error {
			_, err := c.QuerySalesLeadsForApaas(ctx, &waiqin365.QuerySalesLeadsForApaasRequest{QueryGroup: []waiqin365.QueryGroup{{Connector: "AND"}}})
			return err
		}},
		{"query: extra only", func(c *waiqin365.Client) error {
			_, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Extra: map[string]any{"cm_code": "CUS000044"}})
			return err
		}},
		{"modify: id in extra", func(c *waiqin365.Client) error {
			_, err := c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{Extra: map[string]any{"id": json.Number("6789690485561771524")}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, []step{{200, `{"return_code":"0","response_data":null}`}})
			require.NoError(t, tt.call(h.c))
			assert.Len(t, h.requests(), 1)
		})
	}
}

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		body        string
		wantCode    string
		wantMsg     string
		wantReqID   string
		wantStatus  int
		wantIs      []error
		wantNotIs   []error
		wantAttempt int
	}{
		{"code 1 as a string", 200, `{"return_code":"1","return_msg":"线索编码已存在","msg_id":"90b4b267dd3d49aeace879038b1e7291","response_data":null}`,
			"1", "线索编码已存在", "90b4b267dd3d49aeace879038b1e7291", 200, nil, []error{waiqin365.ErrDuplicate, waiqin365.ErrAmbiguous, waiqin365.ErrRateLimited}, 1},
		{"code 1 as a number", 200, `{"return_code":1,"return_msg":"失败","msg_id":null}`, "1", "失败", "", 200, nil, nil, 1},
		{"unknown numeric code kept verbatim", 200, `{"return_code":40001,"return_msg":"签名错误"}`, "40001", "签名错误", "", 200,
			nil, []error{waiqin365.ErrInvalidToken, waiqin365.ErrSignature}, 1},
		{"unknown string code, null message", 200, `{"return_code":"E-100","return_msg":null,"msg_id":"m1"}`, "E-100", "", "m1", 200, nil, nil, 1},
		{"envelope in a 500", 500, `{"return_code":"9","return_msg":"系统繁忙"}`, "9", "系统繁忙", "", 500, nil, []error{waiqin365.ErrAmbiguous}, 1},
		{"html page", 200, `<html>502 Bad Gateway</html>`, "", "", "", 200, []error{waiqin365.ErrBadResponse}, nil, 1},
		{"empty object", 200, `{}`, "", "", "", 200, []error{waiqin365.ErrBadResponse}, nil, 1},
		{"null return code", 200, `{"return_code":null,"return_msg":"x"}`, "", "", "", 200, []error{waiqin365.ErrBadResponse}, nil, 1},
		{"403", 403, `forbidden`, "", "Forbidden", "", 403, []error{waiqin365.ErrPermission}, nil, 1},
		{"429 retried", 429, ``, "", "Too Many Requests", "", 429, []error{waiqin365.ErrRateLimited}, nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, []step{{tt.status, tt.body}})
			_, err := h.c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{Code: "codezs", Linkman: "x"})
			require.Error(t, err)
			var apiErr *waiqin365.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "waiqin365", apiErr.Vendor)
			assert.Equal(t, waiqin365.OpModifySalesLeads, apiErr.Op)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.Equal(t, tt.wantStatus, apiErr.HTTPStatus)
			if tt.wantReqID != "" {
				assert.Equal(t, tt.wantReqID, apiErr.RequestID)
			} else {
				// No echo from the vendor: the msg_id this attempt sent.
				assert.Regexp(t, `^[0-9a-f]{32}$`, apiErr.RequestID)
			}
			if tt.wantMsg != "" {
				assert.Equal(t, tt.wantMsg, apiErr.Message)
			}
			for _, e := range tt.wantIs {
				assert.ErrorIs(t, err, e)
			}
			for _, e := range tt.wantNotIs {
				assert.NotErrorIs(t, err, e)
			}
			assert.Len(t, h.requests(), tt.wantAttempt, "business codes are never retried")
			testkit.NoSecrets(t, err.Error(), h.secrets()...)
			testkit.NoSecrets(t, h.logs.String(), h.secrets()...)
		})
	}
}

func TestBusinessErrorOnCreateIsNotAmbiguous(t *testing.T) {
	t.Parallel()
	h := newHarness(t, []step{{200, `{"return_code":"1","return_msg":"线索编码已存在","msg_id":"x"}`}})
	_, err := h.c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p", Code: "dup"})
	var apiErr *waiqin365.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "1", apiErr.Code)
	assert.NotErrorIs(t, err, waiqin365.ErrAmbiguous, "the server answered: the outcome is known")
}

func TestRetries(t *testing.T) {
	t.Parallel()
	queryOK := `{"return_code":"0","return_msg":null,"msg_id":null,"response_data":"[]"}`
	tests := []struct {
		name      string
		steps     []step
		call      func(c *waiqin365.Client) error
		wantReqs  int
		wantErrIs error
	}{
		{"503 on a query is retried and succeeds", []step{{503, ""}, {200, queryOK}},
			func(c *waiqin365.Client) error {
				_, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "c"})
				return err
			}, 2, nil},
		{"502 then 504 on an aPaaS query", []step{{502, ""}, {504, ""}, {200, queryOK}},
			func(c *waiqin365.Client) error {
				_, err := c.QuerySalesLeadsForApaas(ctx, &waiqin365.QuerySalesLeadsForApaasRequest{Code: "c"})
				return err
			}, 3, nil},
		{"503 on modify is retried", []step{{503, ""}, {200, okWrite}},
			func(c *waiqin365.Client) error {
				_, err := c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{Code: "c"})
				return err
			}, 2, nil},
		{"503 on a create is ambiguous, not retried", []step{{503, ""}, {200, okWrite}},
			func(c *waiqin365.Client) error {
				_, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p"})
				return err
			}, 1, waiqin365.ErrAmbiguous},
		{"503 on Do is ambiguous, not retried", []step{{503, ""}, {200, okWrite}},
			func(c *waiqin365.Client) error { return c.Do(ctx, "", "/api/salesleads/v1/other", nil, nil) }, 1, waiqin365.ErrAmbiguous},
		{"429 on a create is retried (not processed)", []step{{429, ""}, {200, okWrite}},
			func(c *waiqin365.Client) error {
				// No code: no first listing (see resolve_test.go), the 429 hits the create.
				_, err := c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{CompanyName: "c"})
				return err
			}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.steps)
			err := tt.call(h.c)
			if tt.wantErrIs != nil {
				require.ErrorIs(t, err, tt.wantErrIs)
			} else {
				require.NoError(t, err)
			}
			reqs := h.requests()
			require.Len(t, reqs, tt.wantReqs)
			seen := map[string]bool{}
			for _, r := range reqs {
				assert.False(t, seen[r.MsgID], "each attempt has a fresh msg_id")
				seen[r.MsgID] = true
				assert.Equal(t, reqs[0].Body, r.Body, "the same bytes on every attempt")
				sum := waiqin365.Digest(r.Body, testAppKey, r.Timestamp)
				assert.Equal(t, sum, r.Digest, "every attempt signed afresh")
			}
		})
	}
}

func TestEachAttemptTakesTheClockAgain(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	clock := func() time.Time { return fixedNow.Add(time.Duration(n.Add(1)) * time.Second) }
	h := newHarness(t, []step{{503, ""}, {200, okWrite}}, core.WithClock(clock))
	_, err := h.c.ModifySalesLeads(ctx, &waiqin365.ModifySalesLeadsRequest{Code: "c"})
	require.NoError(t, err)
	reqs := h.requests()
	require.Len(t, reqs, 2)
	assert.NotEqual(t, reqs[0].Timestamp, reqs[1].Timestamp)
	assert.NotEqual(t, reqs[0].Digest, reqs[1].Digest)
}

func TestCreateWithLostAnswerIsAmbiguous(t *testing.T) {
	t.Parallel()
	srv := waiqin365test.NewServer(waiqin365test.WithCredentials(testOpenID, testAppKey))
	defer srv.Close()
	srv.Faults.Add(fake.Fault{Op: waiqin365.OpAddSalesLeads, Reset: true, AfterApply: true})
	logger, logs := testkit.Logger()
	c, err := waiqin365.New(testOpenID, testAppKey, waiqin365.WithBaseURL(srv.URL), waiqin365.WithLogger(logger),
		core.WithSleep((&testkit.Sleeper{}).Sleep))
	require.NoError(t, err)
	// No code of the caller's (勤策 generates one): nothing to read the lead
	// back by, so the outcome stays unknown. (With a code the SDK reads it
	// back: resolve_test.go.)
	_, err = c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p", CusName: "lost-answer"})
	require.ErrorIs(t, err, waiqin365.ErrAmbiguous)
	var ce *waiqin365.CallError
	require.ErrorAs(t, err, &ce)
	assert.True(t, ce.Ambiguous())
	assert.Equal(t, 1, srv.Requests(waiqin365.OpAddSalesLeads), "exactly one request: a create is never retried")
	assert.Equal(t, 0, srv.Requests(waiqin365.OpQuerySalesLeads), "no read back without a code")
	leads := srv.Leads()
	require.Len(t, leads, 1, "the lead was created although the answer was lost")
	testkit.NoSecrets(t, err.Error(), testAppKey)
	testkit.NoSecrets(t, logs.String(), testAppKey)

	// The documented way out: query (here by the generated code).
	q, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: leads[0].Code})
	require.NoError(t, err)
	require.Len(t, q.Leads, 1)
	assert.Equal(t, "lost-answer", q.Leads[0].CusName)
}

func TestCreateTimeoutIsAmbiguous(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		<-release
	}))
	defer srv.Close()
	defer close(release)
	c, err := waiqin365.New(testOpenID, testAppKey, waiqin365.WithBaseURL(srv.URL), waiqin365.WithTimeout(50*time.Millisecond),
		core.WithSleep((&testkit.Sleeper{}).Sleep))
	require.NoError(t, err)
	// No code: no first listing, the one request is the create.
	_, err = c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{CompanyName: "slow"})
	require.ErrorIs(t, err, waiqin365.ErrAmbiguous)
	assert.Equal(t, int32(1), n.Load())
}

func TestCancelledContextStopsAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, []step{{503, ""}})
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := h.c.QuerySalesLeads(cctx, &waiqin365.QuerySalesLeadsRequest{Code: "c"})
	require.ErrorIs(t, err, context.Canceled)
	assert.LessOrEqual(t, len(h.requests()), 1)
	assert.Empty(t, h.sleeper.Waits(), "no backoff after cancellation")

	n := 0
	for _, err := range h.c.AllSalesLeads(cctx, &waiqin365.QuerySalesLeadsRequest{Code: "c"}) {
		require.ErrorIs(t, err, context.Canceled)
		n++
	}
	assert.Equal(t, 1, n)
}

func TestNoSecretsInTransportErrorsOrLogs(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // connection refused from now on
	logger, logs := testkit.Logger()
	var digests []string
	c, err := waiqin365.New(testOpenID, testAppKey, waiqin365.WithBaseURL("http://"+addr), waiqin365.WithLogger(logger),
		core.WithSleep((&testkit.Sleeper{}).Sleep), core.WithClock(func() time.Time { return fixedNow }))
	require.NoError(t, err)
	body := []byte(`{"code":"c"}`)
	digests = append(digests, waiqin365.Digest(body, testAppKey, fixedTS))
	_, err = c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "c"})
	require.Error(t, err)
	var ce *waiqin365.CallError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 3, ce.Attempts, "refused connections are retried")
	assert.NotErrorIs(t, err, waiqin365.ErrAmbiguous)
	testkit.NoSecrets(t, err.Error(), append(digests, testAppKey)...)
	testkit.NoSecrets(t, logs.String(), append(digests, testAppKey)...)
	assert.NotContains(t, err.Error(), "/api/", "no URL in errors")
}

func TestVendorEchoingSecretsIsScrubbed(t *testing.T) {
	t.Parallel()
	// A server that echoes the request path (with the digest) and the app
	// key in return_msg.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msg, _ := json.Marshal("bad request " + r.URL.Path + " key " + testAppKey)
		_, _ = w.Write([]byte(`{"return_code":"1","return_msg":` + string(msg) + `}`))
	}))
	defer srv.Close()
	logger, logs := testkit.Logger()
	c, err := waiqin365.New(testOpenID, testAppKey, waiqin365.WithBaseURL(srv.URL), waiqin365.WithLogger(logger),
		core.WithClock(func() time.Time { return fixedNow }))
	require.NoError(t, err)
	_, err = c.RemoveSalesLeads(ctx, &waiqin365.RemoveSalesLeadsRequest{Code: "c"})
	require.Error(t, err)
	digest := waiqin365.Digest([]byte(`{"code":"c"}`), testAppKey, fixedTS)
	testkit.NoSecrets(t, err.Error(), testAppKey, digest)
	testkit.NoSecrets(t, logs.String(), testAppKey, digest)
	assert.Contains(t, err.Error(), "[redacted]")
}

func TestGzipAnswerIsDecoded(t *testing.T) {
	t.Parallel()
	// 勤策 may gzip its answers (Content-Encoding: gzip), even unasked.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		zw := gzip.NewWriter(w)
		_, _ = zw.Write([]byte(`{"return_code":"0","return_msg":null,"msg_id":null,"response_data":"[{\"id\":\"6789690485561771524\"}]"}`))
		_ = zw.Close()
	}))
	defer srv.Close()
	c, err := waiqin365.New(testOpenID, testAppKey, waiqin365.WithBaseURL(srv.URL))
	require.NoError(t, err)
	res, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "c"})
	require.NoError(t, err)
	require.Len(t, res.Leads, 1)
	assert.Equal(t, waiqin365.ID("6789690485561771524"), res.Leads[0].ID)
}

func TestDoDecodesResponseData(t *testing.T) {
	t.Parallel()
	srv := waiqin365test.NewServer(waiqin365test.WithCredentials(testOpenID, testAppKey))
	defer srv.Close()
	srv.Handle("organization", "v1", "queryOrganization", func(body []byte) (any, error) {
		var req struct {
			OrgID string `json:"org_id"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.OrgID == "" {
			return nil, errors.New("org_id is required")
		}
		return `[{"org_id":"ORG001","org_name":"南京掌控网络","id":6789690485561771524}]`, nil // a JSON string, as the vendor does
	})
	c, err := waiqin365.New(testOpenID, testAppKey, waiqin365.WithBaseURL(srv.URL))
	require.NoError(t, err)

	var orgs []struct {
		OrgID   string          `json:"org_id"`
		OrgName string          `json:"org_name"`
		ID      waiqin365.ID    `json:"id"`
		Any     json.RawMessage `json:"-"`
	}
	const path = "/api/organization/v1/queryOrganization"
	require.NoError(t, c.Do(ctx, "", path, map[string]string{"org_id": "ORG001"}, &orgs))
	require.Len(t, orgs, 1)
	assert.Equal(t, "南京掌控网络", orgs[0].OrgName)
	assert.Equal(t, waiqin365.ID("6789690485561771524"), orgs[0].ID)

	var raw json.RawMessage
	require.NoError(t, c.Do(ctx, "", path, json.RawMessage(`{"org_id":"ORG001"}`), &raw))
	assert.JSONEq(t, `[{"org_id":"ORG001","org_name":"南京掌控网络","id":6789690485561771524}]`, string(raw))

	var anyOut any
	require.NoError(t, c.Do(ctx, "", path, map[string]string{"org_id": "ORG001"}, &anyOut))
	assert.Equal(t, json.Number("6789690485561771524"), anyOut.([]any)[0].(map[string]any)["id"], "numbers in interfaces keep every digit")

	err = c.Do(ctx, "", path, nil, nil)
	var apiErr *waiqin365.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, waiqin365test.CodeFailed, apiErr.Code)
	assert.Equal(t, "org_id is required", apiErr.Message)

	var wrong []int
	err = c.Do(ctx, "", path, map[string]string{"org_id": "ORG001"}, &wrong)
	require.ErrorIs(t, err, waiqin365.ErrBadResponse)
	assert.NotErrorIs(t, err, waiqin365.ErrAmbiguous)
}
