package waiqin365_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/testkit"
	"github.com/cluekit/cluekit/waiqin365"
)

// TestClientPrintsNoSecret: %v, %+v, %#v, %s and slog show the vendor, the
// openid and the base URL, never the app key.
func TestClientPrintsNoSecret(t *testing.T) {
	t.Parallel()
	c, err := waiqin365.New(testOpenID, testAppKey, waiqin365.WithBaseURL("https://openapi.qince.com/gw"))
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{c, *c} {
			out := fmt.Sprintf(verb, v)
			testkit.NoSecrets(t, out, testAppKey)
			assert.Contains(t, out, testOpenID, verb)
			assert.Contains(t, out, "https://openapi.qince.com/gw", verb)
			assert.Contains(t, out, "waiqin365", verb)
		}
	}
	logger, logs := testkit.Logger()
	logger.Info("client", slog.Any("client", c))
	var text strings.Builder
	slog.New(slog.NewTextHandler(&text, nil)).Info("client", "client", c)
	for _, out := range []string{logs.String(), text.String()} {
		testkit.NoSecrets(t, out, testAppKey)
		assert.Contains(t, out, testOpenID)
	}
}
