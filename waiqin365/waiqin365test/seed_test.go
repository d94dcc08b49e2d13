package waiqin365test_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

func TestSeedLeads(t *testing.T) {
	t.Parallel()
	srv, c := newPair(t)
	created := time.Date(2025, 4, 3, 10, 15, 0, 0, waiqin365.CST)
	ids, err := srv.SeedLeads(
		waiqin365test.Lead{Code: "S1", Name: "公司一", OwnerName: "张三", CreatedAt: created},
		waiqin365test.Lead{ID: "6789690485561700001", Name: "公司二", OwnerName: "张三"},
		waiqin365test.Lead{Name: "公司三", PoolName: "公海"},
	)
	require.NoError(t, err)
	require.Len(t, ids, 3)
	assert.Equal(t, "6789690485561700001", ids[1], "a given id is kept")
	for _, id := range ids {
		assert.Len(t, id, 19)
	}

	leads := srv.Leads()
	require.Len(t, leads, 3)
	assert.Equal(t, "S1", leads[0].Code)
	assert.Equal(t, created, leads[0].CreatedAt)
	assert.Equal(t, created, leads[0].ModifiedAt)
	assert.NotEmpty(t, leads[1].Code, "a code is generated")
	assert.False(t, leads[1].CreatedAt.IsZero())
	assert.Equal(t, waiqin365.StatusPending, leads[1].Status)
	assert.Equal(t, waiqin365.StatusUnassigned, leads[2].Status, "no owner")

	// Seeded leads answer queries like created ones.
	var got []string
	for l, err := range c.AllSalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{EmpName: "张三", PageSize: 1}) {
		require.NoError(t, err)
		got = append(got, string(l.ID))
	}
	assert.Equal(t, ids[:2], got)
	q, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: "S1"})
	require.NoError(t, err)
	require.Len(t, q.Leads, 1)
	assert.Equal(t, "2025-04-03 10:15", q.Leads[0].CreateTime)

	tests := []struct {
		name  string
		leads []waiqin365test.Lead
	}{
		{"stored code", []waiqin365test.Lead{{Code: "new"}, {Code: "S1"}}},
		{"code repeated in the call", []waiqin365test.Lead{{Code: "x"}, {Code: "x"}}},
		{"stored id", []waiqin365test.Lead{{ID: ids[0]}}},
		{"id repeated in the call", []waiqin365test.Lead{{ID: "1000000000000000001"}, {ID: "1000000000000000001"}}},
	}
	for _, tt := range tests {
		_, err := srv.SeedLeads(tt.leads...)
		assert.Error(t, err, tt.name)
	}
	assert.Len(t, srv.Leads(), 3, "a failed SeedLeads stores nothing")
}
