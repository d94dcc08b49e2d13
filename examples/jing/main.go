// Command jing runs the JINGdigital (径硕) lifecycle: access token, batch user
// creation (a lead), a refused duplicate, a forced refresh-token rotation
// and one lead webhook received by a local handler.
//
// Without credentials it runs against the in-memory fake. With JING_APP_ID
// and JING_APP_SECRET (and optionally JING_BASE_URL, JING_WEBHOOK_SECRET) it
// lists what it would change, and does it against the real platform with
// -live or CLUEKIT_LIVE=1.
//
//	go run ./examples/jing
package main

import "github.com/cluekit/cluekit/examples/internal/run"

func main() { run.Main("jing") }
