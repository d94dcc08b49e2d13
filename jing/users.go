package jing

import (
	"context"
	"encoding/json"
	"net/http"
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
// name: 手机号}.
type Identity struct {
	Type  IdentityType `json:"type"`  // e.g. IdentityMobile
	Value string       `json:"value"` // e.g. the mobile number
	// Name is the identity's display name (e.g. 手机号); omitted when empty.
	Name string `json:"name,omitempty"`
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
	// Users: at least one.
	Users []User
	// ReturnFull adds returnFull=true to the query: each success item then
	// also carries extra information such as leads_info.stage_name.
	ReturnFull bool
}

// CreateUsersResult is data{success[], failure[]}, plus the request_id.
// A batch whose items failed is not an error: check Failure.
type CreateUsersResult struct {
	Success   []CreatedUser `json:"success"` // data.success[]
	Failure   []FailedUser  `json:"failure"` // data.failure[]: one item per user not created
	RequestID string        `json:"-"`       // the envelope's request_id
}

// CreatedUser is one item of data.success[].
type CreatedUser struct {
	// Identities echoes the identities of the created user.
	Identities []Identity `json:"identities"`
	// LeadsInfo is present with ReturnFull.
	LeadsInfo *LeadsInfo `json:"leads_info,omitempty"`
	// Raw is the whole item as received, with any field not typed here.
	Raw json.RawMessage `json:"-"`
}

// LeadsInfo is the lead information of a success item (ReturnFull).
type LeadsInfo struct {
	StageName string `json:"stage_name"` // the lead's stage, e.g. 初始线索
	// Raw is the whole leads_info object as received.
	Raw json.RawMessage `json:"-"`
}

// FailedUser is one item of data.failure[]. Its fields are not documented:
// Identities is filled when the item echoes them like a success item does,
// and Raw always holds the item as received (including the reason, under
// whatever key the vendor uses).
type FailedUser struct {
	Identities []Identity      `json:"identities"` // nil when not echoed
	Raw        json.RawMessage `json:"-"`          // the item as received
}

// wireIdentity tolerates numbers where strings are expected.
type wireIdentity struct {
	Type  flex.String `json:"type"`
	Value flex.String `json:"value"`
	Name  flex.String `json:"name"`
}

func identitiesFromWire(w []wireIdentity) []Identity {
	if w == nil {
		return nil
	}
	out := make([]Identity, len(w))
	for i, x := range w {
		out[i] = Identity{Type: IdentityType(x.Type), Value: string(x.Value), Name: string(x.Name)}
	}
	return out
}

// UnmarshalJSON implements json.Unmarshaler, keeping the raw item. An item
// whose known fields cannot be read is still kept (Raw only), so one odd
// item never hides the others.
func (u *CreatedUser) UnmarshalJSON(b []byte) error {
	*u = CreatedUser{Raw: append(json.RawMessage(nil), b...)}
	var w struct {
		Identities []wireIdentity  `json:"identities"`
		LeadsInfo  json.RawMessage `json:"leads_info"`
	}
	if json.Unmarshal(b, &w) != nil {
		return nil
	}
	u.Identities = identitiesFromWire(w.Identities)
	if li := strings.TrimSpace(string(w.LeadsInfo)); li != "" && li != "null" {
		var l struct {
			StageName flex.String `json:"stage_name"`
		}
		if json.Unmarshal(w.LeadsInfo, &l) == nil {
			u.LeadsInfo = &LeadsInfo{StageName: string(l.StageName), Raw: append(json.RawMessage(nil), w.LeadsInfo...)}
		}
	}
	return nil
}

// UnmarshalJSON implements json.Unmarshaler, keeping the raw item. An item
// whose identities cannot be read is still kept (Raw only).
func (u *FailedUser) UnmarshalJSON(b []byte) error {
	*u = FailedUser{Raw: append(json.RawMessage(nil), b...)}
	var w struct {
		Identities []wireIdentity `json:"identities"`
	}
	if json.Unmarshal(b, &w) == nil {
		u.Identities = identitiesFromWire(w.Identities)
	}
	return nil
}

// CreateUsers creates users (and their leads) in one batch:
// POST /v1/user/create[?returnFull=true] with a JSON array body. Every user
// needs at least one identity with a type and a value; this is checked before
// any network call. The call is not retried once it may have reached the
// vendor (an ambiguous failure matches ErrAmbiguous).
func (c *Client) CreateUsers(ctx context.Context, req *CreateUsersRequest) (*CreateUsersResult, error) {
	if req == nil || len(req.Users) == 0 {
		return nil, core.InvalidParam(vendorName, OpCreateUsers, "at least one user is required")
	}
	for i, u := range req.Users {
		if len(u.Identities) == 0 {
			return nil, core.InvalidParam(vendorName, OpCreateUsers, "users[%d]: at least one identity is required", i)
		}
		for j, id := range u.Identities {
			if strings.TrimSpace(string(id.Type)) == "" || strings.TrimSpace(id.Value) == "" {
				return nil, core.InvalidParam(vendorName, OpCreateUsers, "users[%d].identities[%d]: type and value are required", i, j)
			}
		}
	}
	body, err := flex.Marshal(req.Users)
	if err != nil {
		return nil, core.InvalidParam(vendorName, OpCreateUsers, "cannot marshal users: %v", err)
	}
	res, err := c.t.Do(ctx, &core.Request{
		Op:     OpCreateUsers,
		Method: http.MethodPost,
		Body:   body,
		Create: true,
		Token:  c.tokens,
		Sign: func(a *core.Attempt) error {
			a.Path = CreateUsersPath
			if req.ReturnFull {
				a.Query.Set("returnFull", "true")
			}
			c.authorize(a)
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	out := &CreateUsersResult{RequestID: res.RequestID}
	if len(res.Data) > 0 {
		if err := flex.Unmarshal(res.Data, out); err != nil {
			// The users were created (code 0) but the answer is unreadable.
			return nil, core.NewAPIError(vendorName, OpCreateUsers, res.HTTPStatus, "", "cannot decode data", res.RequestID, err, core.ErrBadResponse)
		}
	}
	return out, nil
}
