package weiling

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/internal/webhook"
)

// CallbackAck is the body the handler answers once an event was handled:
// weiling expects the literal string "success" within 1 second.
const CallbackAck = "success"

// handlerSettings holds the weiling-only handler options.
type handlerSettings struct {
	appID string
}

// WithCallbackAppID makes a callback handler refuse (403) events addressed
// to another app: the body's to_app and the header's to_app, where present,
// must equal appID, and at least one must be present. Handlers only.
func WithCallbackAppID(appID string) Option {
	return core.VendorOption("WithCallbackAppID", func(s *handlerSettings) error {
		if strings.TrimSpace(appID) == "" {
			return errors.New("weiling: WithCallbackAppID: empty app id")
		}
		s.appID = appID
		return nil
	})
}

// Handler is the http.Handler of weiling's event callbacks, built by
// NewCallbackHandler.
type Handler struct{ h *webhook.Handler }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.h.ServeHTTP(w, r) }

// receiver verifies, decrypts and parses deliveries.
type receiver struct {
	token string
	block cipher.Block
	iv    []byte
	appID string
	fn    func(ctx context.Context, e *Event) error
}

// NewCallbackHandler returns the handler of weiling's event callbacks (设置 →
// 开放平台 → 回调地址), configured with the callback Token and the
// 43-character EncodingAESKey.
//
//   - GET ?msg_signature=&timestamp=&nonce=&echostr= is the URL check weiling
//     runs before saving the configuration: the handler verifies
//     msg_signature over echostr and answers echostr's decrypted plaintext.
//   - POST ?msg_signature=&timestamp=&nonce= with {"to_app","encrypt_msg"}
//     delivers an event: the handler verifies msg_signature over encrypt_msg
//     (constant time), decrypts it, parses it (ParseEvent: clue_add,
//     clue_update and clue_history typed, every other event type raw with
//     its Type) and calls fn. It answers "success" only after fn returned
//     nil; when fn returns an error or panics it answers 500, so that
//     weiling delivers the event again.
//
// Bad signatures (and, with WithCallbackAppID, events for another app) are
// answered 403, malformed requests 400, bodies over the cap (WithMaxBodyBytes)
// 413, other methods 405; the handler never panics. weiling expects
// "success" within 1 second: fn should persist or enqueue the event and
// return, and process it later. The vendor may deliver an event more than
// once (its retry policy is not documented): deduplicate on Event.DedupeKey
// (event type, entity id, header timestamp), or give WithDeduper. The
// timestamp query parameter's unit is not documented, so no freshness window
// is enforced.
//
// Options: WithCallbackAppID, WithMaxBodyBytes, WithDeduper, WithLogger,
// WithObserver, WithClock. An empty token, an EncodingAESKey that is not 43
// base64 characters (ErrInvalidAESKey), a nil fn or a client-only option is
// an error.
func NewCallbackHandler(token, encodingAESKey string, fn func(ctx context.Context, e *Event) error, opts ...Option) (*Handler, error) {
	var s handlerSettings
	cfg, err := core.NewHandlerConfig(&s, opts)
	if err != nil {
		return nil, err
	}
	if token == "" {
		return nil, errors.New("weiling: NewCallbackHandler: empty callback token")
	}
	block, iv, err := aesKey(encodingAESKey)
	if err != nil {
		return nil, fmt.Errorf("weiling: NewCallbackHandler: %w", err)
	}
	if fn == nil {
		return nil, errors.New("weiling: NewCallbackHandler: nil function")
	}
	rc := &receiver{token: token, block: block, iv: iv, appID: s.appID, fn: fn}
	h, err := webhook.New(cfg, webhook.Spec{
		Vendor:     vendorName,
		Methods:    []string{http.MethodGet, http.MethodPost},
		AuthStatus: http.StatusForbidden,
		Secrets:    []string{token, encodingAESKey},
		Open:       rc.open,
	})
	if err != nil {
		return nil, err
	}
	return &Handler{h: h}, nil
}

func (rc *receiver) open(r *http.Request, body []byte) (*webhook.Delivery, error) {
	if r.Method == http.MethodGet {
		return rc.verifyURL(r)
	}
	return rc.event(r, body)
}

// errBadSignature is what a delivery with a wrong or missing msg_signature
// gets (403).
var errBadSignature = fmt.Errorf("bad msg_signature: %w", webhook.ErrUnauthenticated)

// signatureOK checks msg_signature over one of the candidate values, in
// constant time, and returns the value it matched.
func (rc *receiver) signatureOK(sig, timestamp, nonce string, candidates ...string) (string, bool) {
	sig = strings.ToLower(strings.TrimSpace(sig))
	match, ok := "", false
	for _, c := range candidates {
		if webhook.Equal(Sign(rc.token, timestamp, nonce, c), sig) && !ok {
			match, ok = c, true
		}
	}
	return match, ok && sig != ""
}

// verifyURL answers the URL check with echostr's plaintext.
func (rc *receiver) verifyURL(r *http.Request) (*webhook.Delivery, error) {
	q := r.URL.Query()
	echostr := q.Get("echostr")
	if echostr == "" || q.Get("msg_signature") == "" {
		return nil, errors.New("URL check without echostr or msg_signature")
	}
	candidates := []string{echostr}
	if strings.Contains(echostr, " ") {
		// An echostr sent without URL-encoding turns '+' into ' ' (base64
		// never contains spaces).
		candidates = append(candidates, strings.ReplaceAll(echostr, " ", "+"))
	}
	echostr, ok := rc.signatureOK(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), candidates...)
	if !ok {
		return nil, errBadSignature
	}
	msg, _, err := decrypt(rc.block, rc.iv, echostr)
	if err != nil {
		return nil, err
	}
	return &webhook.Delivery{Ack: func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(msg)
	}}, nil
}

// callbackBody is the POST body: {"to_app":"wloa…","encrypt_msg":"<base64>"}.
type callbackBody struct {
	ToApp      String `json:"to_app"`
	EncryptMsg String `json:"encrypt_msg"`
}

// event verifies, decrypts and parses one event delivery.
func (rc *receiver) event(r *http.Request, body []byte) (*webhook.Delivery, error) {
	var b callbackBody
	if err := flex.Unmarshal(body, &b); err != nil || b.EncryptMsg == "" {
		return nil, errors.New("body is not {to_app, encrypt_msg}")
	}
	q := r.URL.Query()
	if _, ok := rc.signatureOK(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), string(b.EncryptMsg)); !ok {
		return nil, errBadSignature
	}
	msg, receiveID, err := decrypt(rc.block, rc.iv, string(b.EncryptMsg))
	if err != nil {
		return nil, err
	}
	e, err := ParseEvent(msg)
	if err != nil {
		return nil, errors.New("the decrypted message is not a valid event")
	}
	e.ReceiveID = receiveID
	if rc.appID != "" && !appMatches(rc.appID, string(b.ToApp), e.ToApp) {
		return nil, fmt.Errorf("event addressed to another app: %w", webhook.ErrUnauthenticated)
	}
	if e.ToApp == "" {
		e.ToApp = string(b.ToApp)
	}
	return &webhook.Delivery{
		Event:  e.Type,
		Key:    e.DedupeKey(),
		Handle: func(ctx context.Context) error { return rc.fn(ctx, e) },
		Ack: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(CallbackAck))
		},
	}, nil
}

// appMatches reports whether every non-empty id equals want, and at least
// one is non-empty.
func appMatches(want string, ids ...string) bool {
	seen := false
	for _, id := range ids {
		if id == "" {
			continue
		}
		if id != want {
			return false
		}
		seen = true
	}
	return seen
}
