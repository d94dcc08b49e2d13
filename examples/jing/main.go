// Command jing runs the JINGdigital (径硕) lifecycle: access token, batch user
// creation, a forced refresh-token rotation and one lead webhook received by
// a local handler. It uses the real platform when JING_BASE_URL,
// JING_APP_ID and JING_APP_SECRET are set, and the in-memory fake otherwise.
//
//	go run ./examples/jing
package main

import "github.com/cluekit/cluekit/examples/internal/run"

func main() { run.Main("jing") }
