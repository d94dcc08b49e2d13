package waiqin365test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/flex"
	"github.com/cluekit/cluekit/waiqin365"
)

// PushTenantID is the tenantId NewPushForm puts in pushes (the vendor's
// example value).
const PushTenantID = "598865626837229452"

// NewPushForm builds the form of a push as 勤策 posts it, signed with
// pushSecret: a random 19-digit msgId, dataType, a dataId taken from the
// data's "id" or "lead_ID" (else random), dataVersion 001, dataFormat json,
// dataSource api, the current epoch-ms timestamp, status 0, tenantId
// PushTenantID and the digest.
//
// data is marshalled to JSON unless it is a []byte, json.RawMessage or
// string, which are sent as they are. Change fields afterwards (e.g.
// status=2 and statusTime) and call SignPushForm again if you touch data or
// timestamp.
func NewPushForm(pushSecret, dataType string, data any) (url.Values, error) {
	var raw string
	switch d := data.(type) {
	case []byte:
		raw = string(d)
	case json.RawMessage:
		raw = string(d)
	case string:
		raw = d
	default:
		b, err := flex.Marshal(data)
		if err != nil {
			return nil, fmt.Errorf("waiqin365test: push data: %w", err)
		}
		raw = string(b)
	}
	form := url.Values{}
	form.Set("msgId", randomID())
	form.Set("dataType", dataType)
	form.Set("dataId", dataID(raw))
	form.Set("dataVersion", "001")
	form.Set("dataFormat", "json")
	form.Set("dataSource", waiqin365.DataSourceAPI)
	form.Set("data", raw)
	form.Set("timestamp", strconv.FormatInt(time.Now().UnixMilli(), 10))
	form.Set("status", waiqin365.PushStatusFirst)
	form.Set("tenantId", PushTenantID)
	SignPushForm(form, pushSecret)
	return form, nil
}

// SignPushForm sets form's digest to md5(data|pushSecret|timestamp).
func SignPushForm(form url.Values, pushSecret string) {
	form.Set("digest", waiqin365.PushDigest(form.Get("data"), pushSecret, form.Get("timestamp")))
}

// DeliverPushForm posts form (application/x-www-form-urlencoded) to url the
// way 勤策 does, with its 5-second timeout, and checks the documented
// acknowledgement: HTTP 2xx and a JSON body whose return_code is 0 (number
// or string). Any other answer is an error.
func DeliverPushForm(ctx context.Context, url string, form url.Values) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("waiqin365test: push: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("waiqin365test: push: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("waiqin365test: push: reading the answer: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("waiqin365test: push not acknowledged: HTTP %d: %.200s", resp.StatusCode, bytes.TrimSpace(body))
	}
	var ack struct {
		ReturnCode flex.String `json:"return_code"`
		MsgID      string      `json:"msg_id"`
	}
	if err := json.Unmarshal(body, &ack); err != nil {
		return fmt.Errorf("waiqin365test: push answer is not JSON: %.200s", body)
	}
	if ack.ReturnCode != "0" {
		return fmt.Errorf("waiqin365test: push not acknowledged: return_code %q", string(ack.ReturnCode))
	}
	if ack.MsgID != form.Get("msgId") {
		return errors.New("waiqin365test: push acknowledged with another msg_id")
	}
	return nil
}

// DeliverPush builds a signed push (NewPushForm) and delivers it to url
// (DeliverPushForm).
func DeliverPush(ctx context.Context, url, pushSecret, dataType string, data any) error {
	form, err := NewPushForm(pushSecret, dataType, data)
	if err != nil {
		return err
	}
	return DeliverPushForm(ctx, url, form)
}

func dataID(raw string) string {
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(raw), &m) == nil {
		for _, k := range []string{"id", "lead_ID"} {
			var s flex.String
			if v, ok := m[k]; ok && s.UnmarshalJSON(v) == nil && s != "" {
				return string(s)
			}
		}
	}
	return randomID()
}

var idBase = big.NewInt(8_000_000_000_000_000_000)

// randomID returns a random 19-digit decimal id.
func randomID() string {
	n, _ := rand.Int(rand.Reader, idBase)
	return strconv.FormatInt(1_000_000_000_000_000_000+n.Int64(), 10)
}
