package waiqin365

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// CST is Asia/Shanghai (UTC+8, no daylight saving), built without tzdata.
var CST = time.FixedZone("CST", 8*3600)

// TimestampLayout is the layout of the request timestamp (yyyyMMddHHmmss).
const TimestampLayout = "20060102150405"

// FormatTimestamp formats t as the request timestamp: yyyyMMddHHmmss in
// Asia/Shanghai.
func FormatTimestamp(t time.Time) string { return t.In(CST).Format(TimestampLayout) }

// Digest computes the request digest: the lower-case hex MD5 of
// body + "|" + appKey + "|" + timestamp, over the exact body bytes sent (no
// canonicalisation). msg_id and openid are not part of it. The result is a
// secret-derived value: never log it.
func Digest(body []byte, appKey, timestamp string) string {
	return md5Hex(body, appKey, timestamp)
}

// PushDigest computes the digest of a push: the lower-case hex MD5 of
// data + "|" + pushSecret + "|" + timestamp, where data and timestamp are
// the form values as received (URL-decoded).
func PushDigest(data, pushSecret, timestamp string) string {
	return md5Hex([]byte(data), pushSecret, timestamp)
}

func md5Hex(first []byte, key, timestamp string) string {
	h := md5.New()
	h.Write(first)
	h.Write([]byte{'|'})
	h.Write([]byte(key))
	h.Write([]byte{'|'})
	h.Write([]byte(timestamp))
	var sum [md5.Size]byte
	var out [2 * md5.Size]byte
	hex.Encode(out[:], h.Sum(sum[:0]))
	return string(out[:])
}

// NewMsgID returns a fresh msg_id: 32 lower-case hex characters (a UUID
// without dashes) from crypto/rand. The client uses a new one per attempt.
func NewMsgID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand aborts the program instead)
	return hex.EncodeToString(b[:])
}
