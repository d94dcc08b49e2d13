// Command weiling walks the weiling (卫瓴·协同CRM) lifecycle: access token,
// every contact API (create, batch get, list, edit, owner change, disuse,
// recover, back to the public pool), the clue APIs the vendor still serves
// (marked deprecated), and one encrypted callback received through
// weiling.NewCallbackHandler.
//
// Without configuration it runs against the in-memory fake:
//
//	go run ./examples/weiling
//
// With WEILING_APP_ID and WEILING_APP_SECRET set (optionally
// WEILING_BASE_URL, and WEILING_CALLBACK_TOKEN with WEILING_ENCODING_AES_KEY)
// it lists what it would change; with -live (or CLUEKIT_LIVE=1) it runs
// against that server. Live, it changes only the contact it creates, and
// discards it at the end; steps that would change another record (a clue,
// an owner) are skipped with a line.
package main

import "github.com/cluekit/cluekit/examples/internal/run"

func main() { run.Main("weiling") }
