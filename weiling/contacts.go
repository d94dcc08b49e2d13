package weiling

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// Contact is a 联系人 as contact/batch and contact/list return it (the
// replacement of the deprecated clues). Members the SDK does not type are
// kept in Extra, verbatim.
type Contact struct {
	ContactID       string         `json:"contact_id"`
	UserName        string         `json:"user_name"`
	ContactWays     []ContactWay   `json:"contact_ways"`
	Status          ContactStatus  `json:"status"`
	ContactSource   *ContactSource `json:"contact_source,omitempty"`
	FromChannelName string         `json:"from_channel_name"`
	Level           string         `json:"level,omitempty"`

	CorpName        string `json:"corp_name"`
	CorpAddress     string `json:"corp_address"`
	RegisterAddress string `json:"register_address"`
	// CorpFoundedTime is corp_founded_time, verbatim (its format is not
	// documented).
	CorpFoundedTime Text   `json:"corp_founded_time"`
	Searchword      string `json:"searchword"`
	Region          string `json:"region"`
	PlanName        string `json:"plan_name"`
	GroupName       string `json:"group_name"`

	CreativeTitle       string `json:"creative_title,omitempty"`
	CreativeDescription string `json:"creative_description,omitempty"`
	// OtherCustomField is other_custom_field (format not documented).
	OtherCustomField Text `json:"other_custom_field,omitempty"`

	IsRepeat     flex.Bool `json:"is_repeat"`
	IsUseless    flex.Bool `json:"is_useless"`
	CreateUserID string    `json:"create_user_id"`
	OwnerID      string    `json:"owner_id"`
	URL          string    `json:"url"`

	Email          string         `json:"email"`
	Age            flex.Int64     `json:"age"`
	Gender         Gender         `json:"gender"`
	PopulationSize PopulationSize `json:"population_size"`
	Industry       string         `json:"industry"`
	Position       string         `json:"position"`

	CreateTime        flex.UnixMillis `json:"create_time"`
	LastFollowTime    flex.UnixMillis `json:"last_follow_time"`
	FirstProgressTime flex.UnixMillis `json:"first_progress_time"`
	ClaimTime         flex.UnixMillis `json:"claim_time"`

	TagGroupList     []TagGroup    `json:"tag_group_list,omitempty"`
	BusinessList     []BusinessRef `json:"business_list,omitempty"`
	CompanyList      []CompanyRef  `json:"company_list,omitempty"`
	LatestProgressID flex.String   `json:"latest_progress_id"`
	// CustomerStage is customer_stage, verbatim (type not documented).
	CustomerStage Text `json:"customer_stage"`

	// Extra holds the members of the vendor's object that no field above
	// names (contact/batch documents 37), verbatim.
	Extra map[string]json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the typed fields and keeps the rest in Extra.
func (c *Contact) UnmarshalJSON(b []byte) error {
	type plain Contact
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	extra, err := extraFields(b, reflect.TypeFor[plain]())
	if err != nil {
		return err
	}
	p.Extra = extra
	*c = Contact(p)
	return nil
}

// Created returns CreateTime as a time.
func (c *Contact) Created() time.Time { return flex.Millis(c.CreateTime) }

// CreateContactRequest is the body of POST /openapi/contact/create. Only
// Status is required.
type CreateContactRequest struct {
	UserName string `json:"user_name,omitempty"`
	// ContactWays are the phone numbers and emails: type 1 手机号, 2 座机,
	// 3 邮箱.
	ContactWays []ContactWay `json:"contact_ways,omitempty"`
	// CreateTime is the creation time in ms (0: not sent).
	CreateTime int64 `json:"create_time,omitempty"`
	// Status is required: ContactInSea (0, needs SeaID, else the 默认公海),
	// ContactClaimed (1) or ContactUnassigned (4). Use Ptr(ContactInSea).
	Status       *ContactStatus `json:"status"`
	CreateUserID string         `json:"create_user_id,omitempty"`
	OwnerID      string         `json:"owner_id,omitempty"`
	// SeaID is the public pool for Status 0 (default: 默认公海).
	SeaID           string          `json:"sea_id,omitempty"`
	Gender          Gender          `json:"gender,omitempty"`
	Age             int             `json:"age,omitempty"`
	CorpName        string          `json:"corp_name,omitempty"`
	CorpAddress     string          `json:"corp_address,omitempty"`
	RegisterAddress string          `json:"register_address,omitempty"`
	PopulationSize  *PopulationSize `json:"population_size,omitempty"`
	Industry        string          `json:"industry,omitempty"`
	LegalPerson     string          `json:"legal_person,omitempty"`
	Email           string          `json:"email,omitempty"`
	QQ              string          `json:"qq,omitempty"`
	WxID            string          `json:"wx_id,omitempty"`

	GroupName             string `json:"group_name,omitempty"`
	KeyWord               string `json:"key_word,omitempty"`
	PlanName              string `json:"plan_name,omitempty"`
	CreativeTitle         string `json:"creative_title,omitempty"`
	CreativeDescription   string `json:"creative_description,omitempty"`
	AdvertiserAccountName string `json:"advertiser_account_name,omitempty"`
	Region                string `json:"region,omitempty"`
	URL                   string `json:"url,omitempty"`
	Searchword            string `json:"searchword,omitempty"`
	// FromChannelID is the source channel (default 其他-其他).
	FromChannelID string `json:"from_channel_id,omitempty"`
	// ContactCustom holds custom fields keyed by their apiName: text (< 50
	// chars) and long text (< 200) as strings, dates as 13-digit ms,
	// single-select as the option's label, multi-select as a list of labels.
	ContactCustom map[string]any `json:"contact_custom,omitempty"`
}

func (r *CreateContactRequest) check(op string) error {
	if r == nil {
		return core.InvalidParam(vendorName, op, "request is nil")
	}
	if r.Status == nil {
		return core.InvalidParam(vendorName, op, "status is required (0 公海, 1 已认领, 4 待分配)")
	}
	switch *r.Status {
	case ContactInSea, ContactClaimed, ContactUnassigned:
	default:
		return core.InvalidParam(vendorName, op, "status %d: must be 0 (公海), 1 (已认领) or 4 (待分配)", *r.Status)
	}
	for i, w := range r.ContactWays {
		switch w.Type {
		case ContactWayMobile, ContactWayLandline, ContactWayEmail:
		default:
			return core.InvalidParam(vendorName, op, "contact_ways[%d].type %d: must be 1 (手机号), 2 (座机) or 3 (邮箱)", i, w.Type)
		}
		if strings.TrimSpace(w.ContactWay) == "" {
			return core.InvalidParam(vendorName, op, "contact_ways[%d].contact_way is empty", i)
		}
	}
	if r.PopulationSize != nil && (*r.PopulationSize < Population0To19 || *r.PopulationSize > Population10000Plus) {
		return core.InvalidParam(vendorName, op, "population_size %d: must be 0 to 5", *r.PopulationSize)
	}
	if r.CreateTime < 0 {
		return core.InvalidParam(vendorName, op, "create_time %d is negative", r.CreateTime)
	}
	return checkGenderAge(op, r.Gender, r.Age)
}

// CreateContactResult is the answer of contact/create. The vendor does not
// document it: ContactID is set only if the answer carries one (a
// contact_id member, or data that is the id itself); Raw is the answer's
// data verbatim. Without an id, find the contact with ListContacts (by the
// day of creation and its name or phone).
type CreateContactResult struct {
	ContactID string
	Raw       json.RawMessage
}

// CreateContact creates a contact (POST /openapi/contact/create). It is a
// create: after a failure where the request may have reached weiling
// (timeout, reset, 5xx, business code 500) it is not retried and the error
// matches ErrAmbiguous; look the contact up before creating it again.
func (c *Client) CreateContact(ctx context.Context, req *CreateContactRequest) (*CreateContactResult, error) {
	const op = "contact/create"
	if err := req.check(op); err != nil {
		return nil, err
	}
	res, err := c.call(ctx, op, http.MethodPost, nil, req, true, nil)
	if err != nil {
		return nil, err
	}
	out := &CreateContactResult{}
	if len(res.Data) > 0 {
		out.Raw = append(json.RawMessage(nil), res.Data...)
		out.ContactID = createdID(res.Data)
	}
	return out, nil
}

// createdID reads the new contact's id from an undocumented answer: an
// object's contact_id (or id), or a bare string; anything else gives "".
func createdID(data []byte) string {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return ""
	}
	switch data[0] {
	case '{':
		var o struct {
			ContactID json.RawMessage `json:"contact_id"`
			ID        json.RawMessage `json:"id"`
		}
		if json.Unmarshal(data, &o) != nil {
			return ""
		}
		for _, raw := range []json.RawMessage{o.ContactID, o.ID} {
			var s string
			if json.Unmarshal(raw, &s) == nil && s != "" {
				return s
			}
		}
	case '"':
		var s string
		if json.Unmarshal(data, &s) == nil {
			return s
		}
	}
	return ""
}

// BatchGetContacts returns the contacts with the given ids (POST
// /openapi/contact/batch, at most 100 ids). Unknown ids are simply missing
// from the answer.
func (c *Client) BatchGetContacts(ctx context.Context, contactIDs []string) ([]Contact, error) {
	const op = "contact/batch"
	if err := checkIDs(op, "contact_ids", contactIDs, MaxBatch); err != nil {
		return nil, err
	}
	var out struct {
		Contacts []Contact `json:"contact_list"`
	}
	if _, err := c.call(ctx, op, http.MethodPost, nil, map[string]any{"contact_ids": contactIDs}, false, &out); err != nil {
		return nil, err
	}
	return out.Contacts, nil
}

// ListContactsRequest is the query of GET /openapi/contact/list.
type ListContactsRequest struct {
	// Cursor is the cursor of the previous page; empty for the first page.
	Cursor string
	// StartDay and EndDay bound the creation day, as yyyy-MM-dd (see Day).
	// The vendor marks them optional, but answers 1013 without them, so
	// they are required here and always sent.
	StartDay string
	EndDay   string
	// OwnerID filters by owner.
	OwnerID string
}

func (r *ListContactsRequest) check(op string) error {
	if r == nil {
		return core.InvalidParam(vendorName, op, "request is nil")
	}
	start, err := time.Parse(time.DateOnly, r.StartDay)
	if err != nil {
		return core.InvalidParam(vendorName, op, "start_day %q: want yyyy-MM-dd (required)", r.StartDay)
	}
	end, err := time.Parse(time.DateOnly, r.EndDay)
	if err != nil {
		return core.InvalidParam(vendorName, op, "end_day %q: want yyyy-MM-dd (required)", r.EndDay)
	}
	if end.Before(start) {
		return core.InvalidParam(vendorName, op, "end_day %s is before start_day %s", r.EndDay, r.StartDay)
	}
	return nil
}

// ContactPage is one page of contact/list (100 contacts per page, as seen
// by third-party code).
type ContactPage struct {
	Contacts []Contact `json:"contact_list"`
	// Cursor fetches the next page.
	Cursor string `json:"cursor"`
	// Done reports that this is the last page: the vendor answered 1006
	// (数据加载完毕), or returned no cursor or no contacts.
	Done bool `json:"-"`
}

// ListContacts fetches one page of contacts created between StartDay and
// EndDay (GET /openapi/contact/list). When the vendor answers code 1006
// (数据加载完毕) it returns an empty page with Done set and no error.
// AllContacts walks every page.
func (c *Client) ListContacts(ctx context.Context, req *ListContactsRequest) (*ContactPage, error) {
	const op = "contact/list"
	if err := req.check(op); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("cursor", req.Cursor)
	q.Set("start_day", req.StartDay)
	q.Set("end_day", req.EndDay)
	if req.OwnerID != "" {
		q.Set("owner_id", req.OwnerID)
	}
	var page ContactPage
	if _, err := c.call(ctx, op, http.MethodGet, q, nil, false, &page); err != nil {
		if isEndOfData(err) {
			return &ContactPage{Done: true}, nil
		}
		return nil, err
	}
	page.Done = page.Cursor == "" || len(page.Contacts) == 0
	return &page, nil
}

// AllContacts walks every page of contact/list from req.Cursor on,
// yielding each contact; it ends at code 1006, an empty cursor or an empty
// page, and yields an error once and stops if a page fails (or the vendor
// repeats a cursor).
func (c *Client) AllContacts(ctx context.Context, req *ListContactsRequest) iter.Seq2[Contact, error] {
	return func(yield func(Contact, error) bool) {
		var r ListContactsRequest
		if req != nil {
			r = *req
		}
		seen := map[string]bool{}
		for {
			page, err := c.ListContacts(ctx, &r)
			if err != nil {
				yield(Contact{}, err)
				return
			}
			for _, ct := range page.Contacts {
				if !yield(ct, nil) {
					return
				}
			}
			if page.Done {
				return
			}
			if seen[page.Cursor] {
				yield(Contact{}, cursorLoop("contact/list"))
				return
			}
			seen[page.Cursor] = true
			r.Cursor = page.Cursor
		}
	}
}

// EditContactRequest is the body of POST /openapi/contact/edit. Empty fields
// are not sent (the vendor leaves them unchanged).
type EditContactRequest struct {
	ContactID string `json:"contact_id"`
	UserName  string `json:"user_name,omitempty"`
	Position  string `json:"position,omitempty"`
	Gender    Gender `json:"gender,omitempty"`
	Age       int    `json:"age,omitempty"`
	WxID      string `json:"wx_id,omitempty"`
	QQ        string `json:"qq,omitempty"`
	Email     string `json:"email,omitempty"`
	Remark    string `json:"remark,omitempty"`
	// ContactCustom holds custom fields keyed by apiName (value rules as in
	// CreateContactRequest.ContactCustom).
	ContactCustom map[string]any `json:"contact_custom,omitempty"`
}

// EditContact updates one contact (POST /openapi/contact/edit).
func (c *Client) EditContact(ctx context.Context, req *EditContactRequest) error {
	const op = "contact/edit"
	if req == nil || strings.TrimSpace(req.ContactID) == "" {
		return core.InvalidParam(vendorName, op, "contact_id is required")
	}
	if err := checkGenderAge(op, req.Gender, req.Age); err != nil {
		return err
	}
	_, err := c.call(ctx, op, http.MethodPost, nil, req, false, nil)
	return err
}

// ChangeContactOwner transfers contacts to new owners (POST
// /openapi/contact/owner_change, sent with operator_user_id as in the
// vendor's example). Items the vendor rejects come back in the result's
// FailList, and the error is then a *BatchError (the result is returned as
// well).
func (c *Client) ChangeContactOwner(ctx context.Context, req *ChangeOwnerRequest) (*BatchResult, error) {
	const op = "contact/owner_change"
	if err := req.check(op, 0); err != nil {
		return nil, err
	}
	return c.batchCall(ctx, op, req.body("contact_list"))
}

// DisuseContacts discards (废弃) contacts (POST /openapi/contact/disuse, at
// most 100 ids). The ids are sent under the documented key "contatc_ids"
// (sic); WithDisuseContactIDsKey sends "contact_ids" instead. Per-item
// failures come back as for ChangeContactOwner.
func (c *Client) DisuseContacts(ctx context.Context, contactIDs []string) (*BatchResult, error) {
	const op = "contact/disuse"
	if err := checkIDs(op, c.set.disuseKey, contactIDs, MaxBatch); err != nil {
		return nil, err
	}
	return c.batchCall(ctx, op, map[string]any{c.set.disuseKey: contactIDs})
}

// RecoverContacts restores discarded contacts (POST /openapi/contact/recover,
// at most 100 ids). Per-item failures come back as for ChangeContactOwner.
func (c *Client) RecoverContacts(ctx context.Context, contactIDs []string) (*BatchResult, error) {
	const op = "contact/recover"
	if err := checkIDs(op, "contact_ids", contactIDs, MaxBatch); err != nil {
		return nil, err
	}
	return c.batchCall(ctx, op, map[string]any{"contact_ids": contactIDs})
}

// BackContactsToSea returns contacts to a public pool (POST
// /openapi/contact/back_to_sea); seaID names the pool (empty: not sent).
// Per-item failures come back as for ChangeContactOwner.
func (c *Client) BackContactsToSea(ctx context.Context, contactIDs []string, seaID string) (*BatchResult, error) {
	const op = "contact/back_to_sea"
	if err := checkIDs(op, "contact_ids", contactIDs, 0); err != nil {
		return nil, err
	}
	body := map[string]any{"contact_ids": contactIDs}
	if seaID != "" {
		body["sea_id"] = seaID
	}
	return c.batchCall(ctx, op, body)
}
