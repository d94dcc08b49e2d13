// Package waiqin365 is a typed client for the sales-lead (销售线索, module
// salesleads) API of 勤策 / 外勤365 (Qince / waiqin365) OpenAPI, including the
// aPaaS variants, and a receiver for its pushes (推送).
//
// # Protocol
//
// Every call is a POST of a UTF-8 JSON body to
//
//	{base}/api/{module}/{version}/{operation}/{openid}/{timestamp}/{digest}/{msg_id}
//
// where timestamp is yyyyMMddHHmmss in Asia/Shanghai, msg_id is a fresh
// 32-hex id, and digest is the lower-case hex MD5 of body + "|" + appkey +
// "|" + timestamp over the exact bytes sent (see [Digest]). There is no access
// token. The client signs every attempt afresh; a call without parameters
// sends {}. The default base is https://openapi.waiqin365.com; tenants on
// other clouds pass their 【OpenAPI地址】 with [WithBaseURL].
//
// The answer is {"return_code","return_msg","msg_id","response_data"}:
// return_code arrives as the string "0" or a number, success is "0", and
// anything else is an [*APIError] carrying the code verbatim (Code), the
// return_msg (Message) and the echoed msg_id, or the one the last attempt
// sent when the answer echoed none (RequestID). response_data
// is null for writes and, for queries, a JSON string holding a JSON array;
// its contents are decoded straight into the result (plain JSON, and an
// object holding the rows in "rows", are accepted too). Operations the SDK
// does not type are called with [Client.Do].
//
// # Unknowns and the defaults chosen
//
//   - The error-code appendix is not published: only "0" (success) and "1"
//     (failure) are known, so no code maps to a sentinel and no business code
//     is retried. HTTP 429/502/503/504 and transport failures before the
//     request was written are retried; creates ([Client.AddSalesLeads],
//     [Client.AddSalesLeadsForApaas], [Client.Do]) are never retried once
//     the request may have reached the server and then fail with
//     [ErrAmbiguous], unless the lead is read back by its code (below).
//   - Only the documented rules are checked client-side (owner or pool on
//     add, the aPaaS allocation_status rule, id or code on modify/remove, at
//     least one query condition). Everything else is left to the server.
//   - The docs disagree with themselves on a few spellings and shapes
//     (remove_result/removed_result, labels/salesleads_label, sort as a
//     list or sorts as an object, exts as a list or a map, query_group as a
//     list or one object). Each documented form can be sent: through typed
//     fields (Sort and Sorts; Exts and ExtList or ExtMap; QueryGroup) or,
//     for the example's single query_group object, through the Extra map
//     every request has for anything else.
//   - Create calls do not return the new lead's id: query by code.
//   - The push digest is md5(data|pushsecret|timestamp) as documented; its
//     byte details are inferred (the URL-decoded values, lower-case hex).
//     The push content type is not documented either: a form body (the
//     example), the same fields as URL query parameters, and a JSON object
//     body are all accepted ([PushFields]). Unknown push data types are
//     delivered with their raw JSON.
//
// # Creates whose answer is lost
//
// A create whose outcome is unknown (ErrAmbiguous) is read back by the code
// the caller chose, and returned as a success with Resolved set when the
// lead found is the one sent:
//
//	create                 natural key  how it is resolved
//	AddSalesLeads          code         querySalesLeads by code after the failure; code is
//	                                    documented unique, so the lead under it with the
//	                                    content sent, created since the call began, is
//	                                    ours (no extra cost)
//	AddSalesLeadsForApaas  code         its table does not say a duplicate code is refused:
//	                                    querySalesLeadsForApaas by code before the create (one
//	                                    extra read per create with a code), and after the
//	                                    failure the one new lead under it with the content sent
//	Do                     none         not resolved (ErrAmbiguous)
//
// Without a code (勤策 then generates one) neither add is resolved.
//
// The fake server in package waiqin365test speaks this protocol in memory
// for tests and examples.
package waiqin365
