package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cluekit/cluekit/v3clue"
	"github.com/cluekit/cluekit/v3clue/v3cluetest"
)

// v3ProbeID is the customerId check asks for when no clue id is given: a
// real tenant's ids are 15 digits, so it names no clue (and if it does,
// reading it is harmless).
const v3ProbeID int64 = 1

func init() {
	register(&vendorDef{
		name:       "v3clue",
		title:      "探马 SCRM OpenAPI v3",
		apiVars:    []string{"V3CLUE_APP_ID", "V3CLUE_APP_KEY"},
		baseVar:    "V3CLUE_BASE_URL",
		extraVars:  []string{"V3CLUE_CUSTOMER_ID"},
		secretVars: []string{"V3CLUE_APP_KEY"},
		idLabel:    "app id",
		defaultURL: v3clue.DefaultBaseURL,
		auth:       "signed, no token: headers appId, timestamp (epoch ms) and\nsign = sha256(appId + timestamp + body + appKey)",
		connect:    v3Connect,
		checkFlags: func(s *session) {
			s.fs.StringVar(&s.customerID, "customer-id", "", "a clue id (customerId) to read; default V3CLUE_CUSTOMER_ID, else a signed probe call")
		},
		doExample: []string{"POST", "/api/v3/clue/get", `{"customerId":410983932389440}`},
		noCallback: "探马 push callbacks (消息推送) are outside the SDK: their format and verification\n" +
			"are not public, so there is nothing to sign or send.",
		sign: v3Sign,
	})
}

func v3Connect(s *session) (*conn, error) {
	appID, appKey, base, err := s.credentials(func() startedFake {
		srv := v3cluetest.NewServer()
		return startedFake{v3cluetest.DefaultAppID, v3cluetest.DefaultAppKey, srv.URL, []string{v3cluetest.DefaultAppKey}, srv.Close}
	})
	if err != nil {
		return nil, err
	}
	if !s.fake && s.customerID == "" {
		s.customerID = s.optional("V3CLUE_CUSTOMER_ID")
	}
	var id int64
	if s.customerID != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(s.customerID), 10, 64)
		if err != nil || n <= 0 {
			return nil, usagef("%s: the customer id %q (-customer-id or V3CLUE_CUSTOMER_ID) is not a positive integer", s.where, s.customerID)
		}
		id = n
	}
	opts, base, _ := s.clientOptions(base, v3clue.DefaultBaseURL, false)
	c, err := v3clue.New(appID, appKey, opts...)
	if err != nil {
		return nil, s.newClientError(err)
	}
	return &conn{
		baseURL: base,
		appID:   appID,
		do:      c.Do,
		check: func(ctx context.Context, r report) error {
			return v3Check(ctx, s, r, c, id)
		},
	}, nil
}

// v3Check reads the clue id given or, without one, makes a signed probe
// call. 探马 has no token endpoint, so the cheapest proof that appId and
// appKey work is a signed call; the vendor documents no "not found" code
// (docs/vendors/v3clue.md §3), but it answers a refused signature with
// 1002 and a clock error with 1003 (ErrSignature in the SDK): any other
// answer of the vendor's envelope means the signature was accepted.
func v3Check(ctx context.Context, s *session, r report, c *v3clue.Client, id int64) error {
	probe := id == 0
	if probe {
		id = v3ProbeID
	}
	start := time.Now()
	clue, err := c.GetClue(ctx, &v3clue.GetClueRequest{CustomerID: id})
	took := time.Since(start).Round(time.Millisecond)
	attempts, _ := s.counts()
	var apiErr *v3clue.APIError
	switch {
	case err == nil:
		kind := "an unassigned customer (待分配)"
		if clue.IsClue {
			kind = "a clue"
		}
		r.row("check", "signed clue/get read customerId %d: %s with %s", clue.CustomerID, kind, plural(len(clue.Fields), "field"))
	case errors.Is(err, v3clue.ErrSignature):
		r.row("check", "signed clue/get of customerId %d: the signature was REFUSED (code %s)", id, v3Code(err))
	case errors.As(err, &apiErr) && apiErr.HTTPStatus >= 200 && apiErr.HTTPStatus <= 299 && apiErr.Code != "" && probe:
		r.row("check", "signed clue/get of the probe customerId %d answered code %s %q:\n"+
			"the signature was accepted (探马 answers 1002 to a bad signature and 1003 to a clock error;\n"+
			"it documents no \"not found\" code, so another answer proves appId and sign passed).\n"+
			"Set V3CLUE_CUSTOMER_ID (or -customer-id) to read a real clue instead.", id, apiErr.Code, apiErr.Message)
		err = nil
	case errors.As(err, &apiErr) && apiErr.Code != "" && !errors.Is(err, v3clue.ErrSignature):
		r.row("check", "signed clue/get of customerId %d: the signature was accepted, but the clue could not be read", id)
	}
	r.row("latency", "%s (%s)", took, plural(attempts, "attempt"))
	if err == nil {
		r.row("expires", "nothing to expire: 探马 has no tokens, every call is signed with the appKey")
	}
	return err
}

func v3Code(err error) string {
	var apiErr *v3clue.APIError
	if errors.As(err, &apiErr) && apiErr.Code != "" {
		return apiErr.Code
	}
	return "-"
}

// v3Sign prints the sign header's input, the appKey masked, and the result.
func v3Sign(s *session, args []string) error {
	fs := s.newFlags("sign", fakeCreds, func() string { return v3SignHelp })
	body := fs.String("body", "", "the request body exactly as sent: text, @file or - (standard input); default none (signed as \"\")")
	ts := fs.String("timestamp", "", "the timestamp header: 13-digit epoch milliseconds; default now")
	pos, err := s.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("%s takes no arguments (got %q); the body is given with -body", s.where, pos[0])
	}
	var raw []byte
	if *body != "" {
		if raw, err = s.readArg("-body", *body); err != nil {
			return err
		}
	}
	var appID, appKey, from string
	if s.fake {
		appID, appKey, from = v3cluetest.DefaultAppID, v3cluetest.DefaultAppKey, "the fake's default"
		s.sc.add(appKey)
	} else {
		vals, err := s.need(s.v.apiVars...)
		if err != nil {
			return err
		}
		appID, appKey, from = vals["V3CLUE_APP_ID"], vals["V3CLUE_APP_KEY"], "V3CLUE_APP_KEY"
	}
	stamp := *ts
	if stamp == "" {
		stamp = v3clue.FormatTimestamp(time.Now())
	}
	sig := v3clue.SignRequest(appID, stamp, raw, appKey)
	r := report{s.out}
	r.row("vendor", "%s (%s): request signature", s.v.name, s.v.title)
	r.row("recipe", "sign = lowercase hex SHA-256( UTF-8( appId + timestamp + body + appKey ) )\nplain SHA-256 (not HMAC), no separators, appKey last, over the exact body bytes sent")
	r.row("appId", "%s", appID)
	r.row("appKey", "%s (%d characters, %s; not sent unless WithAppKeyHeader)", mask, utf8.RuneCountInString(appKey), from)
	note := ""
	if len(stamp) != 13 || strings.Trim(stamp, "0123456789") != "" {
		note = "  (note: 探马 expects 13-digit epoch milliseconds; signed as given)"
	}
	r.row("timestamp", "%s%s", stamp, note)
	r.row("body", "%s", bodyFacts(raw))
	signedString(r, appID+stamp+string(raw)+mask)
	r.row("sign", "%s", sig)
	r.row("headers", "appId: %s\ntimestamp: %s\nsign: %s\nContent-Type: application/json", appID, stamp, sig)
	r.row("note", "the sign authorises this body at this timestamp: share it with 探马 support only")
	return nil
}

var v3SignHelp = fmt.Sprintf(`Usage: %[1]s v3clue sign [-fake] [-body BODY] [-timestamp EPOCH_MS]

Prints, for a support ticket about a signature refusal (code 1002), the exact string that is
hashed, with the appKey masked as %[2]s, and the resulting sign header:

  sign = lowercase hex SHA-256( appId + timestamp + body + appKey )

plain SHA-256 (not HMAC), no separators, appKey last, over the exact body bytes sent ("" for
a call without a body). Give the body exactly as your program sent it (no re-encoding).
The vendor publishes no worked example; this recipe is the one three independent clients use.

Needs V3CLUE_APP_ID and V3CLUE_APP_KEY, or -fake (the fake's default credentials).

Examples:
  %[1]s v3clue sign -fake -body '{"customerId":8}' -timestamp 1700000000000
  V3CLUE_APP_ID=... V3CLUE_APP_KEY=... %[1]s v3clue sign -body @request.json -timestamp 1700000000000
  echo -n '{"customerId":8}' | V3CLUE_APP_ID=... V3CLUE_APP_KEY=... %[1]s v3clue sign -body -
`, prog, mask)
