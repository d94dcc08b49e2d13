package run

//lint:file-ignore SA1019 the example walks the clue APIs the vendor marks deprecated

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/cluekit/cluekit/weiling"
	"github.com/cluekit/cluekit/weiling/weilingtest"
)

func init() {
	Register("weiling", Vars{
		Required: []string{"WEILING_APP_ID", "WEILING_APP_SECRET"},
		Optional: []string{"WEILING_BASE_URL", "WEILING_CALLBACK_TOKEN", "WEILING_ENCODING_AES_KEY"},
	}, runWeiling)
}

// weilingRun is one walk through the weiling lifecycle. Against the real
// vendor it changes only the contact it creates itself (and discards it at
// the end); steps that would need another record (an employee to transfer
// to, a clue: clue/create is not documented) are skipped with a line.
type weilingRun struct {
	s   *Session
	c   *weiling.Client
	srv *weilingtest.Server // the fake; nil against a real server

	appID, secret   string
	cbToken, aesKey string
	opts            []weiling.Option

	name      string // the contact this run creates
	contactID string // its id, once created
	seaID     string // a public pool known to exist ("" = the server's default)
	clue      *weiling.Clue
}

func runWeiling(ctx context.Context, s *Session) error {
	r, err := newWeilingRun(s)
	if err != nil {
		return err
	}
	if r.srv != nil {
		defer r.srv.Close()
	}
	steps := []func(context.Context) error{
		r.token, r.createContact, r.readContact, r.listContacts, r.editContact, r.changeOwner,
		r.disuseAndRecover, r.backToSea, r.revokedToken, r.listClues, r.clueChanges, r.callback,
	}
	for _, step := range steps {
		if err = step(ctx); err != nil {
			break
		}
	}
	// The contact this run created is discarded even when a step failed.
	return errors.Join(err, r.cleanup(ctx))
}

// newWeilingRun reads the environment (or starts the fake) and builds the
// client.
func newWeilingRun(s *Session) (*weilingRun, error) {
	r := &weilingRun{s: s, name: fmt.Sprintf("cluekit-example-%d", time.Now().UnixMilli())}
	r.opts = []weiling.Option{weiling.WithObserver(s.Observer), weiling.WithTimeout(20 * time.Second)}
	if s.Live || s.DryRun {
		r.appID, r.secret = s.Get("WEILING_APP_ID"), s.Get("WEILING_APP_SECRET")
		r.cbToken, r.aesKey = s.Get("WEILING_CALLBACK_TOKEN"), s.Get("WEILING_ENCODING_AES_KEY")
		if (r.cbToken == "") != (r.aesKey == "") {
			return nil, errors.New("weiling: set both WEILING_CALLBACK_TOKEN and WEILING_ENCODING_AES_KEY, or neither")
		}
		if base := s.Get("WEILING_BASE_URL"); base != "" {
			r.opts = append(r.opts, weiling.WithBaseURL(base))
		}
	} else {
		r.srv = weilingtest.NewServer()
		r.appID, r.secret = weilingtest.DefaultAppID, weilingtest.DefaultAppSecret
		r.cbToken, r.aesKey = r.srv.CallbackToken, r.srv.EncodingAESKey
		r.seaID = r.srv.SeaID
		r.opts = append(r.opts, weiling.WithBaseURL(r.srv.URL))
	}
	if r.cbToken == "" { // the callback step runs a local receiver only
		r.cbToken, r.aesKey = weilingtest.NewCallbackToken(), weilingtest.NewEncodingAESKey()
	}
	c, err := weiling.New(r.appID, r.secret, r.opts...)
	if err != nil {
		if r.srv != nil {
			r.srv.Close()
		}
		return nil, err
	}
	r.c = c
	return r, nil
}

// target names the contact of a change step ("the new contact" in a dry
// run, where none was created).
func (r *weilingRun) target() string {
	if r.contactID == "" {
		return "the new contact"
	}
	return "contact " + r.contactID
}

func (r *weilingRun) token(ctx context.Context) error {
	tok, err := r.c.AccessToken(ctx)
	if err != nil {
		return fmt.Errorf("access token: %w", err)
	}
	r.s.Step("obtained an access token (%d characters, cached for every call)", len(tok))
	return nil
}

// listRequest is the contact/list window of this run: yesterday and today.
func (r *weilingRun) listRequest() *weiling.ListContactsRequest {
	now := time.Now()
	return &weiling.ListContactsRequest{StartDay: weiling.Day(now.AddDate(0, 0, -1)), EndDay: weiling.Day(now)}
}

func (r *weilingRun) createContact(ctx context.Context) error {
	if !r.s.Change("create contact %q", r.name) {
		return nil
	}
	created, err := r.c.CreateContact(ctx, &weiling.CreateContactRequest{
		UserName:    r.name,
		ContactWays: []weiling.ContactWay{{Type: weiling.ContactWayMobile, ContactWay: "139" + randomDigits(8)}},
		CreateTime:  time.Now().UnixMilli(),
		Status:      weiling.Ptr(weiling.ContactUnassigned),
		CorpName:    "cluekit 示例公司",
		Industry:    "软件",
	})
	if err != nil {
		return fmt.Errorf("create contact: %w", err)
	}
	r.contactID = created.ContactID
	if r.contactID == "" {
		// The create answer is not documented: find the contact by name.
		if r.contactID, err = findContact(ctx, r.c, r.listRequest(), r.name); err != nil {
			return err
		}
		r.s.Step("created contact %s (%q; the answer carried no id, found it in contact/list)", r.contactID, r.name)
		return nil
	}
	r.s.Step("created contact %s (%q)", r.contactID, r.name)
	return nil
}

// findContact looks a new contact up by name, for servers whose create
// answer carries no id.
func findContact(ctx context.Context, c *weiling.Client, req *weiling.ListContactsRequest, name string) (string, error) {
	seen := 0
	for ct, err := range c.AllContacts(ctx, req) {
		if err != nil {
			return "", fmt.Errorf("list contacts: %w", err)
		}
		if ct.UserName == name {
			return ct.ContactID, nil
		}
		if seen++; seen > 20000 {
			break
		}
	}
	return "", errors.New("contact/list: the contact just created was not found")
}

func (r *weilingRun) readContact(ctx context.Context) error {
	if r.contactID == "" {
		r.s.Skip("read the contact back: none was created")
		return nil
	}
	res, err := r.c.BatchGetContacts(ctx, &weiling.BatchGetContactsRequest{ContactIDs: []string{r.contactID}})
	if err != nil {
		return fmt.Errorf("batch get contacts: %w", err)
	}
	if len(res.Contacts) != 1 || res.Contacts[0].ContactID != r.contactID {
		return fmt.Errorf("contact/batch: want contact %s, got %s", r.contactID, Plural(len(res.Contacts), "contact"))
	}
	ct := res.Contacts[0]
	if sea := seaOf(ct); sea != "" && r.seaID == "" {
		r.seaID = sea
	}
	r.s.Step("read contact %s back: %q, status %d, %s", ct.ContactID, ct.UserName, ct.Status, Plural(len(ct.ContactWays), "contact way"))
	return nil
}

// seaOf returns a contact's sea_id when the vendor sends one (the field is
// not among the documented contact fields, so it lands in Extra).
func seaOf(ct weiling.Contact) string {
	var sea string
	if raw, ok := ct.Extra["sea_id"]; ok && json.Unmarshal(raw, &sea) == nil {
		return sea
	}
	return ""
}

func (r *weilingRun) listContacts(ctx context.Context) error {
	req := r.listRequest()
	page, err := r.c.ListContacts(ctx, req)
	if err != nil {
		return fmt.Errorf("list contacts: %w", err)
	}
	last := "more pages"
	if page.Done {
		last = "last page"
	}
	r.s.Step("listed %s created %s..%s (page 1, %s)", Plural(len(page.Contacts), "contact"), req.StartDay, req.EndDay, last)
	total := 0
	for _, err := range r.c.AllContacts(ctx, req) {
		if err != nil {
			return fmt.Errorf("all contacts: %w", err)
		}
		if total++; total >= 5000 {
			break
		}
	}
	r.s.Step("walked every page: %s", Plural(total, "contact"))
	return nil
}

func (r *weilingRun) editContact(ctx context.Context) error {
	if !r.s.Change("edit %s: position and remark", r.target()) {
		return nil
	}
	_, err := r.c.EditContact(ctx, &weiling.EditContactRequest{ContactID: r.contactID, Position: "采购经理", Remark: "edited by the cluekit example"})
	if err != nil {
		return fmt.Errorf("edit contact: %w", err)
	}
	r.s.Step("edited contact %s: position and remark set", r.contactID)
	return nil
}

func (r *weilingRun) changeOwner(ctx context.Context) error {
	if r.srv == nil {
		r.s.Skip("change the contact's owner: it needs an employee id to transfer to (another record)")
		return nil
	}
	owner := r.srv.UserID
	if !r.s.Change("transfer %s to employee %s", r.target(), owner) {
		return nil
	}
	req := &weiling.ChangeOwnerRequest{Changes: []weiling.OwnerChange{{ID: r.contactID, OwnerID: owner}}, OperatorUserID: owner}
	if _, err := r.c.ChangeContactOwner(ctx, req); err != nil {
		return fmt.Errorf("change contact owner: %w", err)
	}
	r.s.Step("transferred contact %s to employee %s", r.contactID, owner)
	return nil
}

func (r *weilingRun) disuseAndRecover(ctx context.Context) error {
	if !r.s.Change("discard %s, then restore it", r.target()) {
		return nil
	}
	if err := r.disuse(ctx); err != nil {
		return err
	}
	r.s.Step("discarded contact %s", r.contactID)
	if _, err := r.c.RecoverContacts(ctx, &weiling.RecoverContactsRequest{ContactIDs: []string{r.contactID}}); err != nil {
		return fmt.Errorf("recover contacts: %w", err)
	}
	r.s.Step("restored contact %s", r.contactID)
	return nil
}

// disuse discards this run's contact. The vendor documents the key as
// "contatc_ids" (sic); a server that answers 1000/1001 to it reads
// "contact_ids": the client is then rebuilt with WithDisuseContactIDsKey.
func (r *weilingRun) disuse(ctx context.Context) error {
	req := &weiling.DisuseContactsRequest{ContactIDs: []string{r.contactID}}
	_, err := r.c.DisuseContacts(ctx, req)
	var apiErr *weiling.APIError
	if !errors.As(err, &apiErr) || (apiErr.Code != weiling.CodeMissingParam && apiErr.Code != weiling.CodeInvalidParam) {
		if err != nil {
			return fmt.Errorf("disuse contacts: %w", err)
		}
		return nil
	}
	r.s.Step("contact/disuse answered code %s to the documented key contatc_ids: sending contact_ids from now on", apiErr.Code)
	c, err := weiling.New(r.appID, r.secret, append(r.opts, weiling.WithDisuseContactIDsKey())...)
	if err != nil {
		return err
	}
	r.c = c
	if _, err := r.c.DisuseContacts(ctx, req); err != nil {
		return fmt.Errorf("disuse contacts (contact_ids): %w", err)
	}
	return nil
}

func (r *weilingRun) backToSea(ctx context.Context) error {
	if !r.s.Change("return %s to the public pool", r.target()) {
		return nil
	}
	_, err := r.c.BackContactsToSea(ctx, &weiling.BackContactsToSeaRequest{ContactIDs: []string{r.contactID}, SeaID: r.seaID})
	var apiErr *weiling.APIError
	switch {
	case err == nil && r.seaID == "":
		r.s.Step("returned contact %s to the public pool (no sea_id known: the server's default pool)", r.contactID)
	case err == nil:
		r.s.Step("returned contact %s to the public pool %s", r.contactID, r.seaID)
	case r.seaID == "" && errors.As(err, &apiErr) && (apiErr.Code == weiling.CodeMissingParam || apiErr.Code == weiling.CodeInvalidParam):
		r.s.Skip("return the contact to the public pool: the server wants a sea_id (code %s) and none is known", apiErr.Code)
	default:
		return fmt.Errorf("contacts back to sea: %w", err)
	}
	return nil
}

func (r *weilingRun) revokedToken(ctx context.Context) error {
	if r.srv == nil {
		r.s.Skip("token revocation: only the fake can revoke tokens on demand")
		return nil
	}
	before := r.srv.TokenRequests()
	r.srv.InvalidateTokens()
	if _, err := r.c.BatchGetContacts(ctx, &weiling.BatchGetContactsRequest{ContactIDs: []string{r.contactID}}); err != nil {
		return fmt.Errorf("batch get after token revocation: %w", err)
	}
	r.s.Step("the fake revoked the token: the call got a new one (%s) and was replayed once",
		Plural(r.srv.TokenRequests()-before, "token request"))
	return nil
}

// seedClues stores three clues in the fake (clue/create is not documented,
// so a real tenant's clues come from its UI).
func (r *weilingRun) seedClues() {
	for i := range 3 {
		r.srv.AddClue(weiling.Clue{
			UserName: fmt.Sprintf("示例线索%d", i+1), Mobile: "138" + randomDigits(8),
			FromChannelName: "其他-销售导入", Status: weiling.ClueClaimed, OwnerID: r.srv.UserID,
			CreateUserID: r.srv.UserID, SeaID: r.srv.SeaID, CorpName: "上海示例科技有限公司",
		})
	}
}

func (r *weilingRun) listClues(ctx context.Context) error {
	if r.srv != nil {
		r.seedClues()
	}
	page, err := r.c.ListClues(ctx, &weiling.ListCluesRequest{})
	if err != nil {
		return fmt.Errorf("list clues: %w", err)
	}
	total := 0
	for cl, err := range r.c.AllClues(ctx, &weiling.ListCluesRequest{}) {
		if err != nil {
			return fmt.Errorf("all clues: %w", err)
		}
		if r.clue == nil {
			r.clue = &cl
		}
		if total++; total >= 5000 {
			break
		}
	}
	r.s.Step("listed %s on the first page of clue/list (deprecated by the vendor), %s in all", Plural(len(page.Clues), "clue"), Plural(total, "clue"))
	if r.clue == nil {
		return nil
	}
	got, err := r.c.BatchGetClues(ctx, &weiling.BatchGetCluesRequest{ClueIDs: []string{r.clue.ClueID}})
	if err != nil {
		return fmt.Errorf("batch get clues: %w", err)
	}
	if len(got.Clues) != 1 {
		return fmt.Errorf("clue/batch: want clue %s, got %s", r.clue.ClueID, Plural(len(got.Clues), "clue"))
	}
	r.s.Step("read clue %s back: %q, status %d", r.clue.ClueID, got.Clues[0].UserName, got.Clues[0].Status)
	return nil
}

// clueChanges runs every clue write on a clue the fake holds. Against a
// real tenant they would change a clue this run did not create (clues
// cannot be created through a documented API), so they are skipped.
func (r *weilingRun) clueChanges(ctx context.Context) error {
	if r.srv == nil || r.clue == nil {
		r.s.Skip("clue owner change, update, discard, restore, back to sea: they would change a clue this example did not create")
		return nil
	}
	id, owner := r.clue.ClueID, r.clue.OwnerID
	if _, err := r.c.ChangeClueOwner(ctx, &weiling.ChangeOwnerRequest{Changes: []weiling.OwnerChange{{ID: id, OwnerID: owner}}, OperatorUserID: owner}); err != nil {
		return fmt.Errorf("change clue owner: %w", err)
	}
	if _, err := r.c.UpdateClues(ctx, &weiling.UpdateCluesRequest{Clues: []weiling.ClueUpdate{{ClueID: id, Position: "总经理", Remark: "updated by the cluekit example"}}}); err != nil {
		return fmt.Errorf("update clues: %w", err)
	}
	if _, err := r.c.DisuseClues(ctx, &weiling.DisuseCluesRequest{ClueIDs: []string{id}}); err != nil {
		return fmt.Errorf("disuse clues: %w", err)
	}
	res, err := r.c.RecoverClues(ctx, &weiling.RecoverCluesRequest{ClueIDs: []string{id}})
	if err != nil {
		return fmt.Errorf("recover clues: %w", err)
	}
	if _, err := r.c.BackCluesToSea(ctx, &weiling.BackCluesToSeaRequest{ClueIDs: []string{id}, SeaID: r.clue.SeaID}); err != nil {
		return fmt.Errorf("clues back to sea: %w", err)
	}
	r.s.Step("clue %s: owner confirmed, updated, discarded, restored (%s in success_list), returned to the public pool",
		id, Plural(len(res.Succeeded), "item"))
	return nil
}

// cleanup discards the contact this run created.
func (r *weilingRun) cleanup(ctx context.Context) error {
	if r.contactID == "" && !r.s.DryRun {
		return nil
	}
	if !r.s.Change("discard %s (clean-up)", r.target()) {
		return nil
	}
	if err := r.disuse(ctx); err != nil {
		return fmt.Errorf("clean-up: %w", err)
	}
	r.s.Step("discarded contact %s (clean-up)", r.contactID)
	return nil
}

// callback serves NewCallbackHandler on a local server, runs weiling's URL
// check and delivers one clue_update event, encrypted and signed as weiling
// does (the fake's callback settings, or WEILING_CALLBACK_TOKEN and
// WEILING_ENCODING_AES_KEY, or generated ones). Nothing is sent to the
// vendor.
func (r *weilingRun) callback(ctx context.Context) error {
	var mu sync.Mutex
	var got []*weiling.Event
	h, err := weiling.NewCallbackHandler(r.cbToken, r.aesKey, func(_ context.Context, e *weiling.Event) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e) // a real receiver enqueues and returns within 1 s
		return nil
	}, weiling.WithCallbackAppID(r.appID), weiling.WithObserver(r.s.Observer))
	if err != nil {
		return fmt.Errorf("callback handler: %w", err)
	}
	hs := httptest.NewServer(h)
	defer hs.Close()
	sender := &weilingtest.Sender{Token: r.cbToken, EncodingAESKey: r.aesKey, AppID: r.appID}
	if err := sender.VerifyURL(ctx, hs.URL); err != nil {
		return fmt.Errorf("callback URL check: %w", err)
	}
	r.s.Step("callback URL check: echostr decrypted and echoed")
	msg, wantID, err := r.callbackMessage()
	if err != nil {
		return err
	}
	if err := sender.Deliver(ctx, hs.URL, msg); err != nil {
		return fmt.Errorf("callback delivery: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Clue == nil || got[0].Clue.ClueID != wantID {
		return errors.New("callback: the handler did not receive the clue_update event")
	}
	r.s.Callback()
	e := got[0]
	r.s.Step("received callback %s: clue %s %q, change_type %s, acknowledged \"success\"", e.Type, e.Clue.ClueID, e.Clue.UserName, e.Clue.ChangeType)
	return nil
}

// callbackMessage is the clue_update event to deliver: the fake's own
// message for a clue it holds, or a made-up clue (live: nothing is sent to
// the vendor, and no real clue is named).
func (r *weilingRun) callbackMessage() (any, string, error) {
	if r.srv != nil && r.clue != nil {
		m, err := r.srv.ClueMessage(weiling.EventClueUpdate, r.clue.ClueID, weiling.ChangeContent)
		return m, r.clue.ClueID, err
	}
	id := weilingtest.NewID()
	return weilingtest.NewMessage(weiling.EventClueUpdate, r.appID, time.Now(), weiling.ClueEvent{
		Clue:       weiling.Clue{ClueID: id, UserName: "示例线索", Mobile: "13800000000", Status: weiling.ClueClaimed},
		ChangeType: weiling.ChangeContent,
	}), id, nil
}

func randomDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "00000000"[:n]
		}
		b[i] = byte('0' + d.Int64())
	}
	return string(b)
}
