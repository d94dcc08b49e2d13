package v3clue

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sp(s string) *string { return &s }

func TestFieldAccessors(t *testing.T) {
	t.Parallel()
	type want struct {
		null     bool
		text     string
		option   string
		optionOK bool
		strs     []string
		strsErr  bool
		date     time.Time
		dateErr  bool
		value    any
		valueErr bool
	}
	tests := []struct {
		name string
		f    Field
		want want
	}{
		{"null select", Field{Name: "gender", Type: FieldTypeSelect},
			want{null: true, dateErr: false, value: nil}},
		{"null mobiles", Field{Name: "mobile", Type: FieldTypeMobiles},
			want{null: true, value: nil}},
		{"text", Field{Name: "name", Type: FieldTypeText, ValueAsText: sp("打马赛克就")},
			want{text: "打马赛克就", option: "打马赛克就", optionOK: true, strsErr: true, dateErr: true, value: "打马赛克就"}},
		{"empty text", Field{Name: "address", Type: FieldTypeText, ValueAsText: sp("")},
			want{value: ""}},
		{"option id", Field{Name: "customer_stage", Type: FieldTypeSelect, ValueAsText: sp("396823724189760")},
			want{text: "396823724189760", option: "396823724189760", optionOK: true, strsErr: true,
				date: time.UnixMilli(396823724189760).In(CST), value: "396823724189760"}},
		{"mobile JSON in string", Field{Name: "mobile", Type: FieldTypeMobiles, ValueAsText: sp(`["145678388"]`)},
			want{text: `["145678388"]`, option: `["145678388"]`, optionOK: true, strs: []string{"145678388"}, dateErr: true, value: []string{"145678388"}}},
		{"two mobiles, one a number", Field{Name: "mobile", Type: FieldTypeMobiles, ValueAsText: sp(` ["13800000000", 13900000000] `)},
			want{text: ` ["13800000000", 13900000000] `, option: `["13800000000", 13900000000]`, optionOK: true,
				strs: []string{"13800000000", "13900000000"}, dateErr: true, value: []string{"13800000000", "13900000000"}}},
		{"empty mobile list", Field{Name: "mobile", Type: FieldTypeMobiles, ValueAsText: sp(`[]`)},
			want{text: `[]`, option: `[]`, optionOK: true, strs: []string{}, dateErr: true, value: []string{}}},
		{"malformed JSON in string", Field{Name: "mobile", Type: FieldTypeMobiles, ValueAsText: sp(`["145678388"`)},
			want{text: `["145678388"`, option: `["145678388"`, optionOK: true, strsErr: true, dateErr: true, valueErr: true}},
		{"plain mobile, not an array", Field{Name: "mobile", Type: FieldTypeMobiles, ValueAsText: sp(`145678388`)},
			want{text: `145678388`, option: `145678388`, optionOK: true, strsErr: true, date: time.UnixMilli(145678388).In(CST), valueErr: true}},
		{"array of objects", Field{Name: "mobile", Type: FieldTypeMobiles, ValueAsText: sp(`[{"a":1}]`)},
			want{text: `[{"a":1}]`, option: `[{"a":1}]`, optionOK: true, strsErr: true, dateErr: true, valueErr: true}},
		{"nested arrays", Field{Name: "mobile", Type: FieldTypeMobiles, ValueAsText: sp(`[["1"]]`)},
			want{text: `[["1"]]`, option: `[["1"]]`, optionOK: true, strsErr: true, dateErr: true, valueErr: true}},
		{"trailing garbage", Field{Name: "mobile", Type: FieldTypeMobiles, ValueAsText: sp(`["1"]x`)},
			want{text: `["1"]x`, option: `["1"]x`, optionOK: true, strsErr: true, dateErr: true, valueErr: true}},
		{"date time", Field{Name: "birthday", Type: FieldTypeDate, ValueAsText: sp("1990-01-02 03:04:05")},
			want{text: "1990-01-02 03:04:05", option: "1990-01-02 03:04:05", optionOK: true, strsErr: true,
				date: time.Date(1990, 1, 2, 3, 4, 5, 0, CST), value: time.Date(1990, 1, 2, 3, 4, 5, 0, CST)}},
		{"date only", Field{Name: "birthday", Type: FieldTypeDate, ValueAsText: sp("1990-01-02")},
			want{text: "1990-01-02", option: "1990-01-02", optionOK: true, strsErr: true,
				date: time.Date(1990, 1, 2, 0, 0, 0, 0, CST), value: time.Date(1990, 1, 2, 0, 0, 0, 0, CST)}},
		{"date epoch ms", Field{Name: "birthday", Type: FieldTypeDate, ValueAsText: sp("631220645000")},
			want{text: "631220645000", option: "631220645000", optionOK: true, strsErr: true,
				date: time.Date(1990, 1, 2, 3, 4, 5, 0, CST), value: time.Date(1990, 1, 2, 3, 4, 5, 0, CST)}},
		{"empty date", Field{Name: "birthday", Type: FieldTypeDate, ValueAsText: sp("")},
			want{value: time.Time{}}},
		{"bad date", Field{Name: "birthday", Type: FieldTypeDate, ValueAsText: sp("02/01/1990")},
			want{text: "02/01/1990", option: "02/01/1990", optionOK: true, strsErr: true, dateErr: true, valueErr: true}},
		{"unknown type kept raw", Field{Name: "custom_97668", Type: 99, ValueAsText: sp(`{"x":1}`)},
			want{text: `{"x":1}`, option: `{"x":1}`, optionOK: true, strsErr: true, dateErr: true, value: `{"x":1}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, w := tt.f, tt.want
			assert.Equal(t, w.null, f.IsNull())
			raw, ok := f.Raw()
			assert.Equal(t, !w.null, ok)
			assert.Equal(t, raw, f.Text())
			if !w.null {
				assert.Equal(t, *f.ValueAsText, raw)
			}
			if w.text != "" {
				assert.Equal(t, w.text, f.Text())
			}
			opt, ok := f.OptionID()
			assert.Equal(t, w.option, opt)
			assert.Equal(t, w.optionOK, ok)

			strs, err := f.Strings()
			if w.strsErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), f.Name)
				assert.Nil(t, strs)
			} else {
				require.NoError(t, err)
				assert.Equal(t, w.strs, strs)
			}

			d, err := f.Date()
			if w.dateErr {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
				assert.True(t, w.date.Equal(d), "date %v != %v", d, w.date)
			}

			v, err := f.Value()
			if w.valueErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			if wt, isTime := w.value.(time.Time); isTime {
				got, isTime := v.(time.Time)
				require.True(t, isTime, "%T", v)
				assert.True(t, wt.Equal(got))
				return
			}
			assert.Equal(t, w.value, v)
		})
	}
}

func TestFieldTypeString(t *testing.T) {
	t.Parallel()
	for typ, want := range map[FieldType]string{1: "text", 2: "select", 3: "date", 8: "mobiles", 0: "FieldType(0)", 42: "FieldType(42)", -1: "FieldType(-1)"} {
		assert.Equal(t, want, typ.String())
	}
}

func TestFieldUnmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Field
		wantErr bool
	}{
		{in: `{"field":"mobile","type":8,"valueAsText":"[\"145678388\"]"}`, want: Field{Name: "mobile", Type: 8, ValueAsText: sp(`["145678388"]`)}},
		{in: `{"field":"gender","type":2,"valueAsText":null}`, want: Field{Name: "gender", Type: 2}},
		{in: `{"field":"gender","type":"2"}`, want: Field{Name: "gender", Type: 2}},
		{in: `{"field":"stage","type":2,"valueAsText":396823724189760123}`, want: Field{Name: "stage", Type: 2, ValueAsText: sp("396823724189760123")}},
		{in: `{"field":"flag","type":1,"valueAsText":true}`, want: Field{Name: "flag", Type: 1, ValueAsText: sp("true")}},
		{in: `{"field":"x","type":1.5}`, wantErr: true},
		{in: `{"field":"x","type":1,"valueAsText":[1]}`, wantErr: true},
		{in: `{"field":{},"type":1}`, wantErr: true},
		{in: `[]`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var f Field
			err := json.Unmarshal([]byte(tt.in), &f)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, f)
		})
	}
}

func FuzzFieldValue(f *testing.F) {
	for _, s := range []struct {
		typ int
		v   string
	}{
		{8, `["145678388"]`}, {8, `["1", 2, null, true]`}, {8, `["1"`}, {8, `[]`}, {8, ``},
		{3, "2021-05-11 15:15:48"}, {3, "2021-05-11"}, {3, "1620717348000"}, {3, "99999999999999999999"},
		{2, "396823724189760"}, {1, "u 诶IE"}, {99, `{"a":1}`},
	} {
		f.Add(s.typ, s.v, false)
	}
	f.Add(2, "", true)
	f.Fuzz(func(t *testing.T, typ int, v string, null bool) {
		fl := Field{Name: "f", Type: FieldType(typ)}
		if !null {
			fl.ValueAsText = &v
		}
		_ = fl.Type.String()
		if fl.IsNull() != null || (fl.Text() != "") && null {
			t.Fatal("null handling")
		}
		if id, ok := fl.OptionID(); ok != (id != "") {
			t.Fatalf("OptionID %q ok=%v", id, ok)
		}
		strs, err := fl.Strings()
		if err == nil && strs != nil {
			// What decoded must round-trip through JSON as strings.
			b, merr := json.Marshal(strs)
			if merr != nil {
				t.Fatal(merr)
			}
			if again, err := decodeStrings(string(b)); err != nil || len(again) != len(strs) {
				t.Fatalf("round trip of %q: %v", strs, err)
			}
		}
		if d, err := fl.Date(); err == nil && !d.IsZero() && d.Location() != CST {
			t.Fatalf("date %v not in CST", d)
		}
		val, err := fl.Value()
		if err != nil {
			return
		}
		switch {
		case null:
			if val != nil {
				t.Fatalf("null gave %v", val)
			}
		case fl.Type == FieldTypeDate:
			if _, ok := val.(time.Time); !ok {
				t.Fatalf("date gave %T", val)
			}
		case fl.Type == FieldTypeMobiles:
			if _, ok := val.([]string); !ok && val != nil {
				t.Fatalf("mobiles gave %T", val)
			}
		default:
			if s, ok := val.(string); !ok || s != v {
				t.Fatalf("raw value %v", val)
			}
		}
	})
}

func FuzzClueUnmarshal(f *testing.F) {
	if b, err := os.ReadFile("testdata/clue_get_response.json"); err == nil {
		var env struct {
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(b, &env) == nil {
			f.Add([]byte(env.Data))
		}
	}
	for _, s := range []string{
		`{"customerId":"1","isClue":1,"type":"3","tagIds":[1,"a"],"companyInfo":{"a":[1]}}`,
		`{"fields":[{"field":"mobile","type":8,"valueAsText":"[\"1\"]"},{"field":"x","type":"2","valueAsText":5}]}`,
		`{"customerId":9223372036854775807,"convertCustomerTime":1620717348000}`,
		`{}`, `null`, `[]`, `{"fields":[null]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Clue
		if err := json.Unmarshal(b, &c); err != nil {
			return
		}
		for _, fl := range c.Fields {
			_, _ = fl.Value()
			_, _ = c.Field(fl.Name)
		}
		_, _ = c.CreateTime.Time()
		_, _ = c.LastUpdateTime.Time()
		_, _ = c.ConvertCustomerTime.Time()
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		var again Clue
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("decode of own output %s: %v", out, err)
		}
		if again.CustomerID != c.CustomerID || again.Type != c.Type || again.IsClue != c.IsClue || len(again.Fields) != len(c.Fields) || len(again.TagIDs) != len(c.TagIDs) {
			t.Fatalf("round trip changed the clue: %+v vs %+v", c, again)
		}
	})
}

func FuzzDateTime(f *testing.F) {
	for _, s := range []string{"2021-05-11 15:15:48", "2021-05-11", "1620717348000", "", " ", "0", "9999999999999999", "2021-02-30 00:00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := DateTime(s).Time()
		if err != nil {
			if !tm.IsZero() {
				t.Fatal("error with a time")
			}
			return
		}
		if !tm.IsZero() && tm.Location() != CST {
			t.Fatalf("%v not in CST", tm)
		}
	})
}
