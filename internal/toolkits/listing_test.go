package toolkits

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the generated files under testdata and docs from the built-in definitions")

// TestListing_InStep fails when docs/toolkits.md is not what the built-in
// definitions generate; `go test ./internal/toolkits -run Listing -update`
// (or `switchboard toolkits docs`) rewrites it.
func TestListing_InStep(t *testing.T) {
	got := builtin(t).Listing()
	path := filepath.Join("..", "..", filepath.FromSlash(ListingPath))
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v (run go test ./internal/toolkits -run Listing -update)", ListingPath, err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is not what the definitions generate: run `go run ./cmd/switchboard toolkits docs` (or this test with -update) and commit the result", ListingPath)
	}
}

// TestListing_Contents checks that the listing names every toolkit with its
// schemes, identity and count, and every tool with its call and scopes.
func TestListing_Contents(t *testing.T) {
	c := builtin(t)
	page := string(c.Listing())
	for _, tk := range c.List() {
		if !strings.Contains(page, "\n## "+tk.Slug+"\n") {
			t.Errorf("no section for %s", tk.Slug)
		}
		for _, s := range tk.AuthSchemes {
			if !strings.Contains(page, "- auth: `"+string(s.Mode)+"`") {
				t.Errorf("%s: scheme %s not listed", tk.Slug, s.Mode)
			}
		}
		if tk.Identity != nil && !strings.Contains(page, tk.Identity.Display) {
			t.Errorf("%s: identity %s not listed", tk.Slug, tk.Identity.Display)
		}
	}
	for _, tool := range c.Tools() {
		line := "| `" + tool.Slug + "` | `" + tool.Method() + " " + tool.PathTemplate() + "` | "
		if !strings.Contains(page, line) {
			t.Errorf("no line %q", line)
		}
		for _, sc := range tool.Scopes {
			if !strings.Contains(page, "`"+sc+"`") {
				t.Errorf("%s: scope %s not listed", tool.Slug, sc)
			}
		}
	}
	gh, _ := c.Get("github")
	if want := "| [GitHub](#github) (`github`) | OAUTH2, BEARER_TOKEN | `GET https://api.github.com/user` → `login` | "; !strings.Contains(page, want) || gh.ToolsCount == 0 {
		t.Errorf("github's row is not %q…", want)
	}
}

// toolCallsGolden pins every built-in tool's upstream call, one
// "SLUG METHOD /path/{placeholder}" line per tool, so that any change to a
// tool's call shows as a diff in review; -update rewrites it.
const toolCallsGolden = "testdata/tool_calls.txt"

func TestBuiltin_ToolCalls(t *testing.T) {
	var b strings.Builder
	for _, tool := range builtin(t).Tools() {
		b.WriteString(tool.Slug + " " + tool.Method() + " " + tool.PathTemplate() + "\n")
	}
	got := b.String()
	if *update {
		if err := os.WriteFile(toolCallsGolden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(toolCallsGolden)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/toolkits -run ToolCalls -update)", err)
	}
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got, "\n")); diff != "" {
		t.Errorf("tool upstream calls differ from %s (-want +got); if the change is meant, rerun with -update:\n%s", toolCallsGolden, diff)
	}
}
