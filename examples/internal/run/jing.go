package run

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/cluekit/cluekit/jing"
	"github.com/cluekit/cluekit/jing/jingtest"
)

func init() { Register("jing", jingLifecycle) }

// jingLifecycle: token → create users → forced refresh → one webhook.
func jingLifecycle(ctx context.Context, p *Printer, counter *Counter) (mode string, callbacks int, err error) {
	base, appID, secret := Env("JING_BASE_URL"), Env("JING_APP_ID"), Env("JING_APP_SECRET")
	mode = "live"
	var srv *jingtest.Server
	if base == "" || appID == "" || secret == "" {
		mode = "fake"
		srv = jingtest.NewServer()
		defer srv.Close()
		base, appID, secret = srv.URL, srv.AppID, srv.AppSecret
	}
	counter.TokenOps(jing.OpGetToken, jing.OpRefreshToken)
	c, err := jing.New(appID, secret, jing.WithBaseURL(base), jing.WithLogger(counter.Logger()))
	if err != nil {
		return mode, 0, err
	}

	// 1. Access token (get-token; the pair is cached).
	if _, err := c.AccessToken(ctx); err != nil {
		return mode, 0, fmt.Errorf("access token: %w", err)
	}
	p.Step("access token obtained (%s mode)", mode)

	// 2. Batch user creation, which creates a lead. The answer echoes
	// identities only, so the example relies on no created id.
	mobile, err := jingExampleMobile()
	if err != nil {
		return mode, 0, err
	}
	res, err := c.CreateUsers(ctx, &jing.CreateUsersRequest{
		ReturnFull: true,
		Users: []jing.User{{
			Identities:   []jing.Identity{{Type: jing.IdentityMobile, Value: mobile, Name: "手机号"}},
			Fields:       map[string]any{"name": "cluekit 示例"},
			FieldsSource: &jing.FieldsSource{SourceType: jing.SourceTypeThirdpartyCustom, SourceValue: "cluekit"},
		}},
	})
	if err != nil {
		return mode, 0, fmt.Errorf("create users: %w", err)
	}
	stage := ""
	if len(res.Success) > 0 && res.Success[0].LeadsInfo != nil {
		stage = res.Success[0].LeadsInfo.StageName
	}
	p.Step("created users: %d success, %d failure (stage %q, request %s)", len(res.Success), len(res.Failure), stage, res.RequestID)

	// 3. Rotate the refresh token now (normally automatic before expiry),
	// then prove the new pair works.
	if err := c.RefreshToken(ctx); err != nil {
		return mode, 0, fmt.Errorf("refresh token: %w", err)
	}
	if _, err := c.AccessToken(ctx); err != nil {
		return mode, 0, fmt.Errorf("access token after refresh: %w", err)
	}
	p.Step("refresh token rotated; new access token cached")

	// 4. One webhook, received by a local handler guarded by a URL secret.
	hookSecret, err := jingRandomHex(16)
	if err != nil {
		return mode, 0, err
	}
	var mu sync.Mutex
	var got []*jing.Event
	h := jing.NewWebhookHandler(func(_ context.Context, e *jing.Event) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e)
		return nil
	}, jing.WithWebhookSecret("token", hookSecret))
	hook := httptest.NewServer(h)
	defer hook.Close()
	hookURL, err := jingtest.WebhookURL(hook.URL, "token", hookSecret)
	if err != nil {
		return mode, 0, err
	}
	var body []byte
	if u, ok := jingFindFakeUser(srv, mobile); ok {
		body = srv.ObjectCreateEvent(u)
	} else {
		// Live: the platform cannot reach this local handler, so deliver a
		// self-made event in the vendor's shape.
		body = jingSelfMadeEvent(mobile)
	}
	if err := jingtest.DeliverWebhook(ctx, hookURL, body); err != nil {
		return mode, 0, fmt.Errorf("webhook: %w", err)
	}
	mu.Lock()
	n := len(got)
	mu.Unlock()
	if n != 1 {
		return mode, n, fmt.Errorf("webhook: handler saw %d events, want 1", n)
	}
	e := got[0]
	_, name, _ := e.ExtraData.Change("name")
	p.Step("webhook %s on %s %s acknowledged (name %s, dedupe key %.12s…)", e.EventType, e.ExtraData.ObjectName, e.ExtraData.EntityID, jingDeref(name), e.DedupeKey())
	return mode, n, nil
}

func jingFindFakeUser(srv *jingtest.Server, mobile string) (jingtest.User, bool) {
	if srv == nil {
		return jingtest.User{}, false
	}
	return srv.FindUser(jing.IdentityMobile, mobile)
}

func jingSelfMadeEvent(mobile string) []byte {
	now := time.Now()
	ts := now.In(time.FixedZone("CST", 8*3600)).Format(time.DateTime)
	entity := jingtest.NewID()
	return fmt.Appendf(nil, `{"mid":"0","event_category":"object_v2","event_type":"object_create","action_keyword":"object_create","create_time":%d,`+
		`"extra_data":{"object_id":"56","object_name":"lead","entity_id":%q,"operator_type":0,"operator_id":0,"omni_user_uuid":"","is_follow_up":0,"notes":"",`+
		`"business_type":"","created_timestamp":%q,"owner":null,"life_status":"baby_lead","lead_omni_user_uuid":"",`+
		`"mapping_data":{"name":["cluekit 示例"],"mobile":[%q],"life_status":["baby_lead"]},"mapping_data_text":{"name":"cluekit 示例","mobile":%q,"life_status":"初始线索"}}}`,
		now.Unix(), entity, ts, mobile, mobile)
}

// jingExampleMobile returns a random mainland mobile number (196xxxxxxxx).
func jingExampleMobile() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return "", errors.New("no randomness")
	}
	return fmt.Sprintf("196%08d", n.Int64()), nil
}

func jingRandomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func jingDeref(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}
