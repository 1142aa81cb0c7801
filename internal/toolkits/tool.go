package toolkits

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Tool is one action an agent can call: an upstream API request built from
// the call's arguments, compiled from a ToolDefinition.
type Tool struct {
	// Slug is the tool's id in upper case, prefixed with its toolkit's,
	// e.g. "GMAIL_SEND_EMAIL", as Composio names it.
	Slug string
	// Name is a short human title, e.g. "Send email".
	Name string
	// Description says what the tool does and when to use it, for an LLM.
	Description string
	// Toolkit is the slug of the toolkit the tool belongs to.
	Toolkit string
	// Version is the version of the toolkit's tool definitions, such as
	// "20260601_00".
	Version string
	// Tags are MCP-style hints among readOnlyHint, destructiveHint,
	// idempotentHint and openWorldHint.
	Tags []string
	// Scopes are the OAuth 2.0 scopes the provider documents for the tool;
	// informational, never requested or checked.
	Scopes []string
	// InputSchema is the JSON Schema of the arguments; its type is object.
	InputSchema json.RawMessage
	// OutputSchema is a (loose) JSON Schema of the result data; its type is
	// object.
	OutputSchema json.RawMessage
	// NoAuth reports whether the tool's toolkit needs no credentials
	// (Toolkit.NoAuth), so it runs without a connected account.
	NoAuth bool

	def *toolDef // the parsed definition, shared and never changed
}

// clip clips t's slices, so that appending to them copies.
func (t Tool) clip() Tool {
	t.Tags = slices.Clip(t.Tags)
	t.Scopes = slices.Clip(t.Scopes)
	t.InputSchema = slices.Clip(t.InputSchema)
	t.OutputSchema = slices.Clip(t.OutputSchema)
	return t
}

// The tags a tool may carry: the MCP tool annotations.
const (
	TagReadOnly    = "readOnlyHint"
	TagDestructive = "destructiveHint"
	TagIdempotent  = "idempotentHint"
	TagOpenWorld   = "openWorldHint"
)

var allowedTags = []string{TagReadOnly, TagDestructive, TagIdempotent, TagOpenWorld}

// toolDef is a parsed, validated tool definition.
type toolDef struct {
	input      *schema
	errors     ErrorConvention
	method     string
	path       []pathPart
	query      map[string]string
	arrays     string
	headers    map[string]string
	body       any // decoded template, or nil
	form       map[string]string
	graphql    string
	variables  any // decoded template, or nil
	encoder    string
	requireAny [][]string
	pagination *Pagination // nil for a tool without pages
	pageParam  string      // the query parameter of pagination.Input
	// mcpName is the remote tool a tool of an MCP toolkit calls; such a
	// tool has no request.
	mcpName string
}

type pathPart struct {
	literal string
	arg     string // set for a placeholder
	rest    bool   // {arg...}: may hold slashes
}

var (
	toolSlugRE    = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	versionRE     = regexp.MustCompile(`^[0-9]{8}_[0-9]{2}$`)
	placeholderRE = regexp.MustCompile(`\{([^{}]*)\}`)
	pathLiteralRE = regexp.MustCompile(`^[A-Za-z0-9/._~:@!$&'()*+,;=-]*$`)
	gqlVarRE      = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)\s*:`)
)

// compileTools validates d's tools and returns them, adding each problem
// to p.
func compileTools(p *problems, d Definition) []Tool {
	if len(d.Tools) > 0 || d.Version != "" || d.Errors != "" {
		if !versionRE.MatchString(d.Version) {
			p.add("version", "must look like 20260601_00, got %q", d.Version)
		}
		switch {
		case d.MCP != nil:
			if d.Errors != ErrorsMCP {
				p.add("errors", `must be "mcp" in an MCP toolkit, got %q`, d.Errors)
			}
		case d.Errors == ErrorsHTTP, d.Errors == ErrorsSlack, d.Errors == ErrorsGraphQL:
		default:
			p.add("errors", `must be "http", "slack" or "graphql", got %q`, d.Errors)
		}
	}
	var out []Tool
	seen := map[string]bool{}
	for i, tj := range d.Tools {
		at := fmt.Sprintf("tools[%d]", i)
		if tj.Slug != "" {
			at = fmt.Sprintf("tools[%d] (%s)", i, tj.Slug)
		}
		if seen[tj.Slug] {
			p.add(at+".slug", "tool slug %s is defined twice", tj.Slug)
			continue
		}
		seen[tj.Slug] = true
		if t, ok := buildTool(p, at, d, tj); ok {
			out = append(out, t.clip())
		}
	}
	return out
}

// buildTool validates one tool definition and reports whether it is usable.
func buildTool(p *problems, at string, f Definition, tj ToolDefinition) (Tool, bool) {
	if f.MCP != nil {
		return buildMCPTool(p, at, f, tj)
	}
	if tj.MCP != nil {
		p.add(at+".mcp", "is only allowed in an MCP toolkit (one with an mcp section)")
	}
	before := len(*p)
	prefix := strings.ToUpper(f.Slug) + "_"
	if !toolSlugRE.MatchString(tj.Slug) || !strings.HasPrefix(tj.Slug, prefix) || tj.Slug == prefix {
		p.add(at+".slug", "must be upper case, start with %s and match %s, got %q", prefix, toolSlugRE, tj.Slug)
	}
	p.nonEmpty(at+".name", tj.Name)
	p.nonEmpty(at+".description", tj.Description)
	checkTags(p, at, tj)
	checkScopes(p, at, f.Toolkit, tj)

	def := &toolDef{errors: f.Errors}
	input := checkSchemaDoc(p, at+".input", tj.Input, true)
	checkSchemaDoc(p, at+".output", tj.Output, false)
	if input != nil {
		def.input = input
		compileRequest(p, at+".request", def, tj.Request)
		if pg := tj.Pagination; pg != nil {
			checkPagination(p, at+".pagination", *pg, input, tj.Request)
			def.pagination, def.pageParam = pg, queryParamOf(tj.Request, pg.Input)
		}
	}
	if len(*p) > before {
		return Tool{}, false
	}
	desc := tj.Description
	if def.pagination != nil {
		desc = strings.TrimSpace(desc) + " " + def.pagination.hint()
	}
	return Tool{
		Slug:         tj.Slug,
		Name:         tj.Name,
		Description:  desc,
		Toolkit:      f.Slug,
		Version:      f.Version,
		Tags:         slices.Clone(tj.Tags),
		Scopes:       slices.Clone(tj.Scopes),
		InputSchema:  compact(tj.Input),
		OutputSchema: compact(tj.Output),
		NoAuth:       f.NoAuth(),
		def:          def,
	}, true
}

func checkTags(p *problems, at string, tj ToolDefinition) {
	seen := map[string]bool{}
	for _, tag := range tj.Tags {
		if !slices.Contains(allowedTags, tag) {
			p.add(at+".tags", "%q is not one of %s", tag, strings.Join(allowedTags, ", "))
		}
		if seen[tag] {
			p.add(at+".tags", "lists %q twice", tag)
		}
		seen[tag] = true
	}
	if seen[TagReadOnly] && (seen[TagDestructive] || seen[TagIdempotent]) {
		p.add(at+".tags", "readOnlyHint excludes destructiveHint and idempotentHint, which describe writes")
	}
	switch tj.Request.Method {
	case http.MethodGet:
		if !seen[TagReadOnly] {
			p.add(at+".tags", "a GET tool must be tagged readOnlyHint")
		}
	case http.MethodDelete:
		if !seen[TagDestructive] {
			p.add(at+".tags", "a DELETE tool must be tagged destructiveHint")
		}
	}
}

// checkScopes checks a tool's scopes: plain scope tokens (RFC 6749 §3.3),
// each once, in a toolkit that has an OAuth 2.0 scheme with scopes.
func checkScopes(p *problems, at string, tk Toolkit, tj ToolDefinition) {
	if len(tj.Scopes) == 0 {
		return
	}
	scoped := slices.ContainsFunc(tk.AuthSchemes, func(s AuthScheme) bool {
		return s.OAuth2 != nil && s.OAuth2.ScopeSeparator != ""
	})
	if !scoped {
		p.add(at+".scopes", "are only allowed in a toolkit with an OAuth2 scheme that has scopes")
	}
	seen := map[string]bool{}
	for _, sc := range tj.Scopes {
		if sc == "" || strings.ContainsAny(sc, " \t\r\n,") {
			p.add(at+".scopes", "%q is not a scope: it is empty or has a space or a comma", sc)
		}
		if seen[sc] {
			p.add(at+".scopes", "lists %q twice", sc)
		}
		seen[sc] = true
	}
}

// checkSchemaDoc parses and checks a tool's input or output schema, whose
// top level must be an object. Input properties must be described, for the
// agent's sake.
func checkSchemaDoc(p *problems, at string, raw json.RawMessage, input bool) *schema {
	if len(raw) == 0 {
		p.add(at, "is required")
		return nil
	}
	s, err := decodeSchema(raw)
	if err != nil {
		p.add(at, "%v", err)
		return nil
	}
	if s.Type != typeObject {
		p.add(at+".type", `must be "object", got %q`, s.Type)
		return nil
	}
	before := len(*p)
	s.check(p, at)
	if input {
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			if !argNameRE.MatchString(name) {
				p.add(at+".properties", "%q is not a valid argument name (%s)", name, argNameRE)
			}
			if s.Properties[name] != nil && strings.TrimSpace(s.Properties[name].Description) == "" {
				p.add(at+".properties."+name+".description", "must not be empty: the agent reads it")
			}
		}
	}
	if len(*p) > before {
		return nil
	}
	return s
}

// compileRequest checks the request mapping against the input schema and
// stores it in def.
func compileRequest(p *problems, at string, def *toolDef, r RequestMapping) {
	in := def.input
	used := map[string]bool{}
	// ref checks a "$arg" reference and returns the argument's schema.
	ref := func(field, name string) *schema {
		s, ok := in.Properties[name]
		if !ok {
			p.add(field, "refers to $%s, which is not an input property", name)
			return nil
		}
		used[name] = true
		return s
	}

	switch r.Method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		p.add(at+".method", "must be GET, POST, PUT, PATCH or DELETE, got %q", r.Method)
	}
	def.method = r.Method
	def.path = compilePath(p, at+".path", r.Path, in, used)

	if r.Arrays != "" && r.Arrays != "repeat" && r.Arrays != "comma" {
		p.add(at+".arrays", `must be "repeat" or "comma", got %q`, r.Arrays)
	}
	def.arrays = r.Arrays
	checkParams := func(field string, params map[string]string, objects bool) {
		for _, k := range slices.Sorted(maps.Keys(params)) {
			if strings.TrimSpace(k) == "" {
				p.add(field, "has an empty parameter name")
			}
			name, isRef := refName(params[k])
			if !isRef {
				continue
			}
			s := ref(field+"."+k, name)
			if s == nil {
				continue
			}
			switch {
			case isScalarArray(s):
				if r.Arrays == "" {
					p.add(field+"."+k, "maps the array $%s, so arrays must say how arrays are encoded", name)
				}
			case (s.Type == typeObject || s.Type == typeArray) && !objects:
				p.add(field+"."+k, "maps $%s, which holds objects or untyped items that only a form can carry (JSON-encoded)", name)
			}
		}
	}
	checkParams(at+".query", r.Query, false)
	checkParams(at+".form", r.Form, true)
	def.query, def.form = r.Query, r.Form
	for _, k := range slices.Sorted(maps.Keys(r.Headers)) {
		if !headerNameRE.MatchString(k) || r.Headers[k] == "" {
			p.add(at+".headers", "%q must be a header name with a non-empty value", k)
		}
		if _, isRef := refName(r.Headers[k]); isRef {
			p.add(at+".headers."+k, "must be a constant")
		}
	}
	def.headers = r.Headers

	kinds := 0
	for _, set := range []bool{len(r.Body) > 0, len(r.Form) > 0, r.GraphQL != "", r.Encoder != ""} {
		if set {
			kinds++
		}
	}
	if kinds > 1 {
		p.add(at, "may set only one of body, form, graphql and encoder")
	}
	if kinds > 0 && (r.Method == http.MethodGet || r.Method == http.MethodDelete) {
		p.add(at, "a %s request has no body", r.Method)
	}
	if len(r.Variables) > 0 && r.GraphQL == "" {
		p.add(at+".variables", "is only allowed with graphql")
	}
	if len(r.Body) > 0 {
		def.body = compileTemplate(p, at+".body", r.Body, ref)
		if _, ok := def.body.(map[string]any); def.body != nil && !ok {
			p.add(at+".body", "must be a JSON object")
		}
	}
	if r.GraphQL != "" {
		compileGraphQL(p, at, def, r, ref)
	}
	if r.Encoder != "" {
		enc, ok := encoders[r.Encoder]
		if !ok {
			p.add(at+".encoder", "%q is not a known encoder; known: %s", r.Encoder, strings.Join(slices.Sorted(maps.Keys(encoders)), ", "))
		}
		for _, name := range slices.Sorted(maps.Keys(enc.args)) {
			s := ref(at+".encoder", name)
			if s != nil && typeSig(s) != enc.args[name] {
				p.add(at+".encoder", "%s reads $%s as %s, but the input schema has %s", r.Encoder, name, enc.args[name], typeSig(s))
			}
		}
		def.encoder = r.Encoder
	}

	for i, group := range r.RequireAny {
		if len(group) < 2 {
			p.add(fmt.Sprintf("%s.require_any[%d]", at, i), "must list at least two arguments; mark a single one required instead")
		}
		for _, name := range group {
			if ref(fmt.Sprintf("%s.require_any[%d]", at, i), name) != nil && slices.Contains(in.Required, name) {
				p.add(fmt.Sprintf("%s.require_any[%d]", at, i), "lists %s, which is already required", name)
			}
		}
	}
	def.requireAny = r.RequireAny

	for _, name := range slices.Sorted(maps.Keys(in.Properties)) {
		if !used[name] {
			p.add(at, "never uses the input property %s", name)
		}
	}
}

// isScalarArray reports whether s is an array of strings, numbers or
// booleans, which a query or form carries by the request's arrays style.
func isScalarArray(s *schema) bool {
	return s.Type == typeArray && s.Items != nil && s.Items.Type != typeObject && s.Items.Type != typeArray
}

// typeSig names a schema's type as encoders declare it: "string",
// "string[]", and so on.
func typeSig(s *schema) string {
	if s.Type == typeArray && s.Items != nil {
		return s.Items.Type + "[]"
	}
	return s.Type
}

func compilePath(p *problems, at, tmpl string, in *schema, used map[string]bool) []pathPart {
	if !strings.HasPrefix(tmpl, "/") {
		p.add(at, "must start with /, got %q", tmpl)
		return nil
	}
	var parts []pathPart
	seen := map[string]bool{}
	last := 0
	locs := placeholderRE.FindAllStringSubmatchIndex(tmpl, -1)
	for i, loc := range locs {
		parts = append(parts, pathPart{literal: tmpl[last:loc[0]]})
		name := tmpl[loc[2]:loc[3]]
		rest := strings.HasSuffix(name, "...")
		name = strings.TrimSuffix(name, "...")
		last = loc[1]
		if rest && (i != len(locs)-1 || last != len(tmpl)) {
			p.add(at, "{%s...} must end the path", name)
		}
		if seen[name] {
			p.add(at, "has {%s} twice", name)
		}
		seen[name] = true
		s, ok := in.Properties[name]
		switch {
		case !ok:
			p.add(at, "has {%s}, which is not an input property", name)
			continue
		case rest && s.Type != typeString:
			p.add(at, "has {%s...}, which must be a string, not %s", name, s.Type)
		case s.Type != typeString && s.Type != typeInteger:
			p.add(at, "has {%s}, which must be a string or an integer, not %s", name, s.Type)
		case !slices.Contains(in.Required, name) && s.Default == nil:
			p.add(at, "has {%s}, which must be required or have a default", name)
		}
		used[name] = true
		parts = append(parts, pathPart{arg: name, rest: rest})
	}
	parts = append(parts, pathPart{literal: tmpl[last:]})
	for _, part := range parts {
		if part.arg == "" && !pathLiteralRE.MatchString(part.literal) {
			p.add(at, "has characters that must be escaped or that start a query or fragment: %q", part.literal)
		}
	}
	return parts
}

func compileGraphQL(p *problems, at string, def *toolDef, r RequestMapping, ref func(string, string) *schema) {
	if r.Method != http.MethodPost {
		p.add(at+".method", "must be POST for a GraphQL request")
	}
	q := strings.TrimSpace(r.GraphQL)
	if !strings.HasPrefix(q, "query") && !strings.HasPrefix(q, "mutation") {
		p.add(at+".graphql", `must start with "query" or "mutation"`)
	}
	if strings.Count(q, "{") != strings.Count(q, "}") || strings.Count(q, "(") != strings.Count(q, ")") {
		p.add(at+".graphql", "has unbalanced braces or parentheses")
	}
	def.graphql = q
	declared := map[string]bool{}
	for _, m := range gqlVarRE.FindAllStringSubmatch(q, -1) {
		declared[m[1]] = true
	}
	var given map[string]any
	if len(r.Variables) > 0 {
		def.variables = compileTemplate(p, at+".variables", r.Variables, ref)
		var ok bool
		if given, ok = def.variables.(map[string]any); !ok {
			p.add(at+".variables", "must be a JSON object")
		}
	}
	for _, k := range slices.Sorted(maps.Keys(given)) {
		if !declared[k] {
			p.add(at+".variables", "sets %s, which the query does not declare as $%s", k, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(declared)) {
		if _, ok := given[k]; !ok {
			p.add(at+".graphql", "declares $%s, which variables never set", k)
		}
	}
}

// compileTemplate decodes a JSON template and checks its references.
func compileTemplate(p *problems, at string, raw json.RawMessage, ref func(string, string) *schema) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		p.add(at, "%v", err)
		return nil
	}
	walkRefs(v, func(name string) { ref(at, name) })
	return v
}

// refName reports whether s is a "$arg" reference, and to what.
func refName(s string) (string, bool) {
	if !strings.HasPrefix(s, "$") || strings.HasPrefix(s, "$$") {
		return "", false
	}
	return s[1:], true
}

// literal returns the constant a non-reference string stands for.
func literal(s string) string {
	if strings.HasPrefix(s, "$$") {
		return s[1:]
	}
	return s
}

// walkRefs calls fn with every reference in a template.
func walkRefs(v any, fn func(string)) {
	switch v := v.(type) {
	case string:
		if name, ok := refName(v); ok {
			fn(name)
		}
	case []any:
		for _, e := range v {
			walkRefs(e, fn)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			walkRefs(v[k], fn)
		}
	}
}

func compact(raw json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return slices.Clone(raw)
	}
	return buf.Bytes()
}
