package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cluekit/cluekit/internal/core"
	"github.com/cluekit/cluekit/internal/fake"
)

// adapters are the five vendors, in README order.
var adapters = []adapter{waiqin365Adapter, wshotoAdapter, weilingAdapter, jingAdapter, v3clueAdapter}

// slowTimeout is the per-attempt timeout of the slow-response cells; the
// fake answers them only after slowDelay. (fake.Fault.Delay is meant to end
// early when the client goes away, but net/http notices a closed
// connection only once the handler has read the request body, which only
// the jing fake does before the delay: the other fakes sit out the delay
// and then apply the request. A create cell therefore closes the fake
// before counting what it stored.)
const (
	slowTimeout = 200 * time.Millisecond
	slowDelay   = 500 * time.Millisecond
	// stallTimeout is the per-attempt timeout of the mid-body stall cells,
	// whose second attempt must succeed: roomy enough for -race on a busy
	// machine.
	stallTimeout = 500 * time.Millisecond
)

// retryAfter is the Retry-After the 429 cells send; the sleeper must see it.
const retryAfter = 7 * time.Second

// Backoff waits with WithRand fixed at 0.5: half of 200 ms, then of 400 ms.
var (
	wait1 = 100 * time.Millisecond
	wait2 = 200 * time.Millisecond
)

type kind int

const (
	readKind kind = iota
	createKind
)

func (k kind) String() string {
	if k == readKind {
		return "read"
	}
	return "create"
}

// cell is one fault scenario for one call.
type cell struct {
	name       string
	kind       kind
	faults     []fake.Fault // queued for the call's op (Op is filled in)
	refused    bool         // the client's base URL is a closed port
	slow       bool         // WithTimeout(slowTimeout); faults carry Delay
	invalidate bool         // revoke the access token at the fake first
	cut        cutMode      // the answer is broken mid-body by a cutProxy
	tokenFault bool         // faults hit the token request of a cold cache
	variant    clientVariant
	want       want
}

// want is the exact expected outcome of a cell.
type want struct {
	ok        bool
	attempts  int // requests for the op at the fake (on the wire for refused)
	tokenReqs int // token requests during the call
	status    int // APIError.HTTPStatus (0: not an APIError, or don't care with callErr)
	code      string
	is        []error // sentinels/causes the error must match
	isNot     []error // sentinels the error must not match
	callErr   bool    // the error is a *CallError
	timeout   bool    // the cause is a timeout
	waits     []time.Duration
	stored    int // create cells: records under the cell's key afterwards (-1: 0 or 1, reported)
	wire      int // attempts on the wire, all ops (0: not checked)
}

// tagged returns f with the fault tag header (status faults only: a reset
// has no answer to carry it).
func tagged(name string, f fake.Fault) fake.Fault {
	if f.Reset {
		return f
	}
	h := http.Header{}
	for k, vs := range f.Header {
		h[k] = vs
	}
	h.Set(faultHeader, name)
	f.Header = h
	return f
}

var (
	gatewayHTML = []byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
	errorHTML   = []byte("<!DOCTYPE html><html><head><title>系统维护中</title></head><body><h1>系统维护中，请稍后再试</h1></body></html>")
	htmlHeader  = http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	malformed   = []byte(`{"code":0,"msg":"success","data":{"id":`)
)

// weilingCode is a weiling envelope with the given business code.
func weilingCode(code int) []byte {
	return []byte(fmt.Sprintf(`{"code":%d,"msg":"conformance"}`, code))
}

func times(n int, f fake.Fault) []fake.Fault {
	out := make([]fake.Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// cellsFor lists the cells of one vendor: every fault for the read, and
// for the create when the vendor has one.
func cellsFor(a adapter) []cell {
	var cs []cell
	st := func(code int, body []byte, h http.Header) fake.Fault {
		return tagged(fmt.Sprint(code), fake.Fault{Status: code, Body: body, Header: h})
	}
	ra := http.Header{"Retry-After": {fmt.Sprint(int(retryAfter / time.Second))}}
	bad := func(body []byte, h http.Header, after bool) fake.Fault {
		return tagged("bad body", fake.Fault{Body: body, Header: h, AfterApply: after})
	}
	slow := fake.Fault{Delay: slowDelay}
	refused := want{callErr: true, attempts: 3, is: []error{syscall.ECONNREFUSED}, isNot: []error{core.ErrAmbiguous}, waits: []time.Duration{wait1, wait2}}
	badResp := want{status: 200, is: []error{core.ErrBadResponse}, isNot: []error{core.ErrAmbiguous}, attempts: 1}
	badRespCreate := func(stored int) want {
		return want{status: 200, is: []error{core.ErrBadResponse, core.ErrAmbiguous}, attempts: 1, stored: stored}
	}

	// The read.
	cs = append(cs,
		cell{name: "connection refused", kind: readKind, refused: true, want: refused},
		cell{name: "reset (after the request was written)", kind: readKind, faults: []fake.Fault{{Reset: true}},
			want: want{ok: true, attempts: 2, waits: []time.Duration{wait1}}},
		cell{name: "HTTP 502 (nginx HTML page)", kind: readKind, faults: []fake.Fault{st(502, gatewayHTML, htmlHeader)},
			want: want{ok: true, attempts: 2, waits: []time.Duration{wait1}}},
		cell{name: "HTTP 503", kind: readKind, faults: []fake.Fault{st(503, nil, nil)},
			want: want{ok: true, attempts: 2, waits: []time.Duration{wait1}}},
		cell{name: "HTTP 504", kind: readKind, faults: []fake.Fault{st(504, nil, nil)},
			want: want{ok: true, attempts: 2, waits: []time.Duration{wait1}}},
		cell{name: "HTTP 503 on every attempt", kind: readKind, faults: times(3, st(503, nil, nil)),
			want: want{status: 503, attempts: 3, isNot: []error{core.ErrAmbiguous}, waits: []time.Duration{wait1, wait2}}},
		cell{name: "HTTP 429 + Retry-After", kind: readKind, faults: []fake.Fault{st(429, nil, ra)},
			want: want{ok: true, attempts: 2, waits: []time.Duration{retryAfter}}},
		cell{name: "HTTP 429 + Retry-After on every attempt", kind: readKind, faults: times(3, st(429, nil, ra)),
			want: want{status: 429, attempts: 3, is: []error{core.ErrRateLimited}, isNot: []error{core.ErrAmbiguous}, waits: []time.Duration{retryAfter, retryAfter}}},
		cell{name: "slower than the per-attempt timeout", kind: readKind, slow: true, faults: times(3, slow),
			want: want{callErr: true, timeout: true, attempts: 3, isNot: []error{core.ErrAmbiguous}, waits: []time.Duration{wait1, wait2}}},
		cell{name: "200 malformed JSON", kind: readKind, faults: []fake.Fault{bad(malformed, nil, false)}, want: badResp},
		cell{name: "200 HTML error page", kind: readKind, faults: []fake.Fault{bad(errorHTML, htmlHeader, false)}, want: badResp},
		cell{name: "200 empty body", kind: readKind, faults: []fake.Fault{bad([]byte{}, nil, false)}, want: badResp},
	)
	cs = append(cs,
		cell{name: "reset mid-body (after the headers)", kind: readKind, cut: cutReset,
			want: want{ok: true, attempts: 2, waits: []time.Duration{wait1}}},
		cell{name: "body stalls past the per-attempt timeout", kind: readKind, cut: cutStall, slow: true,
			want: want{ok: true, attempts: 2, waits: []time.Duration{wait1}}},
	)
	cs = append(cs,
		cell{name: "HTTP 500", kind: readKind, faults: []fake.Fault{st(500, nil, nil)},
			want: want{status: 500, attempts: 1, isNot: []error{core.ErrAmbiguous}}},
		cell{name: "business error code " + a.otherCode, kind: readKind, faults: []fake.Fault{bad(a.otherBody, nil, false)},
			want: want{status: 200, code: a.otherCode, attempts: 1, isNot: []error{core.ErrAmbiguous, core.ErrBadResponse}}},
	)
	if a.name == "weiling" {
		cs = append(cs,
			cell{name: "rate-limit code 1009", kind: readKind, faults: []fake.Fault{bad(weilingCode(1009), nil, false)},
				want: want{ok: true, attempts: 2, waits: []time.Duration{wait1}}},
			cell{name: "busy code 500", kind: readKind, faults: []fake.Fault{bad(weilingCode(500), nil, false)},
				want: want{ok: true, attempts: 2, waits: []time.Duration{wait1}}},
		)
	}
	if a.tokenOps != nil && !a.readIsTokenFetch {
		// The token request of a cold cache fails (its URL or body carries
		// the app secret): the read is never sent.
		noRead := func(w want) want { w.attempts = 0; w.isNot = append(w.isNot, core.ErrAmbiguous); return w }
		cs = append(cs,
			cell{name: "token request refused (cold cache)", kind: readKind, tokenFault: true, refused: true,
				want: noRead(want{callErr: true, is: []error{syscall.ECONNREFUSED}, wire: 3, waits: []time.Duration{wait1, wait2}})},
			cell{name: "token request reset (cold cache)", kind: readKind, tokenFault: true, faults: []fake.Fault{{Reset: true}},
				want: want{ok: true, attempts: 1, tokenReqs: 2, waits: []time.Duration{wait1}}},
			cell{name: "token request reset on every attempt", kind: readKind, tokenFault: true, faults: times(3, fake.Fault{Reset: true}),
				want: noRead(want{callErr: true, tokenReqs: 3, waits: []time.Duration{wait1, wait2}})},
			cell{name: "token request HTTP 503 on every attempt", kind: readKind, tokenFault: true, faults: times(3, st(503, nil, nil)),
				want: noRead(want{status: 503, tokenReqs: 3, waits: []time.Duration{wait1, wait2}})},
			cell{name: "token request 200 malformed JSON", kind: readKind, tokenFault: true, faults: []fake.Fault{bad(malformed, nil, false)},
				want: noRead(want{status: 200, is: []error{core.ErrBadResponse}, tokenReqs: 1})},
		)
		cs = append(cs, cell{name: "token invalidated", kind: readKind, invalidate: true,
			want: want{ok: true, attempts: 2, tokenReqs: 1}})
	}
	if a.createOp == "" {
		return cs
	}

	// The create.
	amb := func(status int, stored int) want {
		w := want{status: status, attempts: 1, is: []error{core.ErrAmbiguous}, stored: stored}
		if status == 0 {
			w.callErr = true
		}
		return w
	}
	cs = append(cs,
		cell{name: "connection refused", kind: createKind, refused: true, want: refused},
		cell{name: "reset (after the request was written)", kind: createKind, faults: []fake.Fault{{Reset: true}}, want: amb(0, 0)},
		cell{name: "reset after apply", kind: createKind, faults: []fake.Fault{{Reset: true, AfterApply: true}}, want: amb(0, 1)},
		cell{name: "HTTP 502 (nginx HTML page)", kind: createKind, faults: []fake.Fault{st(502, gatewayHTML, htmlHeader)}, want: amb(502, 0)},
		cell{name: "HTTP 503", kind: createKind, faults: []fake.Fault{st(503, nil, nil)}, want: amb(503, 0)},
		cell{name: "HTTP 503 after apply", kind: createKind, faults: []fake.Fault{tagged("503", fake.Fault{Status: 503, AfterApply: true})}, want: amb(503, 1)},
		cell{name: "HTTP 504", kind: createKind, faults: []fake.Fault{st(504, nil, nil)}, want: amb(504, 0)},
		cell{name: "HTTP 429 + Retry-After", kind: createKind, faults: []fake.Fault{st(429, nil, ra)},
			want: want{ok: true, attempts: 2, waits: []time.Duration{retryAfter}, stored: 1}},
		cell{name: "HTTP 429 + Retry-After on every attempt", kind: createKind, faults: times(3, st(429, nil, ra)),
			want: want{status: 429, attempts: 3, is: []error{core.ErrRateLimited}, isNot: []error{core.ErrAmbiguous}, waits: []time.Duration{retryAfter, retryAfter}}},
		cell{name: "slower than the per-attempt timeout", kind: createKind, slow: true, faults: times(3, slow),
			want: want{callErr: true, timeout: true, attempts: 1, is: []error{core.ErrAmbiguous}, stored: -1}},
		cell{name: "200 malformed JSON", kind: createKind, faults: []fake.Fault{bad(malformed, nil, false)}, want: badRespCreate(0)},
		cell{name: "200 malformed JSON after apply", kind: createKind, faults: []fake.Fault{bad(malformed, nil, true)}, want: badRespCreate(1)},
		cell{name: "200 HTML error page", kind: createKind, faults: []fake.Fault{bad(errorHTML, htmlHeader, false)}, want: badRespCreate(0)},
		cell{name: "200 empty body", kind: createKind, faults: []fake.Fault{bad([]byte{}, nil, false)}, want: badRespCreate(0)},
	)
	midReset := want{callErr: true, attempts: 1, is: []error{core.ErrAmbiguous, syscall.ECONNRESET}, stored: 1}
	midStall := want{callErr: true, timeout: true, attempts: 1, is: []error{core.ErrAmbiguous}, stored: 1}
	cs = append(cs,
		cell{name: "reset mid-body (after the headers)", kind: createKind, cut: cutReset, want: midReset},
		cell{name: "body stalls past the per-attempt timeout", kind: createKind, cut: cutStall, slow: true,
			want: midStall},
	)
	cs = append(cs,
		cell{name: "HTTP 500", kind: createKind, faults: []fake.Fault{st(500, nil, nil)}, want: amb(500, 0)},
		cell{name: "business error code " + a.otherCode, kind: createKind, faults: []fake.Fault{bad(a.otherBody, nil, false)},
			want: want{status: 200, code: a.otherCode, attempts: 1, isNot: []error{core.ErrAmbiguous, core.ErrBadResponse}}},
	)
	if a.name == "weiling" {
		cs = append(cs,
			cell{name: "rate-limit code 1009", kind: createKind, faults: []fake.Fault{bad(weilingCode(1009), nil, false)},
				want: want{ok: true, attempts: 2, waits: []time.Duration{wait1}, stored: 1}},
			cell{name: "busy code 500", kind: createKind, faults: []fake.Fault{bad(weilingCode(500), nil, false)},
				want: want{status: 200, code: "500", attempts: 1, is: []error{core.ErrAmbiguous}}},
		)
	}
	if a.tokenOps != nil {
		cs = append(cs, cell{name: "token invalidated", kind: createKind, invalidate: true,
			want: want{ok: true, attempts: 2, tokenReqs: 1, stored: 1}})
	}
	if a.name == "jing" {
		// Without WithInvalidTokenCodes (the default: the vendor's code is
		// unknown), the fake's 40003 is an ordinary business error.
		cs = append(cs, cell{name: "token invalidated, no WithInvalidTokenCodes", kind: createKind, invalidate: true,
			variant: clientVariant{noInvalidTokenCodes: true},
			want:    want{attempts: 1, status: 200, code: jingInvalidTokenCode, isNot: []error{core.ErrInvalidToken, core.ErrAmbiguous}}})
	}
	return cs
}

// TestFaultMatrix runs every cell of every vendor against a fresh fake.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	for _, a := range adapters {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			for i, c := range cellsFor(a) {
				t.Run(c.kind.String()+"/"+c.name, func(t *testing.T) {
					t.Parallel()
					runCell(t, a, i, c)
				})
			}
		})
	}
}

// cellResult is what a cell observed.
type cellResult struct {
	err       error
	attempts  int // at the fake (on the wire for refused)
	wire      int // attempts on the wire (all ops)
	fakeAll   int // requests at the fake (all ops)
	tokenReqs int
	waits     []time.Duration
	stored    int
}

func runCell(t *testing.T, a adapter, idx int, c cell) {
	e := a.start(t)
	r := newRig()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	op := a.readOp
	if c.kind == createKind {
		op = a.createOp
	}
	base := e.url
	var extra []core.Option
	if c.refused {
		base = closedURL(t, pathPrefix(e.url))
	}
	var proxy *cutProxy
	if c.cut != 0 {
		proxy, base = newCutProxy(t, e.url, c.cut)
	}
	switch {
	case c.cut == cutStall:
		extra = append(extra, core.WithTimeout(stallTimeout))
	case c.slow:
		extra = append(extra, core.WithTimeout(slowTimeout))
	}
	needToken := a.tokenOps != nil && !(c.kind == readKind && a.readIsTokenFetch) && !c.tokenFault
	separateWarm := c.refused || c.slow || c.cut != 0
	if needToken && separateWarm {
		// A client that cannot reach the fake, or has a tiny timeout, gets
		// its token from the shared store, filled by a plain client.
		w, err := e.newClient(e.url, c.variant, r.options()...)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.warm(ctx); err != nil {
			t.Fatalf("warm-up: %v", err)
		}
	}
	cl, err := e.newClient(base, c.variant, r.options(extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	if needToken && !separateWarm {
		if err := cl.warm(ctx); err != nil {
			t.Fatalf("warm-up: %v", err)
		}
	}

	if c.slow || c.cut != 0 {
		// Timing-sensitive cells start on a pooled connection, so the
		// first attempt is written at once even on a busy machine (a
		// create must time out after it was written to be ambiguous).
		warmConn(t, r, base)
	}

	key := "M-" + strings.NewReplacer(" ", "-", "/", "-").Replace(c.kind.String()+"-"+c.name)
	for _, f := range c.faults {
		f.Op = op
		if c.tokenFault {
			f.Op = a.tokenOps[0]
		}
		e.faults.Add(f)
	}
	if c.invalidate {
		e.invalidate()
	}
	if proxy != nil {
		proxy.arm(1)
	}
	tokenCount := func() int {
		n := 0
		for _, op := range a.tokenOps {
			n += e.faults.Count(op)
		}
		return n
	}
	opBefore, allBefore, tokBefore, wireBefore, waitsBefore := e.faults.Count(op), e.faults.Count(""), tokenCount(), r.wire.len(), len(r.sleeper.Waits())

	if c.kind == readKind {
		err = cl.read(ctx)
	} else {
		err = cl.create(ctx, key)
	}

	res := cellResult{
		err:       err,
		attempts:  e.faults.Count(op) - opBefore,
		fakeAll:   e.faults.Count("") - allBefore,
		wire:      r.wire.len() - wireBefore,
		tokenReqs: tokenCount() - tokBefore,
		waits:     r.sleeper.Waits()[waitsBefore:],
	}
	if (c.refused && !c.tokenFault) || (c.slow && c.cut == 0) {
		// Nothing reaches a closed port; and an attempt that times out may
		// do so before the fake's handler counted it (on a busy machine):
		// count what the SDK sent.
		res.attempts = res.wire
	}
	if c.kind == createKind {
		if c.slow && c.cut == 0 {
			// Let the fake finish the delayed request (it may apply the
			// create after the client gave up: the ambiguous case).
			e.close()
		}
		res.stored = e.stored()[key]
	}
	recordCell(a, idx, c, res)
	var errs []string
	if err != nil {
		errs = append(errs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	}
	auditRun(t, e, cl, r, errs)

	check(t, a, c, res)
}

// warmConn leaves an idle connection to base in the rig's pool: a GET of a
// path no fake serves (answered 404 before any fault injection or count).
func warmConn(t testing.TB, r *rig, base string) {
	t.Helper()
	resp, err := r.hc.Get(base + warmUpPath)
	if err != nil {
		t.Fatalf("warm-up connection: %v", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

func check(t testing.TB, a adapter, c cell, res cellResult) {
	t.Helper()
	w, err := c.want, res.err
	timedOut := c.slow && c.cut == 0 // attempts may time out before the fake counts them
	if c.kind == readKind && a.readIsTokenFetch {
		// The read is the token request: every attempt at the fake is one.
		w.tokenReqs = res.fakeAll
		if c.refused {
			w.tokenReqs = 0
		}
	}
	if w.ok != (err == nil) {
		t.Errorf("error = %v, want ok=%v", err, w.ok)
	}
	if res.attempts != w.attempts {
		t.Errorf("attempts = %d, want %d (err %v)", res.attempts, w.attempts, err)
	}
	switch {
	case c.refused:
	case res.fakeAll > res.wire:
		t.Errorf("attempts on the wire = %d, requests at the fake = %d: a hidden retry", res.wire, res.fakeAll)
	case res.fakeAll < res.wire && !timedOut:
		t.Errorf("attempts on the wire = %d, requests at the fake = %d", res.wire, res.fakeAll)
	}
	if w.wire != 0 && res.wire != w.wire {
		t.Errorf("attempts on the wire = %d, want %d", res.wire, w.wire)
	}
	if res.tokenReqs != w.tokenReqs {
		t.Errorf("token requests = %d, want %d", res.tokenReqs, w.tokenReqs)
	}
	if !slices.Equal(res.waits, w.waits) {
		t.Errorf("sleeps = %v, want %v", res.waits, w.waits)
	}
	if c.kind == createKind && w.stored == -1 && res.stored > 1 {
		t.Errorf("stored %d records, want at most 1", res.stored)
	}
	if c.kind == createKind && w.stored >= 0 && res.stored != w.stored {
		t.Errorf("stored %d records, want %d (err %v)", res.stored, w.stored, err)
	}
	if err == nil {
		return
	}
	var api *core.APIError
	var ce *core.CallError
	isAPI, isCall := errors.As(err, &api), errors.As(err, &ce)
	if w.callErr && !isCall {
		t.Errorf("error %v (%T) is not a *CallError", err, err)
	}
	if w.status != 0 {
		if !isAPI {
			t.Errorf("error %v (%T) is not an *APIError", err, err)
		} else if api.HTTPStatus != w.status {
			t.Errorf("HTTPStatus = %d, want %d", api.HTTPStatus, w.status)
		}
	}
	if w.code != "" && (!isAPI || api.Code != w.code) {
		t.Errorf("error %v: want code %s", err, w.code)
	}
	for _, s := range w.is {
		if !errors.Is(err, s) {
			t.Errorf("error %v does not match %v", err, s)
		}
	}
	for _, s := range w.isNot {
		if errors.Is(err, s) {
			t.Errorf("error %v matches %v", err, s)
		}
	}
	if isCall && ce.Ambiguous() != errors.Is(err, core.ErrAmbiguous) {
		t.Errorf("CallError.Ambiguous() = %v disagrees with errors.Is(ErrAmbiguous)", ce.Ambiguous())
	}
	if w.timeout && !isTimeout(err) {
		t.Errorf("error %v is not a timeout", err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// describe names an outcome for the report.
func describe(err error) string {
	if err == nil {
		return "ok"
	}
	var parts []string
	var api *core.APIError
	var ce *core.CallError
	switch {
	case errors.As(err, &ce):
		cause := "CallError"
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			cause += " (refused)"
		case isTimeout(err):
			cause += " (timeout)"
		case errors.Is(err, syscall.ECONNRESET) || strings.Contains(err.Error(), "EOF"):
			cause += " (reset)"
		}
		parts = append(parts, cause)
	case errors.As(err, &api):
		s := fmt.Sprintf("APIError HTTP %d", api.HTTPStatus)
		if api.Code != "" {
			s += " code " + api.Code
		}
		parts = append(parts, s)
	default:
		parts = append(parts, fmt.Sprintf("%T", err))
	}
	for _, s := range []struct {
		err  error
		name string
	}{{core.ErrBadResponse, "ErrBadResponse"}, {core.ErrRateLimited, "ErrRateLimited"}, {core.ErrInvalidToken, "ErrInvalidToken"}, {core.ErrAmbiguous, "ErrAmbiguous"}} {
		if errors.Is(err, s.err) {
			parts = append(parts, s.name)
		}
	}
	return strings.Join(parts, " + ")
}

// ---- the report ----

type matrixRow struct {
	idx                int
	vendor, call, cell string
	outcome            string
	attempts           int
	tokenReqs          int
	waits              []time.Duration
	stored             int
	create             bool
}

var matrix struct {
	sync.Mutex
	rows []matrixRow
}

func recordCell(a adapter, idx int, c cell, res cellResult) {
	call := a.readCall
	if c.kind == createKind {
		call = a.createCall
	}
	matrix.Lock()
	defer matrix.Unlock()
	outcome := describe(res.err)
	matrix.rows = append(matrix.rows, matrixRow{idx: idx, vendor: a.name, call: call, cell: c.name, outcome: outcome,
		attempts: res.attempts, tokenReqs: res.tokenReqs, waits: res.waits, stored: res.stored, create: c.kind == createKind})
}

// matrixReport renders the observed matrix as a Markdown table.
func matrixReport() string {
	matrix.Lock()
	defer matrix.Unlock()
	rows := append([]matrixRow(nil), matrix.rows...)
	order := map[string]int{}
	for i, a := range adapters {
		order[a.name] = i
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].vendor != rows[j].vendor {
			return order[rows[i].vendor] < order[rows[j].vendor]
		}
		return rows[i].idx < rows[j].idx
	})
	var b strings.Builder
	b.WriteString("| vendor | call | fault | outcome | attempts | token req | sleeps | stored |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		stored := ""
		if r.create {
			stored = fmt.Sprint(r.stored)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %d | %v | %s |\n", r.vendor, r.call, r.cell, r.outcome, r.attempts, r.tokenReqs, r.waits, stored)
	}
	for _, a := range adapters {
		if a.note != "" {
			fmt.Fprintf(&b, "\n%s: %s.", a.name, a.note)
		}
	}
	return b.String()
}
