// Command cluekit is the operations command of the cluekit SDK: check that a
// vendor's credentials work, make one signed call, send a signed or
// encrypted callback to your endpoint, decode a captured weiling callback,
// and show how a request is signed, for a support ticket.
//
//	go run ./examples/cluekit <vendor> <command> [flags] [arguments]
//	go run ./examples/cluekit wshoto check -fake
//	go run ./examples/cluekit -h
//
// Credentials come from the environment variables of the examples
// (WSHOTO_APP_ID, WSHOTO_APP_SECRET, ...), or -fake runs the vendor's
// in-memory fake server in-process with its default credentials. Exit
// status: 0 success, 1 the vendor (or your endpoint) said no, 2 bad usage.
// Nothing it prints ever contains a secret or a token.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK    = 0 // success
	exitFail  = 1 // the vendor refused, a check failed, a callback was not acknowledged
	exitUsage = 2 // unknown vendor or command, missing variables, bad flags or arguments
)

// run is the command: args without the program name, env to read the
// environment (os.Getenv), and the two output streams. It returns the exit
// status. Standard input (BODY "-") is os.Stdin.
func run(args []string, env func(string) string, stdout, stderr io.Writer) int {
	return runIO(args, env, os.Stdin, stdout, stderr)
}

// runIO is run with standard input given (tests).
func runIO(args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if env == nil {
		env = func(string) string { return "" }
	}
	sc := &scrubber{}
	// Every secret variable of every vendor found in the environment is
	// scrubbed from the output, whichever vendor this run is about.
	for _, v := range vendorList() {
		for _, name := range v.secretVars {
			sc.add(strings.TrimSpace(env(name)), env(name))
		}
	}
	out, errw := sc.writer(stdout), sc.writer(stderr)
	defer out.Flush()
	defer errw.Flush()

	inv := &invocation{env: env, stdin: stdin, out: out, errw: errw, sc: sc}
	err := inv.dispatch(args)
	return inv.exit(err)
}

// invocation is one run of the command.
type invocation struct {
	env   func(string) string
	stdin io.Reader
	out   io.Writer // stdout, scrubbed
	errw  io.Writer // stderr, scrubbed
	sc    *scrubber
	// where names the command for messages: "wshoto check".
	where string
}

// errHelp: help was asked for and printed (exit 0).
var errHelp = errors.New("help shown")

// usageError is bad usage (exit 2). msg is printed unless empty (the flag
// package has printed it already).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func (inv *invocation) exit(err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &ue):
		if ue.msg != "" {
			fmt.Fprintf(inv.errw, "cluekit: %s\n", ue.msg)
		}
		hint := "go run ./examples/cluekit -h"
		if inv.where != "" {
			hint = "go run ./examples/cluekit " + inv.where + " -h"
		}
		fmt.Fprintf(inv.errw, "Run '%s' for help.\n", hint)
		return exitUsage
	default:
		where := "cluekit"
		if inv.where != "" {
			where += " " + inv.where
		}
		fmt.Fprintf(inv.errw, "%s: FAILED: %s\n", where, describe(err))
		return exitFail
	}
}

func isHelp(a string) bool {
	return a == "-h" || a == "-help" || a == "--help" || a == "help"
}

// dispatch picks the vendor and the command.
func (inv *invocation) dispatch(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(inv.errw, topUsage())
		return usagef("missing <vendor> and <command>")
	}
	if isHelp(args[0]) {
		if len(args) > 1 {
			if v := vendors[args[1]]; v != nil {
				fmt.Fprint(inv.out, vendorUsage(v))
				return errHelp
			}
		}
		fmt.Fprint(inv.out, topUsage())
		return errHelp
	}
	v := vendors[args[0]]
	if v == nil {
		if strings.HasPrefix(args[0], "-") {
			return usagef("flags go after <vendor> <command>: %s is not a vendor (one of %s)", args[0], strings.Join(vendorNames(), ", "))
		}
		return usagef("unknown vendor %q: one of %s", args[0], strings.Join(vendorNames(), ", "))
	}
	inv.where = v.name
	if len(args) == 1 {
		fmt.Fprint(inv.errw, vendorUsage(v))
		return usagef("missing command after %q: one of %s", v.name, strings.Join(v.commands(), ", "))
	}
	cmd, rest := args[1], args[2:]
	if isHelp(cmd) {
		fmt.Fprint(inv.out, vendorUsage(v))
		return errHelp
	}
	s := newSession(inv, v, cmd)
	defer s.close()
	switch cmd {
	case "check":
		return cmdCheck(s, rest)
	case "do":
		return cmdDo(s, rest)
	case "sign":
		return cmdSign(s, rest)
	case "callback":
		return cmdCallback(s, rest)
	}
	return usagef("unknown command %q for %s: one of %s", cmd, v.name, strings.Join(v.commands(), ", "))
}

// vendorDef describes one vendor to the command. Each vendor file
// registers one.
type vendorDef struct {
	name  string // package name: waiqin365
	title string // 勤策 / 外勤365 OpenAPI

	// apiVars are the credentials of check and do (the app id first),
	// baseVar the optional base URL, extraVars the other variables the
	// command reads (shown in the help), secretVars every variable whose
	// value is a secret (scrubbed from all output).
	apiVars    []string
	baseVar    string
	extraVars  []string
	secretVars []string
	idLabel    string // "app id" or "openid"
	defaultURL string // production base URL
	auth       string // how calls are authenticated, one line

	// connect builds the client of check and do: on the fake with -fake,
	// else from the environment.
	connect func(s *session) (*conn, error)
	// checkFlags adds vendor-only flags to check (may be nil).
	checkFlags func(s *session)
	// doExample is an example of do against the fake: METHOD PATH BODY.
	doExample []string

	callback   *callbackDef // nil: no callback to send (noCallback says why)
	noCallback string
	// decode runs "callback decode" (nil: noDecode says why).
	decode func(s *session, args []string) error
	// sign runs "sign" (nil: noSign says why).
	sign   func(s *session, args []string) error
	noSign string
}

var (
	vendors     = map[string]*vendorDef{}
	vendorOrder = []string{"waiqin365", "wshoto", "weiling", "jing", "v3clue"}
)

func register(v *vendorDef) { vendors[v.name] = v }

func vendorList() []*vendorDef {
	var out []*vendorDef
	for _, n := range vendorOrder {
		if v := vendors[n]; v != nil {
			out = append(out, v)
		}
	}
	return out
}

func vendorNames() []string {
	var out []string
	for _, v := range vendorList() {
		out = append(out, v.name)
	}
	return out
}

// commands lists what the vendor supports.
func (v *vendorDef) commands() []string {
	out := []string{"check", "do"}
	if v.callback != nil {
		out = append(out, "callback send")
	}
	if v.decode != nil {
		out = append(out, "callback decode")
	}
	if v.sign != nil {
		out = append(out, "sign")
	}
	return out
}

// allVars: every variable the command reads for v, in help order.
func (v *vendorDef) allVars() []string {
	out := slices.Clone(v.apiVars)
	out = append(out, v.extraVars...)
	return append(out, v.baseVar)
}

func (v *vendorDef) isSecret(name string) bool { return slices.Contains(v.secretVars, name) }
