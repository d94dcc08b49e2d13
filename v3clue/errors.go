package v3clue

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// APIError is a failure reported by the vendor: a non-zero code (with HTTP
// 200), a non-2xx status, or an answer that could not be decoded. Code and
// Message are the vendor's, verbatim.
type APIError = core.APIError

// CallError is a failure where no usable answer arrived (transport error,
// timeout, cancelled context). It matches ErrAmbiguous when a non-idempotent
// call may have been applied.
type CallError = core.CallError

// Sentinels shared by every cluekit vendor package; use errors.Is.
var (
	// ErrInvalidToken is never returned by this package (it has no tokens);
	// it is here so that code written for every vendor compiles.
	ErrInvalidToken = core.ErrInvalidToken
	// ErrRateLimited: HTTP 429 (no rate-limit business code is documented).
	ErrRateLimited = core.ErrRateLimited
	// ErrDuplicate: code 40417 (请求参数验证失败：电话号码重复, duplicate phone number).
	ErrDuplicate = core.ErrDuplicate
	// ErrNotFound: HTTP 404. The vendor's "not found" business code is not
	// documented, so a missing clue is an *APIError with the vendor's code
	// and does not match ErrNotFound.
	ErrNotFound = core.ErrNotFound
	// ErrInvalidParam: a parameter broke a documented rule, detected before
	// any network call (or HTTP 400).
	ErrInvalidParam = core.ErrInvalidParam
	// ErrPermission: HTTP 401/403.
	ErrPermission = core.ErrPermission
	// ErrSignature: code 1002 (签名校验未通过, signature check failed) and
	// code 1003 (see ErrClockSkew). Not retried: check appID and appKey.
	ErrSignature = core.ErrSignature
	// ErrAmbiguous: a non-idempotent call failed after the request may have
	// reached the vendor; it was not retried.
	ErrAmbiguous = core.ErrAmbiguous
	// ErrBadResponse: the answer was not the vendor's JSON envelope, or its
	// data could not be decoded.
	ErrBadResponse = core.ErrBadResponse
)

// ErrClockSkew matches code 1003 (请求时间与服务器时间相差过大，请校对时间后重新请求):
// the request timestamp was too far from the vendor's clock. It also matches
// ErrSignature. The call is not retried, since a retry would carry a
// timestamp from the same clock: check the host's clock (NTP) and try again.
// The allowed skew is not documented.
var ErrClockSkew = fmt.Errorf("v3clue: request timestamp too far from server time, check the clock: %w", core.ErrSignature)

// Business codes with a known meaning (all others are kept verbatim).
const (
	CodeOK        = 0     // 成功
	CodeFailure   = -1    // 失败 (generic failure)
	CodeSignature = 1002  // 签名校验未通过
	CodeClockSkew = 1003  // 请求时间与服务器时间相差过大
	CodeDuplicate = 40417 // 请求参数验证失败：电话号码重复
)

// classify maps a non-zero code to the sentinels it matches. None of the
// known codes is worth retrying.
func classify(code string) ([]error, bool) {
	switch code {
	case strconv.Itoa(CodeSignature):
		return []error{ErrSignature}, false
	case strconv.Itoa(CodeClockSkew):
		return []error{ErrClockSkew}, false
	case strconv.Itoa(CodeDuplicate):
		return []error{ErrDuplicate}, false
	}
	return nil, false
}

// decodeEnvelope parses {"code":0,"message":"ok","data":{...}}. The code
// must be present and an integer (a number, or a string of digits); data
// null or absent gives nil Data.
func decodeEnvelope(b []byte) (core.Envelope, error) {
	var e struct {
		Code    json.RawMessage `json:"code"`
		Message flex.String     `json:"message"`
		Data    json.RawMessage `json:"data"`
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return core.Envelope{}, errors.New("v3clue: answer is not a JSON object")
	}
	if err := flex.Unmarshal(b, &e); err != nil {
		return core.Envelope{}, fmt.Errorf("v3clue: answer is not the vendor envelope: %w", err)
	}
	code, err := parseCode(e.Code)
	if err != nil {
		return core.Envelope{}, err
	}
	env := core.Envelope{OK: code == "0", Code: code, Message: string(e.Message)}
	if d := bytes.TrimSpace(e.Data); len(d) > 0 && string(d) != "null" {
		env.Data = d
	}
	return env, nil
}

// parseCode returns the code's decimal text, verbatim.
func parseCode(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", errors.New("v3clue: answer has no code")
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("v3clue: bad code: %w", err)
		}
	}
	if !flex.IsInteger(s) {
		return "", fmt.Errorf("v3clue: code %.20q is not an integer", s)
	}
	return s, nil
}
