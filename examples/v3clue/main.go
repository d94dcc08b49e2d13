// Command v3clue fetches a clue from the 探马 SCRM OpenAPI v3 (POST
// /api/v3/clue/get) and prints its typed fields, one line each: text values,
// option ids of select fields, the decoded mobile list, dates.
//
// With no configuration it runs against the in-memory fake server
// (v3clue/v3cluetest) and its copy of the vendor's example clue:
//
//	go run ./examples/v3clue
//
// It uses a real server when V3CLUE_BASE_URL, V3CLUE_APP_ID and
// V3CLUE_APP_KEY are all set. Live mode reads the clue V3CLUE_CUSTOMER_ID
// (线索&待分配客户id), or the vendor doc example's customerId 410983932389440
// when it is unset, because the v3 API documents no call that lists or
// creates clues.
//
//	V3CLUE_BASE_URL=https://account.tanmarket.cn/apiServer \
//	V3CLUE_APP_ID=... V3CLUE_APP_KEY=... V3CLUE_CUSTOMER_ID=410983932389440 \
//	go run ./examples/v3clue
package main

import "github.com/cluekit/cluekit/examples/internal/run"

func main() { run.Main("v3clue") }
