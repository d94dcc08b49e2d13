package jing

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/flex"
)

// EventType is an event's event_type. Unknown types are delivered as they
// come. It decodes from a JSON string, or a number or boolean (its literal
// text).
type EventType string

// UnmarshalJSON implements json.Unmarshaler.
func (t *EventType) UnmarshalJSON(b []byte) error {
	var s flex.String
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	*t = EventType(s)
	return nil
}

// Lead events of the catalogue (线索订阅事件名称). The catalogue has 14 rows;
// object_create is listed twice, so there are 13 distinct lead types. The
// account events (客户) use object_create, object_update,
// object_change_owner, object_voids and object_relation with object_name
// "account".
const (
	EventObjectCreate           EventType = "object_create"             // 线索创建, lead created
	EventObjectUpdate           EventType = "object_update"             // 线索更新, lead updated
	EventObjectUpdateStatus     EventType = "object_update_status"      // 线索状态更新, lead status updated
	EventObjectVoids            EventType = "object_voids"              // 线索作废, lead voided
	EventObjectChangeOwner      EventType = "object_change_owner"       // 变更负责人, owner changed (see SceneType)
	EventObjectUpdateLifeCycle  EventType = "object_update_life_cycle"  // 线索阶段变更, lead stage changed
	EventObjectAddNotes         EventType = "object_add_notes"          // 线索添加备注, note added
	EventObjectAddTeamMember    EventType = "object_add_team_member"    // 线索添加协作人, collaborator added
	EventObjectRemoveTeamMember EventType = "object_remove_team_member" // 线索移除协作人, collaborator removed
	EventObjectChangeLeadPool   EventType = "object_change_lead_pool"   // 公海池变更, public pool changed
	EventObjectRestore          EventType = "object_restore"            // 线索恢复, lead restored
	EventObjectRelation         EventType = "object_relation"           // 线索关联, lead linked to another object
	EventObjectSourceInfo       EventType = "object_source_info"        // 来源信息变更, source info changed
)

// User events listed in the webhook tree next to the lead events.
const (
	// EventAddOmniUserSuccess is listed under 创建线索webhook推送事件 (lead
	// creation push events) and user creation.
	EventAddOmniUserSuccess EventType = "add_omni_user_success"
	// EventCustomField is 修改用户信息 (user info changed).
	EventCustomField EventType = "custom_field"
)

// CategoryObjectV2 is the event_category of the lead and account events.
const CategoryObjectV2 = "object_v2"

// Values of action_keyword on owner changes (elsewhere it usually equals
// event_type).
const (
	ActionManualDistribution = "manual_distribution" // 手动分配
	ActionAutoDistribution   = "auto_distribution"   // 自动分配
)

// Values of extra_data.object_name.
const (
	ObjectLead    = "lead"
	ObjectAccount = "account"
)

// Field codes documented as mapping_data / mapping_data_text keys (lead
// fields). Custom field codes occur too. The lead field codes are presumably
// also the keys of User.Fields in CreateUsers (not confirmed by the vendor).
const (
	FieldName                = "name"
	FieldBusinessType        = "business_type"
	FieldFirstName           = "first_name"
	FieldLastName            = "last_name"
	FieldMobile              = "mobile"
	FieldEmail               = "email"
	FieldCompanyID           = "company_id"
	FieldCountryRegion       = "country_region"
	FieldIndustry            = "industry"
	FieldDepartment          = "department"
	FieldAccountID           = "account_id"
	FieldTitle               = "title"
	FieldOfficialWebsite     = "official_website"
	FieldLifeStatus          = "life_status"
	FieldLeadPool            = "lead_pool"
	FieldMarket              = "market"
	FieldToBabyLeadTimestamp = "to_baby_lead_timestamp"
	// FieldHeadImgURL occurs in the doc's example; its value is JSON inside
	// a string (see MappingData.DecodeAfter). In that example the URL's
	// slashes are escaped once more than JSON needs (the PHP backend
	// encoded them twice): decoded, the URL still reads http:\/\/wx.qlogo.cn\/...
	// and strings.ReplaceAll(u, `\/`, "/") restores it. The SDK leaves
	// the value as the vendor sent it.
	FieldHeadImgURL = "headimgurl"
)

// OperatorType is extra_data.operator_type. It decodes from a JSON number
// or a numeric string ("" and null give 0).
type OperatorType int

// UnmarshalJSON implements json.Unmarshaler.
func (t *OperatorType) UnmarshalJSON(b []byte) error {
	n, err := decodeInt(b)
	*t = OperatorType(n)
	return err
}

// Documented operator types.
const (
	OperatorNone        OperatorType = 0 // 无操作人, no operator
	OperatorBackendUser OperatorType = 1 // 后台登录用户, back-office user
	OperatorMember      OperatorType = 2 // 成员, member
)

// String returns the operator type's name.
func (t OperatorType) String() string {
	switch t {
	case OperatorNone:
		return "none"
	case OperatorBackendUser:
		return "backend_user"
	case OperatorMember:
		return "member"
	}
	return "OperatorType(" + strconv.Itoa(int(t)) + ")"
}

// SceneType is extra_data.scene_type, the scene of an owner change. 0 means
// absent. It decodes from a JSON number or a numeric string ("" and null
// give 0).
type SceneType int

// UnmarshalJSON implements json.Unmarshaler.
func (s *SceneType) UnmarshalJSON(b []byte) error {
	n, err := decodeInt(b)
	*s = SceneType(n)
	return err
}

// Documented scenes (the event table lists 1-5, the field table adds 6).
const (
	SceneAutoDistribution   SceneType = 1 // 自动分配, auto-assigned
	SceneManualDistribution SceneType = 2 // 手动分配, manually assigned
	ScenePoolClaim          SceneType = 3 // 公海池认领, claimed from the public pool
	SceneManualReturn       SceneType = 4 // 手动退回, manually returned
	SceneAutoRecycle        SceneType = 5 // 自动回收, auto-recycled
	SceneDedupMerge         SceneType = 6 // 查重合并, dedup merge
)

var sceneNames = map[SceneType][2]string{
	SceneAutoDistribution:   {"auto_distribution", "自动分配"},
	SceneManualDistribution: {"manual_distribution", "手动分配"},
	ScenePoolClaim:          {"pool_claim", "公海池认领"},
	SceneManualReturn:       {"manual_return", "手动退回"},
	SceneAutoRecycle:        {"auto_recycle", "自动回收"},
	SceneDedupMerge:         {"dedup_merge", "查重合并"},
}

// String returns the scene's English name.
func (s SceneType) String() string {
	if n, ok := sceneNames[s]; ok {
		return n[0]
	}
	return "SceneType(" + strconv.Itoa(int(s)) + ")"
}

// Label returns the scene's Chinese label as documented ("" if unknown).
func (s SceneType) Label() string { return sceneNames[s][1] }

// Event is one webhook delivery. Every documented key is typed; keys not
// typed here are kept in Extra, and Raw holds the whole body. It encodes
// back to JSON with the typed fields and Extra.
type Event struct {
	MID           ID        `json:"mid"`            // 租户Id, tenant id, e.g. "941"
	EventCategory String    `json:"event_category"` // 行为分类, e.g. "object_v2"
	EventType     EventType `json:"event_type"`     // 行为的类型
	ActionKeyword String    `json:"action_keyword"` // 具体的行为
	// CreateTime is the action time in epoch seconds; see Time.
	CreateTime Int `json:"create_time"`
	// OpenPlatform is the raw "openplatform" value (meaning undocumented).
	OpenPlatform String    `json:"openplatform,omitempty"`
	ExtraData    ExtraData `json:"extra_data"` // 行为数据, the action data

	// Extra holds the top-level keys not typed above.
	Extra Extra `json:"-"`
	// Raw is the body as received (persist or enqueue it; ParseEvent
	// rebuilds the Event from it).
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler (see ParseEvent). Raw is set to
// the input.
func (e *Event) UnmarshalJSON(b []byte) error {
	type plain Event
	var v Event
	if err := decodeObject(b, (*plain)(&v), &v.Extra); err != nil {
		return err
	}
	v.Raw = clone(b)
	*e = v
	return nil
}

// MarshalJSON implements json.Marshaler: the typed fields, then Extra.
func (e Event) MarshalJSON() ([]byte, error) {
	type plain Event
	return flex.MarshalObject(plain(e), e.Extra)
}

// TimelineData is extra_data.timeline_data (seen in the doc's example).
type TimelineData struct {
	LoginPlatform    String `json:"login_platform"`    // e.g. member_center, jingsocial
	LoginEnvironment String `json:"login_environment"` // pc, mobile
	LoginSourceType  String `json:"login_source_type"` // e.g. jingmodule, wechat, workwechat_user
	LoginSourceName  String `json:"login_source_name"` // the login channel's name
	// Extra holds keys not typed above.
	Extra Extra `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler: an object; null and [] give
// the zero value.
func (t *TimelineData) UnmarshalJSON(b []byte) error {
	type plain TimelineData
	var v TimelineData
	if err := decodeObject(b, (*plain)(&v), &v.Extra); err != nil {
		return err
	}
	*t = v
	return nil
}

// MarshalJSON implements json.Marshaler: the typed fields, then Extra.
func (t TimelineData) MarshalJSON() ([]byte, error) {
	type plain TimelineData
	return flex.MarshalObject(plain(t), t.Extra)
}

// ExtraData is extra_data, the action data. Text and ids tolerate numbers
// (their literal text) and null (""); integers tolerate numeric strings; an
// object or array where text is documented is an error. null and [] decode
// as no data.
type ExtraData struct {
	ObjectID   ID     `json:"object_id"`   // 对象Id, e.g. "56" (raw; its meaning is disputed by the doc)
	ObjectName String `json:"object_name"` // 对象code: ObjectLead, ObjectAccount
	EntityID   ID     `json:"entity_id"`   // 对象实体id: the lead or account uuid (22 chars)

	OperatorType OperatorType `json:"operator_type"` // 操作者类型
	// OperatorID is 操作者id: an integer in the examples, kept as its exact
	// text (a string is accepted too).
	OperatorID   ID     `json:"operator_id"`
	OmniUserUUID ID     `json:"omni_user_uuid"` // user id of the operator's member ("" when none or null)
	IsFollowUp   Bool   `json:"is_follow_up"`   // 是否为跟进行为 (1/0)
	Notes        String `json:"notes"`          // 备注

	LoginPlatform    String        `json:"login_platform"`          // e.g. member_center, jingsocial
	LoginSourceValue String        `json:"login_source_value"`      // e.g. a WeChat app_id
	LoginSourceType  String        `json:"login_source_type"`       // e.g. jingmodule, wechat, workwechat_user
	LoginEnvironment String        `json:"login_environment"`       // pc, mobile
	TimelineData     *TimelineData `json:"timeline_data,omitempty"` // seen in the doc's example; nil when absent or null

	BusinessType     ID     `json:"business_type"`                // 业务类型 uuid
	BusinessTypeName String `json:"business_type_name,omitempty"` // seen in the doc's example
	// BusinessUnit is seen in a doc example; its shape is undocumented: a
	// string or number is kept here as text, anything else stays in Extra
	// under "business_unit".
	BusinessUnit       String `json:"-"`
	BabyLeadActionUUID ID     `json:"baby_lead_action_uuid,omitempty"` // seen in a doc example

	// CreatedTimestamp is "YYYY-MM-DD HH:mm:ss" (China time); see CreatedTime.
	CreatedTimestamp String `json:"created_timestamp"`
	Owner            *ID    `json:"owner"`               // 当前负责人 uuid; nil when null
	LifeStatus       String `json:"life_status"`         // 当前生命周期阶段, e.g. baby_lead
	LeadOmniUserUUID ID     `json:"lead_omni_user_uuid"` // user id linked to the lead

	// MappingData holds the changed values: 1-element arrays on create,
	// [before, after] on update. See MappingData.Change. The vendor's PHP
	// backend sends an empty one as [] (or null): both decode as nil.
	MappingData MappingData `json:"mapping_data,omitempty"`
	// MappingDataText holds the same changes as labels (a string, or an
	// array where "-" means empty); [] and null decode as nil.
	MappingDataText MappingData `json:"mapping_data_text,omitempty"`

	FormerOwner     ID        `json:"former_owner,omitempty"`      // 前负责人 uuid
	FormerOwnerName String    `json:"former_owner_name,omitempty"` // 前负责人的名称
	SceneType       SceneType `json:"scene_type,omitempty"`        // owner-change scene
	// EntityChangeMapping is the before/after comparison (e.g. the previous
	// and new owner). Its shape is undocumented: an object (or [] or null)
	// is kept here (MappingData accessors apply when its values are
	// [before, after] arrays), anything else stays in Extra under
	// "entity_change_mapping".
	EntityChangeMapping MappingData `json:"-"`

	FromLeadsStatus ID `json:"from_leads_status,omitempty"` // 前线索状态 uuid
	ToLeadsStatus   ID `json:"to_leads_status,omitempty"`   // 当前线索状态 uuid
	// Members is 协作人的uuid(s): a string or an array (of strings or
	// numbers); anything else stays in Extra under "members".
	Members        List[ID] `json:"-"`
	FromLifeStatus String   `json:"from_life_status,omitempty"` // 上一个生命周期阶段
	ToLifeStatus   String   `json:"to_life_status,omitempty"`   // 下一个生命周期阶段
	FromLeadPool   String   `json:"from_lead_pool,omitempty"`   // 变更前公海池
	ToLeadPool     String   `json:"to_lead_pool,omitempty"`     // 变更后公海池

	TargetObjectID   ID     `json:"target_object_id,omitempty"`   // 关联对象的id
	TargetEntityID   ID     `json:"target_entity_id,omitempty"`   // 关联对象实体uuid
	TargetObjectName String `json:"target_object_name,omitempty"` // 关联对象name, e.g. account

	// Extra holds the keys not typed above, and the undocumented ones
	// (business_unit, entity_change_mapping, members) whose shape was not
	// the expected one.
	Extra Extra `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler: an object; null and [] give
// the zero value.
func (x *ExtraData) UnmarshalJSON(b []byte) error {
	type plain ExtraData
	var v ExtraData
	if err := decodeObject(b, (*plain)(&v), &v.Extra); err != nil {
		return err
	}
	for _, f := range v.lenient() {
		if raw, ok := v.Extra[f.key]; ok && flex.Unmarshal(raw, f.dst) == nil {
			delete(v.Extra, f.key)
		}
	}
	if len(v.Extra) == 0 {
		v.Extra = nil
	}
	*x = v
	return nil
}

// MarshalJSON implements json.Marshaler: the typed fields, the undocumented
// ones when set, then Extra.
func (x ExtraData) MarshalJSON() ([]byte, error) {
	type plain ExtraData
	extra := x.Extra
	cloned := false
	for _, f := range x.lenient() {
		if !f.set {
			continue
		}
		b, err := flex.Marshal(f.dst)
		if err != nil {
			return nil, err
		}
		if !cloned {
			extra, cloned = maps.Clone(x.Extra), true
			if extra == nil {
				extra = Extra{}
			}
		}
		extra[f.key] = b
	}
	return flex.MarshalObject(plain(x), extra)
}

// lenientField is an undocumented member: decoded when its shape is the
// expected one, kept in Extra otherwise.
type lenientField struct {
	key string
	dst any  // pointer to the field
	set bool // the field has a value to encode
}

func (x *ExtraData) lenient() []lenientField {
	return []lenientField{
		{"business_unit", &x.BusinessUnit, x.BusinessUnit != ""},
		{"entity_change_mapping", &x.EntityChangeMapping, x.EntityChangeMapping != nil},
		{"members", &x.Members, x.Members != nil},
	}
}

// ParseEvent parses a webhook body. It fails when the body is not a JSON
// object, has no event_type, or a documented field has an impossible type
// (the error names it, e.g. "extra_data.operator_type"); it never panics.
// Unknown event types and keys are kept (Extra, Raw). An empty object sent
// as [] or null (mapping_data, timeline_data, extra_data) is accepted.
func ParseEvent(body []byte) (*Event, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return nil, errors.New("jing: event: body is not a JSON object")
	}
	var e Event
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("jing: event: %w", err)
	}
	if e.EventType == "" {
		return nil, errors.New("jing: event: no event_type")
	}
	return &e, nil
}

// Time returns create_time as a time (zero when absent). Values above 1e12
// are read as milliseconds.
func (e *Event) Time() time.Time { return flex.Seconds(e.CreateTime) }

// IsLead reports whether the event is about a lead (object_name "lead").
func (e *Event) IsLead() bool { return e.ExtraData.ObjectName == ObjectLead }

// DedupeKey identifies an event for deduplication, since deliveries carry no
// event id and the vendor may deliver again: a hex SHA-256 over mid,
// extra_data.entity_id, event_type, create_time and mapping_data (canonical:
// keys sorted, values compacted). Two events of the same type on the same
// record within the same second with the same mapping_data share a key
// (e.g. two collaborator changes without mapping_data); where that matters,
// hash Raw instead. NewWebhookHandler dedupes on it (WithDeduper).
func (e *Event) DedupeKey() string {
	h := sha256.New()
	put := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	put(string(e.MID))
	put(string(e.ExtraData.EntityID))
	put(string(e.EventType))
	put(strconv.FormatInt(int64(e.CreateTime), 10))
	put(e.ExtraData.MappingData.canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// ParseTimestamp parses the vendor's "YYYY-MM-DD HH:mm:ss" timestamps
// (created_timestamp, to_baby_lead_timestamp), taken as China Standard Time
// (CST, UTC+8; the zone is not documented).
func ParseTimestamp(s string) (time.Time, error) {
	return time.ParseInLocation(time.DateTime, strings.TrimSpace(s), CST)
}

// CreatedTime parses created_timestamp (see ParseTimestamp).
func (x *ExtraData) CreatedTime() (time.Time, error) {
	return ParseTimestamp(string(x.CreatedTimestamp))
}

// Change returns the before and after values of field in mapping_data; see
// MappingData.Change.
func (x *ExtraData) Change(field string) (before, after *string, ok bool) {
	return x.MappingData.Change(field)
}

// TextChange returns the before and after labels of field in
// mapping_data_text; see MappingData.Change.
func (x *ExtraData) TextChange(field string) (before, after *string, ok bool) {
	return x.MappingDataText.Change(field)
}

// MappingData is mapping_data, mapping_data_text or entity_change_mapping:
// field code → raw JSON value. Values are normally arrays: [after] on create,
// [before, after] on update; mapping_data_text values may also be plain
// strings. Use the accessors (Change, RawChange, DecodeBefore, DecodeAfter)
// rather than the raw values.
type MappingData map[string]json.RawMessage

// UnmarshalJSON implements json.Unmarshaler: an object of raw values; null
// and [] (how a PHP backend encodes an empty map) give nil. Anything else is
// an error.
func (m *MappingData) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' && b[0] != '[' && b[0] != 'n' {
		return errNotMapping
	}
	var v Extra
	if err := flex.UnmarshalObject(b, &struct{}{}, &v); err != nil {
		return errNotMapping
	}
	*m = MappingData(v)
	return nil
}

var errNotMapping = errors.New("not an object of field values")

// Fields returns the field codes, sorted.
func (m MappingData) Fields() []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// RawChange returns the raw JSON elements of field: after is the last
// element of the array, before the first one only when the array has exactly
// two elements (an update). A value that is not an array is the after value.
// ok is false when the field is absent. A JSON null element is returned as
// the raw "null".
func (m MappingData) RawChange(field string) (before, after json.RawMessage, ok bool) {
	v, ok := m[field]
	if !ok {
		return nil, nil, false
	}
	v = bytes.TrimSpace(v)
	if len(v) == 0 || v[0] != '[' {
		return nil, v, true
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(v, &elems); err != nil {
		return nil, v, true
	}
	switch n := len(elems); {
	case n == 0:
		return nil, nil, true
	case n == 2:
		return elems[0], elems[1], true
	default:
		return nil, elems[n-1], true
	}
}

// Change returns the before and after values of field as text (see
// RawChange for which element is which). A value is nil when it is absent,
// JSON null, or "-" (mapping_data_text's empty marker). Strings are returned
// as they are (a value holding JSON, like headimgurl's, is not parsed: use
// DecodeAfter); numbers and booleans as their literal text; objects and
// arrays as their compact JSON. ok is false when the field is absent.
func (m MappingData) Change(field string) (before, after *string, ok bool) {
	rb, ra, ok := m.RawChange(field)
	if !ok {
		return nil, nil, false
	}
	return elemText(rb), elemText(ra), true
}

// DecodeBefore decodes the before element of field into v (see DecodeAfter).
func (m MappingData) DecodeBefore(field string, v any) error {
	rb, _, ok := m.RawChange(field)
	if !ok || rb == nil {
		return fmt.Errorf("jing: mapping_data.%s: no before value", field)
	}
	return decodeElem(field, rb, v)
}

// DecodeAfter decodes the after element of field into v (numbers into
// interface values as json.Number). When the element is a string holding
// JSON (e.g. headimgurl: "[\"http:...\"]"), the inner JSON is decoded;
// otherwise the element itself. Escapes left inside the inner JSON's
// strings by an extra encoding on the vendor's side are kept as they are
// (see FieldHeadImgURL).
func (m MappingData) DecodeAfter(field string, v any) error {
	_, ra, ok := m.RawChange(field)
	if !ok || ra == nil {
		return fmt.Errorf("jing: mapping_data.%s: no after value", field)
	}
	return decodeElem(field, ra, v)
}

func decodeElem(field string, raw json.RawMessage, v any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			if in := bytes.TrimSpace([]byte(s)); len(in) > 0 && json.Valid(in) {
				raw = in
			}
		}
	}
	if err := flex.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("jing: mapping_data.%s: %w", field, err)
	}
	return nil
}

// elemText is one element as text (flex.Text), nil for an absent element,
// null and the "-" marker.
func elemText(raw json.RawMessage) *string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var t flex.Text
	if err := t.UnmarshalJSON(raw); err != nil || raw[0] == '"' && t == "-" {
		return nil
	}
	s := string(t)
	return &s
}

// canonical is a stable encoding: keys sorted, values compacted.
func (m MappingData) canonical() string {
	var b strings.Builder
	for _, k := range m.Fields() {
		kj, _ := json.Marshal(k)
		b.Write(kj)
		b.WriteByte(':')
		var buf bytes.Buffer
		if err := json.Compact(&buf, m[k]); err != nil {
			b.Write(m[k])
		} else {
			b.Write(buf.Bytes())
		}
		b.WriteByte(',')
	}
	return b.String()
}
