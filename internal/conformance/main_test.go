package conformance

import (
	"fmt"
	"log"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/cluekit/cluekit/internal/testkit"
)

// stdlog captures the standard logger, which the fakes' httptest servers
// write their own errors to, so the audit covers them too.
var stdlog = &testkit.Buffer{}

func TestMain(m *testing.M) {
	log.SetOutput(stdlog)
	code := m.Run()
	if code == 0 {
		if msg := globalAudit.check(stdlog.String()); msg != "" {
			fmt.Fprintln(os.Stderr, "FAIL: secrets audit:", msg)
			code = 1
		}
	}
	if testing.Verbose() {
		for _, report := range []string{matrixReport(), soakReport(), stressReport()} {
			if strings.Count(report, "\n") > 2 { // more than the header
				fmt.Println(report)
			}
		}
		fmt.Println(globalAudit.report(stdlog.String()))
	}
	os.Exit(code)
}

// check looks for any secret of any run in any text of any run (and in
// the standard logger's output). It returns a description of the first
// leak, or "".
func (a *audit) check(extra string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	secrets := make([]string, 0, len(a.secrets))
	for s := range a.secrets {
		secrets = append(secrets, s)
	}
	sort.Strings(secrets)
	if l := findLeaks(append(append([]string(nil), a.texts...), extra), secrets); len(l) > 0 {
		return fmt.Sprintf("secret %.4s... appears in %.200q", l[0].secret, l[0].text)
	}
	return ""
}

func (a *audit) report(extra string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return fmt.Sprintf("secrets audit: %d runs, %d distinct secrets (keys, secrets, tokens, digests, signatures), %d error strings, %d log lines, %d bytes of stdlib log: no leak",
		a.runs, len(a.secrets), a.errLines, a.logLines, len(extra))
}
