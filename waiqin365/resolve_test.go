package waiqin365_test

import (
	"context"
	"net/http"
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

// resolveCase is one ambiguous create read back by its code.
type resolveCase struct {
	name  string
	lag   int                 // WithReadLag
	seed  *waiqin365test.Lead // stored before the call
	fault fake.Fault          // on the create (Op is filled in)
	noKey bool                // the request has no code

	resolved bool
	queries  int // read requests (the aPaaS first listing included)
	sleeps   int
	stored   int      // leads under the code afterwards
	msg      []string // the error's text contains
}

// lostAnswer is a reset after the create took effect.
var lostAnswer = fake.Fault{Reset: true, AfterApply: true}

func newResolvePair(t *testing.T, lag int) (*waiqin365test.Server, *waiqin365.Client, *testkit.Sleeper, *testkit.Buffer) {
	t.Helper()
	srv := waiqin365test.NewServer(waiqin365test.WithCredentials(testOpenID, testAppKey), waiqin365test.WithReadLag(lag))
	t.Cleanup(srv.Close)
	sl := &testkit.Sleeper{}
	logger, logs := testkit.Logger()
	c, err := waiqin365.New(testOpenID, testAppKey, waiqin365.WithBaseURL(srv.URL), waiqin365.WithLogger(logger),
		core.WithSleep(sl.Sleep), core.WithRand(func() float64 { return 0.5 }))
	require.NoError(t, err)
	return srv, c, sl, logs
}

func leadsUnder(srv *waiqin365test.Server, code string) int {
	n := 0
	for _, l := range srv.Leads() {
		if l.Code == code {
			n++
		}
	}
	return n
}

func (tc resolveCase) check(t *testing.T, srv *waiqin365test.Server, sl *testkit.Sleeper, logs *testkit.Buffer, op, queryOp, code string, resolved bool, err error) {
	t.Helper()
	assert.Equal(t, 1, srv.Requests(op), "a create is sent once")
	assert.Equal(t, tc.queries, srv.Requests(queryOp), "read requests")
	assert.Len(t, sl.Waits(), tc.sleeps, "backoff waits between lookups")
	assert.Equal(t, tc.stored, leadsUnder(srv, code), "leads under the code")
	assert.Equal(t, tc.resolved, resolved)
	if tc.resolved {
		require.NoError(t, err)
	} else {
		require.ErrorIs(t, err, waiqin365.ErrAmbiguous)
		for _, m := range tc.msg {
			assert.Contains(t, err.Error(), m)
		}
		testkit.NoSecrets(t, err.Error(), testAppKey)
	}
	testkit.NoSecrets(t, logs.String(), testAppKey)
}

func TestAddSalesLeadsResolvesALostAnswer(t *testing.T) {
	t.Parallel()
	other := &waiqin365test.Lead{PoolName: "p", Name: "someone else's lead"}
	same := &waiqin365test.Lead{PoolName: "p", Name: "客户A", Linkman: "张三", Mobile: "18811111111"}
	older := *same
	older.CreatedAt = time.Now().Add(-2 * time.Minute)
	for _, tc := range []resolveCase{
		{name: "found at once", fault: lostAnswer, resolved: true, queries: 1, stored: 1},
		{name: "503 after apply", fault: fake.Fault{Status: http.StatusServiceUnavailable, AfterApply: true}, resolved: true, queries: 1, stored: 1},
		{name: "read-after-write lag: found on the third lookup", lag: 2, fault: lostAnswer, resolved: true, queries: 3, sleeps: 2, stored: 1},
		{name: "never visible in time", lag: 10, fault: lostAnswer, queries: core.ResolveLookups, sleeps: core.ResolveLookups - 1, stored: 1,
			msg: []string{"not found by its key after 4 lookups"}},
		{name: "not applied", fault: fake.Fault{Status: http.StatusServiceUnavailable}, queries: core.ResolveLookups, sleeps: core.ResolveLookups - 1,
			msg: []string{"HTTP 503", "not found by its key"}},
		{name: "an older lead holds the code", seed: other, fault: lostAnswer, queries: 1, stored: 1,
			msg: []string{"holds code", "with other content"}},
		{name: "an older lead with the same code and content", seed: &older, fault: lostAnswer, queries: 1, stored: 1,
			msg: []string{"holds code", "before the call"}},
		{name: "no code: not read back", noKey: true, fault: lostAnswer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c, sl, logs := newResolvePair(t, tc.lag)
			req := &waiqin365.AddSalesLeadsRequest{PoolName: same.PoolName, CusName: same.Name, Linkman: same.Linkman, Mobile: same.Mobile, Code: "R-1"}
			if tc.noKey {
				req.Code = ""
			}
			if tc.seed != nil {
				seed := *tc.seed
				seed.Code = req.Code
				_, err := srv.SeedLeads(seed)
				require.NoError(t, err)
			}
			f := tc.fault
			f.Op = waiqin365.OpAddSalesLeads
			srv.Faults.Add(f)
			res, err := c.AddSalesLeads(ctx, req)
			tc.check(t, srv, sl, logs, waiqin365.OpAddSalesLeads, waiqin365.OpQuerySalesLeads, req.Code, err == nil && res.Resolved, err)
			if tc.noKey {
				assert.Len(t, srv.Leads(), 1, "the lead was created although the answer was lost")
			}
			if tc.resolved {
				require.NotNil(t, res.Lead)
				stored, _ := srv.Lead(req.Code)
				assert.Equal(t, stored.ID, string(res.Lead.ID), "the lead created, with its id")
				assert.Equal(t, req.CusName, res.Lead.CusName)
			}
		})
	}
}

func TestAddSalesLeadsForApaasResolvesALostAnswer(t *testing.T) {
	t.Parallel()
	sent := waiqin365test.Lead{Apaas: true, PoolName: "p", AllocationStatus: waiqin365.AllocationUnassigned, Name: "企业A", Linkman: "李四", Mobile: "18912804466"}
	for _, tc := range []resolveCase{
		// queries: the first listing, then the lookups.
		{name: "found at once", fault: lostAnswer, resolved: true, queries: 2, stored: 1},
		{name: "read-after-write lag: found on the third lookup", lag: 2, fault: lostAnswer, resolved: true, queries: 4, sleeps: 2, stored: 1},
		{name: "never visible in time", lag: 10, fault: lostAnswer, queries: 1 + core.ResolveLookups, sleeps: core.ResolveLookups - 1, stored: 1,
			msg: []string{"not found by its key after 4 lookups"}},
		{name: "not applied", fault: fake.Fault{Status: http.StatusBadGateway}, queries: 1 + core.ResolveLookups, sleeps: core.ResolveLookups - 1},
		// The fake refuses the duplicate; the older lead, same content and
		// all, was listed first and is never taken for the new one.
		{name: "an older lead with the same code and content", seed: &sent, fault: lostAnswer, queries: 1 + core.ResolveLookups,
			sleeps: core.ResolveLookups - 1, stored: 1},
		{name: "no code: no read at all", noKey: true, fault: lostAnswer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c, sl, logs := newResolvePair(t, tc.lag)
			req := &waiqin365.AddSalesLeadsForApaasRequest{Code: "RA-1", PoolName: sent.PoolName, AllocationStatus: sent.AllocationStatus,
				CompanyName: sent.Name, Linkman: sent.Linkman, Mobile: &waiqin365.Mobile{Phone: waiqin365.Text(sent.Mobile), Code: "86"}}
			if tc.noKey {
				req.Code = ""
			}
			var seeded string
			if tc.seed != nil {
				seed := *tc.seed
				seed.Code = req.Code
				ids, err := srv.SeedLeads(seed)
				require.NoError(t, err)
				seeded = ids[0]
			}
			f := tc.fault
			f.Op = waiqin365.OpAddSalesLeadsForApaas
			srv.Faults.Add(f)
			res, err := c.AddSalesLeadsForApaas(ctx, req)
			tc.check(t, srv, sl, logs, waiqin365.OpAddSalesLeadsForApaas, waiqin365.OpQuerySalesLeadsForApaas, req.Code, err == nil && res.Resolved, err)
			if tc.noKey {
				assert.Len(t, srv.Leads(), 1, "the lead was created although the answer was lost")
			}
			if tc.resolved {
				require.NotNil(t, res.Lead)
				stored, _ := srv.Lead(req.Code)
				assert.Equal(t, stored.ID, string(res.Lead.ID))
				assert.NotEqual(t, seeded, stored.ID)
			}
		})
	}
}

func TestAddSalesLeadsForApaasFirstListingFails(t *testing.T) {
	t.Parallel()
	srv, c, sl, _ := newResolvePair(t, 0)
	// The openid may not query (an authorized-API list without it): the
	// create is still sent, and a lost answer stays ambiguous.
	srv.Faults.Add(fake.Fault{Op: waiqin365.OpQuerySalesLeadsForApaas, Status: http.StatusForbidden},
		fake.Fault{Op: waiqin365.OpAddSalesLeadsForApaas, Reset: true, AfterApply: true})
	_, err := c.AddSalesLeadsForApaas(ctx, &waiqin365.AddSalesLeadsForApaasRequest{Code: "RA-2", CompanyName: "n"})
	require.ErrorIs(t, err, waiqin365.ErrAmbiguous)
	assert.Equal(t, 1, srv.Requests(waiqin365.OpQuerySalesLeadsForApaas), "no read back without the first listing")
	assert.Equal(t, 1, srv.Requests(waiqin365.OpAddSalesLeadsForApaas))
	assert.Empty(t, sl.Waits())
	_, stored := srv.Lead("RA-2")
	assert.True(t, stored)
}

func TestResolveStopsAtTheDeadline(t *testing.T) {
	t.Parallel()
	srv := waiqin365test.NewServer(waiqin365test.WithCredentials(testOpenID, testAppKey), waiqin365test.WithReadLag(10))
	t.Cleanup(srv.Close)
	// The real sleep, but no wait (half an hour) fits before the deadline:
	// one lookup, then the lookups stop.
	c, err := waiqin365.New(testOpenID, testAppKey, waiqin365.WithBaseURL(srv.URL), waiqin365.WithBackoff(time.Hour, time.Hour),
		core.WithRand(func() float64 { return 0.5 }))
	require.NoError(t, err)
	srv.Faults.Add(fake.Fault{Op: waiqin365.OpAddSalesLeads, Reset: true, AfterApply: true})
	dctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	start := time.Now()
	_, err = c.AddSalesLeads(dctx, &waiqin365.AddSalesLeadsRequest{PoolName: "p", Code: "R-deadline"})
	require.ErrorIs(t, err, waiqin365.ErrAmbiguous)
	assert.Less(t, time.Since(start), 30*time.Second, "no wait past the deadline")
	assert.Equal(t, 1, srv.Requests(waiqin365.OpQuerySalesLeads))
	assert.Contains(t, err.Error(), "not found by its key after 1 lookups")
}
