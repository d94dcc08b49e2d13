package wshoto_test

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
	"github.com/cluekit/cluekit/wshoto"
	"github.com/cluekit/cluekit/wshoto/wshototest"
)

// TestCreateCluePoolResolvesALostAnswer: a pool create whose answer is lost
// is found by its name, among the pools that were not there before.
func TestCreateCluePoolResolvesALostAnswer(t *testing.T) {
	t.Parallel()
	const name = "华东线索池"
	lost := fake.Fault{Op: "cluepool/create", Reset: true, AfterApply: true}
	sent := wshototest.Pool{Name: name, UserID: wshototest.StaffID, RecycleRuleType: wshoto.RecycleAuto}
	other := sent
	other.UserID = "wovvCXcAAAOtherStaffId0000000000"
	tests := []struct {
		name string
		lag  int
		seed []wshototest.Pool
		// otherFirst is created through the API (by another writer) just
		// before the call.
		otherFirst *wshototest.Pool
		faults     []fake.Fault

		resolved bool
		lists    int // cluepool/list requests: the first listing, then the lookups
		sleeps   int
		named    int      // pools of that name afterwards
		msg      []string // the error's text contains
	}{
		{name: "found at once", faults: []fake.Fault{lost}, resolved: true, lists: 2, named: 1},
		{name: "503 after apply", faults: []fake.Fault{{Op: "cluepool/create", Status: http.StatusServiceUnavailable, AfterApply: true}},
			resolved: true, lists: 2, named: 1},
		{name: "read-after-write lag: found on the third lookup", lag: 2, faults: []fake.Fault{lost}, resolved: true, lists: 4, sleeps: 2, named: 1},
		{name: "never visible in time", lag: 10, faults: []fake.Fault{lost}, lists: 1 + core.ResolveLookups, sleeps: core.ResolveLookups - 1, named: 1,
			msg: []string{"not found by its key after 4 lookups"}},
		{name: "not applied", faults: []fake.Fault{{Op: "cluepool/create", Status: http.StatusBadGateway}},
			lists: 1 + core.ResolveLookups, sleeps: core.ResolveLookups - 1, msg: []string{"HTTP 502"}},
		// wshoto does not refuse a second pool of the same name: the older
		// one (same settings and all) was listed first and is never taken
		// for the new one.
		{name: "an older pool of the same name and settings", seed: []wshototest.Pool{sent}, faults: []fake.Fault{lost},
			resolved: true, lists: 2, named: 2},
		{name: "an older pool, the create not applied", seed: []wshototest.Pool{sent},
			faults: []fake.Fault{{Op: "cluepool/create", Status: http.StatusGatewayTimeout}},
			lists:  1 + core.ResolveLookups, sleeps: core.ResolveLookups - 1, named: 1, msg: []string{"not found by its key"}},
		// Another writer's pool of that name, created just before and
		// missed by the first listing (lag), differs in its settings.
		{name: "a new pool of that name with other settings is not ours", lag: 1, otherFirst: &other,
			faults: []fake.Fault{{Op: "cluepool/create", Status: http.StatusBadGateway}},
			lists:  2 + core.ResolveLookups, sleeps: core.ResolveLookups - 1, named: 1, msg: []string{"not found by its key"}},
		{name: "pools not listed first: not read back", faults: []fake.Fault{{Op: "cluepool/list", Status: http.StatusForbidden}, lost},
			lists: 1, named: 1, msg: []string{"outcome unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := wshototest.NewServer(wshototest.WithReadLag(tt.lag))
			t.Cleanup(srv.Close)
			sl := &testkit.Sleeper{}
			logger, logs := testkit.Logger()
			c, err := wshoto.New(srv.AppID, srv.AppSecret, wshoto.WithBaseURL(srv.URL), wshoto.WithLogger(logger),
				core.WithSleep(sl.Sleep), core.WithRand(func() float64 { return 0.5 }))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err = c.AccessToken(ctx)
			require.NoError(t, err)
			seeded := map[string]bool{}
			for _, p := range tt.seed {
				seeded[srv.SeedPool(p)] = true
			}
			creates := 1
			if o := tt.otherFirst; o != nil {
				_, err := c.CreateCluePool(ctx, &wshoto.CreateCluePoolRequest{UserID: o.UserID, CluePoolName: o.Name, RecycleRuleType: int(o.RecycleRuleType)})
				require.NoError(t, err)
				creates++
			}
			srv.Faults.Add(tt.faults...)

			res, err := c.CreateCluePool(ctx, &wshoto.CreateCluePoolRequest{UserID: sent.UserID, CluePoolName: name, RecycleRuleType: int(sent.RecycleRuleType)})

			assert.Equal(t, creates, srv.Requests("cluepool/create"), "a create is sent once")
			assert.Equal(t, tt.lists, srv.Requests("cluepool/list"))
			assert.Len(t, sl.Waits(), tt.sleeps)
			named := 0
			for _, id := range srv.PoolIDs() {
				if p, _ := srv.Pool(id); p.Name == name {
					named++
				}
			}
			assert.Equal(t, tt.named, named)
			if tt.resolved {
				require.NoError(t, err)
				assert.True(t, res.Resolved)
				p, ok := srv.Pool(string(res.ID))
				require.True(t, ok)
				assert.Equal(t, name, p.Name)
				assert.False(t, seeded[string(res.ID)], "a pool that was there before is never reported as ours")
			} else {
				require.ErrorIs(t, err, wshoto.ErrAmbiguous)
				for _, m := range tt.msg {
					assert.Contains(t, err.Error(), m)
				}
				testkit.NoSecrets(t, err.Error(), srv.AppSecret, srv.CurrentToken())
			}
			testkit.NoSecrets(t, logs.String(), srv.AppSecret, srv.CurrentToken())
		})
	}
}
