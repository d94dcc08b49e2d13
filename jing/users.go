package jing

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// IdentityType is the type of a user identity. The documented types have
// constants; the e-mail type exists but its exact string is missing from the
// vendor doc, so there is no constant for it (pass the string the vendor
// gives you as IdentityType("...")).
type IdentityType string

// Documented identity types (用户批量创建).
const (
	IdentityMobile            IdentityType = "mobile"
	IdentityWechatOpenID      IdentityType = "wechat_openid"
	IdentityWechatUnionID     IdentityType = "wechat_unionid"
	IdentityExternalUserID    IdentityType = "external_userid" // 企业微信联系人 (WeCom contact)
	IdentityThirdpartyChannel IdentityType = "thirdparty_channel"
)

// SourceTypeThirdpartyCustom is the fields_source.source_type of the doc's
// example (a third-party custom source).
const SourceTypeThirdpartyCustom = "thirdparty_custom_source"

// Identity is one identity of a user, e.g. {type: mobile, value: 19667348978,
// name: 手机号}. Decoding accepts numbers where strings are expected (their
// literal text).
type Identity struct {
	Type  IdentityType `json:"type"`  // e.g. IdentityMobile
	Value string       `json:"value"` // e.g. the mobile number
	// Name is the identity's display name (e.g. 手机号); omitted when empty.
	Name string `json:"name,omitempty"`
}

// UnmarshalJSON implements json.Unmarshaler: type, value and name may be
// JSON strings, numbers or booleans (kept as their literal text), or null.
func (id *Identity) UnmarshalJSON(b []byte) error {
	var w struct {
		Type  flex.String `json:"type"`
		Value flex.String `json:"value"`
		Name  flex.String `json:"name"`
	}
	if err := flex.UnmarshalObject(b, &w, nil); err != nil {
		return err
	}
	*id = Identity{Type: IdentityType(w.Type), Value: string(w.Value), Name: string(w.Name)}
	return nil
}

// FieldsSource says where the field values come from.
type FieldsSource struct {
	SourceType  string `json:"source_type"`  // e.g. SourceTypeThirdpartyCustom
	SourceValue string `json:"source_value"` // the source option's value
}

// User is one item of a batch creation.
type User struct {
	// Identities: at least one, each with Type and Value.
	Identities []Identity `json:"identities"`
	// Fields maps field codes (from 查询对象所有字段, "get all fields of an
	// object") to values.
	Fields map[string]any `json:"fields,omitempty"`
	// FieldsSource is optional.
	FieldsSource *FieldsSource `json:"fields_source,omitempty"`
}

// CreateUsersRequest is a batch user creation (which also creates leads).
// The vendor publishes no maximum batch size; none is enforced here.
type CreateUsersRequest struct {
	// Users: at least one. They are the request body (a JSON array).
	Users []User `url:"-"`
	// ReturnFull adds returnFull=true to the query: each success item then
	// also carries extra information such as leads_info.stage_name.
	ReturnFull bool `url:"returnFull,omitempty"`
}

func (r *CreateUsersRequest) validate() error {
	if r == nil || len(r.Users) == 0 {
		return core.InvalidParam(vendorName, OpCreateUsers, "at least one user is required")
	}
	for i, u := range r.Users {
		if len(u.Identities) == 0 {
			return core.InvalidParam(vendorName, OpCreateUsers, "users[%d]: at least one identity is required", i)
		}
		for j, id := range u.Identities {
			if strings.TrimSpace(string(id.Type)) == "" || strings.TrimSpace(id.Value) == "" {
				return core.InvalidParam(vendorName, OpCreateUsers, "users[%d].identities[%d]: type and value are required", i, j)
			}
		}
	}
	return nil
}

// CreateUsersResult is data{success[], failure[]}, plus the request_id.
// When Failure is not empty, CreateUsers returns the result together with a
// *BatchError listing the refused users.
type CreateUsersResult struct {
	Success   []CreatedUser `json:"success"` // data.success[]
	Failure   []FailedUser  `json:"failure"` // data.failure[]: one item per user not created
	RequestID string        `json:"-"`       // the envelope's request_id
}

// CreatedUser is one item of data.success[]. An item that cannot be read
// as such (not an object, or a field of the wrong type) is still kept, in
// Raw, so one odd item never hides the others.
type CreatedUser struct {
	// Identities echoes the identities of the created user.
	Identities []Identity `json:"identities"`
	// LeadsInfo is present with ReturnFull.
	LeadsInfo *LeadsInfo `json:"leads_info,omitempty"`
	// Extra holds the members not typed here (e.g. user_uuid), verbatim.
	Extra Extra `json:"-"`
	// Raw is the item as received when it could not be read (nil
	// otherwise).
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (u *CreatedUser) UnmarshalJSON(b []byte) error {
	type plain CreatedUser
	var v CreatedUser
	if flex.UnmarshalObject(b, (*plain)(&v), &v.Extra) != nil {
		v = CreatedUser{Raw: clone(b)}
	}
	*u = v
	return nil
}

// LeadsInfo is the lead information of a success item (ReturnFull).
type LeadsInfo struct {
	StageName String `json:"stage_name"` // the lead's stage, e.g. 初始线索
	// Extra holds the members not typed here (e.g. lead_uuid), verbatim.
	Extra Extra `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler.
func (l *LeadsInfo) UnmarshalJSON(b []byte) error {
	type plain LeadsInfo
	var v LeadsInfo
	if err := flex.UnmarshalObject(b, (*plain)(&v), &v.Extra); err != nil {
		return err
	}
	*l = v
	return nil
}

// FailedUser is one item of data.failure[]. Its fields are not documented:
// Identities is filled when the item echoes them like a success item does,
// and Raw always holds the item as received (including the reason, under
// whatever key the vendor uses; see Reason).
type FailedUser struct {
	Identities []Identity      `json:"identities"` // nil when not echoed
	Raw        json.RawMessage `json:"-"`          // the item as received
}

// UnmarshalJSON implements json.Unmarshaler; it never fails.
func (u *FailedUser) UnmarshalJSON(b []byte) error {
	type plain FailedUser
	var v FailedUser
	if flex.UnmarshalObject(b, (*plain)(&v), nil) != nil {
		v = FailedUser{}
	}
	v.Raw = clone(b)
	*u = v
	return nil
}

// reasonKeys are where a failure item may carry its reason (undocumented).
var reasonKeys = []string{"msg", "message", "reason", "error", "errmsg", "error_msg"}

// Reason returns the item's reason, as text, from the first of its members
// msg, message, reason, error, errmsg and error_msg that is set ("" when
// none is: the key the vendor uses is not documented).
func (u *FailedUser) Reason() string {
	found := map[string]string{}
	flex.Members(u.Raw, func(k string, v []byte) {
		var t flex.Text
		if t.UnmarshalJSON(v) == nil && t != "" {
			found[k] = string(t)
		}
	})
	for _, k := range reasonKeys {
		if r, ok := found[k]; ok {
			return r
		}
	}
	return ""
}

// code returns the item's code member, if it has one (undocumented).
func (u *FailedUser) code() string {
	var code string
	flex.Members(u.Raw, func(k string, v []byte) {
		var s flex.String
		if (k == "code" || k == "errcode" || k == "error_code") && code == "" && s.UnmarshalJSON(v) == nil {
			code = string(s)
		}
	})
	return code
}

var epCreateUsers = core.Endpoint{Op: OpCreateUsers, Path: CreateUsersPath, Create: true}

// CreateUsers creates users (and their leads) in one batch: POST
// /v1/user/create[?returnFull=true] with a JSON array body. Every user needs
// at least one identity with a type and a value; this is checked before any
// network call. The call is not retried once it may have reached the vendor
// (an ambiguous failure matches ErrAmbiguous), and such a failure is not
// resolved: the identities are the users' keys, but the docs neither say
// that user/create is an upsert (用户批量更新 is a separate endpoint, and
// data.failure[] reasons are not documented), which would make sending it
// again safe, nor give the path and fields of 用户查询 or 批量查询用户身份, by
// which a user could be read back; and a user refused as existing on a
// second try could be another writer's.
//
// When the vendor refused some users (data.failure[] not empty), CreateUsers
// returns the result (with the successes) and a *BatchError: one ItemError
// per refused user, ID being its first identity's value (or its index in
// data.failure when it echoes none), Message its reason (FailedUser.Reason).
func (c *Client) CreateUsers(ctx context.Context, req *CreateUsersRequest) (*CreateUsersResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	var res CreateUsersResult
	r, err := c.t.Call(ctx, epCreateUsers, req, req.Users, &res)
	if err != nil {
		return nil, err
	}
	res.RequestID = r.RequestID
	return &res, res.batchError()
}

// batchError reports the refused users (nil when none).
func (r *CreateUsersResult) batchError() error {
	items := make([]ItemError, 0, len(r.Failure))
	for i := range r.Failure {
		f := &r.Failure[i]
		id := strconv.Itoa(i)
		if len(f.Identities) > 0 && f.Identities[0].Value != "" {
			id = f.Identities[0].Value
		}
		items = append(items, core.NewItemError(id, f.code(), f.Reason()))
	}
	return core.NewBatchError(vendorName, OpCreateUsers, items)
}

func clone(b []byte) json.RawMessage { return append(json.RawMessage(nil), bytes.TrimSpace(b)...) }
