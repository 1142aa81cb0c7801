package toolkits

import (
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func mustTool(t *testing.T, c *Catalog, slug string) Tool {
	t.Helper()
	tool, ok := c.Tool(slug)
	if !ok {
		t.Fatalf("Tool(%q) not found", slug)
	}
	return tool
}

func TestBuiltin_Tools(t *testing.T) {
	c := builtin(t)
	tools := c.Tools()
	if len(tools) < 40 {
		t.Errorf("got %d tools, want at least 40", len(tools))
	}
	if !slices.IsSortedFunc(tools, func(a, b Tool) int { return strings.Compare(a.Slug, b.Slug) }) {
		t.Errorf("Tools() is not sorted by slug")
	}
	for _, tk := range c.List() {
		n := len(c.Tools(tk.Slug))
		if n < 4 {
			t.Errorf("toolkit %s has %d tools, want at least 4", tk.Slug, n)
		}
		if tk.ToolsCount != n {
			t.Errorf("toolkit %s: ToolsCount = %d, want %d", tk.Slug, tk.ToolsCount, n)
		}
		if got, _ := c.Get(tk.Slug); got.ToolsCount != n {
			t.Errorf("Get(%s).ToolsCount = %d, want %d", tk.Slug, got.ToolsCount, n)
		}
	}
	for _, tool := range tools {
		t.Run(tool.Slug, func(t *testing.T) {
			if tool.Name == "" || len(tool.Description) < 30 || tool.Version == "" {
				t.Errorf("name %q, description %q, version %q: want all set, the description a sentence", tool.Name, tool.Description, tool.Version)
			}
			if _, ok := c.Get(tool.Toolkit); !ok {
				t.Errorf("toolkit %q does not exist", tool.Toolkit)
			}
			if len(tool.Tags) == 0 {
				t.Errorf("no tags")
			}
			for _, tag := range tool.Tags {
				if !slices.Contains(allowedTags, tag) {
					t.Errorf("tag %q is not allowed", tag)
				}
			}
			checkWireSchema(t, "input", tool.InputSchema)
			checkWireSchema(t, "output", tool.OutputSchema)
		})
	}
}

// checkWireSchema checks what the official SDKs require of a tool's
// input_parameters and output_parameters (composio-v3.1-subset.md §9): a
// JSON Schema whose type is object and whose nested types are all valid
// JSON Schema types. It reads the raw JSON, independently of the package's
// own schema parser.
func checkWireSchema(t *testing.T, what string, raw json.RawMessage) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s schema is not a JSON object: %v", what, err)
	}
	if doc["type"] != "object" {
		t.Errorf("%s schema type = %v, want object", what, doc["type"])
	}
	valid := []string{"string", "integer", "number", "boolean", "array", "object", "null"}
	var walk func(at string, node map[string]any)
	walk = func(at string, node map[string]any) {
		typ, ok := node["type"].(string)
		if !ok || !slices.Contains(valid, typ) {
			t.Errorf("%s: type = %v, want one of %v", at, node["type"], valid)
		}
		if props, ok := node["properties"].(map[string]any); ok {
			for name, p := range props {
				sub, ok := p.(map[string]any)
				if !ok {
					t.Errorf("%s.properties.%s is not a schema", at, name)
					continue
				}
				walk(at+".properties."+name, sub)
			}
		}
		if items, ok := node["items"].(map[string]any); ok {
			walk(at+".items", items)
		}
		if req, ok := node["required"]; ok {
			if _, ok := req.([]any); !ok {
				t.Errorf("%s.required is not an array", at)
			}
		}
	}
	walk(what, doc)
}

func TestCatalog_Tool(t *testing.T) {
	c := builtin(t)
	for _, slug := range []string{"GMAIL_SEND_EMAIL", "gmail_send_email", "Gmail_Send_Email"} {
		if got, ok := c.Tool(slug); !ok || got.Slug != "GMAIL_SEND_EMAIL" || got.Toolkit != "gmail" {
			t.Errorf("Tool(%q) = %q, %v; want GMAIL_SEND_EMAIL of gmail", slug, got.Slug, ok)
		}
	}
	if _, ok := c.Tool("GMAIL_NOPE"); ok {
		t.Errorf("Tool(GMAIL_NOPE) found a tool")
	}
	// Callers share the catalog's tools read-only; appending to a slice
	// copies it.
	tool := mustTool(t, c, "GMAIL_SEND_EMAIL")
	if cap(tool.Tags) != len(tool.Tags) || cap(tool.InputSchema) != len(tool.InputSchema) {
		t.Errorf("a tool's slices are not clipped: an append would write into the catalog")
	}
}

func TestCatalog_Tools(t *testing.T) {
	c := builtin(t)
	all := c.Tools()
	gmail := c.Tools("GMAIL")
	both := c.Tools("slack", "gmail")
	if len(gmail) == 0 || len(both) <= len(gmail) || len(all) <= len(both) {
		t.Fatalf("got %d, %d, %d tools for gmail, slack+gmail, all; want growing counts", len(gmail), len(both), len(all))
	}
	for _, tool := range both {
		if tool.Toolkit != "gmail" && tool.Toolkit != "slack" {
			t.Errorf("Tools(slack, gmail) returned %s of %s", tool.Slug, tool.Toolkit)
		}
	}
	if got := c.Tools("nope"); len(got) != 0 {
		t.Errorf("Tools(nope) = %d tools, want none", len(got))
	}
}

// validTools is a valid tools file for github that the broken cases below
// edit.
const validTools = `{
  "version": "20260601_00",
  "errors": "http",
  "tools": [
    {
      "slug": "GITHUB_GET_AN_ISSUE",
      "name": "Get an issue",
      "description": "Gets an issue.",
      "tags": ["readOnlyHint"],
      "input": {"type": "object", "properties": {
        "owner": {"type": "string", "description": "The owner."},
        "repo": {"type": "string", "description": "The repository."},
        "issue_number": {"type": "integer", "description": "The number."},
        "labels": {"type": "array", "description": "Labels.", "items": {"type": "string"}}
      }, "required": ["owner", "repo", "issue_number"]},
      "output": {"type": "object"},
      "request": {"method": "GET", "path": "/repos/{owner}/{repo}/issues/{issue_number}", "query": {"labels": "$labels"}, "arrays": "comma"}
    }
  ]
}`

// validLinearTools is a valid GraphQL tools file that the broken cases edit.
const validLinearTools = `{
  "version": "20260601_00",
  "errors": "graphql",
  "tools": [
    {
      "slug": "LINEAR_GET_LINEAR_ISSUE",
      "name": "Get issue",
      "description": "Gets an issue.",
      "tags": ["readOnlyHint"],
      "input": {"type": "object", "properties": {"issue_id": {"type": "string", "description": "The id."}}, "required": ["issue_id"]},
      "output": {"type": "object"},
      "request": {"method": "POST", "path": "/graphql", "graphql": "query Issue($id: String!) { issue(id: $id) { id } }", "variables": {"id": "$issue_id"}}
    }
  ]
}`

// withTools returns a file system holding one toolkit file: the built-in
// toolkit slug's definition with its version, errors and tools replaced by
// those of tools, a JSON object holding just these three.
func withTools(t *testing.T, slug, tools string) fs.FS {
	t.Helper()
	b, err := fs.ReadFile(defs, "defs/"+slug+".json")
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(b), ",\n  \"version\"")
	rest, found := strings.CutPrefix(tools, "{\n")
	if !ok || !found {
		t.Fatalf("cannot splice the tools into %s", slug)
	}
	return fstest.MapFS{slug + ".json": {Data: []byte(head + ",\n" + rest)}}
}

func TestLoad_BrokenTools(t *testing.T) {
	tests := []struct {
		name     string
		toolkit  string // defaults to github
		base     string // defaults to validTools
		old, new string // replaced once in base
		want     string
	}{
		{name: "valid", want: ""},
		{name: "valid graphql", toolkit: "linear", base: validLinearTools, want: ""},
		{name: "not JSON", old: `"version"`, new: `version`, want: "github.json:46: invalid character 'v'"},
		{name: "tools file's toolkit field", old: `"version"`, new: `"toolkit": "github", "version"`, want: `github.json:46: toolkit: unknown field "toolkit" (at /toolkit)`},
		{name: "unknown tool field", old: `"tags"`, new: `"tagz"`, want: `unknown field "tagz"`},
		{name: "unknown request field", old: `"arrays": "comma"`, new: `"arrays": "comma", "params": {}`, want: `unknown field "params"`},
		{name: "unknown schema keyword", old: `"items": {"type": "string"}`, new: `"items": {"type": "string", "pattern": "^a"}`, want: `tools[0] (GITHUB_GET_AN_ISSUE).input: json: unknown field "pattern"`},
		{name: "bad nested type", old: `"items": {"type": "string"}`, new: `"items": {"type": "str"}`, want: `input.properties.labels.items.type: must be one of string, integer, number, boolean, array, object, got "str"`},
		{name: "input not object", old: `"input": {"type": "object"`, new: `"input": {"type": "array"`, want: `input.type: must be "object", got "array"`},
		{name: "output not object", old: `"output": {"type": "object"}`, new: `"output": {"type": "string"}`, want: `output.type: must be "object", got "string"`},
		{name: "no output", old: `"output": {"type": "object"},`, new: ``, want: `output: is required`},
		{name: "undescribed input", old: `"description": "The owner."`, new: `"description": ""`, want: `input.properties.owner.description: must not be empty`},
		{name: "required unknown", old: `"required": ["owner", "repo", "issue_number"]`, new: `"required": ["owner", "repo", "issue_number", "x"]`, want: `input.required: names "x", which is not in properties`},
		{name: "bad default", old: `"description": "The owner."`, new: `"description": "The owner.", "default": 5`, want: `input.properties.owner.default: default must be a string, got a number`},
		{name: "bad enum", old: `"description": "The owner."`, new: `"description": "The owner.", "enum": ["a", 1]`, want: `input.properties.owner.enum: enum[1] must be a string`},
		{name: "keyword for other type", old: `"description": "The owner."`, new: `"description": "The owner.", "minimum": 1`, want: "minimum and maximum are only allowed with type integer or number"},
		{name: "bad tag", old: `["readOnlyHint"]`, new: `["readOnly"]`, want: `tags: "readOnly" is not one of readOnlyHint, destructiveHint, idempotentHint, openWorldHint`},
		{name: "GET not read-only", old: `["readOnlyHint"]`, new: `["openWorldHint"]`, want: "a GET tool must be tagged readOnlyHint"},
		{name: "read-only destructive", old: `["readOnlyHint"]`, new: `["readOnlyHint", "destructiveHint"]`, want: "readOnlyHint excludes destructiveHint"},
		{name: "scope with a space", old: `"tags": ["readOnlyHint"]`, new: `"tags": ["readOnlyHint"], "scopes": ["repo read:user"]`, want: `scopes: "repo read:user" is not a scope`},
		{name: "scope twice", old: `"tags": ["readOnlyHint"]`, new: `"tags": ["readOnlyHint"], "scopes": ["repo", "repo"]`, want: `scopes: lists "repo" twice`},
		{name: "scopes without OAuth scopes", toolkit: "notion", old: `"tags": ["readOnlyHint"]`, new: `"tags": ["readOnlyHint"], "scopes": ["read"]`, want: "scopes: are only allowed in a toolkit with an OAuth2 scheme that has scopes"},
		{name: "slug without prefix", old: `"slug": "GITHUB_GET_AN_ISSUE"`, new: `"slug": "GET_AN_ISSUE"`, want: `slug: must be upper case, start with GITHUB_`},
		{name: "lower-case slug", old: `"slug": "GITHUB_GET_AN_ISSUE"`, new: `"slug": "github_get_an_issue"`, want: `slug: must be upper case`},
		{name: "empty description", old: `"description": "Gets an issue."`, new: `"description": " "`, want: "description: must not be empty"},
		{name: "bad version", old: `"20260601_00"`, new: `"latest"`, want: `version: must look like 20260601_00, got "latest"`},
		{name: "bad error convention", old: `"errors": "http"`, new: `"errors": "grpc"`, want: `errors: must be "http", "slack" or "graphql", got "grpc"`},
		{name: "no tools", old: `"tools": [`, new: `"tools": [], "x": [`, want: `unknown field "x"`},
		{name: "bad method", old: `"method": "GET"`, new: `"method": "HEAD"`, want: `request.method: must be GET, POST, PUT, PATCH or DELETE, got "HEAD"`},
		{name: "relative path", old: `"path": "/repos/`, new: `"path": "repos/`, want: `request.path: must start with /`},
		{name: "query in path", old: `/issues/{issue_number}"`, new: `/issues/{issue_number}?x=1"`, want: "characters that must be escaped or that start a query"},
		{name: "undeclared placeholder", old: `{issue_number}`, new: `{number}`, want: "has {number}, which is not an input property"},
		{name: "unused argument", old: `{issue_number}`, new: `{number}`, want: "never uses the input property issue_number"},
		{name: "optional placeholder", old: `"required": ["owner", "repo", "issue_number"]`, new: `"required": ["owner", "issue_number"]`, want: "has {repo}, which must be required or have a default"},
		{name: "array placeholder", old: `/issues/{issue_number}"`, new: `/issues/{issue_number}/{labels}"`, want: "has {labels}, which must be a string or an integer, not array"},
		{name: "rest placeholder not last", old: `/repos/{owner}/{repo}/`, new: `/repos/{owner...}/{repo}/`, want: "{owner...} must end the path"},
		{name: "repeated placeholder", old: `/issues/{issue_number}"`, new: `/issues/{issue_number}/{owner}"`, want: "has {owner} twice"},
		{name: "undeclared reference", old: `"$labels"`, new: `"$label"`, want: "request.query.labels: refers to $label, which is not an input property"},
		{name: "array without style", old: `, "arrays": "comma"`, new: ``, want: "maps the array $labels, so arrays must say how arrays are encoded"},
		{name: "bad array style", old: `"arrays": "comma"`, new: `"arrays": "pipes"`, want: `arrays: must be "repeat" or "comma", got "pipes"`},
		{name: "object in query", old: `"items": {"type": "string"}`, new: `"items": {"type": "object"}`, want: "maps $labels, which holds objects or untyped items that only a form can carry"},
		{name: "body on GET", old: `"arrays": "comma"`, new: `"arrays": "comma", "body": {"x": "$owner"}`, want: "a GET request has no body"},
		{name: "two body kinds", old: `"method": "GET"`, new: `"method": "POST", "body": {"x": "$owner"}, "form": {"y": "$repo"}`, want: "may set only one of body, form, graphql and encoder"},
		{name: "body not object", old: `"method": "GET"`, new: `"method": "POST", "body": ["$owner"]`, want: "request.body: must be a JSON object"},
		{name: "unknown encoder", old: `"method": "GET"`, new: `"method": "POST", "encoder": "pdf"`, want: `encoder: "pdf" is not a known encoder`},
		{name: "encoder args undeclared", old: `"method": "GET"`, new: `"method": "POST", "encoder": "gmail_send"`, want: "refers to $recipient_email, which is not an input property"},
		{name: "constant header", old: `"arrays": "comma"`, new: `"arrays": "comma", "headers": {"Accept": "$owner"}`, want: "request.headers.Accept: must be a constant"},
		{name: "require_any of one", old: `"arrays": "comma"`, new: `"arrays": "comma", "require_any": [["labels"]]`, want: "require_any[0]: must list at least two arguments"},
		{name: "require_any with required", old: `"arrays": "comma"`, new: `"arrays": "comma", "require_any": [["labels", "owner"]]`, want: "require_any[0]: lists owner, which is already required"},
		{name: "variables without graphql", old: `"arrays": "comma"`, new: `"arrays": "comma", "variables": {}`, want: "request.variables: is only allowed with graphql"},
		{name: "graphql on GET", toolkit: "linear", base: validLinearTools, old: `"method": "POST"`, new: `"method": "GET"`, want: "must be POST for a GraphQL request"},
		{name: "graphql undeclared variable", toolkit: "linear", base: validLinearTools, old: `{"id": "$issue_id"}`, new: `{"id": "$issue_id", "first": 5}`, want: "variables: sets first, which the query does not declare as $first"},
		{name: "graphql unset variable", toolkit: "linear", base: validLinearTools, old: `{"id": "$issue_id"}`, new: `{"key": "$issue_id"}`, want: "graphql: declares $id, which variables never set"},
		{name: "graphql not a query", toolkit: "linear", base: validLinearTools, old: `"query Issue(`, new: `"fetch Issue(`, want: `graphql: must start with "query" or "mutation"`},
		{name: "graphql unbalanced", toolkit: "linear", base: validLinearTools, old: `{ id } }"`, new: `{ id }"`, want: "graphql: has unbalanced braces"},
		{name: "several problems", old: `"Gets an issue.",
      "tags": ["readOnlyHint"]`, new: `"",
      "tags": ["openWorldHint"]`, want: ".description: must not be empty (at /tools/0/description)\ntools[0] (GITHUB_GET_AN_ISSUE).tags: a GET tool must be tagged readOnlyHint (at /tools/0/tags)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := tt.base
			if def == "" {
				def = validTools
			}
			if tt.old != "" {
				if !strings.Contains(def, tt.old) {
					t.Fatalf("test case edits %q, which the valid definition lacks", tt.old)
				}
				def = strings.Replace(def, tt.old, tt.new, 1)
			}
			toolkit := tt.toolkit
			if toolkit == "" {
				toolkit = "github"
			}
			_, err := Load(withTools(t, toolkit, def))
			checkErr(t, err, tt.want)
		})
	}
}

func TestLoad_DuplicateToolSlug(t *testing.T) {
	tool := validTools[strings.Index(validTools, "    {\n      \"slug\""):strings.LastIndex(validTools, "\n  ]")]
	def := strings.Replace(validTools, tool, tool+",\n"+tool, 1)
	_, err := Load(withTools(t, "github", def))
	if err == nil || !strings.Contains(err.Error(), "tool slug GITHUB_GET_AN_ISSUE is defined twice") {
		t.Errorf("Load: err = %v, want the duplicate slug named", err)
	}
}

func TestLoad_NoTools(t *testing.T) {
	// A catalog without tools files is valid: toolkits come first.
	c, err := Load(fstest.MapFS{"github.json": {Data: []byte(validGitHub)}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := c.Tools(); len(got) != 0 {
		t.Errorf("Tools() = %d tools, want none", len(got))
	}
	if got := c.SearchTools("issue", nil, 0); len(got) != 0 {
		t.Errorf("SearchTools() = %d matches, want none", len(got))
	}
}
