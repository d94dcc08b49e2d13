package wshoto

import (
	"context"

	"github.com/cluekit/cluekit/internal/core"
)

var epCreateFollow = core.Endpoint{Op: "follow/create", Path: "/openapi/crm/follow/create", Create: true}

// Follow-up targets (CreateFollowRequest.Type).
const (
	FollowClue        = "0" // 线索: ID is a clue id
	FollowCustomer    = "1" // 客户: ID is a customer id
	FollowOpportunity = "2" // 商机: ID is an opportunity id; StageID is required
)

// System follow-up methods (CreateFollowRequest.ContactType). A tenant may
// also define its own values; any non-empty string is sent.
const (
	ContactVisit          = "拜访"
	ContactWeCom          = "企微联系"
	ContactPhone          = "电话联系"
	ContactOther          = "其他跟进"
	ContactOnlineMeeting  = "线上会议"
	ContactCall           = "打电话"
	ContactAddWeComFriend = "加好友(企微加好友)"
	ContactAddFriendBySMS = "加好友(发短信加好友)"
)

// Attachment types (Attachment.Type).
const (
	AttachmentWeb   = "web"
	AttachmentFile  = "file"
	AttachmentVideo = "video"
	AttachmentImage = "image"
)

// MaxAttachments is the most attachments one follow-up record may carry.
const MaxAttachments = 9

// FileExtensions lists the documented file_extension values (for
// AttachmentFile attachments): pdf, xls, xlsx, doc, docx, ppt, pptx.
var FileExtensions = []string{"pdf", "xls", "xlsx", "doc", "docx", "ppt", "pptx"}

// Attachment is one local attachment (本地附件) of a follow-up record.
type Attachment struct {
	CosURL        string `json:"cos_url,omitempty"`        // file URL
	FileExtension string `json:"file_extension,omitempty"` // one of FileExtensions for files
	Name          string `json:"name,omitempty"`
	Type          string `json:"type,omitempty"` // AttachmentWeb, AttachmentFile, AttachmentVideo or AttachmentImage
}

// CreateFollowRequest creates a follow-up record (POST
// /openapi/crm/follow/create) for a clue, customer or opportunity.
type CreateFollowRequest struct {
	Type          string         `json:"type"`                    // required: FollowClue, FollowCustomer or FollowOpportunity
	ID            ID             `json:"id"`                      // required: the clue/customer/opportunity id (sent as a JSON string)
	UserID        string         `json:"user_id"`                 // required: staff id
	ContactType   string         `json:"contact_type"`            // required: a Contact... constant or a tenant-defined value
	FollowContent string         `json:"follow_content"`          // required
	LocationLat   string         `json:"location_lat,omitempty"`  // 拜访位置纬度
	LocationLng   string         `json:"location_lng,omitempty"`  // 拜访地址经度
	LocationName  string         `json:"location_name,omitempty"` // 拜访位置名称
	StageID       NumericID      `json:"stage_id,omitempty"`      // 商机阶段id (a long), required when Type is FollowOpportunity
	FieldMap      map[string]any `json:"field_map,omitempty"`     // custom fields
	Attachment    []Attachment   `json:"attachment,omitempty"`    // at most MaxAttachments
}

func (r *CreateFollowRequest) validate() error {
	op := epCreateFollow.Op
	if r == nil {
		return core.NilRequest(vendorName, op)
	}
	switch r.Type {
	case FollowClue, FollowCustomer, FollowOpportunity:
	default:
		return core.InvalidParam(vendorName, op, "type must be %q (clue), %q (customer) or %q (opportunity)", FollowClue, FollowCustomer, FollowOpportunity)
	}
	for _, f := range []struct{ name, v string }{{"id", string(r.ID)}, {"user_id", r.UserID}, {"contact_type", r.ContactType}, {"follow_content", r.FollowContent}} {
		if f.v == "" {
			return core.InvalidParam(vendorName, op, "%s is required", f.name)
		}
	}
	if r.Type == FollowOpportunity {
		if err := checkID(op, "stage_id (required when type is \"2\")", r.StageID); err != nil {
			return err
		}
	} else if r.StageID != "" {
		if err := checkID(op, "stage_id", r.StageID); err != nil {
			return err
		}
	}
	if len(r.Attachment) > MaxAttachments {
		return core.InvalidParam(vendorName, op, "attachment has %d items, at most %d", len(r.Attachment), MaxAttachments)
	}
	for i, a := range r.Attachment {
		switch a.Type {
		case "", AttachmentWeb, AttachmentFile, AttachmentVideo, AttachmentImage:
		default:
			return core.InvalidParam(vendorName, op, "attachment[%d].type %q is not web, file, video or image", i, a.Type)
		}
		if a.FileExtension != "" && (a.Type == "" || a.Type == AttachmentFile) && !isFileExtension(a.FileExtension) {
			return core.InvalidParam(vendorName, op, "attachment[%d].file_extension %q is not one of %v", i, a.FileExtension, FileExtensions)
		}
	}
	return nil
}

func isFileExtension(ext string) bool {
	for _, e := range FileExtensions {
		if e == ext {
			return true
		}
	}
	return false
}

// CreateFollowResult reports a created follow-up record.
type CreateFollowResult struct {
	// ID is the new record's id; "" if wshoto answered without one.
	ID NumericID
}

// UnmarshalJSON decodes the created id: documented as a bare long; a string
// of digits or an object {"id": ...} is accepted too.
func (r *CreateFollowResult) UnmarshalJSON(b []byte) error {
	id, err := createdID(b)
	if err != nil {
		return shapeError(b, r)
	}
	r.ID = id
	return nil
}

// CreateFollow creates a follow-up record and returns its id. It is never
// retried once the request may have reached wshoto (such a failure matches
// ErrAmbiguous). Such a failure is not resolved: a follow-up record has no
// key of the caller's (the same clue, staff and text may be recorded
// twice), and no endpoint lists follow-up records.
func (c *Client) CreateFollow(ctx context.Context, req *CreateFollowRequest) (*CreateFollowResult, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	var res CreateFollowResult
	if _, err := c.t.Call(ctx, epCreateFollow, nil, req, &res); err != nil {
		return nil, err
	}
	return &res, nil
}
