package v3clue

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// envelope is the vendor's answer, {"code":0,"message":"ok","data":{...}}:
// code 0 is success (business errors come with HTTP 200 and another code),
// the message is "message" (not "msg"), and data goes straight into the
// caller's result.
type envelope struct {
	Code    *flex.String `json:"code"`
	Message flex.String  `json:"message"`
	Data    any          `json:"data"`
}

func newEnvelope(out any) core.Envelope { return &envelope{Data: core.Payload(out)} }

// errNotEnvelope is the cause of an answer that is JSON but not the
// vendor's envelope.
var errNotEnvelope = errors.New("v3clue: answer is not the vendor envelope (no code)")

// Outcome implements core.Envelope. The code must be present and an integer
// (a number, or a string of digits), kept verbatim.
func (e *envelope) Outcome() (core.Outcome, error) {
	if e.Code == nil {
		return core.Outcome{}, errNotEnvelope
	}
	code := string(*e.Code)
	if !flex.IsInteger(code) {
		return core.Outcome{}, fmt.Errorf("v3clue: code %.20q is not an integer", code)
	}
	return core.Outcome{OK: code == "0", Code: code, Message: string(e.Message)}, nil
}

// Business codes with a known meaning (all others are kept verbatim).
const (
	CodeOK        = 0     // 成功
	CodeFailure   = -1    // 失败 (generic failure)
	CodeSignature = 1002  // 签名校验未通过
	CodeClockSkew = 1003  // 请求时间与服务器时间相差过大
	CodeDuplicate = 40417 // 请求参数验证失败：电话号码重复
)

// classify maps a non-zero code to the sentinels it matches. None of the
// known codes is worth retrying: a retry of 1003 would carry a timestamp
// from the same clock.
func classify(code string) []error {
	switch code {
	case strconv.Itoa(CodeSignature):
		return []error{ErrSignature}
	case strconv.Itoa(CodeClockSkew):
		return []error{ErrClockSkew}
	case strconv.Itoa(CodeDuplicate):
		return []error{ErrDuplicate}
	}
	return nil
}

// ErrClockSkew matches code 1003 (请求时间与服务器时间相差过大，请校对时间后重新请求):
// the request timestamp was too far from the vendor's clock. It also matches
// ErrSignature. The call is not retried, since a retry would carry a
// timestamp from the same clock: check the host's clock (NTP) and try again.
// The allowed skew is not documented.
var ErrClockSkew = fmt.Errorf("v3clue: request timestamp too far from server time, check the clock: %w", core.ErrSignature)

// APIError is a failure reported by v3clue: a non-2xx status, a business code
// other than success, or an answer that could not be read. Fields: Vendor,
// Op, HTTPStatus, Code (verbatim), Message (verbatim), RequestID. errors.Is
// matches the sentinels its code maps to.
type APIError = core.APIError

// CallError is a failure where no usable answer arrived (transport error,
// timeout, cancelled context). Fields: Vendor, Op, Attempts, Err (the cause),
// Last (the last failure before the context ended). It matches ErrAmbiguous
// when a create may have been applied.
type CallError = core.CallError

// BatchError is returned with a batch call's result when the vendor refused
// some items: Failed lists them (ItemError: ID, Code, Message). errors.Is
// matches the sentinels of any item's code.
type BatchError = core.BatchError

// ItemError is one refused item of a batch (ID, Code, Message).
type ItemError = core.ItemError

// Sentinels, shared by every cluekit package (the same values), for
// errors.Is.
var (
	ErrInvalidToken = core.ErrInvalidToken // the access token was refused (already refreshed and replayed once)
	ErrRateLimited  = core.ErrRateLimited  // throttled (HTTP 429 or a rate-limit code); retried by the SDK
	ErrDuplicate    = core.ErrDuplicate    // the record already exists
	ErrNotFound     = core.ErrNotFound     // the record does not exist
	ErrInvalidParam = core.ErrInvalidParam // a documented rule was broken (checked before the network where known)
	ErrPermission   = core.ErrPermission   // the credentials may not do this
	ErrSignature    = core.ErrSignature    // the signature or the clock was refused
	ErrAmbiguous    = core.ErrAmbiguous    // a create may or may not have been applied; not retried
	ErrBadResponse  = core.ErrBadResponse  // the answer could not be read
)
