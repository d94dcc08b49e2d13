package run

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/cluekit/cluekit/v3clue"
	"github.com/cluekit/cluekit/v3clue/v3cluetest"
)

func init() {
	Register("v3clue", Vars{
		Required: []string{"V3CLUE_APP_ID", "V3CLUE_APP_KEY"},
		Optional: []string{"V3CLUE_BASE_URL", "V3CLUE_CUSTOMER_ID"},
	}, runV3clue)
}

// runV3clue reads one clue (POST /api/v3/clue/get) and prints its typed
// fields, one line each. The v3 API documents no call that lists, creates or
// changes clues, so the example only reads: live mode changes nothing. It
// reads the clue V3CLUE_CUSTOMER_ID, and in live mode without it skips the
// read rather than guess an id; against the fake it reads the vendor doc
// example's clue.
func runV3clue(ctx context.Context, s *Session) error {
	id, err := v3clueCustomerID(s)
	if err != nil {
		return err
	}
	if s.DryRun {
		what := "V3CLUE_CUSTOMER_ID is not set, so it would read nothing"
		if id != 0 {
			what = fmt.Sprintf("it would read clue %d", id)
		}
		s.Step("nothing to change: this example only reads (%s)", what)
		return nil
	}
	c, stop, err := v3clueClient(s)
	if err != nil {
		return err
	}
	defer stop()
	if id == 0 {
		s.Skip("read a clue: V3CLUE_CUSTOMER_ID is not set (the v3 API documents no call that lists clues)")
		return nil
	}
	clue, err := c.GetClue(ctx, &v3clue.GetClueRequest{CustomerID: id})
	if err != nil {
		return fmt.Errorf("get clue %d: %w", id, err)
	}
	v3clueShow(s, clue)
	return nil
}

// v3clueCustomerID is the clue to read: V3CLUE_CUSTOMER_ID, the vendor doc
// example's clue against the fake, or 0 (none).
func v3clueCustomerID(s *Session) (int64, error) {
	raw := s.Get("V3CLUE_CUSTOMER_ID")
	switch {
	case raw != "":
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return 0, fmt.Errorf("V3CLUE_CUSTOMER_ID=%q is not a positive integer", raw)
		}
		return id, nil
	case !s.Live && !s.DryRun:
		return v3cluetest.ExampleCustomerID, nil
	}
	return 0, nil
}

// v3clueClient builds the client: against the real vendor in live mode,
// else against a fake started here (stop closes it).
func v3clueClient(s *Session) (*v3clue.Client, func(), error) {
	opts := []v3clue.Option{v3clue.WithObserver(s.Observer), v3clue.WithTimeout(20 * time.Second)}
	if s.Live {
		if base := s.Get("V3CLUE_BASE_URL"); base != "" {
			opts = append(opts, v3clue.WithBaseURL(base))
		}
		c, err := v3clue.New(s.Get("V3CLUE_APP_ID"), s.Get("V3CLUE_APP_KEY"), opts...)
		return c, func() {}, err
	}
	srv := v3cluetest.NewServer()
	s.Step("started the fake 探马 server at %s", srv.URL)
	c, err := v3clue.New(v3cluetest.DefaultAppID, v3cluetest.DefaultAppKey, append(opts, v3clue.WithBaseURL(srv.URL))...)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return c, srv.Close, nil
}

// v3clueShow prints a clue, one line per field.
func v3clueShow(s *Session, clue *v3clue.Clue) {
	kind := "unassigned customer (待分配客户)"
	if clue.IsClue {
		kind = "clue (线索)"
	}
	s.Step("read %s %d: type %d, %s, %s", kind, clue.CustomerID, clue.Type,
		Plural(len(clue.Fields), "field"), Plural(len(clue.TagIDs), "tag"))
	s.Step("created %s, fields last updated %s", v3clueTime(clue.CreateTime), v3clueTime(clue.LastUpdateTime))
	if !clue.ConvertCustomerTime.IsZero() {
		s.Step("converted to a customer %s", v3clueTime(clue.ConvertCustomerTime))
	}
	for _, f := range clue.Fields {
		s.Step("field %-18s %-8s %s", f.Name, f.Type, v3clueField(f))
	}
	if len(clue.CompanyInfo) > 0 {
		s.Step("company info: %d bytes of JSON", len(clue.CompanyInfo))
	}
	if len(clue.Extra) > 0 {
		s.Step("%s not typed by the SDK, kept in Extra", Plural(len(clue.Extra), "member"))
	}
}

// v3clueField renders a field value by its (inferred) type.
func v3clueField(f v3clue.Field) string {
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

func v3clueTime(d v3clue.DateTime) string {
	t, err := d.Time()
	if err != nil || t.IsZero() {
		return strconv.Quote(string(d))
	}
	return t.Format(time.DateTime + " -07:00")
}
