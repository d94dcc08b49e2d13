// Command v3clue reads a clue from the 探马 SCRM OpenAPI v3 (POST
// /api/v3/clue/get) and prints its typed fields, one line each: text values,
// option ids of select fields, the decoded mobile list, dates.
//
// With no configuration it runs against the in-memory fake server
// (v3clue/v3cluetest) and its copy of the vendor's example clue:
//
//	go run ./examples/v3clue
//
// With V3CLUE_APP_ID and V3CLUE_APP_KEY set it talks to the real vendor
// (V3CLUE_BASE_URL, optional, defaults to the production base), but only
// with -live or CLUEKIT_LIVE=1; without them it lists what it would do and
// stops. It only reads, so live mode changes nothing. It reads the clue
// V3CLUE_CUSTOMER_ID (线索&待分配客户id); without it, live mode skips the
// read, since the v3 API documents no call that lists clues.
//
//	V3CLUE_APP_ID=... V3CLUE_APP_KEY=... V3CLUE_CUSTOMER_ID=410983932389440 \
//	go run ./examples/v3clue -live
package main

import "github.com/cluekit/cluekit/examples/internal/run"

func main() { run.Main("v3clue") }
