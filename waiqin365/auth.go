package waiqin365

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// CST is China Standard Time (Asia/Shanghai, UTC+8 without daylight
// saving), built without tzdata: the zone of the request timestamp, the
// query date filters and every time 勤策 returns. It is the same value in
// every cluekit package.
var CST = flex.CST

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
// the field values as received (URL-decoded).
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

// emptyBody is what a call without parameters sends (and signs).
var emptyBody = []byte("{}")

// auth signs one attempt: it checks that the path is
// /api/{module}/{version}/{operation}, sends {} for a call without a body,
// and appends /{openid}/{timestamp}/{digest}/{msg_id} with a fresh
// timestamp, digest and msg_id (the attempt's request id).
func (c *Client) auth(a *core.Attempt) error {
	if err := checkPath(a.Path); err != nil {
		return err
	}
	if b := bytes.TrimSpace(a.Body); len(b) == 0 || string(b) == "null" {
		a.Body = emptyBody
	}
	a.Header.Set("Content-Type", "application/json")
	ts := FormatTimestamp(a.Now)
	digest := Digest(a.Body, c.appKey, ts)
	a.Redact(digest)
	a.RequestID = c.msgID()
	a.Path += "/" + url.PathEscape(c.openID) + "/" + ts + "/" + digest + "/" + a.RequestID
	return nil
}

// checkPath accepts /api/{module}/{version}/{operation}, each segment made
// of letters, digits, '.', '_' and '-' (and neither "." nor "..").
func checkPath(path string) error {
	rest, ok := strings.CutPrefix(path, "/api/")
	seg := strings.Split(rest, "/")
	if ok && len(seg) == 3 && validSegment(seg[0]) && validSegment(seg[1]) && validSegment(seg[2]) {
		return nil
	}
	return core.InvalidParam(vendorName, "Do", "path %q must be /api/{module}/{version}/{operation}, "+
		"each a non-empty segment of letters, digits, '.', '_' or '-'", path)
}

func validSegment(s string) bool {
	if s == "" || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
