package weiling

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// contactPage100 is a contact/batch answer holding 100 copies of the
// fixture's contact (each with one member the SDK does not type).
func contactPage100(tb testing.TB) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/contact_batch_response.json")
	require.NoError(tb, err)
	var fx struct {
		Data struct {
			ContactList []json.RawMessage `json:"contact_list"`
		} `json:"data"`
	}
	require.NoError(tb, json.Unmarshal(b, &fx))
	one := string(fx.Data.ContactList[0])
	return []byte(`{"code":0,"msg":"success","data":{"contact_list":[` + strings.TrimSuffix(strings.Repeat(one+",", 100), ",") + `]}}`)
}

// TestBatchGetContactsDecodesOnce: a 100-contact answer is decoded in one
// pass, typed fields and unknown members together: it costs no more
// allocations than encoding/json decoding the same answer into the bare
// struct (which drops the unknown members). Decoding each contact twice
// (typed fields, then a second walk for the unknown members) costs more.
func TestBatchGetContactsDecodesOnce(t *testing.T) {
	body := contactPage100(t)
	var res BatchGetContactsResult
	require.NoError(t, json.Unmarshal(body, newEnvelope(&res)))
	require.Len(t, res.Contacts, 100)
	for _, c := range res.Contacts {
		require.Len(t, c.Extra, 1)
		require.Equal(t, "小穆", c.UserName)
	}

	type bare Contact // the same fields, without the one-pass decoder
	baseline := testing.AllocsPerRun(20, func() {
		var out struct {
			Data struct {
				Contacts []bare `json:"contact_list"`
			} `json:"data"`
		}
		_ = json.Unmarshal(body, &out)
	})
	sdk := testing.AllocsPerRun(20, func() {
		var out BatchGetContactsResult
		_ = json.Unmarshal(body, newEnvelope(&out))
	})
	// 1.03: room for the envelope and the 100 one-member Extra maps; a
	// second decode of each contact would be far above it.
	if sdk > baseline*1.03 {
		t.Errorf("decoding 100 contacts: %v allocations, encoding/json alone %v: decoded more than once?", sdk, baseline)
	}
	t.Logf("100 contacts: %v allocations (encoding/json into the bare struct: %v)", sdk, baseline)
}

func BenchmarkDecodeContactPage100(b *testing.B) {
	body := contactPage100(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var out BatchGetContactsResult
		if err := json.Unmarshal(body, newEnvelope(&out)); err != nil || len(out.Contacts) != 100 {
			b.Fatal(err)
		}
	}
}
