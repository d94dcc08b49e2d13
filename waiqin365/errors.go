package waiqin365

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// APIError is a failure reported by waiqin365: a non-2xx status, a business code
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

// CodeOK and CodeFailed are the only return_code values 勤策 documents (its
// error-code appendix is not published). Any other value is kept verbatim
// in APIError.Code.
const (
	CodeOK     = "0"
	CodeFailed = "1"
)

// classify maps a return_code other than "0" to sentinels. 勤策 documents
// only "1" (generic failure), so nothing is mapped and nothing is retried:
// a business code is final. (HTTP statuses are mapped by the transport.)
func classify(string) []error { return nil }

// envelope is the answer of every OpenAPI call: return_code as a string or
// a number (success is "0"), return_msg and msg_id possibly null, and
// response_data decoded straight into the caller's result.
type envelope struct {
	ReturnCode   *flex.String `json:"return_code"`
	ReturnMsg    flex.Text    `json:"return_msg"`
	MsgID        flex.String  `json:"msg_id"`
	ResponseData responseData `json:"response_data"`
}

func newEnvelope(out any) core.Envelope {
	return &envelope{ResponseData: responseData{out: core.Payload(out)}}
}

var errNoReturnCode = errors.New("waiqin365: answer has no return_code")

// Outcome implements core.Envelope.
func (e *envelope) Outcome() (core.Outcome, error) {
	if e.ReturnCode == nil || *e.ReturnCode == "" {
		return core.Outcome{}, errNoReturnCode
	}
	code := string(*e.ReturnCode)
	return core.Outcome{OK: code == CodeOK, Code: code, Message: string(e.ReturnMsg), RequestID: string(e.MsgID)}, nil
}

// responseData is the payload member of the envelope. 勤策 sends it as
// JSON, or (queries) as a JSON string holding JSON: the JSON form decodes
// straight into out, the string form's contents do. null, "" and a string
// holding null leave out untouched.
type responseData struct{ out any }

// UnmarshalJSON implements json.Unmarshaler. A payload that does not fit
// out is a *json.UnmarshalTypeError, so that the envelope's code is still
// read (a success with an unreadable payload is ErrBadResponse, never a
// failure worth repeating).
func (d *responseData) UnmarshalJSON(b []byte) error {
	if _, skip := d.out.(*core.Discard); skip {
		return nil
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	if b[0] == '"' {
		var inner string
		if err := json.Unmarshal(b, &inner); err != nil {
			return err
		}
		in := bytes.TrimSpace([]byte(inner))
		if len(in) == 0 || string(in) == "null" {
			return nil
		}
		if !json.Valid(in) {
			return &json.UnmarshalTypeError{Value: "string that does not hold JSON", Type: reflect.TypeOf(d.out)}
		}
		b = in
	}
	if u, ok := d.out.(json.Unmarshaler); ok {
		return u.UnmarshalJSON(b) // b is valid JSON: no second check
	}
	return flex.Unmarshal(b, d.out)
}
