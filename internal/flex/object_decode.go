package flex

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The decoding of UnmarshalObject: one walk over input that encoding/json
// has already validated.

// objState is one UnmarshalObject call.
type objState struct {
	data  []byte
	saved error // the first type error; decoding goes on
	depth int   // objects and arrays being decoded
}

// objMaxDepth is encoding/json's limit on nesting: deeper input was never
// validated by it, and would only deepen the recursion.
const objMaxDepth = 10000

func (st *objState) save(err error) {
	if st.saved == nil {
		st.saved = err
	}
}

// typeError saves a json.UnmarshalTypeError for the value ending at
// b[end]; the objects around it fill in Struct and Field (see within).
func (st *objState) typeError(value string, t reflect.Type, end int) {
	if st.saved == nil {
		st.saved = &json.UnmarshalTypeError{Value: value, Type: t, Offset: int64(end)}
	}
}

// within completes a type error saved while decoding field f of a struct
// (table tab) as encoding/json reports it: Struct is the innermost struct,
// Field the dotted path from the outermost one.
func (st *objState) within(tab *objTable, f *objField) {
	e, ok := st.saved.(*json.UnmarshalTypeError)
	if !ok {
		return
	}
	if e.Struct == "" {
		e.Struct = tab.name
	}
	if e.Field == "" {
		e.Field = f.path
	} else {
		e.Field = f.path + "." + e.Field
	}
}

// object decodes the object at b[i] ('{') into the struct v; it returns the
// index after the object. keep: append the unknown members to spans.
func (st *objState) object(tab *objTable, v reflect.Value, i int, keep bool, spans []objSpan) (int, []objSpan, error) {
	if st.depth >= objMaxDepth {
		return -1, spans, errObjDepth
	}
	st.depth++
	b := st.data
	// The strings of this object's fields are set at the end, from one
	// allocation (see objSetStrings).
	var buf [16]objString
	strs := buf[:0]
	defer func() {
		objSetStrings(b, strs)
		st.depth--
	}()
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, spans, nil
	}
	next := 0 // the field expected next
	for {
		if i >= len(b) || b[i] != '"' {
			return -1, spans, errObjSyntax
		}
		keyEnd, flags := objStringScan(b, i)
		if keyEnd < 0 {
			return -1, spans, errObjSyntax
		}
		var f *objField
		var key string // the unescaped key, when it is not plain
		plain := flags == 0 || flags == strHigh && utf8.Valid(b[i+1:keyEnd-1])
		if plain {
			k := b[i+1 : keyEnd-1]
			// Members mostly come in the order of the fields: try the
			// field after the last one first.
			if next < len(tab.fields) && tab.fields[next].name == string(k) {
				f = &tab.fields[next]
			} else {
				f = tab.lookup(k, flags == 0)
			}
		} else {
			k, ok := objUnquote(b[i:keyEnd])
			if !ok {
				return -1, spans, errObjSyntax
			}
			key = k
			f = tab.lookup([]byte(k), false)
		}
		if f != nil {
			next = f.pos + 1
		}
		keyStart := i
		i = skipSpace(b, keyEnd)
		if i >= len(b) || b[i] != ':' {
			return -1, spans, errObjSyntax
		}
		i = skipSpace(b, i+1)
		var end int
		if f != nil {
			if fv := st.field(v, f); !fv.IsValid() {
				end = endOfValue(b, i)
			} else if e, str, ok := st.stringValue(f.dec, i); ok {
				str.v = fv
				strs = append(strs, str)
				end = e
			} else {
				saved := st.saved != nil
				var err error
				if end, err = st.decode(f.dec, fv, i); err != nil {
					return -1, spans, err
				}
				if !saved && st.saved != nil {
					st.within(tab, f)
				}
			}
		} else {
			end = endOfValue(b, i)
			if keep && end > i {
				spans = append(spans, objSpan{keyStart, keyEnd, key, plain, i, end})
			}
		}
		if end < 0 {
			return -1, spans, errObjSyntax
		}
		i = skipSpace(b, end)
		if i >= len(b) {
			return -1, spans, errObjEnd
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return i + 1, spans, nil
		default:
			return -1, spans, errObjSyntax
		}
	}
}

// objString is a string to set in a field: the bytes b[start:end], or s
// when start < 0.
type objString struct {
	v          reflect.Value
	start, end int
	s          string
}

// stringValue returns, for a field of string kind that is set to a string
// (not left as it is, nor decoded by a method), the index after the value
// and the string. ok=false leaves the value to decode.
func (st *objState) stringValue(d *objDecoder, i int) (end int, str objString, ok bool) {
	b := st.data
	if d.kind != okString && d.kind != okFlexString || i >= len(b) {
		return 0, str, false
	}
	switch c := b[i]; {
	case c == '"':
		end, flags := objStringScan(b, i)
		if end < 0 {
			return 0, str, false
		}
		if flags == 0 || flags == strHigh && utf8.Valid(b[i+1:end-1]) {
			return end, objString{start: i + 1, end: end - 1}, true
		}
		s, ok := objUnquote(b[i:end])
		return end, objString{start: -1, s: s}, ok
	case d.kind == okString:
		return 0, str, false // null leaves it, anything else is a type error
	case c == 'n':
		if end = st.literal(i, "null"); end > 0 {
			return end, objString{start: -1}, true
		}
	case c == 't' || c == 'f' || c == '-' || c >= '0' && c <= '9':
		end = endOfValue(b, i)
		if lit := b[i:max(end, i)]; string(lit) == "true" || string(lit) == "false" || isNumber(lit) {
			return end, objString{start: i, end: end}, true
		}
	}
	return 0, str, false
}

// objSetStrings sets the strings of an object's fields. The strings taken
// from the input share one allocation (which the first string kept alive
// keeps): one allocation per object instead of one per field.
func objSetStrings(b []byte, strs []objString) {
	n := 0
	for _, s := range strs {
		if s.start >= 0 {
			n += s.end - s.start
		}
	}
	var all string
	if n > 0 {
		var sb strings.Builder
		sb.Grow(n)
		for _, s := range strs {
			if s.start >= 0 {
				sb.Write(b[s.start:s.end])
			}
		}
		all = sb.String()
	}
	k := 0
	for _, s := range strs {
		if s.start < 0 {
			s.v.SetString(s.s)
			continue
		}
		l := s.end - s.start
		if l == 0 {
			s.v.SetString("")
			continue
		}
		s.v.SetString(all[k : k+l])
		k += l
	}
}

// field returns the field f of struct v, allocating embedded pointers on
// the way; an invalid Value (and a saved error) when one cannot be set.
func (st *objState) field(v reflect.Value, f *objField) reflect.Value {
	if len(f.index) == 1 {
		return v.Field(f.index[0])
	}
	for _, i := range f.index {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					st.save(fmt.Errorf("json: cannot set embedded pointer to unexported struct: %v", v.Type().Elem()))
					return reflect.Value{}
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v
}

// decode decodes the value at b[i] into v (settable) and returns the index
// after the value. Errors returned stop the decoding; type errors are
// saved.
func (st *objState) decode(d *objDecoder, v reflect.Value, i int) (int, error) {
	b := st.data
	if i >= len(b) {
		return -1, errObjEnd
	}
	c := b[i]
	if c == 'n' {
		end := st.literal(i, "null")
		switch d.kind {
		case okPointer, okSlice:
			v.SetZero()
			return end, nil
		case okString, okNumber, okBool, okInt, okUint, okFloat, okStruct:
			return end, nil // null leaves these as they are
		case okFlexString:
			v.SetString("")
			return end, nil
		case okFlexNumericID:
			v.SetString("")
			return end, nil
		case okFlexInt64:
			v.SetInt(0)
			return end, nil
		case okFlexBool:
			v.SetBool(false)
			return end, nil
		}
	}
	switch d.kind {
	case okString:
		if c == '"' {
			end, s, ok := st.str(i)
			if !ok {
				return -1, errObjSyntax
			}
			v.SetString(s)
			return end, nil
		}
	case okInt:
		if c == '-' || c >= '0' && c <= '9' {
			end := objLiteralEnd(b, i)
			n, ok := objParseInt(b[i:end])
			if !ok || v.OverflowInt(n) {
				st.typeError("number "+string(b[i:end]), d.typ, end)
			} else {
				v.SetInt(n)
			}
			return end, nil
		}
	case okBool:
		switch c {
		case 't':
			v.SetBool(true)
			return st.literal(i, "true"), nil
		case 'f':
			v.SetBool(false)
			return st.literal(i, "false"), nil
		}
	case okStruct:
		if c == '{' {
			end, _, err := st.object(d.table, v, i, false, nil)
			return end, err
		}
	case okSlice:
		if c == '[' {
			return st.slice(d, v, i)
		}
	case okPointer:
		if v.IsNil() {
			v.Set(reflect.New(d.typ.Elem()))
		}
		return st.decode(d.elem, v.Elem(), i)
	case okFlexString:
		end := endOfValue(b, i)
		if end < 0 {
			return -1, errObjSyntax
		}
		switch c {
		case '"':
			if _, s, ok := st.str(i); ok {
				v.SetString(s)
				return end, nil
			}
		case 't', 'f':
			if lit := string(b[i:end]); lit == "true" || lit == "false" {
				v.SetString(lit)
				return end, nil
			}
		default:
			if isNumber(b[i:end]) {
				v.SetString(string(b[i:end]))
				return end, nil
			}
		}
		return end, v.Addr().Interface().(*String).UnmarshalJSON(b[i:end])
	case okFlexNumericID:
		end := endOfValue(b, i)
		if end < 0 {
			return -1, errObjSyntax
		}
		if c == '"' {
			if in, ok := objPlainString(b[i:end]); ok && (len(in) == 0 || isInteger(in)) {
				v.SetString(string(in))
				return end, nil
			}
		} else if isInteger(b[i:end]) {
			v.SetString(string(b[i:end]))
			return end, nil
		}
		return end, v.Addr().Interface().(*NumericID).UnmarshalJSON(b[i:end])
	case okFlexInt64:
		end := endOfValue(b, i)
		if end < 0 {
			return -1, errObjSyntax
		}
		lit := b[i:end]
		if c == '"' {
			if in, ok := objPlainString(lit); ok {
				lit = in
			}
		}
		if len(lit) == 0 {
			v.SetInt(0)
			return end, nil
		}
		if n, ok := objParseInt(lit); ok {
			v.SetInt(n)
			return end, nil
		}
		return end, v.Addr().Interface().(*Int64).UnmarshalJSON(b[i:end])
	case okFlexBool:
		end := endOfValue(b, i)
		if end < 0 {
			return -1, errObjSyntax
		}
		switch string(b[i:end]) {
		case "true", "1", `"1"`, `"true"`:
			v.SetBool(true)
			return end, nil
		case "false", "0", `"0"`, `"false"`, `""`:
			v.SetBool(false)
			return end, nil
		}
		return end, v.Addr().Interface().(*Bool).UnmarshalJSON(b[i:end])
	case okUnmarshaler:
		end := endOfValue(b, i)
		if end < 0 {
			return -1, errObjSyntax
		}
		return end, v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b[i:end])
	case okUint:
		if c == '-' || c >= '0' && c <= '9' {
			end := objLiteralEnd(b, i)
			n, err := strconv.ParseUint(string(b[i:end]), 10, 64)
			if err != nil || v.OverflowUint(n) {
				st.typeError("number "+string(b[i:end]), d.typ, end)
			} else {
				v.SetUint(n)
			}
			return end, nil
		}
	case okFloat:
		if c == '-' || c >= '0' && c <= '9' {
			end := objLiteralEnd(b, i)
			n, err := strconv.ParseFloat(string(b[i:end]), d.typ.Bits())
			if err != nil || v.OverflowFloat(n) {
				st.typeError("number "+string(b[i:end]), d.typ, end)
			} else {
				v.SetFloat(n)
			}
			return end, nil
		}
	case okNumber:
		if c == '-' || c >= '0' && c <= '9' {
			end := objLiteralEnd(b, i)
			v.SetString(string(b[i:end]))
			return end, nil
		}
		if c == '"' {
			return st.fallback(d, v, i)
		}
	case okFallback, okWrapped:
		return st.fallback(d, v, i)
	}
	// A value of the wrong JSON type.
	end := endOfValue(b, i)
	if end < 0 {
		return -1, errObjSyntax
	}
	st.typeError(objValueName(c), d.typ, end)
	return end, nil
}

// slice decodes the array at b[i] into the slice v as encoding/json does
// (elements already there are decoded into; the length is the array's).
func (st *objState) slice(d *objDecoder, v reflect.Value, i int) (int, error) {
	if st.depth >= objMaxDepth {
		return -1, errObjDepth
	}
	st.depth++
	end, err := st.elements(d, v, i)
	st.depth--
	return end, err
}

// elements is slice without the depth count.
func (st *objState) elements(d *objDecoder, v reflect.Value, i int) (int, error) {
	b := st.data
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		v.Set(reflect.MakeSlice(d.typ, 0, 0))
		return i + 1, nil
	}
	n := 0
	for {
		if n >= v.Cap() {
			// Room for four more at first, then doubling: the same
			// slice as encoding/json's Grow(1), in fewer allocations.
			v.Grow(max(4, v.Cap()))
		}
		if n >= v.Len() {
			v.SetLen(n + 1)
		}
		end, err := st.decode(d.elem, v.Index(n), i)
		if err != nil {
			return -1, err
		}
		if end < 0 {
			return -1, errObjSyntax
		}
		n++
		i = skipSpace(b, end)
		if i >= len(b) {
			return -1, errObjEnd
		}
		if b[i] == ']' {
			break
		}
		if b[i] != ',' {
			return -1, errObjSyntax
		}
		i = skipSpace(b, i+1)
	}
	if n < v.Len() {
		v.SetLen(n)
	}
	return i + 1, nil
}

// fallback decodes the value at b[i] with encoding/json.
func (st *objState) fallback(d *objDecoder, v reflect.Value, i int) (int, error) {
	b := st.data
	end := endOfValue(b, i)
	if end < 0 {
		return -1, errObjSyntax
	}
	val := b[i:end]
	target := v
	if d.kind == okWrapped {
		w := reflect.New(d.wrap).Elem()
		w.Field(0).Set(v)
		target = w
		val = make([]byte, 0, len(val)+6)
		val = append(append(append(val, `{"F":`...), b[i:end]...), '}')
	}
	var err error
	if d.useNumber {
		dec := json.NewDecoder(bytes.NewReader(val))
		dec.UseNumber()
		err = dec.Decode(target.Addr().Interface())
	} else {
		err = json.Unmarshal(val, target.Addr().Interface())
	}
	if d.kind == okWrapped {
		v.Set(target.Field(0))
	}
	if err != nil {
		te, ok := err.(*json.UnmarshalTypeError)
		if !ok {
			return -1, err
		}
		// encoding/json goes on after a type error, and so does its
		// decoding of the value: keep the error, continue.
		if st.saved == nil {
			if d.kind == okWrapped {
				te.Field = strings.TrimPrefix(strings.TrimPrefix(te.Field, "F"), ".")
			}
			te.Offset += int64(i)
			if te.Type == reflect.PointerTo(d.typ) {
				te.Type = d.typ // the pointer given to encoding/json: the field itself
			}
			st.saved = te
		}
	}
	return end, nil
}

// str returns the value of the string literal at b[i] and the index after
// it.
func (st *objState) str(i int) (end int, s string, ok bool) {
	b := st.data
	end, plain := objStringEnd(b, i)
	if end < 0 {
		return -1, "", false
	}
	if plain {
		return end, string(b[i+1 : end-1]), true
	}
	s, ok = objUnquote(b[i:end])
	return end, s, ok
}

// literal returns the index after the literal lit at b[i], or -1.
func (st *objState) literal(i int, lit string) int {
	b := st.data
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return -1
	}
	return i + len(lit)
}

// ---- unknown members ----

// objSpan is an unknown member of the top-level object, by offsets.
type objSpan struct {
	keyStart, keyEnd int    // the key literal, quotes included
	key              string // the unescaped key, when it is not plain
	plain            bool
	start, end       int // the value
}

// objBuildExtra copies the unknown members: one allocation for the values,
// the map, and one for the keys that tab has not seen before (see
// objTable.keys).
func objBuildExtra(tab *objTable, b []byte, spans []objSpan) Extra {
	if len(spans) == 0 {
		return nil
	}
	known := tab.keys.Load()
	keyLen, valLen := 0, 0
	for i := range spans {
		s := &spans[i]
		valLen += s.end - s.start
		if !s.plain {
			continue
		}
		if known != nil {
			if k, ok := (*known)[string(b[s.keyStart+1:s.keyEnd-1])]; ok {
				s.key, s.plain = k, false
				continue
			}
		}
		keyLen += s.keyEnd - s.keyStart - 2
	}
	var keys string
	if keyLen > 0 {
		var kb strings.Builder
		kb.Grow(keyLen)
		for _, s := range spans {
			if s.plain {
				kb.Write(b[s.keyStart+1 : s.keyEnd-1])
			}
		}
		keys = kb.String()
	}
	vals := make([]byte, 0, valLen)
	m := make(Extra, len(spans))
	k := 0
	learn := known == nil || len(*known) < objMaxKeys
	var fresh []string
	for _, s := range spans {
		key := s.key
		if s.plain {
			n := s.keyEnd - s.keyStart - 2
			key = keys[k : k+n]
			k += n
			if learn {
				fresh = append(fresh, key)
			}
		}
		at := len(vals)
		vals = append(vals, b[s.start:s.end]...)
		m[key] = json.RawMessage(vals[at:len(vals):len(vals)])
	}
	if fresh != nil {
		tab.learnKeys(known, fresh)
	}
	return m
}

// ---- lexical helpers (for input already validated) ----

// objStrClass classifies bytes inside a string literal: 0 plain ASCII, 1
// the closing quote, 2 a backslash, 3 a control character, 4 a byte of a
// multi-byte UTF-8 sequence.
var objStrClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c == '"':
			t[c] = 1
		case c == '\\':
			t[c] = 2
		case c < 0x20:
			t[c] = 3
		case c >= 0x80:
			t[c] = 4
		}
	}
	return t
}()

// Flags of objStringScan.
const (
	strEscaped = 1 << iota // a backslash or a control character: the bytes are not the value
	strHigh                // bytes >= 0x80
)

// objStringScan returns the index after the string literal at b[i] (b[i]
// is '"'), or -1 when it does not end, and flags saying what it holds. It
// looks at eight bytes at a time.
func objStringScan(b []byte, i int) (end int, flags uint8) {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
	)
	j := i + 1
	for j < len(b) {
		if j+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[j:])
			q := w ^ (lo * '"')
			bs := w ^ (lo * '\\')
			// The lowest set bit marks the first quote, backslash or
			// control character (the tests are exact up to there).
			special := (q-lo)&^q&hi | (bs-lo)&^bs&hi | (w-lo*0x20)&^w&hi
			if special == 0 {
				if w&hi != 0 {
					flags |= strHigh
				}
				j += 8
				continue
			}
			n := bits.TrailingZeros64(special) >> 3 // bytes before it
			if w&hi&(1<<(8*n)-1) != 0 {
				flags |= strHigh
			}
			j += n
		}
		switch objStrClass[b[j]] {
		case 1:
			return j + 1, flags
		case 2:
			flags |= strEscaped
			j++
		case 3:
			flags |= strEscaped
		case 4:
			flags |= strHigh
		}
		j++
	}
	return -1, flags
}

// objStringEnd returns the index after the string literal at b[i] (b[i] is
// '"') and whether it is plain: without escapes or control characters, and
// valid UTF-8, so that its bytes are its value. -1 when it does not end.
func objStringEnd(b []byte, i int) (end int, plain bool) {
	end, flags := objStringScan(b, i)
	if end < 0 {
		return -1, false
	}
	return end, flags == 0 || flags == strHigh && utf8.Valid(b[i+1:end-1])
}

// objPlainString returns the bytes inside the string literal lit when they
// are its value (see objStringEnd).
func objPlainString(lit []byte) ([]byte, bool) {
	if end, plain := objStringEnd(lit, 0); end == len(lit) && plain {
		return lit[1 : end-1], true
	}
	return nil, false
}

// objLiteralEnd returns the index after the number or literal at b[i].
func objLiteralEnd(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n', ':', '"', '{', '[':
			return i
		}
		i++
	}
	return i
}

// objParseInt parses a decimal integer as strconv.ParseInt(s, 10, 64).
func objParseInt(s []byte) (int64, bool) {
	neg := false
	d := s
	if len(d) > 0 && (d[0] == '-' || d[0] == '+') {
		neg = d[0] == '-'
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 18 {
		n, err := strconv.ParseInt(string(s), 10, 64)
		return n, err == nil
	}
	var n int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// objUnquote is encoding/json's unquote: the value of the string literal
// s, with invalid UTF-8 and lone surrogates replaced by U+FFFD.
func objUnquote(s []byte) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	s = s[1 : len(s)-1]
	b := make([]byte, 0, len(s)+2*utf8.UTFMax)
	for r := 0; r < len(s); {
		switch c := s[r]; {
		case c == '\\':
			r++
			if r >= len(s) {
				return "", false
			}
			switch s[r] {
			default:
				return "", false
			case '"', '\\', '/', '\'':
				b = append(b, s[r])
				r++
			case 'b':
				b = append(b, '\b')
				r++
			case 'f':
				b = append(b, '\f')
				r++
			case 'n':
				b = append(b, '\n')
				r++
			case 'r':
				b = append(b, '\r')
				r++
			case 't':
				b = append(b, '\t')
				r++
			case 'u':
				r--
				rr := objGetu4(s[r:])
				if rr < 0 {
					return "", false
				}
				r += 6
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, objGetu4(s[r:])); dec != unicode.ReplacementChar {
						r += 6
						b = utf8.AppendRune(b, dec)
						break
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
			}
		case c == '"', c < ' ':
			return "", false
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			b = utf8.AppendRune(b, rr)
		}
	}
	return string(b), true
}

func objGetu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
