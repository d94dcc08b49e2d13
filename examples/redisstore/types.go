package redisstore

import "github.com/cluekit/cluekit/weiling"

// Token is the SDK's cached token (Value, ExpiresAt, ObtainedAt, and JING's
// Refresh and RefreshExpiresAt). It is the type behind wshoto.Token,
// weiling.Token and jing.Token, which are all one type.
type Token = weiling.Token

// ClaimState is a Deduper's answer to Claim; the type behind the
// ClaimState of waiqin365, weiling and jing, which are all one type.
type ClaimState = weiling.ClaimState

// Claim states.
const (
	ClaimNew  = weiling.ClaimNew  // no process handled or holds the event: run the function
	ClaimDone = weiling.ClaimDone // handled before: acknowledge without running it
	ClaimBusy = weiling.ClaimBusy // being handled now: ask the vendor to deliver again
)
