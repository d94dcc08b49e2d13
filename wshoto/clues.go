package wshoto

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

var (
	epEditClue    = core.Endpoint{Op: "clue/edit", Path: "/openapi/crm/clue/edit"}
	epListClues   = core.Endpoint{Op: "clue/page", Path: "/openapi/crm/clue/page"}
	epGetClue     = core.Endpoint{Op: "clue/info", Path: "/openapi/crm/clue/info"}
	epBatchReturn = core.Endpoint{Op: "clue/batch/return", Path: "/openapi/crm/clue/batch/return", Create: true}
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
	ClueID       NumericID `json:"clue_id"`
	ClueName     string    `json:"clue_name"`
	MobilePhone  Text      `json:"mobile_phone"`
	ClueCorpName string    `json:"clue_corp_name"`
	// TagList holds the clue's tags (tagId/tagName in clue/page, tag_id/tag_name in clue/info).
	TagList               []Tag     `json:"tag_list"`
	State                 ClueState `json:"state"`
	FollowUserID          string    `json:"follow_user_id"` // 跟进人 staff id
	CluePoolID            NumericID `json:"clue_pool_id"`
	CluePoolName          string    `json:"clue_pool_name"`
	AccessCustomerChannel string    `json:"access_customer_channel"` // 获客渠道, "一级-二级-三级"
	Area                  string    `json:"area"`                    // "湖北省-武汉市-洪山区"
	// Description is the clue's 描述, written by EditClueRequest.Remark.
	Description             string `json:"description"`
	RecoveryNum             Int    `json:"recovery_num"`               // times returned/recycled
	RecoveryRemark          string `json:"recovery_remark"`            // return reason text
	RecoveryRemarkType      string `json:"recovery_remark_type"`       // return reason codes, comma-separated
	RecoveryRemarkInputText string `json:"recovery_remark_input_text"` // reason typed by the user
	CreateUserID            string `json:"create_user_id"`
	GmtCreate               Time   `json:"gmt_create"` // creation time (wshoto sends epoch seconds)
	// FieldMap holds custom fields (mf_clue_N...): text as string, options as
	// arrays of {"name","id"} objects; numbers are json.Number.
	FieldMap Map `json:"field_map"`
}

// ClueDetail is one clue as clue/info returns it: the list fields plus
// detail-only ones.
type ClueDetail struct {
	Clue
	MergeUserID string `json:"merge_user_id"`
	Gender      string `json:"gender"`   // a label such as "男"/"女" (EditClue sends "0"/"1")
	Birthday    Time   `json:"birthday"` // wshoto sends epoch seconds (ms if above 1e12)
	Email       string `json:"email"`
	Address     string `json:"address"`
	// BusinessTags holds the business tags; the vendor example sends a single
	// object, which decodes as one element.
	BusinessTags []BusinessTag `json:"business_tags"`
}

// UnmarshalJSON accepts business_tags as an object or an array.
func (d *ClueDetail) UnmarshalJSON(b []byte) error {
	type plain ClueDetail
	var w struct {
		plain
		BusinessTags flex.List[BusinessTag] `json:"business_tags"`
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
// wshoto clears the stored value of every optional field that is sent empty
// ("如果为空则会清空"), and edits ALL fields when update_specified_fields is
// absent or empty. This type makes accidental clearing impossible:
//
//   - The five required fields are plain fields and always sent.
//   - Every optional field is a pointer: nil leaves the stored value
//     unchanged (the field is neither sent nor listed); a non-nil pointer
//     changes it. To clear a text value on purpose, point at "":
//     Remark: wshoto.Ptr("") sends "remark":"". Birthday:
//     wshoto.Ptr(time.Time{}) sends "birthday":null, clearing it.
//   - WorkID and EncryptFlag are integers whose 0 is a real value
//     (EncryptNo), so clearing them is a flag of its own: ClearWorkID and
//     ClearEncryptFlag send "work_id":null and "encrypt_flag":null, listed
//     in update_specified_fields. Setting a value and its Clear flag
//     together is an ErrInvalidParam error.
//   - The SDK always sends a non-empty update_specified_fields listing
//     exactly the keys being changed: the set optional fields, the FieldMap
//     keys, and the required fields marked with ApplyClueName,
//     ApplyFollowUserID or ApplyCluePoolID. A request that changes nothing
//     is rejected with ErrInvalidParam before any network call, since an
//     empty list would edit (and clear) everything.
//
// Example, changing only the description and one custom field:
//
//	res, err := c.EditClue(ctx, &wshoto.EditClueRequest{
//		ClueID: id, ClueName: name, CluePoolID: pool, FollowUserID: staff, UserID: staff,
//		Remark:   wshoto.Ptr("回访过"),
//		FieldMap: map[string]any{"mf_clue_1": "3234"},
//	}) // update_specified_fields: ["remark","mf_clue_1"]
type EditClueRequest struct {
	// Required, always sent. They are applied only when listed in
	// update_specified_fields (see the Apply flags).
	ClueID       NumericID // 线索id
	ClueName     string    // 线索名称
	CluePoolID   NumericID // 线索池id
	FollowUserID string    // 跟进人id (staff id of the assigned person)
	UserID       string    // 用户id (the operator)

	// ApplyClueName, ApplyFollowUserID and ApplyCluePoolID list the
	// required field in update_specified_fields, so its value is written
	// (rename, reassign, move).
	ApplyClueName     bool
	ApplyFollowUserID bool
	ApplyCluePoolID   bool

	// Optional: nil = unchanged; Ptr(value) = changed; Ptr("") = cleared.
	ClueCorpName *string // 线索企业名称
	Label        *string // 标签: tag IDs, comma-separated
	Gender       *string // GenderMale ("0") or GenderFemale ("1"); "" clears
	// Birthday is sent in epoch seconds, the unit of wshoto's field table
	// ("秒级时间戳", e.g. 1285904160), although the vendor's own example
	// sends milliseconds; set BirthdayInMillis to send milliseconds. The
	// zero time sends null, clearing the birthday.
	Birthday *time.Time
	// BirthdayInMillis sends Birthday in epoch milliseconds, as the
	// vendor's example does, instead of seconds.
	BirthdayInMillis      bool
	Email                 *string // 邮箱
	Area                  *string // 地区, "湖北省-武汉市-武昌区"
	AreaCode              *string // 地区码 (deprecated by wshoto: send Area in Chinese)
	AccessCustomerChannel *string // 获客渠道, the cascade labels "一级-二级-三级"
	Remark                *string // 描述 (read back as Clue.Description)
	// WorkID is the 工单ID; Ptr(0) sends 0. ClearWorkID sends null instead,
	// which wshoto documents as clearing it.
	WorkID      *int
	ClearWorkID bool
	// CoopModeType appears only in the vendor's example ("1"), undocumented.
	CoopModeType *string
	Uin          *string // 第三方线索id
	// EncryptFlag is EncryptNo (0) or EncryptYes (1). ClearEncryptFlag sends
	// null instead, which wshoto documents as clearing it.
	EncryptFlag      *int
	ClearEncryptFlag bool
	Address          *string // 详细地址
	BusinessTagIDs   *string // 业务标签ID集合, comma-separated

	// FieldMap sets custom fields, each listed in update_specified_fields
	// under its own key: single-select → the option ID, multi-select or
	// cascade → an array of option IDs, text → the text.
	FieldMap map[string]any
}

// EditClueResult reports an applied edit (wshoto answered data=true).
type EditClueResult struct {
	// Fields lists the keys sent in update_specified_fields: exactly the
	// fields wshoto was asked to change.
	Fields []string
}

// editClueWire is the exact body, in the vendor example's key order.
type editClueWire struct {
	ClueID                NumericID       `json:"clue_id"`
	ClueName              string          `json:"clue_name"`
	ClueCorpName          *string         `json:"clue_corp_name,omitempty"`
	CluePoolID            NumericID       `json:"clue_pool_id"`
	FollowUserID          string          `json:"follow_user_id"`
	Label                 *string         `json:"label,omitempty"`
	Gender                *string         `json:"gender,omitempty"`
	Birthday              json.RawMessage `json:"birthday,omitempty"`
	Email                 *string         `json:"email,omitempty"`
	Area                  *string         `json:"area,omitempty"`
	AreaCode              *string         `json:"area_code,omitempty"`
	AccessCustomerChannel *string         `json:"access_customer_channel,omitempty"`
	Remark                *string         `json:"remark,omitempty"`
	WorkID                json.RawMessage `json:"work_id,omitempty"`
	CoopModeType          *string         `json:"coop_mode_type,omitempty"`
	UserID                string          `json:"user_id"`
	Uin                   *string         `json:"uin,omitempty"`
	EncryptFlag           json.RawMessage `json:"encrypt_flag,omitempty"`
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

// validate checks the documented rules.
func (r *EditClueRequest) validate() error {
	op := epEditClue.Op
	if r == nil {
		return core.NilRequest(vendorName, op)
	}
	if err := checkID(op, "clue_id", r.ClueID); err != nil {
		return err
	}
	if err := checkID(op, "clue_pool_id", r.CluePoolID); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"clue_name", r.ClueName}, {"follow_user_id", r.FollowUserID}, {"user_id", r.UserID}} {
		if f.v == "" {
			return core.InvalidParam(vendorName, op, "%s is required", f.name)
		}
	}
	if r.Gender != nil && *r.Gender != "" && *r.Gender != GenderMale && *r.Gender != GenderFemale {
		return core.InvalidParam(vendorName, op, "gender must be %q, %q or \"\" (clear)", GenderMale, GenderFemale)
	}
	if r.EncryptFlag != nil && *r.EncryptFlag != EncryptNo && *r.EncryptFlag != EncryptYes {
		return core.InvalidParam(vendorName, op, "encrypt_flag must be 0 or 1")
	}
	if r.WorkID != nil && r.ClearWorkID {
		return core.InvalidParam(vendorName, op, "set WorkID or ClearWorkID, not both")
	}
	if r.EncryptFlag != nil && r.ClearEncryptFlag {
		return core.InvalidParam(vendorName, op, "set EncryptFlag or ClearEncryptFlag, not both")
	}
	for k := range r.FieldMap {
		if k == "" {
			return core.InvalidParam(vendorName, op, "field_map has an empty key")
		}
		if standardClueKeys[k] {
			return core.InvalidParam(vendorName, op, "field_map key %q is a standard field: use its own field", k)
		}
	}
	return nil
}

// wire validates r and builds the exact body.
func (r *EditClueRequest) wire() (*editClueWire, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	w := &editClueWire{
		ClueID: r.ClueID, ClueName: r.ClueName, CluePoolID: r.CluePoolID, FollowUserID: r.FollowUserID, UserID: r.UserID,
		ClueCorpName: r.ClueCorpName, Label: r.Label, Gender: r.Gender, Email: r.Email, Area: r.Area, AreaCode: r.AreaCode,
		AccessCustomerChannel: r.AccessCustomerChannel, Remark: r.Remark, CoopModeType: r.CoopModeType,
		Uin: r.Uin, Address: r.Address, BusinessTagIDs: r.BusinessTagIDs,
		Birthday:    r.birthday(),
		WorkID:      optInt(r.WorkID, r.ClearWorkID),
		EncryptFlag: optInt(r.EncryptFlag, r.ClearEncryptFlag),
	}
	keys := r.keys()
	if len(r.FieldMap) > 0 {
		w.FieldMap = r.FieldMap
	}
	if len(keys) == 0 {
		// An empty update_specified_fields means "edit every field" to
		// wshoto, which would clear every optional field: refuse.
		return nil, core.InvalidParam(vendorName, epEditClue.Op, "nothing to edit: set an optional field, a Clear flag, a FieldMap key or an Apply flag")
	}
	w.UpdateSpecifiedFields = keys
	return w, nil
}

// birthday is the birthday's JSON: absent, null (clear), seconds or ms.
func (r *EditClueRequest) birthday() json.RawMessage {
	switch {
	case r.Birthday == nil:
		return nil
	case r.Birthday.IsZero():
		return json.RawMessage("null")
	case r.BirthdayInMillis:
		return strconv.AppendInt(nil, r.Birthday.UnixMilli(), 10)
	default:
		return strconv.AppendInt(nil, r.Birthday.Unix(), 10)
	}
}

// optInt is an optional integer's JSON: absent, null (clear) or the value.
func optInt(v *int, clear bool) json.RawMessage {
	switch {
	case clear:
		return json.RawMessage("null")
	case v == nil:
		return nil
	default:
		return strconv.AppendInt(nil, int64(*v), 10)
	}
}

// keys lists update_specified_fields: the keys being changed, in the
// vendor example's order, then the custom fields sorted.
func (r *EditClueRequest) keys() []string {
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
	add(r.WorkID != nil || r.ClearWorkID, FieldWorkID)
	add(r.CoopModeType != nil, FieldCoopModeType)
	add(r.Uin != nil, FieldUin)
	add(r.EncryptFlag != nil || r.ClearEncryptFlag, FieldEncryptFlag)
	add(r.Address != nil, FieldAddress)
	add(r.BusinessTagIDs != nil, FieldBusinessTagIDs)
	custom := make([]string, 0, len(r.FieldMap))
	for k := range r.FieldMap {
		custom = append(custom, k)
	}
	sort.Strings(custom)
	return append(keys, custom...)
}

// EditClue edits one clue, changing only the fields the request sets (see
// EditClueRequest), and reports the keys it asked wshoto to change. An
// answer of data=false is an error.
func (c *Client) EditClue(ctx context.Context, req *EditClueRequest) (*EditClueResult, error) {
	w, err := req.wire()
	if err != nil {
		return nil, err
	}
	var ok applied
	if _, err := c.t.Call(ctx, epEditClue, nil, w, &ok); err != nil {
		return nil, err
	}
	if ok.refused {
		return nil, notApplied(epEditClue.Op, "edit")
	}
	return &EditClueResult{Fields: w.UpdateSpecifiedFields}, nil
}

// Tag filters of ListCluesRequest.TagRelationType.
const (
	TagRelationAny  = 1 // 满足任意标签: any of TagIDs
	TagRelationAll  = 2 // 满足所有标签: all of TagIDs
	TagRelationNone = 3 // 无标签: clues without tags
)

// MaxPageSize is the largest page_size wshoto accepts.
const MaxPageSize = 100

// defaultPageSize is wshoto's page_size when none is sent.
const defaultPageSize = 20

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
	CluePoolIDs        []NumericID
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
	CluePoolIDs     []NumericID `json:"clue_pool_ids,omitempty"`
	TagRelationType int         `json:"tag_relation_type,omitempty"`
	TagIDs          string      `json:"tag_ids,omitempty"`
}

func checkPage(op string, index, size int) error {
	if index < 0 {
		return core.InvalidParam(vendorName, op, "current_index must be >= 1")
	}
	if size < 0 || size > MaxPageSize {
		return core.InvalidParam(vendorName, op, "page_size must be between 1 and %d", MaxPageSize)
	}
	return nil
}

func (r *ListCluesRequest) validate() error {
	op := epListClues.Op
	if err := checkPage(op, r.CurrentIndex, r.PageSize); err != nil {
		return err
	}
	for _, s := range r.States {
		if s < ClueStateUnassigned || s > ClueStateConverted {
			return core.InvalidParam(vendorName, op, "state %d is not one of 0..5", s)
		}
	}
	for _, id := range r.CluePoolIDs {
		if err := checkID(op, "clue_pool_ids", id); err != nil {
			return err
		}
	}
	if r.TagRelationType != 0 && (r.TagRelationType < TagRelationAny || r.TagRelationType > TagRelationNone) {
		return core.InvalidParam(vendorName, op, "tag_relation_type must be 1, 2 or 3")
	}
	if !r.StartTime.IsZero() && !r.EndTime.IsZero() && r.EndTime.Before(r.StartTime) {
		return core.InvalidParam(vendorName, op, "end_time is before start_time")
	}
	return nil
}

func (r *ListCluesRequest) wire() (*listCluesWire, error) {
	if r == nil {
		r = &ListCluesRequest{}
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	w := &listCluesWire{FollowUserID: r.FollowUserID, CurrentIndex: max(r.CurrentIndex, 1), PageSize: r.PageSize,
		States: r.States, CluePoolIDs: r.CluePoolIDs, TagRelationType: r.TagRelationType, TagIDs: r.TagIDs}
	if w.PageSize == 0 {
		w.PageSize = defaultPageSize
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

// CluePage is one page of the clue list.
type CluePage struct {
	Records []Clue
	// Total is the number of clues matching the filter when wshoto sends
	// it. clue/page documents a bare array of clues, without a total: then
	// Total is 0.
	Total int64
	// CurrentIndex is the page number of this page; NextIndex the page to
	// fetch next, or 0 when this page is the last (shorter than the page
	// size, or Total reached).
	CurrentIndex int
	NextIndex    int
}

// UnmarshalJSON decodes clue/page's data: documented as an array of clues;
// an object {total, records} is accepted too, and null or "" is an empty
// page.
func (p *CluePage) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '{' {
		var w struct {
			Total   Int             `json:"total"`
			Records flex.List[Clue] `json:"records"`
		}
		if err := json.Unmarshal(b, &w); err != nil {
			return err
		}
		p.Records, p.Total = w.Records, int64(w.Total)
		return nil
	}
	var list flex.List[Clue]
	if err := list.UnmarshalJSON(b); err != nil {
		return err
	}
	p.Records = list
	return nil
}

// nextIndex is the page after index, or 0 when the page of n rows was the
// last one.
func nextIndex(index, size, n int, total int64) int {
	if n < size || (total > 0 && int64(index)*int64(size) >= total) {
		return 0
	}
	return index + 1
}

// ListClues returns one page of clues (POST /openapi/crm/clue/page). wshoto
// documents no total count: a page shorter than PageSize is the last one
// (CluePage.NextIndex is then 0; AllClues walks every page).
func (c *Client) ListClues(ctx context.Context, req *ListCluesRequest) (*CluePage, error) {
	w, err := req.wire()
	if err != nil {
		return nil, err
	}
	var page CluePage
	if _, err := c.t.Call(ctx, epListClues, nil, w, &page); err != nil {
		return nil, err
	}
	page.CurrentIndex = w.CurrentIndex
	page.NextIndex = nextIndex(w.CurrentIndex, w.PageSize, len(page.Records), page.Total)
	return &page, nil
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
			r.CluePoolIDs = append([]NumericID(nil), req.CluePoolIDs...)
		}
		if r.PageSize == 0 {
			r.PageSize = MaxPageSize
		}
		core.WalkPages(ctx, vendorName, epListClues.Op, r.CurrentIndex, r.PageSize, func(ctx context.Context, n int) ([]Clue, bool, error) {
			r.CurrentIndex = n
			page, err := c.ListClues(ctx, &r)
			if err != nil {
				return nil, false, err
			}
			return page.Records, page.NextIndex == 0, nil
		}, func(cl Clue) string { return string(cl.ClueID) }, yield)
	}
}

// GetClueRequest asks for one clue (POST /openapi/crm/clue/info).
type GetClueRequest struct {
	ClueID NumericID `json:"clue_id"` // required
}

// GetClue returns one clue with its detail fields. An answer without a
// clue matches ErrNotFound.
func (c *Client) GetClue(ctx context.Context, req *GetClueRequest) (*ClueDetail, error) {
	op := epGetClue.Op
	if req == nil {
		return nil, core.NilRequest(vendorName, op)
	}
	if err := checkID(op, "clue_id", req.ClueID); err != nil {
		return nil, err
	}
	var d *ClueDetail
	res, err := c.t.Call(ctx, epGetClue, nil, req, &d)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, core.NewAPIError(vendorName, op, res.HTTPStatus, res.Code, "no clue in answer", res.RequestID, nil, core.ErrNotFound)
	}
	return d, nil
}

// BatchReturnCluesRequest returns clues to their original pool (POST
// /openapi/crm/clue/batch/return). The pool's lock settings apply: without
// a lock period a clue becomes 待分配, with one 已锁定; recovery_num grows by
// one. wshoto states no cap on IDs.
type BatchReturnCluesRequest struct {
	IDs                []NumericID `json:"ids"`                            // required: clue ids
	UserID             string      `json:"user_id"`                        // required: the operator
	RecoveryRemarkType string      `json:"recovery_remark_type,omitempty"` // reason codes, comma-separated ("3407f1c1,f079702c")
	RecoveryRemark     string      `json:"recovery_remark,omitempty"`      // free-text reason
}

// BatchReturnResult reports a batch return. Partial success is normal:
// when some clues were not returned, BatchReturnClues returns this result
// and a *BatchError listing them.
type BatchReturnResult struct {
	Success int64             // clues returned
	Failed  int64             // clues not returned
	Items   []BatchReturnItem // per-clue results (wshoto lists failures, and may list successes)
}

// BatchReturnItem is one clue's result.
type BatchReturnItem struct {
	ClueID  ID     // as wshoto sends it (a JSON string)
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

// batchReturnData decodes batch/return's data into res: the documented
// object {success, failed, result_items}, or a bare true/false.
type batchReturnData struct {
	res  *BatchReturnResult
	flag string // "true" or "false" when data was a bare boolean
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *batchReturnData) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if s := string(b); s == "true" || s == "false" {
		d.flag = s
		return nil
	}
	var w struct {
		Success Int `json:"success"`
		Failed  Int `json:"failed"`
		Items   []struct {
			ClueID  ID                   `json:"clue_id"`
			Reason  flex.List[flex.Text] `json:"reason"` // a text, or a list of texts (joined with ",")
			Success Bool                 `json:"success"`
		} `json:"result_items"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return shapeError(b, d.res)
	}
	d.res.Success, d.res.Failed = int64(w.Success), int64(w.Failed)
	for _, it := range w.Items {
		reason := make([]string, len(it.Reason))
		for i, r := range it.Reason {
			reason[i] = string(r)
		}
		d.res.Items = append(d.res.Items, BatchReturnItem{ClueID: it.ClueID, Reason: strings.Join(reason, ","), Success: bool(it.Success)})
	}
	return nil
}

func (r *BatchReturnCluesRequest) validate() error {
	op := epBatchReturn.Op
	if r == nil {
		return core.NilRequest(vendorName, op)
	}
	if len(r.IDs) == 0 {
		return core.InvalidParam(vendorName, op, "ids is required")
	}
	for _, id := range r.IDs {
		if err := checkID(op, "ids", id); err != nil {
			return err
		}
	}
	if r.UserID == "" {
		return core.InvalidParam(vendorName, op, "user_id is required")
	}
	return nil
}

// BatchReturnClues returns clues to their pools. When wshoto refused some
// clues (result_items with success 0, e.g. "线索不存在"), it returns the
// result AND a *BatchError listing them (a refused clue that does not exist
// matches ErrNotFound); data=false is an error without a result. It changes
// state and counters, so it is treated as non-idempotent: never retried once
// the request may have reached wshoto (such a failure matches ErrAmbiguous).
// Such a failure is not resolved: it creates no record to read back, and
// the clues' state after it does not tell whether this call moved them.
func (c *Client) BatchReturnClues(ctx context.Context, req *BatchReturnCluesRequest) (*BatchReturnResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	res := &BatchReturnResult{}
	data := batchReturnData{res: res}
	if _, err := c.t.Call(ctx, epBatchReturn, nil, req, &data); err != nil {
		return nil, err
	}
	switch data.flag {
	case "false":
		return nil, notApplied(epBatchReturn.Op, "return")
	case "true":
		res.Success = int64(len(req.IDs))
	}
	return res, core.NewBatchError(vendorName, epBatchReturn.Op, res.itemErrors())
}

// itemErrors lists the refused clues; a failed count above the items
// wshoto listed adds one entry for the unnamed rest.
func (r *BatchReturnResult) itemErrors() []ItemError {
	var out []ItemError
	for _, it := range r.FailedItems() {
		var kinds []error
		if strings.Contains(it.Reason, "不存在") {
			kinds = append(kinds, core.ErrNotFound)
		}
		out = append(out, core.NewItemError(string(it.ClueID), "", it.Reason, kinds...))
	}
	if rest := r.Failed - int64(len(out)); rest > 0 {
		out = append(out, core.NewItemError("", "", strconv.FormatInt(rest, 10)+" more clues not returned; wshoto did not say which"))
	}
	return out
}
