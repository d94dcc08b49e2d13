package weiling

import (
	"bytes"
	"context"
	"encoding/json"
	"iter"
	"net/http"
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

	IsRepeat     Bool   `json:"is_repeat"`
	IsUseless    Bool   `json:"is_useless"`
	CreateUserID string `json:"create_user_id"`
	OwnerID      string `json:"owner_id"`
	URL          string `json:"url"`

	Email          string         `json:"email"`
	Age            Int            `json:"age"`
	Gender         Gender         `json:"gender"`
	PopulationSize PopulationSize `json:"population_size"`
	Industry       string         `json:"industry"`
	Position       string         `json:"position"`

	CreateTime        UnixMillis `json:"create_time"`
	LastFollowTime    UnixMillis `json:"last_follow_time"`
	FirstProgressTime UnixMillis `json:"first_progress_time"`
	ClaimTime         UnixMillis `json:"claim_time"`

	TagGroupList     []TagGroup    `json:"tag_group_list,omitempty"`
	BusinessList     []BusinessRef `json:"business_list,omitempty"`
	CompanyList      []CompanyRef  `json:"company_list,omitempty"`
	LatestProgressID ID            `json:"latest_progress_id"`
	// CustomerStage is customer_stage, verbatim (type not documented).
	CustomerStage Text `json:"customer_stage"`

	// Extra holds the members of the vendor's object that no field above
	// names (contact/batch documents 37), verbatim.
	Extra Extra `json:"-"`
}

// UnmarshalJSON decodes the typed fields and keeps the other members in
// Extra, in one pass over the object.
func (c *Contact) UnmarshalJSON(b []byte) error {
	type plain Contact
	return flex.UnmarshalObject(b, (*plain)(c), &c.Extra)
}

// MarshalJSON encodes the typed fields, then the members of Extra.
func (c Contact) MarshalJSON() ([]byte, error) {
	type plain Contact
	return flex.MarshalObject(plain(c), c.Extra)
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
		return core.NilRequest(vendorName, op)
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

var (
	epCreateContact      = core.Endpoint{Op: "contact/create", Path: "/openapi/contact/create", Create: true}
	epBatchGetContacts   = core.Endpoint{Op: "contact/batch", Path: "/openapi/contact/batch"}
	epListContacts       = core.Endpoint{Op: "contact/list", Method: http.MethodGet, Path: "/openapi/contact/list"}
	epEditContact        = core.Endpoint{Op: "contact/edit", Path: "/openapi/contact/edit"}
	epChangeContactOwner = core.Endpoint{Op: "contact/owner_change", Path: "/openapi/contact/owner_change"}
	epDisuseContacts     = core.Endpoint{Op: "contact/disuse", Path: "/openapi/contact/disuse"}
	epRecoverContacts    = core.Endpoint{Op: "contact/recover", Path: "/openapi/contact/recover"}
	epBackContactsToSea  = core.Endpoint{Op: "contact/back_to_sea", Path: "/openapi/contact/back_to_sea"}
)

// CreateContactResult is the answer of contact/create. The vendor does not
// document it: ContactID is set only if the answer carries one (a
// contact_id or id member holding a string, or data that is the id itself);
// Raw is the answer's data verbatim. Without an id, find the contact with
// ListContacts (by the day of creation and its name or phone).
type CreateContactResult struct {
	ContactID string
	Raw       json.RawMessage
}

// UnmarshalJSON keeps data verbatim and reads the new contact's id from an
// object's contact_id (or id), or from a bare string; anything else leaves
// ContactID empty.
func (r *CreateContactResult) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	r.Raw = append(json.RawMessage(nil), b...)
	r.ContactID = ""
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '{':
		var o struct {
			ContactID json.RawMessage `json:"contact_id"`
			ID        json.RawMessage `json:"id"`
		}
		if flex.UnmarshalObject(b, &o, nil) != nil {
			return nil
		}
		for _, raw := range []json.RawMessage{o.ContactID, o.ID} {
			var s string
			if json.Unmarshal(raw, &s) == nil && s != "" {
				r.ContactID = s
				return nil
			}
		}
	case '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			r.ContactID = s
		}
	}
	return nil
}

// CreateContact creates a contact (POST /openapi/contact/create). It is a
// create: after a failure where the request may have reached weiling
// (timeout, reset, 5xx, business code 500) it is not retried and the error
// matches ErrAmbiguous; look the contact up before creating it again. Such
// a failure is not resolved (read back): weiling does not document any
// field as unique per tenant (not the mobile: contacts carry is_repeat, so
// a repeated one is kept and flagged, not refused), contact/list filters
// only by day, owner and cursor, and the path of 根据联络方式查询联系人 (find a
// contact by phone) is not published; so a contact found after the failure
// could not be told from an older one.
func (c *Client) CreateContact(ctx context.Context, req *CreateContactRequest) (*CreateContactResult, error) {
	if err := req.check(epCreateContact.Op); err != nil {
		return nil, err
	}
	var res CreateContactResult
	if _, err := c.t.Call(ctx, epCreateContact, nil, req, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// BatchGetContactsRequest is the body of POST /openapi/contact/batch.
type BatchGetContactsRequest struct {
	// ContactIDs are the contacts to read (1 to 100).
	ContactIDs []string `json:"contact_ids"`
}

// BatchGetContactsResult is the answer of contact/batch: the contacts found
// (unknown ids are simply missing).
type BatchGetContactsResult struct {
	Contacts []Contact `json:"contact_list"`
}

// BatchGetContacts returns the contacts with the given ids (POST
// /openapi/contact/batch, at most 100 ids). Unknown ids are simply missing
// from the answer. Each contact is decoded once, straight from the answer.
func (c *Client) BatchGetContacts(ctx context.Context, req *BatchGetContactsRequest) (*BatchGetContactsResult, error) {
	if req == nil {
		return nil, core.NilRequest(vendorName, epBatchGetContacts.Op)
	}
	if err := checkIDs(epBatchGetContacts.Op, "contact_ids", req.ContactIDs, MaxBatch); err != nil {
		return nil, err
	}
	var res BatchGetContactsResult
	if _, err := c.t.Call(ctx, epBatchGetContacts, nil, req, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// ListContactsRequest is the query of GET /openapi/contact/list.
type ListContactsRequest struct {
	// Cursor is the cursor of the previous page; empty for the first page
	// (always sent).
	Cursor string `url:"cursor"`
	// StartDay and EndDay bound the creation day, as yyyy-MM-dd (see Day).
	// The vendor marks them optional, but answers 1013 without them, so
	// they are required here and always sent.
	StartDay string `url:"start_day"`
	EndDay   string `url:"end_day"`
	// OwnerID filters by owner.
	OwnerID string `url:"owner_id,omitempty"`
}

func (r *ListContactsRequest) check(op string) error {
	if r == nil {
		return core.NilRequest(vendorName, op)
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
	if err := req.check(epListContacts.Op); err != nil {
		return nil, err
	}
	var page ContactPage
	if _, err := c.t.Call(ctx, epListContacts, req, nil, &page); err != nil {
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
// hands out a cursor it handed out before). req is not modified.
func (c *Client) AllContacts(ctx context.Context, req *ListContactsRequest) iter.Seq2[Contact, error] {
	return func(yield func(Contact, error) bool) {
		if err := req.check(epListContacts.Op); err != nil {
			yield(Contact{}, err)
			return
		}
		r := *req
		next := cursorGuard()
		core.WalkCursor(ctx, vendorName, epListContacts.Op, r.Cursor, func(ctx context.Context, cursor string) ([]Contact, string, error) {
			r.Cursor = cursor
			page, err := c.ListContacts(ctx, &r)
			if err != nil {
				return nil, "", err
			}
			return page.Contacts, next(cursor, page.Cursor, page.Done), nil
		}, yield)
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

// EditContactResult is the answer of contact/edit. The vendor sends no data
// (just {code, msg}); the type exists so that fields it may add later are
// not a breaking change.
type EditContactResult struct{}

// EditContact updates one contact (POST /openapi/contact/edit).
func (c *Client) EditContact(ctx context.Context, req *EditContactRequest) (*EditContactResult, error) {
	const op = "contact/edit"
	if req == nil || strings.TrimSpace(req.ContactID) == "" {
		return nil, core.InvalidParam(vendorName, op, "contact_id is required")
	}
	if err := checkGenderAge(op, req.Gender, req.Age); err != nil {
		return nil, err
	}
	if _, err := c.t.Call(ctx, epEditContact, nil, req, nil); err != nil {
		return nil, err
	}
	return &EditContactResult{}, nil
}

// ChangeContactOwner transfers contacts to new owners (POST
// /openapi/contact/owner_change, sent with operator_user_id as in the
// vendor's example). Items the vendor refuses come back in the result's
// Failed, and the error is then a *BatchError (the result is returned as
// well).
func (c *Client) ChangeContactOwner(ctx context.Context, req *ChangeOwnerRequest) (*BatchResult, error) {
	if err := req.check(epChangeContactOwner.Op, 0); err != nil {
		return nil, err
	}
	return c.batchCall(ctx, epChangeContactOwner, &ownerChangeBody{ContactList: req.Changes, OperatorUserID: req.OperatorUserID})
}

// DisuseContactsRequest is the request of POST /openapi/contact/disuse.
type DisuseContactsRequest struct {
	// ContactIDs are the contacts to discard (1 to 100). They are sent
	// under the documented key "contatc_ids" (sic), or "contact_ids" with
	// WithDisuseContactIDsKey.
	ContactIDs []string
}

// disuseBody is the wire body of contact/disuse: one of the keys is set.
type disuseBody struct {
	Documented []string `json:"contatc_ids,omitempty"`
	Corrected  []string `json:"contact_ids,omitempty"`
}

// DisuseContacts discards (废弃) contacts (POST /openapi/contact/disuse, at
// most 100 ids). The ids are sent under the documented key "contatc_ids"
// (sic); WithDisuseContactIDsKey sends "contact_ids" instead. Per-item
// failures come back as for ChangeContactOwner.
func (c *Client) DisuseContacts(ctx context.Context, req *DisuseContactsRequest) (*BatchResult, error) {
	if req == nil {
		return nil, core.NilRequest(vendorName, epDisuseContacts.Op)
	}
	if err := checkIDs(epDisuseContacts.Op, c.set.disuseKey, req.ContactIDs, MaxBatch); err != nil {
		return nil, err
	}
	body := &disuseBody{Documented: req.ContactIDs}
	if c.set.disuseKey != DisuseContactsKeyDocumented {
		body = &disuseBody{Corrected: req.ContactIDs}
	}
	return c.batchCall(ctx, epDisuseContacts, body)
}

// RecoverContactsRequest is the body of POST /openapi/contact/recover.
type RecoverContactsRequest struct {
	// ContactIDs are the discarded contacts to restore (1 to 100).
	ContactIDs []string `json:"contact_ids"`
}

// RecoverContacts restores discarded contacts (POST /openapi/contact/recover,
// at most 100 ids). Per-item failures come back as for ChangeContactOwner.
func (c *Client) RecoverContacts(ctx context.Context, req *RecoverContactsRequest) (*BatchResult, error) {
	if req == nil {
		return nil, core.NilRequest(vendorName, epRecoverContacts.Op)
	}
	if err := checkIDs(epRecoverContacts.Op, "contact_ids", req.ContactIDs, MaxBatch); err != nil {
		return nil, err
	}
	return c.batchCall(ctx, epRecoverContacts, req)
}

// BackContactsToSeaRequest is the body of POST /openapi/contact/back_to_sea.
type BackContactsToSeaRequest struct {
	// ContactIDs are the contacts to return (at least one).
	ContactIDs []string `json:"contact_ids"`
	// SeaID names the public pool (empty: not sent).
	SeaID string `json:"sea_id,omitempty"`
}

// BackContactsToSea returns contacts to a public pool (POST
// /openapi/contact/back_to_sea). Per-item failures come back as for
// ChangeContactOwner.
func (c *Client) BackContactsToSea(ctx context.Context, req *BackContactsToSeaRequest) (*BatchResult, error) {
	if req == nil {
		return nil, core.NilRequest(vendorName, epBackContactsToSea.Op)
	}
	if err := checkIDs(epBackContactsToSea.Op, "contact_ids", req.ContactIDs, 0); err != nil {
		return nil, err
	}
	return c.batchCall(ctx, epBackContactsToSea, req)
}
