package v3clue

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Sign returns the request signature of the 探马 OpenAPI v3:
//
//	lowercase hex( SHA-256( appID + timestamp + body + appKey ) )
//
// It is plain SHA-256 (not HMAC) over the concatenation, without separators,
// with the secret appKey last. body must be the exact bytes sent (nil or
// empty for a call without a body) and timestamp the exact header value. The
// vendor publishes no test vector; this recipe is the one three independent
// third-party clients use. The result is a secret-equivalent: do not log it.
func Sign(appID, timestamp string, body []byte, appKey string) string {
	h := sha256.New()
	h.Write([]byte(appID))
	h.Write([]byte(timestamp))
	h.Write(body)
	h.Write([]byte(appKey))
	return hex.EncodeToString(h.Sum(nil))
}

// Timestamp formats t as the timestamp header: epoch milliseconds in
// decimal (13 digits for current dates).
func Timestamp(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
