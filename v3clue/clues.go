package v3clue

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// PathClueGet is the path of 获取线索&待分配客户详情 (get clue / unassigned
// customer detail), after the base URL.
const PathClueGet = "/api/v3/clue/get"

var epGetClue = core.Endpoint{Op: "clue/get", Path: PathClueGet}

// GetClueRequest is the body of clue/get.
type GetClueRequest struct {
	// CustomerID is the clue or unassigned customer id (线索&待分配客户id),
	// sent as a JSON integer. It must be positive.
	CustomerID int64 `json:"customerId"`
}

func (r *GetClueRequest) validate() error {
	switch {
	case r == nil:
		return core.NilRequest(vendorName, epGetClue.Op)
	case r.CustomerID <= 0:
		return core.InvalidParam(vendorName, epGetClue.Op, "CustomerID must be positive, got %d", r.CustomerID)
	}
	return nil
}

// GetClue returns a clue or unassigned customer by id (POST
// /api/v3/clue/get, body {"customerId": id}). It is a read and is retried
// per the client's policy. A missing clue is an *APIError with the vendor's
// code: the not-found code is not documented. An answer without the clue
// fails with ErrBadResponse.
func (c *Client) GetClue(ctx context.Context, req *GetClueRequest) (*Clue, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	if c == nil || c.t == nil {
		return nil, errNotCreated
	}
	var clue Clue
	res, err := c.t.Call(ctx, epGetClue, nil, req, &clue)
	if err != nil {
		return nil, err
	}
	if clue.CustomerID == 0 { // data absent, null or empty: no clue has id 0
		return nil, core.NewAPIError(vendorName, epGetClue.Op, res.HTTPStatus, res.Code,
			"the answer has no clue", res.RequestID, nil, ErrBadResponse)
	}
	return &clue, nil
}

// Clue is the data of clue/get: a clue (线索) or an unassigned customer
// (待分配客户).
type Clue struct {
	// CustomerID is the clue or unassigned customer id (线索&待分配客户id).
	CustomerID int64 `json:"customerId"`
	// IsClue reports whether it is a clue (是否线索); false is taken to mean
	// an unassigned customer (inferred).
	IsClue bool `json:"isClue"`
	// Type is data.type (类型); its meaning is not documented (the example
	// has 1).
	Type int `json:"type"`
	// ConvertCustomerTime is when it was converted to a customer (转客户时间),
	// "" when absent.
	ConvertCustomerTime DateTime `json:"convertCustomerTime,omitempty"`
	// Fields are the clue's field values (线索&待分配客户字段列表); see Field
	// and Clue.Field.
	Fields []Field `json:"fields"`
	// TagIDs are enterprise tag ids (企业标签id列表).
	TagIDs []string `json:"tagIds"`
	// CreateTime is when it was created (创建时间).
	CreateTime DateTime `json:"createTime"`
	// LastUpdateTime is when its fields were last updated (字段最近更新时间).
	LastUpdateTime DateTime `json:"lastUpdateTime"`
	// CompanyInfo is the company information (公司信息), raw: its structure
	// is not documented. nil when absent or null.
	CompanyInfo json.RawMessage `json:"companyInfo,omitempty"`
	// Extra holds the members the vendor sent that no field above names,
	// each value's JSON verbatim (numbers keep every digit). They are
	// encoded again by MarshalJSON.
	Extra Extra `json:"-"`
}

// UnmarshalJSON implements json.Unmarshaler. Besides the documented JSON
// types it accepts the id, the type and tag ids as numbers or strings and
// the flag as a boolean, 0/1 or a string of either, keeping 19-digit values
// exact; unknown members go to Extra.
func (c *Clue) UnmarshalJSON(b []byte) error {
	type plain Clue
	var w struct {
		plain
		// The values whose JSON type may differ from the documented one.
		CustomerID flex.Int64    `json:"customerId"`
		IsClue     flex.Bool     `json:"isClue"`
		Type       flex.Int64    `json:"type"`
		TagIDs     []flex.String `json:"tagIds"`
	}
	if err := decodeObject(b, &w, &w.Extra, reflect.TypeFor[Clue]()); err != nil {
		return err
	}
	typ, err := toInt(int64(w.Type), "type")
	if err != nil {
		return err
	}
	*c = Clue(w.plain)
	c.CustomerID, c.IsClue, c.Type, c.TagIDs = int64(w.CustomerID), bool(w.IsClue), typ, texts(w.TagIDs)
	if bytes.Equal(c.CompanyInfo, []byte("null")) {
		c.CompanyInfo = nil
	}
	return nil
}

// MarshalJSON implements json.Marshaler: the fields, then the Extra
// members.
func (c Clue) MarshalJSON() ([]byte, error) {
	type plain Clue
	return flex.MarshalObject(plain(c), c.Extra)
}

// Field returns the first field with the given name (e.g. "mobile",
// "name", "customer_stage") and whether there is one.
func (c *Clue) Field(name string) (Field, bool) {
	if c == nil {
		return Field{}, false
	}
	for _, f := range c.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}
