// Package jing is a client for the 径硕科技 (JINGdigital) open platform
// (开放接口-V1, https://jingopenapi.jingsocial.com): OAuth tokens with a
// rotating refresh token, batch user creation (which creates leads), and the
// lead webhooks.
//
// Protocol:
//   - Tokens: POST /v1/oauth2/token {"app_id","app_secret"} (path inferred,
//     see WithTokenPath) and POST /v1/oauth2/token/refresh
//     {"app_id","app_secret","refresh_token"} both return data{access_token,
//     refresh_token, scope, token_type, expires_in}. expires_in is taken as
//     the remaining seconds at receipt. A refresh token lives 30 days, and a
//     refresh or a get-token kills the previous one, so the client keeps the
//     pair together (one TokenStore.Set), refreshes once at a time per app,
//     always stores the newest pair, and falls back to get-token when the
//     refresh is rejected or the refresh token is older than 30 days.
//   - Calls: POST with a JSON body and two headers, app_id and access_token
//     (not Authorization). There is no request signature.
//   - Envelope: {request_id, code, msg, data}; code 0 (a number or a
//     string) is success. Any other code is an *APIError with Code verbatim
//     and RequestID = request_id. HTTP 429 is retried.
//   - Batch creation: data{success[], failure[]}; refused users come back as
//     a *BatchError together with the result.
//   - Webhooks: JSON {mid, event_category, event_type, action_keyword,
//     create_time (epoch seconds), openplatform, extra_data}. mapping_data
//     values are [after] on create and [before, after] on update; the
//     vendor's PHP backend sends an empty mapping_data as [] (or null).
//
// Unknown, with the safe default used here:
//   - The code table: no code means "token invalid" unless named with
//     WithInvalidTokenCodes (until then ErrInvalidToken is never returned);
//     tokens are renewed before expires_in runs out. No code means "rate
//     limited"; no client-side limiter unless WithRateLimit. ErrSignature is
//     never returned (nothing is signed).
//   - The lead-management endpoints (线索创建/更新/查询 ...): not typed; use
//     CreateUsers for lead intake and Do for anything else.
//   - Webhook signature, acknowledgement, retries and event id: none known.
//     NewWebhookHandler requires a shared secret in the URL query
//     (WithWebhookSecret) unless told WithoutAuthentication, offers a tenant
//     check, acknowledges only after the function succeeded, and dedupes on
//     Event.DedupeKey (WithDeduper).
//
// The jingtest sub-package is an in-memory fake of the platform for tests.
package jing
