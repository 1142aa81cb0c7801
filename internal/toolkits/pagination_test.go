package toolkits

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pagedYAML has one tool of each pagination style.
const pagedYAML = `slug: paged
name: Paged
description: An API with lists in pages.
logo: https://example.com/paged.png
categories: [{slug: test, name: Test}]
base_url: https://api.paged.example
auth_schemes:
  - mode: NO_AUTH
version: "20260601_00"
errors: http
tools:
  - slug: PAGED_CURSOR
    name: Cursor
    description: Lists items.
    tags: [readOnlyHint]
    input:
      type: object
      properties:
        cursor: {type: string, description: Where to start.}
        limit: {type: integer, description: How many.}
    output: {type: object}
    request: {method: GET, path: /c, query: {cursor: $cursor, limit: $limit}}
    pagination: {style: cursor, input: cursor, size: limit, next: meta.next_cursor}
  - slug: PAGED_PAGE
    name: Page
    description: Lists items.
    tags: [readOnlyHint]
    input:
      type: object
      properties:
        page: {type: integer, description: Which page., default: 1}
        per_page: {type: integer, description: How many.}
    output: {type: object}
    request: {method: GET, path: /p, query: {page: $page, per_page: $per_page}}
    pagination: {style: page, input: page, size: per_page, items: items}
  - slug: PAGED_OFFSET
    name: Offset
    description: Lists items.
    tags: [readOnlyHint]
    input:
      type: object
      properties:
        offset: {type: integer, description: The first item.}
    output: {type: object}
    request: {method: GET, path: /o, query: {offset: $offset}}
    pagination: {style: offset, input: offset, items: data.results}
  - slug: PAGED_LINK
    name: Link
    description: Lists items.
    tags: [readOnlyHint]
    input:
      type: object
      properties:
        page: {type: integer, description: Which page.}
    output: {type: object}
    request: {method: GET, path: /l, query: {pg: $page}}
    pagination: {style: link_header, input: page}
`

func TestPagination(t *testing.T) {
	d, err := Parse("paged.yaml", []byte(pagedYAML))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	tool := func(slug string) Tool {
		tl, ok := cat.Tool(slug)
		if !ok {
			t.Fatalf("no tool %s", slug)
		}
		return tl
	}
	if desc := tool("PAGED_CURSOR").Description; !strings.HasPrefix(desc, "Lists items. Results come in pages (limit sets the page size); for the next page call again with cursor set to the cursor at meta.next_cursor") || !strings.Contains(desc, "next_page") {
		t.Errorf("cursor description: %q", desc)
	}
	link := http.Header{"Link": {`<https://api.paged.example/l?pg=1>; rel="prev", <https://api.paged.example/l?pg=3&x=1>; rel="next", <https://api.paged.example/l?pg=9>; rel="last"`}}
	for _, tt := range []struct {
		name, slug string
		args       map[string]any
		header     http.Header
		data       string
		want       map[string]any
	}{
		{"cursor", "PAGED_CURSOR", nil, nil, `{"meta":{"next_cursor":"abc"}}`, map[string]any{"cursor": "abc"}},
		{"cursor, last page", "PAGED_CURSOR", nil, nil, `{"meta":{"next_cursor":null}}`, nil},
		{"cursor, none", "PAGED_CURSOR", nil, nil, `{"meta":{}}`, nil},
		{"page, from the default", "PAGED_PAGE", nil, nil, `{"items":[1,2]}`, map[string]any{"page": int64(2)}},
		{"page 4", "PAGED_PAGE", map[string]any{"page": float64(4)}, nil, `{"items":[1]}`, map[string]any{"page": int64(5)}},
		{"page, empty", "PAGED_PAGE", nil, nil, `{"items":[]}`, nil},
		{"page, short of the size", "PAGED_PAGE", map[string]any{"per_page": float64(3)}, nil, `{"items":[1,2]}`, nil},
		{"page, full", "PAGED_PAGE", map[string]any{"per_page": float64(2)}, nil, `{"items":[1,2]}`, map[string]any{"page": int64(2)}},
		{"offset", "PAGED_OFFSET", map[string]any{"offset": float64(10)}, nil, `{"data":{"results":[1,2,3]}}`, map[string]any{"offset": int64(13)}},
		{"offset, from 0", "PAGED_OFFSET", nil, nil, `{"data":{"results":[1]}}`, map[string]any{"offset": int64(1)}},
		{"offset, no items", "PAGED_OFFSET", nil, nil, `{"data":{}}`, nil},
		{"link header", "PAGED_LINK", nil, link, `{}`, map[string]any{"page": int64(3)}},
		{"link header, last", "PAGED_LINK", nil, http.Header{"Link": {`<https://api.paged.example/l?pg=1>; rel="first"`}}, `{}`, nil},
		{"link header, none", "PAGED_LINK", nil, http.Header{}, `{}`, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tool(tt.slug).NextPage(tt.args, tt.header, json.RawMessage(tt.data))
			if ok != (tt.want != nil) {
				t.Fatalf("NextPage ok = %v, want %v (got %v)", ok, tt.want != nil, got)
			}
			if diff := cmp.Diff(tt.want, got); ok && diff != "" {
				t.Errorf("NextPage (-want +got):\n%s", diff)
			}
		})
	}
	if _, ok := tool("PAGED_CURSOR").NextPage(nil, nil, json.RawMessage(`{"meta":{"next_cursor":"x"}}`)); !ok {
		t.Error("the control: a next cursor gives a next page")
	}
	builtin, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range builtin.Tools() {
		if strings.Contains(tl.Description, "next_page") {
			t.Errorf("built-in %s has a pagination hint, but the built-ins must load unchanged", tl.Slug)
		}
	}
}

func TestPagination_LoadChecks(t *testing.T) {
	checkEdits(t, "paged.yaml", pagedYAML, []fileEdit{
		{"unknown input", "{style: cursor, input: cursor,", "{style: cursor, input: after,", `tools[0] (PAGED_CURSOR).pagination.input: names "after", which is not an argument`},
		{"unknown size", "size: limit,", "size: count,", `pagination.size: names "count", which is not an argument`},
		{"string page", "page: {type: integer, description: Which page., default: 1}", "page: {type: string, description: Which page.}", `pagination.input: names "page", of type string; it must be integer`},
		{"cursor without next", ", next: meta.next_cursor}", "}", "pagination.next: is required for style cursor"},
		{"offset without items", "{style: offset, input: offset, items: data.results}", "{style: offset, input: offset}", "pagination.items: is required for style offset"},
		{"page without next or items", "{style: page, input: page, size: per_page, items: items}", "{style: page, input: page}", "pagination.items: is required for style page"},
		{"size is input", "query: {pg: $page}}\n    pagination: {style: link_header", "query: {pg: $page}}\n    pagination: {style: link_header, size: page", "pagination.size: must be another argument than input"},
		{"link header not in the query", "        page: {type: integer, description: Which page.}\n    output: {type: object}\n    request: {method: GET, path: /l, query: {pg: $page}}", "        page: {type: integer, description: Which page.}\n      required: [page]\n    output: {type: object}\n    request: {method: GET, path: \"/l/{page}\"}", `pagination.input: must be an argument the request sends as a query parameter`},
		{"bad style", "style: offset", "style: keyset", `pagination.style: must be "cursor", "page", "offset" or "link_header", got "keyset"`},
		{"bad path", "next: meta.next_cursor", "next: meta..next", `pagination.next: "meta..next" is not a dotted path`},
		{"alternatives", "next: meta.next_cursor", "next: a|b", `pagination.next: must be one dotted path`},
		{"unknown field", "{style: cursor,", "{style: cursor, cursor_param: x,", `unknown field "cursor_param"`},
	})
}

// TestJSONSchema_Pagination: the schema takes every style, and refuses a
// cursor hint without next, as Parse does.
func TestJSONSchema_Pagination(t *testing.T) {
	s := compileFormatSchema(t)
	js, _, ps := yamlToJSON("paged.yaml", []byte(pagedYAML))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if err := validateInstance(t, s, js); err != nil {
		t.Errorf("paged.yaml does not validate against the schema: %v", err)
	}
	bad := strings.Replace(string(js), `,"next":"meta.next_cursor"`, ``, 1)
	if bad == string(js) {
		t.Fatalf("the edit does not apply to %s", js)
	}
	if err := validateInstance(t, s, []byte(bad)); err == nil {
		t.Errorf("the schema accepts a cursor hint without next")
	}
}
