package main

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// result is one in-process run of the command.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return "exit " + strconv.Itoa(r.code) + "\n--- stdout\n" + r.stdout + "--- stderr\n" + r.stderr
}

// fakeSecrets are the secrets -fake uses: a -fake run is given them.
var (
	fakeSecretsMu sync.Mutex
	fakeSecretsV  []string
)

// addFakeSecrets registers the secrets of the fakes (vendor test files
// call it from init).
func addFakeSecrets(s ...string) {
	fakeSecretsMu.Lock()
	defer fakeSecretsMu.Unlock()
	fakeSecretsV = append(fakeSecretsV, s...)
}

func fakeSecretValues() []string {
	fakeSecretsMu.Lock()
	defer fakeSecretsMu.Unlock()
	return slices.Clone(fakeSecretsV)
}

// secretVarNames: every variable whose value is a secret.
func secretVarNames() []string {
	var out []string
	for _, v := range vendorList() {
		out = append(out, v.secretVars...)
	}
	return out
}

// runCmd runs the command in-process with env and stdin, and fails the
// test if its output holds any credential it was given: the value of every
// secret variable in env, the fakes' secrets when -fake is used, and the
// extra secrets named (tokens the test knows of).
func runCmd(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := runIO(args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
	r := result{code: code, stdout: out.String(), stderr: errb.String()}
	var secrets []string
	for _, n := range secretVarNames() {
		if v := env[n]; v != "" {
			secrets = append(secrets, v)
		}
	}
	if slices.Contains(args, "-fake") && !slices.ContainsFunc(args, isHelp) {
		secrets = append(secrets, fakeSecretValues()...)
	}
	assertNoSecrets(t, r, secrets...)
	return r
}

// assertNoSecrets fails if the output holds any secret, in any encoding.
func assertNoSecrets(t *testing.T, r result, secrets ...string) {
	t.Helper()
	all := r.stdout + r.stderr
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
			if strings.Contains(all, form) {
				t.Errorf("the output contains a secret (%.4s…):\n%s", s, r)
			}
		}
	}
}

func want(t *testing.T, r result, code int, contains ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\n%s", r.code, code, r)
	}
	all := r.stdout + r.stderr
	for _, c := range contains {
		if !strings.Contains(all, c) {
			t.Errorf("the output lacks %q\n%s", c, r)
		}
	}
}

// field returns the value of the "key:" row of a report.
func field(t *testing.T, out, key string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, key+":") {
			return strings.TrimSpace(strings.TrimPrefix(line, key+":"))
		}
	}
	t.Fatalf("no %q row in\n%s", key, out)
	return ""
}

func writeFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHelp(t *testing.T) {
	t.Parallel()
	cases := [][]string{{"-h"}, {"--help"}, {"help"}, {"help", "wshoto"}}
	for _, v := range vendorNames() {
		cases = append(cases,
			[]string{v, "-h"}, []string{v, "help"},
			[]string{v, "check", "-h"}, []string{v, "do", "-h"},
			[]string{v, "callback", "-h"}, []string{v, "callback", "send", "-h"},
			[]string{v, "callback", "decode", "-h"}, []string{v, "sign", "-h"})
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, nil, "", args...)
			want(t, r, exitOK)
			if strings.TrimSpace(r.stdout) == "" {
				t.Fatalf("no help on stdout\n%s", r)
			}
			if r.stderr != "" {
				t.Errorf("help wrote to stderr\n%s", r)
			}
		})
	}
	t.Run("top help names every vendor, command and variable", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "", "-h")
		for _, v := range vendorList() {
			want(t, r, exitOK, v.name, v.title)
			for _, n := range v.allVars() {
				want(t, r, exitOK, n)
			}
		}
		want(t, r, exitOK, "check", "do METHOD PATH [BODY]", "callback send -url URL", "callback decode", "sign", "-fake", "Examples:", "Exit status")
	})
	t.Run("command help has examples", func(t *testing.T) {
		t.Parallel()
		for _, v := range vendorNames() {
			for _, cmd := range [][]string{{"check"}, {"do"}} {
				r := runCmd(t, nil, "", append(append([]string{v}, cmd...), "-h")...)
				want(t, r, exitOK, "Usage:", "Examples:", "-fake", "go run ./examples/cluekit "+v)
			}
		}
	})
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	body := writeFile(t, "body.json", []byte(`{"code":"x"}`))
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{"no arguments", nil, nil, []string{"missing <vendor> and <command>", "Usage:"}},
		{"unknown vendor", []string{"salesforce", "check"}, nil, []string{`unknown vendor "salesforce"`, "waiqin365"}},
		{"flag before vendor", []string{"-fake", "wshoto", "check"}, nil, []string{"flags go after"}},
		{"missing command", []string{"wshoto"}, nil, []string{"missing command", "check, do"}},
		{"unknown command", []string{"wshoto", "delete"}, nil, []string{`unknown command "delete"`}},
		{"unknown flag", []string{"wshoto", "check", "-fake", "-verbose"}, nil, []string{"flag provided but not defined: -verbose", "wshoto check -h"}},
		{"bad flag value", []string{"wshoto", "check", "-fake", "-timeout", "soon"}, nil, []string{"invalid value"}},
		{"check with an argument", []string{"wshoto", "check", "-fake", "now"}, nil, []string{"takes no arguments"}},
		{"do without path", []string{"wshoto", "do", "-fake", "POST"}, nil, []string{"needs METHOD PATH [BODY]"}},
		{"do with too many arguments", []string{"wshoto", "do", "-fake", "POST", "/a", "{}", "x"}, nil, []string{"needs METHOD PATH [BODY]"}},
		{"do with a bad method", []string{"wshoto", "do", "-fake", "FETCH", "/openapi/x"}, nil, []string{`METHOD "FETCH"`}},
		{"do with a relative path", []string{"waiqin365", "do", "-fake", "POST", "api/salesleads/v1/querySalesLeads"}, nil, []string{"must be the path after the base URL"}},
		{"do with a bad body", []string{"v3clue", "do", "-fake", "POST", "/api/v3/clue/get", "{customerId:8}"}, nil, []string{"BODY is not valid JSON"}},
		{"do with a missing body file", []string{"v3clue", "do", "-fake", "POST", "/api/v3/clue/get", "@/nonexistent/body.json"}, nil, []string{"reading BODY"}},
		{"do GET with a body", []string{"wshoto", "do", "-fake", "GET", "/openapi/crm/clue/page", "@" + body}, nil, []string{"GET request cannot carry a body"}},
		{"do with a path the SDK refuses", []string{"waiqin365", "do", "-fake", "POST", "/api/salesleads/v1/query leads"}, nil, []string{"waiqin365 do"}},
		{"callback without subcommand", []string{"wshoto", "callback"}, nil, []string{"send or decode"}},
		{"callback unknown subcommand", []string{"wshoto", "callback", "receive"}, nil, []string{`unknown callback subcommand "receive"`}},
		{"callback send without url", []string{"waiqin365", "callback", "send", "-fake"}, nil, []string{"-url is required"}},
		{"callback send with a relative url", []string{"waiqin365", "callback", "send", "-fake", "-url", "/push"}, nil, []string{"not an absolute http(s) URL"}},
		{"callback send with a missing event file", []string{"waiqin365", "callback", "send", "-fake", "-url", "http://127.0.0.1:1/", "-event", "/nonexistent.json"}, nil, []string{"reading -event"}},
		{"callback send for v3clue", []string{"v3clue", "callback", "send", "-url", "http://127.0.0.1:1/"}, nil, []string{"outside the SDK", "no callback to send"}},
		{"callback decode for waiqin365", []string{"waiqin365", "callback", "decode"}, nil, []string{"only", "weiling"}},
		{"sign for a token vendor", []string{"wshoto", "sign"}, nil, []string{"not signed", "access token"}},
		{"sign with a bad path", []string{"waiqin365", "sign", "-fake", "-path", "/salesleads/addSalesLeads"}, nil, []string{"-path"}},
		{"malformed base URL", []string{"waiqin365", "check"}, map[string]string{"WAIQIN365_OPENID": "5465103569540931532", "WAIQIN365_APP_KEY": "k-0123456789abcdef", "WAIQIN365_BASE_URL": "openapi.waiqin365.com"}, []string{"cannot build the client"}},
		{"plain http to a remote host", []string{"v3clue", "check"}, map[string]string{"V3CLUE_APP_ID": "a", "V3CLUE_APP_KEY": "k-0123456789abcdef", "V3CLUE_BASE_URL": "http://example.com/apiServer"}, []string{"cannot build the client"}},
		{"bad customer id", []string{"v3clue", "check", "-fake", "-customer-id", "abc"}, nil, []string{"not a positive integer"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, c.env, "", c.args...)
			want(t, r, exitUsage, c.want...)
			if !strings.Contains(r.stderr, "for help.") {
				t.Errorf("no pointer to the help\n%s", r)
			}
		})
	}
}

// TestMissingVariables: no or partial credentials are bad usage, naming
// every missing variable, the same way for every vendor.
func TestMissingVariables(t *testing.T) {
	t.Parallel()
	for _, v := range vendorList() {
		for _, cmd := range [][]string{{"check"}, {"do", "POST", "/x"}} {
			t.Run(v.name+" "+cmd[0]+" none set", func(t *testing.T) {
				t.Parallel()
				r := runCmd(t, nil, "", append([]string{v.name}, cmd...)...)
				want(t, r, exitUsage, append([]string{"missing", "-fake"}, v.apiVars...)...)
			})
			for i, set := range v.apiVars {
				t.Run(v.name+" "+cmd[0]+" only "+set, func(t *testing.T) {
					t.Parallel()
					env := map[string]string{set: "some-value-" + set}
					r := runCmd(t, env, "", append([]string{v.name}, cmd...)...)
					want(t, r, exitUsage)
					missing := slices.Delete(slices.Clone(v.apiVars), i, i+1)
					line := r.stderr[:strings.Index(r.stderr, "\n")]
					for _, m := range missing {
						if !strings.Contains(line, "missing "+m) && !strings.Contains(line, ", "+m) {
							t.Errorf("%s is not named missing: %q", m, line)
						}
					}
					if strings.Contains(line, "missing "+set) {
						t.Errorf("%s is set but named missing: %q", set, line)
					}
				})
			}
		}
	}
	for _, v := range vendorList() {
		if v.callback == nil || len(v.callback.vars) == 0 {
			continue
		}
		t.Run(v.name+" callback send none set", func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, nil, "", v.name, "callback", "send", "-url", "http://127.0.0.1:1/")
			want(t, r, exitUsage, v.callback.vars...)
		})
	}
	for _, v := range []string{"waiqin365", "v3clue"} {
		t.Run(v+" sign none set", func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, nil, "", v, "sign")
			want(t, r, exitUsage, vendors[v].apiVars...)
		})
	}
}

func TestScrubber(t *testing.T) {
	t.Parallel()
	sc := &scrubber{}
	sc.add("s3cr+t/=x", "")
	var out bytes.Buffer
	w := sc.writer(&out)
	// A secret split over two writes, in three encodings.
	_, _ = w.Write([]byte("raw s3c"))
	_, _ = w.Write([]byte("r+t/=x query " + url.QueryEscape("s3cr+t/=x") + "\npath " + url.PathEscape("s3cr+t/=x") + " end"))
	w.Flush()
	if got := out.String(); strings.Contains(got, "s3cr") || strings.Count(got, mask) != 3 {
		t.Fatalf("scrubbed output %q", got)
	}
}
