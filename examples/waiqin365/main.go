// Command waiqin365 runs the 勤策 / 外勤365 sales-lead lifecycle: create a
// lead, find its id by code, modify it, the same through the aPaaS
// endpoints, receive one signed push on a local push handler, and void the
// leads it created.
//
// Without credentials it runs against the in-memory fake. With
// WAIQIN365_OPENID and WAIQIN365_APP_KEY set (WAIQIN365_BASE_URL optional,
// default https://openapi.waiqin365.com; WAIQIN365_PUSH_SECRET optional,
// random when unset) it lists what it would change, and with -live (or
// CLUEKIT_LIVE=1) it does it: it changes only the leads it created, under
// codes unique to the run, and voids them at the end.
//
//	go run ./examples/waiqin365
package main

import "github.com/cluekit/cluekit/examples/internal/run"

func main() { run.Main("waiqin365") }
