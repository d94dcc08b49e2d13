package jing_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/jing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func ptr(s string) *string { return &s }

// TestParseSeedObjectCreate checks the seed's (LEADEV) example field by field.
func TestParseSeedObjectCreate(t *testing.T) {
	t.Parallel()
	body := readFixture(t, "object_create.json")
	e, err := jing.ParseEvent(body)
	require.NoError(t, err)

	assert.Equal(t, jing.ID("941"), e.MID)
	assert.Equal(t, jing.String(jing.CategoryObjectV2), e.EventCategory)
	assert.Equal(t, jing.EventObjectCreate, e.EventType)
	assert.Equal(t, jing.String("object_create"), e.ActionKeyword)
	assert.Equal(t, jing.Int(1676962253), e.CreateTime)
	assert.Equal(t, time.Date(2023, 2, 21, 6, 50, 53, 0, time.UTC), e.Time().UTC())
	assert.Empty(t, e.OpenPlatform, "absent from the LEADEV example")
	assert.Empty(t, e.Extra)
	assert.JSONEq(t, string(body), string(e.Raw))
	assert.True(t, e.IsLead())

	x := e.ExtraData
	assert.Equal(t, jing.ID("56"), x.ObjectID)
	assert.Equal(t, jing.String(jing.ObjectLead), x.ObjectName)
	assert.Equal(t, jing.ID("e9vMaiGWybEQ3Nc9xGgwV4"), x.EntityID)
	assert.Equal(t, jing.OperatorNone, x.OperatorType)
	assert.Equal(t, jing.ID("0"), x.OperatorID)
	assert.Equal(t, jing.ID(""), x.OmniUserUUID)
	assert.False(t, bool(x.IsFollowUp))
	assert.Equal(t, jing.String(""), x.Notes)
	assert.Equal(t, jing.String(""), x.LoginPlatform)
	assert.Equal(t, jing.String(""), x.LoginSourceValue)
	assert.Equal(t, jing.String(""), x.LoginSourceType)
	assert.Equal(t, jing.String(""), x.LoginEnvironment)
	require.NotNil(t, x.TimelineData)
	assert.Equal(t, jing.TimelineData{}, *x.TimelineData, "four empty strings, nothing extra")
	assert.Equal(t, jing.ID("WNh7rwLXUQPFwACQ6EKPqD"), x.BusinessType)
	assert.Equal(t, jing.String("2023-02-21 14:50:53"), x.CreatedTimestamp)
	ct, err := x.CreatedTime()
	require.NoError(t, err)
	assert.True(t, ct.Equal(e.Time()), "created_timestamp is create_time in China time")
	assert.Nil(t, x.Owner, "owner null")
	assert.Equal(t, jing.String("baby_lead"), x.LifeStatus)
	assert.Equal(t, jing.ID("7wJy7CNpCPWnP7XMYwEHdn"), x.LeadOmniUserUUID)
	assert.Equal(t, jing.String("Authing"), x.BusinessTypeName)
	assert.Empty(t, x.Extra)

	assert.Equal(t, []string{"business_type", "headimgurl", "lead_pool", "life_status", "name", "to_baby_lead_timestamp"}, x.MappingData.Fields())
	for field, want := range map[string]string{
		"name":                   "赵拥晨",
		"business_type":          "WNh7rwLXUQPFwACQ6EKPqD",
		"lead_pool":              "market",
		"life_status":            "baby_lead",
		"to_baby_lead_timestamp": "2023-02-21 14:50:53",
		"headimgurl":             `["http:\\/\\/wx.qlogo.cn\\/mmhead\\/Q3auHgzwzM4EHT2nacEdibOYV8bxFnmIT6PynWABJYDA5RpFAUrbAgA\\/0"]`,
	} {
		before, after, ok := x.Change(field)
		require.True(t, ok, field)
		assert.Nil(t, before, "create: no before for %s", field)
		require.NotNil(t, after, field)
		assert.Equal(t, want, *after, field)
	}
	var urls []string
	require.NoError(t, x.MappingData.DecodeAfter("headimgurl", &urls), "JSON inside the string is decoded on request")
	assert.Equal(t, []string{`http:\/\/wx.qlogo.cn\/mmhead\/Q3auHgzwzM4EHT2nacEdibOYV8bxFnmIT6PynWABJYDA5RpFAUrbAgA\/0`}, urls)

	for field, want := range map[string]string{
		"name": "赵拥晨", "business_type": "Authing", "headimgurl": "image", "lead_pool": "市场公海",
		"life_status": "初始线索", "to_baby_lead_timestamp": "2023-02-21 14:50:53",
	} {
		before, after, ok := x.TextChange(field)
		require.True(t, ok, field)
		assert.Nil(t, before)
		assert.Equal(t, ptr(want), after, field)
	}
	_, _, ok := x.Change(jing.FieldCompanyID)
	assert.False(t, ok)

	documented := map[string]bool{}
	for _, f := range []string{jing.FieldName, jing.FieldBusinessType, jing.FieldFirstName, jing.FieldLastName, jing.FieldMobile,
		jing.FieldEmail, jing.FieldCompanyID, jing.FieldCountryRegion, jing.FieldIndustry, jing.FieldDepartment, jing.FieldAccountID,
		jing.FieldTitle, jing.FieldOfficialWebsite, jing.FieldLifeStatus, jing.FieldLeadPool, jing.FieldMarket,
		jing.FieldToBabyLeadTimestamp, jing.FieldHeadImgURL} {
		documented[f] = true
	}
	assert.Len(t, documented, 18)
	for _, f := range append(x.MappingData.Fields(), x.MappingDataText.Fields()...) {
		assert.True(t, documented[f], "the example's field %s has a constant", f)
	}
}

func TestParseSyntheticUpdate(t *testing.T) {
	t.Parallel()
	e, err := jing.ParseEvent(readFixture(t, "object_update.synthetic.json"))
	require.NoError(t, err)
	assert.Equal(t, jing.EventObjectUpdate, e.EventType)
	assert.Equal(t, jing.String("June"), e.OpenPlatform)
	x := e.ExtraData
	assert.Equal(t, jing.OperatorBackendUser, x.OperatorType)
	assert.Equal(t, jing.ID("20272"), x.OperatorID, "integer operator_id")
	assert.Equal(t, jing.ID(""), x.OmniUserUUID, "null")
	assert.True(t, bool(x.IsFollowUp))
	assert.Equal(t, jing.String("jingsocial"), x.LoginPlatform)
	assert.Equal(t, jing.String("wx1234567890abcdef"), x.LoginSourceValue)
	assert.Equal(t, jing.String("wechat"), x.LoginSourceType)
	assert.Equal(t, jing.String("pc"), x.LoginEnvironment)
	assert.Nil(t, x.TimelineData)
	assert.Equal(t, jing.Ptr(jing.ID("NttdW4NoJfD2cX6f7rg52f")), x.Owner)
	assert.Equal(t, jing.String("BU-South"), x.BusinessUnit)
	assert.Equal(t, jing.ID("Hk3pQx8sVb2mNcR5tYwZa7"), x.BabyLeadActionUUID)

	b, a, ok := x.Change("name")
	require.True(t, ok)
	assert.Equal(t, ptr("张三"), b)
	assert.Equal(t, ptr("张三二"), a)
	b, a, ok = x.Change("company_id")
	require.True(t, ok)
	assert.Nil(t, b, "null before")
	assert.Equal(t, ptr("中山大学"), a)
	b, a, ok = x.TextChange("company_id")
	require.True(t, ok)
	assert.Nil(t, b, `"-" is the empty marker`)
	assert.Equal(t, ptr("中山大学"), a)
	rb, ra, ok := x.MappingDataText.RawChange("company_id")
	require.True(t, ok)
	assert.Equal(t, `"-"`, string(rb), "the raw value is kept")
	assert.Equal(t, `"中山大学"`, string(ra))
}

func TestParseSyntheticChangeOwner(t *testing.T) {
	t.Parallel()
	e, err := jing.ParseEvent(readFixture(t, "object_change_owner.synthetic.json"))
	require.NoError(t, err)
	assert.Equal(t, jing.EventObjectChangeOwner, e.EventType)
	assert.Equal(t, jing.String(jing.ActionManualDistribution), e.ActionKeyword)
	assert.Equal(t, jing.Extra{"delivery_attempt": json.RawMessage(`2`)}, e.Extra)
	x := e.ExtraData
	assert.Equal(t, jing.OperatorMember, x.OperatorType)
	assert.Equal(t, jing.ID("20272"), x.OperatorID, "string operator_id")
	assert.Equal(t, jing.ID("Q3auHgzwzM4EHT2nacEdib"), x.OmniUserUUID)
	assert.Equal(t, jing.String("转给华南销售"), x.Notes)
	assert.Equal(t, jing.ID("mZ5bT8cQ2wXr7YpL3kJh9d"), x.FormerOwner)
	assert.Equal(t, jing.String("李四"), x.FormerOwnerName)
	assert.Equal(t, jing.SceneManualDistribution, x.SceneType)
	b, a, ok := x.EntityChangeMapping.Change("owner")
	require.True(t, ok)
	assert.Equal(t, ptr("mZ5bT8cQ2wXr7YpL3kJh9d"), b)
	assert.Equal(t, ptr("NttdW4NoJfD2cX6f7rg52f"), a)
	assert.Equal(t, jing.ID("Fs2vNq7RtY3bWc8mKd5pLx"), x.FromLeadsStatus)
	assert.Equal(t, jing.ID("Ts9hGk4ZpQ6nVr2cXw8bMy"), x.ToLeadsStatus)
	assert.Equal(t, jing.List[jing.ID]{"Mb3nC7xQ9wEr5tYu2iOpAs", "Mc4mD8yR2xFs6uZv3jPqBt"}, x.Members)
	assert.Equal(t, jing.String("baby_lead"), x.FromLifeStatus)
	assert.Equal(t, jing.String("mql"), x.ToLifeStatus)
	assert.Equal(t, jing.String("market"), x.FromLeadPool)
	assert.Equal(t, jing.String("sales"), x.ToLeadPool)
	assert.Equal(t, jing.ID("57"), x.TargetObjectID)
	assert.Equal(t, jing.ID("Ac7kR2mX9pQw4nB8vZ3tYe"), x.TargetEntityID)
	assert.Equal(t, jing.String(jing.ObjectAccount), x.TargetObjectName)
	assert.Equal(t, jing.Extra{"some_future_key": json.RawMessage(`{"x": 1}`)}, x.Extra, "unknown keys kept raw")
	assert.Nil(t, x.MappingData)
}

func TestMappingDataShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		value      string // the JSON value of field "f"
		wantOK     bool
		wantBefore *string
		wantAfter  *string
		wantRawB   string
		wantRawA   string
	}{
		{name: "create: 1 element", value: `["赵拥晨"]`, wantOK: true, wantAfter: ptr("赵拥晨"), wantRawA: `"赵拥晨"`},
		{name: "update: 2 elements", value: `["张三", "张三二"]`, wantOK: true, wantBefore: ptr("张三"), wantAfter: ptr("张三二"), wantRawB: `"张三"`, wantRawA: `"张三二"`},
		{name: "update from null", value: `[null, "中山大学"]`, wantOK: true, wantAfter: ptr("中山大学"), wantRawB: `null`, wantRawA: `"中山大学"`},
		{name: "update to null", value: `["中山大学", null]`, wantOK: true, wantBefore: ptr("中山大学"), wantRawB: `"中山大学"`, wantRawA: `null`},
		{name: "text dash before", value: `["-", "中山大学"]`, wantOK: true, wantAfter: ptr("中山大学"), wantRawB: `"-"`, wantRawA: `"中山大学"`},
		{name: "text dash after", value: `["中山大学","-"]`, wantOK: true, wantBefore: ptr("中山大学"), wantRawB: `"中山大学"`, wantRawA: `"-"`},
		{name: "text plain string", value: `"市场公海"`, wantOK: true, wantAfter: ptr("市场公海"), wantRawA: `"市场公海"`},
		{name: "text plain dash", value: `"-"`, wantOK: true, wantRawA: `"-"`},
		{name: "whole value null", value: `null`, wantOK: true, wantRawA: `null`},
		{name: "empty array", value: `[]`, wantOK: true},
		{name: "JSON in string, kept as text", value: `["[\"http:\\/\\/wx.qlogo.cn\\/0\"]"]`, wantOK: true, wantAfter: ptr(`["http:\/\/wx.qlogo.cn\/0"]`), wantRawA: `"[\"http:\\/\\/wx.qlogo.cn\\/0\"]"`},
		{name: "number", value: `[1, 2.50]`, wantOK: true, wantBefore: ptr("1"), wantAfter: ptr("2.50"), wantRawB: `1`, wantRawA: `2.50`},
		{name: "19-digit number", value: `[1234567890123456789]`, wantOK: true, wantAfter: ptr("1234567890123456789"), wantRawA: `1234567890123456789`},
		{name: "bool", value: `[false, true]`, wantOK: true, wantBefore: ptr("false"), wantAfter: ptr("true"), wantRawB: `false`, wantRawA: `true`},
		{name: "object element", value: `[{"a": 1}]`, wantOK: true, wantAfter: ptr(`{"a":1}`), wantRawA: `{"a": 1}`},
		{name: "three elements: last is after, no before", value: `["a","b","c"]`, wantOK: true, wantAfter: ptr("c"), wantRawA: `"c"`},
		{name: "nested arrays", value: `[["a"],["b"]]`, wantOK: true, wantBefore: ptr(`["a"]`), wantAfter: ptr(`["b"]`), wantRawB: `["a"]`, wantRawA: `["b"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var m jing.MappingData
			require.NoError(t, json.Unmarshal([]byte(`{"f":`+tt.value+`}`), &m))
			b, a, ok := m.Change("f")
			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.wantBefore, b, "before")
			assert.Equal(t, tt.wantAfter, a, "after")
			rb, ra, ok := m.RawChange("f")
			assert.True(t, ok)
			assert.Equal(t, tt.wantRawB, string(rb), "raw before")
			assert.Equal(t, tt.wantRawA, string(ra), "raw after")
			_, _, ok = m.Change("missing")
			assert.False(t, ok)
		})
	}
}

func TestMappingDataDecode(t *testing.T) {
	t.Parallel()
	var m jing.MappingData
	require.NoError(t, json.Unmarshal([]byte(`{"urls":["[\"a\",\"b\"]"],"n":[1,2],"s":["plain"],"o":["{\"k\":[1]}"],"bad":[null]}`), &m))
	var urls []string
	require.NoError(t, m.DecodeAfter("urls", &urls))
	assert.Equal(t, []string{"a", "b"}, urls)
	var n int
	require.NoError(t, m.DecodeBefore("n", &n))
	assert.Equal(t, 1, n)
	require.NoError(t, m.DecodeAfter("n", &n))
	assert.Equal(t, 2, n)
	var s string
	require.NoError(t, m.DecodeAfter("s", &s), "a plain string decodes as itself")
	assert.Equal(t, "plain", s)
	var o map[string][]int
	require.NoError(t, m.DecodeAfter("o", &o))
	assert.Equal(t, []int{1}, o["k"])
	assert.Error(t, m.DecodeBefore("s", &s), "no before on a 1-element array")
	assert.Error(t, m.DecodeAfter("missing", &s))
	assert.Error(t, m.DecodeAfter("urls", &n), "type mismatch is an error")
}

func TestParseEventInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantErr string // substring; "" = ok
		check   func(t *testing.T, e *jing.Event)
	}{
		{name: "empty", body: ``, wantErr: "not a JSON object"},
		{name: "array", body: `[{"event_type":"object_create"}]`, wantErr: "not a JSON object"},
		{name: "truncated", body: `{"event_type":"object_create"`, wantErr: "jing: event"},
		{name: "trailing garbage", body: `{"event_type":"x"} {}`, wantErr: "jing: event"},
		{name: "no event_type", body: `{"mid":"941"}`, wantErr: "no event_type"},
		{name: "event_type object", body: `{"event_type":{}}`, wantErr: "event_type"},
		{name: "extra_data not object", body: `{"event_type":"x","extra_data":[1]}`, wantErr: "extra_data"},
		{name: "operator_type not int", body: `{"event_type":"x","extra_data":{"operator_type":"abc"}}`, wantErr: "extra_data.operator_type"},
		{name: "timeline_data nested error path", body: `{"event_type":"x","extra_data":{"timeline_data":{"login_platform":[1]}}}`, wantErr: "extra_data.timeline_data.login_platform"},
		{name: "mapping_data not object", body: `{"event_type":"x","extra_data":{"mapping_data":"x"}}`, wantErr: "extra_data.mapping_data"},
		{name: "is_follow_up odd", body: `{"event_type":"x","extra_data":{"is_follow_up":2}}`, wantErr: "is_follow_up"},
		{name: "create_time float", body: `{"event_type":"x","create_time":1.5}`, wantErr: "create_time"},
		{name: "unknown event type delivered", body: ` {"event_type":"template_send","x":1} `, check: func(t *testing.T, e *jing.Event) {
			assert.Equal(t, jing.EventType("template_send"), e.EventType)
			assert.Equal(t, `1`, string(e.Extra["x"]))
			assert.Equal(t, `{"event_type":"template_send","x":1}`, string(e.Raw))
		}},
		{name: "tolerant types", body: `{"mid":941,"event_type":"object_update","create_time":"1676962253",` +
			`"extra_data":{"object_id":56,"operator_type":"2","operator_id":12345678901234567890,"is_follow_up":"1","owner":"","scene_type":"6",` +
			`"members":"Mb3nC7xQ9wEr5tYu2iOpAs","notes":null,"business_unit":{"id":1},"entity_change_mapping":"n/a","mapping_data":null,"timeline_data":null}}`,
			check: func(t *testing.T, e *jing.Event) {
				assert.Equal(t, jing.ID("941"), e.MID)
				assert.Equal(t, jing.Int(1676962253), e.CreateTime)
				x := e.ExtraData
				assert.Equal(t, jing.ID("56"), x.ObjectID)
				assert.Equal(t, jing.OperatorMember, x.OperatorType)
				assert.Equal(t, jing.ID("12345678901234567890"), x.OperatorID, "digits kept beyond int64")
				assert.True(t, bool(x.IsFollowUp))
				assert.Equal(t, jing.Ptr(jing.ID("")), x.Owner)
				assert.Equal(t, jing.SceneDedupMerge, x.SceneType)
				assert.Equal(t, jing.List[jing.ID]{"Mb3nC7xQ9wEr5tYu2iOpAs"}, x.Members)
				assert.Empty(t, x.BusinessUnit)
				assert.JSONEq(t, `{"id":1}`, string(x.Extra["business_unit"]), "undocumented shape kept raw")
				assert.Equal(t, `"n/a"`, string(x.Extra["entity_change_mapping"]))
				assert.Nil(t, x.EntityChangeMapping)
				assert.Nil(t, x.MappingData)
			}},
		{name: "create_time in ms", body: `{"event_type":"x","create_time":1676962253000}`, check: func(t *testing.T, e *jing.Event) {
			assert.Equal(t, int64(1676962253), e.Time().Unix())
		}},
		{name: "extra_data null", body: `{"event_type":"x","extra_data":null}`, check: func(t *testing.T, e *jing.Event) {
			assert.Equal(t, jing.ExtraData{}, e.ExtraData)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := jing.ParseEvent([]byte(tt.body))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Nil(t, e)
				return
			}
			require.NoError(t, err)
			tt.check(t, e)
		})
	}
}

func TestDedupeKey(t *testing.T) {
	t.Parallel()
	parse := func(s string) *jing.Event {
		e, err := jing.ParseEvent([]byte(s))
		require.NoError(t, err)
		return e
	}
	base := `{"mid":"941","event_type":"object_update","create_time":1,"extra_data":{"entity_id":"E","mapping_data":{"a":["1","2"],"b":[null,"x"]}}}`
	k := parse(base).DedupeKey()
	assert.Len(t, k, 64)
	same := []string{
		// key order, whitespace and fields outside the key do not matter
		`{"create_time":1,"extra_data":{"mapping_data":{"b":[null, "x"],"a":[ "1","2" ]},"entity_id":"E","notes":"n"},"event_type":"object_update","mid":"941","x":1}`,
	}
	for _, s := range same {
		assert.Equal(t, k, parse(s).DedupeKey(), s)
	}
	differ := []string{
		strings.Replace(base, `"941"`, `"942"`, 1),
		strings.Replace(base, `"E"`, `"F"`, 1),
		strings.Replace(base, `object_update`, `object_create`, 1),
		strings.Replace(base, `"create_time":1`, `"create_time":2`, 1),
		strings.Replace(base, `"2"]`, `"3"]`, 1),
		strings.Replace(base, `"b":[null,"x"]`, `"b":[null,"x"],"c":["y"]`, 1),
	}
	for _, s := range differ {
		assert.NotEqual(t, k, parse(s).DedupeKey(), s)
	}
	assert.Equal(t, k, parse(base).DedupeKey(), "stable")
}

func TestEnumNames(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "auto_distribution", jing.SceneAutoDistribution.String())
	assert.Equal(t, "查重合并", jing.SceneDedupMerge.Label())
	assert.Equal(t, "公海池认领", jing.ScenePoolClaim.Label())
	assert.Equal(t, "SceneType(9)", jing.SceneType(9).String())
	assert.Equal(t, "", jing.SceneType(0).Label())
	assert.Equal(t, "member", jing.OperatorMember.String())
	assert.Equal(t, "none", jing.OperatorNone.String())
	assert.Equal(t, "backend_user", jing.OperatorBackendUser.String())
	assert.Equal(t, "OperatorType(7)", jing.OperatorType(7).String())
	for i, s := range []jing.SceneType{1, 2, 3, 4, 5, 6} {
		assert.NotContains(t, s.String(), "SceneType(", i)
		assert.NotEmpty(t, s.Label())
	}
}

func TestParseTimestamp(t *testing.T) {
	t.Parallel()
	ts, err := jing.ParseTimestamp("2023-02-21 14:50:53")
	require.NoError(t, err)
	assert.Equal(t, int64(1676962253), ts.Unix())
	_, err = jing.ParseTimestamp("2023-02-21T14:50:53Z")
	assert.Error(t, err)
}

// FuzzParseEvent: never panics; a parsed event has a type, its accessors
// never panic, and re-parsing Raw gives the same dedupe key.
func FuzzParseEvent(f *testing.F) {
	for _, name := range []string{"object_create.json", "object_update.synthetic.json", "object_change_owner.synthetic.json",
		"object_update.php_empty_list.synthetic.json", "object_update.null_mapping.synthetic.json"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`{"event_type":"x","extra_data":{"mapping_data":{"f":[null,"-"]},"members":[1,"a"]}}`))
	f.Add([]byte(`{"event_type":1,"create_time":"1e3","extra_data":{"timeline_data":{}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := jing.ParseEvent(body)
		if err != nil {
			return
		}
		if e.EventType == "" {
			t.Fatal("parsed event without type")
		}
		_ = e.Time()
		_, _ = e.ExtraData.CreatedTime()
		for _, m := range []jing.MappingData{e.ExtraData.MappingData, e.ExtraData.MappingDataText, e.ExtraData.EntityChangeMapping} {
			for _, k := range m.Fields() {
				m.Change(k)
				var v any
				_ = m.DecodeAfter(k, &v)
				_ = m.DecodeBefore(k, &v)
			}
		}
		again, err := jing.ParseEvent(e.Raw)
		if err != nil {
			t.Fatalf("Raw does not parse again: %v", err)
		}
		if again.DedupeKey() != e.DedupeKey() {
			t.Fatal("dedupe key not stable")
		}
	})
}

// FuzzMappingData: any JSON value of a field gives a consistent change.
func FuzzMappingData(f *testing.F) {
	for _, v := range []string{`["赵拥晨"]`, `["张三","张三二"]`, `[null,"中山大学"]`, `["-","中山大学"]`, `"市场公海"`, `null`, `[]`,
		`["[\"http:\\\\/\\\\/wx.qlogo.cn\\\\/0\"]"]`, `[1,{"a":[]}]`, `["a","b","c"]`} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, value string) {
		var m jing.MappingData
		if err := json.Unmarshal([]byte(`{"f":`+value+`}`), &m); err != nil {
			return
		}
		b, a, ok := m.Change("f")
		rb, ra, rok := m.RawChange("f")
		if !ok || !rok {
			t.Fatal("present field reported absent")
		}
		if (b != nil && rb == nil) || (a != nil && ra == nil) {
			t.Fatal("string value without a raw value")
		}
		if rb != nil && !json.Valid(rb) || ra != nil && !json.Valid(ra) {
			t.Fatal("raw element is not valid JSON")
		}
		var v any
		_ = m.DecodeAfter("f", &v)
		_ = m.DecodeBefore("f", &v)
	})
}

func BenchmarkParseEvent(b *testing.B) {
	body := readFixture(b, "object_create.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := jing.ParseEvent(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDedupeKey(b *testing.B) {
	e, err := jing.ParseEvent(readFixture(b, "object_create.json"))
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		_ = e.DedupeKey()
	}
}

// An Event encodes back to JSON with its typed fields and its unknown keys,
// and parses again to the same event.
func TestEventRoundTrip(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"object_create.json", "object_update.synthetic.json", "object_change_owner.synthetic.json",
		"object_update.php_empty_list.synthetic.json", "object_update.null_mapping.synthetic.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e, err := jing.ParseEvent(readFixture(t, name))
			require.NoError(t, err)
			b, err := json.Marshal(e)
			require.NoError(t, err)
			again, err := jing.ParseEvent(b)
			require.NoError(t, err)
			assert.Equal(t, e.DedupeKey(), again.DedupeKey())
			b2, err := json.Marshal(again)
			require.NoError(t, err)
			assert.JSONEq(t, string(b), string(b2), "stable")
			assert.Equal(t, e.Extra, again.Extra)
			assert.Equal(t, e.ExtraData.Members, again.ExtraData.Members)
			assert.Equal(t, e.ExtraData.Owner, again.ExtraData.Owner)
			assert.Equal(t, e.ExtraData.BusinessUnit, again.ExtraData.BusinessUnit)
			assert.Equal(t, e.ExtraData.EntityChangeMapping.Fields(), again.ExtraData.EntityChangeMapping.Fields())
			for _, f := range e.ExtraData.MappingData.Fields() {
				b1, a1, _ := e.ExtraData.Change(f)
				b2, a2, _ := again.ExtraData.Change(f)
				assert.Equal(t, b1, b2, f)
				assert.Equal(t, a1, a2, f)
			}
		})
	}
	e, err := jing.ParseEvent(readFixture(t, "object_change_owner.synthetic.json"))
	require.NoError(t, err)
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"delivery_attempt":2`)
	assert.Contains(t, string(b), `"some_future_key":{"x":1}`)
	assert.Contains(t, string(b), `"members":["Mb3nC7xQ9wEr5tYu2iOpAs","Mc4mD8yR2xFs6uZv3jPqBt"]`)
	assert.Contains(t, string(b), `"entity_change_mapping":{"owner":`)
}

// [] and null where the doc has an object are empty objects, wherever they
// appear.
func TestEmptyObjectsAsListOrNull(t *testing.T) {
	t.Parallel()
	for _, v := range []string{`[]`, `[ ]`, `null`} {
		body := `{"event_type":"object_update","extra_data":{"mapping_data":` + v + `,"mapping_data_text":` + v +
			`,"entity_change_mapping":` + v + `,"timeline_data":` + v + `}}`
		e, err := jing.ParseEvent([]byte(body))
		require.NoError(t, err, v)
		x := e.ExtraData
		assert.Nil(t, x.MappingData)
		assert.Nil(t, x.MappingDataText)
		assert.Nil(t, x.EntityChangeMapping)
		assert.Empty(t, x.Extra)
		e, err = jing.ParseEvent([]byte(`{"event_type":"x","extra_data":` + v + `}`))
		require.NoError(t, err, v)
		assert.Equal(t, jing.ExtraData{}, e.ExtraData)
	}
	_, err := jing.ParseEvent([]byte(`{"event_type":"x","extra_data":{"mapping_data":[["a"]]}}`))
	require.ErrorContains(t, err, "extra_data.mapping_data", "a non-empty list is not an object")
}

// headimgurl, as in the vendor's example, is escaped once more than JSON
// needs: decoded, the URL keeps \/ (documented on FieldHeadImgURL), and
// replacing it gives the URL.
func TestHeadImgURLEscaping(t *testing.T) {
	t.Parallel()
	e, err := jing.ParseEvent(readFixture(t, "object_create.json"))
	require.NoError(t, err)
	var urls []string
	require.NoError(t, e.ExtraData.MappingData.DecodeAfter(jing.FieldHeadImgURL, &urls))
	require.Len(t, urls, 1)
	assert.Equal(t, "http://wx.qlogo.cn/mmhead/Q3auHgzwzM4EHT2nacEdibOYV8bxFnmIT6PynWABJYDA5RpFAUrbAgA/0", strings.ReplaceAll(urls[0], `\/`, "/"))
	// Escapes that JSON itself defines are undone by the decoding.
	e, err = jing.ParseEvent(readFixture(t, "object_update.php_empty_list.synthetic.json"))
	require.NoError(t, err)
	assert.Equal(t, jing.String("备注 http://example.com/a"), e.ExtraData.Notes)
}
