package openapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// builder makes tools from operations.
type builder struct {
	doc    *openapi3.T
	opts   Options
	base   string
	prefix string
	slugs  map[string]bool
	// oauthScheme is the security scheme that became the toolkit's OAUTH2
	// scheme: the scopes an operation's requirement lists for it are the
	// tool's scopes.
	oauthScheme string
}

var (
	placeholderRE = regexp.MustCompile(`\{([^{}]*)\}`)
	pathLiteralRE = regexp.MustCompile(`^[A-Za-z0-9/._~:@!$&'()*+,;=-]*$`)
	argBadRE      = regexp.MustCompile(`[^A-Za-z0-9_]+`)
)

// inputs collects a tool's arguments and where they go.
type inputs struct {
	conv     *converter
	props    map[string]*node
	required []string
	query    map[string]string
	form     map[string]string
	headers  map[string]string
	body     map[string]string
	arrays   string
	skip     string // why the operation cannot be a tool
}

// Argument names. Each argument is named after its parameter or body
// field, made a valid name (characters other than letters, digits and _
// become _). Arguments are named in the order path, query, body; one whose
// name is taken already gets its location appended ("name_body",
// "page_query"), then a number.
func (in *inputs) add(key, loc, desc string, n *node, required bool) string {
	want := argBadRE.ReplaceAllString(key, "_")
	if want == "" || want[0] >= '0' && want[0] <= '9' {
		want = "_" + want
	}
	name := want
	if _, taken := in.props[name]; taken {
		name = want + "_" + loc
		for i := 2; in.props[name] != nil; i++ {
			name = fmt.Sprintf("%s_%s%d", want, loc, i)
		}
		in.conv.note(loc+"."+key, "argument named %s: %s is taken by an argument from another location", name, want)
	} else if name != key {
		in.conv.note(loc+"."+key, "argument named %s, a valid argument name", name)
	}
	n.Description = strings.TrimSpace(orText(desc, n.Description))
	if n.Description == "" {
		n.Description = fmt.Sprintf("The %s %s.", key, locWords[loc])
	}
	in.props[name] = n
	if required {
		in.required = append(in.required, name)
	}
	return name
}

var locWords = map[string]string{"path": "path parameter", "query": "query parameter", "body": "request body field", "form": "form field"}

// unsupported drops an optional input the catalog cannot express, or marks
// the operation as one that cannot be a tool if the input is required.
func (in *inputs) unsupported(at string, required bool, why string) {
	if required {
		if in.skip == "" {
			in.skip = at + " is required, but " + why
		}
		return
	}
	in.conv.note(at, "dropped: %s", why)
}

func (in *inputs) setArrays(at, style string) {
	switch {
	case in.arrays == "":
		in.arrays = style
	case in.arrays != style:
		in.conv.note(at, "arrays go %s for this tool, as an earlier parameter's do, not %s as the document says", in.arrays, style)
	}
}

// tool makes the tool of one operation, with its simplifications, or says
// why it cannot.
func (b *builder) tool(o operation) (Tool, []string, string) {
	switch o.method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return Tool{}, nil, fmt.Sprintf("method %s is not supported; tools are GET, POST, PUT, PATCH or DELETE", o.method)
	}
	if srv := operationServers(o); len(srv) > 0 {
		same := false
		for _, s := range srv {
			if u, _, err := expandServer(s, b.opts.ServerVariables); err == nil && strings.TrimRight(u, "/") == b.base {
				same = true
			}
		}
		if !same && b.opts.BaseURL == "" {
			return Tool{}, nil, fmt.Sprintf("the operation has its own server %s, not the toolkit's %s", srv[0].URL, b.base)
		}
	}
	in := &inputs{conv: newConverter(false), props: map[string]*node{}, query: map[string]string{}, form: map[string]string{}, headers: map[string]string{}, body: map[string]string{}}
	params := parameters(o)
	path, reason := b.pathArgs(in, o.path, params)
	if reason != "" {
		return Tool{}, nil, reason
	}
	secured := b.doc.Security
	if o.op.Security != nil {
		secured = *o.op.Security
	}
	for _, p := range params {
		if p.In != openapi3.ParameterInPath && b.credential(p.In, p.Name, len(secured) > 0) {
			in.conv.note(p.In+"."+p.Name, "dropped: it carries the credential, which the auth scheme sends")
			continue
		}
		switch p.In {
		case openapi3.ParameterInQuery:
			b.queryArg(in, p)
		case openapi3.ParameterInHeader:
			b.headerArg(in, p)
		case openapi3.ParameterInCookie:
			in.unsupported("cookie."+p.Name, p.Required, "the catalog sends no cookies")
		}
	}
	b.bodyArgs(in, o, len(secured) > 0)
	if in.skip != "" {
		return Tool{}, nil, in.skip
	}

	input := &node{Type: tObject, Properties: in.props, Required: in.required}
	if len(input.Properties) == 0 {
		input.Properties = nil
	}
	req := Request{Method: o.method, Path: path, Arrays: in.arrays}
	if len(in.query) > 0 {
		req.Query = in.query
	}
	if len(in.form) > 0 {
		req.Form = in.form
	}
	if len(in.headers) > 0 {
		req.Headers = in.headers
	}
	if len(in.body) > 0 {
		req.Body = mustJSON(in.body)
	}
	if req.Arrays != "" && !usesArrays(in) {
		req.Arrays = ""
	}

	output := outputSchema(o.op)
	t := Tool{
		Slug:       b.slug(o, in.conv),
		Name:       toolName(o),
		Tags:       tags(o.method),
		Input:      mustJSON(input),
		Output:     mustJSON(output),
		Request:    req,
		Pagination: pagination(o, in, output),
	}
	t.Scopes = b.scopes(secured)
	t.Description = strings.TrimSpace(orText(o.op.Description, o.op.Summary))
	t.Description = orText(t.Description, t.Name)
	if o.op.Deprecated {
		t.Description = "Deprecated. " + t.Description
	}
	return t, in.conv.notes, ""
}

// scopes are the OAuth 2.0 scopes the operation's security requirements
// list for the toolkit's OAUTH2 scheme, sorted; none when the document
// lists none or the scheme is not the toolkit's.
func (b *builder) scopes(reqs openapi3.SecurityRequirements) []string {
	if b.oauthScheme == "" {
		return nil
	}
	var out []string
	for _, req := range reqs {
		for _, s := range req[b.oauthScheme] {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	slices.Sort(out)
	return out
}

// usesArrays reports whether some query or form argument is an array, so
// that the request must say how arrays are sent.
func usesArrays(in *inputs) bool {
	for _, m := range []map[string]string{in.query, in.form} {
		for _, v := range m {
			if n := in.props[strings.TrimPrefix(v, "$")]; n != nil && n.Type == tArray {
				return true
			}
		}
	}
	return false
}

func operationServers(o operation) openapi3.Servers {
	if o.op.Servers != nil && len(*o.op.Servers) > 0 {
		return *o.op.Servers
	}
	return o.item.Servers
}

// credentialNames are the parameter names that carry a credential when the
// operation requires authentication: Slack's documents give every method a
// "token" parameter beside the OAuth 2.0 scheme.
var credentialNames = []string{"token", "access_token", "api_key", "apikey"}

// credential reports whether the parameter (or form field) in at name
// carries the credential that an auth scheme sends: the Authorization
// header, the header or query parameter of an apiKey scheme, or one of
// credentialNames on an operation that requires authentication.
func (b *builder) credential(in, name string, secured bool) bool {
	if in == openapi3.ParameterInHeader && strings.EqualFold(name, "Authorization") {
		return true
	}
	if b.doc.Components != nil {
		for _, ref := range b.doc.Components.SecuritySchemes {
			if s := ref.Value; s != nil && strings.EqualFold(s.Type, "apiKey") && s.In == in && strings.EqualFold(s.Name, name) {
				return true
			}
		}
	}
	return secured && slices.ContainsFunc(credentialNames, func(c string) bool { return strings.EqualFold(c, name) })
}

// parameters merges the path item's parameters with the operation's, which
// override them by name and location.
func parameters(o operation) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	idx := map[string]int{}
	for _, list := range []openapi3.Parameters{o.item.Parameters, o.op.Parameters} {
		for _, r := range list {
			if r == nil || r.Value == nil {
				continue
			}
			k := r.Value.In + " " + r.Value.Name
			if i, ok := idx[k]; ok {
				out[i] = r.Value
				continue
			}
			idx[k] = len(out)
			out = append(out, r.Value)
		}
	}
	return out
}

// paramSchema is a parameter's schema: its own, or its content's.
func paramSchema(p *openapi3.Parameter) *openapi3.SchemaRef {
	if p.Schema != nil {
		return p.Schema
	}
	for _, k := range slices.Sorted(maps.Keys(p.Content)) {
		if mt := p.Content[k]; mt != nil && mt.Schema != nil {
			return mt.Schema
		}
	}
	return nil
}

// pathArgs makes an argument of every path placeholder and returns the
// path with the placeholders renamed after their arguments.
func (b *builder) pathArgs(in *inputs, path string, params []*openapi3.Parameter) (string, string) {
	for _, lit := range placeholderRE.Split(path, -1) {
		if !pathLiteralRE.MatchString(lit) {
			return "", fmt.Sprintf("the path has characters a request path cannot carry unescaped: %q", lit)
		}
	}
	var reason string
	out := placeholderRE.ReplaceAllStringFunc(path, func(m string) string {
		key := m[1 : len(m)-1]
		i := slices.IndexFunc(params, func(p *openapi3.Parameter) bool { return p.In == openapi3.ParameterInPath && p.Name == key })
		if i < 0 {
			if reason == "" {
				reason = fmt.Sprintf("the path placeholder {%s} has no path parameter", key)
			}
			return m
		}
		p := params[i]
		n := in.conv.convert("path."+key, paramSchema(p), preferScalar, 0)
		switch n.Type {
		case tString, tInteger:
		case tNumber, tBoolean:
			in.conv.note("path."+key, "a %s path parameter taken as a string", n.Type)
			n = &node{Type: tString, Description: n.Description}
		default:
			if reason == "" {
				reason = fmt.Sprintf("the path parameter %s is an %s, which a path placeholder cannot take", key, n.Type)
			}
			return m
		}
		return "{" + in.add(key, "path", p.Description, n, true) + "}"
	})
	for _, p := range params {
		if p.In == openapi3.ParameterInPath && !strings.Contains(path, "{"+p.Name+"}") {
			in.conv.note("path."+p.Name, "dropped: the path has no placeholder for it")
		}
	}
	return out, reason
}

func explodes(style string, explode *bool) bool {
	if explode != nil {
		return *explode
	}
	return style == "" || style == "form"
}

func (b *builder) queryArg(in *inputs, p *openapi3.Parameter) {
	at := "query." + p.Name
	n := in.conv.convert(at, paramSchema(p), preferScalar, 0)
	switch {
	case n.scalar():
		in.query[p.Name] = "$" + in.add(p.Name, "query", p.Description, n, p.Required)
	case n.Type == tArray:
		if n.Items == nil {
			n.Items = &node{Type: tString}
			in.conv.note(at, "array items without a schema taken as strings")
		}
		if !n.Items.scalar() {
			in.unsupported(at, p.Required, "a query string cannot carry an array of "+n.Items.Type+"s")
			return
		}
		key := p.Name
		switch {
		case p.Style == "deepObject":
			key += "[]"
			in.setArrays(at, "repeat")
		case p.Style == "spaceDelimited" || p.Style == "pipeDelimited":
			in.conv.note(at, "a %s array is sent comma-separated", p.Style)
			in.setArrays(at, "comma")
		case explodes(p.Style, p.Explode):
			in.setArrays(at, "repeat")
		default:
			in.setArrays(at, "comma")
		}
		in.query[key] = "$" + in.add(p.Name, "query", p.Description, n, p.Required)
	case n.Type == tObject:
		if len(n.Properties) == 0 {
			in.unsupported(at, p.Required, "a free-form object has no keys a query string can name")
			return
		}
		// An object parameter is one query parameter per property:
		// "name[prop]" for style deepObject, else "prop" (form, exploded).
		in.conv.note(at, "object parameter split into one argument per property")
		for _, k := range slices.Sorted(maps.Keys(n.Properties)) {
			sub := n.Properties[k]
			key := k
			if p.Style == "deepObject" {
				key = p.Name + "[" + k + "]"
			}
			req := p.Required && slices.Contains(n.Required, k)
			if !sub.scalar() {
				in.unsupported(at+"."+k, req, "a query string cannot carry a nested "+sub.Type)
				continue
			}
			in.query[key] = "$" + in.add(p.Name+"_"+k, "query", sub.Description, sub, req)
		}
	}
}

// headerArg turns a header parameter with one possible value (a default
// or a one-member enum) into a constant header; the catalog's headers are
// constants.
func (b *builder) headerArg(in *inputs, p *openapi3.Parameter) {
	at := "header." + p.Name
	n := in.conv.convert(at, paramSchema(p), preferScalar, 0)
	var v any
	switch {
	case n.Default != nil:
		v = n.Default
	case len(n.Enum) == 1:
		v = n.Enum[0]
	}
	if v == nil || !n.scalar() || !headerNameRE.MatchString(p.Name) {
		in.unsupported(at, p.Required, "a header takes a constant value only, and the document gives none")
		return
	}
	s := fmt.Sprint(v)
	if strings.HasPrefix(s, "$") {
		s = "$" + s // "$$" escapes a literal "$"
	}
	in.headers[p.Name] = s
	in.conv.note(at, "sent as the constant %q", fmt.Sprint(v))
}

// pickMedia chooses the request body's media type: JSON first, then a
// form.
func pickMedia(content openapi3.Content) (string, *openapi3.MediaType) {
	keys := slices.Sorted(maps.Keys(content))
	for _, want := range []func(string) bool{
		func(k string) bool { return k == "application/json" },
		isJSONMedia,
		func(k string) bool { return k == "application/x-www-form-urlencoded" },
		func(k string) bool { return k == "*/*" },
	} {
		for _, k := range keys {
			base := strings.TrimSpace(strings.SplitN(strings.ToLower(k), ";", 2)[0])
			if want(base) && content[k] != nil {
				return base, content[k]
			}
		}
	}
	return "", nil
}

func isJSONMedia(k string) bool {
	return k == "application/json" || strings.HasSuffix(k, "+json")
}

func (b *builder) bodyArgs(in *inputs, o operation, secured bool) {
	if o.op.RequestBody == nil || o.op.RequestBody.Value == nil {
		return
	}
	rb := o.op.RequestBody.Value
	media, mt := pickMedia(rb.Content)
	switch {
	case mt == nil:
		in.unsupported("body", rb.Required, "the body is "+strings.Join(slices.Sorted(maps.Keys(rb.Content)), ", ")+", not JSON or a URL-encoded form")
		return
	case o.method == http.MethodGet || o.method == http.MethodDelete:
		in.unsupported("body", rb.Required, "the catalog sends no body with "+o.method)
		return
	}
	n := in.conv.convert("body", mt.Schema, preferFirst, 0)
	switch {
	case n.Type != tObject:
		in.unsupported("body", rb.Required, "the body is a JSON "+n.Type+", and a tool's body is an object of its arguments")
		return
	case len(n.Properties) == 0:
		in.unsupported("body", rb.Required, "a free-form object body has no fields to make arguments of")
		return
	}
	form := media == "application/x-www-form-urlencoded"
	if !rb.Required && len(n.Required) > 0 {
		// Documents often leave a body that the operation needs unmarked
		// (Swagger 2.0 has no way to mark a form body), so the body's own
		// required fields are required arguments.
		in.conv.note("body", "the body is not marked required; its required fields %s are required arguments", strings.Join(n.Required, ", "))
	}
	for _, k := range slices.Sorted(maps.Keys(n.Properties)) {
		req := slices.Contains(n.Required, k)
		if !form {
			in.body[k] = "$" + in.add(k, "body", "", n.Properties[k], req)
			continue
		}
		if b.credential("form", k, secured) {
			in.conv.note("form."+k, "dropped: it carries the credential, which the auth scheme sends")
			continue
		}
		enc := mt.Encoding[k]
		deep := enc != nil && enc.Style == "deepObject"
		b.formArg(in, k, k, n.Properties[k], req, deep, 0)
	}
}

// formArg maps one form field. With style deepObject (Stripe's), an object
// is one field per property, "key[prop]", and an array of scalars repeats
// "key[]"; without a style the catalog sends objects as JSON text (Slack's
// convention).
func (b *builder) formArg(in *inputs, key, name string, n *node, required, deep bool, depth int) {
	at := "form." + key
	switch {
	case n.scalar():
		in.form[key] = "$" + in.add(name, "form", "", n, required)
	case n.Type == tArray:
		if n.Items == nil {
			n.Items = &node{Type: tString}
			in.conv.note(at, "array items without a schema taken as strings")
		}
		if !n.Items.scalar() {
			if deep {
				in.unsupported(at, required, "an array of objects in a deepObject form (key[0][field]) cannot be expressed")
				return
			}
			in.conv.note(at, "an array of %ss is sent as JSON text", n.Items.Type)
			in.form[key] = "$" + in.add(name, "form", "", n, required)
			return
		}
		if deep {
			key += "[]"
		}
		in.setArrays(at, "repeat")
		in.form[key] = "$" + in.add(name, "form", "", n, required)
	case n.Type == tObject:
		if !deep {
			in.conv.note(at, "an object is sent as JSON text")
			in.form[key] = "$" + in.add(name, "form", "", n, required)
			return
		}
		if len(n.Properties) == 0 {
			in.unsupported(at, required, "a deepObject form field with free-form keys (key[any]) cannot be expressed")
			return
		}
		if depth >= 2 {
			in.unsupported(at, required, "deepObject nesting deeper than three levels is not expressed")
			return
		}
		in.conv.note(at, "deepObject field split into one argument per property")
		for _, k := range slices.Sorted(maps.Keys(n.Properties)) {
			b.formArg(in, key+"["+k+"]", name+"_"+k, n.Properties[k], required && slices.Contains(n.Required, k), true, depth+1)
		}
	}
}

// outputSchema describes the operation's success answer as the tool's
// result: an object as it is; an array or other value as {"items": value}
// and a body that isn't JSON as {"text": body}, as ParseResponse has it.
func outputSchema(op *openapi3.Operation) *node {
	if op.Responses == nil {
		return &node{Type: tObject}
	}
	rs := op.Responses.Map()
	var codes []string
	for _, c := range []string{"200", "201", "202", "203", "206"} {
		if rs[c] != nil {
			codes = append(codes, c)
		}
	}
	for _, c := range slices.Sorted(maps.Keys(rs)) {
		if strings.HasPrefix(c, "2") && !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	for _, c := range codes {
		r := rs[c]
		if r == nil || r.Value == nil || len(r.Value.Content) == 0 {
			continue
		}
		var mt *openapi3.MediaType
		for _, k := range slices.Sorted(maps.Keys(r.Value.Content)) {
			if isJSONMedia(strings.TrimSpace(strings.SplitN(strings.ToLower(k), ";", 2)[0])) {
				mt = r.Value.Content[k]
				break
			}
		}
		if mt == nil {
			return &node{Type: tObject, Properties: map[string]*node{"text": {Type: tString, Description: "The answer's body, which is not JSON."}}}
		}
		n := newConverter(true).convert("output", mt.Schema, preferFirst, 0)
		if n.Type == tObject {
			return n
		}
		return &node{Type: tObject, Description: "The API answers with a JSON " + n.Type + ", returned as items.", Properties: map[string]*node{"items": n}}
	}
	return &node{Type: tObject}
}

// slug is the prefix and the operation id in upper snake case, or the
// method and path without one, made unique with a number.
func (b *builder) slug(o operation, conv *converter) string {
	id := o.op.OperationID
	if id == "" {
		id = o.method + " " + placeholderRE.ReplaceAllString(o.path, "$1")
	}
	s := b.prefix + strings.ToUpper(snake(id))
	s = strings.TrimRight(s, "_")
	if s+"_" == b.prefix {
		s += "_" + o.method
	}
	base := s
	for i := 2; b.slugs[s]; i++ {
		s = fmt.Sprintf("%s_%d", base, i)
	}
	if s != base {
		conv.note("slug", "%s is taken by another operation; this tool is %s", base, s)
	}
	b.slugs[s] = true
	return s
}

func toolName(o operation) string {
	if s := strings.Join(strings.Fields(o.op.Summary), " "); s != "" {
		return s
	}
	if o.op.OperationID != "" {
		words := strings.Split(strings.ToLower(snake(o.op.OperationID)), "_")
		words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
		return strings.Join(words, " ")
	}
	return o.method + " " + o.path
}

// tags are the MCP hints a method implies: GET reads, DELETE destroys
// (idempotently, RFC 9110 §9.2.2), PUT is idempotent; every imported tool
// reaches an outside service.
func tags(method string) []string {
	switch method {
	case http.MethodGet:
		return []string{toolkits.TagReadOnly, toolkits.TagOpenWorld}
	case http.MethodDelete:
		return []string{toolkits.TagDestructive, toolkits.TagIdempotent, toolkits.TagOpenWorld}
	case http.MethodPut:
		return []string{toolkits.TagIdempotent, toolkits.TagOpenWorld}
	}
	return []string{toolkits.TagOpenWorld}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		// Values are built here from strings, numbers and decoded JSON.
		panic(fmt.Sprintf("openapi: encode: %v", err))
	}
	return b
}
