package weilingtest_test

//lint:file-ignore SA1019 the fake serves the clue APIs the vendor marks deprecated

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/weiling"
	"github.com/cluekit/cluekit/weiling/weilingtest"
)

var idRE = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// newPair starts a fake and a client sharing a settable clock.
func newPair(t *testing.T, sopts []weilingtest.Option, copts ...weiling.Option) (*weilingtest.Server, *weiling.Client, *weilingtest.Clock) {
	t.Helper()
	clock := weilingtest.NewClock()
	srv := weilingtest.NewServer(append([]weilingtest.Option{weilingtest.WithClock(clock.Now)}, sopts...)...)
	t.Cleanup(srv.Close)
	opts := append([]weiling.Option{weiling.WithBaseURL(srv.URL), weiling.WithClock(clock.Now), core.WithSleep((&testkit.Sleeper{}).Sleep)}, copts...)
	c, err := weiling.New(srv.AppID, srv.AppSecret, opts...)
	require.NoError(t, err)
	return srv, c, clock
}

// handler builds a callback handler or fails the test.
func handler(t *testing.T, token, key string, fn func(context.Context, *weiling.Event) error, opts ...weiling.Option) http.Handler {
	t.Helper()
	h, err := weiling.NewCallbackHandler(token, key, fn, opts...)
	require.NoError(t, err)
	return h
}

// raw calls the fake without the SDK.
func raw(t *testing.T, method, u, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return m
}

func TestNewIDAndKeys(t *testing.T) {
	t.Parallel()
	assert.Regexp(t, idRE, weilingtest.NewID())
	assert.NotEqual(t, weilingtest.NewID(), weilingtest.NewID())
	require.NoError(t, weiling.CheckEncodingAESKey(weilingtest.NewEncodingAESKey()))
	assert.Regexp(t, `^[A-Za-z0-9]{32}$`, weilingtest.NewCallbackToken())
	def := weilingtest.NewServer()
	defer def.Close()
	assert.Equal(t, weilingtest.DefaultAppID, def.AppID)
	assert.Equal(t, weilingtest.DefaultAppSecret, def.AppSecret)
	assert.Equal(t, weilingtest.DefaultCallbackToken, def.CallbackToken)
	assert.Equal(t, weilingtest.DefaultEncodingAESKey, def.EncodingAESKey)
	require.NoError(t, weiling.CheckEncodingAESKey(weilingtest.DefaultEncodingAESKey))
	srv := weilingtest.NewServer(weilingtest.WithCredentials("wloa1", "sec"), weilingtest.WithCallbackSettings("tok", "key"))
	defer srv.Close()
	assert.Equal(t, "wloa1", srv.AppID)
	assert.Equal(t, "sec", srv.AppSecret)
	assert.Equal(t, "tok", srv.CallbackToken)
	assert.Equal(t, "key", srv.EncodingAESKey)
	assert.Regexp(t, idRE, srv.UserID)
}

func TestFakeTokenEndpoint(t *testing.T) {
	t.Parallel()
	clock := weilingtest.NewClock()
	srv := weilingtest.NewServer(weilingtest.WithExpiresIn(), weilingtest.WithTokenTTL(time.Hour), weilingtest.WithClock(clock.Now))
	defer srv.Close()
	base := srv.URL + "/openapi/auth/access_token/get"
	m := raw(t, http.MethodGet, base+"?app_id="+srv.AppID+"&app_secret="+srv.AppSecret, "")
	assert.EqualValues(t, 0, m["code"])
	data := m["data"].(map[string]any)
	assert.NotEmpty(t, data["access_token"])
	assert.EqualValues(t, 3600, data["expires_in"])
	assert.EqualValues(t, 501, raw(t, http.MethodGet, base+"?app_id="+srv.AppID+"&app_secret=wrong", "")["code"])
	assert.EqualValues(t, 1001, raw(t, http.MethodGet, base+"?appid="+srv.AppID+"&app_secret="+srv.AppSecret, "")["code"])
	assert.EqualValues(t, 1010, raw(t, http.MethodPost, base+"?app_id="+srv.AppID+"&app_secret="+srv.AppSecret, "")["code"])
	assert.Equal(t, 4, srv.TokenRequests())

	// API calls without a valid token are refused, like the vendor.
	list := srv.URL + "/openapi/contact/list?start_day=2024-01-01&end_day=2024-01-02"
	assert.EqualValues(t, 1007, raw(t, http.MethodGet, list, "")["code"])
	assert.EqualValues(t, 1007, raw(t, http.MethodGet, list+"&access_token=forged", "")["code"])
	tok := data["access_token"].(string)
	assert.EqualValues(t, 1006, raw(t, http.MethodGet, list+"&access_token="+tok, "")["code"])
	assert.EqualValues(t, 1010, raw(t, http.MethodPost, list+"&access_token="+tok, "{}")["code"])
	assert.EqualValues(t, 1011, raw(t, http.MethodPost, srv.URL+"/openapi/contact/batch?access_token="+tok, "{nope")["code"])
	clock.Advance(time.Hour)
	assert.EqualValues(t, 1007, raw(t, http.MethodGet, list+"&access_token="+tok, "")["code"], "expired")
}

func TestFakeTokenExpiryAndInvalidation(t *testing.T) {
	t.Parallel()
	for _, code := range []int{1007, 403} {
		srv, c, clock := newPair(t, []weilingtest.Option{weilingtest.WithInvalidTokenCode(code)})
		ctx := context.Background()
		day := weiling.Day(srv.Now())
		req := &weiling.ListContactsRequest{StartDay: day, EndDay: day}
		_, err := c.ListContacts(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, 1, srv.TokenRequests())

		clock.Advance(116 * time.Minute) // refreshed before the 2 h expiry
		_, err = c.ListContacts(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, 2, srv.TokenRequests())

		srv.InvalidateTokens() // the vendor revokes: refresh once, replay once
		_, err = c.ListContacts(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, 3, srv.TokenRequests())
		assert.Equal(t, 4, srv.Requests("contact/list"))
	}
}

func TestFakeContactLifecycle(t *testing.T) {
	t.Parallel()
	srv, c, _ := newPair(t, []weilingtest.Option{weilingtest.WithPageSize(2)})
	ctx := context.Background()
	ids := []string{}
	for i := range 5 {
		res, err := c.CreateContact(ctx, &weiling.CreateContactRequest{
			UserName: "c" + string(rune('a'+i)), Status: weiling.Ptr(weiling.ContactClaimed), OwnerID: srv.UserID,
			ContactWays: []weiling.ContactWay{{Type: weiling.ContactWayMobile, ContactWay: "1380000000" + string(rune('0'+i))}},
			CorpName:    "公司", PopulationSize: weiling.Ptr(weiling.Population0To19), QQ: "123",
		})
		require.NoError(t, err)
		assert.Regexp(t, idRE, res.ContactID)
		ids = append(ids, res.ContactID)
	}
	day := weiling.Day(srv.Now())
	var listed []string
	for ct, err := range c.AllContacts(ctx, &weiling.ListContactsRequest{StartDay: day, EndDay: day}) {
		require.NoError(t, err)
		listed = append(listed, ct.ContactID)
	}
	assert.Equal(t, ids, listed)
	assert.Equal(t, 4, srv.Requests("contact/list"), "3 pages, then 1006")

	// Other days and owners are filtered out.
	page, err := c.ListContacts(ctx, &weiling.ListContactsRequest{StartDay: "2000-01-01", EndDay: "2000-01-02"})
	require.NoError(t, err)
	assert.True(t, page.Done)
	page, err = c.ListContacts(ctx, &weiling.ListContactsRequest{StartDay: day, EndDay: day, OwnerID: "someone-else"})
	require.NoError(t, err)
	assert.True(t, page.Done)
	_, err = c.ListContacts(ctx, &weiling.ListContactsRequest{StartDay: day, EndDay: day, Cursor: "garbage!"})
	require.ErrorIs(t, err, weiling.ErrInvalidParam)

	batch, err := c.BatchGetContacts(ctx, &weiling.BatchGetContactsRequest{ContactIDs: []string{ids[0], "unknown"}})
	require.NoError(t, err)
	got := batch.Contacts
	require.Len(t, got, 1)
	assert.Equal(t, "ca", got[0].UserName)
	assert.Equal(t, "公司", got[0].CorpName)
	assert.Equal(t, weiling.Population0To19, got[0].PopulationSize)
	assert.JSONEq(t, `"123"`, string(got[0].Extra["qq"]))

	_, err = c.EditContact(ctx, &weiling.EditContactRequest{ContactID: ids[0], Position: "经理", Remark: "r", Gender: weiling.GenderMale})
	require.NoError(t, err)
	_, err = c.EditContact(ctx, &weiling.EditContactRequest{ContactID: "unknown"})
	require.ErrorIs(t, err, weiling.ErrNotFound)

	other := weilingtest.NewID()
	res, err := c.ChangeContactOwner(ctx, &weiling.ChangeOwnerRequest{Changes: []weiling.OwnerChange{{ID: ids[0], OwnerID: other}, {ID: "unknown", OwnerID: other}}, OperatorUserID: srv.UserID})
	require.ErrorIs(t, err, weiling.ErrNotFound)
	require.Len(t, res.Failed, 1)
	assert.Equal(t, "unknown", res.Failed[0].ID)

	_, err = c.DisuseContacts(ctx, &weiling.DisuseContactsRequest{ContactIDs: ids[:2]})
	require.NoError(t, err)
	res, err = c.DisuseContacts(ctx, &weiling.DisuseContactsRequest{ContactIDs: ids[:1]})
	require.ErrorIs(t, err, weiling.ErrDuplicate, "already discarded")
	assert.Equal(t, ids[0], res.Failed[0].ID)
	_, err = c.RecoverContacts(ctx, &weiling.RecoverContactsRequest{ContactIDs: ids[:2]})
	require.NoError(t, err)
	_, err = c.BackContactsToSea(ctx, &weiling.BackContactsToSeaRequest{ContactIDs: ids[:1]})
	require.NoError(t, err)

	ct, ok := srv.Contact(ids[0])
	require.True(t, ok)
	assert.Equal(t, "经理", ct.Position)
	assert.Equal(t, weiling.GenderMale, ct.Gender)
	assert.Equal(t, weiling.ContactInSea, ct.Status)
	assert.Equal(t, "", ct.OwnerID)
	assert.False(t, bool(ct.IsUseless))
	assert.JSONEq(t, `"`+srv.SeaID+`"`, string(ct.Extra["sea_id"]))
	assert.Len(t, srv.Contacts(), 5)
}

func TestFakeCreateRules(t *testing.T) {
	t.Parallel()
	srv, c, _ := newPair(t, nil)
	ctx := context.Background()
	// Bypass the SDK's own validation with Do: the fake enforces the rules.
	err := c.Do(ctx, http.MethodPost, "/openapi/contact/create", map[string]any{"user_name": "x"}, nil)
	require.ErrorIs(t, err, weiling.ErrInvalidParam)
	var apiErr *weiling.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "1000", apiErr.Code)
	err = c.Do(ctx, http.MethodPost, "/openapi/contact/create", map[string]any{"status": 2}, nil)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "1013", apiErr.Code)
	err = c.Do(ctx, http.MethodPost, "/openapi/contact/create", map[string]any{"status": 1, "contact_ways": []map[string]any{{"type": 9, "contact_way": "x"}}}, nil)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "1013", apiErr.Code)
	assert.Empty(t, srv.Contacts())
}

func TestFakeWithoutCreatedIDs(t *testing.T) {
	t.Parallel()
	srv, c, _ := newPair(t, []weilingtest.Option{weilingtest.WithoutCreatedIDs()})
	res, err := c.CreateContact(context.Background(), &weiling.CreateContactRequest{UserName: "x", Status: weiling.Ptr(weiling.ContactInSea)})
	require.NoError(t, err)
	assert.Empty(t, res.ContactID)
	require.Len(t, srv.Contacts(), 1)
}

func TestFakeDisuseKey(t *testing.T) {
	t.Parallel()
	srv, c, _ := newPair(t, []weilingtest.Option{weilingtest.WithDisuseContactsKey("contact_ids")})
	id := srv.AddContact(weiling.Contact{UserName: "x"})
	_, err := c.DisuseContacts(context.Background(), &weiling.DisuseContactsRequest{ContactIDs: []string{id}})
	var apiErr *weiling.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "1000", apiErr.Code, "this server does not read contatc_ids")

	c2, err := weiling.New(srv.AppID, srv.AppSecret, weiling.WithBaseURL(srv.URL), weiling.WithDisuseContactIDsKey())
	require.NoError(t, err)
	_, err = c2.DisuseContacts(context.Background(), &weiling.DisuseContactsRequest{ContactIDs: []string{id}})
	require.NoError(t, err)
	ct, _ := srv.Contact(id)
	assert.True(t, bool(ct.IsUseless))
}

func TestFakeClues(t *testing.T) {
	t.Parallel()
	srv, c, _ := newPair(t, []weilingtest.Option{weilingtest.WithPageSize(2)})
	ctx := context.Background()
	t0 := srv.Now().Add(-time.Hour)
	a := srv.AddClue(weiling.Clue{UserName: "a", Mobile: "13800000001", Status: weiling.ClueClaimed, OwnerID: srv.UserID, CreateTime: weiling.UnixMillis(t0.UnixMilli())})
	b := srv.AddClue(weiling.Clue{UserName: "b", Mobile: "13800000002", Status: weiling.ClueInSea})
	cc := srv.AddClue(weiling.Clue{UserName: "c", Mobile: "13800000003", Status: weiling.ClueClaimed, OwnerID: "other"})
	assert.Regexp(t, idRE, a)

	var names []string
	for cl, err := range c.AllClues(ctx, nil) {
		require.NoError(t, err)
		names = append(names, cl.UserName)
	}
	assert.Equal(t, []string{"a", "b", "c"}, names)
	page, err := c.ListClues(ctx, &weiling.ListCluesRequest{Start: t0})
	require.NoError(t, err)
	assert.Len(t, page.Clues, 2, "created after start only")
	page, err = c.ListClues(ctx, &weiling.ListCluesRequest{Mobile: "13800000003"})
	require.NoError(t, err)
	require.Len(t, page.Clues, 1)
	assert.Equal(t, cc, page.Clues[0].ClueID)
	page, err = c.ListClues(ctx, &weiling.ListCluesRequest{OwnerID: srv.UserID})
	require.NoError(t, err)
	require.Len(t, page.Clues, 1)
	assert.Equal(t, t0.UnixMilli(), int64(page.Clues[0].CreateTime), "create_time sent as a string")

	res, err := c.ChangeClueOwner(ctx, &weiling.ChangeOwnerRequest{Changes: []weiling.OwnerChange{{ID: a, OwnerID: "new"}, {ID: b, OwnerID: "new"}}})
	require.Error(t, err, "a clue in the public pool cannot be transferred")
	require.Len(t, res.Failed, 1)
	assert.Equal(t, b, res.Failed[0].ID)
	assert.Equal(t, "1005", res.Failed[0].Code)

	_, err = c.UpdateClues(ctx, &weiling.UpdateCluesRequest{Clues: []weiling.ClueUpdate{{ClueID: a, Position: "CTO", Remark: "r", ClueCustomField: map[string]any{"f": "v"}}}})
	require.NoError(t, err)
	res, err = c.DisuseClues(ctx, &weiling.DisuseCluesRequest{ClueIDs: []string{a, "nope"}})
	require.ErrorIs(t, err, weiling.ErrNotFound)
	assert.Equal(t, "nope", res.Failed[0].ID)
	res, err = c.RecoverClues(ctx, &weiling.RecoverCluesRequest{ClueIDs: []string{a}})
	require.NoError(t, err)
	assert.Equal(t, a, res.Succeeded[0].ID)
	res, err = c.BackCluesToSea(ctx, &weiling.BackCluesToSeaRequest{ClueIDs: []string{a}, SeaID: "sea-2"})
	require.NoError(t, err)
	assert.Equal(t, a, res.Succeeded[0].ID)

	gotRes, err := c.BatchGetClues(ctx, &weiling.BatchGetCluesRequest{ClueIDs: []string{a}})
	require.NoError(t, err)
	got := gotRes.Clues
	require.Len(t, got, 1)
	assert.Equal(t, "CTO", got[0].Position)
	assert.Equal(t, weiling.ClueInSea, got[0].Status)
	assert.Equal(t, "sea-2", got[0].SeaID)
	assert.Empty(t, got[0].OwnerID)
	assert.JSONEq(t, `"r"`, string(got[0].Extra["remark"]))
	assert.JSONEq(t, `{"f":"v"}`, string(got[0].Extra["clue_custom_field"]))
}

func TestFakeFaults(t *testing.T) {
	t.Parallel()
	srv, c, _ := newPair(t, nil)
	ctx := context.Background()
	srv.Faults.Add(weilingtest.Fault{Op: weiling.TokenOp, Status: 503}, weilingtest.Fault{Op: "contact/batch", Body: []byte(`{"code":1009,"msg":"接口调用超过频率限制"}`)})
	_, err := c.BatchGetContacts(ctx, &weiling.BatchGetContactsRequest{ContactIDs: []string{"x"}})
	require.NoError(t, err, "both faults retried")
	assert.Equal(t, 2, srv.Requests(weiling.TokenOp), "two token attempts")
	assert.Equal(t, 1, srv.TokenRequests(), "one reached the token logic")
	assert.Equal(t, 2, srv.Requests("contact/batch"))

	// A reset after the create took effect: ambiguous, not retried, and the
	// contact exists.
	srv.Faults.Add(weilingtest.Fault{Op: "contact/create", Reset: true, AfterApply: true})
	_, err = c.CreateContact(ctx, &weiling.CreateContactRequest{UserName: "amb", Status: weiling.Ptr(weiling.ContactUnassigned)})
	require.ErrorIs(t, err, weiling.ErrAmbiguous)
	assert.Equal(t, 1, srv.Requests("contact/create"))
	require.Len(t, srv.Contacts(), 1)

	srv.Faults.Add(weilingtest.Fault{Op: "clue/list", Status: 500, Body: []byte(`<html>oops</html>`)})
	_, err = c.ListClues(ctx, nil)
	require.Error(t, err)
}

func TestFakeCallbacks(t *testing.T) {
	t.Parallel()
	srv := weilingtest.NewServer()
	defer srv.Close()
	var got []*weiling.Event
	hs := httptest.NewServer(handler(t, srv.CallbackToken, srv.EncodingAESKey, func(_ context.Context, e *weiling.Event) error {
		got = append(got, e)
		return nil
	}, weiling.WithCallbackAppID(srv.AppID)))
	defer hs.Close()
	ctx := context.Background()
	require.NoError(t, srv.VerifyCallbackURL(ctx, hs.URL))
	id := srv.AddClue(weiling.Clue{UserName: "小穆", Mobile: "18856427333", IsRepeat: true, AddSource: &weiling.AddSource{Type: 4, Name: "注册加微"}})
	msg, err := srv.ClueMessage(weiling.EventClueAdd, id, "")
	require.NoError(t, err)
	require.NoError(t, srv.DeliverCallback(ctx, hs.URL+"/?keep=1", msg))
	require.Len(t, got, 1)
	e := got[0]
	assert.Equal(t, weiling.EventClueAdd, e.Type)
	assert.Equal(t, srv.AppID, e.ToApp)
	assert.Equal(t, srv.AppID, e.ReceiveID)
	assert.Equal(t, id, e.Clue.ClueID)
	assert.True(t, bool(e.Clue.IsRepeat))
	assert.Equal(t, "注册加微", e.Clue.AddSource.Name)
	assert.Empty(t, e.Clue.ChangeType)
	assert.WithinDuration(t, srv.Now(), e.Time(), time.Minute, "header stamped by the fake clock")

	_, err = srv.ClueMessage(weiling.EventClueUpdate, "nope", weiling.ChangeStatus)
	require.Error(t, err)

	// A raw message is sent verbatim.
	require.NoError(t, srv.DeliverCallback(ctx, hs.URL, []byte(`{"header":{"event_type":"progress_add","time_stamp":"1","to_app":"`+srv.AppID+`"},"event":{"x":1}}`)))
	assert.Equal(t, weiling.EventProgressAdd, got[1].Type)

	// Another app's handler rejects it.
	other := httptest.NewServer(handler(t, srv.CallbackToken, srv.EncodingAESKey, func(context.Context, *weiling.Event) error { return nil }, weiling.WithCallbackAppID("wloa-other")))
	defer other.Close()
	err = srv.DeliverCallback(ctx, other.URL, msg)
	require.True(t, errors.Is(err, weilingtest.ErrNotAcknowledged))
}

func TestFakeLiveTokens(t *testing.T) {
	t.Parallel()
	srv, c, clock := newPair(t, nil)
	assert.Empty(t, srv.LiveTokens())
	tok, err := c.AccessToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{tok}, srv.LiveTokens())
	srv.InvalidateTokens()
	assert.Empty(t, srv.LiveTokens(), "invalidated tokens are not live")
	tok2 := raw(t, http.MethodGet, srv.URL+"/openapi/auth/access_token/get?app_id="+srv.AppID+"&app_secret="+srv.AppSecret, "")
	data, _ := tok2["data"].(map[string]any)
	assert.Equal(t, []string{data["access_token"].(string)}, srv.LiveTokens())
	clock.Advance(srv.TokenTTL)
	assert.Empty(t, srv.LiveTokens(), "expired tokens are not live")
}
