package wshoto

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func FuzzDecodeEnvelope(f *testing.F) {
	files, err := filepath.Glob("testdata/*_response.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"code":10001,"msg":"invalid"}`))
	f.Add([]byte(`{"code":"0","sub_code":"A0400"}`))
	f.Add([]byte(`{"code":0,"data":null,"sub_code":null}`))
	f.Add([]byte(`<html>502 Bad Gateway</html>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, data, err := decodeEnvelope(body)
		if err != nil {
			return
		}
		if o.Code == "" {
			t.Fatal("decoded an envelope without a code")
		}
		if o.OK && o.Code != "0" {
			t.Fatalf("OK with code %q", o.Code)
		}
		if len(data) > 0 && !json.Valid(data) {
			t.Fatalf("data is not valid JSON: %q", data)
		}
		if kinds := classify(o.Code); o.OK && len(kinds) > 0 {
			t.Fatal("a success classified as an error")
		}
	})
}

// FuzzDecodeData runs the typed decoders over arbitrary data payloads: they
// may reject input, never panic.
func FuzzDecodeData(f *testing.F) {
	for _, name := range []string{"clue_page_response.json", "clue_info_response.json", "batch_return_response.json", "cluepool_list_response.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		_, data, err := decodeEnvelope(b)
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(data))
	}
	f.Add([]byte(`{"business_tags":[{"tag_id":1}],"tag_list":[{"tagId":2,"tag_name":"x"}],"gmt_create":"1"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var list CluePage
		_ = list.UnmarshalJSON(data)
		var d ClueDetail
		_ = d.UnmarshalJSON(data)
		var p CluePoolPage
		_ = json.Unmarshal(data, &p)
		b := batchReturnData{res: &BatchReturnResult{}}
		_ = json.Unmarshal(data, &b)
		if b.res.itemErrors() == nil && b.res.Failed > 0 {
			t.Fatal("failures without item errors")
		}
		var pool CreateCluePoolResult
		_ = pool.UnmarshalJSON(data)
		var follow CreateFollowResult
		_ = follow.UnmarshalJSON(data)
		var tag Tag
		_ = json.Unmarshal(data, &tag)
	})
}
