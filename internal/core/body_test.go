package core

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    []byte
		gzip    bool
		max     int64
		want    string
		wantErr error
	}{
		{"under the cap", []byte("0123456789"), false, 11, "0123456789", nil},
		{"at the cap", []byte("0123456789"), false, 10, "0123456789", nil},
		{"over the cap", []byte("0123456789A"), false, 10, "", ErrResponseTooLarge},
		{"empty", nil, false, 10, "", nil},
		{"unsolicited gzip is decompressed", gzipped(t, "hello, gzip"), true, 11, "hello, gzip", nil},
		{"the cap applies after decompression", gzipped(t, strings.Repeat("x", 1000)), true, 999, "", ErrResponseTooLarge},
		{"malformed gzip", []byte("this is not gzip data at all"), true, 100, "", gzip.ErrHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := httpmock.NewMockTransport()
			tr.RegisterResponder(http.MethodGet, "https://api.test/x", func(*http.Request) (*http.Response, error) {
				resp := httpmock.NewBytesResponse(http.StatusOK, tt.body)
				if tt.gzip {
					resp.Header.Set("Content-Encoding", "gzip")
					resp.ContentLength = int64(len(tt.body))
				}
				return resp, nil
			})
			req, _ := http.NewRequest(http.MethodGet, "https://api.test/x", nil)
			resp, err := tr.RoundTrip(req)
			require.NoError(t, err)
			got, _, err := readBody(resp, tt.max)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

// endless yields an envelope that never ends: {"code":0,"data":"xxxx...
type endless struct{ prefix *strings.Reader }

func (e *endless) Read(p []byte) (int, error) {
	if e.prefix.Len() > 0 {
		return e.prefix.Read(p)
	}
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func TestDoRejectsAnOversizedAnswer(t *testing.T) {
	t.Parallel()
	hc, tr := mockClient()
	tr.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, ContentLength: -1,
			Body: io.NopCloser(&endless{prefix: strings.NewReader(`{"code":0,"data":"`)})}, nil
	})
	h := newHarness(t, "https://api.test", hc)
	_, _, err := h.do(context.Background(), "read", false, `{}`)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrBadResponse)
	assert.Equal(t, 1, tr.GetTotalCallCount(), "not retried")

	var api *APIError
	require.True(t, errors.As(err, &api))
	assert.Equal(t, http.StatusOK, api.HTTPStatus)
}
