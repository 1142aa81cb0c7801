package toolkits

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
)

//go:embed defs/*.json defs/tools/*.json
var defs embed.FS

// Catalog is a validated, read-only set of toolkits and their tools. It is
// safe for concurrent use.
//
// The toolkits and tools it returns share their slices and maps with the
// catalog, and with every other caller: treat them as read-only. (Their
// slices are clipped, so an append makes a copy.) Tool execution looks
// them up on every call, and copying them showed in its profile.
type Catalog struct {
	bySlug map[string]Toolkit
	sorted []Toolkit

	tools    map[string]Tool // by slug, upper case
	toolList []Tool          // sorted by slug
	index    searchIndex     // over toolList
}

// Builtin returns the catalog of the toolkits embedded in the binary. It
// fails only if a definition is broken, which the package's tests rule out.
func Builtin() (*Catalog, error) {
	sub, err := fs.Sub(defs, "defs")
	if err != nil {
		return nil, fmt.Errorf("toolkits: open embedded definitions: %w", err)
	}
	return Load(sub)
}

// Load parses and validates every *.json file at the root of fsys, one
// toolkit per file named after its slug, and every tools/*.json file, the
// tools of one toolkit per file named after the toolkit's slug, and returns
// them as a catalog. Unknown JSON fields are errors, so a misspelt key is
// not silently dropped. The error lists every problem found, each prefixed
// with its file and field.
func Load(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("toolkits: list definitions: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("toolkits: no definitions (*.json) found")
	}
	c := &Catalog{bySlug: make(map[string]Toolkit, len(names)), tools: map[string]Tool{}}
	var errs []error
	for _, name := range names {
		t, err := parse(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if _, dup := c.bySlug[t.Slug]; dup {
			errs = append(errs, fmt.Errorf("toolkits: %s: slug %q is defined twice", name, t.Slug))
			continue
		}
		c.bySlug[t.Slug] = t
		c.sorted = append(c.sorted, t)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if errs := c.loadTools(fsys); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	tkNames := map[string]string{}
	for slug, tk := range c.bySlug {
		tkNames[slug] = tk.Name
	}
	for _, t := range c.toolList {
		tk := c.bySlug[t.Toolkit]
		tk.ToolsCount++
		c.bySlug[t.Toolkit] = tk
	}
	for slug, tk := range c.bySlug {
		c.bySlug[slug] = tk.clip()
	}
	for i, tk := range c.sorted {
		c.sorted[i] = c.bySlug[tk.Slug]
	}
	slices.SortFunc(c.sorted, func(a, b Toolkit) int { return cmp.Compare(a.Slug, b.Slug) })
	c.index = buildIndex(c.toolList, tkNames)
	return c, nil
}

func parse(fsys fs.FS, name string) (Toolkit, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return Toolkit{}, fmt.Errorf("toolkits: read %s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var t Toolkit
	if err := dec.Decode(&t); err != nil {
		return Toolkit{}, fmt.Errorf("toolkits: %s: %w", name, err)
	}
	if dec.More() {
		return Toolkit{}, fmt.Errorf("toolkits: %s: more than one JSON value", name)
	}
	if problems := validate(t); len(problems) > 0 {
		return Toolkit{}, fmt.Errorf("toolkits: %s: %s", name, strings.Join(problems, "; "))
	}
	if want := t.Slug + ".json"; path.Base(name) != want {
		return Toolkit{}, fmt.Errorf("toolkits: %s: file name must be %s, after the slug", name, want)
	}
	return t, nil
}

// Get returns the toolkit with the given slug, matched without regard to
// case, as Composio matches slugs.
func (c *Catalog) Get(slug string) (Toolkit, bool) {
	t, ok := c.bySlug[strings.ToLower(slug)]
	if !ok {
		return Toolkit{}, false
	}
	return t, true
}

// List returns every toolkit, sorted by slug.
func (c *Catalog) List() []Toolkit {
	return slices.Clone(c.sorted)
}

// Tool returns the tool with the given slug, matched without regard to
// case.
func (c *Catalog) Tool(slug string) (Tool, bool) {
	t, ok := c.tools[strings.ToUpper(slug)]
	if !ok {
		return Tool{}, false
	}
	return t, true
}

// Tools returns the tools of the given toolkits (slugs matched without
// regard to case), or every tool when none is given, sorted by slug.
func (c *Catalog) Tools(toolkitSlugs ...string) []Tool {
	out := []Tool{}
	for _, t := range c.toolList {
		if len(toolkitSlugs) == 0 || slices.ContainsFunc(toolkitSlugs, func(s string) bool { return strings.EqualFold(s, t.Toolkit) }) {
			out = append(out, t)
		}
	}
	return out
}

var (
	slugRE       = regexp.MustCompile(`^[a-z0-9][a-z0-9_]*$`)
	categoryRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	fieldNameRE  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	headerNameRE = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	queryNameRE  = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

// reservedAuthorizeParams are the authorization request parameters that
// the flow itself sets (RFC 6749 §4.1.1, RFC 7636 §4.3); a definition may
// not override them.
var reservedAuthorizeParams = []string{
	"client_id", "redirect_uri", "response_type", "scope", "state",
	"code_challenge", "code_challenge_method",
}

// validate returns every problem with t, each naming its field.
func validate(t Toolkit) []string {
	var p problems
	if !slugRE.MatchString(t.Slug) {
		p.add("slug", "must match %s, got %q", slugRE, t.Slug)
	}
	p.nonEmpty("name", t.Name)
	p.nonEmpty("description", t.Description)
	p.httpsURL("logo", t.Logo)
	p.httpsURL("base_url", t.BaseURL)
	if strings.HasSuffix(t.BaseURL, "/") {
		p.add("base_url", "must not end with /")
	}
	if len(t.Categories) == 0 {
		p.add("categories", "must list at least one category")
	}
	for i, c := range t.Categories {
		if !categoryRE.MatchString(c.Slug) {
			p.add(fmt.Sprintf("categories[%d].slug", i), "must match %s, got %q", categoryRE, c.Slug)
		}
		p.nonEmpty(fmt.Sprintf("categories[%d].name", i), c.Name)
	}
	for _, k := range slices.Sorted(maps.Keys(t.Headers)) {
		if !headerNameRE.MatchString(k) || t.Headers[k] == "" {
			p.add("headers", "%q must be a header name with a non-empty value", k)
		}
	}

	if len(t.AuthSchemes) == 0 {
		p.add("auth_schemes", "must list at least one scheme")
	}
	seen := map[Mode]bool{}
	for i, s := range t.AuthSchemes {
		at := fmt.Sprintf("auth_schemes[%d]", i)
		if seen[s.Mode] {
			p.add(at+".mode", "%s is listed twice", s.Mode)
		}
		seen[s.Mode] = true
		validateScheme(&p, at, s)
	}

	if id := t.Identity; id != nil {
		validateIdentity(&p, t, *id)
	}
	return p
}

func validateScheme(p *problems, at string, s AuthScheme) {
	switch s.Mode {
	case ModeOAuth2:
		if s.OAuth2 == nil {
			p.add(at+".oauth2", "is required for mode OAUTH2")
			return
		}
		if len(s.Fields) > 0 {
			p.add(at+".fields", "must be empty for OAUTH2: client credentials belong to the auth config")
		}
		if s.Apply.Header == "" || s.Apply.Query != "" || s.Apply.Field != "access_token" {
			p.add(at+".apply", `must name a header and the field "access_token"`)
		}
		validateOAuth2(p, at+".oauth2", *s.OAuth2)
		return
	case ModeAPIKey, ModeBearerToken, ModeBasic:
	default:
		p.add(at+".mode", "must be one of OAUTH2, API_KEY, BEARER_TOKEN, BASIC, got %q", s.Mode)
		return
	}
	if s.OAuth2 != nil {
		p.add(at+".oauth2", "is only allowed for mode OAUTH2")
	}
	if len(s.Fields) == 0 {
		p.add(at+".fields", "must list the connection form's fields for %s", s.Mode)
	}
	fields := map[string]Field{}
	for j, f := range s.Fields {
		fat := fmt.Sprintf("%s.fields[%d]", at, j)
		if !fieldNameRE.MatchString(f.Name) {
			p.add(fat+".name", "must match %s, got %q", fieldNameRE, f.Name)
		}
		if _, dup := fields[f.Name]; dup {
			p.add(fat+".name", "%q is listed twice", f.Name)
		}
		fields[f.Name] = f
		p.nonEmpty(fat+".display_name", f.DisplayName)
		p.nonEmpty(fat+".description", f.Description)
		if f.Type != "string" {
			p.add(fat+".type", `must be "string", got %q`, f.Type)
		}
	}
	if s.Mode == ModeBasic {
		// RFC 7617 §2: the header is built from exactly these two fields.
		if !fields["username"].Required || !fields["password"].Required || !fields["password"].Secret {
			p.add(at+".fields", `BASIC needs a required "username" and a required, secret "password"`)
		}
		if s.Apply != (Apply{}) {
			p.add(at+".apply", "must be empty for BASIC, which always sends an RFC 7617 Authorization header")
		}
		return
	}
	switch {
	case (s.Apply.Header == "") == (s.Apply.Query == ""):
		p.add(at+".apply", "must name either a header or a query parameter")
	case s.Apply.Header != "" && !headerNameRE.MatchString(s.Apply.Header):
		p.add(at+".apply.header", "must be a header name, got %q", s.Apply.Header)
	case s.Apply.Query != "" && !queryNameRE.MatchString(s.Apply.Query):
		p.add(at+".apply.query", "must be a query parameter name, got %q", s.Apply.Query)
	}
	if f, ok := fields[s.Apply.Field]; !ok || !f.Required || !f.Secret {
		p.add(at+".apply.field", "must name a required, secret field of the scheme, got %q", s.Apply.Field)
	}
}

func validateOAuth2(p *problems, at string, o OAuth2Spec) {
	p.httpsURL(at+".authorization_url", o.AuthorizationURL)
	p.httpsURL(at+".token_url", o.TokenURL)
	switch o.ScopeSeparator {
	case " ", ",":
		if len(o.DefaultScopes) == 0 {
			p.add(at+".default_scopes", "must not be empty for a provider with scopes (scope_separator %q)", o.ScopeSeparator)
		}
		if o.ScopeParam == "" {
			p.add(at+".scope_param", "must name the scope parameter, usually \"scope\"")
		}
	case "":
		if len(o.DefaultScopes) > 0 || o.ScopeParam != "" {
			p.add(at+".default_scopes", "must be empty, with no scope_param, when scope_separator is empty (a provider without scopes)")
		}
	default:
		p.add(at+".scope_separator", `must be " ", "," or "" (no scopes), got %q`, o.ScopeSeparator)
	}
	seen := map[string]bool{}
	for i, s := range o.DefaultScopes {
		if s == "" || strings.ContainsAny(s, " ,") {
			p.add(fmt.Sprintf("%s.default_scopes[%d]", at, i), "must be non-empty, without spaces or commas, got %q", s)
		}
		if seen[s] {
			p.add(fmt.Sprintf("%s.default_scopes[%d]", at, i), "%q is listed twice", s)
		}
		seen[s] = true
	}
	if o.TokenEncoding != TokenForm && o.TokenEncoding != TokenJSON {
		p.add(at+".token_encoding", `must be "form" or "json", got %q`, o.TokenEncoding)
	}
	if o.TokenAuth != AuthInParams && o.TokenAuth != AuthInHeader {
		p.add(at+".token_auth", `must be "params" or "header", got %q`, o.TokenAuth)
	}
	if o.TokenResponsePath != "" {
		if msg := checkPathExpr(o.TokenResponsePath); msg != "" || strings.Contains(o.TokenResponsePath, "|") {
			p.add(at+".token_response_path", "must be one dotted path, got %q", o.TokenResponsePath)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(o.AuthorizeParams)) {
		if slices.Contains(reservedAuthorizeParams, k) || k == o.ScopeParam {
			p.add(at+".authorize_params", "must not set %q, which the flow sets itself", k)
		}
	}
}

func validateIdentity(p *problems, t Toolkit, id Identity) {
	const at = "identity"
	p.httpsURL(at+".url", id.URL)
	switch id.Method {
	case http.MethodGet:
		if len(id.Body) > 0 {
			p.add(at+".body", "is only allowed with method POST")
		}
	case http.MethodPost:
		if len(id.Body) > 0 {
			var obj map[string]any
			if err := json.Unmarshal(id.Body, &obj); err != nil {
				p.add(at+".body", "must be a JSON object")
			}
		}
	default:
		p.add(at+".method", "must be GET or POST, got %q", id.Method)
	}
	switch id.Source {
	case FromEndpoint:
	case FromTokenResponse:
		for _, s := range t.AuthSchemes {
			if s.Mode != ModeOAuth2 {
				p.add(at+".source", "token_response needs every auth scheme to be OAUTH2, but %s has no token response", s.Mode)
			}
		}
	default:
		p.add(at+".source", `must be "endpoint" or "token_response", got %q`, id.Source)
	}
	if msg := checkPathExpr(id.Display); msg != "" {
		p.add(at+".display", "%s", msg)
	}
	if id.Workspace != "" {
		if msg := checkPathExpr(id.Workspace); msg != "" {
			p.add(at+".workspace", "%s", msg)
		}
	}
	if len(id.ID) == 0 {
		p.add(at+".id", "must list at least one path to a stable id")
	}
	for i, expr := range id.ID {
		if msg := checkPathExpr(expr); msg != "" {
			p.add(fmt.Sprintf("%s.id[%d]", at, i), "%s", msg)
		}
	}
	if len(id.RequiresAnyScope) > 0 {
		for _, s := range t.AuthSchemes {
			if s.OAuth2 == nil {
				continue
			}
			if !slices.ContainsFunc(id.RequiresAnyScope, func(want string) bool {
				return slices.Contains(s.OAuth2.DefaultScopes, want)
			}) {
				p.add(at+".requires_any_scope", "the OAUTH2 default scopes include none of %q, so the identity request would be refused", id.RequiresAnyScope)
			}
		}
	}
}

// problems collects validation messages, each prefixed with its field.
type problems []string

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, field+": "+fmt.Sprintf(format, args...))
}

func (p *problems) nonEmpty(field, v string) {
	if strings.TrimSpace(v) == "" {
		p.add(field, "must not be empty")
	}
}

func (p *problems) httpsURL(field, v string) {
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" {
		p.add(field, "must be an absolute https URL, got %q", v)
	}
}
