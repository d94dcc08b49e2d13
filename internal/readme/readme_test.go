// Package readme checks that every Go snippet in the README compiles against
// the SDK as it is, so that the README can never drift from the API.
package readme

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// knownImports maps the package names snippets may use to their paths.
var knownImports = map[string]string{
	"context": "context", "errors": "errors", "fmt": "fmt", "http": "net/http", "httptest": "net/http/httptest",
	"atomic": "sync/atomic", "json": "encoding/json", "log": "log", "os": "os", "slog": "log/slog", "strings": "strings", "time": "time",
	"waiqin365": "github.com/cluekit/cluekit/waiqin365", "wshoto": "github.com/cluekit/cluekit/wshoto",
	"weiling": "github.com/cluekit/cluekit/weiling", "jing": "github.com/cluekit/cluekit/jing",
	"v3clue":        "github.com/cluekit/cluekit/v3clue",
	"waiqin365test": "github.com/cluekit/cluekit/waiqin365/waiqin365test",
	"wshototest":    "github.com/cluekit/cluekit/wshoto/wshototest",
	"weilingtest":   "github.com/cluekit/cluekit/weiling/weilingtest",
	"jingtest":      "github.com/cluekit/cluekit/jing/jingtest",
	"v3cluetest":    "github.com/cluekit/cluekit/v3clue/v3cluetest",
}

var (
	// fence finds a Go block and the optional marker before it naming the
	// nested module it belongs to: <!-- module: examples/redisstore -->.
	fence    = regexp.MustCompile("(?s)(?:<!-- module: ([a-z/]+) -->\n)?```go\n(.*?)```")
	imports  = regexp.MustCompile(`(?s)^import \((.*?)\)\n`)
	pkgUse   = regexp.MustCompile(`\b([a-z][a-z0-9]*)\.[A-Za-z_]`)
	topLevel = regexp.MustCompile(`^\s*(func|type|const) `)
)

// snippetFile turns one README block into a Go file of package snippets:
// a block that opens with a declaration (func, type, const) stays as it is;
// statements become the body of a function. A block may open with its own import (...) block; otherwise the
// packages it names are imported. ctx is declared at package level.
func snippetFile(i int, block string) string {
	var b strings.Builder
	b.WriteString("package snippets\n\n")
	if m := imports.FindStringSubmatch(block); m != nil {
		b.WriteString(m[0])
		block = strings.TrimPrefix(block, m[0])
		return finish(&b, i, block)
	}
	var imports []string
	seen := map[string]bool{}
	for _, m := range pkgUse.FindAllStringSubmatch(block, -1) {
		if p, ok := knownImports[m[1]]; ok && !seen[p] {
			seen[p] = true
			imports = append(imports, p)
		}
	}
	sort.Strings(imports)
	for _, p := range imports {
		fmt.Fprintf(&b, "import %q\n", p)
	}
	return finish(&b, i, block)
}

func finish(b *strings.Builder, i int, block string) string {
	fmt.Fprintf(b, "\n// Snippet %d of README.md.\n", i)
	if topLevel.MatchString(block) {
		b.WriteString(block)
	} else {
		fmt.Fprintf(b, "func snippet%d() {\n%s}\n", i, block)
	}
	return b.String()
}

func TestREADMESnippetsCompile(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the README's snippets with the go command")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := fence.FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("no Go snippets found in README.md")
	}
	// Blocks are built per module (the root, or the nested module named by
	// their marker), inside it (so that they import it as users do), in a
	// folder the ./... pattern ignores.
	byModule := map[string]map[int]string{}
	for i, m := range blocks {
		mod := m[1]
		if mod == "" {
			mod = "."
		}
		if byModule[mod] == nil {
			byModule[mod] = map[int]string{}
		}
		byModule[mod][i] = m[2]
	}
	for mod, snippets := range byModule {
		root := filepath.Join("..", "..", mod)
		dir, err := os.MkdirTemp(root, "_snippets")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.RemoveAll(dir) })
		prelude := "package snippets\n\nimport \"context\"\n\n// ctx is what every snippet's calls use.\nvar ctx = context.Background()\n"
		if err := os.WriteFile(filepath.Join(dir, "prelude.go"), []byte(prelude), 0o644); err != nil {
			t.Fatal(err)
		}
		for i, block := range snippets {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("snippet%02d.go", i)), []byte(snippetFile(i, block)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command("go", "vet", "./"+filepath.Base(dir))
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("README snippets of module %s do not compile (snippet N is the Nth ```go block, from 0):\n%s", mod, out)
		}
	}
	t.Logf("%d README snippets compile", len(blocks))
}
