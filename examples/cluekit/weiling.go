package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"

	"github.com/cluekit/cluekit/weiling"
	"github.com/cluekit/cluekit/weiling/weilingtest"
)

func init() {
	register(&vendorDef{
		name:       "weiling",
		title:      "卫瓴·协同CRM OpenAPI",
		apiVars:    []string{"WEILING_APP_ID", "WEILING_APP_SECRET"},
		baseVar:    "WEILING_BASE_URL",
		extraVars:  []string{"WEILING_CALLBACK_TOKEN", "WEILING_ENCODING_AES_KEY"},
		secretVars: []string{"WEILING_APP_SECRET", "WEILING_CALLBACK_TOKEN", "WEILING_ENCODING_AES_KEY"},
		idLabel:    "app id",
		defaultURL: weiling.DefaultBaseURL,
		auth:       "access token (GET /openapi/auth/access_token/get with app_id and app_secret), sent as\n?access_token= on every call; calls are not signed",
		connect:    weilingConnect,
		doExample:  []string{"POST", "/openapi/contact/batch", `{"contact_ids":["Rw4Ed-aep4uP1_NPBh-SQ8SVxOpdHyLIPu2y_0Jr3bw"]}`},
		callback: &callbackDef{
			what:    "encrypted event callback",
			vars:    []string{"WEILING_CALLBACK_TOKEN", "WEILING_ENCODING_AES_KEY"},
			optVars: []string{"WEILING_APP_ID"},
			fakeVals: map[string]string{
				"WEILING_CALLBACK_TOKEN":   weilingtest.DefaultCallbackToken,
				"WEILING_ENCODING_AES_KEY": weilingtest.DefaultEncodingAESKey,
				"WEILING_APP_ID":           weilingtest.DefaultAppID,
			},
			defaultEvent: "weiling_clue_update.json",
			eventHelp: "the decrypted message as weiling builds it, JSON:\n" +
				"{\"header\":{\"event_type\",\"time_stamp\",\"to_app\"},\"event\":{...}}. It is encrypted and signed here,\n" +
				"with WEILING_APP_ID (if set) as to_app and as the id appended to the message.",
			auth: "POST {\"to_app\",\"encrypt_msg\"}: the message AES-256-CBC encrypted with\n" +
				"WEILING_ENCODING_AES_KEY, ?msg_signature = sha1(sorted WEILING_CALLBACK_TOKEN, timestamp,\n" +
				"nonce, encrypt_msg) &timestamp &nonce; weiling expects the answer \"success\" within 1 s",
			flags: func(fs *flag.FlagSet, o *sendOptions) {
				fs.BoolVar(&o.checkURL, "check-url", false, "run weiling's URL check instead (a GET with an encrypted echostr, which the endpoint must decrypt and echo), as the console does when the URL is saved")
			},
			send: weilingSend,
			ack:  weilingAck,
		},
		decode: weilingDecode,
		noSign: "weiling calls are not signed: each carries an access token (?access_token=...) obtained with\n" +
			"WEILING_APP_ID and WEILING_APP_SECRET ('" + prog + " weiling check' shows whether that works).\n" +
			"Its callbacks are signed: 'weiling callback decode' verifies a captured one.",
	})
}

func weilingConnect(s *session) (*conn, error) {
	appID, secret, base, err := s.credentials(func() startedFake {
		srv := weilingtest.NewServer()
		return startedFake{srv.AppID, srv.AppSecret, srv.URL, []string{srv.AppSecret, srv.CallbackToken, srv.EncodingAESKey}, srv.Close}
	})
	if err != nil {
		return nil, err
	}
	opts, base, rec := s.clientOptions(base, weiling.DefaultBaseURL, true)
	c, err := weiling.New(appID, secret, opts...)
	if err != nil {
		return nil, s.newClientError(err)
	}
	return &conn{
		baseURL: base,
		appID:   appID,
		do:      c.Do,
		check: func(ctx context.Context, r report) error {
			return s.tokenCheck(ctx, r, c.AccessToken, rec,
				"weiling documents no token lifetime: without expires_in in its answer the SDK assumes 2 h")
		},
	}, nil
}

// weilingSender is the fake's delivery helper, sending through the
// delivery's recording client.
func weilingSender(d *delivery) (*weilingtest.Sender, error) {
	key := d.vals["WEILING_ENCODING_AES_KEY"]
	if err := weiling.CheckEncodingAESKey(key); err != nil {
		return nil, usagef("%s: WEILING_ENCODING_AES_KEY is not a usable EncodingAESKey (43 letters and digits, as the console shows it): %v", d.s.where, err)
	}
	return &weilingtest.Sender{
		Token:          d.vals["WEILING_CALLBACK_TOKEN"],
		EncodingAESKey: key,
		AppID:          d.vals["WEILING_APP_ID"],
		Client:         d.client,
	}, nil
}

func weilingSend(ctx context.Context, d *delivery) error {
	sender, err := weilingSender(d)
	if err != nil {
		return err
	}
	if d.opts.checkURL {
		d.eventName = "none: the URL check (GET with an encrypted echostr)"
		return ignoreNotAcknowledged(sender.VerifyURL(ctx, d.target))
	}
	if _, err := weiling.ParseEvent(d.event); err != nil {
		fmt.Fprintf(d.s.errw, "warning: the event is not a message the SDK can parse (%v); sent as is\n", err)
	}
	return ignoreNotAcknowledged(sender.Deliver(ctx, d.target, d.event))
}

// ignoreNotAcknowledged: the answer is judged by weilingAck, which prints
// why; other errors (no answer) are kept.
func ignoreNotAcknowledged(err error) error {
	if errors.Is(err, weilingtest.ErrNotAcknowledged) {
		return nil
	}
	return err
}

// weilingAck: a delivery is acknowledged by HTTP 200 "success"; the URL
// check by HTTP 200 and the echostr's plaintext.
func weilingAck(d *delivery, ex *exchange) error {
	expect := weiling.CallbackAck
	if ex.method == "GET" {
		u, err := url.Parse(ex.url)
		if err != nil {
			return err
		}
		plain, _, err := weiling.Decrypt(d.vals["WEILING_ENCODING_AES_KEY"], u.Query().Get("echostr"))
		if err != nil {
			return err
		}
		expect = string(plain)
	}
	if ex.status != 200 || strings.TrimSpace(string(ex.respBody)) != expect {
		return fmt.Errorf("HTTP %d %q, want HTTP 200 %q", ex.status, oneLine(ex.respBody), expect)
	}
	return nil
}

// weilingDecode verifies and decrypts a captured callback delivery.
func weilingDecode(s *session, args []string) error {
	fs := s.newFlags("callback decode", fakeSecrets, func() string { return weilingDecodeHelp })
	query := fs.String("query", "", "the delivery's query string, or its whole URL (msg_signature, timestamp, nonce and, for a URL check, echostr)")
	sig := fs.String("msg-signature", "", "msg_signature query parameter (overrides -query)")
	ts := fs.String("timestamp", "", "timestamp query parameter (overrides -query)")
	nonce := fs.String("nonce", "", "nonce query parameter (overrides -query)")
	echostr := fs.String("echostr", "", "echostr query parameter of a GET URL check (overrides -query); then no body is read")
	bodyArg := fs.String("body", "-", "the POST body {\"to_app\",\"encrypt_msg\"} (or the bare encrypt_msg): a file, or - for standard input")
	pos, err := s.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("%s takes no arguments (got %q); give the body with -body FILE", s.where, pos[0])
	}
	params := url.Values{}
	if *query != "" {
		q := *query
		if i := strings.IndexByte(q, '?'); i >= 0 {
			q = q[i+1:]
		}
		if params, err = url.ParseQuery(q); err != nil {
			return usagef("%s: -query is not a query string: %v", s.where, err)
		}
	}
	for name, v := range map[string]string{"msg_signature": *sig, "timestamp": *ts, "nonce": *nonce, "echostr": *echostr} {
		if v != "" {
			params.Set(name, v)
		}
	}
	var missing []string
	for _, name := range []string{"msg_signature", "timestamp", "nonce"} {
		if params.Get(name) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return usagef("%s: missing %s: give the delivery's query with -query (or -msg-signature, -timestamp, -nonce)", s.where, strings.Join(missing, ", "))
	}
	var token, key string
	if s.fake {
		token, key = weilingtest.DefaultCallbackToken, weilingtest.DefaultEncodingAESKey
		s.sc.add(token, key)
	} else {
		vals, err := s.need("WEILING_CALLBACK_TOKEN", "WEILING_ENCODING_AES_KEY")
		if err != nil {
			return err
		}
		token, key = vals["WEILING_CALLBACK_TOKEN"], vals["WEILING_ENCODING_AES_KEY"]
	}
	if err := weiling.CheckEncodingAESKey(key); err != nil {
		return usagef("%s: WEILING_ENCODING_AES_KEY is not a usable EncodingAESKey: %v", s.where, err)
	}

	urlCheck := params.Get("echostr") != ""
	var encrypt, toApp string
	if urlCheck {
		encrypt = params.Get("echostr")
	} else {
		arg := *bodyArg
		if arg != "-" {
			arg = "@" + arg
		}
		raw, err := s.readArg("-body", arg)
		if err != nil {
			return err
		}
		raw = bytes.TrimSpace(raw)
		var body struct {
			ToApp      string `json:"to_app"`
			EncryptMsg string `json:"encrypt_msg"`
		}
		switch {
		case len(raw) == 0:
			return usagef("%s: the body is empty: give the captured POST body with -body FILE (or on standard input)", s.where)
		case raw[0] == '{':
			if err := json.Unmarshal(raw, &body); err != nil || body.EncryptMsg == "" {
				return fmt.Errorf("the body is not a weiling delivery {\"to_app\",\"encrypt_msg\"} (the handler would answer 400)")
			}
			encrypt, toApp = body.EncryptMsg, body.ToApp
		default:
			encrypt = string(raw) // the bare encrypt_msg
		}
	}

	signed := "encrypt_msg"
	if urlCheck {
		signed = "echostr"
	}
	want := weiling.Sign(token, params.Get("timestamp"), params.Get("nonce"), encrypt)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(params.Get("msg_signature")))) != 1 {
		return fmt.Errorf("bad signature: msg_signature is not sha1 of the sorted WEILING_CALLBACK_TOKEN, timestamp, nonce and %s: "+
			"the delivery was signed with another callback token, or the query and body given are not the ones captured together "+
			"(the handler would answer 403)", signed)
	}
	plain, receiveID, err := weiling.Decrypt(key, encrypt)
	if err != nil {
		return fmt.Errorf("the signature is right but the message does not decrypt with WEILING_ENCODING_AES_KEY (the handler would answer 400): %w", err)
	}
	if urlCheck {
		fmt.Fprintln(s.out, string(plain))
		fmt.Fprintf(s.errw, "URL check: signature OK; echostr decrypted (receive id %q): the endpoint must answer HTTP 200 with the line above\n", receiveID)
		return nil
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, plain, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(plain)
	}
	fmt.Fprintln(s.out, strings.TrimRight(pretty.String(), "\r\n"))
	ev, err := weiling.ParseEvent(plain)
	if err != nil {
		return fmt.Errorf("signature OK and decrypted (printed above), but it is not an event the SDK reads (the handler would answer 400): %w", err)
	}
	fmt.Fprintf(s.errw, "signature OK; decrypted %d bytes; event %s, entity %s, header time_stamp %s; receive id %q", len(plain), ev.Type, orDash(ev.EntityID()), orDash(ev.Timestamp), receiveID)
	if toApp != "" && toApp != receiveID {
		fmt.Fprintf(s.errw, " (the body's to_app is %q)", toApp)
	}
	fmt.Fprintln(s.errw)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var weilingDecodeHelp = `Usage: ` + prog + ` weiling callback decode [-fake] -query QUERY [-body FILE]
       ` + prog + ` weiling callback decode [-fake] -msg-signature S -timestamp T -nonce N [-body FILE]
       ` + prog + ` weiling callback decode [-fake] -query QUERY-WITH-ECHOSTR        (a GET URL check)

Verifies and decrypts one weiling callback delivery captured at your endpoint (from an access
log, a request dump, a proxy): the query parameters msg_signature, timestamp and nonce, and
the POST body {"to_app","encrypt_msg"}. It checks msg_signature = sha1 of the sorted
WEILING_CALLBACK_TOKEN, timestamp, nonce and encrypt_msg, decrypts encrypt_msg with
WEILING_ENCODING_AES_KEY (AES-256-CBC), and prints the plaintext event JSON on standard
output (a summary on standard error).

Needs WEILING_CALLBACK_TOKEN and WEILING_ENCODING_AES_KEY (the values of the weiling console's
callback settings), or -fake for the fake's (weilingtest.DefaultCallbackToken and
weilingtest.DefaultEncodingAESKey).

Exit status: 0 verified and decrypted; 1 bad signature (named as such), a message that does
not decrypt or is not an event; 2 bad usage (missing parameters or variables).

Examples:
  ` + prog + ` weiling callback decode -query 'msg_signature=5c9f...&timestamp=1611580672&nonce=Xy12' -body body.json
  # the captured body on standard input, the query as the whole captured URL:
  cat body.json | ` + prog + ` weiling callback decode -query "https://example.com/weiling/callback?msg_signature=...&timestamp=...&nonce=..."
  ` + prog + ` weiling callback decode -fake -msg-signature 5c9f... -timestamp 1611580672 -nonce Xy12 -body body.json
`
