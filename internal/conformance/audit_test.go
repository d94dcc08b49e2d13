package conformance

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cluekit/cluekit/internal/testkit"
)

// recordTB is a testing.TB that records failures instead of failing.
type recordTB struct {
	testing.TB
	failed bool
	msgs   []string
}

func (r *recordTB) Helper() {}

func (r *recordTB) Errorf(format string, args ...any) {
	r.failed = true
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

// TestSecretsAuditSelfCheck proves the audit is not vacuous: for every
// vendor, a read and a create yield the secrets it must look for (static
// credentials; for token vendors the live tokens, seen on the wire too;
// for signing vendors one recomputed digest or signature per request),
// and a planted copy of each, bare or inside a URL, is reported.
func TestSecretsAuditSelfCheck(t *testing.T) {
	t.Parallel()
	for _, a := range adapters {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			e := a.start(t)
			r := newRig()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := e.newClient(e.url, clientVariant{}, r.options()...)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.read(ctx); err != nil {
				t.Fatal(err)
			}
			if a.createOp != "" {
				if err := c.create(ctx, "A-"+a.name); err != nil {
					t.Fatal(err)
				}
			}
			set := collectSecrets(t, e, c, r)
			if len(set.static) == 0 {
				t.Error("no static secret")
			}
			if a.tokenOps != nil {
				if len(set.tokens) == 0 {
					t.Error("no live token read from the fake or the client")
				}
				for _, tok := range set.tokens {
					if !slices.Contains(set.wire, tok) {
						t.Errorf("token %.4s... was not seen on the wire", tok)
					}
				}
			}
			if a.name == "waiqin365" || a.name == "v3clue" {
				if n := r.wire.len(); len(set.signed) < n {
					t.Errorf("%d digests/signatures for %d requests", len(set.signed), n)
				}
			}
			for _, group := range [][]string{set.static, set.tokens, set.wire, set.signed} {
				if len(group) == 0 {
					continue
				}
				s := group[0]
				texts := []string{
					"waiqin365: addSalesLeads: " + s,
					`{"level":"DEBUG","url":"http://127.0.0.1/api/salesleads/v1/op/1/20260101/` + s + `/m"}`,
					"token=" + s + "&x=1",
				}
				if got := findLeaks(texts, set.all()); len(got) < len(texts) {
					t.Errorf("planted secret %.4s... found in %d of %d texts", s, len(got), len(texts))
				}
				rec := &recordTB{TB: t}
				for _, l := range findLeaks(texts, []string{s}) {
					testkit.NoSecrets(rec, l.text, s)
				}
				if !rec.failed {
					t.Errorf("testkit.NoSecrets did not flag planted secret %.4s...", s)
				}
			}
		})
	}
}
