package wshoto

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cluekit/cluekit/internal/flex"
)

// NotifyType is the type of a notify message.
type NotifyType int

// Known notify types.
const (
	// NotifyCustomFieldChange (21): custom fields of some modules changed;
	// Notify.CustomFieldChange holds the content.
	NotifyCustomFieldChange NotifyType = 21
	// NotifySensitiveChat (41): a sensitive word was hit. Its content is
	// not documented; read Notify.Content.
	NotifySensitiveChat NotifyType = 41
)

// Module keys of a custom-field change (CustomFieldChange.ModuleKeys).
const (
	ModuleClue        = "clue"
	ModuleOrder       = "order"
	ModuleCompany     = "company"
	ModuleCustomer    = "customer"
	ModuleReturned    = "returned"
	ModuleOpportunity = "opportunity"
	ModuleQRCode      = "qrcode"
)

// Notify is one notify message:
//
//	{"message_id":"1540160872865209346","type":21,"content":"{\"tenant_id\":…}","gmt_create":1656037941}
//
// How wshoto delivers these (URL registration, method, signature, expected
// reply, retries) is not documented, so the SDK offers no handler and no
// verification: authenticate deliveries yourself, for example with a secret
// path in the callback URL or an IP allow-list, and deduplicate on
// MessageID, since deliveries may repeat.
type Notify struct {
	MessageID string     // 19-digit message id, exact; the dedupe key
	Type      NotifyType // event type
	// Content is the payload, the JSON that "content" carries as a string
	// (the raw JSON as is, if it arrives unquoted).
	Content   json.RawMessage
	GmtCreate Time // when the message was created (wshoto sends epoch seconds)
	// CustomFieldChange is set for NotifyCustomFieldChange.
	CustomFieldChange *CustomFieldChange
}

// DedupeKey identifies the message for deduplication: its message_id.
// wshoto may deliver a message more than once; handle each key once.
func (n *Notify) DedupeKey() string { return n.MessageID }

// CustomFieldChange is the content of a type-21 message.
type CustomFieldChange struct {
	TenantID   string   `json:"tenant_id"`
	ModuleKeys []string `json:"module_keys"` // Module... constants
}

// ParseNotify decodes a notify message body. The content of type 21 is
// decoded into CustomFieldChange; every other type keeps its content raw
// in Content. It never panics on malformed input.
func ParseNotify(body []byte) (*Notify, error) {
	var w struct {
		MessageID *flex.String  `json:"message_id"`
		Type      *flex.Int64   `json:"type"`
		Content   flex.Embedded `json:"content"`
		GmtCreate Time          `json:"gmt_create"`
	}
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return nil, errors.New("wshoto: notify: body is not a JSON object")
	}
	if err := flex.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("wshoto: notify: %w", err)
	}
	if w.MessageID == nil || *w.MessageID == "" {
		return nil, errors.New("wshoto: notify: message_id is missing")
	}
	if w.Type == nil {
		return nil, errors.New("wshoto: notify: type is missing")
	}
	n := &Notify{MessageID: string(*w.MessageID), Type: NotifyType(*w.Type), GmtCreate: w.GmtCreate}
	if len(w.Content) > 0 {
		n.Content = json.RawMessage(append([]byte(nil), w.Content...))
	}
	if n.Type == NotifyCustomFieldChange && len(n.Content) > 0 {
		var c CustomFieldChange
		if err := flex.Unmarshal(n.Content, &c); err != nil {
			return nil, fmt.Errorf("wshoto: notify: type 21 content: %w", err)
		}
		n.CustomFieldChange = &c
	}
	return n, nil
}
