// Package v3clue is a typed client for the 探马 SCRM (Tanma, tanmarket.cn)
// OpenAPI v3: SHA-256-signed calls, clue/get (线索&待分配客户详情) with typed
// field values, and a generic signed call (Client.Do) for every other v3
// endpoint.
//
// # Protocol
//
// Every call is a POST with a JSON body to {base}/api/v3/..., where the
// default base is https://account.tanmarket.cn/apiServer (override it with
// WithBaseURL, e.g. for the older https://api.tanmarket.cn:20066/api host).
// Each attempt carries the headers appId, timestamp (13-digit epoch
// milliseconds, fresh per attempt), sign and Content-Type: application/json,
// where
//
//	sign = lowercase hex( SHA-256( appId + timestamp + body + appKey ) )
//
// over the exact body bytes sent ("" when there is no body). It is plain
// SHA-256, not HMAC; see SignRequest and FormatTimestamp. The body is
// marshalled once and the same bytes are signed and sent on every attempt.
//
// Answers are {"code":0,"message":"ok","data":{...}}; code 0 is success and
// business errors come back with HTTP 200 and a non-zero code, which becomes
// an *APIError carrying the code verbatim. Mapped codes: 1002 (signature
// check failed) matches ErrSignature, 1003 (timestamp too far from server
// time) matches ErrClockSkew and ErrSignature, 40417 (duplicate phone number)
// matches ErrDuplicate; -1 (generic failure) and every other code match no
// sentinel. Neither 1002 nor 1003 is retried.
//
// # Unknowns and the defaults chosen
//
// The vendor's authentication page is not public; the signing recipe above is
// the one three independent third-party clients agree on. The vendor page
// lists an appKey header too, but it would put the secret on the wire and two
// working clients omit it, so it is not sent unless WithAppKeyHeader is
// given; when the vendor refuses the signature (1002) of a client that does
// not send it, the error's hint names WithAppKeyHeader. The allowed clock
// skew, the full error table (including which code means "not found"), the
// fields[].type code table, the meaning of data.type and the structure of
// companyInfo are undocumented: field types 1, 2, 3 and 8 are inferred from
// the vendor's single example, unknown codes are kept raw, companyInfo is a
// json.RawMessage, members no field names are kept in the Extra of Clue and
// Field, times are read in CST (UTC+8), and a missing clue is an *APIError
// with the vendor's code (no sentinel). Push callbacks (消息推送) are not
// implemented: their format and verification are not public. No rate limit is
// documented; WithRateLimit is off by default.
//
// The fake server in package v3cluetest speaks this protocol and checks
// signatures like the vendor; use it in tests.
package v3clue
