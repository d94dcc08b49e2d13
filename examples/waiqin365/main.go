// Command waiqin365 runs the 勤策 / 外勤365 sales-lead lifecycle: add, query
// by code, modify, the same for the aPaaS endpoints, remove, and one signed
// push received by a local push handler.
//
// With WAIQIN365_OPENID and WAIQIN365_APPKEY set it talks to the real
// OpenAPI (WAIQIN365_BASE_URL, default https://openapi.waiqin365.com);
// otherwise it starts the in-memory fake. WAIQIN365_PUSH_SECRET signs the
// push (a random secret when unset).
//
//	go run ./examples/waiqin365
package main

import "github.com/cluekit/cluekit/examples/internal/run"

func main() { run.Main("waiqin365") }
