package weilingtest

import (
	"encoding/json"
	"net/url"
	"time"

	"github.com/cluekit/cluekit/weiling"
)

func (s *Server) nowMillis() int64 { return s.Now().UnixMilli() }

// AddContact stores a contact as if created in the vendor's UI and returns
// its id (c.ContactID, or a new one). A zero CreateTime becomes now.
func (s *Server) AddContact(c weiling.Contact) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addContact(c)
}

func (s *Server) addContact(c weiling.Contact) string {
	if c.ContactID == "" {
		c.ContactID = NewID()
	}
	if c.CreateTime == 0 {
		c.CreateTime = weiling.UnixMillis(s.nowMillis())
	}
	cp := c
	s.contacts = append(s.contacts, &cp)
	s.contactByID[cp.ContactID] = &cp
	return cp.ContactID
}

// Contact returns a copy of the stored contact.
func (s *Server) Contact(id string) (weiling.Contact, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.contactByID[id]
	if !ok {
		return weiling.Contact{}, false
	}
	return *c, true
}

// Contacts returns copies of all stored contacts, in creation order.
func (s *Server) Contacts() []weiling.Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]weiling.Contact, 0, len(s.contacts))
	for _, c := range s.contacts {
		out = append(out, *c)
	}
	return out
}

func contactWire(c *weiling.Contact) map[string]any { return wireObject(c) }

type createContactBody struct {
	UserName    string `json:"user_name"`
	ContactWays []struct {
		Type       json.Number `json:"type"`
		ContactWay string      `json:"contact_way"`
	} `json:"contact_ways"`
	CreateTime     json.Number  `json:"create_time"`
	Status         *json.Number `json:"status"`
	CreateUserID   string       `json:"create_user_id"`
	OwnerID        string       `json:"owner_id"`
	SeaID          string       `json:"sea_id"`
	Gender         json.Number  `json:"gender"`
	Age            json.Number  `json:"age"`
	PopulationSize *json.Number `json:"population_size"`
}

func (s *Server) contactCreate(_ url.Values, body []byte) (any, int, string) {
	var b createContactBody
	if !decode(body, &b) {
		return fail(1011)
	}
	var all map[string]json.RawMessage
	_ = json.Unmarshal(body, &all)
	if b.Status == nil {
		return fail(1000)
	}
	status, err := b.Status.Int64()
	if err != nil || (status != 0 && status != 1 && status != 4) {
		return fail(1013)
	}
	c := weiling.Contact{UserName: b.UserName, Status: weiling.ContactStatus(status), CreateUserID: b.CreateUserID, OwnerID: b.OwnerID}
	for _, w := range b.ContactWays {
		t, err := w.Type.Int64()
		if err != nil || t < 1 || t > 3 || w.ContactWay == "" {
			return fail(1013)
		}
		c.ContactWays = append(c.ContactWays, weiling.ContactWay{Type: weiling.ContactWayType(t), ContactWay: w.ContactWay})
	}
	if b.CreateTime != "" {
		ms, err := b.CreateTime.Int64()
		if err != nil || ms < 0 {
			return fail(1013)
		}
		c.CreateTime = weiling.UnixMillis(ms)
	}
	if b.Gender != "" {
		g, err := b.Gender.Int64()
		if err != nil || g < 0 || g > 2 {
			return fail(1013)
		}
		c.Gender = weiling.Gender(g)
	}
	if b.Age != "" {
		a, err := b.Age.Int64()
		if err != nil || a < 0 {
			return fail(1013)
		}
		c.Age = weiling.UnixMillis(a)
	}
	if b.PopulationSize != nil {
		p, err := b.PopulationSize.Int64()
		if err != nil || p < 0 || p > 5 {
			return fail(1013)
		}
		c.PopulationSize = weiling.PopulationSize(p)
	}
	if status == 1 && c.OwnerID == "" {
		c.OwnerID = firstNonEmpty(b.CreateUserID, s.UserID)
	}
	for _, k := range []string{"corp_name", "corp_address", "register_address", "industry", "email", "searchword", "region", "plan_name", "group_name", "url", "creative_title", "creative_description"} {
		if raw, ok := all[k]; ok {
			_ = json.Unmarshal(raw, fieldPtr(&c, k))
		}
	}
	for _, k := range []string{"legal_person", "qq", "wx_id", "key_word", "advertiser_account_name", "from_channel_id", "contact_custom"} {
		if raw, ok := all[k]; ok {
			setExtra(&c.Extra, k, json.RawMessage(raw))
		}
	}
	if status == 0 {
		setExtra(&c.Extra, "sea_id", firstNonEmpty(b.SeaID, s.SeaID))
	}
	c.FromChannelName = "其他-其他"
	id := s.addContact(c)
	if s.cfg.noCreatedIDs {
		return nil, 0, "success"
	}
	return map[string]any{"contact_id": id}, 0, "success"
}

// fieldPtr returns a pointer to the string field of c named by its JSON key.
func fieldPtr(c *weiling.Contact, key string) *string {
	switch key {
	case "corp_name":
		return &c.CorpName
	case "corp_address":
		return &c.CorpAddress
	case "register_address":
		return &c.RegisterAddress
	case "industry":
		return &c.Industry
	case "email":
		return &c.Email
	case "searchword":
		return &c.Searchword
	case "region":
		return &c.Region
	case "plan_name":
		return &c.PlanName
	case "group_name":
		return &c.GroupName
	case "url":
		return &c.URL
	case "creative_title":
		return &c.CreativeTitle
	case "creative_description":
		return &c.CreativeDescription
	}
	return new(string)
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// idList reads a list of ids under key; code != 0 on a missing or too long
// list.
func idList(body []byte, key string, max int) ([]string, int) {
	var m map[string]json.RawMessage
	if !decode(body, &m) {
		return nil, 1011
	}
	raw, ok := m[key]
	if !ok {
		return nil, 1000
	}
	var ids []string
	if json.Unmarshal(raw, &ids) != nil {
		return nil, 1013
	}
	if len(ids) == 0 {
		return nil, 1000
	}
	if max > 0 && len(ids) > max {
		return nil, 1012
	}
	return ids, 0
}

func failItem(key, id string, code int) map[string]any {
	return map[string]any{key: id, "error_code": code, "error_msg": codeMsgs[code]}
}

func (s *Server) contactBatch(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "contact_ids", 100)
	if code != 0 {
		return fail(code)
	}
	list := []map[string]any{}
	for _, id := range ids {
		if c, ok := s.contactByID[id]; ok {
			list = append(list, contactWire(c))
		}
	}
	return map[string]any{"contact_list": list}, 0, "success"
}

func (s *Server) contactList(q url.Values, _ []byte) (any, int, string) {
	start, err1 := time.ParseInLocation(time.DateOnly, q.Get("start_day"), weiling.CST)
	end, err2 := time.ParseInLocation(time.DateOnly, q.Get("end_day"), weiling.CST)
	if err1 != nil || err2 != nil {
		return fail(1013)
	}
	end = end.AddDate(0, 0, 1)
	owner := q.Get("owner_id")
	var match []*weiling.Contact
	for _, c := range s.contacts {
		t := time.UnixMilli(int64(c.CreateTime))
		if t.Before(start) || !t.Before(end) || (owner != "" && c.OwnerID != owner) {
			continue
		}
		match = append(match, c)
	}
	items, next, code := page(match, "contact", q.Get("cursor"), s.cfg.pageSize)
	if code != 0 {
		return fail(code)
	}
	list := make([]map[string]any, 0, len(items))
	for _, c := range items {
		list = append(list, contactWire(c))
	}
	return map[string]any{"contact_list": list, "cursor": next}, 0, "success"
}

func (s *Server) contactEdit(_ url.Values, body []byte) (any, int, string) {
	var b struct {
		ContactID     string         `json:"contact_id"`
		UserName      string         `json:"user_name"`
		Position      string         `json:"position"`
		Gender        *json.Number   `json:"gender"`
		Age           *json.Number   `json:"age"`
		WxID          string         `json:"wx_id"`
		QQ            string         `json:"qq"`
		Email         string         `json:"email"`
		Remark        string         `json:"remark"`
		ContactCustom map[string]any `json:"contact_custom"`
	}
	if !decode(body, &b) {
		return fail(1011)
	}
	if b.ContactID == "" {
		return fail(1000)
	}
	c, ok := s.contactByID[b.ContactID]
	if !ok {
		return fail(1003)
	}
	if b.Gender != nil {
		g, err := b.Gender.Int64()
		if err != nil || g < 0 || g > 2 {
			return fail(1013)
		}
		c.Gender = weiling.Gender(g)
	}
	if b.Age != nil {
		a, err := b.Age.Int64()
		if err != nil || a < 0 {
			return fail(1013)
		}
		c.Age = weiling.UnixMillis(a)
	}
	if b.UserName != "" {
		c.UserName = b.UserName
	}
	if b.Position != "" {
		c.Position = b.Position
	}
	if b.Email != "" {
		c.Email = b.Email
	}
	for k, v := range map[string]string{"wx_id": b.WxID, "qq": b.QQ, "remark": b.Remark} {
		if v != "" {
			setExtra(&c.Extra, k, v)
		}
	}
	if len(b.ContactCustom) > 0 {
		setExtra(&c.Extra, "contact_custom", b.ContactCustom)
	}
	return nil, 0, "success"
}

type ownerChangeBody struct {
	OperatorUserID string `json:"operator_user_id"`
	Contacts       []struct {
		ID      string `json:"id"`
		OwnerID string `json:"owner_id"`
	} `json:"contact_list"`
	Clues []struct {
		ID      string `json:"id"`
		OwnerID string `json:"owner_id"`
	} `json:"clue_list"`
}

func (s *Server) contactOwnerChange(_ url.Values, body []byte) (any, int, string) {
	var b ownerChangeBody
	if !decode(body, &b) {
		return fail(1011)
	}
	if len(b.Contacts) == 0 {
		return fail(1000)
	}
	fails := []map[string]any{}
	for _, ch := range b.Contacts {
		c, ok := s.contactByID[ch.ID]
		switch {
		case !ok:
			fails = append(fails, failItem("id", ch.ID, 1003))
		case ch.OwnerID == "":
			fails = append(fails, failItem("id", ch.ID, 1013))
		default:
			c.OwnerID = ch.OwnerID
			if c.Status != weiling.ContactClaimed {
				c.Status = weiling.ContactClaimed
				c.ClaimTime = weiling.UnixMillis(s.nowMillis())
			}
		}
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}

func (s *Server) contactDisuse(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, s.cfg.disuseKey, 100)
	if code != 0 {
		return fail(code)
	}
	fails := []map[string]any{}
	for _, id := range ids {
		c, ok := s.contactByID[id]
		switch {
		case !ok:
			fails = append(fails, failItem("contact_id", id, 1003))
		case bool(c.IsUseless):
			fails = append(fails, failItem("contact_id", id, 1004))
		default:
			c.IsUseless = true
		}
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}

func (s *Server) contactRecover(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "contact_ids", 100)
	if code != 0 {
		return fail(code)
	}
	fails := []map[string]any{}
	for _, id := range ids {
		c, ok := s.contactByID[id]
		switch {
		case !ok:
			fails = append(fails, failItem("contact_id", id, 1003))
		case !bool(c.IsUseless):
			fails = append(fails, failItem("contact_id", id, 1004))
		default:
			c.IsUseless = false
		}
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}

func seaOf(body []byte, def string) string {
	var b struct {
		SeaID string `json:"sea_id"`
	}
	_ = json.Unmarshal(body, &b)
	return firstNonEmpty(b.SeaID, def)
}

func (s *Server) contactBackToSea(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "contact_ids", 0)
	if code != 0 {
		return fail(code)
	}
	sea := seaOf(body, s.SeaID)
	fails := []map[string]any{}
	for _, id := range ids {
		c, ok := s.contactByID[id]
		if !ok {
			fails = append(fails, failItem("contact_id", id, 1003))
			continue
		}
		c.Status, c.OwnerID = weiling.ContactInSea, ""
		setExtra(&c.Extra, "sea_id", sea)
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}
