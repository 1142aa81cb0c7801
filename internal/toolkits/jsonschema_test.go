package toolkits

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func compileFormatSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSONSchema()))
	if err != nil {
		t.Fatalf("the schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("toolkit.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("toolkit.schema.json")
	if err != nil {
		t.Fatalf("compile the schema: %v", err)
	}
	return s
}

func validateInstance(t *testing.T, s *jsonschema.Schema, js []byte) error {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatalf("instance is not JSON: %v", err)
	}
	return s.Validate(v)
}

// TestJSONSchema_Builtins validates every built-in file, and a YAML file
// converted to JSON, against the published schema; and shows that the
// schema refuses what Parse refuses for its shape.
func TestJSONSchema_Builtins(t *testing.T) {
	s := compileFormatSchema(t)
	names, err := fs.Glob(defs, "defs/*.json")
	if err != nil || len(names) < 6 {
		t.Fatalf("built-in files: %v, %v", names, err)
	}
	for _, name := range names {
		js, err := fs.ReadFile(defs, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := validateInstance(t, s, js); err != nil {
			t.Errorf("%s does not validate against the schema: %v", name, err)
		}
	}
	tiny, _, ps := yamlToJSON("tiny.yaml", []byte(tinyYAML))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if err := validateInstance(t, s, tiny); err != nil {
		t.Errorf("tiny.yaml does not validate against the schema: %v", err)
	}

	for _, tt := range []struct{ name, old, new string }{
		{"unknown top-level field", `"slug":"tiny"`, `"slug":"tiny","colour":"red"`},
		{"unknown request field", `"method":"GET"`, `"method":"GET","params":{}`},
		{"unknown schema keyword", `"type":"string"`, `"type":"string","pattern":"x"`},
		{"tools without version", `"version":"20260101_00",`, ``},
		{"tools without errors", `"errors":"http",`, ``},
		{"bad mode", `"API_KEY"`, `"TOKEN"`},
		{"http logo", `https://example.com/tiny.png`, `http://example.com/tiny.png`},
	} {
		js := strings.Replace(string(tiny), tt.old, tt.new, 1)
		if js == string(tiny) {
			t.Fatalf("%s: the edit %q does not apply to %s", tt.name, tt.old, tiny)
		}
		if err := validateInstance(t, s, []byte(js)); err == nil {
			t.Errorf("%s: the schema accepts it", tt.name)
		}
		if _, err := Parse("tiny.json", []byte(js)); err == nil {
			t.Errorf("%s: Parse accepts it", tt.name)
		}
	}
}

// TestJSONSchema_DocsCopy keeps docs/toolkit.schema.json, the file people
// read and link to, the same as the embedded one the server serves.
func TestJSONSchema_DocsCopy(t *testing.T) {
	docs, err := os.ReadFile("../../docs/toolkit.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(docs, JSONSchema()) {
		t.Errorf("docs/toolkit.schema.json differs from internal/toolkits/toolkit.schema.json: copy one over the other")
	}
}

// TestJSONSchema_MatchesGoTypes fails when the schema and the Go types of
// the format drift apart: every JSON field of Definition and the types it
// holds must be a property of the matching schema object, and every
// property must be a Go field.
func TestJSONSchema_MatchesGoTypes(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(JSONSchema(), &root); err != nil {
		t.Fatal(err)
	}
	defs := root["$defs"].(map[string]any)
	// resolve follows $ref and merges allOf, returning the properties of
	// the object the node describes.
	var resolve func(node map[string]any) map[string]any
	resolve = func(node map[string]any) map[string]any {
		props := map[string]any{}
		if ref, ok := node["$ref"].(string); ok {
			for k, v := range resolve(defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)) {
				props[k] = v
			}
		}
		for _, sub := range asSlice(node["allOf"]) {
			for k, v := range resolve(sub.(map[string]any)) {
				if _, ok := props[k]; !ok {
					props[k] = v
				}
			}
		}
		if p, ok := node["properties"].(map[string]any); ok {
			for k, v := range p {
				props[k] = v
			}
		}
		// A tool's else branch (an HTTP tool) has the full shape of its
		// schemas, which an MCP tool's need not have.
		if e, ok := node["else"].(map[string]any); ok {
			for k, v := range resolve(e) {
				if k == "input" || k == "output" {
					props[k] = v
				}
			}
		}
		return props
	}
	var problems []string
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type, node map[string]any, path string)
	walk = func(t reflect.Type, node map[string]any, path string) {
		if seen[t] {
			return
		}
		seen[t] = true
		goFields := jsonFields(t)
		props := resolve(node)
		if diff := cmp.Diff(slices.Sorted(maps.Keys(goFields)), slices.Sorted(maps.Keys(props))); diff != "" {
			problems = append(problems, fmt.Sprintf("%s at %q (-Go fields +schema properties):\n%s", t, path, diff))
		}
		for name, ft := range goFields {
			sub, ok := props[name].(map[string]any)
			if !ok {
				continue
			}
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice && ft != rawMessageType {
				ft = ft.Elem()
				if items, ok := sub["items"].(map[string]any); ok {
					sub = items
				}
			}
			if ft == rawMessageType && (name == "input" || name == "output") {
				ft = reflect.TypeFor[schema]() // a tool's schemas are this subset
			}
			if ft.Kind() == reflect.Struct {
				walk(ft, sub, path+"/"+name)
			}
		}
	}
	walk(reflect.TypeFor[Definition](), root, "")
	for _, p := range problems {
		t.Error(p)
	}
	// The walk must have reached every object of the format.
	want := []reflect.Type{
		reflect.TypeFor[Definition](), reflect.TypeFor[Category](), reflect.TypeFor[AuthScheme](),
		reflect.TypeFor[OAuth2Spec](), reflect.TypeFor[Field](), reflect.TypeFor[Apply](),
		reflect.TypeFor[Identity](), reflect.TypeFor[ToolDefinition](), reflect.TypeFor[RequestMapping](),
		reflect.TypeFor[schema](), reflect.TypeFor[MCPServer](), reflect.TypeFor[MCPTool](), reflect.TypeFor[Pagination](),
	}
	for _, typ := range want {
		if !seen[typ] {
			t.Errorf("the schema walk never reached %s", typ)
		}
	}
}

// TestFormatDoc_Example keeps the complete example of
// docs/toolkit-format.md valid, by Parse and by the schema.
func TestFormatDoc_Example(t *testing.T) {
	doc, err := os.ReadFile("../../docs/toolkit-format.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "## A complete example\n\n```yaml\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/toolkit-format.md has no complete example in a yaml block")
	}
	if _, err := Parse("tiny.yaml", []byte(example)); err != nil {
		t.Errorf("the example does not parse:\n%v", err)
	}
	js, _, ps := yamlToJSON("tiny.yaml", []byte(example))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if err := validateInstance(t, compileFormatSchema(t), js); err != nil {
		t.Errorf("the example does not validate against the schema: %v", err)
	}
}
