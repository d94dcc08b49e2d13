package wshoto

import (
	"bytes"
	"context"
	"encoding/json"
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
		return core.InvalidParam(vendorName, epCreatePool.Op, "request is nil")
	}
	return checkPoolRules(epCreatePool.Op, &r.RecycleRuleType, &r.DistributeRuleType, r.GroupIDs, r.DistributeDeptIDs, r.DistributeUserIDs, &r.SetRecycleDays, &r.NotFollowRecycleDays)
}

// CreateCluePool creates a pool and returns its id. It is never retried once
// the request may have reached wshoto (such a failure matches ErrAmbiguous:
// look the pool up by name with AllCluePools before creating again). wshoto
// documents no way to delete a pool.
func (c *Client) CreateCluePool(ctx context.Context, req *CreateCluePoolRequest) (*CreateCluePoolResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	var res CreateCluePoolResult
	if _, err := c.t.Call(ctx, epCreatePool, nil, req, &res); err != nil {
		return nil, err
	}
	return &res, nil
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
		return core.InvalidParam(vendorName, op, "request is nil")
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
