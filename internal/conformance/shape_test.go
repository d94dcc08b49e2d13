package conformance

import (
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// One shape: every vendor package offers the shared options, types and
// sentinels with the same signatures and the same godoc, so that a user or
// maintainer who knows one package knows all five. Checked on the source, so
// that `go doc` shows the same thing everywhere.

var vendors = []string{"waiqin365", "wshoto", "weiling", "jing", "v3clue"}

var (
	sharedFuncs = []string{"WithBaseURL", "WithHTTPClient", "WithTimeout", "WithMaxAttempts", "WithRetryQuota",
		"WithBackoff", "WithClock", "WithRateLimit", "WithLimiter", "WithMaxResponseBytes", "WithLogger",
		"WithObserver", "WithUserAgent", "New"}
	sharedTypes = []string{"Option", "Observer", "CallInfo", "AttemptInfo", "TokenInfo", "CallbackInfo", "Limiter",
		"APIError", "CallError", "BatchError", "ItemError", "Client"}
	sharedVars = []string{"ErrInvalidToken", "ErrRateLimited", "ErrDuplicate", "ErrNotFound", "ErrInvalidParam",
		"ErrPermission", "ErrSignature", "ErrAmbiguous", "ErrBadResponse"}
	tokenVendors    = []string{"wshoto", "weiling", "jing"}
	tokenFuncs      = []string{"WithTokenStore", "NewMemoryTokenStore"}
	tokenTypes      = []string{"TokenStore", "Locker", "Token"}
	callbackVendors = []string{"waiqin365", "weiling", "jing"}
	callbackFuncs   = []string{"WithMaxBodyBytes", "WithDeduper"}
	callbackTypes   = []string{"Deduper", "ClaimState", "Handler"}
)

// decl is one exported declaration: its signature and its doc comment.
type decl struct{ sig, doc string }

func packageDecls(t *testing.T, vendor string) map[string]decl {
	t.Helper()
	dir := filepath.Join("..", "..", vendor)
	fset := token.NewFileSet()
	out := map[string]decl{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil || !d.Name.IsExported() {
					continue
				}
				var sb strings.Builder
				_ = printer.Fprint(&sb, fset, d.Type)
				out[d.Name.Name] = decl{sig: sb.String(), doc: normalise(d.Doc.Text(), vendor)}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						doc := d.Doc.Text()
						if s.Doc != nil {
							doc = s.Doc.Text()
						}
						var sb strings.Builder
						_ = printer.Fprint(&sb, fset, s.Type)
						out[s.Name.Name] = decl{sig: sb.String(), doc: normalise(doc, vendor)}
					case *ast.ValueSpec:
						for i, n := range s.Names {
							sig := ""
							if i < len(s.Values) {
								var sb strings.Builder
								_ = printer.Fprint(&sb, fset, s.Values[i])
								sig = sb.String()
							}
							out[n.Name] = decl{sig: sig, doc: normalise(s.Doc.Text()+s.Comment.Text(), vendor)}
						}
					}
				}
			}
		}
	}
	return out
}

func normalise(doc, vendor string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(doc, vendor, "VENDOR")), " ")
}

func TestEveryPackageHasTheSameShape(t *testing.T) {
	t.Parallel()
	all := map[string]map[string]decl{}
	for _, v := range vendors {
		all[v] = packageDecls(t, v)
	}
	check := func(names []string, in []string, sameSig, sameDoc bool) {
		t.Helper()
		for _, name := range names {
			var ref decl
			var refVendor string
			for _, v := range in {
				d, ok := all[v][name]
				if !ok {
					t.Errorf("%s lacks %s", v, name)
					continue
				}
				if d.doc == "" {
					t.Errorf("%s.%s has no doc comment", v, name)
				}
				if refVendor == "" {
					ref, refVendor = d, v
					continue
				}
				if sameSig && d.sig != ref.sig {
					t.Errorf("%s.%s is %q but %s.%s is %q", v, name, d.sig, refVendor, name, ref.sig)
				}
				if sameDoc && d.doc != ref.doc {
					t.Errorf("%s.%s's godoc differs from %s's:\n  %s\n  %s", v, name, refVendor, d.doc, ref.doc)
				}
			}
		}
	}
	options := slices.DeleteFunc(slices.Clone(sharedFuncs), func(s string) bool { return s == "New" })
	check(options, vendors, true, true)
	check([]string{"New"}, vendors, false, false)
	check(sharedTypes, vendors, false, false)
	check([]string{"Option", "Observer", "CallInfo", "AttemptInfo", "TokenInfo", "CallbackInfo", "Limiter"}, vendors, true, true)
	check(sharedVars, vendors, true, false)
	check(tokenFuncs, tokenVendors, true, true)
	check(tokenTypes, tokenVendors, true, true)
	check(callbackFuncs, callbackVendors, true, true)
	check(callbackTypes, callbackVendors, false, false)
	for _, v := range vendors {
		if _, ok := all[v]["Call"]; ok {
			t.Errorf("%s has Call: the generic call is Do in every package", v)
		}
	}
}
