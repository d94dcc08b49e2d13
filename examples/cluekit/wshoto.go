package main

import (
	"context"
	"fmt"

	"github.com/cluekit/cluekit/wshoto"
	"github.com/cluekit/cluekit/wshoto/wshototest"
)

func init() {
	register(&vendorDef{
		name:       "wshoto",
		title:      "微盛·企微管家 OpenAPI",
		apiVars:    []string{"WSHOTO_APP_ID", "WSHOTO_APP_SECRET"},
		baseVar:    "WSHOTO_BASE_URL",
		secretVars: []string{"WSHOTO_APP_SECRET"},
		idLabel:    "app id",
		defaultURL: wshoto.DefaultBaseURL,
		auth:       "access token (GET /openapi/access_token with the app id and secret), sent as ?access_token=\non every call; calls are not signed",
		connect:    wshotoConnect,
		doExample:  []string{"POST", "/openapi/crm/clue/page", `{"current_index":1,"page_size":10}`},
		callback: &callbackDef{
			what:         "notify message (the {message_id,type,content,gmt_create} envelope)",
			defaultEvent: "wshoto_notify_custom_field_change.json",
			eventHelp:    "the notify envelope as wshoto posts it, JSON ({\"message_id\",\"type\",\"content\",\"gmt_create\"}, content a JSON string).",
			auth: "not at all: wshoto documents no signature, reply or retries for notify deliveries;\n" +
				"it is POSTed as JSON (authenticate deliveries yourself, e.g. a secret in your URL)",
			send: func(ctx context.Context, d *delivery) error {
				if _, err := wshoto.ParseNotify(d.event); err != nil {
					fmt.Fprintf(d.s.errw, "warning: the event is not a notify envelope the SDK can parse (%v); sent as is\n", err)
				}
				return d.post(ctx, d.target, "application/json", d.event)
			},
			ack: ack2xx,
		},
		noSign: "wshoto calls are not signed: each call carries an access token (?access_token=...) obtained\n" +
			"with WSHOTO_APP_ID and WSHOTO_APP_SECRET, so there is no signature to show. To see whether\n" +
			"the credentials obtain a token: " + prog + " wshoto check",
	})
}

func wshotoConnect(s *session) (*conn, error) {
	appID, secret, base, err := s.credentials(func() startedFake {
		srv := wshototest.NewServer()
		return startedFake{wshototest.DefaultAppID, wshototest.DefaultAppSecret, srv.URL, []string{wshototest.DefaultAppSecret}, srv.Close}
	})
	if err != nil {
		return nil, err
	}
	opts, base, rec := s.clientOptions(base, wshoto.DefaultBaseURL, true)
	c, err := wshoto.New(appID, secret, opts...)
	if err != nil {
		return nil, s.newClientError(err)
	}
	return &conn{
		baseURL: base,
		appID:   appID,
		do:      c.Do,
		check: func(ctx context.Context, r report) error {
			return s.tokenCheck(ctx, r, c.AccessToken, rec, "")
		},
	}, nil
}
