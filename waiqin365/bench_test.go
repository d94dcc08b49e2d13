package waiqin365_test

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cluekit/cluekit/waiqin365"
)

// benchAnswer is a querySalesLeads answer with n rows (the seed's row with
// distinct ids), response_data as a JSON string holding the array.
func benchAnswer(b *testing.B, n int) []byte {
	var rows []map[string]any
	if err := json.Unmarshal(fixture(b, "query_sales_leads_rows.json"), &rows); err != nil {
		b.Fatal(err)
	}
	all := make([]map[string]any, 0, n)
	for i := range n {
		r := map[string]any{}
		for k, v := range rows[0] {
			r[k] = v
		}
		r["id"] = fmt.Sprintf("67896904855617%05d", i)
		all = append(all, r)
	}
	inner, _ := json.Marshal(all)
	data, _ := json.Marshal(string(inner))
	return []byte(`{"return_code":"0","return_msg":null,"msg_id":null,"response_data":` + string(data) + `}`)
}

// BenchmarkQuerySalesLeads compares one querySalesLeads call through the
// SDK with the same call hand-written with net/http and encoding/json
// (URL, MD5 digest, msg_id, envelope decode and the second parse of the
// JSON-in-string rows), against the same loopback server answering 20 rows.
func BenchmarkQuerySalesLeads(b *testing.B) {
	answer := benchAnswer(b, 20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		_, _ = w.Write(answer)
	}))
	defer srv.Close()

	b.Run("sdk", func(b *testing.B) {
		c, err := waiqin365.New(testOpenID, testAppKey, waiqin365.WithBaseURL(srv.URL))
		if err != nil {
			b.Fatal(err)
		}
		req := &waiqin365.QuerySalesLeadsRequest{Code: "codezs", Page: 1, PageSize: 20}
		b.ReportAllocs()
		for b.Loop() {
			res, err := c.QuerySalesLeads(ctx, req)
			if err != nil || len(res.Leads) != 20 {
				b.Fatal(err)
			}
		}
	})

	b.Run("raw", func(b *testing.B) {
		hc := &http.Client{Timeout: 30 * time.Second}
		type query struct {
			Code     string `json:"code"`
			Page     int    `json:"page"`
			PageSize int    `json:"pageSize"`
		}
		b.ReportAllocs()
		for b.Loop() {
			body, _ := json.Marshal(query{Code: "codezs", Page: 1, PageSize: 20})
			ts := time.Now().In(waiqin365.CST).Format("20060102150405")
			sum := md5.Sum([]byte(string(body) + "|" + testAppKey + "|" + ts))
			var id [16]byte
			_, _ = rand.Read(id[:])
			u := srv.URL + "/api/salesleads/v1/querySalesLeads/" + testOpenID + "/" + ts + "/" + hex.EncodeToString(sum[:]) + "/" + hex.EncodeToString(id[:])
			resp, err := hc.Post(u, "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			raw, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				b.Fatal(err)
			}
			var env struct {
				ReturnCode   json.RawMessage `json:"return_code"`
				ReturnMsg    *string         `json:"return_msg"`
				MsgID        *string         `json:"msg_id"`
				ResponseData json.RawMessage `json:"response_data"`
			}
			if err := json.Unmarshal(raw, &env); err != nil || string(env.ReturnCode) != `"0"` {
				b.Fatal(err)
			}
			var inner string
			if err := json.Unmarshal(env.ResponseData, &inner); err != nil {
				b.Fatal(err)
			}
			var rows []waiqin365.SalesLead
			if err := json.Unmarshal([]byte(inner), &rows); err != nil || len(rows) != 20 {
				b.Fatal(err)
			}
		}
	})
}
