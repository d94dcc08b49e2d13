package run

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cluekit/cluekit/v3clue"
	"github.com/cluekit/cluekit/v3clue/v3cluetest"
)

func init() { Register("v3clue", runV3clue) }

// runV3clue fetches one clue (POST /api/v3/clue/get) and prints its typed
// fields, one line each. Live mode (V3CLUE_BASE_URL, V3CLUE_APP_ID,
// V3CLUE_APP_KEY all set) reads the clue V3CLUE_CUSTOMER_ID, or the vendor
// doc example's customerId when that is unset: the v3 API has no documented
// call that lists or creates clues, so the example cannot find one by itself.
func runV3clue(ctx context.Context, p *Printer, counter *Counter) (string, int, error) {
	base, appID, appKey := Env("V3CLUE_BASE_URL"), Env("V3CLUE_APP_ID"), Env("V3CLUE_APP_KEY")
	mode := "fake"
	var customerID int64
	switch {
	case base != "" && appID != "" && appKey != "":
		mode = "live"
		raw := Env("V3CLUE_CUSTOMER_ID")
		if raw == "" {
			// The v3 API documents no call that lists or creates clues, so
			// without a configured id use the one in the vendor's example.
			raw = strconv.FormatInt(v3cluetest.ExampleCustomerID, 10)
			p.Step("note: V3CLUE_CUSTOMER_ID is not set; using the vendor doc example's customerId %s", raw)
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return mode, 0, fmt.Errorf("V3CLUE_CUSTOMER_ID=%q is not a positive integer", raw)
		}
		customerID = id
	case base != "" || appID != "" || appKey != "":
		var missing []string
		for name, v := range map[string]string{"V3CLUE_BASE_URL": base, "V3CLUE_APP_ID": appID, "V3CLUE_APP_KEY": appKey} {
			if v == "" {
				missing = append(missing, name)
			}
		}
		sort.Strings(missing)
		return "live", 0, fmt.Errorf("live mode needs V3CLUE_BASE_URL, V3CLUE_APP_ID and V3CLUE_APP_KEY; missing %s", strings.Join(missing, ", "))
	default:
		srv := v3cluetest.NewServer()
		defer srv.Close()
		base, appID, appKey = srv.URL, srv.AppID, srv.AppKey
		customerID = v3cluetest.ExampleCustomerID
		p.Step("started the fake 探马 server at %s", srv.URL)
	}

	c, err := v3clue.New(appID, appKey, v3clue.WithBaseURL(base), v3clue.WithLogger(counter.Logger()), v3clue.WithTimeout(20*time.Second))
	if err != nil {
		return mode, 0, err
	}
	clue, err := c.GetClue(ctx, customerID)
	if err != nil {
		return mode, 0, fmt.Errorf("get clue %d: %w", customerID, err)
	}
	kind := "unassigned customer (待分配客户)"
	if clue.IsClue {
		kind = "clue (线索)"
	}
	p.Step("got %s %d: type %d, %d fields, %d tags", kind, clue.CustomerID, clue.Type, len(clue.Fields), len(clue.TagIDs))
	p.Step("created %s, fields last updated %s", showTime(clue.CreateTime), showTime(clue.LastUpdateTime))
	if !clue.ConvertCustomerTime.IsZero() {
		p.Step("converted to a customer %s", showTime(clue.ConvertCustomerTime))
	}
	for _, f := range clue.Fields {
		p.Step("field %-18s %-8s %s", f.Name, f.Type, showField(f))
	}
	if len(clue.CompanyInfo) > 0 {
		p.Step("company info: %d bytes of JSON", len(clue.CompanyInfo))
	}
	return mode, 0, nil
}

// showField renders a field value by its (inferred) type.
func showField(f v3clue.Field) string {
	if f.IsNull() {
		return "(null)"
	}
	switch f.Type {
	case v3clue.FieldTypeSelect:
		id, _ := f.OptionID()
		return "option id " + id
	case v3clue.FieldTypeMobiles:
		list, err := f.Strings()
		if err != nil {
			return fmt.Sprintf("(undecodable list: %v)", err)
		}
		return fmt.Sprintf("%q", list)
	case v3clue.FieldTypeDate:
		t, err := f.Date()
		if err != nil {
			return fmt.Sprintf("(undecodable date: %v)", err)
		}
		if t.IsZero() {
			return "(empty)"
		}
		return t.Format(time.DateTime + " -07:00")
	case v3clue.FieldTypeText:
		return strconv.Quote(f.Text())
	}
	raw, _ := f.Raw()
	return "raw " + strconv.Quote(raw)
}

func showTime(d v3clue.DateTime) string {
	t, err := d.Time()
	if err != nil || t.IsZero() {
		return strconv.Quote(string(d))
	}
	return t.Format(time.DateTime + " -07:00")
}
