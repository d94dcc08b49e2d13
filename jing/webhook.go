package jing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/webhook"
)

// WebhookSecretParam is the default URL query parameter that carries the
// shared secret of WithWebhookSecret: register the webhook URL as
// https://example.com/jing?token=<secret>.
const WebhookSecretParam = "token"

// handlerSettings holds the jing-only handler options.
type handlerSettings struct {
	secret    string
	secretSet bool
	param     string
	open      bool
	tenant    string
}

// WithWebhookSecretParam names the URL query parameter that carries the
// secret of WithWebhookSecret (default WebhookSecretParam, "token").
// Handlers only.
func WithWebhookSecretParam(name string) Option {
	return core.VendorOption("WithWebhookSecretParam", func(s *handlerSettings) error {
		if name == "" || strings.ContainsAny(name, "&=#? ") {
			return fmt.Errorf("jing: WithWebhookSecretParam(%q): not a query parameter name", name)
		}
		s.param = name
		return nil
	})
}

// WithWebhookSecret makes the handler require the query parameter
// WebhookSecretParam ("token", see WithWebhookSecretParam) of every
// delivery to equal secret, compared
// in constant time; a delivery without it, or with another value, is
// refused with 403. JINGdigital signs nothing, so this is how a handler
// knows a delivery comes from whoever was given the URL: register it with
// an unguessable value, e.g. https://example.com/jing?token=<32 random bytes,
// hex>. An empty secret is an error. Handlers only.
func WithWebhookSecret(secret string) Option {
	return core.VendorOption("WithWebhookSecret", func(s *handlerSettings) error {
		if secret == "" {
			return errors.New("jing: WithWebhookSecret: empty secret")
		}
		s.secret, s.secretSet = secret, true
		return nil
	})
}

// WithoutAuthentication builds a handler that accepts every delivery
// without a secret: anyone who can reach the URL can deliver events to your
// function. Use it only behind something that authenticates the vendor
// (an allow-list of its addresses, a gateway); the handler logs a warning
// when it is built. Handlers only.
func WithoutAuthentication() Option {
	return core.VendorOption("WithoutAuthentication", func(s *handlerSettings) error {
		s.open = true
		return nil
	})
}

// WithWebhookTenant makes the handler refuse (403) events whose mid is not
// the given tenant id. Handlers only.
func WithWebhookTenant(mid string) Option {
	return core.VendorOption("WithWebhookTenant", func(s *handlerSettings) error {
		if strings.TrimSpace(mid) == "" {
			return errors.New("jing: WithWebhookTenant: empty tenant id")
		}
		s.tenant = strings.TrimSpace(mid)
		return nil
	})
}

// Handler receives JINGdigital webhooks; it is an http.Handler.
type Handler struct{ h *webhook.Handler }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.h.ServeHTTP(w, r) }

// NewWebhookHandler returns a handler receiving JINGdigital webhooks and
// calling fn with each event.
//
// JINGdigital documents neither a signature, nor an acknowledgement body, nor
// its timeout, retries or ordering, so a handler needs to be told how
// deliveries are authenticated: WithWebhookSecret(secret) (a shared secret in
// the URL), or explicitly WithoutAuthentication(). Without either, or with
// both, or with a nil fn, NewWebhookHandler returns an error instead of an
// endpoint open to anyone. Options: WithWebhookSecret,
// WithWebhookSecretParam, WithoutAuthentication, WithWebhookTenant,
// WithMaxBodyBytes, WithDeduper, WithLogger, WithObserver.
//
// The handler accepts POST only (405 otherwise), caps the body (413), checks
// the secret (403), parses the body with ParseEvent (400 when it is not an
// event), checks mid against WithWebhookTenant (403), and calls fn. It
// answers 200 "success" only after fn returned nil; when fn returns an
// error or panics it answers 500 so that the vendor may deliver again: no
// event is acknowledged unhandled.
//
// Answer promptly: fn should persist or enqueue the event (e.Raw is the body
// as received) and return, doing the work elsewhere. Deliveries carry no
// event id and may be repeated: WithDeduper acknowledges an event already
// handled (by Event.DedupeKey) without calling fn again.
func NewWebhookHandler(fn func(ctx context.Context, e *Event) error, opts ...Option) (*Handler, error) {
	s := handlerSettings{param: WebhookSecretParam}
	cfg, err := core.NewHandlerConfig(&s, opts)
	if err != nil {
		return nil, err
	}
	switch {
	case fn == nil:
		return nil, errors.New("jing: NewWebhookHandler: nil function")
	case s.secretSet && s.open:
		return nil, errors.New("jing: NewWebhookHandler: WithWebhookSecret and WithoutAuthentication exclude each other")
	case !s.secretSet && !s.open:
		return nil, errors.New("jing: NewWebhookHandler: no authentication configured: JINGdigital signs nothing, " +
			"so give WithWebhookSecret(secret) and register the URL with ?" + s.param + "=<secret>, " +
			"or WithoutAuthentication() to accept deliveries from anyone")
	}
	if s.open {
		cfg.Logger.Warn("jing: webhook handler built WithoutAuthentication: anyone who can reach it can deliver events")
	}
	h, err := webhook.New(cfg, webhook.Spec{
		Vendor:     vendorName,
		Methods:    []string{http.MethodPost},
		AuthStatus: http.StatusForbidden,
		Secrets:    []string{s.secret},
		Open: func(r *http.Request, body []byte) (*webhook.Delivery, error) {
			return s.openDelivery(r, body, fn)
		},
	})
	if err != nil {
		return nil, err
	}
	return &Handler{h}, nil
}

// openDelivery verifies the secret, parses the event and checks its tenant.
func (s *handlerSettings) openDelivery(r *http.Request, body []byte, fn func(context.Context, *Event) error) (*webhook.Delivery, error) {
	if s.secretSet && !webhook.Equal(r.URL.Query().Get(s.param), s.secret) {
		return nil, fmt.Errorf("%w: bad or missing %s parameter", webhook.ErrUnauthenticated, s.param)
	}
	ev, err := ParseEvent(body)
	if err != nil {
		return nil, err
	}
	if s.tenant != "" && !webhook.Equal(strings.TrimSpace(string(ev.MID)), s.tenant) {
		return nil, fmt.Errorf("%w: event for another tenant", webhook.ErrUnauthenticated)
	}
	return &webhook.Delivery{
		Event:  string(ev.EventType),
		Key:    ev.DedupeKey(),
		Handle: func(ctx context.Context) error { return fn(ctx, ev) },
		Ack:    ack,
	}, nil
}

// ack is the acknowledgement: 200 "success" (the vendor documents none).
func ack(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("success"))
}
