package waiqin365test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/waiqin365"
)

// Lead is a lead stored by the fake, with the classic and aPaaS spellings
// folded into one record. Each field holds the value last written under
// the wire name given in its comment.
type Lead struct {
	ID                     string            // 19-digit id, assigned on add
	Code                   string            // code (generated "L<date><seq>" when none is sent)
	Apaas                  bool              // created with addSalesLeadsForApaas
	Name                   string            // cus_name / company_name
	OwnerName              string            // empName
	OwnerID                string            // responsible_person
	PoolName               string            // poolName / pool_name
	SourceType             string            // source_type
	MarketName             string            // market_name
	MarketID               string            // market_id
	Linkman                string            // linkman
	MobileCountry          string            // mobile_country / mobile.code
	Mobile                 string            // mobile / mobile.phone
	Tel                    string            // tel / telephone
	CustomerClassification string            // customer_classification_name
	Position               string            // position
	Detail                 string            // detail
	Country                string            // mss_country
	Province               string            // mssProvinceName / mss_province
	City                   string            // mssCityName / mss_city
	Area                   string            // mssAreaName / mss_area
	Street                 string            // mssStreetName / mss_street
	MarkAddr               string            // mark_addr / mark_address
	Address                string            // address
	Email                  string            // email
	Website                string            // website
	Latlon                 string            // latlon
	Latitude               string            // latitude
	Longitude              string            // longitude
	AllocationStatus       string            // allocation_status
	Status                 string            // salesleads_status: "1", "2", "3", "5" or "6" (default 1, or 6 without an owner)
	ReturnReason           string            // return_reason
	InvalidReason          string            // invalid_reason
	RemovedResult          string            // remove_result / removed_result
	Labels                 string            // labels / salesleads_label
	CardPhoto              string            // card_photo
	Exts                   map[string]string // exts: classic key or aPaaS field key → value
	CreatedAt              time.Time         // set by add (fake clock)
	ModifiedAt             time.Time         // set by add and modify (fake clock)
}

// scalar reads a string field; numbers keep their literal text. absent and
// null give ok=false.
func scalar(req map[string]any, key string) (string, bool, error) {
	v, present := req[key]
	if !present || v == nil {
		return "", false, nil
	}
	switch t := v.(type) {
	case string:
		return t, true, nil
	case json.Number:
		return t.String(), true, nil
	case bool:
		return strconv.FormatBool(t), true, nil
	}
	return "", false, fail("%s: %s must be a string", MsgInvalidRequest, key)
}

func str(req map[string]any, key string) (string, error) {
	v, _, err := scalar(req, key)
	return v, err
}

// fields maps the wire names of an operation to the lead's fields.
func fields(l *Lead, apaas, modify bool) map[string]*string {
	if !apaas {
		m := map[string]*string{
			"poolName": &l.PoolName, "cus_name": &l.Name, "source_type": &l.SourceType, "market_name": &l.MarketName,
			"linkman": &l.Linkman, "mobile_country": &l.MobileCountry, "mobile": &l.Mobile, "tel": &l.Tel,
			"customer_classification_name": &l.CustomerClassification, "position": &l.Position, "detail": &l.Detail,
			"mssProvinceName": &l.Province, "mssCityName": &l.City, "mssAreaName": &l.Area, "mssStreetName": &l.Street,
			"mark_addr": &l.MarkAddr, "email": &l.Email, "website": &l.Website, "latlon": &l.Latlon, "address": &l.Address,
		}
		if !modify {
			m["empName"] = &l.OwnerName
		}
		return m
	}
	m := map[string]*string{
		"company_name": &l.Name, "source_type": &l.SourceType, "customer_classification_name": &l.CustomerClassification,
		"return_reason": &l.ReturnReason, "invalid_reason": &l.InvalidReason, "market_name": &l.MarketName,
		"market_id": &l.MarketID, "linkman": &l.Linkman, "telephone": &l.Tel, "position": &l.Position,
		"detail": &l.Detail, "mss_country": &l.Country, "mss_province": &l.Province, "mss_city": &l.City,
		"mss_area": &l.Area, "mss_street": &l.Street, "email": &l.Email, "website": &l.Website,
		"allocation_status": &l.AllocationStatus, "salesleads_status": &l.Status, "pool_name": &l.PoolName,
		"removed_result": &l.RemovedResult, "labels": &l.Labels, "responsible_person": &l.OwnerID,
		"card_photo": &l.CardPhoto,
	}
	if modify {
		m["mark_address"] = &l.MarkAddr
		m["salesleads_label"] = &l.Labels
	} else {
		m["mark_addr"] = &l.MarkAddr
		m["remove_result"] = &l.RemovedResult
		m["latitude"] = &l.Latitude
		m["longitude"] = &l.Longitude
		m["address"] = &l.Address
	}
	return m
}

// apply copies the request's fields into l.
func apply(l *Lead, req map[string]any, apaas, modify bool) error {
	for key, dst := range fields(l, apaas, modify) {
		v, ok, err := scalar(req, key)
		if err != nil {
			return err
		}
		if ok {
			*dst = v
		}
	}
	if m, present := req["mobile"]; present && apaas {
		switch t := m.(type) {
		case map[string]any:
			phone, err := str(t, "phone")
			if err != nil {
				return err
			}
			code, err := str(t, "code")
			if err != nil {
				return err
			}
			l.Mobile, l.MobileCountry = phone, code
		case nil:
		default:
			v, _, err := scalar(req, "mobile")
			if err != nil {
				return err
			}
			l.Mobile = v
		}
	}
	if raw, present := req["exts"]; present && raw != nil {
		list, object := extForms(apaas, modify)
		return applyExts(l, raw, list, object)
	}
	return nil
}

// extForms says which documented forms of exts an operation takes: the
// list [{salesleads_ext_key, salesleads_ext_value}] (addSalesLeads,
// modifySalesLeads, and the addSalesLeadsForApaas table) and the map
// {key: value} (modifySalesLeads' table, both aPaaS examples).
func extForms(apaas, modify bool) (list, object bool) {
	switch {
	case !apaas && !modify:
		return true, false
	case apaas && modify:
		return false, true
	}
	return true, true
}

// applyExts stores the custom fields of exts in the forms allowed.
func applyExts(l *Lead, raw any, list, object bool) error {
	if l.Exts == nil {
		l.Exts = map[string]string{}
	}
	switch t := raw.(type) {
	case map[string]any:
		if !object {
			break
		}
		for k := range t {
			v, err := str(t, k)
			if err != nil {
				return err
			}
			l.Exts[k] = v
		}
		return nil
	case []any:
		if !list {
			break
		}
		for _, item := range t {
			m, ok := item.(map[string]any)
			if !ok {
				return fail("%s: exts items must be objects", MsgInvalidRequest)
			}
			k, err := str(m, "salesleads_ext_key")
			if err != nil {
				return err
			}
			if k == "" {
				return fail("%s: salesleads_ext_key is empty", MsgInvalidRequest)
			}
			v, err := str(m, "salesleads_ext_value")
			if err != nil {
				return err
			}
			l.Exts[k] = v
		}
		return nil
	}
	switch {
	case list && object:
		return fail("%s: exts must be a list of {salesleads_ext_key, salesleads_ext_value} or an object of field key to value", MsgInvalidRequest)
	case list:
		return fail("%s: exts must be a list of {salesleads_ext_key, salesleads_ext_value}", MsgInvalidRequest)
	}
	return fail("%s: exts must be an object of field key to value", MsgInvalidRequest)
}

func (s *Server) newID() string {
	for {
		id := strconv.FormatInt(1_000_000_000_000_000_000+s.rnd.Int64N(8_000_000_000_000_000_000), 10)
		if _, taken := s.byID[id]; !taken {
			return id
		}
	}
}

func (s *Server) add(req map[string]any, apaas bool) error {
	l := &Lead{Apaas: apaas}
	if err := apply(l, req, apaas, false); err != nil {
		return err
	}
	code, err := str(req, "code")
	if err != nil {
		return err
	}
	if !apaas && strings.TrimSpace(l.OwnerName) == "" && strings.TrimSpace(l.PoolName) == "" {
		return fail("%s: empName or poolName is required", MsgInvalidRequest)
	}
	if err := checkAllocation(l); err != nil {
		return err
	}
	for code == "" {
		s.seq++
		code = fmt.Sprintf("L%s%08d", s.now().In(waiqin365.CST).Format("20060102"), s.seq)
		if _, taken := s.byCode[code]; taken {
			code = ""
		}
	}
	if _, dup := s.byCode[code]; dup {
		return fail("%s: %s", MsgDuplicateCode, code)
	}
	repeat, _ := str(req, "mobile_repeat")
	if apaas {
		repeat, _ = str(req, "mobile_duplicate")
	}
	if repeat == waiqin365.MobileRepeatForbidden && l.Mobile != "" && s.mobileTaken(l.Mobile, "") {
		return fail("%s: %s", MsgDuplicateMob, l.Mobile)
	}
	if l.Status == "" {
		l.Status = waiqin365.StatusPending
		if l.OwnerName == "" && l.OwnerID == "" {
			l.Status = waiqin365.StatusUnassigned
		}
	}
	l.Code = code
	l.ID = s.newID()
	l.CreatedAt = s.now()
	l.ModifiedAt = l.CreatedAt
	s.leads = append(s.leads, l)
	s.byID[l.ID] = l
	s.byCode[l.Code] = l
	if s.lag > 0 {
		s.hidden[l] = s.lag
	}
	return nil
}

func checkAllocation(l *Lead) error {
	switch l.AllocationStatus {
	case waiqin365.AllocationUnassigned:
		if strings.TrimSpace(l.PoolName) == "" {
			return fail("%s: allocation_status 0 requires pool_name", MsgInvalidRequest)
		}
		if strings.TrimSpace(l.OwnerID) != "" {
			return fail("%s: allocation_status 0 requires an empty responsible_person", MsgInvalidRequest)
		}
	case waiqin365.AllocationAssigned:
		if strings.TrimSpace(l.OwnerID) == "" {
			return fail("%s: allocation_status 1 requires responsible_person", MsgInvalidRequest)
		}
	}
	return nil
}

func (s *Server) mobileTaken(mobile, exceptID string) bool {
	for _, o := range s.leads {
		if o.Mobile == mobile && o.ID != exceptID {
			return true
		}
	}
	return false
}

// find looks a lead up by id (string or number) or code.
func (s *Server) find(req map[string]any) (*Lead, error) {
	id, err := str(req, "id")
	if err != nil {
		return nil, err
	}
	code, err := str(req, "code")
	if err != nil {
		return nil, err
	}
	switch {
	case id != "":
		if l, ok := s.byID[id]; ok {
			return l, nil
		}
	case code != "":
		if l, ok := s.byCode[code]; ok {
			return l, nil
		}
	default:
		return nil, fail("%s: id and code cannot both be empty", MsgInvalidRequest)
	}
	return nil, fail(MsgNotFound)
}

func (s *Server) modify(req map[string]any, apaas bool) error {
	l, err := s.find(req)
	if err != nil {
		return err
	}
	next := cloneLead(l)
	if err := apply(&next, req, apaas, true); err != nil {
		return err
	}
	if err := checkAllocation(&next); err != nil {
		return err
	}
	// With an id, a different code renames the lead (checked for duplicates).
	if code, _ := str(req, "code"); code != "" && code != l.Code {
		if _, dup := s.byCode[code]; dup {
			return fail("%s: %s", MsgDuplicateCode, code)
		}
		delete(s.byCode, l.Code)
		next.Code = code
		s.byCode[code] = l
	}
	next.ModifiedAt = s.now()
	*l = next
	return nil
}

func (s *Server) remove(req map[string]any) error {
	l, err := s.find(req)
	if err != nil {
		return err
	}
	if _, err := str(req, "reason_id"); err != nil {
		return err
	}
	delete(s.byID, l.ID)
	delete(s.byCode, l.Code)
	delete(s.hidden, l)
	s.leads = slices.DeleteFunc(s.leads, func(o *Lead) bool { return o == l })
	return nil
}

var filterKeys = []string{"code", "id", "linkman", "mobile", "emp_name", "cus_name", "create_time_start",
	"create_time_end", "modify_time_start", "modify_time_end", "salesleads_status"}

func (s *Server) query(req map[string]any, apaas bool) (any, error) {
	defer s.age()
	f := map[string]string{}
	for _, k := range filterKeys {
		v, err := str(req, k)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(v) != "" {
			f[k] = v
		}
	}
	groups := 0
	if apaas {
		var err error
		if groups, err = checkQueryGroup(req["query_group"]); err != nil {
			return nil, err
		}
	}
	if len(f) == 0 && groups == 0 {
		return nil, fail(MsgNoCondition)
	}
	page, err := intField(req, "page", 1)
	if err != nil {
		return nil, err
	}
	size, err := intField(req, "pageSize", waiqin365.DefaultPageSize)
	if err != nil {
		return nil, err
	}
	var match []*Lead
	for _, l := range s.leads {
		if s.hidden[l] > 0 {
			continue
		}
		ok, err := matches(l, f)
		if err != nil {
			return nil, err
		}
		if ok {
			match = append(match, l)
		}
	}
	if apaas {
		if err := sortLeads(match, req); err != nil {
			return nil, err
		}
	}
	start := min((page-1)*size, len(match))
	end := min(start+size, len(match))
	match = match[start:end]
	var rows any
	if apaas {
		out := make([]waiqin365.ApaasSalesLead, 0, len(match))
		for _, l := range match {
			out = append(out, apaasRow(l))
		}
		rows = out
	} else {
		out := make([]waiqin365.SalesLead, 0, len(match))
		for _, l := range match {
			out = append(out, classicRow(l))
		}
		rows = out
	}
	b, err := flex.Marshal(rows)
	if err != nil {
		return nil, err
	}
	return string(b), nil // a JSON string holding the array, as documented
}

// age counts one query against the read lag of every hidden lead.
func (s *Server) age() {
	for l, n := range s.hidden {
		if n <= 1 {
			delete(s.hidden, l)
		} else {
			s.hidden[l] = n - 1
		}
	}
}

func intField(req map[string]any, key string, def int) (int, error) {
	v, err := str(req, key)
	if err != nil || v == "" {
		return def, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fail("%s: %s must be a positive integer", MsgInvalidRequest, key)
	}
	return n, nil
}

func matches(l *Lead, f map[string]string) (bool, error) {
	for k, v := range f {
		var ok bool
		switch k {
		case "code":
			ok = l.Code == v
		case "id":
			ok = l.ID == v
		case "mobile":
			ok = l.Mobile == v
		case "linkman":
			ok = strings.Contains(l.Linkman, v)
		case "emp_name":
			ok = strings.Contains(l.OwnerName, v)
		case "cus_name":
			ok = strings.Contains(l.Name, v)
		case "salesleads_status":
			ok = l.Status == v
		default: // the date ranges
			d, err := time.ParseInLocation("2006-01-02", v, waiqin365.CST)
			if err != nil {
				return false, fail("%s: %s must be yyyy-MM-dd", MsgInvalidRequest, k)
			}
			t := l.CreatedAt
			if strings.HasPrefix(k, "modify") {
				t = l.ModifiedAt
			}
			day := t.In(waiqin365.CST).Format("2006-01-02")
			if strings.HasSuffix(k, "_start") {
				ok = day >= d.Format("2006-01-02")
			} else {
				ok = day <= d.Format("2006-01-02")
			}
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// sortLeads applies "sort" (the table: a list, whose first key is used; an
// object is taken too) or "sorts" (the example: an object, or a list):
// field_key create_time or modify_time, type asc or desc.
func sortLeads(ls []*Lead, req map[string]any) error {
	var spec map[string]any
	for _, name := range []string{"sort", "sorts"} {
		specs, err := objects(req[name], name)
		if err != nil {
			return err
		}
		if len(specs) > 0 {
			spec = specs[0]
			break
		}
	}
	key, dir := "create_time", "asc"
	if spec != nil {
		if k, _ := str(spec, "field_key"); k != "" {
			key = k
		}
		if d, _ := str(spec, "type"); d != "" {
			dir = strings.ToLower(d)
		}
	}
	if key != "create_time" && key != "modify_time" {
		return fail("%s: cannot sort on %s", MsgInvalidRequest, key)
	}
	if dir != "asc" && dir != "desc" {
		return fail("%s: sort type must be asc or desc", MsgInvalidRequest)
	}
	slices.SortStableFunc(ls, func(a, b *Lead) int {
		ta, tb := a.CreatedAt, b.CreatedAt
		if key == "modify_time" {
			ta, tb = a.ModifiedAt, b.ModifiedAt
		}
		c := ta.Compare(tb)
		if dir == "desc" {
			c = -c
		}
		return c
	})
	return nil
}

// objects reads a value documented as a list of objects that an example
// sends as one object: nil, an object, or a list of objects.
func objects(v any, name string) ([]map[string]any, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return []map[string]any{t}, nil
	case []any:
		out := make([]map[string]any, 0, len(t))
		for _, item := range t {
			m, ok := item.(map[string]any)
			if !ok {
				return nil, fail("%s: %s items must be objects", MsgInvalidRequest, name)
			}
			out = append(out, m)
		}
		return out, nil
	}
	return nil, fail("%s: %s must be a list of objects (or one object)", MsgInvalidRequest, name)
}

// checkQueryGroup checks the shape of query_group (a list of groups, or
// the example's single group), its filters (a list, or one object) and
// their field_values (a list, or the example's single string), and returns
// how many groups it holds. The operators are not published, so the fake
// does not filter by them.
func checkQueryGroup(v any) (int, error) {
	groups, err := objects(v, "query_group")
	if err != nil {
		return 0, err
	}
	for _, g := range groups {
		if _, err := str(g, "connector"); err != nil {
			return 0, err
		}
		filters, err := objects(g["filters"], "query_group.filters")
		if err != nil {
			return 0, err
		}
		for _, f := range filters {
			for _, k := range []string{"field_key", "operator"} {
				if _, err := str(f, k); err != nil {
					return 0, err
				}
			}
			switch vals := f["field_values"].(type) {
			case nil, string, json.Number, bool:
			case []any:
				for _, x := range vals {
					if _, isObj := x.(map[string]any); isObj {
						return 0, fail("%s: field_values must hold values", MsgInvalidRequest)
					}
				}
			default:
				return 0, fail("%s: field_values must be a list of values", MsgInvalidRequest)
			}
		}
	}
	return len(groups), nil
}

var statusLabels = map[string]string{"1": "待处理", "2": "跟进", "3": "无效", "5": "转换", "6": "未分配"}

const minuteLayout = "2006-01-02 15:04"

func classicRow(l *Lead) waiqin365.SalesLead {
	row := waiqin365.SalesLead{
		ID: waiqin365.ID(l.ID), CusName: l.Name, Code: l.Code, SourceTypeName: l.SourceType, MarketName: l.MarketName,
		Linkman: l.Linkman, MobileCountry: waiqin365.String(l.MobileCountry), Mobile: waiqin365.String(l.Mobile),
		Tel: waiqin365.String(l.Tel), Position: l.Position, Detail: l.Detail, MssProvince: l.Province, MssCity: l.City,
		MssArea: l.Area, MssStreet: l.Street, MarkAddr: l.MarkAddr, Email: l.Email, Website: l.Website,
		EmpName: l.OwnerName, EmpIDStr: waiqin365.ID(l.OwnerID), StatusValue: statusLabels[l.Status],
		PoolName: l.PoolName, CreatorName: "OpenAPI", CreateTime: l.CreatedAt.In(waiqin365.CST).Format(minuteLayout),
		OwnerChangeTime: l.CreatedAt.In(waiqin365.CST).Format(minuteLayout), ModifyierName: "OpenAPI",
		ModifyTime: l.ModifiedAt.In(waiqin365.CST).Format(minuteLayout), CustomerClassificationName: l.CustomerClassification,
		DeleteReasonExt: l.RemovedResult, Labels: []waiqin365.Label{}, Exts: []waiqin365.LeadExt{},
	}
	for i, name := range splitLabels(l.Labels) {
		row.Labels = append(row.Labels, waiqin365.Label{SalesleadsID: waiqin365.ID(l.ID), Color: "#cc0000", Name: name,
			ID: waiqin365.ID(strconv.Itoa(i + 1)), Status: "1"})
	}
	for i, k := range sortedKeys(l.Exts) {
		row.Exts = append(row.Exts, waiqin365.LeadExt{ExtKey: k, ExtValue: waiqin365.String(l.Exts[k]),
			ExtColumn: fmt.Sprintf("ext_%010d", i+1)})
	}
	return row
}

func apaasRow(l *Lead) waiqin365.ApaasSalesLead {
	row := waiqin365.ApaasSalesLead{
		ID: waiqin365.ID(l.ID), CompanyName: l.Name, Code: l.Code, Linkman: l.Linkman, Tel: waiqin365.String(l.Tel),
		Position: l.Position, Detail: l.Detail, MarkAddr: l.MarkAddr, Email: l.Email, Website: l.Website,
		LabelNames: l.Labels, PoolName: l.PoolName, RemovedResult: l.RemovedResult,
		SourceTypeID: option(l.SourceType), CustomerClassification: option(l.CustomerClassification),
		ReturnReasonID: option(l.ReturnReason), InvalidReasonID: option(l.InvalidReason),
		MssCountry: region(l.Country), MssProvince: region(l.Province), MssCity: region(l.City),
		MssArea: region(l.Area), MssStreet: region(l.Street), Exts: map[string]waiqin365.FieldValue{},
	}
	if l.Mobile != "" || l.MobileCountry != "" {
		row.Mobile = &waiqin365.Mobile{Code: waiqin365.Text(l.MobileCountry), Phone: waiqin365.Text(l.Mobile)}
	}
	if l.MarketID != "" || l.MarketName != "" {
		row.MarketID = &waiqin365.Ref{Name: waiqin365.Text(l.MarketName), ID: waiqin365.ID(l.MarketID), Status: "1"}
	}
	if l.OwnerID != "" || l.OwnerName != "" {
		row.Owner = &waiqin365.Ref{Name: waiqin365.Text(l.OwnerName), ID: waiqin365.ID(l.OwnerID), Status: "1"}
	}
	switch l.AllocationStatus {
	case waiqin365.AllocationAssigned:
		row.AllocationStatus = option("已分配")
	case waiqin365.AllocationUnassigned:
		row.AllocationStatus = option("未分配")
	}
	if label, ok := statusLabels[l.Status]; ok {
		row.SalesleadsStatus = option(label)
	}
	if l.CardPhoto != "" {
		photo := waiqin365.Text(l.CardPhoto)
		row.CardPhoto = waiqin365.Files{{Path: photo, Name: photo, URL: "http://image.fake.invalid/" + photo}}
	} else {
		row.CardPhoto = waiqin365.Files{}
	}
	for k, v := range l.Exts {
		b, _ := flex.Marshal(v)
		row.Exts[k] = b
	}
	return row
}

// option makes an option value with an opaque, stable code (like the
// vendor's "4YJHrhGk").
func option(label string) *waiqin365.OptionValue {
	if label == "" {
		return nil
	}
	return &waiqin365.OptionValue{Code: waiqin365.Text(optionCode(label)), Label: waiqin365.Text(label)}
}

func optionCode(label string) string {
	sum := md5.Sum([]byte(label))
	return hex.EncodeToString(sum[:4])
}

func region(name string) *waiqin365.Region {
	if name == "" {
		return nil
	}
	return &waiqin365.Region{Code: waiqin365.Text(optionCode(name)[:6]), Name: waiqin365.Text(name)}
}

func splitLabels(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
