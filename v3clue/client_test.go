package v3clue

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/testkit"
)

func TestNewValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		appID, appKey string
		opts          []Option
		ok            bool
	}{
		{"defaults", "id", "key", nil, true},
		{"loopback http", "id", "key", []Option{WithBaseURL("http://127.0.0.1:8080/apiServer")}, true},
		{"older host", "id", "key", []Option{WithBaseURL("https://api.tanmarket.cn:20066/api")}, true},
		{"all options", "id", "key", []Option{WithHTTPClient(&http.Client{}), WithTimeout(1e9), WithMaxAttempts(1), WithRateLimit(5, 1), WithLogger(nil), WithUserAgent("x"), WithAppKeyHeader()}, true},
		{"shared options", "id", "key", []Option{WithRetryQuota(0), WithBackoff(time.Millisecond, time.Second), WithClock(time.Now),
			WithLimiter(limiterFunc(func(context.Context) error { return nil })), WithMaxResponseBytes(1 << 10), WithObserver(Observer{})}, true},
		{"handler-only option", "id", "key", []Option{core.WithMaxBodyBytes(10)}, false},
		{"empty id", "", "key", nil, false},
		{"empty key", "id", "", nil, false},
		{"newline in id", "id\r\nX: y", "key", nil, false},
		{"space in key", "id", "k ey", nil, false},
		{"remote plain http", "id", "key", []Option{WithBaseURL("http://account.tanmarket.cn/apiServer")}, false},
		{"malformed base", "id", "key", []Option{WithBaseURL("::nope")}, false},
		{"zero attempts", "id", "key", []Option{WithMaxAttempts(0)}, false},
		{"foreign vendor option", "id", "key", []Option{core.VendorOption("WithOther", func(*struct{ X int }) error { return nil })}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(tt.appID, tt.appKey, tt.opts...)
			if !tt.ok {
				require.Error(t, err)
				assert.Nil(t, c)
				testkit.NoSecrets(t, err.Error(), tt.appKey)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, c)
		})
	}
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	c, err := New("id", "key")
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL, c.cfg.BaseURL)
	assert.Equal(t, core.DefaultMaxAttempts, c.cfg.MaxAttempts)
	assert.Equal(t, core.DefaultTimeout, c.cfg.Timeout)
	assert.False(t, c.s.appKeyHeader)
	c2, err := New("id", "key", WithAppKeyHeader())
	require.NoError(t, err)
	assert.True(t, c2.s.appKeyHeader)
}

func TestClientPrintsNoSecret(t *testing.T) {
	t.Parallel()
	c, err := New("tm-app", testAppKey, WithBaseURL(testBase))
	require.NoError(t, err)
	want := "v3clue.Client{app: tm-app, base: " + testBase + "}"
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		s := fmt.Sprintf(verb, c)
		testkit.NoSecrets(t, s, testAppKey)
		assert.Contains(t, s, "tm-app")
		assert.Equal(t, want, s, verb)
	}
	// A struct holding the client prints it the same way.
	s := fmt.Sprintf("%+v", struct{ C *Client }{c})
	testkit.NoSecrets(t, s, testAppKey)
	assert.Contains(t, s, want)

	logger, logs := testkit.Logger()
	logger.Info("client", "client", c)
	logger.Info("client value", "client", *c)
	testkit.NoSecrets(t, logs.String(), testAppKey)
	assert.Contains(t, logs.String(), `"client":{"vendor":"v3clue","app":"tm-app","base_url":"`+testBase+`"}`)

	var nilClient *Client
	assert.NotPanics(t, func() { _ = fmt.Sprintf("%v %+v %#v", nilClient, nilClient, nilClient) })
	assert.Equal(t, "<nil>", fmt.Sprintf("%v", nilClient))
}

type limiterFunc func(context.Context) error

func (f limiterFunc) Wait(ctx context.Context) error { return f(ctx) }
