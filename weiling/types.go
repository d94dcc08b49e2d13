package weiling

import (
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/flex"
)

// Text is a value the vendor documents as text but whose JSON type is not
// settled: a string decodes to its value, null to "", a number or boolean to
// its literal text (exactly as sent), and an object or array to its compact
// JSON text. It never fails on valid JSON and encodes as a JSON string.
type Text = flex.Text

// Extra holds the members of a vendor object that no typed field names: the
// key and the value's JSON, verbatim (Contact.Extra, Clue.Extra). Decoding
// fills it in the same pass as the typed fields; encoding writes the members
// back after the typed ones.
type Extra = flex.Extra

// ID is an identifier kept as its exact text: it decodes from a JSON string
// or number (every digit of a 19-digit number kept, never a float64) and
// encodes as a JSON string. Most weiling ids are opaque strings of 43
// base64url characters and are typed string; ID is used where the vendor
// also sends numbers.
type ID = flex.ID

// CST is China Standard Time (UTC+8, no daylight saving), the zone of the
// vendor's days (Day, ListContactsRequest.StartDay and EndDay).
var CST = flex.CST

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
	ID   string `json:"id"`
	Type Int    `json:"type"`
	Name string `json:"name"`
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
	Type          String `json:"type"`
	ComponentID   ID     `json:"component_id"`
	ComponentName string `json:"component_name"`
}

// TagGroup is an entry of tag_group_list.
type TagGroup struct {
	GroupID    string     `json:"group_id"`
	GroupName  string     `json:"group_name"`
	Type       String     `json:"type"`
	CreateTime UnixMillis `json:"create_time"`
	TagInfo    []Tag      `json:"tag_info"`
}

// Tag is an entry of a TagGroup's tag_info.
type Tag struct {
	TagID      string     `json:"tag_id"`
	TagName    string     `json:"tag_name"`
	Type       String     `json:"type"`
	CreateTime UnixMillis `json:"create_time"`
	TagUserID  string     `json:"tag_user_id"`
}

// UnixMillis is an epoch time in milliseconds (13 digits) that arrives as a
// JSON number or a numeric string; it encodes as a number. Convert with
// Millis or the Created methods.
type UnixMillis = flex.UnixMillis

// Bool is a flag that arrives as true/false, 0/1 or their strings; it
// encodes as a JSON boolean.
type Bool = flex.Bool

// Int is an integer that arrives as a JSON number or a numeric string.
type Int = flex.Int64

// String is a value that arrives as a JSON string, number or boolean, kept
// as its text.
type String = flex.String

// Millis converts a 13-digit millisecond timestamp (as the vendor sends
// create_time and friends) to a time; 0 gives the zero time.
func Millis(ms UnixMillis) time.Time { return flex.Millis(ms) }

// Day formats t as the yyyy-MM-dd day in China time (CST), as
// ListContactsRequest.StartDay and EndDay expect.
func Day(t time.Time) string { return t.In(CST).Format(time.DateOnly) }
