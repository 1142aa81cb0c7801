package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

const tinyToolkit = `slug: tiny
name: Tiny
description: A small API.
logo: https://example.com/tiny.png
categories: [{slug: test, name: Test}]
base_url: https://api.tiny.example
auth_schemes:
  - mode: API_KEY
    fields:
      - {name: api_key, display_name: API key, description: The key., type: string, required: true, secret: true}
    apply: {header: X-Key, field: api_key}
version: "20260101_00"
errors: http
tools:
  - slug: TINY_GET_ITEM
    name: Get item
    description: Gets one item by its id.
    tags: [readOnlyHint]
    input:
      type: object
      properties:
        id: {type: string, description: The item's id.}
      required: [id]
    output: {type: object}
    request: {method: GET, path: "/items/{id}"}
`

func TestToolkitsValidate(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	validate := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"toolkits", "validate"}, args...), &out, &errOut, func(string) string { return "" })
		return out.String(), err
	}

	good := write("tiny.yaml", tinyToolkit)
	out, err := validate(good)
	if err != nil || out != "ok: 1 file(s), 1 toolkit(s), 1 tool(s)\n" {
		t.Errorf("validate(good): %q, %v", out, err)
	}

	broken := write("small.yml", strings.NewReplacer("slug: tiny", "slug: small", "TINY_", "SMALL_", `path: "/items/{id}"`, `path: "items/{id}"`, "    name: Get item\n", "    name: Get item\n    nmae: x\n").Replace(tinyToolkit))
	clash := write("github.json", `{"slug": "github", "name": "GitHub", "description": "x", "logo": "https://x.example/l.png", "categories": [{"slug": "x", "name": "X"}], "base_url": "https://api.x.example",
  "auth_schemes": [{"mode": "API_KEY", "fields": [{"name": "api_key", "display_name": "Key", "description": "The key.", "type": "string", "required": true, "secret": true}], "apply": {"header": "X-Key", "field": "api_key"}}]}`)
	out, err = validate(good, broken, clash)
	if err == nil || !strings.Contains(err.Error(), "2 problem(s) in 2 of 3 file(s)") {
		t.Errorf("validate(broken): err = %v", err)
	}
	for _, want := range []string{
		broken + `:17: tools[0].nmae: unknown field "nmae" (at /tools/0/nmae)`,
		clash + `:1: slug: "github" is already the slug of the toolkit in defs/github.json (at /slug)`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("output lacks\n\t%s\ngot\n%s", want, out)
		}
	}

	// A directory stands for its toolkit files; the fixed file passes.
	write("small.yml", strings.NewReplacer("slug: tiny", "slug: small", "TINY_", "SMALL_").Replace(tinyToolkit))
	os.Remove(clash)
	write("notes.txt", "not a toolkit")
	if out, err := validate(dir); err != nil || out != "ok: 2 file(s), 2 toolkit(s), 2 tool(s)\n" {
		t.Errorf("validate(dir): %q, %v", out, err)
	}
	if _, err := validate(); err == nil {
		t.Errorf("validate with no files succeeded")
	}
}

func TestToolkitsDocs(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"toolkits", "docs"}, &stdout, &stderr, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	c, err := toolkits.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := stdout.String(), string(c.Listing()); got != want {
		t.Errorf("toolkits docs printed %d bytes, want the %d of the listing", len(got), len(want))
	}
	out := filepath.Join(t.TempDir(), "toolkits.md")
	stdout.Reset()
	if err := run(context.Background(), []string{"toolkits", "docs", "-o", out}, &stdout, &stderr, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != string(c.Listing()) {
		t.Errorf("toolkits docs -o wrote %d bytes (%v), want the listing", len(b), err)
	}
	if err := run(context.Background(), []string{"toolkits", "docs", "extra"}, &stdout, &stderr, func(string) string { return "" }); err == nil {
		t.Error("toolkits docs with an argument: got no error")
	}
}
