package toolkits

import (
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.yaml.in/yaml/v3"
)

// jsonToYAML re-encodes a JSON document as block YAML with the same keys
// in the same order.
func jsonToYAML(t *testing.T, js []byte) []byte {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal(js, &n); err != nil { // JSON is YAML
		t.Fatal(err)
	}
	var unflow func(*yaml.Node)
	unflow = func(n *yaml.Node) {
		n.Style &^= yaml.FlowStyle
		for _, c := range n.Content {
			unflow(c)
		}
	}
	unflow(&n)
	out, err := yaml.Marshal(&n)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameJSON compares json.RawMessages by value, so that a YAML file's
// schemas equal the JSON file's whatever the spacing.
var sameJSON = cmp.Comparer(func(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && cmp.Equal(x, y)
})

func TestParse_YAMLEqualsJSON(t *testing.T) {
	ds, err := BuiltinDefinitions()
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) < 6 {
		t.Fatalf("got %d built-in definitions, want at least the first 6", len(ds))
	}
	for _, d := range ds {
		t.Run(d.Slug, func(t *testing.T) {
			js, err := fs.ReadFile(defs, d.File)
			if err != nil {
				t.Fatal(err)
			}
			for _, ext := range []string{".yaml", ".yml"} {
				y, err := Parse(d.Slug+ext, jsonToYAML(t, js))
				if err != nil {
					t.Fatalf("Parse(%s%s): %v", d.Slug, ext, err)
				}
				if diff := cmp.Diff(d, y, sameJSON, cmpopts.IgnoreUnexported(Definition{}), cmpopts.IgnoreFields(Definition{}, "File")); diff != "" {
					t.Errorf("the YAML definition differs from the JSON one (-json +yaml):\n%s", diff)
				}
			}
		})
	}
}

// TestParse_ToolsOrder checks that YAML keeps the order of a schema's
// properties, which agents see.
func TestParse_ToolsOrder(t *testing.T) {
	js, err := fs.ReadFile(defs, "defs/github.json")
	if err != nil {
		t.Fatal(err)
	}
	j, err := Parse("github.json", js)
	if err != nil {
		t.Fatal(err)
	}
	y, err := Parse("github.yaml", jsonToYAML(t, js))
	if err != nil {
		t.Fatal(err)
	}
	for i := range j.Tools {
		if got, want := string(compact(y.Tools[i].Input)), string(compact(j.Tools[i].Input)); got != want {
			t.Errorf("%s input: YAML gives\n\t%s\nJSON\n\t%s", j.Tools[i].Slug, got, want)
		}
	}
}

// tinyYAML is a small valid toolkit file; its line numbers matter below.
const tinyYAML = `slug: tiny
name: Tiny
description: A small API.
logo: https://example.com/tiny.png
categories:
  - slug: test
    name: Test
base_url: https://api.tiny.example
auth_schemes:
  - mode: API_KEY
    fields:
      - name: api_key
        display_name: API key
        description: The key.
        type: string
        required: true
        secret: true
    apply:
      header: X-Key
      field: api_key
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
        id:
          type: string
          description: The item's id.
      required: [id]
    output:
      type: object
    request:
      method: GET
      path: /items/{id}
`

func TestParse_Problems(t *testing.T) {
	tests := []struct {
		name     string
		file     string // defaults to tiny.yaml
		old, new string // replaced once in tinyYAML
		want     []Problem
	}{
		{name: "unknown field", old: "    name: Test\n", new: "    name: Test\n    colour: red\n",
			want: []Problem{{Line: 8, Pointer: "/categories/0/colour", Field: "categories[0].colour", Message: `unknown field "colour"`}}},
		{name: "wrong type", old: "required: true\n        secret", new: "required: yes\n        secret",
			want: []Problem{{Line: 16, Pointer: "/auth_schemes/0/fields/0/required", Field: "auth_schemes[0].fields[0].required", Message: "must be true or false, got a string"}}},
		{name: "bad request path", old: "path: /items/{id}", new: "path: /items/{id}?all",
			want: []Problem{{Line: 39, Pointer: "/tools/0/request/path", Field: "tools[0] (TINY_GET_ITEM).request.path", Message: `has characters that must be escaped or that start a query or fragment: "?all"`}}},
		{name: "missing output", old: "    output:\n      type: object\n", new: "",
			want: []Problem{{Line: 24, Pointer: "/tools/0/output", Field: "tools[0] (TINY_GET_ITEM).output", Message: "is required"}}},
		{name: "duplicate key", old: "name: Tiny\n", new: "name: Tiny\nname: Tinier\n",
			want: []Problem{{Line: 3, Pointer: "/name", Field: "name", Message: "is given twice"}}},
		{name: "syntax error", old: "name: Tiny\n", new: "name: Tiny: small\n",
			want: []Problem{{Line: 3, Message: "mapping values are not allowed in this context"}}},
		{name: "number version", old: `version: "20260101_00"`, new: `version: 20260101`,
			want: []Problem{{Line: 21, Pointer: "/version", Field: "version", Message: "must be a string, got a number"}}},
		{name: "file name", file: "small.yml",
			want: []Problem{{Line: 1, Pointer: "/slug", Field: "slug", Message: `is "tiny", so the file name must be tiny.yml`}}},
		{name: "two documents", old: "errors: http\n", new: "errors: http\n---\nslug: x\n",
			want: []Problem{{Line: 23, Message: "has more than one YAML document: want exactly one"}}},
		{name: "merge key", old: "    apply:\n", new: "    <<: {x: 1}\n    apply:\n",
			want: []Problem{{Line: 18, Pointer: "/auth_schemes/0", Field: "auth_schemes[0]", Message: "uses a merge key (<<), which the format does not support: write the keys out"}}},
		{name: "other extension", file: "tiny.toml",
			want: []Problem{{Message: "the file name must end in .json, .yaml or .yml"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tinyYAML
			if tt.old != "" {
				if !strings.Contains(src, tt.old) {
					t.Fatalf("test case edits %q, which the file lacks", tt.old)
				}
				src = strings.Replace(src, tt.old, tt.new, 1)
			}
			file := tt.file
			if file == "" {
				file = "tiny.yaml"
			}
			_, err := Parse(file, []byte(src))
			var got Problems
			if !errors.As(err, &got) {
				t.Fatalf("Parse: err = %v, want Problems", err)
			}
			for i := range tt.want {
				tt.want[i].File = file
			}
			if tt.name == "syntax error" && len(got) == 1 && got[0].Line == tt.want[0].Line-1 {
				// yaml.v3 counts the line of some syntax errors from the
				// context mark, 0-based, so it may name the line before.
				got[0].Line++
			}
			if diff := cmp.Diff(Problems(tt.want), got); diff != "" {
				t.Errorf("problems mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := Parse("tiny.yaml", []byte(tinyYAML)); err != nil {
		t.Errorf("Parse(tinyYAML): %v", err)
	}
}

func TestParse_JSONLines(t *testing.T) {
	js := strings.Join([]string{
		`{`,
		`  "slug": "tiny", "name": "Tiny",`,
		`  "slug": "tiny",`,
		`  "tools": [`,
		`    {"slug": "TINY_X"},`,
		`    {"slug": "TINY_Y", "flavour": 1}`,
		`  ]`,
		`}`,
	}, "\n")
	_, err := Parse("tiny.json", []byte(js))
	want := Problems{{File: "tiny.json", Line: 3, Pointer: "/slug", Field: "slug", Message: "is given twice"}}
	if diff := cmp.Diff(want, err); diff != "" {
		t.Errorf("duplicate key (-want +got):\n%s", diff)
	}
	js = strings.Replace(js, `  "slug": "tiny",`+"\n", "", 1)
	_, err = Parse("tiny.json", []byte(js))
	want = Problems{{File: "tiny.json", Line: 5, Pointer: "/tools/1/flavour", Field: "tools[1].flavour", Message: `unknown field "flavour"`}}
	if diff := cmp.Diff(want, err); diff != "" {
		t.Errorf("unknown field (-want +got):\n%s", diff)
	}
	for _, tt := range []struct{ src, want string }{
		{"", "tiny.json:1: is empty: want one JSON object"},
		{"{}\n{}", "tiny.json:2: has more than one JSON value"},
		{"{\n\"slug\": \"tiny\",\n", "tiny.json:3: the JSON ends too early"},
		{"[1]", "must be an object, got an array"},
	} {
		if _, err := Parse("tiny.json", []byte(tt.src)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q): err = %v, want %q", tt.src, err, tt.want)
		}
	}
}

func TestProblem_String(t *testing.T) {
	p := Problem{File: "dir/x.yaml", Line: 7, Pointer: "/tools/0/request/path", Field: "tools[0] (X_Y).request.path", Message: "must start with /"}
	if got, want := p.String(), "dir/x.yaml:7: tools[0] (X_Y).request.path: must start with / (at /tools/0/request/path)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestDefinition_PointerKeepsDottedKeys(t *testing.T) {
	d := Definition{lines: map[string]int{"": 1, "/tools": 2, "/tools/0": 3, "/tools/0/request": 4, "/tools/0/request/query": 5, "/tools/0/request/query/page.size": 6}}
	for field, want := range map[string]string{
		"tools[0] (X_Y).request.query.page.size": "/tools/0/request/query/page.size",
		"tools[0] (X_Y).request.query.other":     "/tools/0/request/query/other",
		"auth_schemes[1].oauth2.token_url":       "/auth_schemes/1/oauth2/token_url",
	} {
		if got := d.pointer(field); got != want {
			t.Errorf("pointer(%q) = %q, want %q", field, got, want)
		}
	}
	if got := lineOf(d.lines, "/tools/0/request/query/other"); got != 5 {
		t.Errorf("lineOf a missing key = %d, want 5, its object's", got)
	}
}

func TestCatalog_With(t *testing.T) {
	base := builtin(t)
	tiny, err := Parse("dir/tiny.yaml", []byte(tinyYAML))
	if err != nil {
		t.Fatal(err)
	}
	c, ps := base.With(tiny)
	if len(ps) > 0 {
		t.Fatalf("With(tiny): %v", ps)
	}
	if _, ok := c.Get("tiny"); !ok {
		t.Errorf("With(tiny) has no toolkit tiny")
	}
	if tk, _ := c.Get("tiny"); tk.ToolsCount != 1 {
		t.Errorf("tiny ToolsCount = %d, want 1", tk.ToolsCount)
	}
	if _, ok := base.Get("tiny"); ok {
		t.Errorf("With changed the catalog it was called on")
	}
	if f, _ := c.File("tiny"); f != "dir/tiny.yaml" {
		t.Errorf("File(tiny) = %q", f)
	}
	if len(c.Tools()) != len(base.Tools())+1 || len(c.SearchTools("item", nil, 0)) == 0 {
		t.Errorf("With(tiny): %d tools (base %d), search finds %d", len(c.Tools()), len(base.Tools()), len(c.SearchTools("item", nil, 0)))
	}

	// A built-in's slug in another file is refused, never shadows it.
	gh, err := fs.ReadFile(defs, "defs/github.json")
	if err != nil {
		t.Fatal(err)
	}
	other, err := Parse("dir/github.json", gh)
	if err != nil {
		t.Fatal(err)
	}
	c, ps = base.With(other, tiny)
	if len(ps) == 0 || !strings.Contains(ps.Error(), `dir/github.json:2: slug: "github" is already the slug of the toolkit in defs/github.json`) {
		t.Errorf("With(github again): problems %v", ps)
	}
	if f, _ := c.File("github"); f != "defs/github.json" {
		t.Errorf("the github toolkit comes from %q, want the built-in", f)
	}
	if _, ok := c.Get("tiny"); !ok {
		t.Errorf("a clash in one file dropped another file's toolkit")
	}

	// Two new files with one slug are both refused.
	tinyJSON := tiny
	tinyJSON.File = "dir/tiny.json"
	c, ps = base.With(tiny, tinyJSON)
	if len(ps) != 2 || !strings.Contains(ps.Error(), `dir/tiny.yaml:1: slug: "tiny" is also the slug of the toolkit in dir/tiny.json`) {
		t.Errorf("With(tiny twice): problems %v", ps)
	}
	if _, ok := c.Get("tiny"); ok {
		t.Errorf("a slug defined twice is served")
	}

	// A tool slug taken by another toolkit is refused.
	clash := strings.Replace(strings.Replace(tinyYAML, "slug: tiny", "slug: tiny_get", 1), "TINY_GET_ITEM", "TINY_GET_ITEM_X", 1)
	a, err := Parse("tiny_get.yaml", []byte(clash))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse("tiny.yaml", []byte(strings.Replace(tinyYAML, "TINY_GET_ITEM", "TINY_GET_ITEM_X", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(a, b); err == nil || !strings.Contains(err.Error(), "tiny.yaml:24: tools[0] (TINY_GET_ITEM_X).slug: TINY_GET_ITEM_X is also a tool in tiny_get.yaml") {
		t.Errorf("New(tool slug twice): %v", err)
	}
}
