package weiling

import (
	"context"
	"crypto/cipher"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/internal/webhook"
)

// CallbackAck is the body the handler answers once an event was handled:
// weiling expects the literal string "success" within 1 second.
const CallbackAck = "success"

// CallbackOption configures NewCallbackHandler.
type CallbackOption func(*callbackConfig)

type callbackConfig struct {
	appID   string
	maxBody int64
	logger  *slog.Logger
}

// WithCallbackAppID makes the handler reject (403) events addressed to
// another app: the body's to_app and the header's to_app, where present,
// must equal appID, and at least one must be present.
func WithCallbackAppID(appID string) CallbackOption {
	return func(c *callbackConfig) { c.appID = appID }
}

// WithCallbackMaxBody caps the request body (default 1 MiB); larger bodies
// are answered 413.
func WithCallbackMaxBody(n int64) CallbackOption {
	return func(c *callbackConfig) { c.maxBody = n }
}

// WithCallbackLogger logs why requests were rejected and errors of the
// handler function (never the Token, key, signature or message content).
func WithCallbackLogger(l *slog.Logger) CallbackOption {
	return func(c *callbackConfig) { c.logger = l }
}

type callbackHandler struct {
	token   string
	block   cipher.Block
	iv      []byte
	confErr error
	fn      func(ctx context.Context, e *Event) error
	cfg     callbackConfig
}

// NewCallbackHandler returns the http.Handler for weiling's event callbacks
// (设置 → 开放平台 → 回调地址), configured with the callback Token and the
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
//     nil; when fn returns an error or panics it answers 500, so that the
//     event is not acknowledged.
//
// Bad signatures are answered 403, malformed requests 400, bodies over the
// cap 413; the handler never panics. weiling expects "success" within 1
// second: fn should persist or enqueue the event and return, and process it
// later. The vendor may deliver an event more than once (its retry policy is
// not documented): deduplicate with Event.DedupeKey (event type, entity id,
// header timestamp). The timestamp query parameter's unit is not
// documented, so no freshness window is enforced.
//
// An empty token, an invalid EncodingAESKey or a nil fn make every request
// fail with 500 (check the key with CheckEncodingAESKey).
func NewCallbackHandler(token, encodingAESKey string, fn func(ctx context.Context, e *Event) error, opts ...CallbackOption) http.Handler {
	h := &callbackHandler{token: token, fn: fn, cfg: callbackConfig{maxBody: webhook.DefaultMaxBody}}
	for _, o := range opts {
		if o != nil {
			o(&h.cfg)
		}
	}
	if h.cfg.logger == nil {
		h.cfg.logger = slog.New(slog.DiscardHandler)
	}
	h.block, h.iv, h.confErr = aesKey(encodingAESKey)
	switch {
	case h.confErr != nil:
	case token == "":
		h.confErr = errors.New("weiling: callback token is empty")
	case fn == nil:
		h.confErr = errors.New("weiling: callback function is nil")
	}
	return h
}

func (h *callbackHandler) reject(w http.ResponseWriter, r *http.Request, status int, reason string) {
	h.cfg.logger.WarnContext(r.Context(), "weiling callback rejected", "status", status, "reason", reason)
	http.Error(w, http.StatusText(status), status)
}

// ServeHTTP implements http.Handler.
func (h *callbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.confErr != nil {
		if r.Method == http.MethodGet && h.block != nil && h.token != "" {
			h.verifyURL(w, r) // the URL check needs no fn
			return
		}
		h.reject(w, r, http.StatusInternalServerError, h.confErr.Error())
		return
	}
	switch r.Method {
	case http.MethodGet:
		h.verifyURL(w, r)
	case http.MethodPost:
		h.event(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		h.reject(w, r, http.StatusMethodNotAllowed, "method "+r.Method)
	}
}

// signatureOK checks msg_signature over one of the candidate values, in
// constant time, and returns the value it matched.
func (h *callbackHandler) signatureOK(sig, timestamp, nonce string, candidates ...string) (string, bool) {
	sig = strings.ToLower(strings.TrimSpace(sig))
	match, ok := "", false
	for _, c := range candidates {
		if webhook.Equal(Sign(h.token, timestamp, nonce, c), sig) && !ok {
			match, ok = c, true
		}
	}
	return match, ok && sig != ""
}

func (h *callbackHandler) verifyURL(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	echostr := q.Get("echostr")
	if echostr == "" || q.Get("msg_signature") == "" {
		h.reject(w, r, http.StatusBadRequest, "URL check without echostr or msg_signature")
		return
	}
	candidates := []string{echostr}
	if strings.Contains(echostr, " ") {
		// An echostr sent without URL-encoding turns '+' into ' ' (base64
		// never contains spaces).
		candidates = append(candidates, strings.ReplaceAll(echostr, " ", "+"))
	}
	echostr, ok := h.signatureOK(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), candidates...)
	if !ok {
		h.reject(w, r, http.StatusForbidden, "bad msg_signature")
		return
	}
	msg, _, err := decrypt(h.block, h.iv, echostr)
	if err != nil {
		h.reject(w, r, http.StatusBadRequest, err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write(msg)
}

// callbackBody is the POST body: {"to_app":"wloa…","encrypt_msg":"<base64>"}.
type callbackBody struct {
	ToApp      flex.String `json:"to_app"`
	EncryptMsg flex.String `json:"encrypt_msg"`
}

func (h *callbackHandler) event(w http.ResponseWriter, r *http.Request) {
	body, err := webhook.ReadBody(w, r, h.cfg.maxBody)
	if err != nil {
		if errors.Is(err, webhook.ErrTooLarge) {
			h.reject(w, r, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		h.reject(w, r, http.StatusBadRequest, "cannot read body")
		return
	}
	var b callbackBody
	if err := flex.Unmarshal(body, &b); err != nil || b.EncryptMsg == "" {
		h.reject(w, r, http.StatusBadRequest, "body is not {to_app, encrypt_msg}")
		return
	}
	q := r.URL.Query()
	if _, ok := h.signatureOK(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), string(b.EncryptMsg)); !ok {
		h.reject(w, r, http.StatusForbidden, "bad msg_signature")
		return
	}
	msg, receiveID, err := decrypt(h.block, h.iv, string(b.EncryptMsg))
	if err != nil {
		h.reject(w, r, http.StatusBadRequest, err.Error())
		return
	}
	e, err := ParseEvent(msg)
	if err != nil {
		h.reject(w, r, http.StatusBadRequest, "decrypted message is not a valid event")
		return
	}
	e.ReceiveID = receiveID
	if h.cfg.appID != "" && !appMatches(h.cfg.appID, string(b.ToApp), e.ToApp) {
		h.reject(w, r, http.StatusForbidden, "event addressed to another app")
		return
	}
	if e.ToApp == "" {
		e.ToApp = string(b.ToApp)
	}
	if err := webhook.Call(func() error { return h.fn(r.Context(), e) }); err != nil {
		h.cfg.logger.ErrorContext(r.Context(), "weiling callback function failed; not acknowledged", "event_type", e.Type, "error", err.Error())
		http.Error(w, "event not handled", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(CallbackAck))
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
