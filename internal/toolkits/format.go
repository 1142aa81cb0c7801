package toolkits

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
)

// Definition is one toolkit file of the toolkit format (docs/toolkit-format.md,
// with its JSON Schema in docs/toolkit.schema.json): the toolkit, its
// connection and identity settings, and its tools. A file holds exactly one
// Definition, as JSON or YAML, and is named after its slug:
// <slug>.json, <slug>.yaml or <slug>.yml.
//
// The format is a public contract: files written for one version of
// Switchboard keep loading in the next, so fields are only ever added, and
// only as optional ones.
type Definition struct {
	// Toolkit holds the toolkit's fields (slug, name, description, logo,
	// categories, base_url, headers, auth_schemes, identity), at the top
	// level of the file. Its ToolsCount is not part of the format.
	Toolkit
	// Version is the version of the tool definitions, YYYYMMDD_NN, such as
	// "20260601_00"; required when Tools is not empty. Tools report it.
	Version string `json:"version,omitempty"`
	// Errors is how the provider reports a failed call; required when
	// Tools is not empty.
	Errors ErrorConvention `json:"errors,omitempty"`
	// Tools are the actions an agent can call. A toolkit without tools
	// still connects accounts, for the proxy.
	Tools []ToolDefinition `json:"tools,omitempty"`

	// File is the name the definition was parsed from, which errors
	// name; it is not part of the format.
	File string `json:"-"`
	// lines maps the JSON pointer of each value in the file to its line,
	// so that problems found after parsing name the line too.
	lines map[string]int
}

// ErrorConvention is how a provider reports a failed call
// (spec/toolkits.md §0).
type ErrorConvention string

// The error conventions.
const (
	// ErrorsHTTP: a 4xx or 5xx status with a JSON error body.
	ErrorsHTTP ErrorConvention = "http"
	// ErrorsSlack: also HTTP 200 with {"ok": false, "error": code}.
	ErrorsSlack ErrorConvention = "slack"
	// ErrorsGraphQL: a non-empty errors[] array, possibly beside partial
	// data and with HTTP 200; the result is the data object.
	ErrorsGraphQL ErrorConvention = "graphql"
	// ErrorsMCP: the tools of a remote MCP server (Toolkit.MCP), which
	// report a failure as a result with isError; only MCP toolkits use it.
	ErrorsMCP ErrorConvention = "mcp"
)

// ToolDefinition is one tool of a Definition.
type ToolDefinition struct {
	// Slug is the tool's id: upper case, starting with the toolkit's slug
	// in upper case and "_", e.g. "GITHUB_CREATE_AN_ISSUE".
	Slug string `json:"slug"`
	// Name is a short human title, e.g. "Create an issue".
	Name string `json:"name"`
	// Description says what the tool does and when to use it, for an LLM.
	Description string `json:"description"`
	// Tags are MCP tool annotations among readOnlyHint, destructiveHint,
	// idempotentHint and openWorldHint. A GET tool is readOnlyHint, a
	// DELETE tool destructiveHint.
	Tags []string `json:"tags"`
	// Scopes are the OAuth 2.0 scopes a token needs for this tool, as the
	// provider documents them. They are informational: listed with the
	// tool, never requested or checked. Optional.
	Scopes []string `json:"scopes,omitempty"`
	// Input is the JSON Schema of the arguments: type object, every
	// property described, in the subset of JSON Schema the package
	// documents (type, description, properties, required, items, enum,
	// default, minimum, maximum, and a few more).
	Input json.RawMessage `json:"input"`
	// Output is a (loose) JSON Schema of the result data, type object.
	Output json.RawMessage `json:"output"`
	// Request says how the arguments become the upstream request. A tool
	// of an MCP toolkit has none: it has MCP instead.
	Request RequestMapping `json:"request,omitzero"`
	// MCP, set exactly for the tools of an MCP toolkit (Toolkit.MCP),
	// names the remote server's tool the call goes to.
	MCP *MCPTool `json:"mcp,omitempty"`
	// Pagination, when set, says how the tool's results come in pages
	// (see Pagination); its arguments must be in Input.
	Pagination *Pagination `json:"pagination,omitempty"`
}

// RequestMapping says how a tool's arguments become the upstream request.
// A "$name" string anywhere in query, form, body or variables stands for
// the argument name; "$$" at the start of a string escapes a literal "$".
// An absent optional argument is left out, together with any object or
// array whose every reference is absent.
type RequestMapping struct {
	// Method is GET, POST, PUT, PATCH or DELETE.
	Method string `json:"method"`
	// Path is relative to the toolkit's base URL. "{name}" is replaced by
	// the path-escaped argument; "{name...}" takes a slash-separated path
	// whose segments are escaped one by one. Placeholders name required
	// (or defaulted) string or integer arguments.
	Path string `json:"path"`
	// Query maps query parameter names to "$arg" references or constants.
	Query map[string]string `json:"query,omitempty"`
	// Arrays says how an array argument goes into the query or form:
	// "repeat" (labelIds=a&labelIds=b) or "comma" (labels=a,b).
	Arrays string `json:"arrays,omitempty"`
	// Headers are constant request headers of this tool.
	Headers map[string]string `json:"headers,omitempty"`
	// At most one of Body, Form, GraphQL and Encoder says what the body
	// is, and GET and DELETE requests have none. Body is a JSON object
	// template. Form maps form fields to references or constants (objects
	// and arrays of objects are JSON-encoded, as Slack wants).
	Body json.RawMessage   `json:"body,omitempty"`
	Form map[string]string `json:"form,omitempty"`
	// GraphQL is a fixed query or mutation, POSTed with Variables, a JSON
	// object template whose keys are the variables the query declares.
	GraphQL   string          `json:"graphql,omitempty"`
	Variables json.RawMessage `json:"variables,omitempty"`
	// Encoder names a Go encoder for a body that a template can't express:
	// "gmail_send" and the others in encoders.go.
	Encoder string `json:"encoder,omitempty"`
	// RequireAny lists groups of optional arguments of which each call
	// must give at least one.
	RequireAny [][]string `json:"require_any,omitempty"`
}

// Extensions are the file name endings of toolkit files: JSON, or YAML by
// either of its usual endings.
var Extensions = []string{".json", ".yaml", ".yml"}

// IsDefinitionFile reports whether name ends in one of Extensions (in any
// case) and is not a hidden file, as editors' backup and lock files are.
func IsDefinitionFile(name string) bool {
	base := path.Base(name)
	if strings.HasPrefix(base, ".") {
		return false
	}
	ext := strings.ToLower(path.Ext(base))
	for _, e := range Extensions {
		if ext == e {
			return true
		}
	}
	return false
}

// Parse parses and validates one toolkit file, JSON or YAML by the ending
// of name, which must be the definition's slug followed by one of
// Extensions. Parsing is strict: unknown fields, values of the wrong type,
// duplicate keys and everything the package documentation lists are
// errors. The error is a Problems, naming each problem's file, line, JSON
// pointer and field; the Definition returned with it is the zero value.
//
// Parse checks one file on its own; New and Catalog.With check what
// concerns several (slugs defined twice).
func Parse(name string, data []byte) (Definition, error) {
	x, err := parse(name, data)
	return x.d, err
}

// parse is Parse, keeping what checking the definition compiled, so that
// the built-in catalog does not compile its files twice.
func parse(name string, data []byte) (compiled, error) {
	var (
		js    []byte
		lines map[string]int
		ps    Problems
	)
	switch strings.ToLower(path.Ext(name)) {
	case ".json":
		js = data
		lines, ps = jsonLines(name, data)
	case ".yaml", ".yml":
		js, lines, ps = yamlToJSON(name, data)
	default:
		return compiled{}, Problems{{File: name, Message: "the file name must end in .json, .yaml or .yml"}}
	}
	if len(ps) > 0 {
		return compiled{}, ps
	}
	d := Definition{File: name, lines: lines}
	if ps := checkShape(name, js, lines, &d); len(ps) > 0 {
		return compiled{}, ps
	}
	var p problems
	if stem := strings.TrimSuffix(path.Base(name), path.Ext(name)); stem != d.Slug && slugRE.MatchString(d.Slug) {
		p.add("slug", "is %q, so the file name must be %s%s", d.Slug, d.Slug, path.Ext(name))
	}
	tk, tools, more := d.compile()
	if len(more) > 0 || len(p) > 0 {
		return compiled{}, append(d.problems(p), more...)
	}
	return compiled{d, tk, tools}, nil
}

// Problem is one thing wrong with a toolkit file.
type Problem struct {
	// File is the file's name, as given to Parse.
	File string
	// Line is the line, counted from 1, of the value at Pointer, or of the
	// nearest enclosing value that the file has (a missing field's
	// object); 0 when unknown.
	Line int
	// Pointer is the RFC 6901 JSON pointer of the value, such as
	// "/tools/3/request/path"; "" for the whole file.
	Pointer string
	// Field names the value as the messages do, with the tool's slug
	// where it has one: "tools[3] (GITHUB_GET_AN_ISSUE).request.path".
	Field string
	// Message says what is wrong.
	Message string
}

// String formats p as "file:line: field: message (at pointer)".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	if p.Pointer != "" {
		b.WriteString(" (at " + p.Pointer + ")")
	}
	return b.String()
}

// Problems is the error of Parse, New and Catalog.With: every problem
// found, in file order.
type Problems []Problem

// Error lists the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = "toolkits: " + p.String()
	}
	return strings.Join(lines, "\n")
}

// problems turns validation messages ("field: message") into Problems
// with d's file, lines and pointers.
func (d Definition) problems(msgs problems) Problems {
	out := make(Problems, 0, len(msgs))
	for _, m := range msgs {
		field, msg, _ := strings.Cut(m, ": ")
		out = append(out, d.problem(field, msg))
	}
	return out
}

// problem locates a problem with field, a dotted field name such as
// "tools[3] (SLUG).request.path", in d's file.
func (d Definition) problem(field, msg string) Problem {
	ptr := d.pointer(field)
	return Problem{File: d.File, Line: lineOf(d.lines, ptr), Pointer: ptr, Field: field, Message: msg}
}

// pointer turns a dotted field name into the JSON pointer of the value.
// Where the file has the keys it matches them, longest first, so that a key
// holding a dot (a query parameter "page.size") stays one token.
func (d Definition) pointer(field string) string {
	rest := toolSlugNoteRE.ReplaceAllString(field, "]")
	ptr := ""
	for rest != "" {
		if rest[0] == '[' {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				break
			}
			ptr += "/" + rest[1:end]
			rest = strings.TrimPrefix(rest[end+1:], ".")
			continue
		}
		// Candidate keys end where a '.' or a '[' starts the next token, or
		// at the end; try the longest that the file has.
		key := ""
		for i := len(rest); i > 0; i-- {
			if i < len(rest) && rest[i] != '.' && rest[i] != '[' {
				continue
			}
			if _, ok := d.lines[ptr+"/"+escapePointer(rest[:i])]; ok {
				key = rest[:i]
				break
			}
		}
		if key == "" { // not in the file (a missing field): split plainly
			key = rest
			if i := strings.IndexAny(rest, ".["); i >= 0 {
				key = rest[:i]
			}
		}
		ptr += "/" + escapePointer(key)
		rest = strings.TrimPrefix(rest[len(key):], ".")
	}
	return ptr
}

// lineOf returns the line of the value at ptr, or of its nearest ancestor
// in lines.
func lineOf(lines map[string]int, ptr string) int {
	for {
		if n, ok := lines[ptr]; ok {
			return n
		}
		i := strings.LastIndexByte(ptr, '/')
		if i < 0 {
			return 0
		}
		ptr = ptr[:i]
	}
}

// The RFC 6901 reference token escapes, built once: a Replacer builds its
// tables on first use, which cost a third of parsing a file when every key
// made its own.
var (
	pointerEscaper   = strings.NewReplacer("~", "~0", "/", "~1")
	pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")
)

// escapePointer escapes a key as an RFC 6901 reference token.
func escapePointer(key string) string {
	if !strings.ContainsAny(key, "~/") {
		return key
	}
	return pointerEscaper.Replace(key)
}

// pointerField turns a JSON pointer into the dotted field name the messages
// use: "/tools/3/request" is "tools[3].request".
func pointerField(ptr string) string {
	var b strings.Builder
	for tok := range strings.SplitSeq(strings.TrimPrefix(ptr, "/"), "/") {
		tok = pointerUnescaper.Replace(tok)
		if isIndex(tok) {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func isIndex(tok string) bool {
	if tok == "" {
		return false
	}
	for _, r := range tok {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// jsonSchema is the JSON Schema (draft 2020-12) of the toolkit format; the
// repository keeps the same file as docs/toolkit.schema.json.
//
//go:embed toolkit.schema.json
var jsonSchema []byte

// JSONSchema returns the JSON Schema (draft 2020-12) of the toolkit
// format, which the server publishes at SchemaPath. It checks the format's
// shape and its simpler rules, for editors and importers; Parse checks more
// than a schema can say (references, placeholders, scopes).
func JSONSchema() []byte { return slices.Clone(jsonSchema) }

// SchemaPath is where the server serves JSONSchema, without
// authentication. It is stable: tools and editors may refer to it.
const SchemaPath = "/schemas/toolkit.schema.json"
