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

func init() { Register("weiling", weilingLifecycle) }

// weilingLifecycle runs against the server named by WEILING_BASE_URL (or
// production) when WEILING_APP_ID and WEILING_APP_SECRET are set, else
// against weilingtest. Steps whose data a live tenant may not have (an
// owner to transfer to, a clue: clues cannot be created through a
// documented API) are skipped with a note.
func weilingLifecycle(ctx context.Context, p *Printer, counter *Counter) (mode string, callbacks int, err error) {
	counter.TokenOps(weiling.TokenOp)
	base, appID, secret := Env("WEILING_BASE_URL"), Env("WEILING_APP_ID"), Env("WEILING_APP_SECRET")
	cbToken, aesKey := Env("WEILING_CALLBACK_TOKEN"), Env("WEILING_ENCODING_AES_KEY")
	// One token store for every client of this app, so that they share one
	// token (use a Redis-backed store across processes).
	store := weiling.NewMemoryTokenStore(nil)
	opts := []weiling.Option{weiling.WithLogger(counter.Logger()), weiling.WithTimeout(20 * time.Second), weiling.WithTokenStore(store)}
	var srv *weilingtest.Server
	mode = "fake"
	if appID != "" && secret != "" {
		mode = "live"
		if base != "" {
			opts = append(opts, weiling.WithBaseURL(base))
		}
	} else {
		srv = weilingtest.NewServer()
		defer srv.Close()
		appID, secret = srv.AppID, srv.AppSecret
		cbToken, aesKey = srv.CallbackToken, srv.EncodingAESKey
		opts = append(opts, weiling.WithBaseURL(srv.URL))
	}
	if cbToken == "" {
		cbToken = weilingtest.NewCallbackToken()
	}
	if aesKey == "" {
		aesKey = weilingtest.NewEncodingAESKey()
	}
	c, err := weiling.New(appID, secret, opts...)
	if err != nil {
		return mode, 0, err
	}
	p.Step("mode %s", mode)

	tok, err := c.AccessToken(ctx)
	if err != nil {
		return mode, 0, fmt.Errorf("access token: %w", err)
	}
	p.Step("access token: ok (%d characters, cached)", len(tok))

	// ---- contacts ----
	now := time.Now()
	name := fmt.Sprintf("cluekit-example-%d", now.UnixMilli())
	mobile := "139" + randomDigits(8)
	created, err := c.CreateContact(ctx, &weiling.CreateContactRequest{
		UserName:    name,
		ContactWays: []weiling.ContactWay{{Type: weiling.ContactWayMobile, ContactWay: mobile}},
		CreateTime:  now.UnixMilli(),
		Status:      weiling.Ptr(weiling.ContactUnassigned),
		CorpName:    "cluekit 示例公司",
		Industry:    "软件",
	})
	if err != nil {
		return mode, 0, fmt.Errorf("create contact: %w", err)
	}
	listReq := &weiling.ListContactsRequest{StartDay: weiling.Day(now.AddDate(0, 0, -1)), EndDay: weiling.Day(now)}
	contactID := created.ContactID
	if contactID != "" {
		p.Step("contact/create: created %s", contactID)
	} else {
		p.Step("contact/create: ok, the answer carries no id; looking it up by name in contact/list")
		contactID, err = findContact(ctx, c, listReq, name)
		if err != nil {
			return mode, 0, err
		}
		p.Step("contact/list: found the new contact %s", contactID)
	}

	got, err := c.BatchGetContacts(ctx, []string{contactID})
	if err != nil {
		return mode, 0, fmt.Errorf("batch get contacts: %w", err)
	}
	if len(got) != 1 || got[0].ContactID != contactID {
		return mode, 0, fmt.Errorf("contact/batch: want contact %s, got %d contacts", contactID, len(got))
	}
	p.Step("contact/batch: %s %q status %d, %d contact ways", got[0].ContactID, got[0].UserName, got[0].Status, len(got[0].ContactWays))

	pg, err := c.ListContacts(ctx, listReq)
	if err != nil {
		return mode, 0, fmt.Errorf("list contacts: %w", err)
	}
	total, owner := 0, ""
	for ct, err := range c.AllContacts(ctx, listReq) {
		if err != nil {
			return mode, 0, fmt.Errorf("all contacts: %w", err)
		}
		total++
		if owner == "" && ct.OwnerID != "" {
			owner = ct.OwnerID
		}
		if total >= 5000 {
			break
		}
	}
	p.Step("contact/list %s..%s: first page %d contacts (last page: %v), %d in all", listReq.StartDay, listReq.EndDay, len(pg.Contacts), pg.Done, total)

	if err := c.EditContact(ctx, &weiling.EditContactRequest{ContactID: contactID, Position: "采购经理", Remark: "edited by the cluekit example"}); err != nil {
		return mode, 0, fmt.Errorf("edit contact: %w", err)
	}
	p.Step("contact/edit: position and remark set")

	if srv != nil {
		owner = srv.UserID
	}
	if owner == "" {
		p.Step("contact/owner_change: SKIPPED (no employee id found to transfer to)")
	} else {
		if _, err := c.ChangeContactOwner(ctx, &weiling.ChangeOwnerRequest{Changes: []weiling.OwnerChange{{ID: contactID, OwnerID: owner}}, OperatorUserID: owner}); err != nil {
			return mode, 0, fmt.Errorf("change contact owner: %w", err)
		}
		p.Step("contact/owner_change: owner set")
	}

	if _, err := c.DisuseContacts(ctx, []string{contactID}); err != nil {
		// The vendor documents the key as "contatc_ids" (sic). A server that
		// answers 1000/1001 reads "contact_ids": retry with that key.
		var apiErr *weiling.APIError
		if !errors.As(err, &apiErr) || (apiErr.Code != weiling.CodeMissingParam && apiErr.Code != weiling.CodeInvalidParam) {
			return mode, 0, fmt.Errorf("disuse contacts: %w", err)
		}
		p.Step("contact/disuse: code %s with the documented key contatc_ids; retrying with contact_ids", apiErr.Code)
		c2, err := weiling.New(appID, secret, append(opts, weiling.WithDisuseContactIDsKey())...)
		if err != nil {
			return mode, 0, err
		}
		if _, err := c2.DisuseContacts(ctx, []string{contactID}); err != nil {
			return mode, 0, fmt.Errorf("disuse contacts (contact_ids): %w", err)
		}
	}
	p.Step("contact/disuse: discarded")
	if _, err := c.RecoverContacts(ctx, []string{contactID}); err != nil {
		return mode, 0, fmt.Errorf("recover contacts: %w", err)
	}
	p.Step("contact/recover: restored")
	seaID := seaOf(got[0])
	if srv != nil {
		seaID = srv.SeaID
	}
	if seaID == "" {
		seaID = firstClueSea(ctx, c)
	}
	if err := backToSea(p, "contact/back_to_sea", seaID, func() error {
		_, err := c.BackContactsToSea(ctx, []string{contactID}, seaID)
		return err
	}); err != nil {
		return mode, 0, fmt.Errorf("contacts back to sea: %w", err)
	}

	if srv != nil {
		srv.InvalidateTokens()
		if _, err := c.BatchGetContacts(ctx, []string{contactID}); err != nil {
			return mode, 0, fmt.Errorf("batch get after token revocation: %w", err)
		}
		p.Step("token revoked by the server: refreshed once and replayed (%d token requests so far)", srv.TokenRequests())
	}

	// ---- clues (deprecated by the vendor, still served) ----
	if srv != nil {
		for i := range 3 {
			srv.AddClue(weiling.Clue{
				UserName: fmt.Sprintf("示例线索%d", i+1), Mobile: "138" + randomDigits(8),
				FromChannelName: "其他-销售导入", Status: weiling.ClueClaimed, OwnerID: srv.UserID,
				CreateUserID: srv.UserID, SeaID: srv.SeaID, CorpName: "上海示例科技有限公司",
			})
		}
	}
	cp, err := c.ListClues(ctx, &weiling.ListCluesRequest{})
	if err != nil {
		return mode, 0, fmt.Errorf("list clues: %w", err)
	}
	var clue *weiling.Clue
	nClues := 0
	for cl, err := range c.AllClues(ctx, &weiling.ListCluesRequest{}) {
		if err != nil {
			return mode, 0, fmt.Errorf("all clues: %w", err)
		}
		nClues++
		if clue == nil || (clue.Status != weiling.ClueClaimed && cl.Status == weiling.ClueClaimed && !bool(cl.IsUseless)) {
			cl := cl
			clue = &cl
		}
		if nClues >= 5000 {
			break
		}
	}
	p.Step("clue/list: first page %d clues (last page: %v), %d in all", len(cp.Clues), cp.Done, nClues)
	if clue == nil {
		p.Step("clue/batch, owner_change, update, disuse, recover, back_to_sea: SKIPPED (no clue in the tenant; clue/create is not documented)")
	} else {
		if err := weilingClueSteps(ctx, p, c, *clue); err != nil {
			return mode, 0, err
		}
	}

	// ---- callback ----
	n, err := weilingCallback(ctx, p, srv, appID, cbToken, aesKey, clue)
	return mode, n, err
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

func weilingClueSteps(ctx context.Context, p *Printer, c *weiling.Client, clue weiling.Clue) error {
	id := clue.ClueID
	got, err := c.BatchGetClues(ctx, []string{id})
	if err != nil {
		return fmt.Errorf("batch get clues: %w", err)
	}
	if len(got) != 1 || got[0].ClueID != id {
		return fmt.Errorf("clue/batch: want clue %s, got %d clues", id, len(got))
	}
	p.Step("clue/batch: %s %q status %d, created %s", id, got[0].UserName, got[0].Status, got[0].Created().Format(time.DateTime))

	if clue.Status != weiling.ClueClaimed || bool(clue.IsUseless) || clue.OwnerID == "" {
		p.Step("clue/owner_change: SKIPPED (no claimed clue with an owner: unclaimed and discarded clues cannot be transferred)")
	} else {
		if _, err := c.ChangeClueOwner(ctx, &weiling.ChangeOwnerRequest{Changes: []weiling.OwnerChange{{ID: id, OwnerID: clue.OwnerID}}, OperatorUserID: clue.OwnerID}); err != nil {
			return fmt.Errorf("change clue owner: %w", err)
		}
		p.Step("clue/owner_change: owner confirmed")
	}
	if _, err := c.UpdateClues(ctx, []weiling.ClueUpdate{{ClueID: id, Position: "总经理", Remark: "updated by the cluekit example"}}); err != nil {
		return fmt.Errorf("update clues: %w", err)
	}
	p.Step("clue/update: position and remark set")
	if !bool(clue.IsUseless) {
		if _, err := c.DisuseClues(ctx, []string{id}); err != nil {
			return fmt.Errorf("disuse clues: %w", err)
		}
		p.Step("clue/disuse: discarded")
	} else {
		p.Step("clue/disuse: SKIPPED (the clue is already discarded)")
	}
	res, err := c.RecoverClues(ctx, []string{id})
	if err != nil {
		return fmt.Errorf("recover clues: %w", err)
	}
	p.Step("clue/recover: restored (%d in success_list)", len(res.SuccessList))
	return backToSea(p, "clue/back_to_sea", clue.SeaID, func() error {
		_, err := c.BackCluesToSea(ctx, []string{id}, clue.SeaID)
		return err
	})
}

// weilingCallback serves NewCallbackHandler on a local server, runs the URL
// check and delivers one clue_update event, encrypted and signed as weiling
// does (the fake's settings, or WEILING_CALLBACK_TOKEN and
// WEILING_ENCODING_AES_KEY / generated ones in live mode).
func weilingCallback(ctx context.Context, p *Printer, srv *weilingtest.Server, appID, token, aesKey string, clue *weiling.Clue) (int, error) {
	var mu sync.Mutex
	var got []*weiling.Event
	h := weiling.NewCallbackHandler(token, aesKey, func(_ context.Context, e *weiling.Event) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e) // a real receiver enqueues and returns within 1 s
		return nil
	}, weiling.WithCallbackAppID(appID))
	hs := httptest.NewServer(h)
	defer hs.Close()
	sender := &weilingtest.Sender{Token: token, EncodingAESKey: aesKey, AppID: appID}
	if err := sender.VerifyURL(ctx, hs.URL); err != nil {
		return 0, fmt.Errorf("callback URL check: %w", err)
	}
	p.Step("callback URL check: echostr decrypted and echoed")

	var msg any
	var wantID string
	switch {
	case srv != nil && clue != nil:
		m, err := srv.ClueMessage(weiling.EventClueUpdate, clue.ClueID, weiling.ChangeContent)
		if err != nil {
			return 0, err
		}
		msg, wantID = m, clue.ClueID
	case clue != nil:
		ev := *clue
		msg, wantID = weilingtest.NewMessage(weiling.EventClueUpdate, appID, time.Now(), weiling.ClueEvent{Clue: ev, ChangeType: weiling.ChangeContent}), clue.ClueID
	default:
		wantID = weilingtest.NewID()
		msg = weilingtest.NewMessage(weiling.EventClueUpdate, appID, time.Now(), weiling.ClueEvent{
			Clue:       weiling.Clue{ClueID: wantID, UserName: "示例线索", Mobile: "13800000000", Status: weiling.ClueClaimed},
			ChangeType: weiling.ChangeContent,
		})
	}
	if err := sender.Deliver(ctx, hs.URL, msg); err != nil {
		return 0, fmt.Errorf("callback delivery: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Type != weiling.EventClueUpdate || got[0].Clue == nil || got[0].Clue.ClueID != wantID {
		return 0, errors.New("callback: the handler did not receive the clue_update event")
	}
	e := got[0]
	p.Step("callback %s: clue %s %q change_type %s, acknowledged \"success\" (dedupe key %s)", e.Type, e.Clue.ClueID, e.Clue.UserName, e.Clue.ChangeType, e.DedupeKey())
	return len(got), nil
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

// firstClueSea returns the sea_id of the first clue that has one ("" if
// none), as a public pool known to exist.
func firstClueSea(ctx context.Context, c *weiling.Client) string {
	page, err := c.ListClues(ctx, nil)
	if err != nil {
		return ""
	}
	for _, cl := range page.Clues {
		if cl.SeaID != "" {
			return cl.SeaID
		}
	}
	return ""
}

// backToSea runs a back_to_sea call. Without a known sea_id the call is sent
// without one (the pool is then the server's choice); if the server insists
// on a sea_id (1000/1001), the step is skipped with a note.
func backToSea(p *Printer, op, seaID string, call func() error) error {
	err := call()
	var apiErr *weiling.APIError
	switch {
	case err == nil && seaID == "":
		p.Step("%s: returned to the public pool (no sea_id known: sent without one)", op)
	case err == nil:
		p.Step("%s: returned to the public pool %s", op, seaID)
	case seaID == "" && errors.As(err, &apiErr) && (apiErr.Code == weiling.CodeMissingParam || apiErr.Code == weiling.CodeInvalidParam):
		p.Step("%s: SKIPPED (the server wants a sea_id (code %s) and none is known)", op, apiErr.Code)
	default:
		return err
	}
	return nil
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
