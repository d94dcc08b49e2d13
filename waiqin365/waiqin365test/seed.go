package waiqin365test

import (
	"fmt"
	"strings"

	"github.com/cluekit/cluekit/waiqin365"
)

// SeedLeads stores leads directly, without API calls (for example to test
// paging over 100 000 leads), and returns their ids in order. As with
// addSalesLeads, an empty ID gets a fresh 19-digit id, an empty Code a
// generated one, an empty Status StatusPending (StatusUnassigned without an
// owner), and zero CreatedAt/ModifiedAt the fake's clock. The other fields
// are stored as given (Apaas marks an aPaaS lead), visible to queries at
// once whatever WithReadLag says. A code or id that is
// already stored, or repeated in leads, is an error and nothing is stored.
func (s *Server) SeedLeads(leads ...Lead) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	codes := make(map[string]bool, len(leads))
	ids := make(map[string]bool, len(leads))
	for _, l := range leads {
		if c := l.Code; c != "" {
			if _, dup := s.byCode[c]; dup || codes[c] {
				return nil, fmt.Errorf("waiqin365test: SeedLeads: %s: %s", MsgDuplicateCode, c)
			}
			codes[c] = true
		}
		if id := l.ID; id != "" {
			if _, dup := s.byID[id]; dup || ids[id] {
				return nil, fmt.Errorf("waiqin365test: SeedLeads: id %s already exists", id)
			}
			ids[id] = true
		}
	}
	out := make([]string, 0, len(leads))
	now := s.now()
	for _, l := range leads {
		stored := cloneLead(&l)
		p := &stored
		if p.ID == "" {
			p.ID = s.newID()
			for ids[p.ID] { // keep clear of ids given in leads
				p.ID = s.newID()
			}
		}
		for p.Code == "" {
			s.seq++
			p.Code = fmt.Sprintf("L%s%08d", now.In(waiqin365.CST).Format("20060102"), s.seq)
			if _, taken := s.byCode[p.Code]; taken || codes[p.Code] {
				p.Code = ""
			}
		}
		if p.Status == "" {
			p.Status = waiqin365.StatusPending
			if strings.TrimSpace(p.OwnerName) == "" && strings.TrimSpace(p.OwnerID) == "" {
				p.Status = waiqin365.StatusUnassigned
			}
		}
		if p.CreatedAt.IsZero() {
			p.CreatedAt = now
		}
		if p.ModifiedAt.IsZero() {
			p.ModifiedAt = p.CreatedAt
		}
		s.leads = append(s.leads, p)
		s.byID[p.ID] = p
		s.byCode[p.Code] = p
		out = append(out, p.ID)
	}
	return out, nil
}
