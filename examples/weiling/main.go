// Command weiling walks the weiling (卫瓴·协同CRM) lifecycle: access token,
// every contact API (create, batch get, list, edit, owner change, disuse,
// recover, back to the public pool), every clue API the vendor still serves
// (marked deprecated), and one encrypted callback received through
// weiling.NewCallbackHandler.
//
// With WEILING_APP_ID and WEILING_APP_SECRET set (and optionally
// WEILING_BASE_URL, WEILING_CALLBACK_TOKEN, WEILING_ENCODING_AES_KEY) it runs
// against that server; otherwise against the in-memory fake:
//
//	go run ./examples/weiling
package main

import "github.com/cluekit/cluekit/examples/internal/run"

func main() { run.Main("weiling") }
