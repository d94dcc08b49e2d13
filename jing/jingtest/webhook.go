package jingtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/jing"
)

// ObjectCreateEvent builds the object_create lead event the vendor would
// push for u, in the shape of the vendor's example: mapping_data holds
// 1-element arrays, mapping_data_text plain labels.
func (s *Server) ObjectCreateEvent(u User) []byte {
	now := s.now()
	ts := now.In(jing.CST).Format(time.DateTime)
	const businessType = "WNh7rwLXUQPFwACQ6EKPqD"
	md := map[string]any{
		"business_type":          []string{businessType},
		"lead_pool":              []string{"market"},
		"life_status":            []string{"baby_lead"},
		"to_baby_lead_timestamp": []string{ts},
	}
	mdt := map[string]any{
		"business_type":          "Default",
		"lead_pool":              "市场公海",
		"life_status":            DefaultStageName,
		"to_baby_lead_timestamp": ts,
	}
	for _, id := range u.Identities {
		if id.Type == jing.IdentityMobile {
			md["mobile"], mdt["mobile"] = []string{id.Value}, id.Value
		}
	}
	keys := make([]string, 0, len(u.Fields))
	for k := range u.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		md[k], mdt[k] = []any{u.Fields[k]}, fmt.Sprint(u.Fields[k])
	}
	ev := map[string]any{
		"mid":            s.MID,
		"event_category": jing.CategoryObjectV2,
		"event_type":     string(jing.EventObjectCreate),
		"action_keyword": string(jing.EventObjectCreate),
		"create_time":    now.Unix(),
		"extra_data": map[string]any{
			"object_id": "56", "object_name": jing.ObjectLead, "entity_id": u.LeadID,
			"operator_type": 0, "operator_id": 0, "omni_user_uuid": "", "is_follow_up": 0, "notes": "",
			"login_platform": "", "login_source_value": "", "login_source_type": "", "login_environment": "",
			"timeline_data": map[string]string{"login_platform": "", "login_environment": "", "login_source_type": "", "login_source_name": ""},
			"business_type": businessType, "created_timestamp": ts, "owner": nil,
			"life_status": "baby_lead", "lead_omni_user_uuid": u.ID,
			"mapping_data": md, "mapping_data_text": mdt, "business_type_name": "Default",
		},
	}
	b, _ := flex.Marshal(ev)
	return b
}

// DeliverWebhook posts ev to url like the vendor (POST, application/json)
// and counts it when acknowledged with a 2xx. See the package-level
// DeliverWebhook.
func (s *Server) DeliverWebhook(ctx context.Context, url string, ev any) error {
	if err := DeliverWebhook(ctx, url, ev); err != nil {
		return err
	}
	s.mu.Lock()
	s.deliveries++
	s.mu.Unlock()
	return nil
}

// DeliverWebhook posts ev to url as a JSON webhook. ev may be the body
// ([]byte, json.RawMessage or string, sent verbatim), a *jing.Event (its Raw
// when set) or any value to marshal. Add a shared secret to url with
// WebhookURL. A non-2xx answer is an error.
func DeliverWebhook(ctx context.Context, url string, ev any) error {
	var body []byte
	switch v := ev.(type) {
	case []byte:
		body = v
	case json.RawMessage:
		body = v
	case string:
		body = []byte(v)
	case *jing.Event:
		if v == nil {
			return errors.New("jingtest: DeliverWebhook: nil event")
		}
		body = v.Raw
	}
	if body == nil {
		b, err := flex.Marshal(ev)
		if err != nil {
			return fmt.Errorf("jingtest: DeliverWebhook: %w", err)
		}
		body = b
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("jingtest: DeliverWebhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		var ue *neturlError
		if errors.As(err, &ue) {
			err = ue.Err // the URL may carry the secret
		}
		return fmt.Errorf("jingtest: DeliverWebhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("jingtest: DeliverWebhook: HTTP %d", resp.StatusCode)
	}
	return nil
}

type neturlError = url.Error

// WebhookURL returns base with the query parameter jing.WebhookSecretParam
// set to secret: the URL to register (and deliver to) for a handler built
// with jing.WithWebhookSecret(secret).
func WebhookURL(base, secret string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set(jing.WebhookSecretParam, secret)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
