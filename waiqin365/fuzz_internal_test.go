package waiqin365

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeEnvelope feeds answers to the envelope and the row decoders
// (response_data straight into the rows): they may reject input but never
// panic, and what they accept is consistent (success exactly for "0",
// payloads are valid JSON).
func FuzzDecodeEnvelope(f *testing.F) {
	for _, name := range []string{"write_response.json", "query_response_template.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, name := range []string{"query_sales_leads_rows.json", "query_sales_leads_for_apaas_rows.json"} {
		rows, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		quoted, _ := json.Marshal(string(rows))
		f.Add([]byte(`{"return_code":"0","return_msg":null,"msg_id":null,"response_data":` + string(quoted) + `}`))
		f.Add([]byte(`{"return_code":0,"response_data":` + string(rows) + `}`))
	}
	f.Add([]byte(`{"return_code":1,"return_msg":"失败","msg_id":"m"}`))
	f.Add([]byte(`{"return_code":"0","response_data":{"rows":[{"id":6789690485561771524}]}}`))
	f.Add([]byte(`{"return_code":"0","response_data":"\"[]\""}`))
	f.Add([]byte(`<html>502</html>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var classic []SalesLead
		env := newEnvelope((*rows[SalesLead])(&classic))
		err := json.Unmarshal(body, env)
		var typeErr *json.UnmarshalTypeError
		if err != nil && !errors.As(err, &typeErr) {
			return
		}
		out, oerr := env.Outcome()
		if oerr != nil {
			return
		}
		if out.Code == "" {
			t.Fatal("accepted an answer without return_code")
		}
		if out.OK != (out.Code == CodeOK) {
			t.Fatalf("OK=%v for code %q", out.OK, out.Code)
		}
		var raw json.RawMessage
		if json.Unmarshal(body, newEnvelope(&raw)) == nil && len(raw) > 0 && !json.Valid(raw) {
			t.Fatalf("payload is not valid JSON: %q", raw)
		}
		var apaas []ApaasSalesLead
		if json.Unmarshal(body, newEnvelope((*rows[ApaasSalesLead])(&apaas))) == nil {
			for _, l := range apaas {
				for _, v := range l.Exts {
					_ = v.Kind()
					_, _ = v.AsString()
					_, _ = v.AsOptions()
					_, _ = v.AsDate()
					_, _ = v.AsFiles()
				}
				_ = l.Labels()
			}
		}
	})
}

// FuzzEncodeBody checks the Extra merge (a request's MarshalJSON): the
// output is always one valid JSON object holding every typed and extra key
// once.
func FuzzEncodeBody(f *testing.F) {
	f.Add("codezs", "k", "v", "poolName")
	f.Add("", "", "", "")
	f.Add("a\"b<&>", "emp_id", "5061962864497943367", "reason_id")
	f.Fuzz(func(t *testing.T, code, k1, v1, k2 string) {
		req := &RemoveSalesLeadsRequest{Code: code, Extra: map[string]any{k1: v1, k2: json.Number("1000025")}}
		body, err := req.MarshalJSON()
		if err != nil {
			if k1 == "" || k2 == "" || !utf8.ValidString(k1) || !utf8.ValidString(k2) || (code != "" && (k1 == "code" || k2 == "code")) {
				return
			}
			t.Fatalf("unexpected error: %v", err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("invalid JSON %q: %v", body, err)
		}
		want := 1
		if k1 != k2 {
			want = 2
		}
		if code != "" {
			want++
		}
		if len(m) != want || strings.Count(string(body), `":`) < want {
			t.Fatalf("body %q has %d keys, want %d", body, len(m), want)
		}
	})
}
