package wshoto

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// APIError is a failure reported by wshoto: a non-2xx HTTP status, a code
// other than 0, a sub_code other than "00000", or an undecodable answer.
// Code is the vendor's code verbatim: the envelope's code, or its sub_code
// when code is 0 but sub_code reports a business failure.
type APIError = core.APIError

// CallError is a failure where no usable answer arrived (transport error,
// timeout, cancelled context). It matches ErrAmbiguous when a create may
// have been applied.
type CallError = core.CallError

// Sentinels, shared with every cluekit vendor package so errors.Is works
// whichever package a caller imports.
var (
	// ErrInvalidToken: wshoto rejected the access token (codes 10001, 10010,
	// 10011). The SDK has already refreshed it and replayed the call once.
	ErrInvalidToken = core.ErrInvalidToken
	// ErrRateLimited: the call was throttled (HTTP 429).
	ErrRateLimited = core.ErrRateLimited
	// ErrDuplicate: the record already exists.
	ErrDuplicate = core.ErrDuplicate
	// ErrNotFound: the record does not exist (HTTP 404).
	ErrNotFound = core.ErrNotFound
	// ErrInvalidParam: a parameter broke a documented rule; returned before
	// any network call for the rules the SDK checks.
	ErrInvalidParam = core.ErrInvalidParam
	// ErrPermission: HTTP 401/403.
	ErrPermission = core.ErrPermission
	// ErrSignature: the vendor rejected the request signature (wshoto calls
	// are not signed; kept for symmetry with the other packages).
	ErrSignature = core.ErrSignature
	// ErrAmbiguous: a non-idempotent call failed after the request may have
	// reached wshoto; it was not retried. Check before creating again.
	ErrAmbiguous = core.ErrAmbiguous
	// ErrBadResponse: the answer was not wshoto's JSON envelope.
	ErrBadResponse = core.ErrBadResponse
)

// SubCodeOK is the sub_code of a successful business operation.
const SubCodeOK = "00000"

// Codes that third-party clients treat as an invalid or expired access
// token (the vendor publishes no error-code table). Each one makes the SDK
// drop the cached token (only if it is still the cached one), fetch a new
// one once for all concurrent callers, and replay the call once.
const (
	CodeTokenInvalid1 = "10001"
	CodeTokenInvalid2 = "10010"
	CodeTokenInvalid3 = "10011"
)

var vendor = core.Vendor{Name: vendorName, Decode: decodeEnvelope, Classify: classify}

// envelope is {"code":0,"msg":"请求成功","data":…,"sub_code":"00000"}.
type envelope struct {
	Code    *flex.String    `json:"code"`
	Msg     flex.String     `json:"msg"`
	Data    json.RawMessage `json:"data"`
	SubCode *flex.String    `json:"sub_code"`
}

var errNotEnvelope = errors.New("wshoto: response is not a {code,msg,data} envelope")

// decodeEnvelope parses a 2xx body. code 0 is success unless a sub_code is
// present and differs from "00000"; the codes are kept verbatim.
func decodeEnvelope(body []byte) (core.Envelope, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return core.Envelope{}, errNotEnvelope
	}
	var e envelope
	if err := flex.Unmarshal(b, &e); err != nil {
		return core.Envelope{}, err
	}
	if e.Code == nil || *e.Code == "" {
		return core.Envelope{}, errNotEnvelope
	}
	env := core.Envelope{Code: string(*e.Code), Message: string(e.Msg)}
	if len(e.Data) > 0 && string(e.Data) != "null" {
		env.Data = e.Data
	}
	sub := ""
	if e.SubCode != nil {
		sub = string(*e.SubCode)
	}
	switch {
	case env.Code != "0":
	case sub != "" && sub != SubCodeOK:
		env.Code = sub
	default:
		env.OK = true
	}
	return env, nil
}

// classify maps the token codes to ErrInvalidToken; every other code is an
// error with no sentinel (wshoto publishes no code table).
func classify(code string) ([]error, bool) {
	switch code {
	case CodeTokenInvalid1, CodeTokenInvalid2, CodeTokenInvalid3:
		return []error{core.ErrInvalidToken}, false
	}
	return nil, false
}
