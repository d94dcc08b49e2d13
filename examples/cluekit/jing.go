package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"

	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
)

// jingFakeWebhookSecret is the webhook secret of -fake (the fake defines
// none): a test value, to configure a local webhook handler with.
const jingFakeWebhookSecret = "cluekit-fake-webhook-secret"

func init() {
	register(&vendorDef{
		name:       "jing",
		title:      "径硕 JINGdigital open platform",
		apiVars:    []string{"JING_APP_ID", "JING_APP_SECRET"},
		baseVar:    "JING_BASE_URL",
		extraVars:  []string{"JING_WEBHOOK_SECRET"},
		secretVars: []string{"JING_APP_SECRET", "JING_WEBHOOK_SECRET"},
		idLabel:    "app id",
		defaultURL: jing.DefaultBaseURL,
		auth: "OAuth access token with a rotating refresh token (POST /v1/oauth2/token with the app id\n" +
			"and secret), sent in the app_id and access_token headers; calls are not signed",
		connect:   jingConnect,
		doExample: []string{"POST", "/v1/user/create", `[{"identities":[{"type":"mobile","value":"19600000000"}]}]`},
		callback: &callbackDef{
			what:         "lead webhook",
			vars:         []string{"JING_WEBHOOK_SECRET"},
			fakeVals:     map[string]string{"JING_WEBHOOK_SECRET": jingFakeWebhookSecret},
			defaultEvent: "jing_object_create.json",
			eventHelp:    "the webhook body as JINGdigital posts it, JSON ({\"mid\",\"event_category\",\"event_type\",...,\"extra_data\"}); sent as is.",
			auth: "JINGdigital signs nothing: the JSON is POSTed to URL with the shared secret JING_WEBHOOK_SECRET\n" +
				"added to its query (?token=..., what jing.WithWebhookSecret checks; see -secret-param)",
			flags: func(fs *flag.FlagSet, o *sendOptions) {
				fs.StringVar(&o.secretParam, "secret-param", jing.WebhookSecretParam, "the query parameter carrying the secret (jing.WithWebhookSecretParam)")
			},
			send: jingSend,
			ack:  ack2xx,
		},
		noSign: "jing calls are not signed: each carries an access token (in the access_token header) obtained\n" +
			"with JING_APP_ID and JING_APP_SECRET, so there is no signature to show ('" + prog + " jing check'\n" +
			"shows whether that works). Its webhooks are not signed either (see 'jing callback send -h').",
	})
}

func jingConnect(s *session) (*conn, error) {
	appID, secret, base, err := s.credentials(func() startedFake {
		srv := jingtest.NewServer()
		return startedFake{srv.AppID, srv.AppSecret, srv.URL, []string{srv.AppSecret}, srv.Close}
	})
	if err != nil {
		return nil, err
	}
	opts, base, rec := s.clientOptions(base, jing.DefaultBaseURL, true)
	c, err := jing.New(appID, secret, opts...)
	if err != nil {
		return nil, s.newClientError(err)
	}
	return &conn{
		baseURL: base,
		appID:   appID,
		do:      c.Do,
		check: func(ctx context.Context, r report) error {
			note := "a get-token ends the refresh token other processes of this app hold (they fall back to get-token once)"
			if s.fake {
				note = ""
			}
			return s.tokenCheck(ctx, r, c.AccessToken, rec, note)
		},
	}, nil
}

func jingSend(ctx context.Context, d *delivery) error {
	secret := d.vals["JING_WEBHOOK_SECRET"]
	param := d.opts.secretParam
	if param == "" {
		return usagef("%s: -secret-param must not be empty", d.s.where)
	}
	var target string
	if param == jing.WebhookSecretParam {
		u, err := jingtest.WebhookURL(d.target, secret)
		if err != nil {
			return usagef("%s: -url: %v", d.s.where, err)
		}
		target = u
	} else {
		u, err := url.Parse(d.target)
		if err != nil {
			return usagef("%s: -url: %v", d.s.where, err)
		}
		q := u.Query()
		q.Set(param, secret)
		u.RawQuery = q.Encode()
		target = u.String()
	}
	if _, err := jing.ParseEvent(d.event); err != nil {
		fmt.Fprintf(d.s.errw, "warning: the event is not a webhook the SDK can parse (%v); sent as is\n", err)
	}
	return d.post(ctx, target, "application/json", d.event)
}
