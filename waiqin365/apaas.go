package waiqin365

import (
	"context"
	"fmt"
	"iter"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// allocation_status values of the aPaaS writes.
const (
	// AllocationUnassigned (未分配): the lead goes to a pool; PoolName is
	// required and ResponsiblePerson must be empty.
	AllocationUnassigned = "0"
	// AllocationAssigned (已分配): ResponsiblePerson is required.
	AllocationAssigned = "1"
)

// Sort directions of QuerySalesLeadsForApaasRequest.
const (
	SortAsc  = "asc"
	SortDesc = "desc"
)

// AddSalesLeadsForApaasRequest is the body of addSalesLeadsForApaas (新增
// apaas线索数据). Unset fields are not sent. When AllocationStatus is "0",
// PoolName is required and ResponsiblePerson must be empty; when it is "1",
// ResponsiblePerson is required.
type AddSalesLeadsForApaasRequest struct {
	Code                       string  `json:"code,omitempty"`                         // 线索编码
	CompanyName                string  `json:"company_name,omitempty"`                 // 企业名称
	SourceType                 string  `json:"source_type,omitempty"`                  // 线索来源
	CustomerClassificationName string  `json:"customer_classification_name,omitempty"` // 线索类型
	ReturnReason               string  `json:"return_reason,omitempty"`                // 退回原因
	InvalidReason              string  `json:"invalid_reason,omitempty"`               // 作废原因
	MarketName                 string  `json:"market_name,omitempty"`                  // 市场活动名称
	MarketID                   ID      `json:"market_id,omitempty"`                    // 市场活动id
	Linkman                    string  `json:"linkman,omitempty"`                      // 联系人
	Mobile                     *Mobile `json:"mobile,omitempty"`                       // 手机号码 {phone, code}
	MobileDuplicate            string  `json:"mobile_duplicate,omitempty"`             // "0": may not repeat; "1" or empty: may
	Telephone                  string  `json:"telephone,omitempty"`                    // 固话
	Position                   string  `json:"position,omitempty"`                     // 职务
	Detail                     string  `json:"detail,omitempty"`                       // 线索详情, VARCHAR(4000)
	MssCountry                 string  `json:"mss_country,omitempty"`                  // 国家 (name)
	MssProvince                string  `json:"mss_province,omitempty"`                 // 省名称
	MssCity                    string  `json:"mss_city,omitempty"`                     // 市名称
	MssArea                    string  `json:"mss_area,omitempty"`                     // 区县名称
	MssStreet                  string  `json:"mss_street,omitempty"`                   // 乡镇街道名称
	Latitude                   string  `json:"latitude,omitempty"`                     // 纬度
	Longitude                  string  `json:"longitude,omitempty"`                    // 经度
	Address                    string  `json:"address,omitempty"`                      // 标注位置
	MarkAddr                   string  `json:"mark_addr,omitempty"`                    // 地址
	Email                      string  `json:"email,omitempty"`                        // 邮箱
	Website                    string  `json:"website,omitempty"`                      // 网址
	AllocationStatus           string  `json:"allocation_status,omitempty"`            // AllocationAssigned / AllocationUnassigned
	SalesleadsStatus           string  `json:"salesleads_status,omitempty"`            // 跟进状态: "1", "2" or "5"
	PoolName                   string  `json:"pool_name,omitempty"`                    // 线索池
	// RemoveResult (作废补充说明) uses the table's spelling "remove_result".
	RemoveResult string `json:"remove_result,omitempty"`
	// RemovedResult is the same field under the doc example's spelling
	// "removed_result"; set whichever your tenant accepts.
	RemovedResult     string `json:"removed_result,omitempty"`
	Labels            string `json:"labels,omitempty"`             // 线索标签
	ResponsiblePerson ID     `json:"responsible_person,omitempty"` // 负责人ID (勤策 employee id)
	CardPhoto         string `json:"card_photo,omitempty"`         // 名片
	// Exts are custom fields, field key → value, in the map form of the
	// doc examples (the form the aPaaS endpoints share).
	Exts map[string]string `json:"exts,omitempty"`
	// ExtList sends the custom fields in the list form of this endpoint's
	// table ([{salesleads_ext_key, salesleads_ext_value}]) as "exts". Set
	// Exts or ExtList, not both.
	ExtList []Ext `json:"-"`

	// Extra holds untyped fields, merged into the body (see
	// AddSalesLeadsRequest.Extra).
	Extra map[string]any `json:"-"`
}

// MarshalJSON implements json.Marshaler: the typed fields, then Extra (and
// ExtList as "exts").
func (r AddSalesLeadsForApaasRequest) MarshalJSON() ([]byte, error) {
	type plain AddSalesLeadsForApaasRequest
	extra, err := withExts(r.Extra, r.ExtList, len(r.ExtList) > 0)
	if err != nil {
		return nil, err
	}
	return encodeBody(plain(r), extra)
}

func (r *AddSalesLeadsForApaasRequest) validate() error {
	op := OpAddSalesLeadsForApaas
	if r == nil {
		return core.NilRequest(vendorName, op)
	}
	if len(r.Exts) > 0 && len(r.ExtList) > 0 {
		return core.InvalidParam(vendorName, op, "set exts in one form: Exts (map) or ExtList (list), not both")
	}
	return checkAllocation(op, r.AllocationStatus, r.PoolName, string(r.ResponsiblePerson), r.Extra)
}

// ModifySalesLeadsForApaasRequest is the body of modifySalesLeadsForApaas
// (修改apaas线索数据). ID or Code is required; the AllocationStatus rule of
// AddSalesLeadsForApaasRequest applies. Unset fields are not sent.
type ModifySalesLeadsForApaasRequest struct {
	// ID is the lead id, sent as a bare JSON number with every digit
	// (BIGINT), e.g. NumericID("5031887187231707391").
	ID                         NumericID `json:"id,omitempty"`
	Code                       string    `json:"code,omitempty"`                         // 线索编码; ID or Code is required
	CompanyName                string    `json:"company_name,omitempty"`                 // 企业名称
	SourceType                 string    `json:"source_type,omitempty"`                  // 来源 (option name accepted)
	CustomerClassificationName string    `json:"customer_classification_name,omitempty"` // 线索类型 (option name accepted)
	ReturnReason               string    `json:"return_reason,omitempty"`                // 退回原因 (option name accepted)
	InvalidReason              string    `json:"invalid_reason,omitempty"`               // 作废原因 (option name accepted)
	MarketName                 string    `json:"market_name,omitempty"`                  // 市场活动名称 (MarketID wins)
	MarketID                   ID        `json:"market_id,omitempty"`                    // 市场活动id
	Linkman                    string    `json:"linkman,omitempty"`                      // 联系人
	Mobile                     *Mobile   `json:"mobile,omitempty"`                       // {phone, code}
	Telephone                  string    `json:"telephone,omitempty"`                    // 固话
	Position                   string    `json:"position,omitempty"`                     // 职位
	Detail                     string    `json:"detail,omitempty"`                       // 销售线索详情
	MssCountry                 string    `json:"mss_country,omitempty"`                  // 国家名称
	MssProvince                string    `json:"mss_province,omitempty"`                 // 省名称
	MssCity                    string    `json:"mss_city,omitempty"`                     // 市名称
	MssArea                    string    `json:"mss_area,omitempty"`                     // 区县名称
	MssStreet                  string    `json:"mss_street,omitempty"`                   // 乡镇街道名称
	// MarkAddress (地址) is "mark_address" here, not "mark_addr".
	MarkAddress      string `json:"mark_address,omitempty"`
	Email            string `json:"email,omitempty"`             // 邮箱
	Website          string `json:"website,omitempty"`           // 网址
	AllocationStatus string `json:"allocation_status,omitempty"` // AllocationAssigned / AllocationUnassigned
	SalesleadsStatus string `json:"salesleads_status,omitempty"` // 跟进状态: "1", "2" or "5"
	PoolName         string `json:"pool_name,omitempty"`         // 线索池
	RemovedResult    string `json:"removed_result,omitempty"`    // 作废补充说明
	// Labels (线索标签) uses the table's spelling "labels".
	Labels string `json:"labels,omitempty"`
	// SalesleadsLabel is the same field under the doc example's spelling
	// "salesleads_label"; set whichever your tenant accepts.
	SalesleadsLabel   string            `json:"salesleads_label,omitempty"`
	ResponsiblePerson ID                `json:"responsible_person,omitempty"` // 负责人id (勤策 employee id)
	CardPhoto         string            `json:"card_photo,omitempty"`         // 名片
	Exts              map[string]string `json:"exts,omitempty"`               // 扩展字段集合 {"field_key": "value"}

	// Extra holds untyped fields, merged into the body.
	Extra map[string]any `json:"-"`
}

// MarshalJSON implements json.Marshaler: the typed fields, then Extra.
func (r ModifySalesLeadsForApaasRequest) MarshalJSON() ([]byte, error) {
	type plain ModifySalesLeadsForApaasRequest
	return encodeBody(plain(r), r.Extra)
}

func (r *ModifySalesLeadsForApaasRequest) validate() error {
	op := OpModifySalesLeadsForApaas
	if r == nil {
		return core.NilRequest(vendorName, op)
	}
	if !has(string(r.ID), r.Extra, "id") && !has(r.Code, r.Extra, "code") {
		return core.InvalidParam(vendorName, op, "id or code is required")
	}
	if r.ID != "" && !flex.IsInteger(string(r.ID)) {
		return core.InvalidParam(vendorName, op, "id %q is not an integer (BIGINT)", string(r.ID))
	}
	return checkAllocation(op, r.AllocationStatus, r.PoolName, string(r.ResponsiblePerson), r.Extra)
}

// QuerySalesLeadsForApaasRequest is the body of querySalesLeadsForApaas
// (线索apaas数据查询). At least one condition (any field but Page, PageSize,
// Sort and Sorts) is required.
//
// The doc's table and example disagree on two shapes. Sorting: the table
// names "sort", a list of {field_key, type}; the example sends "sorts", one
// object. Sort sends the table's list, Sorts the example's object; set
// either (the default order is by creation time). Conditions: the table
// makes query_group a list of groups, each with a list of filters whose
// field_values is a list, which QueryGroup sends; the example's single
// object ({"connector","filters":{...}}) can be sent as it is with
// Extra["query_group"].
type QuerySalesLeadsForApaasRequest struct {
	Code             string       `json:"code,omitempty"`              // 线索编码
	ID               ID           `json:"id,omitempty"`                // 线索id
	Linkman          string       `json:"linkman,omitempty"`           // 联系人
	Mobile           string       `json:"mobile,omitempty"`            // 手机号码
	EmpName          string       `json:"emp_name,omitempty"`          // 负责人
	CusName          string       `json:"cus_name,omitempty"`          // 线索名称
	CreateTimeStart  string       `json:"create_time_start,omitempty"` // yyyy-MM-dd
	CreateTimeEnd    string       `json:"create_time_end,omitempty"`   // yyyy-MM-dd
	ModifyTimeStart  string       `json:"modify_time_start,omitempty"` // yyyy-MM-dd
	ModifyTimeEnd    string       `json:"modify_time_end,omitempty"`   // yyyy-MM-dd
	SalesleadsStatus string       `json:"salesleads_status,omitempty"` // StatusPending ... StatusUnassigned
	Sort             []SortSpec   `json:"sort,omitempty"`              // the table: "sort", a list
	Sorts            *SortSpec    `json:"sorts,omitempty"`             // the example: "sorts", one object
	QueryGroup       []QueryGroup `json:"query_group,omitempty"`       // 查询条件列表
	Page             int          `json:"page,omitempty"`              // 1-based; 0 = server default (1)
	PageSize         int          `json:"pageSize,omitempty"`          // 0 = server default (1000)

	// Extra holds untyped fields, merged into the body; a non-empty Extra
	// counts as a condition.
	Extra map[string]any `json:"-"`
}

// MarshalJSON implements json.Marshaler: the typed fields, then Extra.
func (r QuerySalesLeadsForApaasRequest) MarshalJSON() ([]byte, error) {
	type plain QuerySalesLeadsForApaasRequest
	return encodeBody(plain(r), r.Extra)
}

// SortSpec is one sort key of aPaaS query results (default: by creation
// time).
type SortSpec struct {
	FieldKey string `json:"field_key,omitempty"` // e.g. "create_time", VARCHAR(30)
	Type     string `json:"type,omitempty"`      // SortAsc or SortDesc
}

// QueryGroup is one group of aPaaS query conditions.
type QueryGroup struct {
	Connector string        `json:"connector,omitempty"` // "AND" or "OR" within the group
	Filters   []QueryFilter `json:"filters,omitempty"`   // the group's conditions
}

// QueryFilter is one aPaaS query condition. The operators are listed in an
// appendix that is not published; Operator is passed through as given.
type QueryFilter struct {
	FieldKey    string   `json:"field_key,omitempty"`    // field key, VARCHAR(30)
	Operator    string   `json:"operator,omitempty"`     // operator (appendix not published)
	FieldValues []string `json:"field_values,omitempty"` // the values
}

// ApaasSalesLeadPage is one page of querySalesLeadsForApaas. No total
// count is returned.
type ApaasSalesLeadPage struct {
	// Leads are the page's rows.
	Leads []ApaasSalesLead
	// MsgID is the echoed msg_id, else the one sent on the last attempt.
	MsgID string
}

// ApaasSalesLead is one row of querySalesLeadsForApaas. Option-valued
// fields are nil when the server sends null.
type ApaasSalesLead struct {
	ID                     ID                    `json:"id"`                      // 线索id
	CompanyName            string                `json:"company_name"`            // 线索名称
	Code                   string                `json:"code"`                    // 线索编码
	SourceTypeID           *OptionValue          `json:"source_type_id"`          // 线索来源
	CustomerClassification *OptionValue          `json:"customer_classification"` // 线索类型
	ReturnReasonID         *OptionValue          `json:"return_reason_id"`        // 退回原因
	DeleteReasonID         *OptionValue          `json:"delete_reason_id"`        // 作废原因
	InvalidReasonID        *OptionValue          `json:"invalid_reason_id"`       // 无效原因 (in the example)
	MarketID               *Ref                  `json:"market_id"`               // 市场活动
	Linkman                string                `json:"linkman"`                 // 联系人
	Mobile                 *Mobile               `json:"mobile"`                  // 手机号码
	Tel                    String                `json:"tel"`                     // 固话
	Position               string                `json:"position"`                // 职务
	Detail                 string                `json:"detail"`                  // 线索详情
	MssCountry             *Region               `json:"mss_country"`             // 国家
	MssProvince            *Region               `json:"mss_province"`            // 省
	MssCity                *Region               `json:"mss_city"`                // 市
	MssArea                *Region               `json:"mss_area"`                // 区县
	MssStreet              *Region               `json:"mss_street"`              // 乡镇街道
	MarkAddr               string                `json:"mark_addr"`               // 地址
	Email                  string                `json:"email"`                   // 邮箱
	Website                string                `json:"website"`                 // 网址
	AllocationStatus       *OptionValue          `json:"allocation_status"`       // 分配状态
	SalesleadsStatus       *OptionValue          `json:"salesleads_status"`       // 跟进状态 (Code is an opaque option code)
	LabelNames             string                `json:"label_names"`             // 线索标签, comma-separated (see Labels)
	PoolName               string                `json:"pool_name"`               // 线索池
	RemovedResult          string                `json:"removed_result"`          // 作废说明
	Owner                  *Ref                  `json:"owner"`                   // 负责人
	CardPhoto              Files                 `json:"card_photo"`              // 名片
	Exts                   map[string]FieldValue `json:"exts"`                    // custom fields by field key
}

// Labels splits LabelNames at commas (empty names dropped).
func (l *ApaasSalesLead) Labels() []string { return splitList(l.LabelNames) }

// AddSalesLeadsForApaasResult is the answer of AddSalesLeadsForApaas.
type AddSalesLeadsForApaasResult struct {
	// MsgID is the msg_id the server echoed, or the one sent on the last
	// attempt when it echoed none. When Resolved it is the lost answer's
	// msg_id if known, else "".
	MsgID string
	// Resolved reports that the create's answer was lost (ErrAmbiguous)
	// and the lead was read back by its Code instead (see
	// AddSalesLeadsForApaas).
	Resolved bool
	// Lead is the lead read back when Resolved; nil otherwise (the
	// create's answer carries no lead: query by Code).
	Lead *ApaasSalesLead
}

// AddSalesLeadsForApaas creates an aPaaS lead (addSalesLeadsForApaas). The
// answer does not carry the new lead's id: query by Code
// (QuerySalesLeadsForApaas). The call is never retried once the request may
// have reached the server.
//
// Resolution: unlike addSalesLeads, this endpoint's table does not say
// that a duplicate code is refused, so a lead found under the code after
// a lost answer could be an older one. When the request has a Code the SDK
// therefore first lists the leads holding it (QuerySalesLeadsForApaas by
// code: one extra read per create, before it is sent); when the outcome
// is then unknown (ErrAmbiguous) it reads the code back (up to
// 4 times with the client's backoff, within ctx) and
// returns, with Resolved set, the one lead under the code that was not
// there before and whose content fields (company_name, linkman, mobile
// phone, telephone, position, detail, email, website, mark_addr) are the
// ones sent. Two such leads, none, or a failed first listing (the create
// is then sent without it) leave the error ErrAmbiguous. The case it
// cannot tell: another writer's lead with the same code and content,
// created just before the call but not yet visible to the first listing. Without a Code
// (勤策 then generates one) there is no extra read and no resolution.
func (c *Client) AddSalesLeadsForApaas(ctx context.Context, req *AddSalesLeadsForApaasRequest) (*AddSalesLeadsForApaasResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	body, err := flex.Marshal(req) // before any read: a request that cannot be sent sends nothing
	if err != nil {
		return nil, core.InvalidParam(vendorName, OpAddSalesLeadsForApaas, "cannot encode request: %v", err)
	}
	code := keyOf(req.Code, req.Extra, "code")
	var before map[ID]bool // the leads holding the code before the call (nil: unknown)
	if code != "" {
		before = c.apaasHolding(ctx, code)
	}
	res, err := c.t.Call(ctx, epAddSalesLeadsForApaas, nil, body, nil)
	if err == nil {
		return &AddSalesLeadsForApaasResult{MsgID: res.RequestID}, nil
	}
	if before == nil {
		return nil, err
	}
	lead, ok, rerr := core.Resolve(ctx, c.t, err, func(ctx context.Context) (*ApaasSalesLead, bool, error) {
		var found *ApaasSalesLead
		for l, err := range c.AllSalesLeadsForApaas(ctx, &QuerySalesLeadsForApaasRequest{Code: code}) {
			if err != nil {
				return nil, false, err
			}
			if l.Code != code || before[l.ID] || !req.sent(&l) {
				continue
			}
			if found != nil {
				return nil, false, fmt.Errorf("leads %s and %s are both new under code %q with the content sent", found.ID, l.ID, code)
			}
			found = &l
		}
		return found, found != nil, nil
	})
	if !ok {
		return nil, rerr
	}
	return &AddSalesLeadsForApaasResult{MsgID: requestID(err), Resolved: true, Lead: lead}, nil
}

// apaasHolding returns the ids of the aPaaS leads holding code, or nil
// when they could not be listed.
func (c *Client) apaasHolding(ctx context.Context, code string) map[ID]bool {
	ids := map[ID]bool{}
	for l, err := range c.AllSalesLeadsForApaas(ctx, &QuerySalesLeadsForApaasRequest{Code: code}) {
		if err != nil {
			return nil
		}
		if l.Code == code {
			ids[l.ID] = true
		}
	}
	return ids
}

// sent reports whether a lead read back carries the content fields of the
// request (set or empty alike).
func (r *AddSalesLeadsForApaasRequest) sent(l *ApaasSalesLead) bool {
	var phone, lphone Text
	if r.Mobile != nil {
		phone = r.Mobile.Phone
	}
	if l.Mobile != nil {
		lphone = l.Mobile.Phone
	}
	return r.CompanyName == l.CompanyName && r.Linkman == l.Linkman && phone == lphone && r.Telephone == string(l.Tel) &&
		r.Position == l.Position && r.Detail == l.Detail && r.Email == l.Email && r.Website == l.Website && r.MarkAddr == l.MarkAddr
}

// ModifySalesLeadsForApaas updates an aPaaS lead (modifySalesLeadsForApaas)
// found by ID or Code.
func (c *Client) ModifySalesLeadsForApaas(ctx context.Context, req *ModifySalesLeadsForApaasRequest) (*WriteResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	res, err := c.t.Call(ctx, epModifySalesLeadsForApaas, nil, req, nil)
	if err != nil {
		return nil, err
	}
	return &WriteResult{MsgID: res.RequestID}, nil
}

// QuerySalesLeadsForApaas returns one page of aPaaS leads
// (querySalesLeadsForApaas). At least one condition is required.
func (c *Client) QuerySalesLeadsForApaas(ctx context.Context, req *QuerySalesLeadsForApaasRequest) (*ApaasSalesLeadPage, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	var page ApaasSalesLeadPage
	res, err := c.t.Call(ctx, epQuerySalesLeadsForApaas, nil, req, (*rows[ApaasSalesLead])(&page.Leads))
	if err != nil {
		return nil, err
	}
	page.MsgID = res.RequestID
	return &page, nil
}

// AllSalesLeadsForApaas walks every page of a querySalesLeadsForApaas query
// like AllSalesLeads does.
func (c *Client) AllSalesLeadsForApaas(ctx context.Context, req *QuerySalesLeadsForApaasRequest) iter.Seq2[ApaasSalesLead, error] {
	return func(yield func(ApaasSalesLead, error) bool) {
		if err := req.validate(); err != nil {
			yield(ApaasSalesLead{}, err)
			return
		}
		r := *req
		walk(ctx, &r.Page, &r.PageSize, OpQuerySalesLeadsForApaas, func(ctx context.Context) ([]ApaasSalesLead, error) {
			page, err := c.QuerySalesLeadsForApaas(ctx, &r)
			if err != nil {
				return nil, err
			}
			return page.Leads, nil
		}, func(l ApaasSalesLead) string { return string(l.ID) }, yield)
	}
}

func (r *QuerySalesLeadsForApaasRequest) validate() error {
	op := OpQuerySalesLeadsForApaas
	if r == nil {
		return core.InvalidParam(vendorName, op, "nil request: at least one query condition is required")
	}
	if r.Page < 0 || r.PageSize < 0 {
		return core.InvalidParam(vendorName, op, "page and pageSize must not be negative")
	}
	if !anySet(r.Code, string(r.ID), r.Linkman, r.Mobile, r.EmpName, r.CusName, r.CreateTimeStart, r.CreateTimeEnd,
		r.ModifyTimeStart, r.ModifyTimeEnd, r.SalesleadsStatus) && len(r.QueryGroup) == 0 && len(r.Extra) == 0 {
		return core.InvalidParam(vendorName, op, "at least one query condition is required")
	}
	return nil
}

// checkAllocation enforces the documented allocation_status rule: "0" needs
// a pool and no owner, "1" needs an owner.
func checkAllocation(op, status, pool, owner string, extra map[string]any) error {
	if s, ok := extra["allocation_status"].(string); ok && status == "" {
		status = s
	}
	switch status {
	case AllocationUnassigned:
		if !has(pool, extra, "pool_name") {
			return core.InvalidParam(vendorName, op, "allocation_status 0 (unassigned) requires pool_name")
		}
		if has(owner, extra, "responsible_person") {
			return core.InvalidParam(vendorName, op, "allocation_status 0 (unassigned) requires an empty responsible_person")
		}
	case AllocationAssigned:
		if !has(owner, extra, "responsible_person") {
			return core.InvalidParam(vendorName, op, "allocation_status 1 (assigned) requires responsible_person")
		}
	}
	return nil
}
