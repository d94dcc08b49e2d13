package weiling

import (
	"context"
	"iter"
	"net/http"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// Clue is a 手机号线索 as clue/list, clue/batch and the clue_add /
// clue_update events carry it. Members the SDK does not type are kept in
// Extra, verbatim.
type Clue struct {
	ClueID          string         `json:"clue_id"`
	UserName        string         `json:"user_name"`         // 线索名称
	Mobile          string         `json:"mobile"`            // 手机号
	ClueSource      Int            `json:"clue_source"`       // 来源
	FromChannelName string         `json:"from_channel_name"` // 来源-渠道名称, e.g. 其他-销售导入
	Level           string         `json:"level,omitempty"`   // e.g. "D"
	CorpName        string         `json:"corp_name"`         // 公司名称
	CorpAddress     string         `json:"corp_address"`      // 公司地址
	RegisterAddress string         `json:"register_address"`  // 公司注册地址
	LegalPerson     string         `json:"legal_person"`      // 公司法人
	Keyword         string         `json:"keyword"`           // 关键词
	Searchword      string         `json:"searchword"`        // 搜索词
	Region          string         `json:"region"`            // 所在区域
	PlanName        string         `json:"plan_name"`         // 推广计划
	GroupName       string         `json:"group_name"`        // 推广组
	Status          ClueStatus     `json:"status"`
	SeaID           string         `json:"sea_id"` // 公海id
	IsRepeat        Bool           `json:"is_repeat"`
	IsUseless       Bool           `json:"is_useless"` // 是否废弃 (discarded)
	CreateUserID    string         `json:"create_user_id"`
	CustomerID      string         `json:"customer_id,omitempty"` // 外部联系人 userid
	OwnerID         string         `json:"owner_id"`              // 线索归属人id
	URL             string         `json:"url"`                   // 访问页面
	Gender          Gender         `json:"gender"`
	Position        string         `json:"position"` // 职位
	PopulationSize  PopulationSize `json:"population_size"`
	Industry        string         `json:"industry"`    // 公司所属行业
	CreateTime      UnixMillis     `json:"create_time"` // ms; a string in clue/list, a number in events
	AddSource       *AddSource     `json:"add_source,omitempty"`
	CompanyList     []CompanyRef   `json:"company_list,omitempty"`
	// OtherCustomField is other_custom_field (custom data; its format is
	// not documented, kept as text).
	OtherCustomField Text `json:"other_custom_field,omitempty"`

	// Extra holds the members of the vendor's object that no field above
	// names (the clue-list example has 44 fields), verbatim.
	Extra Extra `json:"-"`
}

// UnmarshalJSON decodes the typed fields and keeps the other members in
// Extra, in one pass.
func (c *Clue) UnmarshalJSON(b []byte) error {
	type plain Clue
	return flex.UnmarshalObject(b, (*plain)(c), &c.Extra)
}

// MarshalJSON encodes the typed fields, then the members of Extra.
func (c Clue) MarshalJSON() ([]byte, error) {
	type plain Clue
	return flex.MarshalObject(plain(c), c.Extra)
}

// Created returns CreateTime as a time.
func (c *Clue) Created() time.Time { return flex.Millis(c.CreateTime) }

// ListCluesRequest is the query of GET /openapi/clue/list. A nil request
// asks for the first page without filters.
type ListCluesRequest struct {
	// Cursor is the cursor of the previous page; empty for the first page
	// (always sent).
	Cursor string `url:"cursor"`
	// Start returns clues created after this instant (sent as 13-digit ms);
	// the zero time sends no start.
	Start time.Time `url:"start,omitempty,unixmilli"`
	// OwnerID filters by owner (线索归属人id).
	OwnerID string `url:"owner_id,omitempty"`
	// Mobile filters by mobile number.
	Mobile string `url:"mobile,omitempty"`
}

// CluePage is one page of clue/list.
type CluePage struct {
	Clues []Clue `json:"clue_list"`
	// Cursor fetches the next page.
	Cursor string `json:"cursor"`
	// Done reports that this is the last page: the vendor answered 1006
	// (数据加载完毕), or returned no cursor or no clues.
	Done bool `json:"-"`
}

var (
	epListClues       = core.Endpoint{Op: "clue/list", Method: http.MethodGet, Path: "/openapi/clue/list"}
	epBatchGetClues   = core.Endpoint{Op: "clue/batch", Path: "/openapi/clue/batch"}
	epChangeClueOwner = core.Endpoint{Op: "clue/owner_change", Path: "/openapi/clue/owner_change"}
	epDisuseClues     = core.Endpoint{Op: "clue/disuse", Path: "/openapi/clue/disuse"}
	epUpdateClues     = core.Endpoint{Op: "clue/update", Path: "/openapi/clue/update"}
	epBackCluesToSea  = core.Endpoint{Op: "clue/back_to_sea", Path: "/openapi/clue/back_to_sea"}
	epRecoverClues    = core.Endpoint{Op: "clue/recover", Path: "/openapi/clue/recover"}
)

// ListClues fetches one page of clues (GET /openapi/clue/list). The list
// covers clues of 客户拓展, 客户管理 and 线索管理. When the vendor answers code
// 1006 (数据加载完毕) ListClues returns an empty page with Done set and no
// error. AllClues walks every page.
//
// Deprecated: weiling marks the 线索 APIs 即将废弃 (to be removed); new
// integrations should use ListContacts.
func (c *Client) ListClues(ctx context.Context, req *ListCluesRequest) (*CluePage, error) {
	if req == nil {
		req = &ListCluesRequest{}
	}
	if !req.Start.IsZero() && req.Start.UnixMilli() < 0 {
		return nil, core.InvalidParam(vendorName, epListClues.Op, "start %v is before 1970", req.Start)
	}
	var page CluePage
	if _, err := c.t.Call(ctx, epListClues, req, nil, &page); err != nil {
		if isEndOfData(err) {
			return &CluePage{Done: true}, nil
		}
		return nil, err
	}
	page.Done = page.Cursor == "" || len(page.Clues) == 0
	return &page, nil
}

// AllClues walks every page of clue/list from req.Cursor on, yielding each
// clue; it ends at code 1006, an empty cursor or an empty page, and yields
// an error once and stops if a page fails (or the vendor hands out a cursor
// it handed out before). req is not modified.
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use AllContacts.
func (c *Client) AllClues(ctx context.Context, req *ListCluesRequest) iter.Seq2[Clue, error] {
	return func(yield func(Clue, error) bool) {
		var r ListCluesRequest
		if req != nil {
			r = *req
		}
		next := cursorGuard()
		core.WalkCursor(ctx, vendorName, epListClues.Op, r.Cursor, func(ctx context.Context, cursor string) ([]Clue, string, error) {
			r.Cursor = cursor
			page, err := c.ListClues(ctx, &r)
			if err != nil {
				return nil, "", err
			}
			return page.Clues, next(cursor, page.Cursor, page.Done), nil
		}, yield)
	}
}

// cursorGuard returns the next cursor for core.WalkCursor: "" after the
// last page, and the current cursor again when the vendor hands out a
// cursor it handed out before (a cycle), which WalkCursor reports as
// ErrBadResponse after yielding the page.
func cursorGuard() func(cursor, next string, done bool) string {
	seen := map[string]bool{}
	return func(cursor, next string, done bool) string {
		if done {
			return ""
		}
		seen[cursor] = true
		if seen[next] {
			return cursor
		}
		return next
	}
}

// BatchGetCluesRequest is the body of POST /openapi/clue/batch.
type BatchGetCluesRequest struct {
	// ClueIDs are the clues to read (1 to 100).
	ClueIDs []string `json:"clue_ids"`
}

// BatchGetCluesResult is the answer of clue/batch: the clues found (unknown
// ids are simply missing).
type BatchGetCluesResult struct {
	Clues []Clue `json:"clue_list"`
}

// BatchGetClues returns the clues with the given ids (POST
// /openapi/clue/batch, at most 100 ids). Unknown ids are simply missing
// from the answer.
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use BatchGetContacts.
func (c *Client) BatchGetClues(ctx context.Context, req *BatchGetCluesRequest) (*BatchGetCluesResult, error) {
	if req == nil {
		return nil, core.NilRequest(vendorName, epBatchGetClues.Op)
	}
	if err := checkIDs(epBatchGetClues.Op, "clue_ids", req.ClueIDs, MaxBatch); err != nil {
		return nil, err
	}
	var res BatchGetCluesResult
	if _, err := c.t.Call(ctx, epBatchGetClues, nil, req, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// ChangeClueOwner transfers clues to new owners (POST
// /openapi/clue/owner_change, fewer than 100 per call). Clues still
// unclaimed in the public pool and discarded clues cannot be transferred.
// Items the vendor refuses come back in the result's Failed, and the error
// is then a *BatchError (the result is returned as well).
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use ChangeContactOwner.
func (c *Client) ChangeClueOwner(ctx context.Context, req *ChangeOwnerRequest) (*BatchResult, error) {
	if err := req.check(epChangeClueOwner.Op, MaxBatch-1); err != nil {
		return nil, err
	}
	return c.batchCall(ctx, epChangeClueOwner, &ownerChangeBody{ClueList: req.Changes, OperatorUserID: req.OperatorUserID})
}

// DisuseCluesRequest is the body of POST /openapi/clue/disuse.
type DisuseCluesRequest struct {
	// ClueIDs are the clues to discard (1 to 100).
	ClueIDs []string `json:"clue_ids"`
}

// DisuseClues discards (废弃) clues (POST /openapi/clue/disuse, at most 100
// ids). Per-item failures come back as for ChangeClueOwner.
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use DisuseContacts.
func (c *Client) DisuseClues(ctx context.Context, req *DisuseCluesRequest) (*BatchResult, error) {
	if req == nil {
		return nil, core.NilRequest(vendorName, epDisuseClues.Op)
	}
	if err := checkIDs(epDisuseClues.Op, "clue_ids", req.ClueIDs, MaxBatch); err != nil {
		return nil, err
	}
	return c.batchCall(ctx, epDisuseClues, req)
}

// ClueUpdate is one entry of clue/update. Empty fields are not sent (the
// vendor leaves them unchanged).
type ClueUpdate struct {
	ClueID   string `json:"clue_id"`
	UserName string `json:"user_name,omitempty"`
	Position string `json:"position,omitempty"`
	Gender   Gender `json:"gender,omitempty"`
	Age      int    `json:"age,omitempty"`
	WxID     string `json:"wx_id,omitempty"`
	QQ       string `json:"qq,omitempty"`
	Email    string `json:"email,omitempty"`
	Remark   string `json:"remark,omitempty"`
	// ClueCustomField holds custom fields keyed by their apiName: text
	// (< 50 chars) and long text (< 200) as strings, dates as 13-digit ms,
	// single-select as the option's label, multi-select as a list of labels.
	ClueCustomField map[string]any `json:"clue_custom_field,omitempty"`
}

// UpdateCluesRequest is the body of POST /openapi/clue/update.
type UpdateCluesRequest struct {
	// Clues are the updates, one per clue (at least one).
	Clues []ClueUpdate `json:"clue_list"`
}

// UpdateClues updates clues (POST /openapi/clue/update). Per-item failures
// come back as for ChangeClueOwner.
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use EditContact.
func (c *Client) UpdateClues(ctx context.Context, req *UpdateCluesRequest) (*BatchResult, error) {
	const op = "clue/update"
	if req == nil || len(req.Clues) == 0 {
		return nil, core.InvalidParam(vendorName, op, "at least one clue is required")
	}
	for i, u := range req.Clues {
		if strings.TrimSpace(u.ClueID) == "" {
			return nil, core.InvalidParam(vendorName, op, "clue_list[%d].clue_id is required", i)
		}
		if err := checkGenderAge(op, u.Gender, u.Age); err != nil {
			return nil, err
		}
	}
	return c.batchCall(ctx, epUpdateClues, req)
}

// checkGenderAge validates the documented gender enum and a sane age.
func checkGenderAge(op string, g Gender, age int) error {
	if g < GenderUnset || g > GenderFemale {
		return core.InvalidParam(vendorName, op, "gender %d: must be 0, 1 or 2", g)
	}
	if age < 0 {
		return core.InvalidParam(vendorName, op, "age %d is negative", age)
	}
	return nil
}

// BackCluesToSeaRequest is the body of POST /openapi/clue/back_to_sea.
type BackCluesToSeaRequest struct {
	// ClueIDs are the clues to return (at least one).
	ClueIDs []string `json:"clue_ids"`
	// SeaID names the public pool (empty: not sent).
	SeaID string `json:"sea_id,omitempty"`
}

// BackCluesToSea returns clues to a public pool (POST
// /openapi/clue/back_to_sea). The result lists failures and successes;
// failures also come back as a *BatchError.
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use BackContactsToSea.
func (c *Client) BackCluesToSea(ctx context.Context, req *BackCluesToSeaRequest) (*BatchResult, error) {
	if req == nil {
		return nil, core.NilRequest(vendorName, epBackCluesToSea.Op)
	}
	if err := checkIDs(epBackCluesToSea.Op, "clue_ids", req.ClueIDs, 0); err != nil {
		return nil, err
	}
	return c.batchCall(ctx, epBackCluesToSea, req)
}

// RecoverCluesRequest is the body of POST /openapi/clue/recover.
type RecoverCluesRequest struct {
	// ClueIDs are the discarded clues to restore (at least one).
	ClueIDs []string `json:"clue_ids"`
}

// RecoverClues restores discarded clues (POST /openapi/clue/recover). The
// result lists failures and successes; failures also come back as a
// *BatchError.
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use RecoverContacts.
func (c *Client) RecoverClues(ctx context.Context, req *RecoverCluesRequest) (*BatchResult, error) {
	if req == nil {
		return nil, core.NilRequest(vendorName, epRecoverClues.Op)
	}
	if err := checkIDs(epRecoverClues.Op, "clue_ids", req.ClueIDs, 0); err != nil {
		return nil, err
	}
	return c.batchCall(ctx, epRecoverClues, req)
}
