package weiling_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/weiling"
)

// TestParseEventSeedClueUpdate parses the seed's clue_update example (with
// the missing comma added) field by field.
func TestParseEventSeedClueUpdate(t *testing.T) {
	t.Parallel()
	e, err := weiling.ParseEvent(fixture(t, "clue_update.json"))
	require.NoError(t, err)
	assert.Equal(t, weiling.EventClueUpdate, e.Type)
	assert.Equal(t, "1611580672000", e.Timestamp)
	assert.Equal(t, time.UnixMilli(1611580672000), e.Time())
	assert.Equal(t, "wloa4376fe67dc041d474a79513ed70ae3db", e.ToApp)
	require.NotNil(t, e.Clue)
	assert.Nil(t, e.ClueHistory)
	c := e.Clue
	assertSeedClue(t, c.Clue)
	assert.Equal(t, weiling.Text("d"), c.OtherCustomField)
	// change_type appears twice (4, then "change_content"): the last wins.
	assert.Equal(t, weiling.ChangeContent, c.ChangeType)
	assert.Nil(t, c.Extra, "every member of the example is typed")
	assert.Equal(t, "clue_update|Rw4Ed-aep4uP1_NPBh-SQ8SVxOpdHyLIPu2y_0Jr3bw|1611580672000", e.DedupeKey())
	assert.Equal(t, "Rw4Ed-aep4uP1_NPBh-SQ8SVxOpdHyLIPu2y_0Jr3bw", e.EntityID())
	var raw map[string]any
	require.NoError(t, e.Decode(&raw))
	assert.Equal(t, "小穆", raw["user_name"])
}

func TestParseEventChangeTypeSpellings(t *testing.T) {
	t.Parallel()
	base := string(fixture(t, "clue_update.json"))
	tests := []struct {
		name    string
		replace string
		want    weiling.ChangeType
	}{
		{"number", `"change_type": "change_content"`, "4"},
		{"change_owner", `"change_type": "change_owner"`, weiling.ChangeOwner},
		{"change_status", `"change_type": "change_status"`, weiling.ChangeStatus},
		{"clue_disuse", `"change_type": "clue_disuse"`, weiling.ClueDisuse},
		{"unknown string", `"change_type": "something_new"`, "something_new"},
		{"null", `"change_type": null`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Keep a single change_type: drop the numeric one, set the other.
			msg := strings.Replace(base, "\"change_type\" : 4,\n", "", 1)
			if tt.name == "number" {
				msg = strings.Replace(msg, `"change_type": "change_content"`, `"change_type": 4`, 1)
			} else {
				msg = strings.Replace(msg, `"change_type": "change_content"`, tt.replace, 1)
			}
			require.Equal(t, 1, strings.Count(msg, "change_type"))
			e, err := weiling.ParseEvent([]byte(msg))
			require.NoError(t, err)
			assert.Equal(t, tt.want, e.Clue.ChangeType)
			assert.Equal(t, "小穆", e.Clue.UserName)
		})
	}
}

func TestParseEventSeedAsPrinted(t *testing.T) {
	t.Parallel()
	// The vendor's example as printed is not valid JSON: an error, no panic.
	e, err := weiling.ParseEvent(fixture(t, "clue_update_as_printed.txt"))
	require.Error(t, err)
	assert.Nil(t, e)
}

func TestParseEventSchemaSampleTimestampKey(t *testing.T) {
	t.Parallel()
	e, err := weiling.ParseEvent(fixture(t, "clue_update_schema_sample.json"))
	require.NoError(t, err)
	assert.Equal(t, "string", e.Type, "a type outside the catalogue is kept verbatim")
	assert.Equal(t, "string", e.Timestamp, "header key timestamp")
	assert.Equal(t, "string", e.ToApp)
	assert.Nil(t, e.Clue)
	assert.True(t, e.Time().IsZero())
	var ev weiling.ClueEvent
	require.NoError(t, e.Decode(&ev))
	assert.Equal(t, "string", ev.ClueID)
	assert.Equal(t, weiling.ChangeType("string"), ev.ChangeType)
	require.NotNil(t, ev.AddSource)
	assert.Equal(t, "string", ev.AddSource.Name)

	// The same sample as a clue_update: typed, with the timestamp key.
	msg := strings.Replace(string(fixture(t, "clue_update_schema_sample.json")), `"event_type": "string"`, `"event_type": "clue_update"`, 1)
	msg = strings.Replace(msg, `"timestamp": "string"`, `"timestamp": "1611580672000"`, 1)
	e, err = weiling.ParseEvent([]byte(msg))
	require.NoError(t, err)
	require.NotNil(t, e.Clue)
	assert.Equal(t, "1611580672000", e.Timestamp)
	assert.True(t, bool(e.Clue.IsUseless))
}

func TestParseEventHeaderTimestampPreference(t *testing.T) {
	t.Parallel()
	e, err := weiling.ParseEvent([]byte(`{"header":{"event_type":"x","time_stamp":"1","timestamp":"2"},"event":{}}`))
	require.NoError(t, err)
	assert.Equal(t, "1", e.Timestamp, "time_stamp preferred")
	e, err = weiling.ParseEvent([]byte(`{"header":{"event_type":"x","time_stamp":"","timestamp":"2"},"event":{}}`))
	require.NoError(t, err)
	assert.Equal(t, "2", e.Timestamp)
	e, err = weiling.ParseEvent([]byte(`{"header":{"event_type":"x","time_stamp":1611580672000},"event":{}}`))
	require.NoError(t, err)
	assert.Equal(t, "1611580672000", e.Timestamp, "a number is kept as its text")
}

func TestParseEventClueHistory(t *testing.T) {
	t.Parallel()
	e, err := weiling.ParseEvent(fixture(t, "clue_history.json"))
	require.NoError(t, err)
	assert.Equal(t, weiling.EventClueHistory, e.Type)
	require.NotNil(t, e.ClueHistory)
	h := e.ClueHistory
	assert.Equal(t, "xxx", h.ClueID)
	assert.Equal(t, "", h.History.HistoryID)
	assert.Equal(t, "401", string(h.History.HistoryType))
	assert.EqualValues(t, 1723687654987, h.History.CreateTime)
	assert.Equal(t, "创建线索", h.History.Title)
	assert.Equal(t, "xxx创建线索", h.History.Content)
	assert.Equal(t, "clue_history|xxx|1611580672000", e.DedupeKey())
}

func TestParseEventClueAdd(t *testing.T) {
	t.Parallel()
	msg := strings.Replace(string(fixture(t, "clue_update.json")), `"event_type": "clue_update"`, `"event_type": "clue_add"`, 1)
	e, err := weiling.ParseEvent([]byte(msg))
	require.NoError(t, err)
	require.NotNil(t, e.Clue)
	assert.Equal(t, weiling.EventClueAdd, e.Type)
	assertSeedClue(t, e.Clue.Clue)
}

func TestParseEventOtherTypesRaw(t *testing.T) {
	t.Parallel()
	types := []string{
		weiling.EventUserInsert, weiling.EventUserUpdate, weiling.EventAddCustomer, weiling.EventCustomerUpdate,
		weiling.EventHistoryAdd, weiling.EventProgressAdd, weiling.EventCompanyAdd, weiling.EventCompanyUpdate,
		weiling.EventCompanyDelete, weiling.EventAddCompanyUser, weiling.EventOpportunityAdd, weiling.EventOpportunityUpdate,
		weiling.EventMaterialAdd, weiling.EventMaterialBrowseAdd, weiling.EventGroupChatAdd, weiling.EventGroupChatUpdate,
		weiling.EventGroupChatDismiss, weiling.EventTagUpdate, weiling.EventAddMoment, weiling.EventDeptAdd,
		weiling.EventCompanyOwnerChange, "contact_add_rocket_unknown",
	}
	assert.Len(t, types, 22, "the 21 named catalogue types and one unknown")
	for _, typ := range types {
		msg := `{"header":{"event_type":"` + typ + `","time_stamp":"1611580672000","to_app":"wloa1"},"event":{"contact_id":"ct1","big":12345678901234567890,"nested":{"a":[1,2]}}}`
		e, err := weiling.ParseEvent([]byte(msg))
		require.NoError(t, err, typ)
		assert.Equal(t, typ, e.Type)
		assert.Nil(t, e.Clue)
		assert.Nil(t, e.ClueHistory)
		assert.JSONEq(t, `{"contact_id":"ct1","big":12345678901234567890,"nested":{"a":[1,2]}}`, string(e.Payload))
		assert.JSONEq(t, msg, string(e.Raw))
		var v map[string]any
		require.NoError(t, e.Decode(&v))
		assert.Equal(t, json.Number("12345678901234567890"), v["big"])
		assert.Equal(t, typ+"|ct1|1611580672000", e.DedupeKey())
	}
}

func TestParseEventOdd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		msg     string
		wantErr bool
	}{
		{"empty", ``, true},
		{"not json", `hello`, true},
		{"array", `[]`, true},
		{"trailing data", `{"header":{}} {}`, true},
		{"header not an object", `{"header":"x"}`, true},
		{"clue event not an object", `{"header":{"event_type":"clue_update"},"event":[1]}`, true},
		{"clue event bad status", `{"header":{"event_type":"clue_add"},"event":{"status":"abc"}}`, true},
		{"no header", `{"event":{"a":1}}`, false},
		{"no event", `{"header":{"event_type":"clue_update"}}`, false},
		{"null event", `{"header":{"event_type":"dept_add"},"event":null}`, false},
		{"empty object", `{}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := weiling.ParseEvent([]byte(tt.msg))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.NotEmpty(t, e.DedupeKey())
		})
	}
	// Unknown entity: the dedupe key falls back to a digest of the payload.
	a, _ := weiling.ParseEvent([]byte(`{"header":{"event_type":"dept_add","time_stamp":"1"},"event":{"dept":1}}`))
	b, _ := weiling.ParseEvent([]byte(`{"header":{"event_type":"dept_add","time_stamp":"1"},"event":{"dept":2}}`))
	assert.NotEqual(t, a.DedupeKey(), b.DedupeKey())
	assert.True(t, strings.HasPrefix(a.DedupeKey(), "dept_add|sha256:"))
	assert.Error(t, (&weiling.Event{}).Decode(&struct{}{}))
}

func TestTextDecoding(t *testing.T) {
	t.Parallel()
	var v struct {
		A, B, C, D, E weiling.Text
	}
	require.NoError(t, json.Unmarshal([]byte(`{"A":"x","B":12,"C":{"k": [1, true]},"D":null,"E":false}`), &v))
	assert.Equal(t, weiling.Text("x"), v.A)
	assert.Equal(t, weiling.Text("12"), v.B)
	assert.Equal(t, weiling.Text(`{"k":[1,true]}`), v.C)
	assert.Equal(t, weiling.Text(""), v.D)
	assert.Equal(t, "false", v.E.String())
}

// TestEventJSONRoundTrip: a ClueEvent and a Contact encode their typed
// fields, change_type and their unknown members, and decode back to
// themselves.
func TestEventJSONRoundTrip(t *testing.T) {
	t.Parallel()
	ev := weiling.ClueEvent{
		Clue:       weiling.Clue{ClueID: "c1", UserName: "小穆", Extra: weiling.Extra{"custom_x": json.RawMessage(`{"a":[1,2]}`)}},
		ChangeType: weiling.ChangeOwner,
	}
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"change_type":"change_owner"`)
	assert.Contains(t, string(b), `"custom_x":{"a":[1,2]}`)
	var back weiling.ClueEvent
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, ev, back)

	ct := weiling.Contact{ContactID: "k1", Extra: weiling.Extra{"sea_id": json.RawMessage(`"s1"`)}}
	b, err = json.Marshal(ct)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"sea_id":"s1"`)
	var ctBack weiling.Contact
	require.NoError(t, json.Unmarshal(b, &ctBack))
	assert.Equal(t, ct, ctBack)
}
