// Package weiling is a client for the OpenAPI of 卫瓴·协同CRM (Shanghai
// Weiling): access tokens, the 联系人 (contact) APIs, the 线索 (clue) APIs the
// vendor marks 即将废弃 (deprecated), and encrypted event callbacks.
//
// Protocol, in brief:
//
//   - Token: GET /openapi/auth/access_token/get?app_id=&app_secret= answers
//     data.access_token. It is cached under "weiling:"+appID for expires_in
//     seconds when the answer has one, else 2 hours (the vendor documents no
//     lifetime), refreshed a little before, and fetched once for all
//     concurrent callers. Every call carries it as the access_token query
//     parameter, POSTs included (JSON bodies).
//   - Envelope: {"code":0,"msg":"success","data":{…}}; code arrives as a
//     number or a string, 0 is success, anything else an *APIError with the
//     code verbatim (see the Code... constants and the sentinels). Batch
//     endpoints can succeed as a whole while items fail: their fail_list is
//     returned in BatchResult.Failed together with a *BatchError holding
//     the same items (id, code, message).
//   - Objects are decoded once: typed fields and the members the SDK does
//     not type (kept verbatim in Extra) in the same pass.
//   - Lists page with an opaque cursor; code 1006 (数据加载完毕) ends a list,
//     and the All... iterators treat it as the end, not an error.
//   - Callbacks are WeCom-style: msg_signature = SHA-1 of the sorted Token,
//     timestamp, nonce and ciphertext; the message is AES-256-CBC encrypted
//     with the EncodingAESKey (Sign, Encrypt, Decrypt, NewCallbackHandler,
//     which answers "success" only after your function returned nil).
//
// Unknowns and the safe defaults chosen (see the vendor notes):
//
//   - No "token invalid" code is documented. On 403 (无访问权限) and 1007
//     (非法访问) the SDK drops the cached token if it is still the cached one,
//     fetches a new one once for all callers and replays the call once; the
//     error keeps the code verbatim.
//   - Business code 500 (服务繁忙，请稍后重试) is retried with backoff for
//     queries and updates; for creates it is not retried and matches
//     ErrAmbiguous.
//   - contact/disuse is documented with the key "contatc_ids" and is sent
//     so; WithDisuseContactIDsKey sends "contact_ids" instead.
//     contact/owner_change sends operator_user_id as the vendor's example
//     does. contact/list always sends start_day and end_day.
//   - The answer of contact/create is not documented: CreateContactResult
//     has the id only if the answer carries one.
//   - clue/create's body and the paths of the public-pool and
//     find-by-contact-way lookups are not documented: call them with Do.
//   - Callbacks: a number change_type is kept as its text; the header
//     timestamp is read from time_stamp or timestamp; the trailing id after
//     the decrypted message is returned but never checked; event types the
//     catalogue does not name are handed over raw.
//
// The weilingtest package is an in-memory fake of the API for tests,
// including callback delivery.
package weiling
