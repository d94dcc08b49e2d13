package flex

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// objTable is what UnmarshalObject knows about a struct type: its fields
// as encoding/json sees them, and how to decode each.
type objTable struct {
	name   string // the struct type's name, for errors
	fields []objField
	exact  map[string]*objField
	folded map[string]*objField
	// lens has bit n set when a folded name has n bytes (n >= 63: bit
	// 63): an ASCII key of another length matches no field.
	lens uint64
	// keys holds unknown keys seen in objects of this type (a map never
	// changed once stored, replaced whole), so that records repeating
	// them share the key strings. Bounded: see learnKeys.
	keys atomic.Pointer[map[string]string]
}

// Bounds of objTable.keys.
const (
	objMaxKeys   = 64
	objMaxKeyLen = 64
)

// learnKeys adds fresh keys to the keys known before (a lost update to a
// concurrent call only costs a later allocation).
func (t *objTable) learnKeys(known *map[string]string, fresh []string) {
	n := 0
	if known != nil {
		n = len(*known)
	}
	if n >= objMaxKeys {
		return
	}
	m := make(map[string]string, n+len(fresh))
	if known != nil {
		for k, v := range *known {
			m[k] = v
		}
	}
	for _, k := range fresh {
		if len(m) < objMaxKeys && len(k) <= objMaxKeyLen {
			m[k] = k
		}
	}
	if len(m) > n {
		t.keys.Store(&m)
	}
}

type objField struct {
	pos   int    // in objTable.fields
	name  string // JSON name
	index []int  // reflect index sequence (embedded structs first)
	path  string // Go names of embedded structs and the JSON name, dotted (json.UnmarshalTypeError.Field)
	dec   *objDecoder
	tag   bool // the name comes from a json tag
}

// lookup returns the field the key (unescaped) names, or nil. ascii: the
// key has no byte >= 0x80 (it may then be skipped by its length).
func (t *objTable) lookup(key []byte, ascii bool) *objField {
	if ascii && t.lens&(1<<min(len(key), 63)) == 0 {
		return nil
	}
	if f := t.exact[string(key)]; f != nil {
		return f
	}
	var arr [32]byte
	return t.folded[string(appendFoldedKey(arr[:0], key))]
}

// objKind says how a value is decoded into a Go value of some type.
type objKind uint8

const (
	okFallback    objKind = iota // encoding/json on the value alone
	okWrapped                    // encoding/json on {"F":value}, into a one-field struct (see objDecoder.wrap)
	okUnmarshaler                // the type's own UnmarshalJSON
	okString
	okNumber // json.Number
	okBool
	okInt
	okUint
	okFloat
	okStruct
	okSlice
	okPointer
	okFlexString
	okFlexNumericID
	okFlexInt64
	okFlexBool
)

type objDecoder struct {
	kind      objKind
	typ       reflect.Type
	elem      *objDecoder  // okPointer, okSlice
	table     *objTable    // okStruct
	wrap      reflect.Type // okWrapped: struct{ F T `json:"F[,string]"` }
	useNumber bool         // okFallback, okWrapped: the type can hold an interface value
}

var (
	objTables        sync.Map // reflect.Type (struct) -> *objTable
	objNumberType    = reflect.TypeFor[json.Number]()
	objMarshalerType = reflect.TypeFor[json.Marshaler]()
	flexTypeKind     = map[reflect.Type]objKind{
		reflect.TypeFor[String]():    okFlexString,
		reflect.TypeFor[NumericID](): okFlexNumericID,
		reflect.TypeFor[Int64]():     okFlexInt64,
		reflect.TypeFor[Bool]():      okFlexBool,
	}
)

// objTableFor returns the table of the struct type t, built once.
func objTableFor(t reflect.Type) *objTable {
	if v, ok := objTables.Load(t); ok {
		return v.(*objTable)
	}
	b := objBuilder{tables: map[reflect.Type]*objTable{}}
	tab := b.table(t)
	// Every table of the graph is complete now; publish them. Another
	// goroutine may have published an equivalent graph meanwhile: either
	// serves.
	for typ, tb := range b.tables {
		objTables.LoadOrStore(typ, tb)
	}
	return tab
}

type objBuilder struct {
	tables map[reflect.Type]*objTable // built (or being built) by this call
}

func (b *objBuilder) table(t reflect.Type) *objTable {
	if v, ok := objTables.Load(t); ok {
		return v.(*objTable)
	}
	if tab, ok := b.tables[t]; ok {
		return tab // recursive type: filled in by the caller up the stack
	}
	tab := &objTable{name: t.Name()}
	b.tables[t] = tab
	tab.fields = objTypeFields(t)
	tab.exact = make(map[string]*objField, len(tab.fields))
	tab.folded = make(map[string]*objField, len(tab.fields))
	for i := range tab.fields {
		f := &tab.fields[i]
		f.pos = i
		sf := objFieldType(t, f.index)
		f.dec = b.decoder(sf.Type, false)
		if _, opts, _ := strings.Cut(sf.Tag.Get("json"), ","); objTagHas(opts, "string") && objQuotable(sf.Type) {
			f.dec = b.wrapped(sf.Type, `json:"F,string"`)
		}
		tab.exact[f.name] = f
		k := string(appendFoldedKey(nil, []byte(f.name)))
		if tab.folded[k] == nil {
			tab.folded[k] = f // the first folded match wins, as in encoding/json
		}
		tab.lens |= 1 << min(len(k), 63)
	}
	return tab
}

// decoder describes how to decode into type t. viaPointer: the value is
// reached through a pointer being followed (encoding/json then looks for
// methods on that pointer, whatever the type's name).
func (b *objBuilder) decoder(t reflect.Type, viaPointer bool) *objDecoder {
	if t.Kind() != reflect.Pointer {
		pt := reflect.PointerTo(t)
		implements := pt.Implements(unmarshalerType) || pt.Implements(textUnmarshalerType)
		switch {
		case implements && (viaPointer || t.Name() != ""):
			if k, ok := flexTypeKind[t]; ok {
				return &objDecoder{kind: k, typ: t}
			}
			if pt.Implements(unmarshalerType) {
				return &objDecoder{kind: okUnmarshaler, typ: t}
			}
			return b.fallback(t) // UnmarshalText: encoding/json's rules
		case implements:
			// An unnamed type with promoted methods: encoding/json ignores
			// them for a field but would use them on a pointer. Decode
			// in place, as a field.
			return b.wrapped(t, `json:"F"`)
		}
	}
	switch t.Kind() {
	case reflect.String:
		if t == objNumberType {
			return &objDecoder{kind: okNumber, typ: t}
		}
		return &objDecoder{kind: okString, typ: t}
	case reflect.Bool:
		return &objDecoder{kind: okBool, typ: t}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &objDecoder{kind: okInt, typ: t}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return &objDecoder{kind: okUint, typ: t}
	case reflect.Float32, reflect.Float64:
		return &objDecoder{kind: okFloat, typ: t}
	case reflect.Struct:
		return &objDecoder{kind: okStruct, typ: t, table: b.table(t)}
	case reflect.Pointer:
		// A named pointer type has no methods, and encoding/json then
		// ignores those of what it points to: leave it to encoding/json.
		if t.Name() == "" {
			if elem := b.decoder(t.Elem(), true); elem.kind != okFallback {
				return &objDecoder{kind: okPointer, typ: t, elem: elem}
			}
		}
	case reflect.Slice:
		if t.Elem().Kind() != reflect.Uint8 { // []byte: base64 from a string
			if elem := b.decoder(t.Elem(), false); elem.kind != okFallback {
				return &objDecoder{kind: okSlice, typ: t, elem: elem}
			}
		}
	}
	return b.fallback(t) // interfaces, maps, arrays, []byte, ...
}

func (b *objBuilder) fallback(t reflect.Type) *objDecoder {
	return &objDecoder{kind: okFallback, typ: t, useNumber: holdsInterface(reflect.PointerTo(t))}
}

func (b *objBuilder) wrapped(t reflect.Type, tag reflect.StructTag) *objDecoder {
	w := reflect.StructOf([]reflect.StructField{{Name: "F", Type: t, Tag: tag}})
	return &objDecoder{kind: okWrapped, typ: t, wrap: w, useNumber: holdsInterface(reflect.PointerTo(t))}
}

// objQuotable reports whether the ",string" option applies to t (strings,
// floats, integers and booleans, or an unnamed pointer to one).
func objQuotable(t reflect.Type) bool {
	if t.Name() == "" && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	}
	return false
}

func objFieldType(t reflect.Type, index []int) reflect.StructField {
	var sf reflect.StructField
	for _, i := range index {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		sf = t.Field(i)
		t = sf.Type
	}
	return sf
}

func objTagHas(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

// objTypeFields lists the fields encoding/json decodes for struct type t:
// its typeFields, with the same rules for embedding, tags and dominance.
func objTypeFields(t reflect.Type) []objField {
	type queued struct {
		typ   reflect.Type
		index []int
		path  string // Go names of the embedded structs on the way
	}
	var current []queued
	next := []queued{{typ: t}}
	var count, nextCount map[reflect.Type]int
	visited := map[reflect.Type]bool{}
	var fields []objField
	for len(next) > 0 {
		current, next = next, current[:0]
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, q := range current {
			if visited[q.typ] {
				continue
			}
			visited[q.typ] = true
			for i := range q.typ.NumField() {
				sf := q.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, _, _ := strings.Cut(tag, ",")
				if !objValidTag(name) {
					name = ""
				}
				index := append(slices.Clip(q.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					tagged := name != ""
					if name == "" {
						name = sf.Name
					}
					f := objField{name: name, tag: tagged, index: index, path: q.path + name}
					fields = append(fields, f)
					if count[q.typ] > 1 {
						// Several embeddings of this type at this depth:
						// a second copy makes the name ambiguous below.
						fields = append(fields, f)
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, queued{typ: ft, index: index, path: q.path + sf.Name + "."})
				}
			}
		}
	}
	slices.SortFunc(fields, func(a, b objField) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := len(a.index) - len(b.index); c != 0 {
			return c
		}
		if a.tag != b.tag {
			if a.tag {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	out := fields[:0]
	for advance, i := 0, 0; i < len(fields); i += advance {
		fi := fields[i]
		for advance = 1; i+advance < len(fields) && fields[i+advance].name == fi.name; advance++ {
		}
		if advance == 1 {
			out = append(out, fi)
			continue
		}
		// The first is dominant unless the next is as shallow and as
		// tagged: then Go's rules make the name ambiguous, and it is
		// dropped.
		if len(fields[i].index) != len(fields[i+1].index) || fields[i].tag != fields[i+1].tag {
			out = append(out, fi)
		}
	}
	slices.SortFunc(out, func(a, b objField) int { return slices.Compare(a.index, b.index) })
	return slices.Clip(out)
}

// objValidTag is encoding/json's isValidTag.
func objValidTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// appendFoldedKey is encoding/json's appendFoldedName: keys k1 and k2 fold
// to the same bytes exactly when bytes.EqualFold(k1, k2).
func appendFoldedKey(out, in []byte) []byte {
	for i := 0; i < len(in); {
		if c := in[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		for {
			r2 := unicode.SimpleFold(r)
			if r2 <= r {
				r = r2
				break
			}
			r = r2
		}
		out = utf8.AppendRune(out, r)
		i += n
	}
	return out
}
