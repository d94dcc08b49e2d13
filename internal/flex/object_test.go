package flex

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// contact is a vendor record keeping its unknown members, as a vendor
// package would declare it.
type contact struct {
	ID     ID             `json:"contact_id"`
	Name   string         `json:"user_name"`
	Ways   []contactWay   `json:"contact_ways"`
	Status Int64          `json:"status"`
	Repeat Bool           `json:"is_repeat"`
	Owner  *string        `json:"owner,omitempty"`
	Corp   NumericID      `json:"corp_id"`
	Custom map[string]any `json:"custom"`
	Extra  Extra          `json:"-"`
}

type contactWay struct {
	Type int    `json:"type"`
	Way  string `json:"contact_way"`
}

func (c *contact) UnmarshalJSON(b []byte) error {
	type plain contact
	return UnmarshalObject(b, (*plain)(c), &c.Extra)
}

func (c contact) MarshalJSON() ([]byte, error) {
	return MarshalObject(contactFields(c), c.Extra)
}

// contactFields is contact without its methods.
type contactFields contact

func TestUnmarshalObjectContact(t *testing.T) {
	t.Parallel()
	in := `{"contact_id":6789690485561771524,"user_name":"张三","sea_id":"s1",` +
		`"contact_ways":[{"type":1,"contact_way":"13800138000"},{"type":"x","contact_way":"a@b.c"}],` +
		`"status":"4","is_repeat":"1","owner":"u1","corp_id":"5031887187231707391",` +
		`"custom":{"n":12345678901234567890},"tags" : [ 1, {"a":"<&>"} ] ,"sea_id":"s2"}`
	var c contact
	err := json.Unmarshal([]byte(in), &c)
	// contact_ways[1].type is a string: a type error, reported at the end
	// as encoding/json does, after the rest was decoded.
	var te *json.UnmarshalTypeError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "contact_ways.type", te.Field)
	assert.Equal(t, "contactWay", te.Struct)
	assert.Equal(t, ID("6789690485561771524"), c.ID)
	assert.Equal(t, "张三", c.Name)
	assert.Equal(t, []contactWay{{1, "13800138000"}, {0, "a@b.c"}}, c.Ways)
	assert.Equal(t, Int64(4), c.Status)
	assert.True(t, bool(c.Repeat))
	require.NotNil(t, c.Owner)
	assert.Equal(t, "u1", *c.Owner)
	assert.Equal(t, NumericID("5031887187231707391"), c.Corp)
	assert.Equal(t, json.Number("12345678901234567890"), c.Custom["n"], "numbers in interfaces stay exact")
	assert.Equal(t, Extra{"sea_id": json.RawMessage(`"s2"`), "tags": json.RawMessage(`[ 1, {"a":"<&>"} ]`)}, c.Extra,
		"unknown members verbatim; a repeated key: the last wins")
}

func TestUnmarshalObjectPage(t *testing.T) {
	t.Parallel()
	in := []byte(`[{"contact_id":"1","user_name":"a","x":1},null,{"contact_id":"3"},[],{"contact_id":"4","X":{"y":[]}}]`)
	var page []contact
	require.NoError(t, json.Unmarshal(in, &page))
	require.Len(t, page, 5)
	assert.Equal(t, contact{ID: "1", Name: "a", Extra: Extra{"x": json.RawMessage(`1`)}}, page[0])
	assert.Equal(t, contact{}, page[1])
	assert.Equal(t, contact{ID: "3"}, page[2], "no unknown members: Extra stays nil")
	assert.Equal(t, contact{}, page[3], "[] is an empty object")
	assert.Equal(t, Extra{"X": json.RawMessage(`{"y":[]}`)}, page[4].Extra)

	// The values are copies: the input may be reused.
	for i := range in {
		in[i] = ' '
	}
	assert.Equal(t, json.RawMessage(`1`), page[0].Extra["x"])
	assert.Equal(t, 1, cap(page[0].Extra["x"]), "appending to a value does not overwrite the next")
}

type tagged struct {
	A    string `json:"a"`
	B    string `json:"B"`
	Dash string `json:"-"`
	//lint:ignore SA5008 the name "-", as encoding/json reads it
	Named string `json:"-,"`
	NoTag string
	Empty string `json:",omitempty"`
	//lint:ignore SA5008 an invalid name: encoding/json uses the Go name
	Bad    string `json:"bad\"name"`
	Upper  string `json:"k"`
	Upper2 string `json:"K"`
	Quoted int    `json:"q,string"`
	QPtr   *int64 `json:"qp,string"`
	QStr   string `json:"qs,string"`
	//lint:ignore U1000 unexported: never decoded
	hidden string
}

func TestUnmarshalObjectTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     tagged
		extra    Extra
	}{
		{"names", `{"a":"1","B":"2","-":"3","NoTag":"4","Empty":"5","Bad":"6"}`,
			tagged{A: "1", B: "2", Named: "3", NoTag: "4", Empty: "5", Bad: "6"}, nil},
		{"case-insensitive", `{"A":"1","b":"2","notag":"4","EMPTY":"5"}`, tagged{A: "1", B: "2", NoTag: "4", Empty: "5"}, nil},
		{"exact match first", `{"K":"upper","k":"lower"}`, tagged{Upper: "lower", Upper2: "upper"}, nil},
		{"unknown", `{"Dash":"x","hidden":"y","bad\"name":"z"}`, tagged{},
			Extra{"Dash": json.RawMessage(`"x"`), "hidden": json.RawMessage(`"y"`), `bad"name`: json.RawMessage(`"z"`)}},
		{"escaped keys", `{"\u0061":"1","\u00e9":2,"x\ty":3}`, tagged{A: "1"},
			Extra{"é": json.RawMessage(`2`), "x\ty": json.RawMessage(`3`)}},
		{"string option", `{"q":"12","qp":"-5","qs":"\"x\""}`, tagged{Quoted: 12, QPtr: ptr(int64(-5)), QStr: "x"}, nil},
		{"string option null", `{"q":null,"qp":null}`, tagged{}, nil},
		{"null", `null`, tagged{}, nil},
		{"empty list", ` [ ] `, tagged{}, nil},
		{"space", " {\n\t\"a\" : \"1\" \r\n} ", tagged{A: "1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got tagged
			extra := Extra{"stale": nil}
			require.NoError(t, UnmarshalObject([]byte(tt.in), &got, &extra))
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.extra, extra)
			if tt.in != "null" && !strings.Contains(tt.in, "[") {
				var want tagged
				require.NoError(t, json.Unmarshal([]byte(tt.in), &want))
				assert.Equal(t, want, got, "as encoding/json")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

type Inner struct {
	X string `json:"x"`
	Y int    `json:"y"`
}

type Base struct {
	ID   string `json:"id"`
	Name string
	Y    int `json:"y"` // deeper than outer.Y: hidden
}

type other struct {
	Name string // as deep as Base.Name and as untagged: both dropped
	Z    int    `json:"z"`
}

type embeds struct {
	Base
	other
	*Inner
	Y     int `json:"y"`
	Extra Extra
}

func TestUnmarshalObjectEmbedded(t *testing.T) {
	t.Parallel()
	in := `{"id":"1","name":"n","z":2,"x":"ix","y":3,"Extra":{"a":1}}`
	var got embeds
	var extra Extra
	require.NoError(t, UnmarshalObject([]byte(in), &got, &extra))
	var want embeds
	require.NoError(t, json.Unmarshal([]byte(in), &want))
	assert.Equal(t, want, got)
	assert.Equal(t, "1", got.ID)
	assert.Equal(t, 2, got.Z)
	require.NotNil(t, got.Inner, "an embedded pointer is allocated")
	assert.Equal(t, "ix", got.X)
	assert.Equal(t, 3, got.Y)
	assert.Equal(t, Extra{"a": json.RawMessage("1")}, got.Extra, "a field without the - tag is a field")
	assert.Equal(t, Extra{"name": json.RawMessage(`"n"`)}, extra, "an ambiguous name names no field")
}

type hiddenPtr struct {
	*Inner
	*other // unexported: cannot be allocated
}

func TestUnmarshalObjectEmbeddedUnexportedPointer(t *testing.T) {
	t.Parallel()
	var got hiddenPtr
	err := UnmarshalObject([]byte(`{"z":1,"x":"a"}`), &got, nil)
	var want hiddenPtr
	wantErr := json.Unmarshal([]byte(`{"z":1,"x":"a"}`), &want)
	require.Error(t, wantErr)
	assert.EqualError(t, err, wantErr.Error())
	assert.Equal(t, want, got)
}

type kinds struct {
	S   string         `json:"s"`
	I8  int8           `json:"i8"`
	U   uint16         `json:"u"`
	F   float32        `json:"f"`
	B   bool           `json:"b"`
	P   *int           `json:"p"`
	PP  **string       `json:"pp"`
	L   []int          `json:"l"`
	LS  []Inner        `json:"ls"`
	LP  []*Inner       `json:"lp"`
	St  Inner          `json:"st"`
	M   map[string]int `json:"m"`
	A   [2]int         `json:"a"`
	Any any            `json:"any"`
	N   json.Number    `json:"n"`
	Raw json.RawMessage
	By  []byte      `json:"by"`
	T   Text        `json:"t"`
	Li  List[int]   `json:"li"`
	Tm  Time        `json:"tm"`
	E   Embedded    `json:"e"`
	Fs  String      `json:"fs"`
	Txt textMarshal `json:"txt"`
	Un  struct {
		String // promoted UnmarshalJSON: ignored by encoding/json here
	} `json:"un"`
	UnP *struct {
		String // used through the pointer
	} `json:"unp"`
}

type textMarshal struct{ v string }

func (t *textMarshal) UnmarshalText(b []byte) error { t.v = "<" + string(b) + ">"; return nil }

func TestUnmarshalObjectKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		err      bool
	}{
		{"values", `{"s":"a\"b\u00e9\ud83d\ude00","i8":-128,"u":65535,"f":1.5e3,"b":true,"p":7,"pp":"x","l":[1,2,3],` +
			`"ls":[{"x":"a","y":1},{"y":2}],"lp":[{"x":"p"},null],"st":{"x":"s","zz":1},"m":{"a":1},"a":[1,2,3],` +
			`"any":{"n":1.0,"l":[12345678901234567890]},"n":-1.5e-3,"Raw":{"k": [1, 2]},"by":"AQID","t":{"a": [1, 2]},` +
			`"li":5,"tm":"2021-09-14 19:18:23","e":"[1]","fs":12,"txt":"hi","un":{"String":"in"},"unp":"direct"}`, false},
		{"nulls", `{"s":null,"i8":null,"b":null,"p":null,"pp":null,"l":null,"ls":null,"st":null,"m":null,"any":null,` +
			`"n":null,"Raw":null,"by":null,"t":null,"li":null,"tm":null,"e":null,"fs":null,"txt":null,"un":null,"unp":null}`, false},
		{"empties", `{"l":[],"ls":[],"m":{},"a":[],"any":[],"li":[],"st":{}}`, false},
		{"invalid surrogates", `{"s":"\ud800\u0041\udc00x","t":"\ud83d"}`, false},
		{"invalid utf-8", "{\"s\":\"a\xffb\",\"t\":[\"\xfe\"]}", false},
		{"overflow", `{"i8":128,"s":"after"}`, true},
		{"negative uint", `{"u":-1,"s":"after"}`, true},
		{"float overflow", `{"f":1e40,"s":"after"}`, true},
		{"fraction for int", `{"i8":1.5,"s":"after"}`, true},
		{"string for int", `{"i8":"1","s":"after"}`, true},
		{"number for string", `{"s":1,"b":true}`, true},
		{"object for string", `{"s":{"a":1},"b":true}`, true},
		{"array for bool", `{"b":[true],"s":"after"}`, true},
		{"string for struct", `{"st":"x","s":"after"}`, true},
		{"object for slice", `{"l":{},"s":"after"}`, true},
		{"nested type error", `{"ls":[{"x":1,"y":2},{"y":"3"}],"s":"after"}`, true},
		{"type error in fallback", `{"m":{"a":"x","b":2},"s":"after"}`, true},
		{"bad number string", `{"n":"x1"}`, true},
		{"flex error", `{"fs":{"a":1}}`, true},
		{"text unmarshaler number", `{"txt":1,"s":"after"}`, true},
		{"unnamed struct from string", `{"un":"x","s":"after"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := 9
			var got, want kinds
			got.P, want.P = &p, ptr(9) // decoded into, not replaced
			got.L, want.L = make([]int, 5, 10), make([]int, 5, 10)
			errGot := UnmarshalObject([]byte(tt.in), &got, nil)
			dec := json.NewDecoder(strings.NewReader(tt.in))
			dec.UseNumber()
			errWant := dec.Decode(&want)
			if tt.err {
				require.Error(t, errWant, "test case")
				require.Error(t, errGot)
				var te, wte *json.UnmarshalTypeError
				if errors.As(errWant, &wte) {
					require.ErrorAs(t, errGot, &te)
					assert.Equal(t, wte.Value, te.Value)
					assert.Equal(t, wte.Type, te.Type)
					assert.Equal(t, wte.Field, te.Field)
					assert.Equal(t, wte.Struct, te.Struct)
				}
			} else {
				require.NoError(t, errWant, "test case")
				require.NoError(t, errGot)
			}
			assert.Equal(t, want, got)
		})
	}
}

func TestUnmarshalObjectNotAnObject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, value string
	}{
		{`"x"`, "string"}, {`12`, "number"}, {`true`, "bool"}, {`[1]`, "array"}, {`[{}]`, "array"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var got tagged
			extra := Extra{"keep": nil}
			err := UnmarshalObject([]byte(tt.in), &got, &extra)
			var te *json.UnmarshalTypeError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tt.value, te.Value)
			assert.Equal(t, reflect.TypeFor[tagged](), te.Type)
		})
	}
	for _, in := range []string{``, ` `, `{`, `{"a"`, `{"a":`, `{"a":"1"`, `{"a":"1",}`, `{"a":"1"}x`, `{"a" "1"}`,
		`{a:1}`, `nul`, `[`, `{"a":"1"]`, `{"a":"\x"}`, `{"q":1}`} {
		var got tagged
		assert.Error(t, UnmarshalObject([]byte(in), &got, nil), "%q", in)
	}
	var n int
	assert.Error(t, UnmarshalObject([]byte(`{}`), &n, nil))
	assert.Error(t, UnmarshalObject([]byte(`{}`), tagged{}, nil))
	assert.Error(t, UnmarshalObject([]byte(`{}`), (*tagged)(nil), nil))
	assert.Error(t, UnmarshalObject([]byte(`{}`), nil, nil))
}

// node is recursive through a slice and a pointer.
type node struct {
	Name string `json:"name"`
	Kids []node `json:"kids"`
	Next *node  `json:"next"`
	Tags List[string]
}

func TestUnmarshalObjectRecursive(t *testing.T) {
	t.Parallel()
	in := `{"name":"a","kids":[{"name":"b","kids":[{"name":"c"}]}],"next":{"name":"d","Tags":"one"},"more":1}`
	var got, want node
	var extra Extra
	require.NoError(t, UnmarshalObject([]byte(in), &got, &extra))
	require.NoError(t, json.Unmarshal([]byte(in), &want))
	assert.Equal(t, want, got)
	assert.Equal(t, List[string]{"one"}, got.Next.Tags)
	assert.Equal(t, Extra{"more": json.RawMessage("1")}, extra)
}

func TestUnmarshalObjectManyStrings(t *testing.T) {
	t.Parallel()
	// More string fields than the batch kept on the stack, in a type
	// built at run time, some set twice, some escaped.
	var fields []reflect.StructField
	var sb strings.Builder
	sb.WriteString(`{"s0":"dup"`)
	for i := range 40 {
		name := "S" + strconv.Itoa(i)
		tag := "s" + strconv.Itoa(i)
		typ := reflect.TypeFor[string]()
		if i%3 == 0 {
			typ = reflect.TypeFor[String]()
		}
		fields = append(fields, reflect.StructField{Name: name, Type: typ, Tag: reflect.StructTag(`json:"` + tag + `"`)})
		switch i % 4 {
		case 0:
			sb.WriteString(`,"` + tag + `":"v` + strconv.Itoa(i) + `"`)
		case 1:
			sb.WriteString(`,"` + tag + `":"\u00e9` + strconv.Itoa(i) + `"`)
		case 2:
			sb.WriteString(`,"` + tag + `":""`)
		case 3:
			sb.WriteString(`,"` + tag + `":null`)
		}
	}
	sb.WriteString(`,"s3":12,"s1":"again"}`)
	typ := reflect.StructOf(fields)
	got, want := reflect.New(typ), reflect.New(typ)
	require.NoError(t, UnmarshalObject([]byte(sb.String()), got.Interface(), nil))
	require.NoError(t, json.Unmarshal([]byte(sb.String()), want.Interface()))
	assert.Equal(t, want.Interface(), got.Interface())
	assert.Equal(t, "v0", got.Elem().Field(0).String(), "the last of a repeated key wins")
	assert.Equal(t, "12", got.Elem().Field(3).String())
}

func TestUnmarshalObjectDepth(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat(`{"next":`, objMaxDepth+1) + "null" + strings.Repeat("}", objMaxDepth+1)
	var n node
	assert.ErrorContains(t, UnmarshalObject([]byte(deep), &n, nil), "depth")
	deep = `{"kids":` + strings.Repeat(`[`, objMaxDepth+1) + strings.Repeat("]", objMaxDepth+1) + "}"
	assert.Error(t, UnmarshalObject([]byte(deep), &n, nil))
	ok := strings.Repeat(`{"next":`, 100) + "null" + strings.Repeat("}", 100)
	require.NoError(t, UnmarshalObject([]byte(ok), &n, nil))
}

func TestUnmarshalObjectConcurrent(t *testing.T) {
	t.Parallel()
	type fresh struct { // a type no other test has decoded: its table is built here
		A string `json:"a"`
		N []node `json:"n"`
	}
	in := []byte(`{"a":"x","n":[{"name":"y"}],"z":true}`)
	done := make(chan error)
	for range 8 {
		go func() {
			var v fresh
			var extra Extra
			err := UnmarshalObject(in, &v, &extra)
			if err == nil && (v.A != "x" || len(v.N) != 1 || string(extra["z"]) != "true") {
				err = errors.New("wrong result")
			}
			done <- err
		}()
	}
	for range 8 {
		require.NoError(t, <-done)
	}
}

func TestMarshalObject(t *testing.T) {
	t.Parallel()
	owner := "o"
	tests := []struct {
		name string
		c    contact
		want string
	}{
		{"no extra", contact{ID: "1"}, `{"contact_id":"1","user_name":"","contact_ways":null,"status":0,"is_repeat":false,"corp_id":null,"custom":null}`},
		{"extra sorted after the fields", contact{ID: "1", Owner: &owner, Extra: Extra{"z": json.RawMessage(`1`), "a": json.RawMessage(` {"h":"<&>"} `)}},
			`{"contact_id":"1","user_name":"","contact_ways":null,"status":0,"is_repeat":false,"owner":"o","corp_id":null,"custom":null,"a":{"h":"<&>"},"z":1}`},
		{"keys the struct sends are left out", contact{Extra: Extra{"contact_id": json.RawMessage(`"x"`), "USER_NAME": json.RawMessage(`"y"`), "<k>": nil}},
			`{"contact_id":"","user_name":"","contact_ways":null,"status":0,"is_repeat":false,"corp_id":null,"custom":null,"<k>":null}`},
		{"an omitted field's key is sent", contact{Extra: Extra{"owner": json.RawMessage(`""`)}},
			`{"contact_id":"","user_name":"","contact_ways":null,"status":0,"is_repeat":false,"corp_id":null,"custom":null,"owner":""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.c)
			require.NoError(t, err)
			var buf bytes.Buffer
			require.NoError(t, json.Compact(&buf, []byte(tt.want)))
			want := strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`).Replace(buf.String())
			assert.Equal(t, want, string(b), "json.Marshal escapes HTML in the output")
			b, err = MarshalObject((*contactFields)(&tt.c), tt.c.Extra)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(b), "MarshalObject does not")
		})
	}

	_, err := MarshalObject(contact{}, Extra{"a": json.RawMessage(`1`)})
	assert.Error(t, err, "a type with MarshalJSON")
	_, err = MarshalObject(&contact{}, nil)
	assert.Error(t, err, "a type with MarshalJSON")
	b, err := MarshalObject(&struct{}{}, Extra{"b": json.RawMessage(`2`), "a": json.RawMessage(`1`)})
	require.NoError(t, err)
	assert.Equal(t, `{"a":1,"b":2}`, string(b))
	_, err = MarshalObject(struct{}{}, Extra{"a": json.RawMessage(`{`)})
	assert.Error(t, err)
	_, err = MarshalObject((*struct{})(nil), Extra{"a": json.RawMessage(`1`)})
	assert.Error(t, err)
	_, err = MarshalObject([]int{1}, Extra{"a": json.RawMessage(`1`)})
	assert.Error(t, err)
	b, err = MarshalObject(map[string]int{"b": 2}, Extra{"a": json.RawMessage(`1`), "B": json.RawMessage(`3`)})
	require.NoError(t, err)
	assert.Equal(t, `{"b":2,"a":1}`, string(b), "any object")
	b, err = MarshalObject([]int{1}, nil)
	require.NoError(t, err)
	assert.Equal(t, `[1]`, string(b))
}

func TestObjectRoundTrip(t *testing.T) {
	t.Parallel()
	in := `{"contact_id":"1","user_name":"n","contact_ways":[{"type":1,"contact_way":"w"}],"status":2,"is_repeat":true,` +
		`"corp_id":5,"custom":{"k":"v"},"a":[1,2],"z":{"deep":{"er":null}}}`
	var c contact
	require.NoError(t, json.Unmarshal([]byte(in), &c))
	out, err := json.Marshal(c)
	require.NoError(t, err)
	assert.JSONEq(t, in, string(out))
	var again contact
	require.NoError(t, json.Unmarshal(out, &again))
	assert.Equal(t, c, again)
}

// FuzzUnmarshalObject: UnmarshalObject never panics, and on valid JSON
// decodes what encoding/json decodes (numbers in interfaces as
// json.Number), keeping exactly the members no field names.
func FuzzUnmarshalObject(f *testing.F) {
	for _, s := range []string{
		`{"s":"a","i8":1,"u":2,"f":1.5,"b":true,"p":3,"l":[1],"ls":[{"x":"y","Y":1}],"st":{"x":"a"},"m":{"a":1},"any":[1.0],"n":1,"zz":{}}`,
		`{"S":"\u00e9","T":{"a" : [1]},"li":"x","tm":"1631618303","fs":true,"e":"{}","txt":"t","un":{"String":1},"unp":2}`,
		`{"by":"AQID","Raw":[ ],"a":[1,2,3],"pp":"x","lp":[null,{}],"q":1,"i8":300}`,
		`null`, `[]`, `[1]`, `"x"`, `{"s":1}`, `{"ls":[{"y":"1"}]}`, `{"\u0073":"k","ſ":"long s"}`, "{\"s\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	names := []string{"s", "i8", "u", "f", "b", "p", "pp", "l", "ls", "lp", "st", "m", "a", "any", "n", "Raw", "by", "t",
		"li", "tm", "e", "fs", "txt", "un", "unp"}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got kinds
		var extra Extra
		errGot := UnmarshalObject(b, &got, &extra)
		if !json.Valid(b) {
			return
		}
		// MarshalObject gives back what UnmarshalObject took apart.
		var in, in2 Inner
		var ex, ex2 Extra
		if UnmarshalObject(b, &in, &ex) == nil {
			out, err := MarshalObject(&in, ex)
			if err != nil {
				t.Fatalf("%q: MarshalObject: %v", b, err)
			}
			if err := UnmarshalObject(out, &in2, &ex2); err != nil || in2 != in || !reflect.DeepEqual(ex2, ex) {
				t.Fatalf("%q: %+v %q encodes as %s, decodes to %+v %q, %v", b, in, ex, out, in2, ex2, err)
			}
		}
		// Into values already there, as encoding/json decodes into them.
		intoGot, intoWant := kindsTemplate(), kindsTemplate()
		errInto := UnmarshalObject(b, &intoGot, nil)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if errWant := dec.Decode(&intoWant); errWant == nil && errInto == nil && !reflect.DeepEqual(intoGot, intoWant) {
			t.Fatalf("%q: into a template: UnmarshalObject %+v, encoding/json %+v", b, intoGot, intoWant)
		}
		var want kinds
		dec = json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		errWant := dec.Decode(&want)
		if trimmed := bytes.TrimSpace(b); len(trimmed) > 0 && trimmed[0] == '[' {
			var list []json.RawMessage
			if json.Unmarshal(trimmed, &list) == nil && len(list) == 0 {
				if errGot != nil || !reflect.DeepEqual(got, kinds{}) || extra != nil {
					t.Fatalf("%q: [] is an empty object, got %v, %+v, %v", b, errGot, got, extra)
				}
				return
			}
		}
		if (errGot == nil) != (errWant == nil) {
			t.Fatalf("%q: UnmarshalObject: %v, encoding/json: %v", b, errGot, errWant)
		}
		if errGot != nil {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: UnmarshalObject %+v, encoding/json %+v", b, got, want)
		}
		var all map[string]json.RawMessage
		if json.Unmarshal(b, &all) != nil {
			return // null
		}
		var wantExtra Extra
		for k, v := range all {
			known := false
			for _, n := range names {
				known = known || strings.EqualFold(k, n)
			}
			if !known {
				if wantExtra == nil {
					wantExtra = Extra{}
				}
				wantExtra[k] = v
			}
		}
		if !reflect.DeepEqual(extra, wantExtra) {
			t.Fatalf("%q: extra %q, want %q", b, extra, wantExtra)
		}
	})
}

// kindsTemplate is a kinds with values to decode into.
func kindsTemplate() kinds {
	s := "old"
	ps := &s
	return kinds{S: "s", I8: 1, P: ptr(2), PP: &ps, L: make([]int, 3, 8), LS: []Inner{{X: "a", Y: 1}, {X: "b"}},
		LP: []*Inner{{X: "p"}}, St: Inner{X: "st", Y: 5}, M: map[string]int{"old": 1}, Any: map[string]any{"k": "v"},
		Raw: json.RawMessage(`1`), T: "t", Li: List[int]{1}, Tm: 5, Fs: "fs", UnP: &struct{ String }{"u"}}
}

// TestUnmarshalObjectMatchesEncodingJSON decodes random valid objects
// (members of every JSON type under the fields' names, their case
// variants and unknown names) with UnmarshalObject and encoding/json.
func TestUnmarshalObjectMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	keys := []string{"s", "S", "i8", "u", "f", "b", "p", "pp", "l", "ls", "LS", "lp", "st", "m", "a", "any", "n", "Raw",
		"raw", "by", "t", "li", "tm", "e", "fs", "txt", "un", "unp", "x", "y", "zz", "ſ", `\u0073`, "é"}
	space := func() string { return []string{"", "", " ", "\n\t"}[r.IntN(4)] }
	var value func(depth int) string
	value = func(depth int) string {
		switch n := r.IntN(12); {
		case n == 0:
			return "null"
		case n == 1:
			return []string{"true", "false"}[r.IntN(2)]
		case n == 2:
			return []string{"0", "-1", "127", "128", "65535", "1.5", "-2e3", "12345678901234567890", "1631618303"}[r.IntN(9)]
		case n <= 5:
			return []string{`""`, `"a"`, `"AQID"`, `"12"`, `"\u00e9\n"`, `"2021-09-14 19:18:23"`, `"[1]"`, `"x\"y"`, `"中文"`}[r.IntN(9)]
		case n <= 8 && depth < 3:
			var sb strings.Builder
			sb.WriteString("[" + space())
			for i := range r.IntN(4) {
				if i > 0 {
					sb.WriteString("," + space())
				}
				sb.WriteString(value(depth + 1))
			}
			return sb.String() + space() + "]"
		case depth < 3:
			return object(r, keys, space, value, depth+1)
		}
		return `"leaf"`
	}
	ok := 0
	defer func() { t.Logf("%d of 5000 compared", ok) }()
	for i := range 5000 {
		doc := object(r, keys, space, value, 0)
		var got, want kinds
		if i%2 == 1 {
			got, want = kindsTemplate(), kindsTemplate()
		}
		var extra Extra
		errGot := UnmarshalObject([]byte(doc), &got, &extra)
		dec := json.NewDecoder(strings.NewReader(doc))
		dec.UseNumber()
		errWant := dec.Decode(&want)
		require.Equal(t, errWant == nil, errGot == nil, "%s\nUnmarshalObject: %v\nencoding/json: %v", doc, errGot, errWant)
		var te *json.UnmarshalTypeError
		if errWant == nil || errors.As(errWant, &te) && errors.As(errGot, &te) {
			// After a type error both go on: the same values.
			require.Equal(t, want, got, "%s\n%v", doc, errWant)
			ok++
		}
	}
}

func object(r *rand.Rand, keys []string, space func() string, value func(int) string, depth int) string {
	var sb strings.Builder
	sb.WriteString("{" + space())
	for i := range r.IntN(6) {
		if i > 0 {
			sb.WriteString("," + space())
		}
		sb.WriteString(`"` + keys[r.IntN(len(keys))] + `"` + space() + ":" + space() + value(depth))
	}
	return sb.String() + space() + "}"
}

// TestUnmarshalObjectAllocs guards the allocations: one for the strings of
// the fields, and for the unknown members one for their values and the map
// (two); their keys, seen before, take none. Not parallel: AllocsPerRun
// counts every allocation of the process.
func TestUnmarshalObjectAllocs(t *testing.T) {
	in := []byte(`{"x":"a string","y":12,"k1":"v1","k2":{"a":[1,2]}}`)
	var v Inner
	var extra Extra
	allocs := testing.AllocsPerRun(100, func() {
		if err := UnmarshalObject(in, &v, &extra); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 4.0)
	allocs = testing.AllocsPerRun(100, func() {
		if err := UnmarshalObject(in, &v, nil); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, 1.0)
}
