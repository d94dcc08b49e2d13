package weiling

import (
	"encoding/json"
	"testing"
)

func FuzzDecodeEnvelope(f *testing.F) {
	f.Add([]byte(`{"code":0,"msg":"success","data":{"x":1}}`))
	f.Add([]byte(`{"code":"0","msg":"success","data":null}`))
	f.Add([]byte(`{"code":1006,"msg":"数据加载完毕"}`))
	f.Add([]byte(`{"code":"","msg":1}`))
	f.Add([]byte(`<html></html>`))
	f.Add([]byte(`{"code":0.0}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var data json.RawMessage
		env := newEnvelope(&data)
		if json.Unmarshal(b, env) != nil {
			return
		}
		out, err := env.Outcome()
		if err != nil {
			return
		}
		if out.Code == "" {
			t.Fatal("decoded without a code")
		}
		if out.OK != (out.Code == CodeOK) {
			t.Fatalf("OK=%v for code %q", out.OK, out.Code)
		}
		_ = classify(out.Code)
	})
}
