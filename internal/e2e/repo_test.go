package e2e

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// packages returns every package directory of the module with its
// non-test Go files.
func packages(t *testing.T) map[string][]string {
	t.Helper()
	root := repoRoot(t)
	out := map[string][]string{}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			out[rel] = append(out[rel], path)
		}
		return nil
	})
	return out
}

// TestPackageDocs: every package says what it owns.
func TestPackageDocs(t *testing.T) {
	for dir, files := range packages(t) {
		documented := false
		for _, f := range files {
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.PackageClauseOnly|parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			if af.Doc != nil && strings.TrimSpace(af.Doc.Text()) != "" {
				documented = true
			}
		}
		if !documented {
			t.Errorf("package %s has no package doc comment", dir)
		}
	}
}

// vaultImporters are the packages that may hold the keyring: the wiring
// that puts the barrier in front of the store, and the operator command
// that reseals. Domain and server packages see plaintext records only.
var vaultImporters = map[string]bool{"internal/app": true, "cmd/switchboard": true}

// TestImportRules: production code never imports testing (test helper
// packages, named *test, may), sdk imports nothing internal, store is a
// leaf, and only the wiring imports the vault.
func TestImportRules(t *testing.T) {
	for dir, files := range packages(t) {
		helper := strings.HasSuffix(dir, "test")
		for _, f := range files {
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if path == "testing" && !helper {
					t.Errorf("%s imports testing", f)
				}
				if (dir == "sdk" || strings.HasPrefix(dir, "sdk"+string(os.PathSeparator))) && strings.Contains(path, "/internal/") {
					t.Errorf("%s imports %s: sdk must not depend on internal packages", f, path)
				}
				if dir == filepath.Join("internal", "store") && strings.Contains(path, "switchboard/internal/") {
					t.Errorf("%s imports %s: store is a leaf", f, path)
				}
				if strings.HasSuffix(path, "switchboard/internal/vault") && !vaultImporters[filepath.ToSlash(dir)] {
					t.Errorf("%s imports %s: only the wiring holds the keyring; domain code gets plaintext from the store's barrier", f, path)
				}
			}
		}
	}
}

// TestModerncLibcPinned: modernc.org/sqlite is generated against one
// exact modernc.org/libc; another version (pulled up by some other
// dependency) can corrupt memory at run time, so go.mod must select
// exactly the version the driver asks for.
func TestModerncLibcPinned(t *testing.T) {
	graph, err := exec.Command("go", "mod", "graph").Output()
	if err != nil {
		t.Fatalf("go mod graph: %v", err)
	}
	want := ""
	for _, line := range strings.Split(string(graph), "\n") {
		from, to, ok := strings.Cut(line, " ")
		if ok && strings.HasPrefix(from, "modernc.org/sqlite@") && strings.HasPrefix(to, "modernc.org/libc@") {
			want = strings.TrimPrefix(to, "modernc.org/libc@")
		}
	}
	got, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", "modernc.org/libc").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if want == "" || strings.TrimSpace(string(got)) != want {
		t.Errorf("modernc.org/libc is %s, but modernc.org/sqlite requires %s: pin it in go.mod", strings.TrimSpace(string(got)), want)
	}
}

// TestLicense: the repository carries the licence its README names, in
// full.
func TestLicense(t *testing.T) {
	root := repoRoot(t)
	license, err := os.ReadFile(filepath.Join(root, "LICENSE"))
	if err != nil {
		t.Fatalf("read LICENSE: %v", err)
	}
	for _, want := range []string{"Apache License", "Version 2.0, January 2004", "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", "END OF TERMS AND CONDITIONS"} {
		if !strings.Contains(string(license), want) {
			t.Errorf("LICENSE lacks %q: not the Apache License 2.0 text", want)
		}
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "Apache License 2.0: see [LICENSE](LICENSE)") {
		t.Errorf("README.md does not name the licence and link LICENSE")
	}
}

// layers orders the production packages: each may import only packages of
// a lower layer. The servers (api, mcp, web, console) sit side by side and never
// import each other; no domain package imports a server, the store's
// backends or the vault; only app wires them together. The Composio wire
// types are package wire, which the servers and the Go SDK share; no
// server package imports the SDK (TestLayers).
var layers = [][]string{
	{"wire", "internal/store", "internal/ids", "internal/toolkits", "internal/toolkits/synth", "internal/loadgen", "internal/egress", "internal/config", "internal/oauthserver", "internal/retention"},
	{"internal/reqlog", "internal/problem", "internal/metrics", "internal/oauth", "internal/demo", "internal/vault", "internal/store/sqlq", "internal/store/cache", "internal/store/groupcommit", "internal/toolkits/openapi", "internal/remotemcp"},
	{"internal/store/sqlite", "internal/store/postgres", "internal/ratelimit", "internal/projects", "internal/catalog", "internal/authconfigs", "internal/execlog", "internal/audit", "internal/webhooks"},
	{"internal/accounts"},
	{"internal/sessions"},
	{"internal/signin"},
	{"internal/execute"},
	{"internal/metatools"},
	{"internal/api", "internal/mcp", "internal/web", "internal/console"},
	{"internal/app"},
	{"cmd/switchboard", "cmd/switchboard-bench"},
}

// TestLayers: no production import climbs up or sideways in layers.
func TestLayers(t *testing.T) {
	const module = "github.com/switchboard-dev/switchboard/"
	layerOf := map[string]int{}
	for i, l := range layers {
		for _, p := range l {
			layerOf[p] = i
		}
	}
	for dir, files := range packages(t) {
		dir = filepath.ToSlash(dir)
		from, ok := layerOf[dir]
		if !ok {
			continue
		}
		for _, f := range files {
			af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				to, ok := layerOf[strings.TrimPrefix(path, module)]
				if ok && strings.HasPrefix(path, module) && to >= from {
					t.Errorf("%s imports %s: layer %d may import only layers below it", f, path, from)
				}
				if path == module+"sdk" && strings.HasPrefix(dir, "internal/") {
					t.Errorf("%s imports the Go SDK: server packages use the wire types of package wire", f)
				}
			}
		}
	}
	for dir := range packages(t) {
		dir = filepath.ToSlash(dir)
		outside := strings.Contains(dir, "test") || dir == "sdk" || strings.HasPrefix(dir, "sdk/") ||
			strings.HasPrefix(dir, "examples/") || dir == "internal/e2e"
		if _, ok := layerOf[dir]; !ok && !outside {
			t.Errorf("package %s has no layer: add it to layers", dir)
		}
	}
}

// TestTestServersLoopbackOnly: every app and egress client a test builds
// is loopback-only (app.Options.EgressLoopbackOnly,
// egress.Clients/Options.LoopbackOnly), so that no test can send anything
// to a real vendor, whatever toolkit it connects. The egress package's
// own tests, which test the rules themselves, are exempt.
func TestTestServersLoopbackOnly(t *testing.T) {
	root := repoRoot(t)
	want := map[string]string{"app.Options": "EgressLoopbackOnly", "egress.Clients": "LoopbackOnly", "egress.Options": "LoopbackOnly"}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") || filepath.Base(filepath.Dir(path)) == "egress" {
			return nil
		}
		fset := token.NewFileSet()
		af, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(af, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			sel, ok := lit.Type.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			field, ok := want[pkg.Name+"."+sel.Sel.Name]
			if !ok {
				return true
			}
			for _, e := range lit.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					if k, ok := kv.Key.(*ast.Ident); ok && k.Name == field {
						if v, ok := kv.Value.(*ast.Ident); ok && v.Name == "true" {
							return true
						}
					}
				}
			}
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s:%d: %s.%s without %s: true; a test must never reach a real vendor", rel, fset.Position(lit.Pos()).Line, pkg.Name, sel.Sel.Name, field)
			return true
		})
		return nil
	})
}
