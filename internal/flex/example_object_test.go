package flex_test

import (
	"encoding/json"
	"fmt"

	"github.com/cluekit/cluekit/internal/flex"
)

// Contact is how a vendor package declares a record that keeps the members
// it does not type.
type Contact struct {
	ID      flex.ID           `json:"contact_id"`
	Name    string            `json:"user_name"`
	Tags    flex.List[string] `json:"tags"`
	Note    flex.Text         `json:"note"`
	Created flex.Time         `json:"create_time"`
	Extra   flex.Extra        `json:"-"`
}

// UnmarshalJSON decodes the fields and keeps the other members in Extra.
func (c *Contact) UnmarshalJSON(b []byte) error {
	type plain Contact // the fields, without the methods
	return flex.UnmarshalObject(b, (*plain)(c), &c.Extra)
}

// MarshalJSON encodes the fields, then Extra.
func (c Contact) MarshalJSON() ([]byte, error) {
	type plain Contact
	return flex.MarshalObject(plain(c), c.Extra)
}

func ExampleUnmarshalObject() {
	page := `[
		{"contact_id":6789690485561771524,"user_name":"张三","tags":"vip","note":{"a": 1},
		 "create_time":1631618303,"sea_id":"s1","custom":{"level":"A"}},
		{"contact_id":"2","tags":["a","b"],"note":12.50,"create_time":"2021-09-14 19:18:23"},
		[]
	]`
	var contacts []Contact
	if err := json.Unmarshal([]byte(page), &contacts); err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range contacts {
		fmt.Printf("%q %q %q %q %q %d extra\n", c.ID, c.Name, c.Tags, c.Note, c.Created, len(c.Extra))
	}
	out, _ := json.Marshal(contacts[0])
	fmt.Println(string(out))
	// Output:
	// "6789690485561771524" "张三" ["vip"] "{\"a\":1}" "2021-09-14 19:18:23" 2 extra
	// "2" "" ["a" "b"] "12.50" "2021-09-14 19:18:23" 0 extra
	// "" "" [] "" "" 0 extra
	// {"contact_id":"6789690485561771524","user_name":"张三","tags":["vip"],"note":"{\"a\":1}","create_time":1631618303000,"custom":{"level":"A"},"sea_id":"s1"}
}
