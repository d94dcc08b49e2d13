package v3clue

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Golden values computed independently in the shell, e.g.
//
//	printf '%s' 'tm-app-0011700000000000{"customerId":8}k3y-secret' | sha256sum
func TestSignGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, appID, ts, body, appKey, want string
	}{
		{"compact body", "tm-app-001", "1700000000000", `{"customerId":8}`, "k3y-secret",
			"b4e913faeb16bd69e01e46fa5c3c6960696a34420993243e9bb8108012d1e956"},
		{"body with spaces (hashed as sent)", "tm-app-001", "1700000000000", `{"customerId": 8}`, "k3y-secret",
			"0496569a18c16e87cc0dd07de394622febabcf008f674d7e71ea868a7ef1ffd8"},
		{"chinese body", "tm-app-001", "1700000000000", `{"searchKey":"打马赛克就","remark":"u 诶IE"}`, "k3y-secret",
			"3c2a3742454c73b9cf859d9dcdb4664e345a84c35db9abbf569486ec054e56e3"},
		{"empty body", "tm-app-001", "1700000000000", "", "k3y-secret",
			"7f7e4bb8f842afd25dba13d72f63f6524ee206bd92a9b9d50136f7cb685e631c"},
		{"everything empty", "", "", "", "",
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Sign(tt.appID, tt.ts, []byte(tt.body), tt.appKey))
		})
	}
	assert.Equal(t, Sign("a", "1", nil, "k"), Sign("a", "1", []byte{}, "k"), "nil and empty body sign alike")
}

func TestTimestamp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.UnixMilli(1700000000000), "1700000000000"},
		{time.UnixMilli(1620717348123).In(Shanghai), "1620717348123"},
		{time.Date(2030, 1, 2, 3, 4, 5, 999999999, time.UTC), "1893553445999"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Timestamp(tt.in))
		assert.Len(t, Timestamp(tt.in), 13)
	}
}

func BenchmarkSign(b *testing.B) {
	body := []byte(`{"customerId":410983932389440}`)
	for b.Loop() {
		_ = Sign("tm-app-001", "1700000000000", body, "k3y-secret")
	}
}
