package wshototest

import (
	"encoding/json"
	"net/http"
)

// Follow is a follow-up record as the fake stores it.
type Follow struct {
	ID            string
	Type          string
	TargetID      string
	UserID        string
	ContactType   string
	FollowContent string
	StageID       string
	Attachments   int
	Body          map[string]any // the request body as decoded
}

// Follows returns the follow-up records created so far.
func (s *Server) Follows() []Follow {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Follow(nil), s.follows...)
}

func (s *Server) handleCreateFollow(_ *http.Request, body map[string]any) answer {
	// type is a string per the table; the vendor's own example sends a number.
	var typ string
	switch v := body["type"].(type) {
	case string:
		typ = v
	case json.Number:
		typ = v.String()
	}
	if typ != "0" && typ != "1" && typ != "2" {
		return bad(&fieldErr{"type只能为0、1或2"})
	}
	var target string
	switch v := body["id"].(type) {
	case string:
		target = v
	case json.Number:
		target = v.String()
	}
	if target == "" {
		return bad(&fieldErr{"id不能为空"})
	}
	f := Follow{Type: typ, TargetID: target, Body: body}
	var err error
	if f.UserID, _, err = getString(body, "user_id", true); err != nil {
		return bad(err)
	}
	if f.ContactType, _, err = getString(body, "contact_type", true); err != nil {
		return bad(err)
	}
	if f.FollowContent, _, err = getString(body, "follow_content", true); err != nil {
		return bad(err)
	}
	if f.StageID, _, err = getLong(body, "stage_id", typ == "2"); err != nil {
		return bad(err)
	}
	if v, present := body["attachment"]; present && v != nil {
		arr, ok := v.([]any)
		if !ok {
			return bad(&fieldErr{"attachment必须为数组"})
		}
		if len(arr) > 9 {
			return bad(&fieldErr{"最多支持9个附件"})
		}
		f.Attachments = len(arr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if typ == "0" {
		if _, found := s.clues[target]; !found {
			return fail(CodeNotFound, "线索不存在")
		}
	}
	f.ID = s.newIDLocked()
	s.follows = append(s.follows, f)
	return ok(json.Number(f.ID))
}
