// Command wshoto walks the 微盛·企微管家 (wshoto) clue lifecycle: access
// token, clue pools (list; create and edit against the fake only), clues
// (list, get, edit), a follow-up record, a batch return and one notify
// message received.
//
// With no environment variables it runs against the built-in fake server.
// With WSHOTO_APP_ID and WSHOTO_APP_SECRET set (WSHOTO_BASE_URL optionally
// points at another server speaking the protocol) it lists what it would
// change, and runs against the vendor with -live or CLUEKIT_LIVE=1. Live
// mode creates nothing it could not remove (wshoto documents no way to
// delete a pool) and changes only the clue named by WSHOTO_CLUE_ID: it sets
// and restores its description, adds a follow-up record and returns it to
// its pool. WSHOTO_USER_ID names the operator staff id.
//
//	go run ./examples/wshoto
//	WSHOTO_APP_ID=... WSHOTO_APP_SECRET=... WSHOTO_CLUE_ID=... go run ./examples/wshoto -live
package main

import "github.com/cluekit/cluekit/examples/internal/run"

func main() { run.Main("wshoto") }
