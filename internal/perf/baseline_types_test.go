// Plain structs for the raw baselines, generated from the vendor fixtures as
// a JSON-to-Go tool would (strings, json.Number for numbers, nested structs),
// except where the keys are the tenant's own: wshoto's field_map is a
// map[string]any, as a user who does not know a tenant's custom fields would
// write it.

package perf

import "encoding/json"

type rawWaiqinLeadLabelsItem struct {
	SalesleadsId    string `json:"salesleads_id"`
	Color           string `json:"color"`
	Name            string `json:"name"`
	RuleDescription string `json:"rule_description"`
	Id              string `json:"id"`
	Status          string `json:"status"`
}

type rawWaiqinLeadExtsItem struct {
	ExtColumn string `json:"ext_column"`
	ExtKey    string `json:"ext_key"`
	ExtValue  string `json:"ext_value"`
}

type rawWaiqinLead struct {
	Id                         string                    `json:"id"`
	CusName                    string                    `json:"cus_name"`
	Code                       string                    `json:"code"`
	SourceTypeName             string                    `json:"source_type_name"`
	MarketName                 string                    `json:"market_name"`
	Linkman                    string                    `json:"linkman"`
	MobileCountry              string                    `json:"mobile_country"`
	Mobile                     string                    `json:"mobile"`
	Tel                        string                    `json:"tel"`
	Position                   string                    `json:"position"`
	Detail                     string                    `json:"detail"`
	MssProvince                string                    `json:"mss_province"`
	MssCity                    string                    `json:"mss_city"`
	MssArea                    string                    `json:"mss_area"`
	MssStreet                  string                    `json:"mss_street"`
	MarkAddr                   string                    `json:"mark_addr"`
	Email                      string                    `json:"email"`
	Website                    string                    `json:"website"`
	EmpName                    string                    `json:"emp_name"`
	StatusValue                string                    `json:"status_value"`
	EmpIdStr                   string                    `json:"emp_id_str"`
	CreateTime                 string                    `json:"create_time"`
	OwnerChangeTime            string                    `json:"owner_change_time"`
	Result                     string                    `json:"result"`
	DisableReasonName          string                    `json:"disable_reason_name"`
	DisableReasonExt           string                    `json:"disable_reason_ext"`
	CreatorName                string                    `json:"creator_name"`
	FollowName                 string                    `json:"follow_name"`
	FollowTime                 string                    `json:"follow_time"`
	ModifyierName              string                    `json:"modifyier_name"`
	TransfTime                 string                    `json:"transf_time"`
	ModifyTime                 string                    `json:"modify_time"`
	PoolName                   string                    `json:"pool_name"`
	DistributionName           string                    `json:"distribution_name"`
	DistributionTakeTime       string                    `json:"distribution_take_time"`
	ReturnReasonName           string                    `json:"return_reason_name"`
	DeleteReasonName           string                    `json:"delete_reason_name"`
	DeleteReasonExt            string                    `json:"delete_reason_ext"`
	CustomerClassificationName string                    `json:"customer_classification_name"`
	CmCode                     string                    `json:"cm_code"`
	CmName                     string                    `json:"cm_name"`
	Labels                     []rawWaiqinLeadLabelsItem `json:"labels"`
	Exts                       []rawWaiqinLeadExtsItem   `json:"exts"`
}

type rawWshotoClueTagListItem struct {
	TagId   string `json:"tagId"`
	TagName string `json:"tagName"`
}

type rawWshotoClue struct {
	ClueId                  json.Number                `json:"clue_id"`
	ClueName                string                     `json:"clue_name"`
	MobilePhone             string                     `json:"mobile_phone"`
	ClueCorpName            string                     `json:"clue_corp_name"`
	TagList                 []rawWshotoClueTagListItem `json:"tag_list"`
	State                   json.Number                `json:"state"`
	FollowUserId            string                     `json:"follow_user_id"`
	CluePoolId              json.Number                `json:"clue_pool_id"`
	CluePoolName            string                     `json:"clue_pool_name"`
	AccessCustomerChannel   string                     `json:"access_customer_channel"`
	Area                    string                     `json:"area"`
	Description             string                     `json:"description"`
	RecoveryNum             json.Number                `json:"recovery_num"`
	RecoveryRemark          string                     `json:"recovery_remark"`
	RecoveryRemarkType      string                     `json:"recovery_remark_type"`
	RecoveryRemarkInputText string                     `json:"recovery_remark_input_text"`
	CreateUserId            string                     `json:"create_user_id"`
	GmtCreate               json.Number                `json:"gmt_create"`
	FieldMap                map[string]any             `json:"field_map"`
}

type rawWeilingContactContactWaysItem struct {
	Type       json.Number `json:"type"`
	ContactWay string      `json:"contact_way"`
}

type rawWeilingContactContactSource struct {
	Type          json.Number `json:"type"`
	ComponentId   string      `json:"component_id"`
	ComponentName string      `json:"component_name"`
}

type rawWeilingContactTagGroupListItemTagInfoItem struct {
	TagId      string      `json:"tag_id"`
	TagName    string      `json:"tag_name"`
	Type       json.Number `json:"type"`
	CreateTime json.Number `json:"create_time"`
	TagUserId  string      `json:"tag_user_id"`
}

type rawWeilingContactTagGroupListItem struct {
	GroupId    string                                         `json:"group_id"`
	GroupName  string                                         `json:"group_name"`
	Type       json.Number                                    `json:"type"`
	CreateTime json.Number                                    `json:"create_time"`
	TagInfo    []rawWeilingContactTagGroupListItemTagInfoItem `json:"tag_info"`
}

type rawWeilingContactBusinessListItem struct {
	BusinessId   string `json:"business_id"`
	BusinessName string `json:"business_name"`
}

type rawWeilingContactCompanyListItem struct {
	CompanyId   string `json:"company_id"`
	CompanyName string `json:"company_name"`
}

type rawWeilingContact struct {
	ContactId           string                              `json:"contact_id"`
	UserName            string                              `json:"user_name"`
	ContactWays         []rawWeilingContactContactWaysItem  `json:"contact_ways"`
	Status              json.Number                         `json:"status"`
	ContactSource       rawWeilingContactContactSource      `json:"contact_source"`
	FromChannelName     string                              `json:"from_channel_name"`
	Level               string                              `json:"level"`
	CorpName            string                              `json:"corp_name"`
	CorpAddress         string                              `json:"corp_address"`
	RegisterAddress     string                              `json:"register_address"`
	CorpFoundedTime     string                              `json:"corp_founded_time"`
	Searchword          string                              `json:"searchword"`
	Region              string                              `json:"region"`
	PlanName            string                              `json:"plan_name"`
	GroupName           string                              `json:"group_name"`
	CreativeTitle       string                              `json:"creative_title"`
	CreativeDescription string                              `json:"creative_description"`
	OtherCustomField    string                              `json:"other_custom_field"`
	IsRepeat            bool                                `json:"is_repeat"`
	IsUseless           string                              `json:"is_useless"`
	CreateUserId        string                              `json:"create_user_id"`
	OwnerId             string                              `json:"owner_id"`
	Url                 string                              `json:"url"`
	Email               string                              `json:"email"`
	Age                 json.Number                         `json:"age"`
	Gender              json.Number                         `json:"gender"`
	PopulationSize      string                              `json:"population_size"`
	Industry            string                              `json:"industry"`
	Position            string                              `json:"position"`
	CreateTime          json.Number                         `json:"create_time"`
	LastFollowTime      string                              `json:"last_follow_time"`
	FirstProgressTime   json.Number                         `json:"first_progress_time"`
	ClaimTime           json.Number                         `json:"claim_time"`
	TagGroupList        []rawWeilingContactTagGroupListItem `json:"tag_group_list"`
	BusinessList        []rawWeilingContactBusinessListItem `json:"business_list"`
	CompanyList         []rawWeilingContactCompanyListItem  `json:"company_list"`
	LatestProgressId    json.Number                         `json:"latest_progress_id"`
	CustomerStage       json.Number                         `json:"customer_stage"`
	SeaId               string                              `json:"sea_id"`
}

type rawV3ClueFieldsItem struct {
	Field       string      `json:"field"`
	Type        json.Number `json:"type"`
	ValueAsText string      `json:"valueAsText"`
}

type rawV3Clue struct {
	CustomerId     json.Number           `json:"customerId"`
	IsClue         bool                  `json:"isClue"`
	Type           json.Number           `json:"type"`
	Fields         []rawV3ClueFieldsItem `json:"fields"`
	TagIds         []any                 `json:"tagIds"`
	CreateTime     string                `json:"createTime"`
	LastUpdateTime string                `json:"lastUpdateTime"`
}
