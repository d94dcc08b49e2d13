package weiling

import (
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
		env, err := decodeEnvelope(b)
		if err != nil {
			return
		}
		if env.Code == "" {
			t.Fatal("decoded without a code")
		}
		if env.OK != (env.Code == CodeOK) {
			t.Fatalf("OK=%v for code %q", env.OK, env.Code)
		}
		kinds, _ := classify(env.Code)
		_ = kinds
	})
}
