package wshototest

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Pool is a clue pool as the fake stores it.
type Pool struct {
	ID                   string
	Name                 string
	UserID               string
	RecycleRuleType      int64
	SetRecycleDays       int64
	GroupIDs             []string
	DistributeRuleType   int64
	DistributeDeptIDs    []string
	DistributeUserIDs    []string
	NotFollowRecycleDays int64
	IsDefault            bool
}

// DefaultPoolID returns the id of the default pool.
func (s *Server) DefaultPoolID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.poolOrder {
		if s.pools[id].IsDefault {
			return id
		}
	}
	return ""
}

// Pool returns a copy of the stored pool.
func (s *Server) Pool(id string) (Pool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pools[id]
	if !ok {
		return Pool{}, false
	}
	return *p, true
}

func receiveRule(t int64) string {
	switch t {
	case 1:
		return "自动分配"
	case 2:
		return "主动领取"
	}
	return "管理员分配"
}

func (s *Server) handleListPools(_ *http.Request, body map[string]any) answer {
	name, _, err := getString(body, "clue_pool_name", false)
	if err != nil {
		return bad(err)
	}
	index, hasIndex, err := getInt(body, "current_index")
	if err != nil {
		return bad(err)
	}
	size, hasSize, err := getInt(body, "page_size")
	if err != nil {
		return bad(err)
	}
	if !hasIndex || index == 0 {
		index = 1
	}
	if !hasSize || size == 0 {
		size = 20
	}
	if index < 1 || size < 1 || size > 100 {
		return bad(&fieldErr{"page_size最大值为100"})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.agePoolsLocked()
	var matched []*Pool
	for _, id := range s.poolOrder {
		if s.hidden[id] > 0 {
			continue
		}
		if p := s.pools[id]; name == "" || strings.Contains(p.Name, name) {
			matched = append(matched, p)
		}
	}
	counts := map[string]int{}
	for _, c := range s.clues {
		counts[c.PoolID]++
	}
	from := min(int((index-1)*size), len(matched))
	to := min(from+int(size), len(matched))
	records := []map[string]any{}
	for _, p := range matched[from:to] {
		records = append(records, map[string]any{
			"id": json.Number(p.ID), "clue_pool_name": p.Name, "clue_num": strconv.Itoa(counts[p.ID]),
			"recycle_rule_type": p.RecycleRuleType, "is_default_pool": p.IsDefault, "main_department": "1",
			"receive_rule": receiveRule(p.DistributeRuleType), "create_user_id": p.UserID,
		})
	}
	return ok(map[string]any{"total": len(matched), "records": records})
}

// readPool applies the pool fields present in body to p and checks the
// documented rules.
func readPool(p *Pool, body map[string]any) error {
	var err error
	if v, present, e := getString(body, "user_id", false); e != nil {
		return e
	} else if present {
		p.UserID = v
	}
	if v, present, e := getString(body, "clue_pool_name", false); e != nil {
		return e
	} else if present {
		p.Name = v
	}
	for _, f := range []struct {
		key string
		dst *int64
	}{{"recycle_rule_type", &p.RecycleRuleType}, {"set_recycle_days", &p.SetRecycleDays}, {"distribute_rule_type", &p.DistributeRuleType}, {"not_follow_recycle_days", &p.NotFollowRecycleDays}} {
		v, present, e := getInt(body, f.key)
		if e != nil {
			return e
		}
		if present {
			*f.dst = v
		}
	}
	for _, f := range []struct {
		key string
		dst *[]string
		max int
	}{{"group_ids", &p.GroupIDs, 20}, {"distribute_dept_ids", &p.DistributeDeptIDs, 100}, {"distribute_user_ids", &p.DistributeUserIDs, 100}} {
		if _, present := body[f.key]; !present {
			continue
		}
		if *f.dst, err = getStrings(body, f.key); err != nil {
			return err
		}
		if len(*f.dst) > f.max {
			return &fieldErr{f.key + "集合最大长度为" + strconv.Itoa(f.max)}
		}
	}
	if p.RecycleRuleType != 0 && p.RecycleRuleType != 1 {
		return &fieldErr{"recycle_rule_type只能为0或1"}
	}
	if p.DistributeRuleType < 0 || p.DistributeRuleType > 2 {
		return &fieldErr{"distribute_rule_type只能为0、1或2"}
	}
	if p.DistributeRuleType != 0 && len(p.DistributeDeptIDs) == 0 && len(p.DistributeUserIDs) == 0 {
		return &fieldErr{"分配规则为1或2时,部门id集合和员工id集合不能同时为空"}
	}
	if p.Name == "" {
		return &fieldErr{"clue_pool_name不能为空"}
	}
	return nil
}

func (s *Server) handleCreatePool(_ *http.Request, body map[string]any) answer {
	p := &Pool{}
	if err := readPool(p, body); err != nil {
		return bad(err)
	}
	if p.RecycleRuleType == 1 && p.SetRecycleDays == 0 && p.NotFollowRecycleDays == 0 {
		p.SetRecycleDays = 7
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.addPoolLocked(p)
	if s.lag > 0 {
		s.hidden[id] = s.lag
	}
	return ok(json.Number(id))
}

// agePoolsLocked counts one list request against the read lag of every
// hidden pool.
func (s *Server) agePoolsLocked() {
	for id, n := range s.hidden {
		if n <= 1 {
			delete(s.hidden, id)
		} else {
			s.hidden[id] = n - 1
		}
	}
}

func (s *Server) handleEditPool(_ *http.Request, body map[string]any) answer {
	id, _, err := getLong(body, "id", true)
	if err != nil {
		return bad(err)
	}
	for _, k := range []string{"user_id", "clue_pool_name"} {
		if _, _, err := getString(body, k, true); err != nil {
			return bad(err)
		}
	}
	if _, present, err := getInt(body, "recycle_rule_type"); err != nil || !present {
		return bad(&fieldErr{"recycle_rule_type不能为空"})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, found := s.pools[id]
	if !found {
		return fail(CodeNotFound, "线索池不存在")
	}
	next := *p
	if err := readPool(&next, body); err != nil {
		return bad(err)
	}
	*p = next
	return ok(true)
}

// SeedPool stores a pool without an API call (listed at once, whatever
// WithReadLag says) and returns its id; an empty ID is filled in.
func (s *Server) SeedPool(p Pool) string {
	p.GroupIDs = append([]string(nil), p.GroupIDs...)
	p.DistributeDeptIDs = append([]string(nil), p.DistributeDeptIDs...)
	p.DistributeUserIDs = append([]string(nil), p.DistributeUserIDs...)
	return s.addPool(&p)
}

// PoolIDs returns the ids of the stored pools, sorted.
func (s *Server) PoolIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]string(nil), s.poolOrder...)
	sort.Strings(out)
	return out
}

func (s *Server) addPool(p *Pool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addPoolLocked(p)
}

func (s *Server) addPoolLocked(p *Pool) string {
	if p.ID == "" {
		p.ID = s.newIDLocked()
	}
	s.pools[p.ID] = p
	s.poolOrder = append(s.poolOrder, p.ID)
	return p.ID
}
