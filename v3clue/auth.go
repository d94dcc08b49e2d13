package v3clue

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/cluekit/cluekit/internal/core"
)

// SignRequest returns the request signature of the 探马 OpenAPI v3, the
// value of the sign header:
//
//	lowercase hex( SHA-256( appID + timestamp + body + appKey ) )
//
// It is plain SHA-256 (not HMAC) over the concatenation, without separators,
// with the secret appKey last. body must be the exact bytes sent (nil or
// empty for a call without a body) and timestamp the exact header value (see
// FormatTimestamp). The vendor publishes no test vector; this recipe is the
// one three independent third-party clients use. The result is a
// secret-equivalent: do not log it.
func SignRequest(appID, timestamp string, body []byte, appKey string) string {
	h := sha256.New()
	h.Write([]byte(appID))
	h.Write([]byte(timestamp))
	h.Write(body)
	h.Write([]byte(appKey))
	return hex.EncodeToString(h.Sum(nil))
}

// FormatTimestamp formats t as the timestamp header: epoch milliseconds in
// decimal (13 digits for current dates).
func FormatTimestamp(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// auth signs every attempt afresh: a new timestamp, and a signature over the
// exact bytes sent. The vendor documents non-canonical header names (appId,
// timestamp, sign, appKey); they are sent verbatim.
func (c *Client) auth(a *core.Attempt) error {
	ts := FormatTimestamp(a.Now)
	sig := SignRequest(c.appID, ts, a.Body, c.appKey)
	a.Redact(sig)
	a.SetHeader("appId", c.appID)
	a.SetHeader("timestamp", ts)
	a.SetHeader("sign", sig)
	if c.s.appKeyHeader {
		a.SetHeader("appKey", c.appKey)
	}
	// Sent on every call, also without a body, as the vendor's examples do.
	a.Header.Set("Content-Type", "application/json")
	return nil
}

// appKeyHint is the advice shown with a refused signature (code 1002) when
// the client does not send the appKey header.
const appKeyHint = "if appID and appKey are right, the gateway may require the appKey header: try WithAppKeyHeader()"

// hint names WithAppKeyHeader when the vendor refuses the signature of a
// client that does not send the appKey header: some gateways demand it, and
// their refusal looks like a wrong key.
func (c *Client) hint(code string) string {
	if code == strconv.Itoa(CodeSignature) && !c.s.appKeyHeader {
		return appKeyHint
	}
	return ""
}
