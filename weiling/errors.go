package weiling

import (
	"errors"
	"strings"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// APIError is a failure reported by weiling: a non-2xx status, a business code
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

// Business codes of the {code,msg,data} envelope (全局异常码 plus the codes
// third-party code shows). Branch on APIError.Code, never on the message.
// How the SDK treats them:
//
//   - 403 and 1007 match ErrInvalidToken (403 also ErrPermission): weiling
//     documents no "token invalid" code, so on these the SDK drops the
//     cached token (only if it is still the cached one), fetches a new one
//     once for all concurrent callers and replays the call once. A token
//     fetched to replace a refused one and refused again is kept: the code
//     then means "no permission", and an endpoint that always refuses costs
//     at most one extra token request.
//   - 500 (服务繁忙) is like HTTP 503: queries and updates are retried with
//     backoff; a create is not, and matches ErrAmbiguous.
//   - 1009 and 1015 match ErrRateLimited and are retried (creates too: a
//     throttled call was not applied).
//   - 1000, 1001, 1011, 1012, 1013, 1014 match ErrInvalidParam; 1002, 1004
//     ErrDuplicate; 1003, 3000 ErrNotFound; 501, 1008 ErrPermission.
//   - 1006 ends a cursor list: ListContacts and ListClues return a last,
//     empty page, not an error.
const (
	CodeOK              = "0"    // success
	CodeNoPermission    = "403"  // 无访问权限: treated as an invalid token
	CodeBusy            = "500"  // 服务繁忙，请稍后重试 (third-party)
	CodeBadApp          = "501"  // app_id或app_secret不合法 (third-party)
	CodeMissingParam    = "1000" // 参数缺失
	CodeInvalidParam    = "1001" // 不合法的参数
	CodeExists          = "1002" // 数据已存在
	CodeNotExist        = "1003" // 数据不存在
	CodeRepeated        = "1004" // 重复操作
	CodeFailed          = "1005" // 操作失败
	CodeEndOfData       = "1006" // 数据加载完毕: the end of a cursor list, not an error for iterators
	CodeIllegalAccess   = "1007" // 非法访问: treated as an invalid token
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

// classify maps a business code to the sentinels it matches (the code
// table above). ErrRateLimited makes the call retried; core.ErrVendorBusy
// makes it behave like HTTP 503.
func classify(code string) []error {
	switch code {
	case CodeBusy:
		return []error{core.ErrVendorBusy}
	case CodeNoPermission:
		return []error{core.ErrInvalidToken, core.ErrPermission}
	case CodeIllegalAccess:
		return []error{core.ErrInvalidToken}
	case CodeRateLimited, CodeRateLimited2:
		return []error{core.ErrRateLimited}
	case CodeMissingParam, CodeInvalidParam, CodeBadBody, CodeTooMuchData, CodeBadValue, CodeBadCursor:
		return []error{core.ErrInvalidParam}
	case CodeExists, CodeRepeated:
		return []error{core.ErrDuplicate}
	case CodeNotExist, CodeCustomerMissing:
		return []error{core.ErrNotFound}
	case CodeIPBlocked, CodeBadApp:
		return []error{core.ErrPermission}
	}
	return nil
}

// envelope is {"code":0,"msg":"success","data":{…}}; code is a number on
// some pages and a string on others. data goes straight into the caller's
// result.
type envelope struct {
	Code *flex.String `json:"code"`
	Msg  String       `json:"msg"`
	Data any          `json:"data"`
}

func newEnvelope(out any) core.Envelope { return &envelope{Data: core.Payload(out)} }

var errNotEnvelope = errors.New("weiling: response is not a {code,msg,data} envelope")

// Outcome implements core.Envelope: code 0 (number or string) is success.
func (e *envelope) Outcome() (core.Outcome, error) {
	if e.Code == nil {
		return core.Outcome{}, errNotEnvelope
	}
	code := strings.TrimSpace(string(*e.Code))
	if code == "" {
		return core.Outcome{}, errNotEnvelope
	}
	return core.Outcome{OK: code == CodeOK, Code: code, Message: string(e.Msg)}, nil
}

// isEndOfData reports whether err is weiling's "all data loaded" answer.
func isEndOfData(err error) bool {
	var apiErr *core.APIError
	return errors.As(err, &apiErr) && apiErr.Code == CodeEndOfData
}
