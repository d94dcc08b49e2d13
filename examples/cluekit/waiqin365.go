package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cluekit/cluekit/waiqin365"
	"github.com/cluekit/cluekit/waiqin365/waiqin365test"
)

// wqFakePushSecret is the push secret of -fake (the fake defines none):
// a test value, to configure a local push handler with.
const wqFakePushSecret = "cluekit-fake-push-secret"

// wqCheckCode is the lead code check queries: any answer, an empty page
// included, proves the openid and the digest were accepted.
const wqCheckCode = "cluekit-check"

func init() {
	register(&vendorDef{
		name:       "waiqin365",
		title:      "勤策 / 外勤365 OpenAPI",
		apiVars:    []string{"WAIQIN365_OPENID", "WAIQIN365_APP_KEY"},
		baseVar:    "WAIQIN365_BASE_URL",
		extraVars:  []string{"WAIQIN365_PUSH_SECRET"},
		secretVars: []string{"WAIQIN365_APP_KEY", "WAIQIN365_PUSH_SECRET"},
		idLabel:    "openid",
		defaultURL: waiqin365.DefaultBaseURL,
		auth:       "signed, no token: POST {base}/api/{module}/{version}/{operation}/{openid}/{timestamp}/{digest}/{msg_id}\nwith digest = md5(body|appkey|timestamp)",
		connect:    wqConnect,
		doExample:  []string{"POST", "/api/salesleads/v1/querySalesLeads", `{"code":"CK001","page":1,"pageSize":10}`},
		callback: &callbackDef{
			what:         "push (推送)",
			vars:         []string{"WAIQIN365_PUSH_SECRET"},
			fakeVals:     map[string]string{"WAIQIN365_PUSH_SECRET": wqFakePushSecret},
			defaultEvent: "waiqin365_push_sales_leads_follow_data.json",
			eventHelp: "the push's data as a JSON object (its dataType is -type, default salesLeads_follow),\n" +
				"or a whole push form as 勤策 posts it (msgId=...&dataType=...&data=...&timestamp=...): its fields\n" +
				"are kept, the timestamp is set to now and the digest recomputed (e.g. the vendor's example,\n" +
				"examples/cluekit/testdata/waiqin365_push_custom_form.txt).",
			auth: "a form POST signed with digest = md5(data|WAIQIN365_PUSH_SECRET|timestamp)",
			flags: func(fs *flag.FlagSet, o *sendOptions) {
				fs.StringVar(&o.dataType, "type", waiqin365.DataTypeSalesLeadsFollow, "dataType of the push when -event is a JSON data object (salesLeads_follow, employee, custom, ...)")
			},
			send: wqSendPush,
			ack:  wqAck,
		},
		sign: wqSign,
	})
}

func wqConnect(s *session) (*conn, error) {
	openID, appKey, base, err := s.credentials(func() startedFake {
		srv := waiqin365test.NewServer()
		return startedFake{waiqin365test.DefaultOpenID, waiqin365test.DefaultAppKey, srv.URL, []string{waiqin365test.DefaultAppKey}, srv.Close}
	})
	if err != nil {
		return nil, err
	}
	opts, _, _ := s.clientOptions(base, waiqin365.DefaultBaseURL, false)
	c, err := waiqin365.New(openID, appKey, opts...)
	if err != nil {
		return nil, s.newClientError(err)
	}
	return &conn{
		baseURL: c.BaseURL(),
		appID:   openID,
		do:      c.Do,
		check: func(ctx context.Context, r report) error {
			start := time.Now()
			page, err := c.QuerySalesLeads(ctx, &waiqin365.QuerySalesLeadsRequest{Code: wqCheckCode, Page: 1, PageSize: 1})
			took := time.Since(start).Round(time.Millisecond)
			attempts, _ := s.counts()
			if err == nil {
				r.row("check", "signed querySalesLeads answered (code %s, page 1 of size 1: %s);\nthe openid and the digest were accepted", wqCheckCode, plural(len(page.Leads), "lead"))
			}
			r.row("latency", "%s (%s)", took, plural(attempts, "attempt"))
			if err != nil {
				return err
			}
			r.row("expires", "nothing to expire: 勤策 has no tokens, every call is signed with the appkey")
			return nil
		},
	}, nil
}

// wqPushForm builds the signed push form of a delivery.
func wqPushForm(d *delivery) (url.Values, error) {
	secret := d.vals["WAIQIN365_PUSH_SECRET"]
	ev := bytes.TrimSpace(d.event)
	if len(ev) > 0 && ev[0] == '{' {
		var compact bytes.Buffer
		if err := json.Compact(&compact, ev); err != nil {
			return nil, usagef("%s: the event (%s) is not valid JSON: %v", d.s.where, d.eventName, err)
		}
		if d.opts.dataType == "" {
			return nil, usagef("%s: -type must not be empty", d.s.where)
		}
		return waiqin365test.NewPushForm(secret, d.opts.dataType, json.RawMessage(compact.Bytes()))
	}
	form, err := url.ParseQuery(string(ev))
	if err != nil || form.Get("data") == "" || form.Get("dataType") == "" {
		return nil, usagef("%s: the event (%s) is neither a JSON data object nor a push form with data and dataType", d.s.where, d.eventName)
	}
	form.Set("timestamp", strconv.FormatInt(time.Now().UnixMilli(), 10))
	waiqin365test.SignPushForm(form, secret)
	return form, nil
}

func wqSendPush(ctx context.Context, d *delivery) error {
	form, err := wqPushForm(d)
	if err != nil {
		return err
	}
	return d.post(ctx, d.target, "application/x-www-form-urlencoded", []byte(form.Encode()))
}

// wqAck: 勤策 expects HTTP 200 with {"return_code":0,...} within 5 s.
func wqAck(d *delivery, ex *exchange) error {
	if err := ack2xx(d, ex); err != nil {
		return err
	}
	var ack struct {
		ReturnCode json.RawMessage `json:"return_code"`
	}
	if json.Unmarshal(ex.respBody, &ack) != nil || strings.Trim(string(ack.ReturnCode), `"`) != "0" {
		return fmt.Errorf("HTTP %d but not the documented acknowledgement {\"return_code\":0,...}: %s", ex.status, oneLine(ex.respBody))
	}
	return nil
}

var wqOpPath = regexp.MustCompile(`^/api/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$`)

// wqSign prints the request digest (or, with -push, a push digest) with
// the secret masked.
func wqSign(s *session, args []string) error {
	fs := s.newFlags("sign", fakeCreds, func() string { return wqSignHelp })
	body := fs.String("body", "{}", "the request body exactly as sent: text, @file or - (standard input); with -push, the push's data")
	ts := fs.String("timestamp", "", "the timestamp: yyyyMMddHHmmss in UTC+8 as in the URL (with -push: the 13-digit epoch-ms timestamp field); default now")
	path := fs.String("path", "", "optional operation path /api/{module}/{version}/{operation}: prints the full signed URL")
	msgID := fs.String("msg-id", "", "the msg_id of the URL (with -path; default a new one)")
	push := fs.Bool("push", false, "compute a push digest md5(data|pushsecret|timestamp) with WAIQIN365_PUSH_SECRET instead")
	pos, err := s.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("%s takes no arguments (got %q); the body is given with -body", s.where, pos[0])
	}
	if *path != "" && !wqOpPath.MatchString(*path) {
		return usagef("%s: -path %q is not /api/{module}/{version}/{operation}", s.where, *path)
	}
	raw, err := s.readArg("-body", *body)
	if err != nil {
		return err
	}
	if *push {
		return wqSignPush(s, raw, *ts)
	}
	var openID, appKey, base, from string
	if s.fake {
		openID, appKey, base = waiqin365test.DefaultOpenID, waiqin365test.DefaultAppKey, waiqin365.DefaultBaseURL
		from = "the fake's default, the vendor doc's example appkey"
		s.sc.add(appKey)
	} else {
		vals, err := s.need(s.v.apiVars...)
		if err != nil {
			return err
		}
		openID, appKey, base, from = vals["WAIQIN365_OPENID"], vals["WAIQIN365_APP_KEY"], s.optional(s.v.baseVar), "WAIQIN365_APP_KEY"
		if base == "" {
			base = waiqin365.DefaultBaseURL
		}
	}
	stamp := *ts
	if stamp == "" {
		stamp = waiqin365.FormatTimestamp(time.Now())
	}
	digest := waiqin365.Digest(raw, appKey, stamp)
	r := report{s.out}
	r.row("vendor", "%s (%s): request digest", s.v.name, s.v.title)
	r.row("recipe", "digest = lowercase hex MD5( UTF-8( body + \"|\" + appkey + \"|\" + timestamp ) )\nover the exact body bytes sent; msg_id and openid are not part of it")
	r.row("openid", "%s", openID)
	r.row("appkey", "%s (%d characters, %s)", mask, utf8.RuneCountInString(appKey), from)
	r.row("timestamp", "%s%s", stamp, wqTimestampNote(stamp, 14, "yyyyMMddHHmmss"))
	r.row("body", "%s", bodyFacts(raw))
	signedString(r, string(raw)+"|"+mask+"|"+stamp)
	r.row("digest", "%s", digest)
	if *path != "" {
		id := *msgID
		if id == "" {
			id = waiqin365.NewMsgID()
		}
		r.row("URL", "POST %s%s/%s/%s/%s/%s", strings.TrimRight(base, "/"), *path, url.PathEscape(openID), url.PathEscape(stamp), digest, url.PathEscape(id))
	}
	r.row("note", "the digest authorises this body at this timestamp: share it with 勤策 support only")
	return nil
}

func wqSignPush(s *session, data []byte, ts string) error {
	var secret, from string
	if s.fake {
		secret, from = wqFakePushSecret, "the -fake test value"
		s.sc.add(secret)
	} else {
		vals, err := s.need("WAIQIN365_PUSH_SECRET")
		if err != nil {
			return err
		}
		secret, from = vals["WAIQIN365_PUSH_SECRET"], "WAIQIN365_PUSH_SECRET"
	}
	if ts == "" {
		ts = strconv.FormatInt(time.Now().UnixMilli(), 10)
	}
	digest := waiqin365.PushDigest(string(data), secret, ts)
	r := report{s.out}
	r.row("vendor", "%s (%s): push digest", s.v.name, s.v.title)
	r.row("recipe", "digest = lowercase hex MD5( data + \"|\" + pushsecret + \"|\" + timestamp )\nover the URL-decoded data and timestamp fields as received")
	r.row("pushsecret", "%s (%d characters, %s)", mask, utf8.RuneCountInString(secret), from)
	r.row("timestamp", "%s%s", ts, wqTimestampNote(ts, 13, "epoch milliseconds"))
	r.row("data", "%s", bodyFacts(data))
	signedString(r, string(data)+"|"+mask+"|"+ts)
	r.row("digest", "%s", digest)
	return nil
}

func wqTimestampNote(ts string, digits int, layout string) string {
	if len(ts) == digits && strings.Trim(ts, "0123456789") == "" {
		return ""
	}
	return fmt.Sprintf("  (note: 勤策 documents %d digits, %s; signed as given)", digits, layout)
}

// bodyFacts describes signed bytes: size, SHA-256 (to compare with what
// was sent), and anything easy to miss.
func bodyFacts(b []byte) string {
	sum := sha256.Sum256(b)
	facts := fmt.Sprintf("%d bytes, SHA-256 %x", len(b), sum)
	switch {
	case len(b) == 0:
		facts += " (empty)"
	case !json.Valid(b):
		facts += "\n(not valid JSON: signed as is)"
	}
	if bytes.HasSuffix(b, []byte("\n")) {
		facts += "\n(ends with a newline, which is signed too)"
	}
	return facts
}

// signedString prints the string that was hashed, secrets masked, and a
// quoted form when it holds characters that do not show.
func signedString(r report, s string) {
	r.row("signed string", "%s", s)
	if strings.ContainsAny(s, "\n\r\t") || strings.TrimSpace(s) != s {
		r.row("(quoted)", "%q", s)
	}
}

var wqSignHelp = `Usage: ` + prog + ` waiqin365 sign [-fake] [-body BODY] [-timestamp yyyyMMddHHmmss] [-path PATH [-msg-id ID]]
       ` + prog + ` waiqin365 sign -push [-fake] -body DATA [-timestamp EPOCH_MS]

Prints, for a support ticket about a digest mismatch, the exact string 勤策 hashes with the
appkey masked as ` + mask + `, and the resulting digest:

  digest = lowercase hex MD5( body + "|" + appkey + "|" + timestamp )

over the exact bytes of the body sent (no re-encoding: give the body exactly as your
program sent it). With -path it also prints the signed URL
{base}/api/{module}/{version}/{operation}/{openid}/{timestamp}/{digest}/{msg_id}.
With -push it computes a push digest md5(data|pushsecret|timestamp) instead.

Needs WAIQIN365_OPENID and WAIQIN365_APP_KEY (-push: WAIQIN365_PUSH_SECRET), or -fake
(the fake's credentials: the vendor doc's example openid and appkey).

Examples:
  ` + prog + ` waiqin365 sign -fake -body '{"a":1}' -timestamp 20240102150405
  # the vendor's worked example (digest 74267bf0cae0998a719879ec9b3c7780):
  ` + prog + ` waiqin365 sign -fake -timestamp 20150806142836 -path /api/organization/v1/addOrganization -msg-id ORG00001 \
      -body '{"org_id":"ORG001","org_name":"南京掌控网络","org_parent_id":"","org_sequence":001}'
  WAIQIN365_OPENID=... WAIQIN365_APP_KEY=... ` + prog + ` waiqin365 sign -body @request.json -timestamp 20240102150405
  WAIQIN365_PUSH_SECRET=... ` + prog + ` waiqin365 sign -push -body @data.json -timestamp 1569404987248
`
