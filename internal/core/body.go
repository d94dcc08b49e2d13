package core

import (
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"
)

// ErrResponseTooLarge is the read error of a response body longer than
// MaxResponseBytes (after decompression). The call then fails with
// ErrBadResponse.
var ErrResponseTooLarge = errors.New("cluekit: response body too large")

// capTransport limits every response body to max bytes. A body the server
// gzipped without being asked (Content-Encoding: gzip left in place by the
// http.Transport) is decompressed here, so the cap applies to the
// decompressed bytes; the header is then removed.
type capTransport struct {
	base http.RoundTripper
	max  int64
}

func (t *capTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if resp == nil || resp.Body == nil {
		return resp, err
	}
	body := io.ReadCloser(resp.Body)
	if strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") && resp.ContentLength != 0 {
		body = &gunzipBody{rc: resp.Body}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	resp.Body = &cappedBody{rc: body, left: t.max}
	return resp, err
}

// cappedBody fails a read past its limit with ErrResponseTooLarge.
type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// At the limit: anything more is too much.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, ErrResponseTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// gunzipBody decompresses on first read; a malformed gzip header is a read
// error.
type gunzipBody struct {
	rc io.ReadCloser
	zr *gzip.Reader
}

func (g *gunzipBody) Read(p []byte) (int, error) {
	if g.zr == nil {
		zr, err := gzip.NewReader(g.rc)
		if err != nil {
			return 0, err
		}
		g.zr = zr
	}
	return g.zr.Read(p)
}

func (g *gunzipBody) Close() error {
	if g.zr != nil {
		_ = g.zr.Close()
	}
	return g.rc.Close()
}
