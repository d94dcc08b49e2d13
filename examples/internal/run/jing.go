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

func init() {
	Register("jing", Vars{
		Required: []string{"JING_APP_ID", "JING_APP_SECRET"},
		Optional: []string{"JING_BASE_URL", "JING_WEBHOOK_SECRET"},
	}, runJing)
}

// jingRun is one JINGdigital lifecycle: access token → batch user creation
// (a lead) → the same user again (refused) → forced refresh-token rotation
// → one lead webhook received by a local handler.
type jingRun struct {
	s      *Session
	c      *jing.Client
	srv    *jingtest.Server // the fake; nil against the real platform
	mobile string           // the user this run creates
	made   bool             // the user was created
}

func runJing(ctx context.Context, s *Session) error {
	r := &jingRun{s: s}
	if err := r.connect(); err != nil {
		return err
	}
	if r.srv != nil {
		defer r.srv.Close()
	}
	for _, step := range []func(context.Context) error{r.token, r.createUser, r.createAgain, r.rotate, r.webhook, r.cleanup} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// connect builds the client: on the fake with its default credentials, or
// on the real platform with the environment's.
func (r *jingRun) connect() error {
	appID, secret, base := r.s.Get("JING_APP_ID"), r.s.Get("JING_APP_SECRET"), r.s.Get("JING_BASE_URL")
	if !r.s.Live && !r.s.DryRun {
		r.srv = jingtest.NewServer()
		appID, secret, base = jingtest.DefaultAppID, jingtest.DefaultAppSecret, r.srv.URL
	}
	opts := []jing.Option{jing.WithObserver(r.s.Observer)}
	if base != "" {
		opts = append(opts, jing.WithBaseURL(base))
	}
	c, err := jing.New(appID, secret, opts...)
	if err != nil {
		return err
	}
	r.c = c
	mobile, err := jingMobile()
	r.mobile = mobile
	return err
}

// token obtains the pair. A get-token ends the refresh token that other
// processes of the same app hold (they fall back to get-token), so a dry
// run only lists it.
func (r *jingRun) token(ctx context.Context) error {
	if !r.s.Change("obtain an access token (other processes of this app then fall back to get-token once)") {
		return nil
	}
	if _, err := r.c.AccessToken(ctx); err != nil {
		return fmt.Errorf("access token: %w", err)
	}
	r.s.Step("obtained an access token and its refresh token")
	return nil
}

func (r *jingRun) users(identityName string) *jing.CreateUsersRequest {
	return &jing.CreateUsersRequest{ReturnFull: true, Users: []jing.User{{
		Identities:   []jing.Identity{{Type: jing.IdentityMobile, Value: r.mobile, Name: identityName}},
		Fields:       map[string]any{jing.FieldName: "cluekit 示例"},
		FieldsSource: &jing.FieldsSource{SourceType: jing.SourceTypeThirdpartyCustom, SourceValue: "cluekit"},
	}}}
}

// createUser creates one user, which creates a lead.
func (r *jingRun) createUser(ctx context.Context) error {
	if !r.s.Change("create user %s (a lead) with CreateUsers", r.mobile) {
		return nil
	}
	res, err := r.c.CreateUsers(ctx, r.users("手机号"))
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	r.made = true
	stage := jing.String("-")
	if len(res.Success) == 1 && res.Success[0].LeadsInfo != nil {
		stage = res.Success[0].LeadsInfo.StageName
	}
	r.s.Step("created user %s (lead stage %s, request %s)", r.mobile, stage, res.RequestID)
	return nil
}

// createAgain shows a refused user: the result comes with a *BatchError.
// Only on the fake: the live tenant's duplicate rule is not documented.
func (r *jingRun) createAgain(ctx context.Context) error {
	if r.srv == nil || !r.made {
		r.s.Skip("creating user %s again to show a refused user: only on the fake (a live tenant might create a second lead)", r.mobile)
		return nil
	}
	res, err := r.c.CreateUsers(ctx, r.users(""))
	var batchErr *jing.BatchError
	if !errors.As(err, &batchErr) {
		return fmt.Errorf("create the same user again: want a refused user, got %v", err)
	}
	r.s.Step("created user %s again: refused (%s), %s, %s", r.mobile, batchErr.Failed[0].Message,
		Plural(len(res.Success), "user")+" created", Plural(len(batchErr.Failed), "user")+" refused")
	return nil
}

// rotate rotates the refresh token now (normally automatic before expiry)
// and proves the new pair works.
func (r *jingRun) rotate(ctx context.Context) error {
	if !r.s.Change("rotate the app's refresh token") {
		return nil
	}
	if err := r.c.RefreshToken(ctx); err != nil {
		return fmt.Errorf("refresh token: %w", err)
	}
	if _, err := r.c.AccessToken(ctx); err != nil {
		return fmt.Errorf("access token after the rotation: %w", err)
	}
	r.s.Step("rotated the refresh token; the new access token is cached")
	return nil
}

// webhook receives one lead event on a local handler guarded by a URL
// secret: from the fake, or (live, where the platform cannot reach this
// machine) a self-made event in the vendor's shape. No vendor data changes.
func (r *jingRun) webhook(ctx context.Context) error {
	secret := r.s.Get("JING_WEBHOOK_SECRET")
	if secret == "" {
		secret = jingRandomHex(16)
	}
	var mu sync.Mutex
	var got []*jing.Event
	h, err := jing.NewWebhookHandler(func(_ context.Context, e *jing.Event) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e)
		return nil
	}, jing.WithWebhookSecret(secret), jing.WithObserver(r.s.Observer))
	if err != nil {
		return err
	}
	hook := httptest.NewServer(h)
	defer hook.Close()
	url, err := jingtest.WebhookURL(hook.URL, secret)
	if err != nil {
		return err
	}
	if err := r.deliver(ctx, url); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		return fmt.Errorf("webhook: the handler saw %s, want 1", Plural(len(got), "event"))
	}
	r.s.Callback()
	e := got[0]
	_, name, _ := e.ExtraData.Change(jing.FieldName)
	from := "delivered by the fake"
	if r.srv == nil {
		from = "self-made and delivered locally: the platform cannot reach this machine"
	}
	r.s.Step("received webhook %s for %s %s (name %s, dedupe key %.12s…; %s)", e.EventType, e.ExtraData.ObjectName,
		e.ExtraData.EntityID, jingDeref(name), e.DedupeKey(), from)
	return nil
}

func (r *jingRun) deliver(ctx context.Context, url string) error {
	if u, ok := r.fakeUser(); ok {
		return r.srv.DeliverWebhook(ctx, url, r.srv.ObjectCreateEvent(u))
	}
	return jingtest.DeliverWebhook(ctx, url, jingSelfMadeEvent(r.mobile))
}

func (r *jingRun) fakeUser() (jingtest.User, bool) {
	if r.srv == nil {
		return jingtest.User{}, false
	}
	return r.srv.FindUser(jing.IdentityMobile, r.mobile)
}

// cleanup: the fake forgets everything; a live user cannot be removed
// through the SDK (the lead void/delete endpoints are not documented).
func (r *jingRun) cleanup(context.Context) error {
	if r.s.Live && r.made {
		r.s.Skip("removing user %s: JINGdigital documents no typed void/delete endpoint; void its lead in the console", r.mobile)
	}
	return nil
}

// jingSelfMadeEvent is an object_create event in the vendor's shape.
func jingSelfMadeEvent(mobile string) []byte {
	now := time.Now()
	ts := now.In(jing.CST).Format(time.DateTime)
	return fmt.Appendf(nil, `{"mid":"0","event_category":"object_v2","event_type":"object_create","action_keyword":"object_create","create_time":%d,`+
		`"extra_data":{"object_id":"56","object_name":"lead","entity_id":%q,"operator_type":0,"operator_id":0,"omni_user_uuid":"","is_follow_up":0,"notes":"",`+
		`"business_type":"","created_timestamp":%q,"owner":null,"life_status":"baby_lead","lead_omni_user_uuid":"",`+
		`"mapping_data":{"name":["cluekit 示例"],"mobile":[%q],"life_status":["baby_lead"]},"mapping_data_text":{"name":"cluekit 示例","mobile":%q,"life_status":"初始线索"}}}`,
		now.Unix(), jingtest.NewID(), ts, mobile, mobile)
}

// jingMobile returns a random mainland mobile number (196xxxxxxxx).
func jingMobile() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return "", errors.New("no randomness")
	}
	return fmt.Sprintf("196%08d", n.Int64()), nil
}

func jingRandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func jingDeref(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}
