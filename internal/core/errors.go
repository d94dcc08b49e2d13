package core

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinels shared by every vendor package. Each vendor re-exports these exact
// values, so errors.Is works the same way whichever package a caller imports.
var (
	// ErrInvalidToken: the vendor rejected the access token (invalid or expired).
	ErrInvalidToken = errors.New("cluekit: invalid or expired access token")
	// ErrRateLimited: the vendor throttled the call (HTTP 429 or a rate-limit code).
	ErrRateLimited = errors.New("cluekit: rate limited")
	// ErrDuplicate: the record already exists.
	ErrDuplicate = errors.New("cluekit: duplicate")
	// ErrNotFound: the record does not exist.
	ErrNotFound = errors.New("cluekit: not found")
	// ErrInvalidParam: a parameter broke a documented rule (client- or server-side).
	ErrInvalidParam = errors.New("cluekit: invalid parameter")
	// ErrPermission: the credentials may not call this endpoint (IP, scope, ...).
	ErrPermission = errors.New("cluekit: permission denied")
	// ErrSignature: the vendor rejected the request signature or clock.
	ErrSignature = errors.New("cluekit: signature rejected")
	// ErrAmbiguous: a call that creates something failed after the request may
	// have reached the vendor; it may or may not have been applied, and the SDK
	// did not retry it. Check (for example by querying) before creating again.
	ErrAmbiguous = errors.New("cluekit: outcome unknown (request may have been applied)")
	// ErrBadResponse: the vendor answered with a body the SDK could not decode
	// (an HTML error page, malformed or empty JSON).
	ErrBadResponse = errors.New("cluekit: malformed response")
)

// APIError is a failure reported by the vendor: a non-2xx HTTP status, a
// business code other than success, or an undecodable answer. Code and
// Message are the vendor's own, verbatim.
type APIError struct {
	Vendor     string // package name, e.g. "waiqin365"
	Op         string // the vendor operation or path, e.g. "addSalesLeads"
	HTTPStatus int    // HTTP status of the final attempt (0 if none)
	Code       string // the vendor's business code, verbatim ("" if none)
	Message    string // the vendor's message, verbatim
	RequestID  string // msg_id / request_id when the vendor returns one
	Hint       string // the SDK's advice for this code ("" if none)

	kinds []error // sentinels this error matches
	cause error   // underlying decode error, if any
}

// NewAPIError builds an APIError that matches the given sentinels.
func NewAPIError(vendor, op string, status int, code, msg, requestID string, cause error, kinds ...error) *APIError {
	return &APIError{Vendor: vendor, Op: op, HTTPStatus: status, Code: code, Message: msg, RequestID: requestID, cause: cause, kinds: kinds}
}

// Error describes the failure: vendor, operation, HTTP status, code and
// message, without any secret.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Vendor)
	b.WriteString(": ")
	b.WriteString(e.Op)
	if e.HTTPStatus != 0 {
		b.WriteString(": HTTP ")
		b.WriteString(strconv.Itoa(e.HTTPStatus))
	}
	if e.Code != "" {
		b.WriteString(": code ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.cause != nil {
		b.WriteString(": ")
		b.WriteString(e.cause.Error())
	}
	for _, k := range e.kinds {
		if k == ErrAmbiguous {
			b.WriteString(" (outcome unknown, not retried)")
		}
	}
	if e.Hint != "" {
		b.WriteString(" (hint: ")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap exposes the matched sentinels and the cause to errors.Is/As.
func (e *APIError) Unwrap() []error {
	out := make([]error, 0, len(e.kinds)+1)
	out = append(out, e.kinds...)
	if e.cause != nil {
		out = append(out, e.cause)
	}
	return out
}

// CallError is a failure where no usable vendor answer arrived: a transport
// error, a timeout, a cancelled context. It matches ErrAmbiguous when a create
// may have been applied, and unwraps to the cause (e.g. context.Canceled).
type CallError struct {
	Vendor   string
	Op       string
	Attempts int
	Err      error // cause, with any URL (which may carry a token) removed
	// Last is the last failure seen before the context ended (nil if
	// none): a deadline that leaves no room for a Retry-After reports
	// both the deadline and the answer that asked for the wait.
	Last error

	ambiguous bool
	retryable bool
}

// Error describes the failure and its cause (never a URL).
func (e *CallError) Error() string {
	s := fmt.Sprintf("%s: %s: %v", e.Vendor, e.Op, e.Err)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	if e.Last != nil {
		s += fmt.Sprintf(" (last failure: %v)", e.Last)
	}
	if e.ambiguous {
		s += " (outcome unknown, not retried)"
	}
	return s
}

// Unwrap exposes the cause, the last failure and, when ambiguous,
// ErrAmbiguous.
func (e *CallError) Unwrap() []error {
	out := []error{e.Err}
	if e.Last != nil {
		out = append(out, e.Last)
	}
	if e.ambiguous {
		out = append(out, ErrAmbiguous)
	}
	return out
}

// RetryableError reports whether the SDK may try the call again (the
// request never reached the vendor, or the call does not create anything).
func (e *CallError) RetryableError() bool { return e.retryable }

// Ambiguous reports whether the call may have been applied.
func (e *CallError) Ambiguous() bool { return e.ambiguous }

// InvalidParam returns a validation error matching ErrInvalidParam, returned
// before any network call.
func InvalidParam(vendor, op, format string, args ...any) error {
	return &paramError{vendor: vendor, op: op, msg: fmt.Sprintf(format, args...)}
}

type paramError struct{ vendor, op, msg string }

func (e *paramError) Error() string { return e.vendor + ": " + e.op + ": invalid parameter: " + e.msg }
func (e *paramError) Unwrap() error { return ErrInvalidParam }

// BatchError reports the items of a batch call that the vendor refused. It is
// returned together with the call's result (which holds the successes), so
// that a failure is never buried in a result. errors.Is works on it: each
// failed item is an *APIError with its own code and the sentinels that code
// maps to.
type BatchError struct {
	Vendor string
	Op     string
	Failed []ItemError // one entry per refused item, in the vendor's order
}

// ItemError is one refused item of a batch.
type ItemError struct {
	ID      string // the item's id as sent (or its index when it has none)
	Code    string // the vendor's code for this item, verbatim
	Message string // the vendor's message, verbatim
	kinds   []error
}

// NewItemError builds an item failure matching the given sentinels.
func NewItemError(id, code, msg string, kinds ...error) ItemError {
	return ItemError{ID: id, Code: code, Message: msg, kinds: kinds}
}

// NewBatchError returns nil when nothing failed, so a caller can write
// `return res, core.NewBatchError(...)`.
func NewBatchError(vendor, op string, failed []ItemError) error {
	if len(failed) == 0 {
		return nil
	}
	return &BatchError{Vendor: vendor, Op: op, Failed: failed}
}

// Error lists the count and the first three failures with their codes.
func (e *BatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: ", e.Vendor, e.Op)
	if len(e.Failed) == 1 {
		b.WriteString("1 item failed: ")
	} else {
		fmt.Fprintf(&b, "%d items failed: ", len(e.Failed))
	}
	for i, f := range e.Failed {
		if i == 3 {
			b.WriteString("; ...")
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.ID)
		if f.Code != "" {
			b.WriteString(" code ")
			b.WriteString(f.Code)
		}
		if f.Message != "" {
			b.WriteString(" ")
			b.WriteString(f.Message)
		}
	}
	return b.String()
}

// Unwrap returns one *APIError per failed item, so errors.Is(err,
// ErrDuplicate) tells whether any item was a duplicate.
func (e *BatchError) Unwrap() []error {
	out := make([]error, 0, len(e.Failed))
	for _, f := range e.Failed {
		out = append(out, NewAPIError(e.Vendor, e.Op, 0, f.Code, f.Message, "", nil, f.kinds...))
	}
	return out
}

// NilRequest is the validation error of a method given a nil request
// pointer: the same text in every package.
func NilRequest(vendor, op string) error { return InvalidParam(vendor, op, "nil request") }
