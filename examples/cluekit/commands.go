package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// conn is a client for check and do, whatever the vendor.
type conn struct {
	baseURL string
	appID   string
	// do is the client's Do(ctx, method, path, body, out).
	do func(ctx context.Context, method, path string, body, out any) error
	// check proves the credentials work and prints what it learned.
	check func(ctx context.Context, r report) error
}

// newClientError reports a client that New refused (a malformed base URL,
// plain HTTP to a remote host, ...): the variables are wrong, bad usage.
func (s *session) newClientError(err error) error {
	return usagef("%s: cannot build the client: %v", s.where, err)
}

// cmdCheck: do the credentials work?
func cmdCheck(s *session, args []string) error {
	s.newFlags("check", fakeServer, func() string { return checkHelp(s.v) })
	if s.v.checkFlags != nil {
		s.v.checkFlags(s)
	}
	pos, err := s.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("%s takes no arguments (got %q)", s.where, pos[0])
	}
	c, err := s.v.connect(s)
	if err != nil {
		return err
	}
	ctx, cancel := s.context()
	defer cancel()
	r := report{s.out}
	r.row("vendor", "%s (%s)", s.v.name, s.v.title)
	r.row("mode", "%s", s.mode())
	r.row("base URL", "%s", c.baseURL)
	r.row(s.v.idLabel, "%s", c.appID)
	if err := c.check(ctx, r); err != nil {
		r.row("result", "FAILED (the reason follows on standard error)")
		return err
	}
	r.row("result", "OK: the credentials work")
	return nil
}

var httpMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// cmdDo: one call through the client's Do.
func cmdDo(s *session, args []string) error {
	s.newFlags("do", fakeServer, func() string { return doHelp(s.v) })
	pos, err := s.parse(args)
	if err != nil {
		return err
	}
	if len(pos) < 2 || len(pos) > 3 {
		return usagef("%s needs METHOD PATH [BODY] (got %d %s)", s.where, len(pos), pluralWord(len(pos), "argument"))
	}
	method := strings.ToUpper(pos[0])
	if !containsString(httpMethods, method) {
		return usagef("%s: METHOD %q is not one of %s", s.where, pos[0], strings.Join(httpMethods, ", "))
	}
	path := pos[1]
	if !strings.HasPrefix(path, "/") {
		return usagef("%s: PATH %q must be the path after the base URL, starting with / (e.g. %s)", s.where, path, s.v.doExample[1])
	}
	var body any
	if len(pos) == 3 {
		raw, err := s.readArg("BODY", pos[2])
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(raw)) > 0 {
			if !json.Valid(raw) {
				return usagef("%s: BODY is not valid JSON: %.80q", s.where, raw)
			}
			body = json.RawMessage(raw)
		}
	}
	c, err := s.v.connect(s)
	if err != nil {
		return err
	}
	ctx, cancel := s.context()
	defer cancel()
	var out json.RawMessage
	start := time.Now()
	err = c.do(ctx, method, path, body, &out)
	took := time.Since(start).Round(time.Millisecond)
	if err != nil {
		if isLocalError(err) {
			return usagef("%s: %v", s.where, err)
		}
		return err
	}
	data := []byte(out)
	if len(bytes.TrimSpace(data)) == 0 {
		data = []byte("null")
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, data, "", "  ") != nil {
		pretty.Reset()
		pretty.Write(data)
	}
	fmt.Fprintln(s.out, maskCredentialFields(strings.TrimRight(pretty.String(), "\r\n")))
	attempts, tokens := s.counts()
	extra := ""
	if tokens > 0 {
		extra = ", " + plural(tokens, "token request")
	}
	fmt.Fprintf(s.errw, "%s %s %s: OK in %s (%s%s; %s)\n", s.v.name, method, path, took, plural(attempts, "attempt"), extra, modeShort(s))
	return nil
}

func modeShort(s *session) string {
	if s.fake {
		return "fake server"
	}
	return "live"
}

// cmdSign: the signed string, secrets masked, and the signature.
func cmdSign(s *session, args []string) error {
	if s.v.sign != nil {
		return s.v.sign(s, args)
	}
	s.where = s.v.name + " sign"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(s.out, s.v.noSign)
		return errHelp
	}
	fmt.Fprintln(s.errw, s.v.noSign)
	return usagef("%s has no sign command: its calls are not signed", s.v.name)
}

// cmdCallback: callback send | callback decode.
func cmdCallback(s *session, args []string) error {
	s.where = s.v.name + " callback"
	if len(args) == 0 {
		fmt.Fprint(s.errw, callbackHelp(s.v))
		return usagef("callback needs a subcommand: send or decode")
	}
	sub, rest := args[0], args[1:]
	switch {
	case isHelp(sub):
		fmt.Fprint(s.out, callbackHelp(s.v))
		return errHelp
	case sub == "send":
		if s.v.callback == nil {
			s.where = s.v.name + " callback send"
			if len(rest) > 0 && isHelp(rest[0]) {
				fmt.Fprintln(s.out, s.v.noCallback)
				return errHelp
			}
			fmt.Fprintln(s.errw, s.v.noCallback)
			return usagef("%s has no callback to send", s.v.name)
		}
		return cmdCallbackSend(s, rest)
	case sub == "decode":
		s.where = s.v.name + " callback decode"
		if s.v.decode == nil {
			msg := fmt.Sprintf("callback decode is only for weiling, whose callbacks are encrypted: %s callbacks are not (see '"+prog+" %s callback -h').", s.v.name, s.v.name)
			if len(rest) > 0 && isHelp(rest[0]) {
				fmt.Fprintln(s.out, msg)
				return errHelp
			}
			fmt.Fprintln(s.errw, msg)
			return usagef("%s has no callback decode", s.v.name)
		}
		return s.v.decode(s, rest)
	}
	return usagef("unknown callback subcommand %q: send or decode", sub)
}

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func pluralWord(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// credentialField matches a JSON member whose name says it holds a
// credential ("access_token", "refresh_token", "appSecret", ...) and whose
// value is a string.
var credentialField = regexp.MustCompile(`(?i)("(?:access_?token|refresh_?token|app_?secret|app_?key|secret|token|password)"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// maskCredentialFields masks the values of credential members in an
// answer printed by do: a token endpoint called through do (or a vendor
// echoing one) must not print a token the scrubber does not know yet.
func maskCredentialFields(text string) string {
	return credentialField.ReplaceAllString(text, `${1}"`+mask+`"`)
}
