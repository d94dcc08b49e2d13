package run

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMode(t *testing.T) {
	t.Parallel()
	vars := Vars{Required: []string{"X_APP_ID", "X_APP_SECRET"}, Optional: []string{"X_BASE_URL"}}
	tests := []struct {
		name     string
		env      map[string]string
		live     bool
		wantMode string
		wantErr  string
	}{
		{"nothing set: the fake", nil, false, "fake", ""},
		{"nothing set, -live: still the fake", nil, true, "fake", ""},
		{"credentials without -live: a dry run", map[string]string{"X_APP_ID": "a", "X_APP_SECRET": "s"}, false, "dry-run", ""},
		{"credentials with -live", map[string]string{"X_APP_ID": "a", "X_APP_SECRET": "s"}, true, "live", ""},
		{"partial credentials", map[string]string{"X_APP_ID": "a"}, true, "", "set X_APP_SECRET too"},
		{"a base URL alone is partial", map[string]string{"X_BASE_URL": "https://x.test"}, false, "", "set X_APP_ID, X_APP_SECRET too"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, mode, err := mode("x", vars, func(k string) string { return tt.env[k] }, tt.live)
			if tt.wantErr != "" {
				require.ErrorIs(t, err, ErrPartialCredentials)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantMode, mode)
		})
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	Register("testvendor", Vars{Required: []string{"TV_ID"}}, func(ctx context.Context, s *Session) error {
		if s.Change("create lead %q", "L-1") {
			return errors.New("a dry run must not change anything")
		}
		return nil
	})
	var out bytes.Buffer
	res := Run(context.Background(), "testvendor", &out, func(k string) string { return map[string]string{"TV_ID": "x"}[k] }, false)
	require.NoError(t, res.Err)
	assert.Equal(t, "dry-run", res.Mode)
	assert.True(t, strings.Contains(out.String(), `would create lead "L-1"`), out.String())
}

func TestPlural(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "1 lead", Plural(1, "lead"))
	assert.Equal(t, "0 leads", Plural(0, "lead"))
	assert.Equal(t, "2 retries", Plural(2, "retry"))
	assert.Equal(t, "3 token requests", Plural(3, "token request"))
}
