// Package webhook holds what every callback receiver shares: the Handler
// skeleton (method check, capped body, verify-and-parse through the vendor's
// Spec, dedupe, panic-safe call of the user's function, acknowledgement only
// after it returned nil, observers and logs), an in-memory Deduper, and the
// small helpers it is built from: a capped body read, constant-time
// comparison, and a panic-safe call.
package webhook

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// DefaultMaxBody caps callback bodies (vendors send small JSON or forms).
const DefaultMaxBody = 1 << 20

// ErrTooLarge is returned by ReadBody for a body over the cap.
var ErrTooLarge = errors.New("callback body too large")

// ReadBody reads r's body, at most max bytes (DefaultMaxBody when max <= 0).
// A body over the cap, or a Content-Length announcing one, returns
// ErrTooLarge (the latter without reading anything).
func ReadBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBody
	}
	if r.ContentLength > max {
		return nil, ErrTooLarge
	}
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, ErrTooLarge
		}
		return nil, err
	}
	return body, nil
}

// Equal compares two secrets in constant time (their lengths are hidden too:
// both sides are hashed first).
func Equal(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// Call runs the user's handler, turning a panic into an error so that the
// receiver answers non-2xx and the vendor delivers again.
func Call(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("callback handler panicked: %v", p)
		}
	}()
	return fn()
}
