package weilingtest

import (
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/cluekit/cluekit/weiling"
)

// AddClue stores a clue (the clue/create body is not documented, so tests
// and examples seed clues this way) and returns its id (c.ClueID, or a new
// one). A zero CreateTime becomes now.
func (s *Server) AddClue(c weiling.Clue) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ClueID == "" {
		c.ClueID = NewID()
	}
	if c.CreateTime == 0 {
		c.CreateTime = weiling.UnixMillis(s.nowMillis())
	}
	cp := c
	s.clues = append(s.clues, &cp)
	s.clueByID[cp.ClueID] = &cp
	return cp.ClueID
}

// Clue returns a copy of the stored clue.
func (s *Server) Clue(id string) (weiling.Clue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clueByID[id]
	if !ok {
		return weiling.Clue{}, false
	}
	return *c, true
}

// clueWire is a clue as clue/list and clue/batch send it: create_time as a
// string of ms, as in the vendor's example.
func clueWire(c *weiling.Clue) map[string]any {
	m := wireObject(c)
	m["create_time"] = strconv.FormatInt(int64(c.CreateTime), 10)
	return m
}

func (s *Server) clueList(q url.Values, _ []byte) (any, int, string) {
	var start int64
	if v := q.Get("start"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fail(1013)
		}
		start = n
	}
	owner, mobile := q.Get("owner_id"), q.Get("mobile")
	var match []*weiling.Clue
	for _, c := range s.clues {
		if int64(c.CreateTime) <= start || (owner != "" && c.OwnerID != owner) || (mobile != "" && c.Mobile != mobile) {
			continue
		}
		match = append(match, c)
	}
	items, next, code := page(match, "clue", q.Get("cursor"), s.cfg.pageSize)
	if code != 0 {
		return fail(code)
	}
	list := make([]map[string]any, 0, len(items))
	for _, c := range items {
		list = append(list, clueWire(c))
	}
	return map[string]any{"clue_list": list, "cursor": next}, 0, "success"
}

func (s *Server) clueBatch(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "clue_ids", 100)
	if code != 0 {
		return fail(code)
	}
	list := []map[string]any{}
	for _, id := range ids {
		if c, ok := s.clueByID[id]; ok {
			list = append(list, clueWire(c))
		}
	}
	return map[string]any{"clue_list": list}, 0, "success"
}

func (s *Server) clueOwnerChange(_ url.Values, body []byte) (any, int, string) {
	var b ownerChangeBody
	if !decode(body, &b) {
		return fail(1011)
	}
	if len(b.Clues) == 0 {
		return fail(1000)
	}
	if len(b.Clues) >= 100 {
		return fail(1012)
	}
	fails := []map[string]any{}
	for _, ch := range b.Clues {
		c, ok := s.clueByID[ch.ID]
		switch {
		case !ok:
			fails = append(fails, failItem("id", ch.ID, 1003))
		case ch.OwnerID == "":
			fails = append(fails, failItem("id", ch.ID, 1013))
		case c.Status == weiling.ClueInSea || bool(c.IsUseless):
			// Unclaimed clues in the public pool and discarded clues cannot
			// be transferred.
			fails = append(fails, failItem("id", ch.ID, 1005))
		default:
			c.OwnerID = ch.OwnerID
		}
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}

func (s *Server) clueDisuse(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "clue_ids", 100)
	if code != 0 {
		return fail(code)
	}
	fails := []map[string]any{}
	for _, id := range ids {
		c, ok := s.clueByID[id]
		switch {
		case !ok:
			fails = append(fails, failItem("clue_id", id, 1003))
		case bool(c.IsUseless):
			fails = append(fails, failItem("clue_id", id, 1004))
		default:
			c.IsUseless = true
		}
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}

func (s *Server) clueUpdate(_ url.Values, body []byte) (any, int, string) {
	var b struct {
		Clues []map[string]json.RawMessage `json:"clue_list"`
	}
	if !decode(body, &b) {
		return fail(1011)
	}
	if len(b.Clues) == 0 {
		return fail(1000)
	}
	fails := []map[string]any{}
	for _, u := range b.Clues {
		var id string
		_ = json.Unmarshal(u["clue_id"], &id)
		c, ok := s.clueByID[id]
		if !ok {
			fails = append(fails, failItem("clue_id", id, 1003))
			continue
		}
		var g weiling.Gender
		if raw, ok := u["gender"]; ok && (json.Unmarshal(raw, &g) != nil || g < 0 || g > 2) {
			fails = append(fails, failItem("clue_id", id, 1013))
			continue
		}
		for k, raw := range u {
			switch k {
			case "clue_id":
			case "user_name":
				_ = json.Unmarshal(raw, &c.UserName)
			case "position":
				_ = json.Unmarshal(raw, &c.Position)
			case "gender":
				c.Gender = g
			default: // age, wx_id, qq, email, remark, clue_custom_field
				setExtra(&c.Extra, k, json.RawMessage(raw))
			}
		}
	}
	return map[string]any{"fail_list": fails}, 0, "success"
}

func (s *Server) clueBackToSea(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "clue_ids", 0)
	if code != 0 {
		return fail(code)
	}
	sea := seaOf(body, s.SeaID)
	fails, oks := []map[string]any{}, []string{}
	for _, id := range ids {
		c, ok := s.clueByID[id]
		if !ok {
			fails = append(fails, failItem("clue_id", id, 1003))
			continue
		}
		c.Status, c.OwnerID, c.SeaID = weiling.ClueInSea, "", sea
		oks = append(oks, id)
	}
	return map[string]any{"fail_list": fails, "success_list": oks}, 0, "success"
}

func (s *Server) clueRecover(_ url.Values, body []byte) (any, int, string) {
	ids, code := idList(body, "clue_ids", 0)
	if code != 0 {
		return fail(code)
	}
	fails, oks := []map[string]any{}, []string{}
	for _, id := range ids {
		c, ok := s.clueByID[id]
		switch {
		case !ok:
			fails = append(fails, failItem("clue_id", id, 1003))
		case !bool(c.IsUseless):
			fails = append(fails, failItem("clue_id", id, 1004))
		default:
			c.IsUseless = false
			oks = append(oks, id)
		}
	}
	return map[string]any{"fail_list": fails, "success_list": oks}, 0, "success"
}
