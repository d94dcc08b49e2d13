package jing

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/cluekit/cluekit/internal/webhook"
)

// DefaultWebhookMaxBody caps a webhook body (1 MiB).
const DefaultWebhookMaxBody = webhook.DefaultMaxBody

// WebhookOption configures NewWebhookHandler.
type WebhookOption func(*webhookConfig)

type webhookConfig struct {
	param, secret string
	secretSet     bool
	tenant        string
	maxBody       int64
	logger        *slog.Logger
}

// WithWebhookSecret makes the handler require the query parameter param to
// equal secret (compared in constant time). The vendor documents no webhook
// signature, so this is the authentication to use: register the webhook URL
// with an unguessable value, e.g. https://example.com/jing?token=<32 random
// bytes, hex>. An empty param or secret makes the handler refuse every
// delivery (fail closed) rather than run unauthenticated.
func WithWebhookSecret(param, secret string) WebhookOption {
	return func(c *webhookConfig) { c.param, c.secret, c.secretSet = param, secret, true }
}

// WithWebhookTenant makes the handler refuse (HTTP 403) events whose mid is
// not the given tenant id.
func WithWebhookTenant(mid string) WebhookOption {
	return func(c *webhookConfig) { c.tenant = mid }
}

// WithWebhookMaxBody caps the body size (default DefaultWebhookMaxBody);
// larger bodies get HTTP 413.
func WithWebhookMaxBody(n int64) WebhookOption {
	return func(c *webhookConfig) { c.maxBody = n }
}

// WithWebhookLogger logs refused deliveries and handler failures (never the
// URL, which carries the secret). Default: silent.
func WithWebhookLogger(l *slog.Logger) WebhookOption {
	return func(c *webhookConfig) { c.logger = l }
}

// NewWebhookHandler returns an http.Handler receiving JINGdigital webhooks.
//
// The vendor documents neither a signature, nor an acknowledgement body,
// nor its timeout, retries or ordering. The handler therefore:
//   - accepts POST only (405 otherwise);
//   - checks the optional shared secret of WithWebhookSecret, carried in the
//     URL query, in constant time (403 on mismatch);
//   - caps the body (413), parses it with ParseEvent (400 when it is not an
//     event) and checks mid against WithWebhookTenant (403);
//   - calls fn, and answers 200 "success" only after fn returned nil. When
//     fn returns an error or panics, it answers 500 so that the vendor may
//     deliver again: no event is acknowledged unhandled.
//
// Answer promptly: fn should persist or enqueue the event (e.Raw is the body
// as received) and return, doing the work elsewhere. Deliveries carry no
// event id and may be repeated: deduplicate with Event.DedupeKey.
func NewWebhookHandler(fn func(ctx context.Context, e *Event) error, opts ...WebhookOption) http.Handler {
	c := webhookConfig{}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultWebhookMaxBody
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	return &webhookHandler{cfg: c, fn: fn}
}

type webhookHandler struct {
	cfg webhookConfig
	fn  func(context.Context, *Event) error
}

func (h *webhookHandler) refuse(w http.ResponseWriter, r *http.Request, status int, reason string, attrs ...any) {
	h.cfg.logger.WarnContext(r.Context(), "jing: webhook refused", append([]any{"status", status, "reason", reason}, attrs...)...)
	http.Error(w, http.StatusText(status), status)
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.fn == nil {
		h.refuse(w, r, http.StatusInternalServerError, "nil handler function")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, r, http.StatusMethodNotAllowed, "method not allowed", "method", r.Method)
		return
	}
	if h.cfg.secretSet {
		if h.cfg.param == "" || h.cfg.secret == "" {
			h.refuse(w, r, http.StatusInternalServerError, "webhook secret configured empty")
			return
		}
		if !webhook.Equal(r.URL.Query().Get(h.cfg.param), h.cfg.secret) {
			h.refuse(w, r, http.StatusForbidden, "bad or missing secret")
			return
		}
	}
	body, err := webhook.ReadBody(w, r, h.cfg.maxBody)
	if err != nil {
		if errors.Is(err, webhook.ErrTooLarge) {
			h.refuse(w, r, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		h.refuse(w, r, http.StatusBadRequest, "cannot read body")
		return
	}
	ev, err := ParseEvent(body)
	if err != nil {
		h.refuse(w, r, http.StatusBadRequest, "not an event", "error", err.Error())
		return
	}
	if h.cfg.tenant != "" && !webhook.Equal(strings.TrimSpace(ev.MID), h.cfg.tenant) {
		h.refuse(w, r, http.StatusForbidden, "unexpected tenant", "mid", ev.MID)
		return
	}
	if err := webhook.Call(func() error { return h.fn(r.Context(), ev) }); err != nil {
		h.cfg.logger.ErrorContext(r.Context(), "jing: webhook handler failed; not acknowledged",
			"event_type", string(ev.EventType), "entity_id", ev.ExtraData.EntityID, "error", err.Error())
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte("success"))
}
