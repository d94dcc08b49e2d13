package weiling

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// APIError is a failure reported by weiling: a non-2xx HTTP status, a code
// other than 0, or an undecodable answer. Code and Message are the vendor's
// code and msg, verbatim.
type APIError = core.APIError

// CallError is a failure where no usable answer arrived (transport error,
// timeout, cancelled context). It matches ErrAmbiguous when a create may
// have been applied.
type CallError = core.CallError

// Sentinels, shared with every cluekit vendor package so errors.Is works
// whichever package a caller imports.
var (
	// ErrInvalidToken: codes 403 (无访问权限) and 1007 (非法访问). weiling
	// documents no "token invalid" code; on these two the SDK drops the cached
	// token (only if it is still the cached one), fetches a new one once for
	// all concurrent callers and replays the call once.
	ErrInvalidToken = core.ErrInvalidToken
	// ErrRateLimited: codes 1009 and 1015 (接口调用超过频率限制) or HTTP 429;
	// retried with backoff.
	ErrRateLimited = core.ErrRateLimited
	// ErrDuplicate: codes 1002 (数据已存在) and 1004 (重复操作).
	ErrDuplicate = core.ErrDuplicate
	// ErrNotFound: codes 1003 (数据不存在) and 3000 (客户不存在).
	ErrNotFound = core.ErrNotFound
	// ErrInvalidParam: codes 1000, 1001, 1011, 1012, 1013 and 1014, or a
	// documented rule checked by the SDK before any network call.
	ErrInvalidParam = core.ErrInvalidParam
	// ErrPermission: codes 403 (无访问权限), 1008 (IP blocked) and 501 (bad
	// app_id or app_secret), or HTTP 401/403.
	ErrPermission = core.ErrPermission
	// ErrSignature: weiling API calls are not signed (kept for symmetry with
	// the other packages). Callback signatures are checked by
	// NewCallbackHandler.
	ErrSignature = core.ErrSignature
	// ErrAmbiguous: a non-idempotent call failed after the request may have
	// reached weiling; it was not retried. Check before creating again.
	ErrAmbiguous = core.ErrAmbiguous
	// ErrBadResponse: the answer was not weiling's JSON envelope.
	ErrBadResponse = core.ErrBadResponse
)

// Business codes of the {code,msg,data} envelope (全局异常码 plus the codes
// third-party code shows). Branch on APIError.Code, never on the message.
const (
	CodeOK              = "0"    // success
	CodeNoPermission    = "403"  // 无访问权限: treated as an invalid token (see ErrInvalidToken)
	CodeBusy            = "500"  // 服务繁忙，请稍后重试 (third-party)
	CodeBadApp          = "501"  // app_id或app_secret不合法 (third-party)
	CodeMissingParam    = "1000" // 参数缺失
	CodeInvalidParam    = "1001" // 不合法的参数
	CodeExists          = "1002" // 数据已存在
	CodeNotExist        = "1003" // 数据不存在
	CodeRepeated        = "1004" // 重复操作
	CodeFailed          = "1005" // 操作失败
	CodeEndOfData       = "1006" // 数据加载完毕: the end of a cursor list, not an error for iterators
	CodeIllegalAccess   = "1007" // 非法访问: treated as an invalid token (see ErrInvalidToken)
	CodeIPBlocked       = "1008" // 该Ip已被禁用
	CodeRateLimited     = "1009" // 接口调用超过频率限制
	CodeBadMethod       = "1010" // 不支持的请求方法
	CodeBadBody         = "1011" // body参数解析异常
	CodeTooMuchData     = "1012" // 数据超过限制
	CodeBadValue        = "1013" // 参数格式或值错误 (third-party)
	CodeBadCursor       = "1014" // 游标参数错误 (third-party)
	CodeRateLimited2    = "1015" // 接口调用超过频率限制，请稍后再试 (third-party)
	CodeBadCallbackURL  = "2000" // 回调地址不合法
	CodeCallbackFailed  = "2001" // 回调地址校验不通过
	CodeCustomerMissing = "3000" // 客户不存在
)

// vendor is weiling's envelope and code table for the shared transport.
var vendor = core.Vendor{Name: vendorName, Decode: decodeEnvelope, Classify: classify}

// classify maps a business code to the sentinels it matches and whether it
// is worth retrying.
func classify(code string) ([]error, bool) {
	switch code {
	case CodeBusy:
		// 服务繁忙: like HTTP 503, retried on reads and ambiguous on creates.
		return []error{core.ErrVendorBusy}, false
	case CodeNoPermission:
		return []error{core.ErrInvalidToken, core.ErrPermission}, false
	case CodeIllegalAccess:
		return []error{core.ErrInvalidToken}, false
	case CodeRateLimited, CodeRateLimited2:
		return []error{core.ErrRateLimited}, true
	case CodeMissingParam, CodeInvalidParam, CodeBadBody, CodeTooMuchData, CodeBadValue, CodeBadCursor:
		return []error{core.ErrInvalidParam}, false
	case CodeExists, CodeRepeated:
		return []error{core.ErrDuplicate}, false
	case CodeNotExist, CodeCustomerMissing:
		return []error{core.ErrNotFound}, false
	case CodeIPBlocked, CodeBadApp:
		return []error{core.ErrPermission}, false
	}
	return nil, false
}

// envelope is {"code":0,"msg":"success","data":{…}}; code is a number on
// some pages and a string on others.
type envelope struct {
	Code *flex.String    `json:"code"`
	Msg  flex.String     `json:"msg"`
	Data json.RawMessage `json:"data"`
}

var errNotEnvelope = errors.New("weiling: response is not a {code,msg,data} envelope")

// decodeEnvelope parses a 2xx body; code 0 (number or string) is success.
func decodeEnvelope(body []byte) (core.Envelope, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return core.Envelope{}, errNotEnvelope
	}
	var e envelope
	if err := flex.Unmarshal(b, &e); err != nil {
		return core.Envelope{}, err
	}
	if e.Code == nil || strings.TrimSpace(string(*e.Code)) == "" {
		return core.Envelope{}, errNotEnvelope
	}
	code := strings.TrimSpace(string(*e.Code))
	env := core.Envelope{Code: code, Message: string(e.Msg), OK: code == CodeOK}
	if len(e.Data) > 0 && string(e.Data) != "null" {
		env.Data = e.Data
	}
	return env, nil
}

// isEndOfData reports whether err is weiling's "all data loaded" answer.
func isEndOfData(err error) bool {
	var apiErr *core.APIError
	return errors.As(err, &apiErr) && apiErr.Code == CodeEndOfData
}

// FailItem is one entry of a batch endpoint's fail_list: which record
// failed, and the vendor's error code and message for it. Depending on the
// endpoint the record is named by id, clue_id or contact_id; ID returns
// whichever is set.
type FailItem struct {
	RawID     flex.String `json:"id,omitempty"`
	ClueID    flex.String `json:"clue_id,omitempty"`
	ContactID flex.String `json:"contact_id,omitempty"`
	// ErrorCode is the vendor's code for this item, verbatim (number or
	// string on the wire), e.g. "1013".
	ErrorCode flex.String `json:"error_code"`
	ErrorMsg  flex.String `json:"error_msg"`
}

// ID returns the failed record's id (id, clue_id or contact_id).
func (f FailItem) ID() string {
	return firstNonEmpty(string(f.RawID), string(f.ClueID), string(f.ContactID))
}

// Err returns the item's failure as an *APIError whose Code is the item's
// error_code, matching the same sentinels as an envelope code (1003 →
// ErrNotFound, 1013 → ErrInvalidParam, ...).
func (f FailItem) Err(op string) error {
	kinds, _ := classify(string(f.ErrorCode))
	msg := string(f.ErrorMsg)
	if id := f.ID(); id != "" {
		msg = id + ": " + msg
	}
	return core.NewAPIError(vendorName, op, 0, string(f.ErrorCode), msg, "", nil, kinds...)
}

// SuccessItem is one entry of a success_list. The vendor does not document
// its shape: an entry may be a bare id or an object naming the record; ID
// holds the id either way and Raw the entry verbatim.
type SuccessItem struct {
	ID  string
	Raw json.RawMessage
}

// UnmarshalJSON implements json.Unmarshaler.
func (s *SuccessItem) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	s.Raw = append(json.RawMessage(nil), b...)
	s.ID = ""
	if len(b) > 0 && b[0] == '{' {
		var o struct {
			ID        flex.String `json:"id"`
			ClueID    flex.String `json:"clue_id"`
			ContactID flex.String `json:"contact_id"`
		}
		if err := flex.Unmarshal(b, &o); err != nil {
			return err
		}
		s.ID = firstNonEmpty(string(o.ID), string(o.ClueID), string(o.ContactID))
		return nil
	}
	if len(b) > 0 && b[0] == '[' {
		return nil
	}
	var v flex.String
	if err := v.UnmarshalJSON(b); err != nil {
		return err
	}
	s.ID = string(v)
	return nil
}

// MarshalJSON implements json.Marshaler (the entry verbatim).
func (s SuccessItem) MarshalJSON() ([]byte, error) {
	if len(s.Raw) > 0 {
		return s.Raw, nil
	}
	return json.Marshal(s.ID)
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// BatchResult is the answer of a batch endpoint: the records that failed
// (fail_list) and, on the endpoints that return it, those that succeeded
// (success_list). The envelope's code is 0 even when items failed.
type BatchResult struct {
	FailList    []FailItem    `json:"fail_list"`
	SuccessList []SuccessItem `json:"success_list,omitempty"`
}

// BatchError is returned, together with the BatchResult, when a batch call
// succeeded as a whole but some records failed (a non-empty fail_list).
// errors.Is matches the sentinels of the items' codes (for example
// ErrNotFound for an unknown id).
type BatchError struct {
	Op     string
	Failed []FailItem
}

// Error lists the failed items (the first three) with their codes.
func (e *BatchError) Error() string {
	var b strings.Builder
	b.WriteString(vendorName)
	b.WriteString(": ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	if len(e.Failed) == 1 {
		b.WriteString("1 item failed: ")
	} else {
		b.WriteString(strconv.Itoa(len(e.Failed)))
		b.WriteString(" items failed: ")
	}
	for i, f := range e.Failed {
		if i == 3 {
			b.WriteString("; ...")
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.ID())
		b.WriteString(" code ")
		b.WriteString(string(f.ErrorCode))
		if f.ErrorMsg != "" {
			b.WriteString(" ")
			b.WriteString(string(f.ErrorMsg))
		}
	}
	return b.String()
}

// Unwrap returns one *APIError per failed item.
func (e *BatchError) Unwrap() []error {
	out := make([]error, 0, len(e.Failed))
	for _, f := range e.Failed {
		out = append(out, f.Err(e.Op))
	}
	return out
}

// batchErr returns the BatchError of res, or nil when no item failed.
func batchErr(op string, res *BatchResult) error {
	if len(res.FailList) == 0 {
		return nil
	}
	return &BatchError{Op: op, Failed: res.FailList}
}
