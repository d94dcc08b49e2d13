package waiqin365test_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

// TestServerAcceptsEveryDocumentedForm sends each shape the docs show for
// the fields their table and example disagree on, raw, and checks the
// fake takes it (and stores the custom fields of both exts forms).
func TestServerAcceptsEveryDocumentedForm(t *testing.T) {
	t.Parallel()
	srv, c := newPair(t)
	_, err := c.AddSalesLeads(ctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p", Code: "F1"})
	require.NoError(t, err)
	_, err = c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{Code: "FA"})
	require.NoError(t, err)
	tests := []struct {
		name, op, body string
		code           string // lead whose exts to check ("" = none)
		exts           map[string]string
	}{
		{"addSalesLeads exts list", waiqin365.OpAddSalesLeads,
			`{"poolName":"p","code":"L1","exts":[{"salesleads_ext_key":"自定义字段1","salesleads_ext_value":"v1"}]}`, "L1", map[string]string{"自定义字段1": "v1"}},
		{"addSalesLeadsForApaas exts map (example)", waiqin365.OpAddSalesLeadsForApaas,
			`{"code":"A1","exts":{"field_kig9p__cywdzm9":"10000.00"}}`, "A1", map[string]string{"field_kig9p__cywdzm9": "10000.00"}},
		{"addSalesLeadsForApaas exts list (table)", waiqin365.OpAddSalesLeadsForApaas,
			`{"code":"A2","exts":[{"salesleads_ext_key":"field_kig9p__cywdzm9","salesleads_ext_value":"1"}]}`, "A2", map[string]string{"field_kig9p__cywdzm9": "1"}},
		{"modifySalesLeads exts list (example)", waiqin365.OpModifySalesLeads,
			`{"code":"F1","exts":[{"salesleads_ext_key":"k1","salesleads_ext_value":"v1"}]}`, "F1", map[string]string{"k1": "v1"}},
		{"modifySalesLeads exts map (table)", waiqin365.OpModifySalesLeads,
			`{"code":"F1","exts":{"k2":"v2"}}`, "F1", map[string]string{"k1": "v1", "k2": "v2"}},
		{"modifySalesLeadsForApaas exts map", waiqin365.OpModifySalesLeadsForApaas,
			`{"code":"FA","exts":{"field_x":"y"}}`, "FA", map[string]string{"field_x": "y"}},
		{"aPaaS query: sort as the table's list", waiqin365.OpQuerySalesLeadsForApaas,
			`{"code":"A1","sort":[{"field_key":"create_time","type":"desc"}]}`, "", nil},
		{"aPaaS query: sorts as the example's object", waiqin365.OpQuerySalesLeadsForApaas,
			`{"code":"A1","sorts":{"field_key":"create_time","type":"asc"}}`, "", nil},
		{"aPaaS query: query_group as the table's lists", waiqin365.OpQuerySalesLeadsForApaas,
			`{"query_group":[{"connector":"AND","filters":[{"field_key":"code","operator":"EQ","field_values":["A1"]}]}]}`, "", nil},
		{"aPaaS query: query_group as the example's object", waiqin365.OpQuerySalesLeadsForApaas,
			`{"code":"A1","query_group":{"connector":"AND","filters":{"field_key":" ","field_values":" ","operator":""}}}`, "", nil},
	}
	for _, tt := range tests {
		err := c.Do(ctx, "", "/api/salesleads/v1/"+tt.op, json.RawMessage(tt.body), nil)
		require.NoError(t, err, tt.name)
		if tt.code != "" {
			l, ok := srv.Lead(tt.code)
			require.True(t, ok, tt.name)
			assert.Equal(t, tt.exts, l.Exts, tt.name)
		}
	}

	refused := []struct{ name, op, body string }{
		{"sort that is not a list of objects", waiqin365.OpQuerySalesLeadsForApaas, `{"code":"A1","sort":"create_time"}`},
		{"filters that are not objects", waiqin365.OpQuerySalesLeadsForApaas, `{"query_group":[{"filters":["x"]}]}`},
		{"field_values of objects", waiqin365.OpQuerySalesLeadsForApaas, `{"query_group":[{"filters":[{"field_values":[{"a":1}]}]}]}`},
		{"sort type other than asc/desc", waiqin365.OpQuerySalesLeadsForApaas, `{"code":"A1","sort":[{"type":"up"}]}`},
	}
	for _, tt := range refused {
		err := c.Do(ctx, "", "/api/salesleads/v1/"+tt.op, json.RawMessage(tt.body), nil)
		var apiErr *waiqin365.APIError
		require.ErrorAs(t, err, &apiErr, tt.name)
		assert.Equal(t, waiqin365test.CodeFailed, apiErr.Code, tt.name)
	}
}

// TestServerShape: the members every cluekit fake has.
func TestServerShape(t *testing.T) {
	t.Parallel()
	srv := waiqin365test.NewServer()
	defer srv.Close()
	assert.Equal(t, waiqin365test.DefaultOpenID, srv.OpenID)
	c, err := waiqin365.New(waiqin365test.DefaultOpenID, waiqin365test.DefaultAppKey, waiqin365.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "x"})
	require.NoError(t, err, "the default credentials are accepted")
	srv.InvalidateTokens() // no tokens: nothing changes
	_, err = c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "x"})
	require.NoError(t, err)
	assert.Equal(t, 0, srv.TokenRequests())
	assert.Equal(t, 2, srv.Requests(waiqin365.OpQuerySalesLeads))
	assert.Equal(t, 2, srv.Requests(""))

	other := waiqin365test.NewServer(waiqin365test.WithCredentials("1000000000000000001", "other-key"))
	defer other.Close()
	c2, err := waiqin365.New(waiqin365test.DefaultOpenID, waiqin365test.DefaultAppKey, waiqin365.WithBaseURL(other.URL))
	require.NoError(t, err)
	_, err = c2.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "x"})
	var apiErr *waiqin365.APIError
	require.ErrorAs(t, err, &apiErr, "WithCredentials replaces the defaults")
	assert.Equal(t, waiqin365test.MsgUnknownOpenID, apiErr.Message)
}
