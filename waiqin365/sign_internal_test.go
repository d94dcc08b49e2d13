package waiqin365

import (
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/testkit"
)

// The vendor's worked example (接入说明), reproduced in 3P-README.
const (
	goldenAppKey    = "BFCO0PAgIUgd50c0l6"
	goldenOpenID    = "5465103569540931532"
	goldenTimestamp = "20150806142836"
	goldenMsgID     = "ORG00001"
	goldenDigest    = "74267bf0cae0998a719879ec9b3c7780"
	goldenURL       = "https://openapi.waiqin365.com/api/organization/v1/addOrganization/5465103569540931532/20150806142836/74267bf0cae0998a719879ec9b3c7780/ORG00001"
)

func goldenBody(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/golden_body.txt")
	require.NoError(t, err)
	require.Len(t, b, 89, "the documented body is 89 bytes of UTF-8 (not valid JSON: org_sequence 001)")
	return b
}

func TestDigestGolden(t *testing.T) {
	t.Parallel()
	assert.Equal(t, goldenDigest, Digest(goldenBody(t), goldenAppKey, goldenTimestamp))
	// Every input matters; the order is body, appkey, timestamp.
	assert.NotEqual(t, goldenDigest, Digest(goldenBody(t), goldenAppKey, "20150806142837"))
	assert.NotEqual(t, goldenDigest, Digest(append(goldenBody(t), ' '), goldenAppKey, goldenTimestamp))
	assert.NotEqual(t, goldenDigest, Digest([]byte(goldenAppKey), string(goldenBody(t)), goldenTimestamp))
}

func TestPushDigestMatchesFormula(t *testing.T) {
	t.Parallel()
	// md5("d|s|1") computed independently.
	assert.Equal(t, Digest([]byte("d"), "s", "1"), PushDigest("d", "s", "1"))
	assert.Regexp(t, `^[0-9a-f]{32}$`, PushDigest(`{"lead_ID":"x"}`, "secret", "1503276678552"))
}

// TestGoldenURL sends the vendor's example through the transport (the body
// verbatim: it is not valid JSON, which Do refuses; the example clock and
// msg_id) and checks the exact URL.
func TestGoldenURL(t *testing.T) {
	t.Parallel()
	tr := httpmock.NewMockTransport()
	var gotURL string
	var gotBody []byte
	tr.RegisterResponder(http.MethodPost, `=~.*`, func(r *http.Request) (*http.Response, error) {
		gotURL = r.URL.String()
		gotBody = readAll(t, r)
		return httpmock.NewStringResponse(200, `{"return_code":"0","return_msg":null,"msg_id":"ORG00001","response_data":null}`), nil
	})
	at, err := time.ParseInLocation(TimestampLayout, goldenTimestamp, CST)
	require.NoError(t, err)
	logger, logs := testkit.Logger()
	c, err := New(goldenOpenID, goldenAppKey, WithHTTPClient(&http.Client{Transport: tr}), WithLogger(logger),
		core.WithClock(func() time.Time { return at.UTC() })) // any zone: the timestamp is taken in Asia/Shanghai
	require.NoError(t, err)
	c.msgID = func() string { return goldenMsgID }
	ep := core.Endpoint{Op: "addOrganization", Path: "/api/organization/v1/addOrganization", Create: true}
	_, err = c.t.Call(context.Background(), ep, nil, goldenBody(t), nil)
	require.NoError(t, err)
	assert.Equal(t, goldenURL, gotURL)
	assert.Equal(t, goldenBody(t), gotBody, "the exact bytes are sent")
	testkit.NoSecrets(t, logs.String(), goldenAppKey, goldenDigest)
}

func TestFormatTimestamp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2015, 8, 6, 6, 28, 36, 0, time.UTC), "20150806142836"},
		{time.Date(2015, 8, 6, 14, 28, 36, 999_999_999, CST), "20150806142836"},
		{time.Date(2024, 12, 31, 16, 0, 0, 0, time.UTC), "20250101000000"}, // crosses midnight and the year in Shanghai
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, FormatTimestamp(tt.in))
	}
}

func TestNewMsgID(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := NewMsgID()
		require.Regexp(t, re, id)
		require.False(t, seen[id], "msg_id repeated")
		seen[id] = true
	}
}

func readAll(t testing.TB, r *http.Request) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return b
}
