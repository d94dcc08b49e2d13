package wshototest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cluekit/cluekit/wshoto"
)

// NotifyBody builds a notify message in the documented envelope
// {"message_id","type","content","gmt_create"}, with content carried as a
// JSON string (as wshoto sends it) and gmt_create in epoch seconds.
func NotifyBody(messageID string, typ wshoto.NotifyType, content any, at time.Time) ([]byte, error) {
	inner, err := json.Marshal(content)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"message_id": json.Number(messageID),
		"type":       int(typ),
		"content":    string(inner),
		"gmt_create": at.Unix(),
	})
}

// NotifyTenantID is the tenant id the fake puts in notify messages (the
// vendor example's).
const NotifyTenantID = "wpvvCXcAAAsQgTf6tGxZNXWs0AjheY6Q"

// CustomFieldChangeNotify builds a type-21 (custom-field change) message for
// the given module keys, like the vendor's documented example.
func (s *Server) CustomFieldChangeNotify(moduleKeys ...string) ([]byte, error) {
	s.mu.Lock()
	id := s.newIDLocked()
	s.mu.Unlock()
	return NotifyBody(id, wshoto.NotifyCustomFieldChange,
		map[string]any{"tenant_id": NotifyTenantID, "module_keys": moduleKeys}, s.now())
}

// DeliverNotify POSTs a notify body to url as JSON. wshoto documents neither
// the delivery method nor the expected reply; the fake assumes a JSON POST
// and treats any 2xx answer as received.
func DeliverNotify(ctx context.Context, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("wshototest: notify: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("wshototest: notify not received: HTTP %s", strconv.Itoa(resp.StatusCode))
	}
	return nil
}
