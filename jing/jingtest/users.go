package jingtest

import (
	"encoding/json"
	"net/http"

	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/jing"
)

// Users returns the stored users, oldest first.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]User(nil), s.users...)
}

// FindUser returns the stored user holding the identity.
func (s *Server) FindUser(t jing.IdentityType, value string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.byIdentity[identityKey(t, value)]
	if !ok {
		return User{}, false
	}
	return s.users[i], true
}

func identityKey(t jing.IdentityType, v string) string { return string(t) + "\x00" + v }

type userItem struct {
	Identities   []jing.Identity    `json:"identities"`
	Fields       map[string]any     `json:"fields"`
	FieldsSource *jing.FieldsSource `json:"fields_source"`
}

type successItem struct {
	Identities []jing.Identity `json:"identities"`
	LeadsInfo  *struct {
		StageName string `json:"stage_name"`
	} `json:"leads_info,omitempty"`
}

// failureItem is the fake's own shape (the vendor's is undocumented): the
// identities and a message.
type failureItem struct {
	Identities []jing.Identity `json:"identities"`
	Msg        string          `json:"msg"`
}

func (s *Server) createUsers(r *http.Request, body []byte) (int, []byte) {
	if code, msg := s.checkAuth(r); code != 0 {
		return s.reply(code, msg, nil, false)
	}
	var items []json.RawMessage
	if !isJSON(r) || flex.Unmarshal(body, &items) != nil || len(items) == 0 {
		return s.reply(CodeBadRequest, "body must be a non-empty JSON array of users", nil, false)
	}
	returnFull := r.URL.Query().Get("returnFull") == "true"
	success, failure := []successItem{}, []failureItem{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, raw := range items {
		var it userItem
		if err := flex.Unmarshal(raw, &it); err != nil {
			failure = append(failure, failureItem{Msg: "invalid user item"})
			continue
		}
		if msg := s.checkItemLocked(it); msg != "" {
			failure = append(failure, failureItem{Identities: it.Identities, Msg: msg})
			continue
		}
		u := User{ID: NewID(), LeadID: NewID(), Identities: it.Identities, Fields: it.Fields,
			FieldsSource: it.FieldsSource, StageName: DefaultStageName, CreatedAt: s.now()}
		s.users = append(s.users, u)
		for _, id := range it.Identities {
			s.byIdentity[identityKey(id.Type, id.Value)] = len(s.users) - 1
		}
		item := successItem{Identities: it.Identities}
		if returnFull {
			item.LeadsInfo = &struct {
				StageName string `json:"stage_name"`
			}{StageName: u.StageName}
		}
		success = append(success, item)
	}
	return s.reply(0, "success", map[string]any{"success": success, "failure": failure}, false)
}

func (s *Server) checkItemLocked(it userItem) string {
	if len(it.Identities) == 0 {
		return "identities is required"
	}
	for _, id := range it.Identities {
		if id.Type == "" || id.Value == "" {
			return "identity type and value are required"
		}
		if _, dup := s.byIdentity[identityKey(id.Type, id.Value)]; dup {
			return "user already exists"
		}
	}
	return ""
}
