package weiling

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/cluekit/cluekit/internal/flex"
)

// Text is a value the vendor documents as a string but whose JSON type is
// not settled (or varies): a JSON string decodes to its value, null to "",
// and any other JSON value (number, boolean, object, array) to its compact
// JSON text. It encodes as a JSON string.
type Text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*t = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
	default:
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err != nil {
			return err
		}
		*t = Text(buf.String())
	}
	return nil
}

// String returns the text.
func (t Text) String() string { return string(t) }

// intEnum decodes a JSON number or numeric string ("" and null give 0).
func intEnum(b []byte) (int, error) {
	var v flex.Int64
	if err := v.UnmarshalJSON(b); err != nil {
		return 0, err
	}
	return int(v), nil
}

// Gender is 性别: 0 未选择 (not set), 1 男, 2 女.
type Gender int

// Gender values.
const (
	GenderUnset  Gender = 0
	GenderMale   Gender = 1
	GenderFemale Gender = 2
)

// UnmarshalJSON accepts a number or a numeric string.
func (g *Gender) UnmarshalJSON(b []byte) error {
	v, err := intEnum(b)
	*g = Gender(v)
	return err
}

// PopulationSize is 公司规模 (company head count).
type PopulationSize int

// PopulationSize values.
const (
	Population0To19      PopulationSize = 0
	Population20To99     PopulationSize = 1
	Population100To499   PopulationSize = 2
	Population500To999   PopulationSize = 3
	Population1000To9999 PopulationSize = 4
	Population10000Plus  PopulationSize = 5
)

// UnmarshalJSON accepts a number or a numeric string.
func (p *PopulationSize) UnmarshalJSON(b []byte) error {
	v, err := intEnum(b)
	*p = PopulationSize(v)
	return err
}

// ClueStatus is a clue's status.
type ClueStatus int

// ClueStatus values.
const (
	ClueInSea     ClueStatus = 0 // 默认(公海): in the public pool
	ClueClaimed   ClueStatus = 1 // 已领取
	ClueConverted ClueStatus = 3 // 已转化: converted to a WeCom friend
	ClueInPool    ClueStatus = 4 // 线索池: in the pool, unassigned
)

// UnmarshalJSON accepts a number or a numeric string.
func (s *ClueStatus) UnmarshalJSON(b []byte) error {
	v, err := intEnum(b)
	*s = ClueStatus(v)
	return err
}

// ContactStatus is a contact's status.
type ContactStatus int

// ContactStatus values accepted by CreateContact.
const (
	ContactInSea      ContactStatus = 0 // 待认领(公海): unclaimed, in the public pool (sea_id, default 默认公海)
	ContactClaimed    ContactStatus = 1 // 已认领
	ContactUnassigned ContactStatus = 4 // 待分配: awaiting assignment
)

// UnmarshalJSON accepts a number or a numeric string.
func (s *ContactStatus) UnmarshalJSON(b []byte) error {
	v, err := intEnum(b)
	*s = ContactStatus(v)
	return err
}

// ContactWayType is the type of a contact way.
type ContactWayType int

// ContactWayType values documented for contact/create. Real data also shows
// 0 and 101 (both phones): see ContactWay.Kind.
const (
	ContactWayMobile   ContactWayType = 1 // 手机号
	ContactWayLandline ContactWayType = 2 // 座机
	ContactWayEmail    ContactWayType = 3 // 邮箱
)

// UnmarshalJSON accepts a number or a numeric string.
func (t *ContactWayType) UnmarshalJSON(b []byte) error {
	v, err := intEnum(b)
	*t = ContactWayType(v)
	return err
}

// ContactWay is one way to reach a contact: {type, contact_way}.
type ContactWay struct {
	Type       ContactWayType `json:"type"`
	ContactWay string         `json:"contact_way"`
}

// Kind classifies the way by its content rather than its type, which real
// data does not always fill as documented (0 and 101 were seen for phones):
// a value with "@" is an email; otherwise a documented landline type stays a
// landline and anything else is taken as a phone number (mobile).
func (w ContactWay) Kind() ContactWayType {
	switch {
	case strings.Contains(w.ContactWay, "@"):
		return ContactWayEmail
	case w.Type == ContactWayLandline:
		return ContactWayLandline
	default:
		return ContactWayMobile
	}
}

// AddSource is 添加来源: {id, type, name}, e.g. {"type":4,"name":"注册加微"}.
type AddSource struct {
	ID   string     `json:"id"`
	Type flex.Int64 `json:"type"`
	Name string     `json:"name"`
}

// CompanyRef is an entry of company_list.
type CompanyRef struct {
	CompanyID   string `json:"company_id"`
	CompanyName string `json:"company_name"`
}

// BusinessRef is an entry of business_list (商机).
type BusinessRef struct {
	BusinessID   string `json:"business_id"`
	BusinessName string `json:"business_name"`
}

// ContactSource is a contact's contact_source.
type ContactSource struct {
	Type          flex.String `json:"type"`
	ComponentID   flex.String `json:"component_id"`
	ComponentName string      `json:"component_name"`
}

// TagGroup is an entry of tag_group_list.
type TagGroup struct {
	GroupID    string          `json:"group_id"`
	GroupName  string          `json:"group_name"`
	Type       flex.String     `json:"type"`
	CreateTime flex.UnixMillis `json:"create_time"`
	TagInfo    []Tag           `json:"tag_info"`
}

// Tag is an entry of a TagGroup's tag_info.
type Tag struct {
	TagID      string          `json:"tag_id"`
	TagName    string          `json:"tag_name"`
	Type       flex.String     `json:"type"`
	CreateTime flex.UnixMillis `json:"create_time"`
	TagUserID  string          `json:"tag_user_id"`
}

// UnixMillis is an epoch time in milliseconds (13 digits) that arrives as a
// JSON number or a numeric string; it encodes as a number. Convert with
// Millis or the Created methods.
type UnixMillis = flex.UnixMillis

// Bool is a flag that arrives as true/false, 0/1 or their strings; it
// encodes as a JSON boolean.
type Bool = flex.Bool

// Millis converts a 13-digit millisecond timestamp (as the vendor sends
// create_time and friends) to a time; 0 gives the zero time.
func Millis(ms flex.UnixMillis) time.Time { return flex.Millis(ms) }

// chinaTime is the vendor's local time (UTC+8, no daylight saving).
var chinaTime = time.FixedZone("CST", 8*3600)

// Day formats t as the yyyy-MM-dd day in China time (UTC+8), as
// ListContactsRequest.StartDay and EndDay expect.
func Day(t time.Time) string { return t.In(chinaTime).Format(time.DateOnly) }

// knownKeys lists the JSON keys of a struct type's fields.
var knownKeys sync.Map // reflect.Type → map[string]bool

func keysOf(t reflect.Type) map[string]bool {
	if m, ok := knownKeys.Load(t); ok {
		return m.(map[string]bool)
	}
	m := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = true
	}
	knownKeys.Store(t, m)
	return m
}

// extraFields returns the members of the JSON object b that no field of the
// struct type t names (nil when there are none). b is valid JSON (every
// caller has just decoded it): flex.Members walks it and only the unknown
// members are copied.
func extraFields(b []byte, t reflect.Type) (map[string]json.RawMessage, error) {
	known := keysOf(t)
	var extra map[string]json.RawMessage
	ok := flex.Members(b, func(key string, value []byte) {
		if known[key] {
			return
		}
		if extra == nil {
			extra = map[string]json.RawMessage{}
		}
		extra[key] = append(json.RawMessage(nil), value...) // a repeated key: the last wins, as in a map
	})
	if !ok {
		return extraFieldsMap(b, known)
	}
	return extra, nil
}

// extraFieldsMap is extraFields by decoding every member.
func extraFieldsMap(b []byte, known map[string]bool) (map[string]json.RawMessage, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	var extra map[string]json.RawMessage
	for k, v := range all {
		if known[k] {
			continue
		}
		if extra == nil {
			extra = map[string]json.RawMessage{}
		}
		extra[k] = v
	}
	return extra, nil
}
