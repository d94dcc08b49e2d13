// Package wshoto is a client for the 微盛·企微管家 (wshoto) OpenAPI: access
// tokens, clues (线索), clue pools (线索池), follow-up records (跟进记录) and
// the notify envelope.
//
// Protocol, in brief:
//
//   - Token: GET /openapi/access_token?appid=APPID&app_secret=SECRET answers
//     {"code":0,"data":{"access_token","expires_in","create_at"}}. The SDK
//     caches it (key "wshoto:"+appID, in a TokenStore), fetches once for all
//     concurrent callers, and refreshes it before create_at + expires_in.
//   - Calls: POST /openapi/... with a JSON body and ?access_token=... in the
//     query. There is no request signature. The token is never written to
//     errors or logs (transport errors are stripped of their URL).
//   - Envelope: {"code":0,"msg":"请求成功","data":…,"sub_code":"00000"}. Any
//     code other than 0 is an error, and so is a present sub_code other than
//     "00000"; the codes are kept verbatim in APIError.Code.
//   - IDs: clue and pool ids are 19-digit longs sent as bare JSON numbers
//     (type NumericID); ids wshoto sends as strings are type ID (encoded as
//     a JSON string). Neither ever passes through float64.
//   - Times: wshoto mixes seconds and milliseconds (type Time): values
//     above 1e12 are read as milliseconds. EditClueRequest.Birthday is sent
//     in seconds, the unit of the field table (the vendor's example uses
//     milliseconds: BirthdayInMillis).
//
// Unknowns and the safe defaults chosen here:
//
//   - No error-code table is published. Codes 10001, 10010 and 10011 (seen in
//     third-party clients) are treated as an invalid token: the cached token
//     is dropped only if it is still the cached one, a new one is fetched
//     once, and the call is replayed once. Other codes map to no sentinel.
//   - clue/edit clears optional fields sent empty, and edits every field when
//     update_specified_fields is absent. EditClueRequest uses pointers for
//     optional fields (ClearWorkID and ClearEncryptFlag to clear the two
//     integers) and always sends a non-empty update_specified_fields
//     listing exactly the keys being changed.
//   - A token fetched to replace a refused one and refused again is kept:
//     an endpoint that always answers 10001 costs at most one extra token
//     request per token lifetime (wshoto throttles its token endpoint).
//   - clue/page documents no total: AllClues stops at the first short page.
//   - clue/batch/return reports refused clues in result_items: the call
//     returns its result and a *BatchError listing them.
//   - Creating, deleting, transferring or assigning clues has no documented
//     endpoint; use Client.Do for endpoints the SDK does not type.
//   - Notify delivery security, reply and retries are undocumented: only
//     ParseNotify is offered. Authenticate deliveries yourself (secret URL
//     path, IP allow-list) and deduplicate on Notify.DedupeKey (message_id).
//   - No way to delete a clue pool is documented.
//
// Creates whose answer is lost: a create whose outcome is unknown
// (ErrAmbiguous) is resolved, where a natural key allows it, into a success
// with Resolved set:
//
//	create            natural key     how it is resolved
//	CreateCluePool    clue_pool_name  names are not documented unique: cluepool/list by
//	                                  name before the create (one extra read per create),
//	                                  and after the failure the one new pool of that name
//	                                  with the settings sent
//	CreateFollow      none            not resolved (ErrAmbiguous): a follow-up record has
//	                                  no key of the caller's
//	BatchReturnClues  none            not resolved (ErrAmbiguous): it creates no record;
//	                                  it is treated as a create because it is not
//	                                  idempotent (recovery_num grows by one per return)
//	Do                none            not resolved (ErrAmbiguous)
//
// The wshototest package is an in-memory fake of this API for tests.
package wshoto
