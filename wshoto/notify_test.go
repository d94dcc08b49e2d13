package wshoto

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseNotifyDocExample(t *testing.T) {
	t.Parallel()
	n, err := ParseNotify([]byte(fixture(t, "notify_custom_field_change.json")))
	require.NoError(t, err)
	assert.Equal(t, "1540160872865209346", n.MessageID)
	assert.Equal(t, "1540160872865209346", n.DedupeKey())
	assert.Equal(t, NotifyCustomFieldChange, n.Type)
	assert.Equal(t, time.Unix(1656037941, 0).In(CST), n.GmtCreate.Time())
	require.NotNil(t, n.CustomFieldChange)
	assert.Equal(t, CustomFieldChange{TenantID: "wpvvCXcAAAsQgTf6tGxZNXWs0AjheY6Q", ModuleKeys: []string{ModuleClue}}, *n.CustomFieldChange)
	assert.JSONEq(t, `{"tenant_id":"wpvvCXcAAAsQgTf6tGxZNXWs0AjheY6Q","module_keys":["clue"]}`, string(n.Content))
}

func TestParseNotify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantErr bool
		check   func(t *testing.T, n *Notify)
	}{
		{name: "message_id as a 19-digit number", body: `{"message_id":1540160872865209347,"type":41,"content":"{\"x\":1}","gmt_create":1656037941}`,
			check: func(t *testing.T, n *Notify) {
				assert.Equal(t, "1540160872865209347", n.MessageID)
				assert.Equal(t, NotifySensitiveChat, n.Type)
				assert.Nil(t, n.CustomFieldChange)
				assert.JSONEq(t, `{"x":1}`, string(n.Content))
			}},
		{name: "unknown type kept raw", body: `{"message_id":"1","type":99,"content":"[1,2]","gmt_create":"1656037941"}`,
			check: func(t *testing.T, n *Notify) {
				assert.Equal(t, NotifyType(99), n.Type)
				assert.Equal(t, `[1,2]`, string(n.Content))
				assert.Equal(t, Time(1656037941000), n.GmtCreate)
			}},
		{name: "content as an object", body: `{"message_id":"1","type":21,"content":{"tenant_id":"t","module_keys":["clue","order"]}}`,
			check: func(t *testing.T, n *Notify) {
				assert.Equal(t, []string{ModuleClue, ModuleOrder}, n.CustomFieldChange.ModuleKeys)
			}},
		{name: "gmt_create in ms", body: `{"message_id":"1","type":21,"content":"{}","gmt_create":1656037941000}`,
			check: func(t *testing.T, n *Notify) {
				assert.Equal(t, time.Unix(1656037941, 0).In(CST), n.GmtCreate.Time())
				assert.Empty(t, n.CustomFieldChange.ModuleKeys)
			}},
		{name: "empty content", body: `{"message_id":"1","type":21,"content":""}`,
			check: func(t *testing.T, n *Notify) {
				assert.Nil(t, n.Content)
				assert.Nil(t, n.CustomFieldChange)
			}},
		{name: "type as string", body: `{"message_id":"1","type":"21","content":"{\"tenant_id\":\"t\"}"}`,
			check: func(t *testing.T, n *Notify) { assert.Equal(t, "t", n.CustomFieldChange.TenantID) }},
		{name: "no message_id", body: `{"type":21,"content":"{}"}`, wantErr: true},
		{name: "no type", body: `{"message_id":"1","content":"{}"}`, wantErr: true},
		{name: "content not json", body: `{"message_id":"1","type":21,"content":"not json"}`, wantErr: true},
		{name: "type 21 content of the wrong shape", body: `{"message_id":"1","type":21,"content":"{\"module_keys\":\"clue\"}"}`, wantErr: true},
		{name: "not an object", body: `[]`, wantErr: true},
		{name: "empty", body: ``, wantErr: true},
		{name: "truncated", body: `{"message_id":"1",`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, err := ParseNotify([]byte(tt.body))
			if tt.wantErr {
				require.Error(t, err)
				assert.Nil(t, n)
				return
			}
			require.NoError(t, err)
			tt.check(t, n)
		})
	}
}

func FuzzParseNotify(f *testing.F) {
	doc, err := os.ReadFile("testdata/notify_custom_field_change.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc)
	f.Add([]byte(`{"message_id":1540160872865209347,"type":41,"content":"{\"x\":1}","gmt_create":1656037941}`))
	f.Add([]byte(`{"message_id":"1","type":21,"content":{"tenant_id":"t","module_keys":["clue"]}}`))
	f.Add([]byte(`{"message_id":"1","type":"21","content":"","gmt_create":"1656037941000"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := ParseNotify(body)
		if err != nil {
			if n != nil {
				t.Fatalf("non-nil notify with error %v", err)
			}
			return
		}
		if n.MessageID == "" {
			t.Fatal("accepted a notify without message_id")
		}
		if len(n.Content) > 0 && !json.Valid(n.Content) {
			t.Fatalf("content is not valid JSON: %q", n.Content)
		}
		if n.Type == NotifyCustomFieldChange && len(n.Content) > 0 && n.CustomFieldChange == nil {
			t.Fatal("type 21 content not decoded")
		}
		_ = n.GmtCreate.Time()
	})
}
