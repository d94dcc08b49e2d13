package wshoto

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"sort"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// ClueState is the state of a clue (线索状态).
type ClueState int

// Clue states, as documented for clue/page.
const (
	ClueStateUnassigned       ClueState = 0 // 未分配
	ClueStateToBeAdded        ClueState = 1 // 待添加
	ClueStateAwaitingApproval ClueState = 2 // 待通过
	ClueStateToBeLinked       ClueState = 3 // 待关联
	ClueStateLocked           ClueState = 4 // 已锁定
	ClueStateConverted        ClueState = 5 // 已转化
)

// UnmarshalJSON accepts a number or a numeric string.
func (s *ClueState) UnmarshalJSON(b []byte) error {
	var v flex.Int64
	if err := v.UnmarshalJSON(b); err != nil {
		return err
	}
	*s = ClueState(v)
	return nil
}

// Clue is one clue as clue/page returns it.
type Clue struct {
	ClueID       ID     `json:"clue_id"`
	ClueName     string `json:"clue_name"`
	MobilePhone  Text   `json:"mobile_phone"`
	ClueCorpName string `json:"clue_corp_name"`
	// TagList holds the clue's tags (tagId/tagName in clue/page, tag_id/tag_name in clue/info).
	TagList               []Tag     `json:"tag_list"`
	State                 ClueState `json:"state"`
	FollowUserID          string    `json:"follow_user_id"` // 跟进人 staff id
	CluePoolID            ID        `json:"clue_pool_id"`
	CluePoolName          string    `json:"clue_pool_name"`
	AccessCustomerChannel string    `json:"access_customer_channel"` // 获客渠道, "一级-二级-三级"
	Area                  string    `json:"area"`                    // "湖北省-武汉市-洪山区"
	// Description is the clue's 描述, written by EditClueRequest.Remark.
	Description             string    `json:"description"`
	RecoveryNum             Int       `json:"recovery_num"`               // times returned/recycled
	RecoveryRemark          string    `json:"recovery_remark"`            // return reason text
	RecoveryRemarkType      string    `json:"recovery_remark_type"`       // return reason codes, comma-separated
	RecoveryRemarkInputText string    `json:"recovery_remark_input_text"` // reason typed by the user
	CreateUserID            string    `json:"create_user_id"`
	GmtCreate               Timestamp `json:"gmt_create"` // creation time, epoch seconds
	// FieldMap holds custom fields (mf_clue_N...): text as string, options as
	// arrays of {"name","id"} objects; numbers are json.Number.
	FieldMap map[string]any `json:"field_map"`
}

// ClueDetail is one clue as clue/info returns it: the list fields plus
// detail-only ones.
type ClueDetail struct {
	Clue
	MergeUserID string    `json:"merge_user_id"`
	Gender      string    `json:"gender"`   // a label such as "男"/"女" (EditClue sends "0"/"1")
	Birthday    Timestamp `json:"birthday"` // epoch seconds (ms if above 1e12)
	Email       string    `json:"email"`
	Address     string    `json:"address"`
	// BusinessTags holds the business tags; the vendor example sends a single
	// object, which decodes as one element.
	BusinessTags []BusinessTag `json:"business_tags"`
}

// UnmarshalJSON accepts business_tags as an object or an array.
func (d *ClueDetail) UnmarshalJSON(b []byte) error {
	type plain ClueDetail
	var w struct {
		plain
		BusinessTags lenientList[BusinessTag] `json:"business_tags"`
	}
	if err := flex.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = ClueDetail(w.plain)
	d.BusinessTags = []BusinessTag(w.BusinessTags)
	return nil
}

// BusinessTag is one business tag (业务标签) of a clue.
type BusinessTag struct {
	GroupID         string `json:"group_id"`
	GroupName       string `json:"group_name"`
	TagName         string `json:"tag_name"`
	TagID           string `json:"tag_id"`
	Type            Int    `json:"type"`
	StrategyID      Int    `json:"strategy_id"`
	ManageGroupName string `json:"manage_group_name"`
}

// Keys of update_specified_fields: the JSON keys of EditClueRequest. Custom
// fields are listed by their own keys (mf_clue_N).
const (
	FieldClueName              = "clue_name"
	FieldClueCorpName          = "clue_corp_name"
	FieldCluePoolID            = "clue_pool_id"
	FieldFollowUserID          = "follow_user_id"
	FieldLabel                 = "label"
	FieldGender                = "gender"
	FieldBirthday              = "birthday"
	FieldEmail                 = "email"
	FieldArea                  = "area"
	FieldAreaCode              = "area_code"
	FieldAccessCustomerChannel = "access_customer_channel"
	FieldRemark                = "remark"
	FieldWorkID                = "work_id"
	FieldCoopModeType          = "coop_mode_type"
	FieldUin                   = "uin"
	FieldEncryptFlag           = "encrypt_flag"
	FieldAddress               = "address"
	FieldBusinessTagIDs        = "business_tag_ids"
)

// Gender values for EditClueRequest.Gender.
const (
	GenderMale   = "0" // 男
	GenderFemale = "1" // 女
)

// Encryption flags for EditClueRequest.EncryptFlag.
const (
	EncryptNo  = 0 // 不加密 (default)
	EncryptYes = 1 // 加密
)

// EditClueRequest edits one clue (POST /openapi/crm/clue/edit).
//
// wshoto clears the stored value of every optional field that is sent empty,
// and edits ALL fields when update_specified_fields is absent or empty. This
// type makes accidental clearing impossible:
//
//   - The five required fields are plain fields and always sent.
//   - Every optional field is a pointer: nil leaves the stored value
//     unchanged (the field is neither sent nor listed); a non-nil pointer
//     changes it. To clear a value on purpose, point at the zero value:
//     Remark: wshoto.Ptr("") clears the description, Birthday:
//     wshoto.Ptr(time.Time{}) clears the birthday.
//   - The SDK always sends a non-empty update_specified_fields listing
//     exactly the keys being changed: the set optional fields, the FieldMap
//     keys, and the required fields marked with ApplyClueName,
//     ApplyFollowUserID or ApplyCluePoolID. A request that changes nothing
//     is rejected with ErrInvalidParam before any network call, since an
//     empty list would edit (and clear) everything.
//
// Example, changing only the description and one custom field:
//
//	err := c.EditClue(ctx, &wshoto.EditClueRequest{
//		ClueID: id, ClueName: name, CluePoolID: pool, FollowUserID: staff, UserID: staff,
//		Remark:   wshoto.Ptr("回访过"),
//		FieldMap: map[string]any{"mf_clue_1": "3234"},
//	}) // update_specified_fields: ["remark","mf_clue_1"]
type EditClueRequest struct {
	// Required, always sent. They are applied only when listed in
	// update_specified_fields (see the Apply flags).
	ClueID       ID     // 线索id
	ClueName     string // 线索名称
	CluePoolID   ID     // 线索池id
	FollowUserID string // 跟进人id (staff id of the assigned person)
	UserID       string // 用户id (the operator)

	// ApplyClueName, ApplyFollowUserID and ApplyCluePoolID list the
	// required field in update_specified_fields, so its value is written
	// (rename, reassign, move).
	ApplyClueName     bool
	ApplyFollowUserID bool
	ApplyCluePoolID   bool

	// Optional: nil = unchanged; Ptr(zero value) = clear on purpose.
	ClueCorpName          *string    // 线索企业名称
	Label                 *string    // 标签: tag IDs, comma-separated
	Gender                *string    // GenderMale ("0") or GenderFemale ("1"); "" clears
	Birthday              *time.Time // sent as epoch seconds; the zero time sends null (clears)
	Email                 *string    // 邮箱
	Area                  *string    // 地区, "湖北省-武汉市-武昌区"
	AreaCode              *string    // 地区码 (deprecated by wshoto: send Area in Chinese)
	AccessCustomerChannel *string    // 获客渠道, the cascade labels "一级-二级-三级"
	Remark                *string    // 描述 (read back as Clue.Description)
	// WorkID is the 工单ID. How wshoto spells an "empty" int is not
	// documented; Ptr(0) sends 0.
	WorkID *int
	// CoopModeType appears only in the vendor's example ("1"), undocumented.
	CoopModeType   *string
	Uin            *string // 第三方线索id
	EncryptFlag    *int    // EncryptNo (0) or EncryptYes (1)
	Address        *string // 详细地址
	BusinessTagIDs *string // 业务标签ID集合, comma-separated

	// FieldMap sets custom fields, each listed in update_specified_fields
	// under its own key: single-select → the option ID, multi-select or
	// cascade → an array of option IDs, text → the text.
	FieldMap map[string]any
}

// editClueWire is the exact body, in the vendor example's key order.
type editClueWire struct {
	ClueID                ID              `json:"clue_id"`
	ClueName              string          `json:"clue_name"`
	ClueCorpName          *string         `json:"clue_corp_name,omitempty"`
	CluePoolID            ID              `json:"clue_pool_id"`
	FollowUserID          string          `json:"follow_user_id"`
	Label                 *string         `json:"label,omitempty"`
	Gender                *string         `json:"gender,omitempty"`
	Birthday              json.RawMessage `json:"birthday,omitempty"`
	Email                 *string         `json:"email,omitempty"`
	Area                  *string         `json:"area,omitempty"`
	AreaCode              *string         `json:"area_code,omitempty"`
	AccessCustomerChannel *string         `json:"access_customer_channel,omitempty"`
	Remark                *string         `json:"remark,omitempty"`
	WorkID                *int            `json:"work_id,omitempty"`
	CoopModeType          *string         `json:"coop_mode_type,omitempty"`
	UserID                string          `json:"user_id"`
	Uin                   *string         `json:"uin,omitempty"`
	EncryptFlag           *int            `json:"encrypt_flag,omitempty"`
	FieldMap              map[string]any  `json:"field_map,omitempty"`
	Address               *string         `json:"address,omitempty"`
	BusinessTagIDs        *string         `json:"business_tag_ids,omitempty"`
	UpdateSpecifiedFields []string        `json:"update_specified_fields"`
}

var standardClueKeys = map[string]bool{
	"clue_id": true, FieldClueName: true, FieldClueCorpName: true, FieldCluePoolID: true, FieldFollowUserID: true,
	FieldLabel: true, FieldGender: true, FieldBirthday: true, FieldEmail: true, FieldArea: true, FieldAreaCode: true,
	FieldAccessCustomerChannel: true, FieldRemark: true, FieldWorkID: true, FieldCoopModeType: true, "user_id": true,
	FieldUin: true, FieldEncryptFlag: true, "field_map": true, FieldAddress: true, FieldBusinessTagIDs: true,
	"update_specified_fields": true,
}

const opEditClue = "clue/edit"

// wire validates r and builds the exact body.
func (r *EditClueRequest) wire() (*editClueWire, error) {
	op := opEditClue
	if r == nil {
		return nil, core.InvalidParam(vendorName, op, "request is nil")
	}
	if err := checkID(op, "clue_id", r.ClueID); err != nil {
		return nil, err
	}
	if err := checkID(op, "clue_pool_id", r.CluePoolID); err != nil {
		return nil, err
	}
	for _, f := range []struct{ name, v string }{{"clue_name", r.ClueName}, {"follow_user_id", r.FollowUserID}, {"user_id", r.UserID}} {
		if f.v == "" {
			return nil, core.InvalidParam(vendorName, op, "%s is required", f.name)
		}
	}
	if r.Gender != nil && *r.Gender != "" && *r.Gender != GenderMale && *r.Gender != GenderFemale {
		return nil, core.InvalidParam(vendorName, op, "gender must be %q, %q or \"\" (clear)", GenderMale, GenderFemale)
	}
	if r.EncryptFlag != nil && *r.EncryptFlag != EncryptNo && *r.EncryptFlag != EncryptYes {
		return nil, core.InvalidParam(vendorName, op, "encrypt_flag must be 0 or 1")
	}
	w := &editClueWire{
		ClueID: r.ClueID, ClueName: r.ClueName, CluePoolID: r.CluePoolID, FollowUserID: r.FollowUserID, UserID: r.UserID,
		ClueCorpName: r.ClueCorpName, Label: r.Label, Gender: r.Gender, Email: r.Email, Area: r.Area, AreaCode: r.AreaCode,
		AccessCustomerChannel: r.AccessCustomerChannel, Remark: r.Remark, WorkID: r.WorkID, CoopModeType: r.CoopModeType,
		Uin: r.Uin, EncryptFlag: r.EncryptFlag, Address: r.Address, BusinessTagIDs: r.BusinessTagIDs,
	}
	if r.Birthday != nil {
		if r.Birthday.IsZero() {
			w.Birthday = json.RawMessage("null")
		} else {
			w.Birthday, _ = json.Marshal(r.Birthday.Unix())
		}
	}
	var keys []string
	add := func(set bool, key string) {
		if set {
			keys = append(keys, key)
		}
	}
	add(r.ApplyClueName, FieldClueName)
	add(r.ClueCorpName != nil, FieldClueCorpName)
	add(r.ApplyCluePoolID, FieldCluePoolID)
	add(r.ApplyFollowUserID, FieldFollowUserID)
	add(r.Label != nil, FieldLabel)
	add(r.Gender != nil, FieldGender)
	add(r.Birthday != nil, FieldBirthday)
	add(r.Email != nil, FieldEmail)
	add(r.Area != nil, FieldArea)
	add(r.AreaCode != nil, FieldAreaCode)
	add(r.AccessCustomerChannel != nil, FieldAccessCustomerChannel)
	add(r.Remark != nil, FieldRemark)
	add(r.WorkID != nil, FieldWorkID)
	add(r.CoopModeType != nil, FieldCoopModeType)
	add(r.Uin != nil, FieldUin)
	add(r.EncryptFlag != nil, FieldEncryptFlag)
	add(r.Address != nil, FieldAddress)
	add(r.BusinessTagIDs != nil, FieldBusinessTagIDs)
	if len(r.FieldMap) > 0 {
		custom := make([]string, 0, len(r.FieldMap))
		for k := range r.FieldMap {
			if k == "" {
				return nil, core.InvalidParam(vendorName, op, "field_map has an empty key")
			}
			if standardClueKeys[k] {
				return nil, core.InvalidParam(vendorName, op, "field_map key %q is a standard field: use its own field", k)
			}
			custom = append(custom, k)
		}
		sort.Strings(custom)
		keys = append(keys, custom...)
		w.FieldMap = r.FieldMap
	}
	if len(keys) == 0 {
		// An empty update_specified_fields means "edit every field" to
		// wshoto, which would clear every optional field: refuse.
		return nil, core.InvalidParam(vendorName, op, "nothing to edit: set an optional field, a FieldMap key or an Apply flag")
	}
	w.UpdateSpecifiedFields = keys
	return w, nil
}

// EditClue edits one clue, changing only the fields the request sets (see
// EditClueRequest). It returns an error when wshoto answers data=false.
func (c *Client) EditClue(ctx context.Context, req *EditClueRequest) error {
	w, err := req.wire()
	if err != nil {
		return err
	}
	var ok json.RawMessage
	if err := c.call(ctx, opEditClue, "/openapi/crm/clue/edit", w, false, &ok); err != nil {
		return err
	}
	if bytes.Equal(bytes.TrimSpace(ok), []byte("false")) {
		return core.NewAPIError(vendorName, opEditClue, 200, "0", "edit not applied (data=false)", "", nil)
	}
	return nil
}

// Tag filters of ListCluesRequest.TagRelationType.
const (
	TagRelationAny  = 1 // 满足任意标签: any of TagIDs
	TagRelationAll  = 2 // 满足所有标签: all of TagIDs
	TagRelationNone = 3 // 无标签: clues without tags
)

// MaxPageSize is the largest page_size wshoto accepts.
const MaxPageSize = 100

// ListCluesRequest filters the clue list (POST /openapi/crm/clue/page). Zero
// values are not sent, except the paging fields, which default to page 1
// and 20 items.
type ListCluesRequest struct {
	FollowUserID string // 跟进人 staff id
	// StartTime and EndTime bound the creation time; sent as epoch
	// milliseconds, as in the vendor's example.
	StartTime, EndTime time.Time
	CurrentIndex       int         // page number, from 1 (default 1)
	PageSize           int         // default 20, at most MaxPageSize
	States             []ClueState // any of these states
	CluePoolIDs        []ID
	TagRelationType    int    // TagRelationAny, TagRelationAll or TagRelationNone
	TagIDs             string // tag ids, comma-separated
}

type listCluesWire struct {
	FollowUserID    string      `json:"follow_user_id,omitempty"`
	StartTime       *int64      `json:"start_time,omitempty"`
	EndTime         *int64      `json:"end_time,omitempty"`
	CurrentIndex    int         `json:"current_index"`
	PageSize        int         `json:"page_size"`
	States          []ClueState `json:"states,omitempty"`
	CluePoolIDs     []ID        `json:"clue_pool_ids,omitempty"`
	TagRelationType int         `json:"tag_relation_type,omitempty"`
	TagIDs          string      `json:"tag_ids,omitempty"`
}

const opListClues = "clue/page"

func checkPage(op string, index, size int) error {
	if index < 0 {
		return core.InvalidParam(vendorName, op, "current_index must be >= 1")
	}
	if size < 0 || size > MaxPageSize {
		return core.InvalidParam(vendorName, op, "page_size must be between 1 and %d", MaxPageSize)
	}
	return nil
}

func (r *ListCluesRequest) wire() (*listCluesWire, error) {
	op := opListClues
	if r == nil {
		r = &ListCluesRequest{}
	}
	if err := checkPage(op, r.CurrentIndex, r.PageSize); err != nil {
		return nil, err
	}
	for _, s := range r.States {
		if s < ClueStateUnassigned || s > ClueStateConverted {
			return nil, core.InvalidParam(vendorName, op, "state %d is not one of 0..5", s)
		}
	}
	for _, id := range r.CluePoolIDs {
		if err := checkID(op, "clue_pool_ids", id); err != nil {
			return nil, err
		}
	}
	if r.TagRelationType != 0 && (r.TagRelationType < TagRelationAny || r.TagRelationType > TagRelationNone) {
		return nil, core.InvalidParam(vendorName, op, "tag_relation_type must be 1, 2 or 3")
	}
	if !r.StartTime.IsZero() && !r.EndTime.IsZero() && r.EndTime.Before(r.StartTime) {
		return nil, core.InvalidParam(vendorName, op, "end_time is before start_time")
	}
	w := &listCluesWire{FollowUserID: r.FollowUserID, CurrentIndex: max(r.CurrentIndex, 1), PageSize: r.PageSize,
		States: r.States, CluePoolIDs: r.CluePoolIDs, TagRelationType: r.TagRelationType, TagIDs: r.TagIDs}
	if w.PageSize == 0 {
		w.PageSize = 20
	}
	if !r.StartTime.IsZero() {
		ms := r.StartTime.UnixMilli()
		w.StartTime = &ms
	}
	if !r.EndTime.IsZero() {
		ms := r.EndTime.UnixMilli()
		w.EndTime = &ms
	}
	return w, nil
}

// clueListData decodes the clue/page data: documented as an array; an
// object {total, records} is accepted too.
type clueListData []Clue

func (d *clueListData) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var w struct {
			Records []Clue `json:"records"`
		}
		if err := flex.Unmarshal(b, &w); err != nil {
			return err
		}
		*d = w.Records
		return nil
	}
	var list []Clue
	if err := flex.Unmarshal(b, &list); err != nil {
		return err
	}
	*d = list
	return nil
}

// ListClues returns one page of clues. wshoto documents no total count: a
// page shorter than PageSize is the last one (AllClues walks them all).
func (c *Client) ListClues(ctx context.Context, req *ListCluesRequest) ([]Clue, error) {
	w, err := req.wire()
	if err != nil {
		return nil, err
	}
	var data clueListData
	if err := c.call(ctx, opListClues, "/openapi/crm/clue/page", w, false, &data); err != nil {
		return nil, err
	}
	return []Clue(data), nil
}

// AllClues walks every page of the clue list, from req.CurrentIndex (default
// 1) with req.PageSize (default MaxPageSize), until a page comes back shorter
// than the page size. It stops when the caller stops, and yields an error
// once, then ends.
func (c *Client) AllClues(ctx context.Context, req *ListCluesRequest) iter.Seq2[Clue, error] {
	return func(yield func(Clue, error) bool) {
		r := ListCluesRequest{}
		if req != nil {
			r = *req
			r.States = append([]ClueState(nil), req.States...)
			r.CluePoolIDs = append([]ID(nil), req.CluePoolIDs...)
		}
		if r.PageSize == 0 {
			r.PageSize = MaxPageSize
		}
		core.WalkPages(ctx, vendorName, opListClues, r.CurrentIndex, r.PageSize, func(ctx context.Context, n int) ([]Clue, bool, error) {
			r.CurrentIndex = n
			page, err := c.ListClues(ctx, &r)
			return page, false, err
		}, func(cl Clue) string { return string(cl.ClueID) }, yield)
	}
}

// GetClueRequest asks for one clue (POST /openapi/crm/clue/info).
type GetClueRequest struct {
	ClueID ID `json:"clue_id"` // required
}

const opGetClue = "clue/info"

// GetClue returns one clue with its detail fields.
func (c *Client) GetClue(ctx context.Context, req *GetClueRequest) (*ClueDetail, error) {
	if req == nil {
		return nil, core.InvalidParam(vendorName, opGetClue, "request is nil")
	}
	if err := checkID(opGetClue, "clue_id", req.ClueID); err != nil {
		return nil, err
	}
	var d *ClueDetail
	if err := c.call(ctx, opGetClue, "/openapi/crm/clue/info", req, false, &d); err != nil {
		return nil, err
	}
	if d == nil {
		return nil, core.NewAPIError(vendorName, opGetClue, 200, "0", "no clue in answer", "", nil, core.ErrNotFound)
	}
	return d, nil
}

// BatchReturnCluesRequest returns clues to their original pool (POST
// /openapi/crm/clue/batch/return). The pool's lock settings apply: without
// a lock period a clue becomes 待分配, with one 已锁定; recovery_num grows by
// one. wshoto states no cap on IDs.
type BatchReturnCluesRequest struct {
	IDs                []ID   `json:"ids"`                            // required: clue ids
	UserID             string `json:"user_id"`                        // required: the operator
	RecoveryRemarkType string `json:"recovery_remark_type,omitempty"` // reason codes, comma-separated ("3407f1c1,f079702c")
	RecoveryRemark     string `json:"recovery_remark,omitempty"`      // free-text reason
}

// BatchReturnResult reports a batch return. Partial success is normal: a
// nil error does not mean every clue was returned; check Failed and Items.
type BatchReturnResult struct {
	Success int64             // clues returned
	Failed  int64             // clues not returned
	Items   []BatchReturnItem // per-clue results (wshoto lists failures, and may list successes)
}

// BatchReturnItem is one clue's result.
type BatchReturnItem struct {
	ClueID  string // as wshoto sends it (a JSON string)
	Reason  string // why it failed, e.g. "线索不存在"
	Success bool
}

// FailedItems returns the items that were not returned.
func (r *BatchReturnResult) FailedItems() []BatchReturnItem {
	var out []BatchReturnItem
	for _, it := range r.Items {
		if !it.Success {
			out = append(out, it)
		}
	}
	return out
}

type batchReturnData struct {
	Success Int `json:"success"`
	Failed  Int `json:"failed"`
	Items   []struct {
		ClueID  flex.String `json:"clue_id"`
		Reason  textOrList  `json:"reason"`
		Success Bool        `json:"success"`
	} `json:"result_items"`
}

const opBatchReturn = "clue/batch/return"

// BatchReturnClues returns clues to their pools. It changes state and
// counters, so it is treated as non-idempotent: never retried once the
// request may have reached wshoto (such a failure matches ErrAmbiguous).
func (c *Client) BatchReturnClues(ctx context.Context, req *BatchReturnCluesRequest) (*BatchReturnResult, error) {
	op := opBatchReturn
	if req == nil {
		return nil, core.InvalidParam(vendorName, op, "request is nil")
	}
	if len(req.IDs) == 0 {
		return nil, core.InvalidParam(vendorName, op, "ids is required")
	}
	for _, id := range req.IDs {
		if err := checkID(op, "ids", id); err != nil {
			return nil, err
		}
	}
	if req.UserID == "" {
		return nil, core.InvalidParam(vendorName, op, "user_id is required")
	}
	var raw json.RawMessage
	if err := c.call(ctx, op, "/openapi/crm/clue/batch/return", req, true, &raw); err != nil {
		return nil, err
	}
	res := &BatchReturnResult{}
	switch b := bytes.TrimSpace(raw); {
	case len(b) == 0:
	case string(b) == "true":
		res.Success = int64(len(req.IDs))
	case string(b) == "false":
		return nil, core.NewAPIError(vendorName, op, 200, "0", "return not applied (data=false)", "", nil)
	default:
		var d batchReturnData
		if err := flex.Unmarshal(b, &d); err != nil {
			return nil, core.NewAPIError(vendorName, op, 200, "0", "cannot decode data", "", err, core.ErrBadResponse)
		}
		res.Success, res.Failed = int64(d.Success), int64(d.Failed)
		for _, it := range d.Items {
			res.Items = append(res.Items, BatchReturnItem{ClueID: string(it.ClueID), Reason: string(it.Reason), Success: bool(it.Success)})
		}
	}
	return res, nil
}
