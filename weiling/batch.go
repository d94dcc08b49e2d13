package weiling

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// MaxBatch is the most ids the batch endpoints take in one call
// (clue/batch, clue/disuse, contact/batch, contact/disuse, contact/recover:
// ≤ 100; clue/owner_change: < 100).
const MaxBatch = 100

// BatchResult is the answer of a batch write (owner change, disuse, update,
// recover, back to sea): the records the vendor refused and, on the
// endpoints that list them, those it accepted. The envelope's code is 0 even
// when items failed; the call then also returns a *BatchError holding the
// same Failed items.
type BatchResult struct {
	// Failed is fail_list: the record's id (id, clue_id or contact_id,
	// whichever the endpoint sends), the vendor's error_code and error_msg,
	// verbatim. errors.Is on the *BatchError matches each code's sentinels
	// (1003 → ErrNotFound, 1013 → ErrInvalidParam, ...).
	Failed []ItemError
	// Succeeded is success_list, on the endpoints that return it.
	Succeeded []SuccessItem
}

// batchWire is a batch answer as the vendor sends it.
type batchWire struct {
	FailList    []failItem    `json:"fail_list"`
	SuccessList []SuccessItem `json:"success_list,omitempty"`
}

// failItem is one entry of fail_list, named by id, clue_id or contact_id
// depending on the endpoint; the codes arrive as numbers or strings.
type failItem struct {
	ID        String `json:"id,omitempty"`
	ClueID    String `json:"clue_id,omitempty"`
	ContactID String `json:"contact_id,omitempty"`
	ErrorCode String `json:"error_code"`
	ErrorMsg  String `json:"error_msg"`
}

func (f *failItem) item() ItemError {
	code := string(f.ErrorCode)
	id := firstNonEmpty(string(f.ID), string(f.ClueID), string(f.ContactID))
	return core.NewItemError(id, code, string(f.ErrorMsg), classify(code)...)
}

// UnmarshalJSON reads {"fail_list":[…],"success_list":[…]} in one pass.
func (r *BatchResult) UnmarshalJSON(b []byte) error {
	var w batchWire
	err := flex.UnmarshalObject(b, &w, nil)
	r.Failed, r.Succeeded = nil, w.SuccessList
	if len(w.FailList) > 0 {
		r.Failed = make([]ItemError, len(w.FailList))
		for i := range w.FailList {
			r.Failed[i] = w.FailList[i].item()
		}
	}
	return err
}

// MarshalJSON writes the vendor's shape ({"fail_list":[{"id","error_code",
// "error_msg"}],"success_list":[…]}).
func (r BatchResult) MarshalJSON() ([]byte, error) {
	w := batchWire{FailList: make([]failItem, len(r.Failed)), SuccessList: r.Succeeded}
	for i, f := range r.Failed {
		w.FailList[i] = failItem{ID: flex.String(f.ID), ErrorCode: flex.String(f.Code), ErrorMsg: flex.String(f.Message)}
	}
	return flex.Marshal(w)
}

// SuccessItem is one entry of a success_list. The vendor does not document
// its shape: an entry may be a bare id or an object naming the record; ID
// holds the id either way and Raw the entry verbatim.
type SuccessItem struct {
	ID  string
	Raw json.RawMessage
}

// UnmarshalJSON implements json.Unmarshaler.
func (s *SuccessItem) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	s.Raw = append(json.RawMessage(nil), b...)
	s.ID = ""
	switch {
	case len(b) > 0 && b[0] == '{':
		var o struct {
			ID        flex.String `json:"id"`
			ClueID    flex.String `json:"clue_id"`
			ContactID flex.String `json:"contact_id"`
		}
		if err := flex.UnmarshalObject(b, &o, nil); err != nil {
			return err
		}
		s.ID = firstNonEmpty(string(o.ID), string(o.ClueID), string(o.ContactID))
		return nil
	case len(b) > 0 && b[0] == '[':
		return nil
	}
	var v flex.String
	if err := v.UnmarshalJSON(b); err != nil {
		return err
	}
	s.ID = string(v)
	return nil
}

// MarshalJSON implements json.Marshaler (the entry verbatim).
func (s SuccessItem) MarshalJSON() ([]byte, error) {
	if len(s.Raw) > 0 {
		return s.Raw, nil
	}
	return json.Marshal(s.ID)
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// batchCall runs a batch write and returns its result, with a *BatchError
// when some items failed.
func (c *Client) batchCall(ctx context.Context, ep core.Endpoint, body any) (*BatchResult, error) {
	var res BatchResult
	if _, err := c.t.Call(ctx, ep, nil, body, &res); err != nil {
		return nil, err
	}
	return &res, core.NewBatchError(vendorName, ep.Op, res.Failed)
}

// checkIDs validates a list of ids: at least one, at most max (0 = no
// documented maximum), none empty.
func checkIDs(op, name string, ids []string, max int) error {
	if len(ids) == 0 {
		return core.InvalidParam(vendorName, op, "%s: at least one id is required", name)
	}
	if max > 0 && len(ids) > max {
		return core.InvalidParam(vendorName, op, "%s: %d ids, at most %d per call", name, len(ids), max)
	}
	for i, id := range ids {
		if strings.TrimSpace(id) == "" {
			return core.InvalidParam(vendorName, op, "%s[%d] is empty", name, i)
		}
	}
	return nil
}

// OwnerChange is one entry of an owner change: the record and its new
// owner.
type OwnerChange struct {
	ID      string `json:"id"`
	OwnerID string `json:"owner_id"`
}

// ChangeOwnerRequest is the body of clue/owner_change and
// contact/owner_change.
type ChangeOwnerRequest struct {
	// Changes lists the records and their new owners (clue_list or
	// contact_list on the wire).
	Changes []OwnerChange
	// OperatorUserID is the acting user (operator_user_id, as the vendor's
	// example spells it; the schema table says op_user_id).
	OperatorUserID string
}

func (r *ChangeOwnerRequest) check(op string, max int) error {
	if r == nil || len(r.Changes) == 0 {
		return core.InvalidParam(vendorName, op, "at least one change is required")
	}
	if max > 0 && len(r.Changes) > max {
		return core.InvalidParam(vendorName, op, "%d changes, at most %d per call", len(r.Changes), max)
	}
	for i, ch := range r.Changes {
		if strings.TrimSpace(ch.ID) == "" || strings.TrimSpace(ch.OwnerID) == "" {
			return core.InvalidParam(vendorName, op, "change %d: id and owner_id are required", i)
		}
	}
	return nil
}

// ownerChangeBody is the wire body of clue/owner_change or
// contact/owner_change (one of the lists is set).
type ownerChangeBody struct {
	ClueList       []OwnerChange `json:"clue_list,omitempty"`
	ContactList    []OwnerChange `json:"contact_list,omitempty"`
	OperatorUserID string        `json:"operator_user_id,omitempty"`
}
