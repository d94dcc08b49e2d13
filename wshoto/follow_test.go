package wshoto

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateFollowDocExample(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.reply("/openapi/crm/follow/create", fixture(t, "follow_create_response.json"))
	res, err := h.c.CreateFollow(ctx(t), &CreateFollowRequest{
		Type: FollowOpportunity, ID: "1532234063232437057", UserID: "chen-di", ContactType: ContactWeCom, FollowContent: "跟进一下客户",
		StageID: "1531601499997297665",
		Attachment: []Attachment{{
			CosURL:        "https://javatest-1253767630.cos.ap-shanghai.myqcloud.com/appww078fe5f69b4761f6/2022/06/920068e6-6895-4175-83b5-faec6c82c809.pdf",
			FileExtension: "pdf",
		}},
	})
	require.NoError(t, err)
	// As the doc example, except: type is a string (the table's type), and
	// empty optional fields are not sent.
	checkOne(t, rec, "/openapi/crm/follow/create", `{"type":"2","id":"1532234063232437057","user_id":"chen-di","contact_type":"企微联系",`+
		`"follow_content":"跟进一下客户","stage_id":1531601499997297665,"attachment":[{"cos_url":`+
		`"https://javatest-1253767630.cos.ap-shanghai.myqcloud.com/appww078fe5f69b4761f6/2022/06/920068e6-6895-4175-83b5-faec6c82c809.pdf","file_extension":"pdf"}]}`)
	assert.Equal(t, NumericID("1539134210387191809"), res.ID, "19 digits exact")
}

func TestCreateFollowFullBody(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.reply("/openapi/crm/follow/create", `{"code":0,"data":"1539134210387191809"}`)
	res, err := h.c.CreateFollow(ctx(t), &CreateFollowRequest{
		Type: FollowClue, ID: "1591005521987920962", UserID: "u", ContactType: ContactVisit, FollowContent: "拜访<&>",
		LocationLat: "30.5", LocationLng: "114.3", LocationName: "武汉", FieldMap: map[string]any{"mf_follow_1": "x"},
		Attachment: []Attachment{{CosURL: "https://x/a.png", Name: "a.png", Type: AttachmentImage, FileExtension: "png"}},
	})
	require.NoError(t, err)
	checkOne(t, rec, "/openapi/crm/follow/create", `{"type":"0","id":"1591005521987920962","user_id":"u","contact_type":"拜访",`+
		`"follow_content":"拜访<&>","location_lat":"30.5","location_lng":"114.3","location_name":"武汉","field_map":{"mf_follow_1":"x"},`+
		`"attachment":[{"cos_url":"https://x/a.png","file_extension":"png","name":"a.png","type":"image"}]}`)
	assert.Equal(t, NumericID("1539134210387191809"), res.ID)
}

func TestCreateFollowValidation(t *testing.T) {
	t.Parallel()
	valid := func() *CreateFollowRequest {
		return &CreateFollowRequest{Type: FollowClue, ID: "1", UserID: "u", ContactType: "自定义方式", FollowContent: "c"}
	}
	tests := []struct {
		name string
		mod  func(r *CreateFollowRequest) *CreateFollowRequest
		ok   bool
	}{
		{"valid with a tenant-defined contact type", func(r *CreateFollowRequest) *CreateFollowRequest { return r }, true},
		{"nil", func(*CreateFollowRequest) *CreateFollowRequest { return nil }, false},
		{"type 3", func(r *CreateFollowRequest) *CreateFollowRequest { r.Type = "3"; return r }, false},
		{"no type", func(r *CreateFollowRequest) *CreateFollowRequest { r.Type = ""; return r }, false},
		{"no id", func(r *CreateFollowRequest) *CreateFollowRequest { r.ID = ""; return r }, false},
		{"no user", func(r *CreateFollowRequest) *CreateFollowRequest { r.UserID = ""; return r }, false},
		{"no contact type", func(r *CreateFollowRequest) *CreateFollowRequest { r.ContactType = ""; return r }, false},
		{"no content", func(r *CreateFollowRequest) *CreateFollowRequest { r.FollowContent = ""; return r }, false},
		{"opportunity without stage", func(r *CreateFollowRequest) *CreateFollowRequest { r.Type = FollowOpportunity; return r }, false},
		{"opportunity with stage", func(r *CreateFollowRequest) *CreateFollowRequest {
			r.Type, r.StageID = FollowOpportunity, "1531601499997297665"
			return r
		}, true},
		{"bad stage id", func(r *CreateFollowRequest) *CreateFollowRequest { r.StageID = "s1"; return r }, false},
		{"10 attachments", func(r *CreateFollowRequest) *CreateFollowRequest { r.Attachment = make([]Attachment, 10); return r }, false},
		{"9 attachments", func(r *CreateFollowRequest) *CreateFollowRequest { r.Attachment = make([]Attachment, 9); return r }, true},
		{"unknown attachment type", func(r *CreateFollowRequest) *CreateFollowRequest {
			r.Attachment = []Attachment{{Type: "audio"}}
			return r
		}, false},
		{"file with an undocumented extension", func(r *CreateFollowRequest) *CreateFollowRequest {
			r.Attachment = []Attachment{{Type: AttachmentFile, FileExtension: "exe"}}
			return r
		}, false},
		{"each documented extension", func(r *CreateFollowRequest) *CreateFollowRequest {
			for _, e := range FileExtensions {
				r.Attachment = append(r.Attachment, Attachment{Type: AttachmentFile, FileExtension: e})
			}
			return r
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.reply("/openapi/crm/follow/create", `{"code":0,"data":1}`)
			_, err := h.c.CreateFollow(ctx(t), tt.mod(valid()))
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalidParam)
			assert.Zero(t, h.tr.GetTotalCallCount())
		})
	}
}
