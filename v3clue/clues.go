package v3clue

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/flex"
)

// PathClueGet is the path of 获取线索&待分配客户详情 (get clue / unassigned
// customer detail), after the base URL.
const PathClueGet = "/api/v3/clue/get"

// Shanghai is the time zone of the vendor's "yyyy-MM-dd HH:mm:ss" times
// (UTC+8, no daylight saving; a fixed zone so no tzdata is needed).
var Shanghai = time.FixedZone("Asia/Shanghai", 8*60*60)

// DateTimeLayout is the vendor's time format, yyyy-MM-dd HH:mm:ss.
const DateTimeLayout = "2006-01-02 15:04:05"

// DateLayout is a plain date, yyyy-MM-dd.
const DateLayout = "2006-01-02"

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
}

// clueWire is the lenient wire form: ids, numbers and booleans are accepted
// as strings too, and 19-digit values never pass through float64.
type clueWire struct {
	CustomerID          flex.Int64      `json:"customerId"`
	IsClue              flex.Bool       `json:"isClue"`
	Type                flex.Int64      `json:"type"`
	ConvertCustomerTime DateTime        `json:"convertCustomerTime"`
	Fields              []Field         `json:"fields"`
	TagIDs              []flex.String   `json:"tagIds"`
	CreateTime          DateTime        `json:"createTime"`
	LastUpdateTime      DateTime        `json:"lastUpdateTime"`
	CompanyInfo         json.RawMessage `json:"companyInfo"`
}

// UnmarshalJSON implements json.Unmarshaler, accepting the type quirks of
// the vendor (numbers as strings and the reverse).
func (c *Clue) UnmarshalJSON(b []byte) error {
	var w clueWire
	if err := flex.Unmarshal(b, &w); err != nil {
		return err
	}
	typ, err := toInt(int64(w.Type), "type")
	if err != nil {
		return err
	}
	out := Clue{
		CustomerID:          int64(w.CustomerID),
		IsClue:              bool(w.IsClue),
		Type:                typ,
		ConvertCustomerTime: w.ConvertCustomerTime,
		Fields:              w.Fields,
		CreateTime:          w.CreateTime,
		LastUpdateTime:      w.LastUpdateTime,
	}
	if w.TagIDs != nil {
		out.TagIDs = make([]string, len(w.TagIDs))
		for i, t := range w.TagIDs {
			out.TagIDs[i] = string(t)
		}
	}
	if ci := bytes.TrimSpace(w.CompanyInfo); len(ci) > 0 && string(ci) != "null" {
		out.CompanyInfo = append(json.RawMessage(nil), ci...)
	}
	*c = out
	return nil
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

// GetClue returns a clue or unassigned customer by id (POST
// /api/v3/clue/get, body {"customerId": id}). customerID must be positive.
// It is a read and is retried per the client's policy. A missing clue is an
// *APIError with the vendor's code: the not-found code is not documented.
func (c *Client) GetClue(ctx context.Context, customerID int64) (*Clue, error) {
	const op = PathClueGet
	if customerID <= 0 {
		return nil, core.InvalidParam(vendorName, op, "customerID must be positive, got %d", customerID)
	}
	body, err := flex.Marshal(struct {
		CustomerID int64 `json:"customerId"`
	}{customerID})
	if err != nil {
		return nil, err
	}
	res, err := c.call(ctx, op, http.MethodPost, PathClueGet, body, false)
	if err != nil {
		return nil, err
	}
	if len(res.Data) == 0 {
		return nil, core.NewAPIError(vendorName, op, res.HTTPStatus, res.Code, res.Message, res.RequestID,
			errors.New("answer has no data"), core.ErrBadResponse)
	}
	var clue Clue
	if err := flex.Unmarshal(res.Data, &clue); err != nil {
		return nil, core.NewAPIError(vendorName, op, res.HTTPStatus, res.Code, res.Message, res.RequestID,
			fmt.Errorf("decode clue: %w", err), core.ErrBadResponse)
	}
	return &clue, nil
}

// DateTime is a vendor time as sent, normally "yyyy-MM-dd HH:mm:ss" in
// Shanghai time; see Time. It decodes from a JSON string or number; null
// gives "".
type DateTime string

// UnmarshalJSON implements json.Unmarshaler.
func (d *DateTime) UnmarshalJSON(b []byte) error {
	var s flex.String
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	*d = DateTime(s)
	return nil
}

// IsZero reports whether the time is absent.
func (d DateTime) IsZero() bool { return strings.TrimSpace(string(d)) == "" }

// Time parses the value in the Shanghai zone. It accepts "yyyy-MM-dd
// HH:mm:ss" (the documented format), "yyyy-MM-dd" and epoch milliseconds;
// "" gives the zero time and no error.
func (d DateTime) Time() (time.Time, error) {
	t, err := parseTime(string(d))
	if err != nil {
		return time.Time{}, fmt.Errorf("v3clue: %w", err)
	}
	return t, nil
}

// parseTime implements DateTime.Time and Field.Date.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if flex.IsDigits(s) {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil || len(s) > 16 {
			return time.Time{}, errors.New("epoch milliseconds out of range")
		}
		return time.UnixMilli(ms).In(Shanghai), nil
	}
	for _, layout := range []string{DateTimeLayout, DateLayout} {
		if t, err := time.ParseInLocation(layout, s, Shanghai); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("time is not yyyy-MM-dd HH:mm:ss, yyyy-MM-dd or epoch milliseconds")
}

func toInt(v int64, name string) (int, error) {
	if v > math.MaxInt || v < math.MinInt {
		return 0, fmt.Errorf("v3clue: %s %d out of range", name, v)
	}
	return int(v), nil
}
