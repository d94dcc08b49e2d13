package wshototest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cluekit/cluekit/wshoto"
	"github.com/cluekit/cluekit/wshoto/wshototest"
)

func TestNotifyDeliveryRoundTrip(t *testing.T) {
	t.Parallel()
	srv := wshototest.NewServer()
	defer srv.Close()
	body, err := srv.CustomFieldChangeNotify(wshoto.ModuleClue, wshoto.ModuleOrder)
	require.NoError(t, err)

	var got *wshoto.Notify
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, err = wshoto.ParseNotify(b)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer recv.Close()
	require.NoError(t, wshototest.DeliverNotify(context.Background(), recv.URL, body))
	require.NotNil(t, got)
	assert.Len(t, got.MessageID, 19)
	assert.Equal(t, wshoto.NotifyCustomFieldChange, got.Type)
	assert.Equal(t, wshototest.NotifyTenantID, got.CustomFieldChange.TenantID)
	assert.Equal(t, []string{"clue", "order"}, got.CustomFieldChange.ModuleKeys)
	assert.WithinDuration(t, srv.Now(), got.GmtCreate.Time(), 2*time.Second)

	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }))
	defer bad.Close()
	assert.Error(t, wshototest.DeliverNotify(context.Background(), bad.URL, body))
}
