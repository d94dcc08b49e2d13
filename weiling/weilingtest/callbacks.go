package weilingtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cluekit/cluekit/weiling"
)

// Header is the header of a decrypted callback message.
type Header struct {
	EventType string `json:"event_type"`
	TimeStamp string `json:"time_stamp"` // 13-digit ms as a string
	ToApp     string `json:"to_app"`
}

// Message is a decrypted callback message: {"header":{…},"event":{…}}.
type Message struct {
	Header Header `json:"header"`
	Event  any    `json:"event"`
}

// NewMessage builds a callback message for appID, stamped at (ms).
func NewMessage(eventType, appID string, at time.Time, event any) Message {
	return Message{Header: Header{EventType: eventType, TimeStamp: strconv.FormatInt(at.UnixMilli(), 10), ToApp: appID}, Event: event}
}

// ErrNotAcknowledged is returned by the delivery helpers when the receiver
// did not answer 200 with the expected body.
var ErrNotAcknowledged = errors.New("weilingtest: callback not acknowledged")

// Sender delivers callbacks the way weiling does: the message encrypted with
// EncodingAESKey (the app id appended after it), POSTed as
// {"to_app","encrypt_msg"} with msg_signature, timestamp and nonce in the
// query.
type Sender struct {
	Token          string
	EncodingAESKey string
	AppID          string
	// Client sends the requests (default http.DefaultClient).
	Client *http.Client
	// Now stamps the timestamp query parameter (default time.Now).
	Now func() time.Time
}

func (s *Sender) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return http.DefaultClient
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// plaintext marshals msg: []byte and json.RawMessage are used verbatim.
func plaintext(msg any) ([]byte, error) {
	switch m := msg.(type) {
	case []byte:
		return m, nil
	case json.RawMessage:
		return m, nil
	case string:
		return []byte(m), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(msg); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// withQuery appends q to target's query.
func withQuery(target string, q url.Values) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", err
	}
	all := u.Query()
	for k, vs := range q {
		all[k] = vs
	}
	u.RawQuery = all.Encode()
	return u.String(), nil
}

// Deliver POSTs one callback to target and returns nil only if the receiver
// answered 200 "success". msg is the decrypted message: a Message, any
// value marshalled as JSON, or []byte / json.RawMessage / string sent
// verbatim.
func (s *Sender) Deliver(ctx context.Context, target string, msg any) error {
	plain, err := plaintext(msg)
	if err != nil {
		return fmt.Errorf("weilingtest: marshal callback: %w", err)
	}
	enc, err := weiling.Encrypt(s.EncodingAESKey, plain, s.AppID)
	if err != nil {
		return err
	}
	ts, nonce := strconv.FormatInt(s.now().Unix(), 10), randomAlnum(16)
	u, err := withQuery(target, url.Values{
		"msg_signature": {weiling.Sign(s.Token, ts, nonce, enc)},
		"timestamp":     {ts},
		"nonce":         {nonce},
	})
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]string{"to_app": s.AppID, "encrypt_msg": enc})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	return s.expect(req, weiling.CallbackAck)
}

// VerifyURL runs weiling's URL check against target: a GET with an
// encrypted, signed echostr, which the receiver must answer with the
// decrypted plaintext.
func (s *Sender) VerifyURL(ctx context.Context, target string) error {
	want := randomAlnum(18)
	enc, err := weiling.Encrypt(s.EncodingAESKey, []byte(want), s.AppID)
	if err != nil {
		return err
	}
	ts, nonce := strconv.FormatInt(s.now().Unix(), 10), randomAlnum(16)
	u, err := withQuery(target, url.Values{
		"msg_signature": {weiling.Sign(s.Token, ts, nonce, enc)},
		"timestamp":     {ts},
		"nonce":         {nonce},
		"echostr":       {enc},
	})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	return s.expect(req, want)
}

func (s *Sender) expect(req *http.Request, want string) error {
	resp, err := s.client().Do(req)
	if err != nil {
		return fmt.Errorf("weilingtest: callback: %w", err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(got)) != want {
		return fmt.Errorf("%w: HTTP %d, body %.80q", ErrNotAcknowledged, resp.StatusCode, got)
	}
	return nil
}

// DeliverCallback encrypts and signs msg as weiling does and POSTs it to
// target (see Sender.Deliver).
func DeliverCallback(ctx context.Context, target, token, encodingAESKey, appID string, msg any) error {
	return (&Sender{Token: token, EncodingAESKey: encodingAESKey, AppID: appID}).Deliver(ctx, target, msg)
}

// VerifyCallbackURL runs weiling's GET URL check against target (see
// Sender.VerifyURL).
func VerifyCallbackURL(ctx context.Context, target, token, encodingAESKey, appID string) error {
	return (&Sender{Token: token, EncodingAESKey: encodingAESKey, AppID: appID}).VerifyURL(ctx, target)
}

// Sender returns a Sender with the fake app's callback settings.
func (s *Server) Sender() *Sender {
	return &Sender{Token: s.CallbackToken, EncodingAESKey: s.EncodingAESKey, AppID: s.AppID, Now: s.Now}
}

// DeliverCallback delivers msg to target with the fake app's callback
// settings.
func (s *Server) DeliverCallback(ctx context.Context, target string, msg any) error {
	return s.Sender().Deliver(ctx, target, msg)
}

// VerifyCallbackURL runs the URL check against target with the fake app's
// callback settings.
func (s *Server) VerifyCallbackURL(ctx context.Context, target string) error {
	return s.Sender().VerifyURL(ctx, target)
}

// ClueMessage builds the clue_add or clue_update message the vendor would
// send for a stored clue (create_time as a number, as in the vendor's
// example); changeType is added when non-empty.
func (s *Server) ClueMessage(eventType, clueID string, changeType weiling.ChangeType) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clueByID[clueID]
	if !ok {
		return Message{}, fmt.Errorf("weilingtest: no clue %q", clueID)
	}
	ev := wireObject(c)
	if changeType != "" {
		ev["change_type"] = string(changeType)
	}
	return NewMessage(eventType, s.AppID, s.Now(), ev), nil
}
