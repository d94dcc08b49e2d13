package weiling

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// MaxBatch is the most ids the batch endpoints take in one call
// (clue/batch, clue/disuse, contact/batch, contact/disuse, contact/recover:
// ≤ 100; clue/owner_change: < 100).
const MaxBatch = 100

// Clue is a 手机号线索 as clue/list, clue/batch and the clue_add /
// clue_update events carry it. Members the SDK does not type are kept in
// Extra, verbatim.
type Clue struct {
	ClueID          string          `json:"clue_id"`
	UserName        string          `json:"user_name"`         // 线索名称
	Mobile          string          `json:"mobile"`            // 手机号
	ClueSource      flex.Int64      `json:"clue_source"`       // 来源
	FromChannelName string          `json:"from_channel_name"` // 来源-渠道名称, e.g. 其他-销售导入
	Level           string          `json:"level,omitempty"`   // e.g. "D"
	CorpName        string          `json:"corp_name"`         // 公司名称
	CorpAddress     string          `json:"corp_address"`      // 公司地址
	RegisterAddress string          `json:"register_address"`  // 公司注册地址
	LegalPerson     string          `json:"legal_person"`      // 公司法人
	Keyword         string          `json:"keyword"`           // 关键词
	Searchword      string          `json:"searchword"`        // 搜索词
	Region          string          `json:"region"`            // 所在区域
	PlanName        string          `json:"plan_name"`         // 推广计划
	GroupName       string          `json:"group_name"`        // 推广组
	Status          ClueStatus      `json:"status"`
	SeaID           string          `json:"sea_id"` // 公海id
	IsRepeat        flex.Bool       `json:"is_repeat"`
	IsUseless       flex.Bool       `json:"is_useless"` // 是否废弃 (discarded)
	CreateUserID    string          `json:"create_user_id"`
	CustomerID      string          `json:"customer_id,omitempty"` // 外部联系人 userid
	OwnerID         string          `json:"owner_id"`              // 线索归属人id
	URL             string          `json:"url"`                   // 访问页面
	Gender          Gender          `json:"gender"`
	Position        string          `json:"position"` // 职位
	PopulationSize  PopulationSize  `json:"population_size"`
	Industry        string          `json:"industry"`    // 公司所属行业
	CreateTime      flex.UnixMillis `json:"create_time"` // ms; a string in clue/list, a number in events
	AddSource       *AddSource      `json:"add_source,omitempty"`
	CompanyList     []CompanyRef    `json:"company_list,omitempty"`
	// OtherCustomField is other_custom_field (custom data; its format is
	// not documented, kept as text).
	OtherCustomField Text `json:"other_custom_field,omitempty"`

	// Extra holds the members of the vendor's object that no field above
	// names (the clue-list example has 44 fields), verbatim.
	Extra map[string]json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the typed fields and keeps the rest in Extra.
func (c *Clue) UnmarshalJSON(b []byte) error {
	type plain Clue
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	extra, err := extraFields(b, reflect.TypeFor[plain]())
	if err != nil {
		return err
	}
	p.Extra = extra
	*c = Clue(p)
	return nil
}

// Created returns CreateTime as a time.
func (c *Clue) Created() time.Time { return flex.Millis(c.CreateTime) }

// ListCluesRequest is the query of GET /openapi/clue/list.
type ListCluesRequest struct {
	// Cursor is the cursor of the previous page; empty for the first page.
	Cursor string
	// Start returns clues created after this instant (sent as 13-digit ms);
	// the zero time sends no start.
	Start time.Time
	// OwnerID filters by owner (线索归属人id).
	OwnerID string
	// Mobile filters by mobile number.
	Mobile string
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

// ListClues fetches one page of clues (GET /openapi/clue/list). The list
// covers clues of 客户拓展, 客户管理 and 线索管理. When the vendor answers code
// 1006 (数据加载完毕) ListClues returns an empty page with Done set and no
// error. AllClues walks every page.
//
// Deprecated: weiling marks the 线索 APIs 即将废弃 (to be removed); new
// integrations should use ListContacts.
func (c *Client) ListClues(ctx context.Context, req *ListCluesRequest) (*CluePage, error) {
	const op = "clue/list"
	if req == nil {
		req = &ListCluesRequest{}
	}
	q := url.Values{}
	q.Set("cursor", req.Cursor)
	if !req.Start.IsZero() {
		if req.Start.UnixMilli() < 0 {
			return nil, core.InvalidParam(vendorName, op, "start %v is before 1970", req.Start)
		}
		q.Set("start", strconv.FormatInt(req.Start.UnixMilli(), 10))
	}
	if req.OwnerID != "" {
		q.Set("owner_id", req.OwnerID)
	}
	if req.Mobile != "" {
		q.Set("mobile", req.Mobile)
	}
	var page CluePage
	if _, err := c.call(ctx, op, http.MethodGet, q, nil, false, &page); err != nil {
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
// an error once and stops if a page fails (or the vendor repeats a cursor).
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use AllContacts.
func (c *Client) AllClues(ctx context.Context, req *ListCluesRequest) iter.Seq2[Clue, error] {
	return func(yield func(Clue, error) bool) {
		r := ListCluesRequest{}
		if req != nil {
			r = *req
		}
		seen := map[string]bool{}
		for {
			page, err := c.ListClues(ctx, &r)
			if err != nil {
				yield(Clue{}, err)
				return
			}
			for _, cl := range page.Clues {
				if !yield(cl, nil) {
					return
				}
			}
			if page.Done {
				return
			}
			if seen[page.Cursor] {
				yield(Clue{}, cursorLoop("clue/list"))
				return
			}
			seen[page.Cursor] = true
			r.Cursor = page.Cursor
		}
	}
}

// cursorLoop is the error of a vendor that hands out a cursor twice.
func cursorLoop(op string) error {
	return core.NewAPIError(vendorName, op, 0, "", "the vendor returned a cursor it had returned before", "", nil, core.ErrBadResponse)
}

// checkIDs validates a list of ids: at least one, at most max (0 = no
// documented maximum), none empty.
func checkIDs(op, name string, ids []string, max int) error {
	if len(ids) == 0 {
		return core.InvalidParam(vendorName, op, "%s: at least one id is required", name)
	}
	if max > 0 && len(ids) > max {
		return core.InvalidParam(vendorName, op, "%s: %d ids, at most %d per call", name, len(ids), max)
	}
	for i, id := range ids {
		if strings.TrimSpace(id) == "" {
			return core.InvalidParam(vendorName, op, "%s[%d] is empty", name, i)
		}
	}
	return nil
}

// BatchGetClues returns the clues with the given ids (POST
// /openapi/clue/batch, at most 100 ids). Unknown ids are simply missing
// from the answer.
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use BatchGetContacts.
func (c *Client) BatchGetClues(ctx context.Context, clueIDs []string) ([]Clue, error) {
	const op = "clue/batch"
	if err := checkIDs(op, "clue_ids", clueIDs, MaxBatch); err != nil {
		return nil, err
	}
	var out struct {
		Clues []Clue `json:"clue_list"`
	}
	if _, err := c.call(ctx, op, http.MethodPost, nil, map[string]any{"clue_ids": clueIDs}, false, &out); err != nil {
		return nil, err
	}
	return out.Clues, nil
}

// OwnerChange is one entry of an owner change: the record and its new
// owner.
type OwnerChange struct {
	ID      string `json:"id"`
	OwnerID string `json:"owner_id"`
}

// ChangeOwnerRequest is the body of clue/owner_change and
// contact/owner_change.
type ChangeOwnerRequest struct {
	// Changes lists the records and their new owners (clue_list or
	// contact_list on the wire).
	Changes []OwnerChange
	// OperatorUserID is the acting user (operator_user_id, as the vendor's
	// example spells it; the schema table says op_user_id).
	OperatorUserID string
}

func (r *ChangeOwnerRequest) check(op string, max int) error {
	if r == nil || len(r.Changes) == 0 {
		return core.InvalidParam(vendorName, op, "at least one change is required")
	}
	if max > 0 && len(r.Changes) > max {
		return core.InvalidParam(vendorName, op, "%d changes, at most %d per call", len(r.Changes), max)
	}
	for i, ch := range r.Changes {
		if strings.TrimSpace(ch.ID) == "" || strings.TrimSpace(ch.OwnerID) == "" {
			return core.InvalidParam(vendorName, op, "change %d: id and owner_id are required", i)
		}
	}
	return nil
}

// ownerChangeBody is the wire body; listKey is clue_list or contact_list.
func (r *ChangeOwnerRequest) body(listKey string) map[string]any {
	b := map[string]any{listKey: r.Changes}
	if r.OperatorUserID != "" {
		b["operator_user_id"] = r.OperatorUserID
	}
	return b
}

// batchCall runs a batch endpoint and returns its result, plus a
// *BatchError when some items failed.
func (c *Client) batchCall(ctx context.Context, op string, body any) (*BatchResult, error) {
	var res BatchResult
	if _, err := c.call(ctx, op, http.MethodPost, nil, body, false, &res); err != nil {
		return nil, err
	}
	return &res, batchErr(op, &res)
}

// ChangeClueOwner transfers clues to new owners (POST
// /openapi/clue/owner_change, fewer than 100 per call). Clues still
// unclaimed in the public pool and discarded clues cannot be transferred.
// Items the vendor rejects come back in the result's FailList, and the
// error is then a *BatchError (the result is returned as well).
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use ChangeContactOwner.
func (c *Client) ChangeClueOwner(ctx context.Context, req *ChangeOwnerRequest) (*BatchResult, error) {
	const op = "clue/owner_change"
	if err := req.check(op, MaxBatch-1); err != nil {
		return nil, err
	}
	return c.batchCall(ctx, op, req.body("clue_list"))
}

// DisuseClues discards (废弃) clues (POST /openapi/clue/disuse, at most 100
// ids). Per-item failures come back as for ChangeClueOwner.
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use DisuseContacts.
func (c *Client) DisuseClues(ctx context.Context, clueIDs []string) (*BatchResult, error) {
	const op = "clue/disuse"
	if err := checkIDs(op, "clue_ids", clueIDs, MaxBatch); err != nil {
		return nil, err
	}
	return c.batchCall(ctx, op, map[string]any{"clue_ids": clueIDs})
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

// UpdateClues updates clues (POST /openapi/clue/update). Per-item failures
// come back as for ChangeClueOwner.
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use EditContact.
func (c *Client) UpdateClues(ctx context.Context, updates []ClueUpdate) (*BatchResult, error) {
	const op = "clue/update"
	if len(updates) == 0 {
		return nil, core.InvalidParam(vendorName, op, "at least one clue is required")
	}
	for i, u := range updates {
		if strings.TrimSpace(u.ClueID) == "" {
			return nil, core.InvalidParam(vendorName, op, "clue_list[%d].clue_id is required", i)
		}
		if err := checkGenderAge(op, u.Gender, u.Age); err != nil {
			return nil, err
		}
	}
	return c.batchCall(ctx, op, map[string]any{"clue_list": updates})
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

// BackCluesToSea returns clues to a public pool (POST
// /openapi/clue/back_to_sea); seaID names the pool (empty: not sent). The
// result lists failures and successes; failures also come back as a
// *BatchError.
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use BackContactsToSea.
func (c *Client) BackCluesToSea(ctx context.Context, clueIDs []string, seaID string) (*BatchResult, error) {
	const op = "clue/back_to_sea"
	if err := checkIDs(op, "clue_ids", clueIDs, 0); err != nil {
		return nil, err
	}
	body := map[string]any{"clue_ids": clueIDs}
	if seaID != "" {
		body["sea_id"] = seaID
	}
	return c.batchCall(ctx, op, body)
}

// RecoverClues restores discarded clues (POST /openapi/clue/recover). The
// result lists failures and successes; failures also come back as a
// *BatchError.
//
// Deprecated: weiling marks the 线索 APIs 即将废弃; use RecoverContacts.
func (c *Client) RecoverClues(ctx context.Context, clueIDs []string) (*BatchResult, error) {
	const op = "clue/recover"
	if err := checkIDs(op, "clue_ids", clueIDs, 0); err != nil {
		return nil, err
	}
	return c.batchCall(ctx, op, map[string]any{"clue_ids": clueIDs})
}
