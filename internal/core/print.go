package core

import (
	"fmt"
	"log/slog"
)

// Identity is what a client may show of itself: never a secret. Vendor
// clients embed it so that %v, %+v, %#v and any slog handler print only the
// vendor, the app id (or openid) and the base URL.
type Identity struct {
	Vendor  string
	AppID   string
	BaseURL string
}

// String implements fmt.Stringer.
func (i Identity) String() string {
	return fmt.Sprintf("%s.Client{app: %s, base: %s}", i.Vendor, i.AppID, i.BaseURL)
}

// GoString implements fmt.GoStringer (%#v).
func (i Identity) GoString() string { return i.String() }

// LogValue implements slog.LogValuer.
func (i Identity) LogValue() slog.Value {
	return slog.GroupValue(slog.String("vendor", i.Vendor), slog.String("app", i.AppID), slog.String("base_url", i.BaseURL))
}

// Format implements fmt.Formatter, so that every verb (%v, %+v, %s, %#v)
// prints the identity and never walks the struct that holds secrets.
func (i Identity) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(i.GoString()))
		return
	}
	_, _ = f.Write([]byte(i.String()))
}
