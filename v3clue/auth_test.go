package v3clue

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Golden values computed independently in the shell, e.g.
//
//	printf '%s' 'tm-app-0011700000000000{"customerId":8}k3y-secret' | sha256sum
func TestSignRequestGolden(t *testing.T) {
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
			assert.Equal(t, tt.want, SignRequest(tt.appID, tt.ts, []byte(tt.body), tt.appKey))
		})
	}
	assert.Equal(t, SignRequest("a", "1", nil, "k"), SignRequest("a", "1", []byte{}, "k"), "nil and empty body sign alike")
}

func TestFormatTimestamp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.UnixMilli(1700000000000), "1700000000000"},
		{time.UnixMilli(1620717348123).In(CST), "1620717348123"},
		{time.Date(2030, 1, 2, 3, 4, 5, 999999999, time.UTC), "1893553445999"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, FormatTimestamp(tt.in))
		assert.Len(t, FormatTimestamp(tt.in), 13)
	}
}

func TestSignatureHint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []Option
		status   int
		body     string
		wantHint bool
	}{
		{"1002 without the appKey header", nil, 200, `{"code":1002,"message":"签名校验未通过"}`, true},
		{"1002 as a string code", nil, 200, `{"code":"1002","message":"签名校验未通过"}`, true},
		{"1002 in a 401 body", nil, 401, `{"code":1002,"message":"签名校验未通过"}`, true},
		{"1002 with the appKey header already sent", []Option{WithAppKeyHeader()}, 200, `{"code":1002,"message":"签名校验未通过"}`, false},
		{"1003 is the clock, not the key", nil, 200, `{"code":1003,"message":"请求时间与服务器时间相差过大"}`, false},
		{"other codes", nil, 200, `{"code":-1,"message":"失败"}`, false},
		{"401 without a code", nil, 401, ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.opts...)
			h.respond(jsonResp(tt.status, tt.body))
			_, err := h.c.GetClue(context.Background(), &GetClueRequest{CustomerID: 8})
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			if tt.wantHint {
				assert.Equal(t, appKeyHint, apiErr.Hint)
				assert.Contains(t, err.Error(), "(hint: ")
				assert.Contains(t, err.Error(), "WithAppKeyHeader")
				assert.ErrorIs(t, err, ErrSignature)
			} else {
				assert.Empty(t, apiErr.Hint)
				assert.NotContains(t, err.Error(), "WithAppKeyHeader")
			}
			h.noSecrets(t, err.Error())
		})
	}
}

func BenchmarkSignRequest(b *testing.B) {
	body := []byte(`{"customerId":410983932389440}`)
	for b.Loop() {
		_ = SignRequest("tm-app-001", "1700000000000", body, "k3y-secret")
	}
}
