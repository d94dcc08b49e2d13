package flex

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// benchPlain is a vendor record as a plain struct: unknown members are
// dropped.
type benchPlain struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Mobile      string         `json:"mobile"`
	Email       string         `json:"email"`
	Company     string         `json:"company"`
	Address     string         `json:"address"`
	Remark      string         `json:"remark"`
	Source      string         `json:"source"`
	OwnerID     string         `json:"owner_id"`
	Status      int            `json:"status"`
	Gender      int            `json:"gender"`
	Age         int64          `json:"age"`
	CreateTime  int64          `json:"create_time"`
	UpdateTime  int64          `json:"update_time"`
	IsRepeat    bool           `json:"is_repeat"`
	ContactWays []benchContact `json:"contact_ways"`
}

type benchContact struct {
	Type  int    `json:"type"`
	Value string `json:"contact_way"`
}

// benchExtra is benchPlain keeping the unknown members.
type benchExtra struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Mobile      string         `json:"mobile"`
	Email       string         `json:"email"`
	Company     string         `json:"company"`
	Address     string         `json:"address"`
	Remark      string         `json:"remark"`
	Source      string         `json:"source"`
	OwnerID     string         `json:"owner_id"`
	Status      int            `json:"status"`
	Gender      int            `json:"gender"`
	Age         int64          `json:"age"`
	CreateTime  int64          `json:"create_time"`
	UpdateTime  int64          `json:"update_time"`
	IsRepeat    bool           `json:"is_repeat"`
	ContactWays []benchContact `json:"contact_ways"`
	Extra       Extra          `json:"-"`
}

func (e *benchExtra) UnmarshalJSON(b []byte) error {
	type plain benchExtra
	return UnmarshalObject(b, (*plain)(e), &e.Extra)
}

// benchPage is a page of 100 records, each with two unknown members.
func benchPage() []byte {
	var sb strings.Builder
	sb.WriteByte('[')
	for i := range 100 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"%d","name":"张三%d","mobile":"1380013%04d","email":"user%d@example.com",`+
			`"company":"上海某某科技有限公司","address":"上海市浦东新区世纪大道100号","remark":"来自官网表单的线索",`+
			`"source":"web","owner_id":"u_%d","status":%d,"gender":%d,"age":%d,"create_time":%d,"update_time":%d,`+
			`"is_repeat":%t,"contact_ways":[{"type":1,"contact_way":"1380013%04d"},{"type":3,"contact_way":"user%d@example.com"}],`+
			`"sea_id":"sea_%d","custom_fields":{"level":"A","tags":["x","y"]}}`,
			6789690485561771524+int64(i), i, i, i, i%7, i%3, i%2+1, 20+i%40, 1631618303000+int64(i), 1631618303000+int64(i)*1000,
			i%2 == 0, i, i, i%5)
	}
	sb.WriteByte(']')
	return []byte(sb.String())
}

// The page benchmarks decode the same 100 records (16 fields, a nested
// list of two objects, two unknown members each) with json.Unmarshal:
//
//   - Plain: into a struct without Extra (unknown members dropped), the
//     baseline;
//   - UnmarshalObject: into the same fields plus Extra, decoded by
//     UnmarshalObject from the type's UnmarshalJSON;
//   - DecodeTwice: what the vendor packages did before: json.Unmarshal
//     into the fields, then a walk collecting the unknown members.
//
// BenchmarkPageRatio runs Plain and UnmarshalObject alternately and reports
// their ratio, which a busy machine disturbs less than two separate runs.

func BenchmarkPagePlain(b *testing.B) {
	data := benchPage()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var page []benchPlain
		if err := json.Unmarshal(data, &page); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPageUnmarshalObject(b *testing.B) {
	data := benchPage()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var page []benchExtra
		if err := json.Unmarshal(data, &page); err != nil {
			b.Fatal(err)
		}
	}
}

// benchTwice keeps the unknown members the way the vendor packages did
// before UnmarshalObject.
type benchTwice benchExtra

func (e *benchTwice) UnmarshalJSON(b []byte) error {
	type plain benchTwice
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	known := map[string]bool{"id": true, "name": true, "mobile": true, "email": true, "company": true, "address": true,
		"remark": true, "source": true, "owner_id": true, "status": true, "gender": true, "age": true, "create_time": true,
		"update_time": true, "is_repeat": true, "contact_ways": true}
	Members(b, func(k string, v []byte) {
		if !known[k] {
			if p.Extra == nil {
				p.Extra = Extra{}
			}
			p.Extra[k] = append(json.RawMessage(nil), v...)
		}
	})
	*e = benchTwice(p)
	return nil
}

func BenchmarkPageDecodeTwice(b *testing.B) {
	data := benchPage()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var page []benchTwice
		if err := json.Unmarshal(data, &page); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPageRatio(b *testing.B) {
	data := benchPage()
	var plain, object time.Duration
	for b.Loop() {
		t0 := time.Now()
		var p []benchPlain
		if err := json.Unmarshal(data, &p); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		var o []benchExtra
		if err := json.Unmarshal(data, &o); err != nil {
			b.Fatal(err)
		}
		plain += t1.Sub(t0)
		object += time.Since(t1)
	}
	b.ReportMetric(float64(plain.Nanoseconds())/float64(b.N), "plain-ns/op")
	b.ReportMetric(float64(object.Nanoseconds())/float64(b.N), "object-ns/op")
	b.ReportMetric(float64(object)/float64(plain), "ratio")
}

// BenchmarkUnmarshalObject is one record, decoded directly.
func BenchmarkUnmarshalObject(b *testing.B) {
	data := benchPage()
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		b.Fatal(err)
	}
	rec := items[0]
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	type plain benchExtra
	for b.Loop() {
		var v benchExtra
		if err := UnmarshalObject(rec, (*plain)(&v), &v.Extra); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalObject(b *testing.B) {
	var v benchExtra
	if err := json.Unmarshal(benchPage(), &[]*benchExtra{&v}); err != nil {
		b.Fatal(err)
	}
	type plain benchExtra
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MarshalObject((*plain)(&v), v.Extra); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkText(b *testing.B) {
	for _, in := range []string{`"上海市浦东新区世纪大道100号"`, `6789690485561771524`, `{"level": "A", "tags": ["x", "y"]}`} {
		b.Run(in[:1], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var t Text
				if err := t.UnmarshalJSON([]byte(in)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkList(b *testing.B) {
	for _, in := range []string{`[{"x":"a","y":1},{"x":"b","y":2}]`, `{"x":"a","y":1}`, `null`} {
		b.Run(in[:1], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var l List[Inner]
				if err := l.UnmarshalJSON([]byte(in)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTime(b *testing.B) {
	for _, in := range []string{`1631618303000`, `"1631618303"`, `"2021-09-14 19:18:23"`} {
		b.Run(in[:2], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var t Time
				if err := t.UnmarshalJSON([]byte(in)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
