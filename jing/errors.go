package jing

import (
	"errors"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// APIError is a failure reported by jing: a non-2xx status, a business code
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

// envelope is {request_id, code, msg, data, timestamp}: code 0 (a number or
// a string) is success; data goes straight into the caller's result;
// timestamp (epoch ms, token answers only) is not needed.
type envelope struct {
	RequestID flex.String  `json:"request_id"`
	Code      *flex.String `json:"code"`
	Msg       flex.String  `json:"msg"`
	Data      any          `json:"data"`
}

var errNotEnvelope = errors.New("response has no code field")

func newEnvelope(out any) core.Envelope { return &envelope{Data: core.Payload(out)} }

// Outcome implements core.Envelope.
func (e *envelope) Outcome() (core.Outcome, error) {
	if e.Code == nil {
		return core.Outcome{}, errNotEnvelope
	}
	code := string(*e.Code)
	return core.Outcome{OK: code == "0", Code: code, Message: string(e.Msg), RequestID: string(e.RequestID)}, nil
}

// classify is the code table. The vendor's table is not published: no code
// maps to a sentinel except those named with WithInvalidTokenCodes
// (ErrInvalidToken); HTTP 429 is retried by the transport.
func (c *Client) classify(code string) []error {
	if c.set.invalidTokens[code] {
		return []error{core.ErrInvalidToken}
	}
	return nil
}
