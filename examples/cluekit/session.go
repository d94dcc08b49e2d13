package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cluekit/cluekit/wshoto"
)

// session is one command run for one vendor.
type session struct {
	*invocation
	v    *vendorDef
	cmd  string // "check", "do", "callback send", ...
	fs   *flag.FlagSet
	help func() string

	// Common flags.
	fake    bool
	timeout time.Duration
	// customerID is v3clue check's -customer-id.
	customerID string

	closers []func()

	mu            sync.Mutex
	attempts      int // HTTP attempts of the calls made
	tokenRequests int
}

func newSession(inv *invocation, v *vendorDef, cmd string) *session {
	return &session{invocation: inv, v: v, cmd: cmd}
}

// close stops what the session started (the fake server).
func (s *session) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		s.closers[i]()
	}
	s.closers = nil
}

func (s *session) onClose(f func()) { s.closers = append(s.closers, f) }

// Usage texts of -fake.
const (
	fakeServer  = "start the vendor's in-memory fake server in-process and use its default credentials (nothing leaves this machine)"
	fakeCreds   = "use the fake's default credentials instead of the environment"
	fakeSecrets = "use the fake's test secrets (listed above) instead of the environment"
)

// newFlags starts the flag set of a command; help prints when -h is given.
// -fake (described by fakeHelp) and -timeout are added.
func (s *session) newFlags(cmd, fakeHelp string, help func() string) *flag.FlagSet {
	s.cmd = cmd
	s.where = s.v.name + " " + cmd
	fs := flag.NewFlagSet("cluekit "+s.where, flag.ContinueOnError)
	fs.SetOutput(s.errw)
	fs.Usage = func() {}
	fs.BoolVar(&s.fake, "fake", false, fakeHelp)
	fs.DurationVar(&s.timeout, "timeout", 30*time.Second, "give up after this long")
	s.fs = fs
	s.help = help
	return fs
}

// printHelp prints the command's help and its flags on standard output.
func (s *session) printHelp() {
	fmt.Fprint(s.out, s.help())
	fmt.Fprintln(s.out, "\nFlags:")
	s.fs.SetOutput(s.out)
	s.fs.PrintDefaults()
	s.fs.SetOutput(s.errw)
}

// parse parses flags anywhere among the arguments (flags may follow the
// positional arguments; "--" ends the flags) and returns the positional
// arguments. A lone "-" is an argument (standard input).
func (s *session) parse(args []string) ([]string, error) {
	fs := s.fs
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				s.printHelp()
				return nil, errHelp
			}
			return nil, &usageError{} // the flag package printed why
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func (s *session) context() (context.Context, context.CancelFunc) {
	t := s.timeout
	if t <= 0 {
		t = 30 * time.Second
	}
	return context.WithTimeout(context.Background(), t)
}

// need returns the values of the named variables (trimmed), or a usage
// error naming every missing one. Secret values are scrubbed from now on.
func (s *session) need(names ...string) (map[string]string, error) {
	vals := map[string]string{}
	var missing, set []string
	for _, n := range names {
		v := strings.TrimSpace(s.env(n))
		if v == "" {
			missing = append(missing, n)
			continue
		}
		vals[n] = v
		set = append(set, n)
		if s.v.isSecret(n) {
			s.sc.add(v)
		}
	}
	if len(missing) == 0 {
		return vals, nil
	}
	msg := fmt.Sprintf("%s: missing %s", s.where, strings.Join(missing, ", "))
	if len(set) > 0 {
		msg += fmt.Sprintf(" (%s %s set)", strings.Join(set, ", "), isAre(len(set)))
	}
	msg += fmt.Sprintf(".\nSet %s in the environment, or add -fake to use the built-in fake server.", joinAnd(names))
	return nil, &usageError{msg: msg}
}

// optional returns a variable's trimmed value ("" when unset).
func (s *session) optional(name string) string {
	v := strings.TrimSpace(s.env(name))
	if v != "" && s.v.isSecret(name) {
		s.sc.add(v)
	}
	return v
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func joinAnd(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// readArg reads a BODY-style argument: "-" is standard input, "@file" a
// file, anything else the text itself. The bytes are kept exactly (they are
// what is signed and sent).
func (s *session) readArg(what, v string) ([]byte, error) {
	switch {
	case v == "-":
		if s.stdin == nil {
			return nil, usagef("%s: %s is - but there is no standard input", s.where, what)
		}
		b, err := io.ReadAll(s.stdin)
		if err != nil {
			return nil, usagef("%s: reading %s from standard input: %v", s.where, what, err)
		}
		return b, nil
	case strings.HasPrefix(v, "@"):
		b, err := os.ReadFile(v[1:])
		if err != nil {
			return nil, usagef("%s: reading %s: %v", s.where, what, err)
		}
		return b, nil
	}
	return []byte(v), nil
}

// observer counts attempts (of calls, token requests apart) and token requests through the SDK's Observer
// (the Observer types of every cluekit package are one type).
func (s *session) observer() wshoto.Observer {
	return wshoto.Observer{
		CallEnd: func(_ context.Context, info wshoto.CallInfo, _ error) {
			s.mu.Lock()
			s.attempts += info.Attempts
			s.mu.Unlock()
		},
		Token: func(context.Context, wshoto.TokenInfo) {
			s.mu.Lock()
			s.tokenRequests++
			s.mu.Unlock()
		},
	}
}

func (s *session) counts() (attempts, tokens int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts, s.tokenRequests
}

// tokenRecorder is the token store given to token vendors' clients: the
// SDK's in-memory store, remembering the last token stored so that check
// can print its expiry, and adding every token to the scrubber. TokenStore
// and Token are the same types in every token package.
type tokenRecorder struct {
	wshoto.TokenStore
	sc *scrubber

	mu  sync.Mutex
	tok wshoto.Token
	ok  bool
}

func newTokenRecorder(sc *scrubber) *tokenRecorder {
	return &tokenRecorder{TokenStore: wshoto.NewMemoryTokenStore(nil), sc: sc}
}

func (r *tokenRecorder) Set(ctx context.Context, key string, tok wshoto.Token, ttl time.Duration) error {
	r.sc.add(tok.Value, tok.Refresh)
	r.mu.Lock()
	r.tok, r.ok = tok, true
	r.mu.Unlock()
	return r.TokenStore.Set(ctx, key, tok, ttl)
}

func (r *tokenRecorder) last() (wshoto.Token, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tok, r.ok
}

// report prints "key: value" rows, aligned.
type report struct{ w io.Writer }

func (r report) row(key, format string, args ...any) {
	val := fmt.Sprintf(format, args...)
	// Continuation lines are indented under the value.
	val = strings.ReplaceAll(val, "\n", "\n"+strings.Repeat(" ", 16))
	fmt.Fprintf(r.w, "%-15s %s\n", key+":", val)
}

// describe turns an error into one readable paragraph: for a vendor
// answer, the vendor's code and message verbatim, the HTTP status, the
// request id and the SDK's hint.
func describe(err error) string {
	var apiErr *wshoto.APIError // one type in every cluekit package
	if !errors.As(err, &apiErr) {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(err.Error())
	fmt.Fprintf(&b, "\n  vendor:      %s", apiErr.Vendor)
	if apiErr.Op != "" {
		fmt.Fprintf(&b, "\n  operation:   %s", apiErr.Op)
	}
	if apiErr.HTTPStatus != 0 {
		fmt.Fprintf(&b, "\n  HTTP status: %d", apiErr.HTTPStatus)
	}
	if apiErr.Code != "" {
		fmt.Fprintf(&b, "\n  code:        %s", apiErr.Code)
	}
	if apiErr.Message != "" {
		fmt.Fprintf(&b, "\n  message:     %s", apiErr.Message)
	}
	if apiErr.RequestID != "" {
		fmt.Fprintf(&b, "\n  request id:  %s", apiErr.RequestID)
	}
	if apiErr.Hint != "" {
		fmt.Fprintf(&b, "\n  hint:        %s", apiErr.Hint)
	}
	return b.String()
}

// isLocalError reports an ErrInvalidParam raised by the SDK before any
// network call (bad method, path or body): bad usage, not a vendor error.
func isLocalError(err error) bool {
	var apiErr *wshoto.APIError
	return errors.Is(err, wshoto.ErrInvalidParam) && !errors.As(err, &apiErr)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// fmtExpiry prints an expiry in China Standard Time and relative to now.
func fmtExpiry(t, now time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	rel := t.Sub(now).Round(time.Second)
	when := "in " + rel.String()
	if rel < 0 {
		when = (-rel).String() + " ago"
	}
	return fmt.Sprintf("%s (UTC+8, %s)", t.In(wshoto.CST).Format(time.DateTime), when)
}

// mode describes where the calls go.
func (s *session) mode() string {
	if s.fake {
		return "fake (the vendor's in-memory fake server, started in-process, with its default credentials)"
	}
	names := slices.Clone(s.v.apiVars)
	if s.env(s.v.baseVar) != "" {
		names = append(names, s.v.baseVar)
	}
	return "live (" + strings.Join(names, ", ") + ")"
}

// startedFake is what a vendor's fake gives the command: its credentials,
// URL, the secrets to mask and how to stop it.
type startedFake struct {
	id, secret, url string
	masked          []string // the secrets of the fake, masked in every output
	close           func()
}

// credentials returns the app id (or openid), the secret and the base URL:
// the fake's, started here, with -fake; else the vendor's variables ("" base
// URL: the vendor's production host).
func (s *session) credentials(start func() startedFake) (id, secret, base string, err error) {
	if s.fake {
		f := start()
		s.onClose(f.close)
		s.sc.add(f.masked...)
		return f.id, f.secret, f.url, nil
	}
	vals, err := s.need(s.v.apiVars...)
	if err != nil {
		return "", "", "", err
	}
	return vals[s.v.apiVars[0]], vals[s.v.apiVars[1]], s.optional(s.v.baseVar), nil
}

// clientOptions are the options every client of the command gets: the
// observer, the base URL when one is set, and (token vendors) a token store
// that records what it sees so that it can be masked. Every vendor package's
// Option is the same type, so one list serves all five. It returns the base
// URL the client will use.
func (s *session) clientOptions(base, defaultURL string, tokens bool) ([]wshoto.Option, string, *tokenRecorder) {
	opts := []wshoto.Option{wshoto.WithObserver(s.observer())}
	var rec *tokenRecorder
	if tokens {
		rec = newTokenRecorder(s.sc)
		opts = append(opts, wshoto.WithTokenStore(rec))
	}
	if base != "" {
		opts = append(opts, wshoto.WithBaseURL(base))
	} else {
		base = defaultURL
	}
	return opts, base, rec
}
