package waiqin365

import (
	"encoding/json"
	"errors"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// APIError is a failure reported by 勤策: a return_code other than "0"
// (Code, verbatim), a non-2xx status, or an undecodable answer. RequestID is
// the echoed msg_id when the server returned one.
type APIError = core.APIError

// CallError is a failure where no usable answer arrived (transport error,
// timeout, cancelled context). It matches ErrAmbiguous when a create may
// have been applied.
type CallError = core.CallError

// Sentinels shared by every cluekit vendor package (errors.Is works across
// packages).
var (
	// ErrInvalidToken: an access token was rejected (unused by 勤策, which
	// signs every call instead).
	ErrInvalidToken = core.ErrInvalidToken
	// ErrRateLimited: throttled (HTTP 429).
	ErrRateLimited = core.ErrRateLimited
	// ErrDuplicate: the record already exists (no 勤策 code is documented
	// for it, so only the shared core returns it).
	ErrDuplicate = core.ErrDuplicate
	// ErrNotFound: the record does not exist (HTTP 404).
	ErrNotFound = core.ErrNotFound
	// ErrInvalidParam: a documented rule was broken (checked before any
	// network call) or the server answered HTTP 400.
	ErrInvalidParam = core.ErrInvalidParam
	// ErrPermission: HTTP 401/403.
	ErrPermission = core.ErrPermission
	// ErrSignature: a signature was rejected; VerifyPush returns it for a
	// push whose digest does not match.
	ErrSignature = core.ErrSignature
	// ErrAmbiguous: a create failed after the request may have reached
	// 勤策; it was not retried. Query by code before creating again.
	ErrAmbiguous = core.ErrAmbiguous
	// ErrBadResponse: the answer was not the documented envelope or its
	// response_data had an unexpected shape.
	ErrBadResponse = core.ErrBadResponse
)

// CodeOK and CodeFailed are the only return_code values 勤策 documents (its
// error-code appendix is not published). Any other value is kept verbatim
// in APIError.Code.
const (
	CodeOK     = "0"
	CodeFailed = "1"
)

// vendor is the transport description of 勤策.
var vendor = core.Vendor{Name: vendorName, Decode: decodeEnvelope, Classify: classify}

// envelope is the answer of every OpenAPI call.
type envelope struct {
	ReturnCode   *flex.String  `json:"return_code"`
	ReturnMsg    *string       `json:"return_msg"`
	MsgID        *string       `json:"msg_id"`
	ResponseData flex.Embedded `json:"response_data"`
}

var errNoReturnCode = errors.New("waiqin365: answer has no return_code")

// decodeEnvelope parses a 2xx body: return_code as a string or number
// (success is "0"), return_msg and msg_id possibly null, response_data null,
// JSON, or a JSON string holding JSON.
func decodeEnvelope(body []byte) (core.Envelope, error) {
	var e envelope
	if err := json.Unmarshal(body, &e); err != nil {
		return core.Envelope{}, err
	}
	if e.ReturnCode == nil || *e.ReturnCode == "" {
		return core.Envelope{}, errNoReturnCode
	}
	env := core.Envelope{Code: string(*e.ReturnCode), Data: e.ResponseData}
	env.OK = env.Code == CodeOK
	if e.ReturnMsg != nil {
		env.Message = *e.ReturnMsg
	}
	if e.MsgID != nil {
		env.RequestID = *e.MsgID
	}
	return env, nil
}

// classify maps a non-"0" return_code to sentinels. 勤策 documents only "1"
// (generic failure), so nothing is mapped and nothing is retried: a business
// code is final.
func classify(string) ([]error, bool) { return nil, false }
