package waiqin365_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/cluekit/cluekit/waiqin365"
)

// FuzzVerifyPush checks the push verifier on arbitrary forms (never a
// panic, never an accepted forgery) and on correctly signed pushes with
// arbitrary data and timestamps (only ever ErrPushMalformed; any tampering
// is ErrSignature). Error text never carries the secret.
func FuzzVerifyPush(f *testing.F) {
	const secret = "fuzz-push-secret"
	example, err := os.ReadFile("testdata/push_custom_form.txt")
	if err != nil {
		f.Fatal(err)
	}
	follow, err := os.ReadFile("testdata/push_sales_leads_follow_data.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(strings.TrimSpace(string(example)), string(follow), "1503276678552", waiqin365.DataTypeSalesLeadsFollow)
	f.Add("digest=x&data=%7B%7D&timestamp=1", `{"cm_code":"CUS000020","id":"7087293505129744417"}`, "1569404987248", "custom")
	f.Add("", `{"lead_ID":6789690485561771524,"ext_1":{"a":[1]}}`, "-1", waiqin365.DataTypeSalesLeadsFollow)
	f.Add("data=1&data=2", "not json", "1e3", "employee")
	f.Fuzz(func(t *testing.T, rawForm, data, ts, dataType string) {
		// Arbitrary forms: a push verifies only with the right digest.
		if form, err := url.ParseQuery(rawForm); err == nil {
			p, err := waiqin365.VerifyPush(form, secret)
			if err == nil {
				if waiqin365.PushDigest(form.Get("data"), secret, form.Get("timestamp")) != strings.ToLower(form.Get("digest")) {
					t.Fatal("accepted a push with a wrong digest")
				}
				_ = p.DedupeKey()
			} else if strings.Contains(err.Error(), secret) {
				t.Fatal("secret in error text")
			}
		}
		// Correctly signed pushes.
		form := url.Values{"data": {data}, "timestamp": {ts}, "dataType": {dataType}, "dataFormat": {"json"}, "msgId": {"1"}}
		form.Set("digest", waiqin365.PushDigest(data, secret, ts))
		p, err := waiqin365.VerifyPush(form, secret)
		switch {
		case err == nil:
			if len(p.Data) > 0 && !json.Valid(p.Data) {
				t.Fatal("accepted invalid JSON data")
			}
			if (dataType == waiqin365.DataTypeSalesLeadsFollow) != (p.SalesLeadsFollow != nil) {
				t.Fatal("typed record present for the wrong dataType")
			}
			if p.SalesLeadsFollow != nil {
				if _, err := json.Marshal(p.SalesLeadsFollow); err != nil {
					t.Fatalf("decoded record does not re-encode: %v", err)
				}
			}
		case errors.Is(err, waiqin365.ErrSignature):
			t.Fatalf("a correctly signed push was refused as a forgery: %v", err)
		case !errors.Is(err, waiqin365.ErrPushMalformed):
			t.Fatalf("unexpected error kind: %v", err)
		}
		// Tampering with the data breaks the signature.
		form.Set("data", data+"x")
		if _, err := waiqin365.VerifyPush(form, secret); !errors.Is(err, waiqin365.ErrSignature) {
			t.Fatalf("tampered data not refused: %v", err)
		}
	})
}

// FuzzSalesLeadsFollow: whatever object decodes re-encodes and decodes to
// the same record.
func FuzzSalesLeadsFollow(f *testing.F) {
	follow, err := os.ReadFile("testdata/push_sales_leads_follow_data.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(follow)
	f.Add([]byte(`{"lead_ID":6789690485561771524,"LEAD_ID":"x","ext_a":null,"EXT_b":[1,{"c":2}],"other":true}`))
	f.Add([]byte(`{"lead_code":"\u0000\ud800"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var a waiqin365.SalesLeadsFollow
		if json.Unmarshal(b, &a) != nil {
			return
		}
		out, err := json.Marshal(a)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		var c waiqin365.SalesLeadsFollow
		if err := json.Unmarshal(out, &c); err != nil {
			t.Fatalf("re-decode %q: %v", out, err)
		}
		if !reflect.DeepEqual(normalise(a), normalise(c)) {
			t.Fatalf("round trip changed the record:\n%+v\n%+v", a, c)
		}
	})
}

// normalise compacts the raw values of Extra so formatting does not count.
func normalise(f waiqin365.SalesLeadsFollow) waiqin365.SalesLeadsFollow {
	if f.Extra != nil {
		o := map[string]json.RawMessage{}
		for k, v := range f.Extra {
			var x any
			_ = json.Unmarshal(v, &x)
			b, _ := json.Marshal(x)
			o[k] = b
		}
		f.Extra = o
	}
	return f
}

// FuzzFieldValue: the custom-field accessors never panic, and Kind agrees
// with what the accessors accept.
func FuzzFieldValue(f *testing.F) {
	for _, s := range []string{`"单行文本"`, `{"code":"4LCM1jU6","label":"选项1","content":null}`,
		`[{"code":"选项1","label":"选项1","content":null,"status":"1"}]`, `{"format":"YYYY-MM-DD","value":"2025-12-31"}`,
		`[{"path":"a.jpg","name":null,"url":"http://x/a.jpg"}]`, `22.00`, `null`, `[]`, `{"x":1}`, `tru`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v := waiqin365.FieldValue(b)
		k := v.Kind()
		_ = k.String()
		_, errS := v.AsString()
		_, _ = v.AsOption()
		_, _ = v.AsOptions()
		_, _ = v.AsDate()
		_, _ = v.AsFiles()
		if json.Valid(b) && (k == waiqin365.FieldText || k == waiqin365.FieldNull) && errS != nil {
			t.Fatalf("AsString refused a %s value: %v", k, errS)
		}
	})
}
