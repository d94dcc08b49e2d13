package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"
)

// testdata holds the default events: copies of the vendor packages'
// fixtures (documented examples), see testdata/README.md.
//
//go:embed testdata/*.json testdata/*.txt
var testdata embed.FS

// callbackDef is what a vendor with callbacks adds to "callback send".
type callbackDef struct {
	what         string            // "push (推送)"
	vars         []string          // required variables (the secrets the endpoint checks)
	optVars      []string          // optional variables
	fakeVals     map[string]string // the values -fake uses
	defaultEvent string            // file in testdata/
	eventHelp    string            // what -event FILE holds
	auth         string            // how a delivery is authenticated, one line
	flags        func(fs *flag.FlagSet, o *sendOptions)
	// send delivers d.event to d.target through d.client (which records
	// every exchange).
	send func(ctx context.Context, d *delivery) error
	// ack says whether an exchange is the vendor's documented
	// acknowledgement (nil) or not (why).
	ack func(d *delivery, ex *exchange) error
}

// sendOptions are the vendor-only flags of callback send.
type sendOptions struct {
	dataType    string // waiqin365 -type
	checkURL    bool   // weiling -check-url
	secretParam string // jing -secret-param
}

// delivery is one callback send.
type delivery struct {
	s         *session
	vals      map[string]string
	target    string
	event     []byte
	eventName string
	opts      sendOptions
	client    *http.Client
	rec       *recorder
}

func cmdCallbackSend(s *session, args []string) error {
	cb := s.v.callback
	s.newFlags("callback send", fakeSecrets, func() string { return sendHelp(s.v) })
	target := s.fs.String("url", "", "your endpoint: the URL the vendor would deliver to (required)")
	eventFile := s.fs.String("event", "", "file holding the event to send (- for standard input); default: "+cb.defaultEvent)
	d := &delivery{s: s}
	if cb.flags != nil {
		cb.flags(s.fs, &d.opts)
	}
	pos, err := s.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("%s takes no arguments (got %q); the endpoint is given with -url", s.where, pos[0])
	}
	if *target == "" {
		return usagef("%s: -url is required: the URL of your endpoint, e.g. -url http://127.0.0.1:8080/%s", s.where, s.v.name)
	}
	u, err := url.Parse(*target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usagef("%s: -url %q is not an absolute http(s) URL", s.where, *target)
	}
	if pw, ok := u.User.Password(); ok {
		s.sc.add(pw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		fmt.Fprintf(s.errw, "warning: %s is plain HTTP to a remote host: what is sent can be read on the way\n", u.Redacted())
	}
	if s.fake {
		d.vals = cb.fakeVals
		for _, v := range cb.fakeVals {
			s.sc.add(v)
		}
	} else {
		if d.vals, err = s.need(cb.vars...); err != nil {
			return err
		}
		for _, n := range cb.optVars {
			if v := s.optional(n); v != "" {
				d.vals[n] = v
			}
		}
	}
	if *eventFile == "" {
		d.event, _ = testdata.ReadFile("testdata/" + cb.defaultEvent)
		d.eventName = "built-in example testdata/" + cb.defaultEvent
	} else {
		arg := *eventFile
		if arg != "-" {
			arg = "@" + arg
		}
		if d.event, err = s.readArg("-event", arg); err != nil {
			return err
		}
		d.eventName = *eventFile
		if *eventFile == "-" {
			d.eventName = "standard input"
		}
	}
	d.target = *target
	d.rec = &recorder{next: http.DefaultTransport}
	d.client = &http.Client{
		Transport:     d.rec,
		Timeout:       s.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	ctx, cancel := s.context()
	defer cancel()

	sendErr := cb.send(ctx, d)
	var ue *usageError
	if errors.As(sendErr, &ue) {
		return sendErr
	}
	exchanges := d.rec.all()
	r := report{s.out}
	r.row("vendor", "%s (%s)", s.v.name, s.v.title)
	r.row("callback", "%s", cb.what)
	r.row("event", "%s", d.eventName)
	r.row("authentication", "%s", cb.auth)
	if s.fake && len(cb.vars) > 0 {
		r.row("secrets", "the -fake test values (see -h)")
	}
	var refused error
	for i := range exchanges {
		ex := &exchanges[i]
		printExchange(r, ex)
		if err := cb.ack(d, ex); err != nil && refused == nil {
			refused = err
		}
	}
	switch {
	case len(exchanges) == 0 && sendErr != nil:
		r.row("result", "NOT DELIVERED")
		return fmt.Errorf("no answer from %s: %w", u.Redacted(), stripURL(sendErr))
	case len(exchanges) == 0:
		r.row("result", "NOT DELIVERED")
		return errors.New("nothing was sent")
	case refused != nil:
		r.row("result", "REFUSED: the endpoint did not acknowledge (the vendor would deliver again)")
		return fmt.Errorf("not acknowledged: %w", refused)
	}
	r.row("result", "acknowledged")
	return nil
}

// stripURL drops the URL from a transport error (it may carry a secret).
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// post sends one request with the delivery's client.
func (d *delivery) post(ctx context.Context, target, contentType string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// exchange is one request sent and its answer.
type exchange struct {
	method, url, contentType string
	reqBody                  []byte
	status                   int
	statusText               string
	respBody                 []byte
}

// recorder is a RoundTripper keeping a copy of every request and answer, so
// that callback send can print them whoever made the request (a fake's
// delivery helper included).
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	ex   []exchange
}

const maxAnswer = 64 << 10

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	ex := exchange{method: req.Method, url: req.URL.String(), contentType: req.Header.Get("Content-Type")}
	if req.Body != nil && req.GetBody != nil {
		if b, err := req.GetBody(); err == nil {
			ex.reqBody, _ = io.ReadAll(b)
			_ = b.Close()
		}
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	ex.status, ex.statusText, ex.respBody = resp.StatusCode, http.StatusText(resp.StatusCode), body
	r.mu.Lock()
	r.ex = append(r.ex, ex)
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) all() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.ex...)
}

func printExchange(r report, ex *exchange) {
	req := ex.method + " " + ex.url
	if ex.contentType != "" {
		req += "\nContent-Type: " + ex.contentType
	}
	switch {
	case len(ex.reqBody) == 0:
	case strings.HasPrefix(ex.contentType, "application/x-www-form-urlencoded"):
		req += "\n" + formPreview(ex.reqBody)
	default:
		req += "\n" + preview(ex.reqBody)
	}
	r.row("request", "%s", req)
	ans := fmt.Sprintf("HTTP %d %s", ex.status, ex.statusText)
	if len(bytes.TrimSpace(ex.respBody)) > 0 {
		ans += "\n" + preview(ex.respBody)
	} else {
		ans += "\n(empty body)"
	}
	r.row("answer", "%s", ans)
}

// formPreview shows a form one decoded field a line, in the order sent.
func formPreview(b []byte) string {
	var lines []string
	for _, kv := range strings.Split(string(b), "&") {
		k, v, _ := strings.Cut(kv, "=")
		dk, err1 := url.QueryUnescape(k)
		dv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return preview(b)
		}
		lines = append(lines, dk+"="+dv)
	}
	return preview([]byte(strings.Join(lines, "\n")))
}

// preview is a body as text, cut at 1000 bytes, on at most 20 lines.
func preview(b []byte) string {
	const maxBytes, maxLines = 1000, 20
	cut := len(b) > maxBytes
	if cut {
		b = b[:maxBytes]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	if !utf8.Valid(b) {
		return fmt.Sprintf("(%d bytes, not text)", len(b))
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > maxLines {
		lines, cut = lines[:maxLines], true
	}
	out := strings.Join(lines, "\n")
	if cut {
		out += "\n… (cut)"
	}
	return out
}

// ack2xx accepts any 2xx answer.
func ack2xx(_ *delivery, ex *exchange) error {
	if ex.status < 200 || ex.status > 299 {
		return fmt.Errorf("HTTP %d %s: %s", ex.status, ex.statusText, oneLine(ex.respBody))
	}
	return nil
}

func oneLine(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}
