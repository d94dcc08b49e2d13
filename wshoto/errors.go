package wshoto

import (
	"errors"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// APIError is a failure reported by wshoto: a non-2xx status, a business code
// other than success, or an answer that could not be read. Fields: Vendor,
// Op, HTTPStatus, Code (verbatim), Message (verbatim), RequestID. errors.Is
// matches the sentinels its code maps to.
//
// Code is the envelope's code, or its sub_code when code is 0 but sub_code
// reports a business failure.
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

// SubCodeOK is the sub_code of a successful business operation.
const SubCodeOK = "00000"

// Codes that third-party clients treat as an invalid or expired access
// token (the vendor publishes no error-code table). Each one makes the SDK
// drop the cached token (only if it is still the cached one), fetch a new
// one once for all concurrent callers, and replay the call once. A token
// fetched to replace a refused one and refused again is not dropped again
// (the code then means "no permission"): an endpoint that always refuses
// costs at most one extra token request per token lifetime.
const (
	CodeTokenInvalid1 = "10001"
	CodeTokenInvalid2 = "10010"
	CodeTokenInvalid3 = "10011"
)

// envelope is {"code":0,"msg":"请求成功","data":…,"sub_code":"00000"}; data
// decodes straight into the caller's result.
type envelope struct {
	Code    *flex.String `json:"code"`
	Msg     flex.String  `json:"msg"`
	Data    any          `json:"data"`
	SubCode *flex.String `json:"sub_code"`
}

func newEnvelope(out any) core.Envelope { return &envelope{Data: core.Payload(out)} }

var errNotEnvelope = errors.New("wshoto: response is not a {code,msg,data} envelope")

// Outcome reports the business result: code 0 is success unless a sub_code
// is present and differs from "00000", in which case the sub_code is the
// failure's code. Codes are kept verbatim.
func (e *envelope) Outcome() (core.Outcome, error) {
	if e.Code == nil || *e.Code == "" {
		return core.Outcome{}, errNotEnvelope
	}
	o := core.Outcome{Code: string(*e.Code), Message: string(e.Msg)}
	sub := ""
	if e.SubCode != nil {
		sub = string(*e.SubCode)
	}
	switch {
	case o.Code != "0":
	case sub != "" && sub != SubCodeOK:
		o.Code = sub
	default:
		o.OK = true
	}
	return o, nil
}

// classify is the code table: the token codes map to ErrInvalidToken; every
// other code is an error with no sentinel (wshoto publishes no code table).
func classify(code string) []error {
	switch code {
	case CodeTokenInvalid1, CodeTokenInvalid2, CodeTokenInvalid3:
		return []error{core.ErrInvalidToken}
	}
	return nil
}
