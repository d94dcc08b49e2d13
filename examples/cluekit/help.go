package main

import (
	"fmt"
	"slices"
	"strings"
)

const prog = "go run ./examples/cluekit"

func topUsage() string {
	var b strings.Builder
	fmt.Fprintf(&b, `cluekit: the operations command of the cluekit SDK.

Usage:
  %[1]s <vendor> <command> [flags] [arguments]
  %[1]s <vendor> -h              what can be done with one vendor, and what to set
  %[1]s <vendor> <command> -h    one command, with examples

Vendors:
`, prog)
	for _, v := range vendorList() {
		fmt.Fprintf(&b, "  %-10s %s: %s\n", v.name, v.title, strings.Join(v.commands(), ", "))
	}
	fmt.Fprintf(&b, `
Commands:
  check                    do the credentials work? (a token obtained, or one cheap read made);
                           prints the base URL, the app id, the latency and the token's expiry
  do METHOD PATH [BODY]    one call through the SDK's Do (signed, or with the token), the answer's
                           data printed as indented JSON; BODY is JSON, @file, or - (standard input)
  callback send -url URL   sign or encrypt an event as the vendor would and deliver it to your
                           endpoint, printing the answer (waiqin365, wshoto, weiling, jing)
  callback decode          weiling: verify and decrypt a captured callback delivery
  sign                     waiqin365, v3clue: the exact string that is signed (secrets masked) and
                           the resulting digest or signature, for a support ticket

Credentials come from environment variables (the same as the examples/<vendor> programs):
`)
	for _, v := range vendorList() {
		vars := slices.Clone(v.apiVars)
		for _, n := range append(slices.Clone(v.extraVars), v.baseVar) {
			vars = append(vars, "["+n+"]")
		}
		fmt.Fprintf(&b, "  %-10s %s\n", v.name, strings.Join(vars, " "))
	}
	fmt.Fprintf(&b, `[...]: needed by some commands only, or optional (see '<vendor> -h').
A *_BASE_URL is optional (default: the vendor's production base URL). Instead of variables,
-fake starts the vendor's in-memory fake server in this process and uses its default
credentials: nothing leaves this machine. Try that first.

Exit status: 0 success; 1 the vendor (or your endpoint) said no, or the check failed;
2 bad usage (unknown vendor or command, missing variables, bad flags or arguments).
Nothing printed ever contains a secret or a token: they are masked as %[2]s.

Examples:
  %[1]s wshoto check -fake
  WSHOTO_APP_ID=wx123 WSHOTO_APP_SECRET=... %[1]s wshoto check
  %[1]s v3clue do -fake POST /api/v3/clue/get '{"customerId":410983932389440}'
  %[1]s weiling callback send -fake -url http://127.0.0.1:8080/weiling/callback
  %[1]s waiqin365 sign -fake -body '{"a":1}' -timestamp 20240102150405
`, prog, mask)
	return b.String()
}

func vendorUsage(v *vendorDef) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n\n", v.name, v.title)
	fmt.Fprintf(&b, "Calls:        %s\n", indent(v.auth, 14))
	fmt.Fprintf(&b, "Production:   %s (override with %s)\n\n", v.defaultURL, v.baseVar)
	fmt.Fprintf(&b, "Usage:\n")
	fmt.Fprintf(&b, "  %s %s check [-fake]\n", prog, v.name)
	fmt.Fprintf(&b, "  %s %s do [-fake] METHOD PATH [BODY]\n", prog, v.name)
	if v.callback != nil {
		fmt.Fprintf(&b, "  %s %s callback send [-fake] -url URL [-event FILE]\n", prog, v.name)
	}
	if v.decode != nil {
		fmt.Fprintf(&b, "  %s %s callback decode [-fake] -query QUERY [-body FILE]\n", prog, v.name)
	}
	if v.sign != nil {
		fmt.Fprintf(&b, "  %s %s sign [-fake] [-body BODY] [-timestamp TS]\n", prog, v.name)
	}
	fmt.Fprintf(&b, "\nEnvironment:\n%s", varsHelp(v))
	if v.callback == nil || v.sign == nil {
		fmt.Fprintf(&b, "\nNot available:\n")
	}
	if v.callback == nil {
		fmt.Fprintf(&b, "  callback send  %s\n", indent(v.noCallback, 17))
	}
	if v.sign == nil {
		fmt.Fprintf(&b, "  sign           %s\n", indent(v.noSign, 17))
	}
	fmt.Fprintf(&b, "\nExamples:\n  %s %s check -fake\n  %s %s do -fake %s\n", prog, v.name, prog, v.name, shellArgs(v.doExample))
	if v.callback != nil {
		fmt.Fprintf(&b, "  %s %s callback send -fake -url http://127.0.0.1:8080/%s\n", prog, v.name, v.name)
	}
	if v.sign != nil {
		fmt.Fprintf(&b, "  %s %s sign -fake -body '{\"a\":1}'\n", prog, v.name)
	}
	fmt.Fprintf(&b, "  %s %s check    # live: with %s set\n", prog, v.name, joinAnd(v.apiVars))
	fmt.Fprintf(&b, "\nRun '%s %s <command> -h' for a command's flags and more examples.\n", prog, v.name)
	return b.String()
}

// varsHelp lists the vendor's variables and what each one is for.
func varsHelp(v *vendorDef) string {
	var b strings.Builder
	for _, n := range v.apiVars {
		also := ""
		if v.callback != nil && containsString(v.callback.optVars, n) {
			also = "; optional for callback send"
		}
		fmt.Fprintf(&b, "  %-26s required by check, do%s%s\n", n, signNote(v, n), also)
	}
	for _, n := range v.extraVars {
		fmt.Fprintf(&b, "  %-26s %s\n", n, extraVarHelp(v, n))
	}
	fmt.Fprintf(&b, "  %-26s optional: the base URL (default %s)\n", v.baseVar, v.defaultURL)
	return b.String()
}

func signNote(v *vendorDef, _ string) string {
	if v.sign != nil {
		return ", sign"
	}
	return ""
}

func extraVarHelp(v *vendorDef, n string) string {
	switch {
	case strings.HasSuffix(n, "_PUSH_SECRET"):
		return "required by callback send and sign -push"
	case v.callback != nil && containsString(v.callback.vars, n):
		return "required by callback send" + decodeNote(v)
	case v.callback != nil && containsString(v.callback.optVars, n):
		return "optional for callback send"
	case strings.HasSuffix(n, "_CUSTOMER_ID"):
		return "optional: a clue id check reads (without it, check makes a signed probe call)"
	}
	return "optional"
}

func decodeNote(v *vendorDef) string {
	if v.decode != nil {
		return " and callback decode"
	}
	return ""
}

func shellArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, ` "{}[]$&|;<>*?'`) {
			a = "'" + a + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

func checkHelp(v *vendorDef) string {
	return fmt.Sprintf(`Usage: %[1]s %[2]s check [-fake] [-timeout 30s]

Checks that the %[2]s credentials work: %[3]s
It prints the vendor, the base URL, the %[4]s, the latency and, when the vendor
has tokens, when the token expires. It never prints a secret or a token.

Needs %[5]s in the environment (%[6]s is optional), or -fake.
Exit status: 0 the credentials work, 1 the vendor refused them (its code and message are
printed), 2 bad usage (e.g. a missing variable, named in the message).

Examples:
  %[1]s %[2]s check -fake
  %[7]s %[1]s %[2]s check
`, prog, v.name, checkWhat(v), v.idLabel, joinAnd(v.apiVars), v.baseVar, exampleEnv(v))
}

func checkWhat(v *vendorDef) string {
	switch v.name {
	case "waiqin365":
		return "one signed querySalesLeads call\n(page 1, page size 1, code cluekit-check: an empty page is fine, the answer proves the\nopenid and the digest were accepted)."
	case "v3clue":
		return "one signed clue/get call, of V3CLUE_CUSTOMER_ID (or\n-customer-id) when set; otherwise of a probe id: 探马 answers a bad signature with code\n1002 and a clock error with 1003, so any other answer (\"not found\" included) proves that\nappId and sign were accepted."
	case "jing":
		return "an access token is obtained. Live, mind that JINGdigital\nrotates refresh tokens: this get-token ends the refresh token other processes of the app\nhold (the SDK in them falls back to get-token once)."
	}
	return "an access token is obtained."
}

func exampleEnv(v *vendorDef) string {
	var parts []string
	for _, n := range v.apiVars {
		val := "..."
		if !v.isSecret(n) {
			val = "your-" + strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(n, strings.ToUpper(v.name)+"_"), "_", "-"))
		}
		parts = append(parts, n+"="+val)
	}
	return strings.Join(parts, " ")
}

func doHelp(v *vendorDef) string {
	return fmt.Sprintf(`Usage: %[1]s %[2]s do [-fake] [-timeout 30s] METHOD PATH [BODY]

Makes one call through the SDK's generic %[2]s Client.Do, authenticated like every %[2]s call:
  %[3]s
The answer's data is printed as indented JSON on standard output (a summary goes to
standard error), so it can be piped to jq.

  METHOD  GET, POST, PUT, PATCH or DELETE (%[2]s documents POST)
  PATH    the path after the base URL, e.g. %[4]s
  BODY    JSON text, @file to read it from a file, or - to read standard input; sent as is.
          Omitted: no body.

Every method but GET is treated by the SDK as a create: it is not retried once it may have
reached the vendor. Needs %[5]s (or -fake).

Examples:
  %[1]s %[2]s do -fake %[6]s
  %[1]s %[2]s do POST %[4]s @body.json
  echo '{}' | %[1]s %[2]s do POST %[4]s -
`, prog, v.name, indent(v.auth, 2), v.doExample[1], joinAnd(v.apiVars), shellArgs(v.doExample))
}

func callbackHelp(v *vendorDef) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage:\n")
	if v.callback != nil {
		fmt.Fprintf(&b, "  %s %s callback send [-fake] -url URL [-event FILE]\n      deliver one %s to your endpoint\n", prog, v.name, v.callback.what)
	} else {
		fmt.Fprintf(&b, "  callback send: %s\n", indent(v.noCallback, 17))
	}
	if v.decode != nil {
		fmt.Fprintf(&b, "  %s %s callback decode [-fake] -query QUERY [-body FILE]\n      verify and decrypt a captured delivery\n", prog, v.name)
	} else {
		fmt.Fprintf(&b, "  callback decode: only for weiling, whose callbacks are encrypted\n")
	}
	if v.callback != nil {
		fmt.Fprintf(&b, "\nExamples:\n  %s %s callback send -fake -url http://127.0.0.1:8080/%s\n", prog, v.name, v.name)
		if v.decode != nil {
			fmt.Fprintf(&b, "  %s %s callback decode -fake -query 'msg_signature=...&timestamp=...&nonce=...' -body body.json\n", prog, v.name)
		}
		fmt.Fprintf(&b, "\nRun '%s %s callback send -h' for details.\n", prog, v.name)
	}
	return b.String()
}

func sendHelp(v *vendorDef) string {
	cb := v.callback
	var needs string
	if len(cb.vars) == 0 {
		needs = "Needs no variable: nothing is signed (-fake changes nothing)."
	} else {
		var fakeVals []string
		for _, n := range append(slices.Clone(cb.vars), cb.optVars...) {
			if cb.fakeVals[n] != "" {
				fakeVals = append(fakeVals, fmt.Sprintf("%s=%s", n, cb.fakeVals[n]))
			}
		}
		opt := ""
		if len(cb.optVars) > 0 {
			opt = " (" + joinAnd(cb.optVars) + " optional)"
		}
		needs = fmt.Sprintf("Needs %s in the environment%s: the same value(s) your\n"+
			"endpoint is configured with. -fake uses these test values instead (configure your\n"+
			"endpoint with them to try it out):\n  %s", joinAnd(cb.vars), opt, strings.Join(fakeVals, "\n  "))
	}
	example := fmt.Sprintf("%s %s %s callback send -url https://example.com/%s/callback -event event.json", sendEnvExample(cb), prog, v.name, v.name)
	return fmt.Sprintf(`Usage: %[1]s %[2]s callback send [-fake] -url URL [-event FILE]

Builds one %[3]s exactly as %[2]s would send it,
delivers it to URL (your endpoint) and prints the request, your endpoint's answer
(HTTP status and body) and whether that answer is the acknowledgement %[2]s expects.
Authentication: %[4]s.

%[5]s

-event FILE: %[6]s
Without -event, the vendor's documented example is sent (built in: testdata/%[7]s).

Exit status: 0 acknowledged; 1 refused (a non-2xx status or not the documented
acknowledgement: the vendor would deliver again) or no answer; 2 bad usage.

Examples:
  %[1]s %[2]s callback send -fake -url http://127.0.0.1:8080/%[2]s
  %[8]s
`, prog, v.name, cb.what, cb.auth, needs, cb.eventHelp, cb.defaultEvent, strings.TrimSpace(example))
}

func sendEnvExample(cb *callbackDef) string {
	var parts []string
	for _, n := range cb.vars {
		parts = append(parts, n+"=...")
	}
	return strings.Join(parts, " ")
}

// indent indents the continuation lines of text by n spaces.
func indent(text string, n int) string {
	return strings.ReplaceAll(text, "\n", "\n"+strings.Repeat(" ", n))
}
