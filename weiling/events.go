package weiling

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cluekit/cluekit/internal/flex"
)

// Event types of the vendor's catalogue (回调事件类型目录). The 🚀 pages
// (联系人新增/更新, 企业新增/更新-新版, 新版添加企业外部相关人, 对象标签更新-新版,
// 商机作废) exist but their event_type strings are not published: such events
// reach the handler with whatever Type the vendor sends, and Payload raw.
const (
	EventUserInsert         = "user_insert"          // 员工新增
	EventUserUpdate         = "user_update"          // 员工更新
	EventAddCustomer        = "add_customer"         // 添加企微好友
	EventCustomerUpdate     = "customer_update"      // 企微好友更新
	EventHistoryAdd         = "history_add"          // 企微好友动态新增
	EventClueHistory        = "clue_history"         // 手机号线索动态新增 (typed: Event.ClueHistory)
	EventClueAdd            = "clue_add"             // 手机号线索新增 (typed: Event.Clue)
	EventClueUpdate         = "clue_update"          // 手机号线索更新 (typed: Event.Clue)
	EventProgressAdd        = "progress_add"         // 跟进记录新增
	EventCompanyAdd         = "company_add"          // 企业新增
	EventCompanyUpdate      = "company_update"       // 企业更新
	EventCompanyDelete      = "company_delete"       // 企业删除
	EventAddCompanyUser     = "add_company_user"     // 添加企业相关人
	EventOpportunityAdd     = "opportunity_add"      // 商机新增
	EventOpportunityUpdate  = "opportunity_update"   // 商机更新
	EventMaterialAdd        = "material_add"         // 资料新增
	EventMaterialBrowseAdd  = "material_browse_add"  // 浏览资料
	EventGroupChatAdd       = "group_chat_add"       // 群新增
	EventGroupChatUpdate    = "group_chat_update"    // 群更新
	EventGroupChatDismiss   = "group_chat_dismiss"   // 群解散
	EventTagUpdate          = "tag_update"           // 对象标签更新
	EventAddMoment          = "add_moment"           // 发送朋友圈
	EventDeptAdd            = "dept_add"             // 部门新增
	EventCompanyOwnerChange = "company_owner_change" // 企业归属人变更
)

// ChangeType is a clue_update event's change_type. The vendor's example
// sends it both as a string and as a number; a number is kept as its
// decimal text (the number ↔ string mapping is not documented).
type ChangeType string

// The documented change_type strings.
const (
	ChangeContent ChangeType = "change_content" // 线索内容修改
	ChangeOwner   ChangeType = "change_owner"   // 变更归属人
	ChangeStatus  ChangeType = "change_status"  // 状态变更
	ClueDisuse    ChangeType = "clue_disuse"    // 废弃
)

// UnmarshalJSON accepts a string or a number (kept as its text).
func (c *ChangeType) UnmarshalJSON(b []byte) error {
	var s flex.String
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	*c = ChangeType(s)
	return nil
}

// ClueEvent is the event of clue_add and clue_update: the clue (every field
// of the 手机号线索更新事件 page) and, for updates, what changed.
type ClueEvent struct {
	Clue
	// ChangeType says what changed (clue_update); see the Change...
	// constants. A number is kept as its text.
	ChangeType ChangeType `json:"change_type,omitempty"`
}

// clueEventFields is a ClueEvent's members as one flat object.
type clueEventFields struct {
	plainClue
	ChangeType ChangeType `json:"change_type,omitempty"`
}

// plainClue is Clue without its JSON methods.
type plainClue Clue

// UnmarshalJSON decodes the clue (keeping unknown members in Extra) and the
// change type, in one pass.
func (e *ClueEvent) UnmarshalJSON(b []byte) error {
	var w clueEventFields
	err := flex.UnmarshalObject(b, &w, &w.Extra)
	*e = ClueEvent{Clue: Clue(w.plainClue), ChangeType: w.ChangeType}
	return err
}

// MarshalJSON encodes the clue's fields, change_type, then the members of
// Extra.
func (e ClueEvent) MarshalJSON() ([]byte, error) {
	return flex.MarshalObject(clueEventFields{plainClue: plainClue(e.Clue), ChangeType: e.ChangeType}, e.Extra)
}

// ClueHistoryEvent is the event of clue_history (手机号线索动态).
type ClueHistoryEvent struct {
	ClueID  string      `json:"clue_id"`
	History ClueHistory `json:"history"`
}

// ClueHistory is one activity of a clue.
type ClueHistory struct {
	HistoryID string `json:"history_id"`
	// HistoryType is a string on the wire, e.g. "401" (创建线索).
	HistoryType String     `json:"history_type"`
	CreateTime  UnixMillis `json:"create_time"`
	Title       string     `json:"title"`
	Content     string     `json:"content"`
}

// Event is one decrypted callback: {"header":{event_type, time_stamp,
// to_app}, "event":{…}}. Clue events are typed; every other event type is
// handed over with its Type and the event object raw in Payload (decode it
// with Decode).
type Event struct {
	// Type is header.event_type (see the Event... constants).
	Type string
	// Timestamp is the header's time_stamp (or timestamp, as one vendor
	// page spells it), verbatim: 13-digit ms as a string.
	Timestamp string
	// ToApp is the header's to_app (the receiving app id), or the request
	// body's to_app when the header has none.
	ToApp string
	// ReceiveID is the id found after the message when decrypting
	// (presumably the app id); never checked.
	ReceiveID string
	// Payload is the "event" object, raw.
	Payload json.RawMessage
	// Raw is the whole decrypted message.
	Raw json.RawMessage

	// Clue is set for clue_add and clue_update.
	Clue *ClueEvent
	// ClueHistory is set for clue_history.
	ClueHistory *ClueHistoryEvent
}

// Decode unmarshals the event object into v (numbers kept exact).
func (e *Event) Decode(v any) error {
	if len(e.Payload) == 0 {
		return errors.New("weiling: event has no payload")
	}
	return flex.Unmarshal(e.Payload, v)
}

// Time returns the header timestamp (ms) as a time; the zero time if it is
// not a number.
func (e *Event) Time() time.Time {
	var ms flex.UnixMillis
	if ms.UnmarshalJSON([]byte(e.Timestamp)) != nil {
		return time.Time{}
	}
	return flex.Millis(ms)
}

// EntityID returns the id of the record the event is about: clue_id for
// clue events, else the payload's contact_id or clue_id when it has one;
// "" otherwise.
func (e *Event) EntityID() string {
	switch {
	case e.Clue != nil:
		return e.Clue.ClueID
	case e.ClueHistory != nil:
		return e.ClueHistory.ClueID
	}
	var ids struct {
		ContactID flex.String `json:"contact_id"`
		ClueID    flex.String `json:"clue_id"`
	}
	if len(e.Payload) > 0 && e.Payload[0] == '{' && json.Unmarshal(e.Payload, &ids) == nil {
		return firstNonEmpty(string(ids.ContactID), string(ids.ClueID))
	}
	return ""
}

// DedupeKey identifies a delivery for deduplication, since the vendor may
// deliver an event more than once: event_type, the entity id and the header
// timestamp. When the entity id is unknown, a digest of the event object
// takes its place.
func (e *Event) DedupeKey() string {
	id := e.EntityID()
	if id == "" {
		sum := sha256.Sum256(e.Payload)
		id = "sha256:" + hex.EncodeToString(sum[:12])
	}
	return e.Type + "|" + id + "|" + e.Timestamp
}

// ParseEvent parses a decrypted callback message (what Decrypt returns).
// The header's timestamp is read from time_stamp, else timestamp. clue_add
// and clue_update fill Event.Clue, clue_history fills Event.ClueHistory;
// other types only fill Payload. A message that is not a JSON object, or a
// typed event that does not decode, is an error.
func ParseEvent(msg []byte) (*Event, error) {
	msg = bytes.TrimSpace(msg)
	if len(msg) == 0 || msg[0] != '{' {
		return nil, errors.New("weiling: callback message is not a JSON object")
	}
	var m struct {
		Header *struct {
			EventType flex.String  `json:"event_type"`
			TimeStamp *flex.String `json:"time_stamp"`
			Timestamp flex.String  `json:"timestamp"`
			ToApp     flex.String  `json:"to_app"`
		} `json:"header"`
		Event json.RawMessage `json:"event"`
	}
	if err := flex.Unmarshal(msg, &m); err != nil {
		return nil, fmt.Errorf("weiling: callback message: %w", err)
	}
	e := &Event{Raw: append(json.RawMessage(nil), msg...)}
	if h := m.Header; h != nil {
		e.Type = string(h.EventType)
		e.Timestamp = string(h.Timestamp)
		if h.TimeStamp != nil && *h.TimeStamp != "" {
			e.Timestamp = string(*h.TimeStamp)
		}
		e.ToApp = string(h.ToApp)
	}
	if p := bytes.TrimSpace(m.Event); len(p) > 0 && string(p) != "null" {
		e.Payload = p // m.Event is already a copy
	}
	switch e.Type {
	case EventClueAdd, EventClueUpdate:
		var c ClueEvent
		if err := decodeObject(e.Payload, &c); err != nil {
			return nil, fmt.Errorf("weiling: %s event: %w", e.Type, err)
		}
		e.Clue = &c
	case EventClueHistory:
		var h ClueHistoryEvent
		if err := decodeObject(e.Payload, &h); err != nil {
			return nil, fmt.Errorf("weiling: %s event: %w", e.Type, err)
		}
		e.ClueHistory = &h
	}
	return e, nil
}

// decodeObject decodes a JSON object into v; an absent payload leaves v
// zero, anything but an object is an error. b is valid JSON (a member of
// the parsed message), so a v with its own UnmarshalJSON (which validates
// b again) is decoded directly rather than through json.Unmarshal.
func decodeObject(b []byte, v any) error {
	if len(b) == 0 {
		return nil
	}
	if b[0] != '{' {
		return errors.New("event is not a JSON object")
	}
	if u, ok := v.(json.Unmarshaler); ok {
		return u.UnmarshalJSON(b)
	}
	return json.Unmarshal(b, v)
}
