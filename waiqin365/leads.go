package waiqin365

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"time"

	"github.com/cluekit/cluekit/internal/core"
)

// Operation names (the {operation} path segment; also APIError.Op).
const (
	OpAddSalesLeads            = "addSalesLeads"
	OpAddSalesLeadsForApaas    = "addSalesLeadsForApaas"
	OpModifySalesLeads         = "modifySalesLeads"
	OpModifySalesLeadsForApaas = "modifySalesLeadsForApaas"
	OpRemoveSalesLeads         = "removeSalesLeads"
	OpQuerySalesLeads          = "querySalesLeads"
	OpQuerySalesLeadsForApaas  = "querySalesLeadsForApaas"
)

// The seven sales-lead endpoints (module salesleads, version v1). The
// signed /{openid}/{timestamp}/{digest}/{msg_id} is appended per attempt.
var (
	epAddSalesLeads            = core.Endpoint{Op: OpAddSalesLeads, Path: "/api/salesleads/v1/addSalesLeads", Create: true}
	epAddSalesLeadsForApaas    = core.Endpoint{Op: OpAddSalesLeadsForApaas, Path: "/api/salesleads/v1/addSalesLeadsForApaas", Create: true}
	epModifySalesLeads         = core.Endpoint{Op: OpModifySalesLeads, Path: "/api/salesleads/v1/modifySalesLeads"}
	epModifySalesLeadsForApaas = core.Endpoint{Op: OpModifySalesLeadsForApaas, Path: "/api/salesleads/v1/modifySalesLeadsForApaas"}
	epRemoveSalesLeads         = core.Endpoint{Op: OpRemoveSalesLeads, Path: "/api/salesleads/v1/removeSalesLeads"}
	epQuerySalesLeads          = core.Endpoint{Op: OpQuerySalesLeads, Path: "/api/salesleads/v1/querySalesLeads"}
	epQuerySalesLeadsForApaas  = core.Endpoint{Op: OpQuerySalesLeadsForApaas, Path: "/api/salesleads/v1/querySalesLeadsForApaas"}
)

// DefaultPageSize is the documented default pageSize of both query
// endpoints. The maximum is not documented.
const DefaultPageSize = 1000

// Lead status codes (salesleads_status filter of the queries; the aPaaS
// writes document 1, 2 and 5).
const (
	StatusPending    = "1" // 待处理
	StatusFollowing  = "2" // 跟进 / 跟进中
	StatusInvalid    = "3" // 无效
	StatusConverted  = "5" // 转换 / 已转换
	StatusUnassigned = "6" // 未分配
)

// mobile_repeat / mobile_duplicate values.
const (
	MobileRepeatForbidden = "0" // the mobile number may not repeat
	MobileRepeatAllowed   = "1" // it may (also the meaning of an empty value)
)

// AddSalesLeadsRequest is the body of addSalesLeads (新增线索数据). EmpName
// or PoolName is required. Unset fields are not sent.
type AddSalesLeadsRequest struct {
	EmpName                    string `json:"empName,omitempty"`                      // 负责人 (owner name)
	PoolName                   string `json:"poolName,omitempty"`                     // 线索池名称; EmpName or PoolName is required
	Code                       string `json:"code,omitempty"`                         // 线索编码, must be unique
	CusName                    string `json:"cus_name,omitempty"`                     // 客户名称
	SourceType                 string `json:"source_type,omitempty"`                  // 线索来源, must exist
	MarketName                 string `json:"market_name,omitempty"`                  // 市场活动名称, must exist
	Linkman                    string `json:"linkman,omitempty"`                      // 联系人
	MobileCountry              string `json:"mobile_country,omitempty"`               // 手机号码国家码, e.g. "86"
	Mobile                     string `json:"mobile,omitempty"`                       // 手机号码
	MobileRepeat               string `json:"mobile_repeat,omitempty"`                // "0": may not repeat; "1" or empty: may
	Tel                        string `json:"tel,omitempty"`                          // 固话
	CustomerClassificationName string `json:"customer_classification_name,omitempty"` // 线索类型
	Position                   string `json:"position,omitempty"`                     // 职务
	Detail                     string `json:"detail,omitempty"`                       // 线索详情, VARCHAR(4000)
	MssProvinceName            string `json:"mssProvinceName,omitempty"`              // 省名称
	MssCityName                string `json:"mssCityName,omitempty"`                  // 市名称
	MssAreaName                string `json:"mssAreaName,omitempty"`                  // 区县名称
	MssStreetName              string `json:"mssStreetName,omitempty"`                // 乡镇街道名称
	MarkAddr                   string `json:"mark_addr,omitempty"`                    // 地址
	Email                      string `json:"email,omitempty"`                        // 邮箱
	Website                    string `json:"website,omitempty"`                      // 网址
	Latlon                     string `json:"latlon,omitempty"`                       // 标注位置 "lat,lon"
	Address                    string `json:"address,omitempty"`                      // 标注位置 (an address in the doc example)
	Exts                       []Ext  `json:"exts,omitempty"`                         // 自定义字段列表

	// Extra holds fields the SDK does not type, merged into the top-level
	// JSON object (keys sorted, after the typed fields). Use it also to
	// send a field with an empty value or null on purpose. A key may not
	// repeat a typed field that is set.
	Extra map[string]any `json:"-"`
}

// MarshalJSON implements json.Marshaler: the typed fields, then Extra.
func (r AddSalesLeadsRequest) MarshalJSON() ([]byte, error) {
	type plain AddSalesLeadsRequest
	return encodeBody(plain(r), r.Extra)
}

func (r *AddSalesLeadsRequest) validate() error {
	if r == nil {
		return core.NilRequest(vendorName, OpAddSalesLeads)
	}
	if !has(r.EmpName, r.Extra, "empName") && !has(r.PoolName, r.Extra, "poolName") {
		return core.InvalidParam(vendorName, OpAddSalesLeads, "empName or poolName is required")
	}
	return nil
}

// ModifySalesLeadsRequest is the body of modifySalesLeads (修改线索数据).
// ID or Code is required. Unset fields are not sent; whether the server
// clears omitted fields is not documented.
type ModifySalesLeadsRequest struct {
	// ID is the lead id, sent as a JSON string (the table types it
	// VARCHAR(40); the doc example's bare number can be sent with
	// Extra["id"] = json.Number(...)).
	ID                         ID     `json:"id,omitempty"`
	Code                       string `json:"code,omitempty"`                         // 线索编码; ID or Code is required
	PoolName                   string `json:"poolName,omitempty"`                     // 线索池名称
	CusName                    string `json:"cus_name,omitempty"`                     // 客户名称
	SourceType                 string `json:"source_type,omitempty"`                  // 线索来源, must exist
	MarketName                 string `json:"market_name,omitempty"`                  // 市场活动名称, must exist
	Linkman                    string `json:"linkman,omitempty"`                      // 联系人
	MobileCountry              string `json:"mobile_country,omitempty"`               // 手机号码国家码
	Mobile                     string `json:"mobile,omitempty"`                       // 手机号码
	Tel                        string `json:"tel,omitempty"`                          // 固话
	CustomerClassificationName string `json:"customer_classification_name,omitempty"` // 线索类型
	Position                   string `json:"position,omitempty"`                     // 职务
	Detail                     string `json:"detail,omitempty"`                       // 线索详情
	MssProvinceName            string `json:"mssProvinceName,omitempty"`              // 省名称
	MssCityName                string `json:"mssCityName,omitempty"`                  // 市名称
	MssAreaName                string `json:"mssAreaName,omitempty"`                  // 区县名称
	MssStreetName              string `json:"mssStreetName,omitempty"`                // 乡镇街道名称
	MarkAddr                   string `json:"mark_addr,omitempty"`                    // 地址
	Email                      string `json:"email,omitempty"`                        // 邮箱
	Website                    string `json:"website,omitempty"`                      // 网址
	Latlon                     string `json:"latlon,omitempty"`                       // 标注位置 "lat,lon"
	Address                    string `json:"address,omitempty"`                      // 标注位置
	// Exts are custom fields in the list form of the table and the doc
	// example ([{salesleads_ext_key, salesleads_ext_value}]).
	Exts []Ext `json:"exts,omitempty"`
	// ExtMap sends the custom fields in the map form the table also names
	// ({"ext_keyA": "ext_valueA"}) as "exts". Set Exts or ExtMap, not both.
	ExtMap map[string]string `json:"-"`

	// Extra holds untyped fields, merged into the body (see
	// AddSalesLeadsRequest.Extra).
	Extra map[string]any `json:"-"`
}

// MarshalJSON implements json.Marshaler: the typed fields, then Extra (and
// ExtMap as "exts").
func (r ModifySalesLeadsRequest) MarshalJSON() ([]byte, error) {
	type plain ModifySalesLeadsRequest
	extra, err := withExts(r.Extra, r.ExtMap, len(r.ExtMap) > 0)
	if err != nil {
		return nil, err
	}
	return encodeBody(plain(r), extra)
}

func (r *ModifySalesLeadsRequest) validate() error {
	op := OpModifySalesLeads
	if r == nil {
		return core.NilRequest(vendorName, op)
	}
	if !has(string(r.ID), r.Extra, "id") && !has(r.Code, r.Extra, "code") {
		return core.InvalidParam(vendorName, op, "id or code is required")
	}
	if len(r.Exts) > 0 && len(r.ExtMap) > 0 {
		return core.InvalidParam(vendorName, op, "set exts in one form: Exts (list) or ExtMap (map), not both")
	}
	return nil
}

// withExts returns extra with "exts" set to alt when use is true (the
// alternative form of a request's custom fields), as a new map.
func withExts(extra map[string]any, alt any, use bool) (map[string]any, error) {
	if !use {
		return extra, nil
	}
	if _, dup := extra["exts"]; dup {
		return nil, errors.New(`the "exts" member of Extra repeats the custom fields already set`)
	}
	m := make(map[string]any, len(extra)+1)
	for k, v := range extra {
		m[k] = v
	}
	m["exts"] = alt
	return m, nil
}

// RemoveSalesLeadsRequest is the body of removeSalesLeads (删除线索数据; the
// lead is voided, 作废). ID or Code is required.
type RemoveSalesLeadsRequest struct {
	ID   ID     `json:"id,omitempty"`   // 线索ID, VARCHAR(40)
	Code string `json:"code,omitempty"` // 线索编码; ID or Code is required
	// ReasonID is the void reason code (作废原因编码), which must exist.
	// Sent as a JSON string (VARCHAR(40)); the doc example sends a number:
	// put json.Number("1000025") in Extra["reason_id"] for that form.
	ReasonID ID     `json:"reason_id,omitempty"`
	Content  string `json:"content,omitempty"` // 作废原因, VARCHAR(4000)
	// EmpID appears only in the doc example ("emp_id", an employee id);
	// the table does not list it.
	EmpID ID `json:"emp_id,omitempty"`

	// Extra holds untyped fields, merged into the body.
	Extra map[string]any `json:"-"`
}

// MarshalJSON implements json.Marshaler: the typed fields, then Extra.
func (r RemoveSalesLeadsRequest) MarshalJSON() ([]byte, error) {
	type plain RemoveSalesLeadsRequest
	return encodeBody(plain(r), r.Extra)
}

func (r *RemoveSalesLeadsRequest) validate() error {
	if r == nil {
		return core.NilRequest(vendorName, OpRemoveSalesLeads)
	}
	if !has(string(r.ID), r.Extra, "id") && !has(r.Code, r.Extra, "code") {
		return core.InvalidParam(vendorName, OpRemoveSalesLeads, "id or code is required")
	}
	return nil
}

// QuerySalesLeadsRequest is the body of querySalesLeads (线索数据查询). At
// least one condition (any field but Page and PageSize) is required.
type QuerySalesLeadsRequest struct {
	Code             string `json:"code,omitempty"`              // 线索编码
	ID               ID     `json:"id,omitempty"`                // 线索id
	Linkman          string `json:"linkman,omitempty"`           // 联系人
	Mobile           string `json:"mobile,omitempty"`            // 手机号码
	EmpName          string `json:"emp_name,omitempty"`          // 负责人
	CusName          string `json:"cus_name,omitempty"`          // 线索名称
	CreateTimeStart  string `json:"create_time_start,omitempty"` // yyyy-MM-dd (see FormatDate)
	CreateTimeEnd    string `json:"create_time_end,omitempty"`   // yyyy-MM-dd
	ModifyTimeStart  string `json:"modify_time_start,omitempty"` // yyyy-MM-dd
	ModifyTimeEnd    string `json:"modify_time_end,omitempty"`   // yyyy-MM-dd
	SalesleadsStatus string `json:"salesleads_status,omitempty"` // StatusPending ... StatusUnassigned
	Page             int    `json:"page,omitempty"`              // 1-based; 0 = server default (1)
	PageSize         int    `json:"pageSize,omitempty"`          // 0 = server default (1000)

	// Extra holds untyped fields (e.g. further filters), merged into the
	// body; a non-empty Extra counts as a condition.
	Extra map[string]any `json:"-"`
}

// MarshalJSON implements json.Marshaler: the typed fields, then Extra.
func (r QuerySalesLeadsRequest) MarshalJSON() ([]byte, error) {
	type plain QuerySalesLeadsRequest
	return encodeBody(plain(r), r.Extra)
}

func (r *QuerySalesLeadsRequest) validate() error {
	op := OpQuerySalesLeads
	if r == nil {
		return core.InvalidParam(vendorName, op, "nil request: at least one query condition is required")
	}
	if r.Page < 0 || r.PageSize < 0 {
		return core.InvalidParam(vendorName, op, "page and pageSize must not be negative")
	}
	if !anySet(r.Code, string(r.ID), r.Linkman, r.Mobile, r.EmpName, r.CusName, r.CreateTimeStart, r.CreateTimeEnd,
		r.ModifyTimeStart, r.ModifyTimeEnd, r.SalesleadsStatus) && len(r.Extra) == 0 {
		return core.InvalidParam(vendorName, op, "at least one query condition is required")
	}
	return nil
}

// SalesLeadPage is one page of querySalesLeads. No total count is
// returned: the last page is the one with fewer rows than the page size.
type SalesLeadPage struct {
	// Leads are the page's rows.
	Leads []SalesLead
	// MsgID is the echoed msg_id (null in the doc example), else the one
	// sent on the last attempt.
	MsgID string
}

// SalesLead is one row of querySalesLeads. Times are "yyyy-MM-dd HH:mm" in
// Asia/Shanghai (see ParseTime).
type SalesLead struct {
	ID                         ID        `json:"id"`                           // 线索id
	CusName                    string    `json:"cus_name"`                     // 线索名称
	Code                       string    `json:"code"`                         // 线索编码
	SourceTypeName             string    `json:"source_type_name"`             // 线索来源
	MarketName                 string    `json:"market_name"`                  // 市场活动名称
	Linkman                    string    `json:"linkman"`                      // 联系人
	MobileCountry              String    `json:"mobile_country"`               // 手机号码国家码
	Mobile                     String    `json:"mobile"`                       // 手机号码
	Tel                        String    `json:"tel"`                          // 固话
	Position                   string    `json:"position"`                     // 职务
	Detail                     string    `json:"detail"`                       // 线索详情
	MssProvince                string    `json:"mss_province"`                 // 省名称
	MssCity                    string    `json:"mss_city"`                     // 市名称
	MssArea                    string    `json:"mss_area"`                     // 区县名称
	MssStreet                  string    `json:"mss_street"`                   // 乡镇街道名称
	MarkAddr                   string    `json:"mark_addr"`                    // 地址
	Email                      string    `json:"email"`                        // 邮箱
	Website                    string    `json:"website"`                      // 网址
	EmpName                    string    `json:"emp_name"`                     // 负责人
	EmpIDStr                   ID        `json:"emp_id_str"`                   // 负责人勤策id
	StatusValue                string    `json:"status_value"`                 // 状态 (a label, e.g. "跟进")
	Result                     string    `json:"result"`                       // 跟进内容
	DisableReasonName          string    `json:"disable_reason_name"`          // 线索无效原因
	DisableReasonExt           string    `json:"disable_reason_ext"`           // 无效补充说明
	DeleteReasonName           string    `json:"delete_reason_name"`           // 作废原因
	DeleteReasonExt            string    `json:"delete_reason_ext"`            // 作废补充说明
	ReturnReasonName           string    `json:"return_reason_name"`           // 退回原因
	PoolName                   string    `json:"pool_name"`                    // 所属线索池
	DistributionName           string    `json:"distribution_name"`            // 分配人
	DistributionTakeTime       string    `json:"distribution_take_time"`       // 分配时间
	CreatorName                string    `json:"creator_name"`                 // 创建人
	CreateTime                 string    `json:"create_time"`                  // 创建时间
	TransfTime                 string    `json:"transf_time"`                  // 转换时间 (may be "")
	OwnerChangeTime            string    `json:"owner_change_time"`            // 负责人变更时间
	FollowName                 string    `json:"follow_name"`                  // 最后跟进人
	FollowTime                 string    `json:"follow_time"`                  // 最后跟进时间
	ModifyierName              string    `json:"modifyier_name"`               // 最后修改人 (the vendor's spelling)
	ModifyTime                 string    `json:"modify_time"`                  // 最后修改时间
	CustomerClassificationName string    `json:"customer_classification_name"` // 线索类型
	CmCode                     string    `json:"cm_code"`                      // 已转换客户编码
	CmName                     string    `json:"cm_name"`                      // 已转换客户名称
	Labels                     []Label   `json:"labels"`                       // 标签列表
	Exts                       []LeadExt `json:"exts"`                         // 自定义字段列表
}

// Label is a lead tag in querySalesLeads rows.
type Label struct {
	SalesleadsID    ID     `json:"salesleads_id"`    // 标签对应线索id
	Color           string `json:"color"`            // 标签颜色, e.g. "#cc0000"
	Name            string `json:"name"`             // 标签名
	RuleDescription string `json:"rule_description"` // 标签规则描述
	ID              ID     `json:"id"`               // 标签id
	Status          String `json:"status"`           // 标签status
}

// LeadExt is a custom field in querySalesLeads rows (note the key names
// differ from the request's Ext).
type LeadExt struct {
	ExtKey    string `json:"ext_key"`    // 自定义字段key (its display name)
	ExtValue  String `json:"ext_value"`  // 自定义字段value
	ExtColumn string `json:"ext_column"` // 自定义字段column, e.g. "ext_2206290023"
}

// AddSalesLeadsResult is the answer of AddSalesLeads.
type AddSalesLeadsResult struct {
	// MsgID is the msg_id the server echoed, or the one sent on the last
	// attempt when it echoed none. When Resolved it is the lost answer's
	// msg_id if known, else "".
	MsgID string
	// Resolved reports that the create's answer was lost (ErrAmbiguous)
	// and the lead was read back by its Code instead (see AddSalesLeads).
	Resolved bool
	// Lead is the lead read back when Resolved; nil otherwise (the
	// create's answer carries no lead: query by Code).
	Lead *SalesLead
}

// AddSalesLeads creates a lead (addSalesLeads). EmpName or PoolName is
// required. The answer does not carry the new lead's id: query by Code
// (QuerySalesLeads) to find it. The call is never retried once the request
// may have reached the server.
//
// Resolution: when such a failure leaves the outcome unknown (ErrAmbiguous)
// and the request has a Code, the SDK reads the lead back by that code
// (QuerySalesLeads, up to 4 times with the client's
// backoff, within ctx) and returns it as a success with Resolved set. 勤策
// documents code as unique ("校验是否已存在": a duplicate is refused), so the
// lead found under the code is the one this call created when its content
// fields (cus_name, linkman, mobile, tel, position, detail, email, website,
// mark_addr) are the ones sent and its create_time is not before the
// minute the call started (by the client's clock, WithClock): an older
// lead holding the code would have made the create fail. A lead under the
// code with other content, or created earlier, is never reported as ours
// (the error stays ErrAmbiguous at once); the one case it cannot tell is
// another lead with the same code and content created in the same minute
// just before the call. Without a Code (勤策 then generates one) the
// failure stays ErrAmbiguous. The read-back costs nothing unless the
// outcome is unknown.
func (c *Client) AddSalesLeads(ctx context.Context, req *AddSalesLeadsRequest) (*AddSalesLeadsResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	start := c.now().In(CST).Truncate(time.Minute) // create_time has minutes
	res, err := c.t.Call(ctx, epAddSalesLeads, nil, req, nil)
	if err == nil {
		return &AddSalesLeadsResult{MsgID: res.RequestID}, nil
	}
	code := keyOf(req.Code, req.Extra, "code")
	if code == "" {
		return nil, err
	}
	lead, ok, rerr := core.Resolve(ctx, c.t, err, func(ctx context.Context) (*SalesLead, bool, error) {
		page, err := c.QuerySalesLeads(ctx, &QuerySalesLeadsRequest{Code: code})
		if err != nil {
			return nil, false, err
		}
		for i := range page.Leads {
			if l := &page.Leads[i]; l.Code == code {
				if !req.sent(l) {
					return nil, false, fmt.Errorf("%w: lead %s holds code %q with other content", core.ErrKeyTaken, l.ID, code)
				}
				if t, err := ParseTime(l.CreateTime); err != nil || t.Before(start) {
					return nil, false, fmt.Errorf("%w: lead %s holds code %q since %q, before the call", core.ErrKeyTaken, l.ID, code, l.CreateTime)
				}
				return l, true, nil
			}
		}
		return nil, false, nil
	})
	if !ok {
		return nil, rerr
	}
	return &AddSalesLeadsResult{MsgID: requestID(err), Resolved: true, Lead: lead}, nil
}

// sent reports whether a lead read back carries the content fields of the
// request (set or empty alike).
func (r *AddSalesLeadsRequest) sent(l *SalesLead) bool {
	return r.CusName == l.CusName && r.Linkman == l.Linkman && r.Mobile == string(l.Mobile) && r.Tel == string(l.Tel) &&
		r.Position == l.Position && r.Detail == l.Detail && r.Email == l.Email && r.Website == l.Website && r.MarkAddr == l.MarkAddr
}

// keyOf returns the natural key of a create: the typed field, else a
// string in Extra under the wire name.
func keyOf(typed string, extra map[string]any, name string) string {
	if typed != "" {
		return typed
	}
	s, _ := extra[name].(string)
	return s
}

// requestID is the msg_id of a failed call's answer, if it had one.
func requestID(err error) string {
	var api *APIError
	if errors.As(err, &api) {
		return api.RequestID
	}
	return ""
}

// ModifySalesLeads updates a lead (modifySalesLeads) found by ID or Code.
func (c *Client) ModifySalesLeads(ctx context.Context, req *ModifySalesLeadsRequest) (*WriteResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	res, err := c.t.Call(ctx, epModifySalesLeads, nil, req, nil)
	if err != nil {
		return nil, err
	}
	return &WriteResult{MsgID: res.RequestID}, nil
}

// RemoveSalesLeads voids a lead (removeSalesLeads) found by ID or Code.
func (c *Client) RemoveSalesLeads(ctx context.Context, req *RemoveSalesLeadsRequest) (*WriteResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	res, err := c.t.Call(ctx, epRemoveSalesLeads, nil, req, nil)
	if err != nil {
		return nil, err
	}
	return &WriteResult{MsgID: res.RequestID}, nil
}

// QuerySalesLeads returns one page of leads (querySalesLeads). At least one
// condition is required.
func (c *Client) QuerySalesLeads(ctx context.Context, req *QuerySalesLeadsRequest) (*SalesLeadPage, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	var page SalesLeadPage
	res, err := c.t.Call(ctx, epQuerySalesLeads, nil, req, (*rows[SalesLead])(&page.Leads))
	if err != nil {
		return nil, err
	}
	page.MsgID = res.RequestID
	return &page, nil
}

// AllSalesLeads walks every page of a querySalesLeads query, starting at
// req.Page (default 1), with req.PageSize rows per page (default
// DefaultPageSize, sent explicitly). It stops after a short or empty page,
// when the caller stops, or at the first error, which it yields once.
func (c *Client) AllSalesLeads(ctx context.Context, req *QuerySalesLeadsRequest) iter.Seq2[SalesLead, error] {
	return func(yield func(SalesLead, error) bool) {
		if err := req.validate(); err != nil {
			yield(SalesLead{}, err)
			return
		}
		r := *req
		walk(ctx, &r.Page, &r.PageSize, OpQuerySalesLeads, func(ctx context.Context) ([]SalesLead, error) {
			page, err := c.QuerySalesLeads(ctx, &r)
			if err != nil {
				return nil, err
			}
			return page.Leads, nil
		}, func(l SalesLead) string { return string(l.ID) }, yield)
	}
}

// walk fills the paging defaults (page 1, DefaultPageSize, sent explicitly
// so that a short page can be recognised) and walks the pages with
// core.WalkPages; fetch reads the page number from *page.
func walk[T any](ctx context.Context, page, pageSize *int, op string, fetch func(context.Context) ([]T, error), key func(T) string, yield func(T, error) bool) {
	if *page == 0 {
		*page = 1
	}
	if *pageSize == 0 {
		*pageSize = DefaultPageSize
	}
	core.WalkPages(ctx, vendorName, op, *page, *pageSize, func(ctx context.Context, n int) ([]T, bool, error) {
		*page = n
		rows, err := fetch(ctx)
		return rows, false, err
	}, key, yield)
}

// rows is the row list of a query's response_data: a JSON array, or an
// object holding the array in "rows" (seen in third-party clients); null
// gives no rows. Any other shape is a *json.UnmarshalTypeError.
type rows[T any] []T

// UnmarshalJSON implements json.Unmarshaler.
func (r *rows[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '[':
		return json.Unmarshal(b, (*[]T)(r))
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '{':
		w := struct {
			Rows *[]T `json:"rows"`
		}{Rows: (*[]T)(r)}
		*r = nil
		if err := json.Unmarshal(b, &w); err != nil {
			return err
		}
		if w.Rows != nil && *r == nil { // "rows" absent (null sets w.Rows to nil)
			return &json.UnmarshalTypeError{Value: "object without rows", Type: reflect.TypeFor[[]T]()}
		}
		return nil
	}
	return &json.UnmarshalTypeError{Value: "neither an array nor an object", Type: reflect.TypeFor[[]T]()}
}
