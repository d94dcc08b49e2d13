package jing

import (
	"encoding/json"
	"errors"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// APIError is a failure reported by the vendor: a non-2xx HTTP status, a
// code other than 0 (Code verbatim, RequestID = the envelope's request_id),
// or an undecodable answer.
type APIError = core.APIError

// CallError is a failure where no usable answer arrived (transport error,
// timeout, cancelled context). It matches ErrAmbiguous when a create may
// have been applied.
type CallError = core.CallError

// Sentinels shared by every cluekit vendor package (errors.Is works across
// packages).
var (
	// ErrInvalidToken: the access token was rejected. The vendor's code for
	// this is unknown; only codes named with WithInvalidTokenCodes match.
	ErrInvalidToken = core.ErrInvalidToken
	// ErrRateLimited: throttled (HTTP 429; the vendor's rate-limit codes are
	// not published).
	ErrRateLimited = core.ErrRateLimited
	// ErrDuplicate: the record already exists (jing reports duplicates per
	// item in CreateUsersResult.Failure instead).
	ErrDuplicate = core.ErrDuplicate
	// ErrNotFound: the record or endpoint does not exist (HTTP 404).
	ErrNotFound = core.ErrNotFound
	// ErrInvalidParam: a parameter broke a documented rule (client-side
	// validation, or HTTP 400).
	ErrInvalidParam = core.ErrInvalidParam
	// ErrPermission: the credentials may not call this endpoint (HTTP 401/403).
	ErrPermission = core.ErrPermission
	// ErrSignature is never returned by jing (no request signature); it is
	// re-exported for symmetry with the other vendor packages.
	ErrSignature = core.ErrSignature
	// ErrAmbiguous: a non-idempotent call failed after it may have been
	// applied; it was not retried.
	ErrAmbiguous = core.ErrAmbiguous
	// ErrBadResponse: the answer was not the vendor's JSON envelope.
	ErrBadResponse = core.ErrBadResponse
)

// envelope is {request_id, code, msg, data, timestamp}; timestamp (epoch ms)
// only comes with the token endpoints and is not needed.
type envelope struct {
	RequestID flex.String     `json:"request_id"`
	Code      *flex.String    `json:"code"`
	Msg       flex.String     `json:"msg"`
	Data      json.RawMessage `json:"data"`
}

var errNoCode = errors.New("response has no code field")

func decodeEnvelope(body []byte) (core.Envelope, error) {
	var e envelope
	if err := flex.Unmarshal(body, &e); err != nil {
		return core.Envelope{}, err
	}
	if e.Code == nil {
		return core.Envelope{}, errNoCode
	}
	code := string(*e.Code)
	env := core.Envelope{OK: code == "0", Code: code, Message: string(e.Msg), RequestID: string(e.RequestID)}
	if len(e.Data) > 0 && string(e.Data) != "null" {
		env.Data = e.Data
	}
	return env, nil
}

// vendor returns the transport description. The code table is unknown: no
// code is classified except those configured with WithInvalidTokenCodes.
func (c *Client) vendor() core.Vendor {
	invalid := c.set.invalidTokens
	return core.Vendor{
		Name:   vendorName,
		Decode: decodeEnvelope,
		Classify: func(code string) ([]error, bool) {
			if invalid[code] {
				return []error{core.ErrInvalidToken}, false
			}
			return nil, false
		},
	}
}
