// Command wshoto walks the 微盛·企微管家 (wshoto) clue lifecycle: access
// token, clue pools (list, create, edit), clues (list, get, edit), a
// follow-up record and a batch return. It runs against the built-in fake
// server, or against a real or independent server when WSHOTO_BASE_URL,
// WSHOTO_APPID and WSHOTO_APP_SECRET are set (WSHOTO_USER_ID optionally
// names the operator staff id).
//
//	go run ./examples/wshoto
package main

import "github.com/cluekit/cluekit/examples/internal/run"

func main() { run.Main("wshoto") }
