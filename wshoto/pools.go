package wshoto

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"

	"github.com/cluekit/cluekit/internal/core"
)

var (
	epListPools  = core.Endpoint{Op: "cluepool/list", Path: "/openapi/crm/cluepool/list"}
	epCreatePool = core.Endpoint{Op: "cluepool/create", Path: "/openapi/crm/cluepool/create", Create: true}
	epEditPool   = core.Endpoint{Op: "cluepool/edit", Path: "/openapi/crm/cluepool/edit"}
)

// Recycle rules (线索回收规则类型) of a clue pool.
const (
	RecycleNone = 0 // 不自动回收 (default)
	RecycleAuto = 1 // 自动回收
)

// Distribution rules (分配规则) of a clue pool.
const (
	DistributeManual = 0 // 手动分配型 (default)
	DistributeAuto   = 1 // 自动分配型
	DistributeClaim  = 2 // 主动领取型
)

// Documented caps of the clue pool lists.
const (
	MaxGroupIDs      = 20  // group_ids
	MaxDistributeIDs = 100 // distribute_dept_ids, distribute_user_ids (each)
)

// CluePool is one pool as cluepool/list returns it.
type CluePool struct {
	ID              NumericID `json:"id"`
	CluePoolName    string    `json:"clue_pool_name"`
	ClueNum         Int       `json:"clue_num"` // 线索客户数; wshoto sends it as a string ("562")
	RecycleRuleType Int       `json:"recycle_rule_type"`
	IsDefaultPool   Bool      `json:"is_default_pool"`
	MainDepartment  Text      `json:"main_department"` // 主部门id
	ReceiveRule     Text      `json:"receive_rule"`    // 分配规则, a label such as "管理员分配"
	CreateUserID    string    `json:"create_user_id"`
}

// ListCluePoolsRequest filters the pool list (POST /openapi/crm/cluepool/list).
// Every field is optional; zero values are not sent (wshoto defaults to
// page 1 and 20 items).
type ListCluePoolsRequest struct {
	CluePoolName string `json:"clue_pool_name,omitempty"`
	CurrentIndex int    `json:"current_index,omitempty"`
	PageSize     int    `json:"page_size,omitempty"` // at most MaxPageSize
}

// CluePoolPage is one page of pools.
type CluePoolPage struct {
	Total   Int        `json:"total"` // pools matching the filter
	Records []CluePool `json:"records"`
	// CurrentIndex is the page number of this page; NextIndex the page to
	// fetch next, or 0 when this page is the last (Total reached, or
	// shorter than the page size).
	CurrentIndex int `json:"-"`
	NextIndex    int `json:"-"`
}

// ListCluePools returns one page of clue pools and the total count.
func (c *Client) ListCluePools(ctx context.Context, req *ListCluePoolsRequest) (*CluePoolPage, error) {
	if req == nil {
		req = &ListCluePoolsRequest{}
	}
	if err := checkPage(epListPools.Op, req.CurrentIndex, req.PageSize); err != nil {
		return nil, err
	}
	var page CluePoolPage
	if _, err := c.t.Call(ctx, epListPools, nil, req, &page); err != nil {
		return nil, err
	}
	page.CurrentIndex = max(req.CurrentIndex, 1)
	size := req.PageSize
	if size == 0 {
		size = defaultPageSize
	}
	page.NextIndex = nextIndex(page.CurrentIndex, size, len(page.Records), int64(page.Total))
	return &page, nil
}

// AllCluePools walks every page of the pool list (page size req.PageSize,
// default MaxPageSize) until total is reached or a page comes back short. It
// stops when the caller stops, and yields an error once, then ends.
func (c *Client) AllCluePools(ctx context.Context, req *ListCluePoolsRequest) iter.Seq2[CluePool, error] {
	return func(yield func(CluePool, error) bool) {
		r := ListCluePoolsRequest{}
		if req != nil {
			r = *req
		}
		if r.PageSize == 0 {
			r.PageSize = MaxPageSize
		}
		core.WalkPages(ctx, vendorName, epListPools.Op, r.CurrentIndex, r.PageSize, func(ctx context.Context, n int) ([]CluePool, bool, error) {
			r.CurrentIndex = n
			page, err := c.ListCluePools(ctx, &r)
			if err != nil {
				return nil, false, err
			}
			return page.Records, page.NextIndex == 0, nil
		}, func(p CluePool) string { return string(p.ID) }, yield)
	}
}

// CreateCluePoolRequest creates a clue pool (POST /openapi/crm/cluepool/create).
type CreateCluePoolRequest struct {
	UserID          string `json:"user_id,omitempty"` // the operator
	CluePoolName    string `json:"clue_pool_name"`
	RecycleRuleType int    `json:"recycle_rule_type"` // RecycleNone or RecycleAuto
	// SetRecycleDays: recycle a clue whose follower has not added the
	// customer as a WeCom friend within N days (only with RecycleAuto). When
	// both day fields are empty wshoto uses 7.
	SetRecycleDays int `json:"set_recycle_days,omitempty"`
	// GroupIDs are the 管理组 ids, at most MaxGroupIDs (default: the super
	// admin group).
	GroupIDs           []string `json:"group_ids,omitempty"`
	DistributeRuleType int      `json:"distribute_rule_type"` // DistributeManual, DistributeAuto or DistributeClaim
	// DistributeDeptIDs and DistributeUserIDs are the visible departments and
	// staff, at most MaxDistributeIDs each; one of them is required with
	// DistributeAuto and DistributeClaim.
	DistributeDeptIDs []string `json:"distribute_dept_ids,omitempty"`
	DistributeUserIDs []string `json:"distribute_user_ids,omitempty"`
	// NotFollowRecycleDays: recycle a clue not followed up within N days
	// (only with RecycleAuto).
	NotFollowRecycleDays int `json:"not_follow_recycle_days,omitempty"`
}

// CreateCluePoolResult reports a created pool.
type CreateCluePoolResult struct {
	// ID is the new pool's id; "" if wshoto answered without one.
	ID NumericID
	// Resolved reports that the create's answer was lost (ErrAmbiguous)
	// and the pool was found by its name instead (see CreateCluePool); ID
	// is then the id of the pool found.
	Resolved bool
}

// UnmarshalJSON decodes the created id: documented as a bare long; a string
// of digits or an object {"id": ...} is accepted too.
func (r *CreateCluePoolResult) UnmarshalJSON(b []byte) error {
	id, err := createdID(b)
	if err != nil {
		return shapeError(b, r)
	}
	r.ID = id
	return nil
}

// createdID reads the id a create returns: a bare long, a string of digits
// or an object {"id": ...}; null gives "".
func createdID(b []byte) (NumericID, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var w struct {
			ID NumericID `json:"id"`
		}
		if err := json.Unmarshal(b, &w); err != nil {
			return "", err
		}
		return w.ID, nil
	}
	var id NumericID
	if err := id.UnmarshalJSON(b); err != nil {
		return "", err
	}
	return id, nil
}

func checkPoolRules(op string, recycle, distribute *int, groups, depts, users []string, setDays, notFollowDays *int) error {
	if recycle != nil && *recycle != RecycleNone && *recycle != RecycleAuto {
		return core.InvalidParam(vendorName, op, "recycle_rule_type must be 0 or 1")
	}
	if distribute != nil && (*distribute < DistributeManual || *distribute > DistributeClaim) {
		return core.InvalidParam(vendorName, op, "distribute_rule_type must be 0, 1 or 2")
	}
	if len(groups) > MaxGroupIDs {
		return core.InvalidParam(vendorName, op, "group_ids has %d ids, at most %d", len(groups), MaxGroupIDs)
	}
	if len(depts) > MaxDistributeIDs {
		return core.InvalidParam(vendorName, op, "distribute_dept_ids has %d ids, at most %d", len(depts), MaxDistributeIDs)
	}
	if len(users) > MaxDistributeIDs {
		return core.InvalidParam(vendorName, op, "distribute_user_ids has %d ids, at most %d", len(users), MaxDistributeIDs)
	}
	if distribute != nil && *distribute != DistributeManual && len(depts) == 0 && len(users) == 0 {
		return core.InvalidParam(vendorName, op, "distribute_rule_type %d needs distribute_dept_ids or distribute_user_ids", *distribute)
	}
	if (setDays != nil && *setDays < 0) || (notFollowDays != nil && *notFollowDays < 0) {
		return core.InvalidParam(vendorName, op, "recycle days must not be negative")
	}
	return nil
}

func (r *CreateCluePoolRequest) validate() error {
	if r == nil {
		return core.NilRequest(vendorName, epCreatePool.Op)
	}
	return checkPoolRules(epCreatePool.Op, &r.RecycleRuleType, &r.DistributeRuleType, r.GroupIDs, r.DistributeDeptIDs, r.DistributeUserIDs, &r.SetRecycleDays, &r.NotFollowRecycleDays)
}

// CreateCluePool creates a pool and returns its id. It is never retried
// once the request may have reached wshoto. wshoto documents no way to
// delete a pool.
//
// Resolution: wshoto does not document that pool names are unique (nor
// that a duplicate name is refused), so a pool found by name after a lost
// answer could be an older one. When the request has a CluePoolName the
// SDK therefore first lists the pools of that name (cluepool/list with
// clue_pool_name, exact matches kept: one extra read per create, before
// it is sent); when the outcome is then unknown (ErrAmbiguous) it lists
// them again (up to 4 times with the client's backoff,
// within ctx) and returns, with Resolved set, the one pool of that name
// that was not there before, with the recycle_rule_type sent and, when
// both are known, create_user_id = user_id. Two such pools, none, or a
// failed first listing (the create is then sent without it) leave the
// error ErrAmbiguous. The case it cannot tell: another writer's pool of
// the same name and settings, created just before the call but not yet
// visible to the first listing.
func (c *Client) CreateCluePool(ctx context.Context, req *CreateCluePoolRequest) (*CreateCluePoolResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	var before map[NumericID]bool // the pools of that name before the call (nil: unknown)
	if req.CluePoolName != "" {
		before = c.poolsNamed(ctx, req.CluePoolName)
	}
	var res CreateCluePoolResult
	_, err := c.t.Call(ctx, epCreatePool, nil, req, &res)
	if err == nil {
		return &res, nil
	}
	if before == nil {
		return nil, err
	}
	pool, ok, err := core.Resolve(ctx, c.t, err, func(ctx context.Context) (*CluePool, bool, error) {
		var found *CluePool
		for p, err := range c.AllCluePools(ctx, &ListCluePoolsRequest{CluePoolName: req.CluePoolName}) {
			if err != nil {
				return nil, false, err
			}
			if p.CluePoolName != req.CluePoolName || before[p.ID] || !req.sent(&p) {
				continue
			}
			if found != nil {
				return nil, false, fmt.Errorf("pools %s and %s are both new under the name %q with the settings sent", found.ID, p.ID, req.CluePoolName)
			}
			found = &p
		}
		return found, found != nil, nil
	})
	if !ok {
		return nil, err
	}
	return &CreateCluePoolResult{ID: pool.ID, Resolved: true}, nil
}

// poolsNamed returns the ids of the pools called name, or nil when they
// could not be listed.
func (c *Client) poolsNamed(ctx context.Context, name string) map[NumericID]bool {
	ids := map[NumericID]bool{}
	for p, err := range c.AllCluePools(ctx, &ListCluePoolsRequest{CluePoolName: name}) {
		if err != nil {
			return nil
		}
		if p.CluePoolName == name {
			ids[p.ID] = true
		}
	}
	return ids
}

// sent reports whether a pool listed carries the settings of the request
// that the list shows.
func (r *CreateCluePoolRequest) sent(p *CluePool) bool {
	if int64(p.RecycleRuleType) != int64(r.RecycleRuleType) {
		return false
	}
	return r.UserID == "" || p.CreateUserID == "" || r.UserID == p.CreateUserID
}

// EditCluePoolRequest edits a pool (POST /openapi/crm/cluepool/edit). ID,
// UserID, CluePoolName and RecycleRuleType are required (the vendor's page
// marks them so). Optional fields are pointers or nil slices, not sent when
// nil; whether wshoto keeps or clears fields that are not sent is not
// documented, so send every field you need to keep.
type EditCluePoolRequest struct {
	ID                   NumericID `json:"id"`
	UserID               string    `json:"user_id"`
	CluePoolName         string    `json:"clue_pool_name"`
	RecycleRuleType      int       `json:"recycle_rule_type"` // RecycleNone or RecycleAuto
	SetRecycleDays       *int      `json:"set_recycle_days,omitempty"`
	GroupIDs             []string  `json:"group_ids,omitempty"`            // at most MaxGroupIDs
	DistributeRuleType   *int      `json:"distribute_rule_type,omitempty"` // with DistributeAuto/DistributeClaim, dept or user ids are required
	DistributeDeptIDs    []string  `json:"distribute_dept_ids,omitempty"`  // at most MaxDistributeIDs
	DistributeUserIDs    []string  `json:"distribute_user_ids,omitempty"`  // at most MaxDistributeIDs
	NotFollowRecycleDays *int      `json:"not_follow_recycle_days,omitempty"`
}

// EditCluePoolResult reports an applied pool edit (wshoto answered
// data=true).
type EditCluePoolResult struct {
	ID NumericID // the pool edited
}

func (r *EditCluePoolRequest) validate() error {
	op := epEditPool.Op
	if r == nil {
		return core.NilRequest(vendorName, op)
	}
	if err := checkID(op, "id", r.ID); err != nil {
		return err
	}
	if r.UserID == "" {
		return core.InvalidParam(vendorName, op, "user_id is required")
	}
	if r.CluePoolName == "" {
		return core.InvalidParam(vendorName, op, "clue_pool_name is required")
	}
	return checkPoolRules(op, &r.RecycleRuleType, r.DistributeRuleType, r.GroupIDs, r.DistributeDeptIDs, r.DistributeUserIDs, r.SetRecycleDays, r.NotFollowRecycleDays)
}

// EditCluePool edits a pool. An answer of data=false is an error.
func (c *Client) EditCluePool(ctx context.Context, req *EditCluePoolRequest) (*EditCluePoolResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	var ok applied
	if _, err := c.t.Call(ctx, epEditPool, nil, req, &ok); err != nil {
		return nil, err
	}
	if ok.refused {
		return nil, notApplied(epEditPool.Op, "edit")
	}
	return &EditCluePoolResult{ID: req.ID}, nil
}
