package toolkits

import (
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
	"runtime"
	"slices"
	"strings"
	"sync"
)

//go:embed defs/*.json
var defs embed.FS

// Catalog is a validated, read-only set of toolkits and their tools. It is
// safe for concurrent use. A Catalog never changes; a Registry holds the
// catalog in use when toolkits are reloaded.
//
// The toolkits and tools it returns share their slices and maps with the
// catalog, and with every other caller: treat them as read-only. (Their
// slices are clipped, so an append makes a copy.) Tool execution looks
// them up on every call, and copying them showed in its profile.
type Catalog struct {
	bySlug map[string]Toolkit
	sorted []Toolkit
	files  map[string]string // toolkit slug -> the file that defined it

	tools    map[string]Tool // by slug, upper case
	toolList []Tool          // sorted by slug
	index    searchIndex     // over toolList
}

// Current returns c: a Catalog is the Source of itself, for callers whose
// toolkits never change (tests, a server without a toolkits directory).
func (c *Catalog) Current() *Catalog { return c }

// BuiltinDefinitions returns the definitions of the toolkits embedded in
// the binary, named defs/<slug>.json.
func BuiltinDefinitions() ([]Definition, error) {
	return ParseFS(defs, "defs")
}

// Builtin returns the catalog of the toolkits embedded in the binary. It
// fails only if a definition is broken, which the package's tests rule out.
// The catalog is built once per process, its files parsed in parallel:
// building it is most of a server's start.
func Builtin() (*Catalog, error) { return builtinCatalog() }

var builtinCatalog = sync.OnceValues(func() (*Catalog, error) {
	out, err := parseDir(defs, "defs")
	if err != nil {
		return nil, err
	}
	c, ps := (&Catalog{}).with(out, nil)
	if len(ps) > 0 {
		return nil, ps
	}
	return c, nil
})

// ParseFS parses every toolkit file (IsDefinitionFile) directly in the
// directory dir of fsys, sorted by name; each Definition's File is its path
// in fsys. The error joins every file's Problems.
func ParseFS(fsys fs.FS, dir string) ([]Definition, error) {
	cs, err := parseDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	out := make([]Definition, len(cs))
	for i, c := range cs {
		out[i] = c.d
	}
	return out, nil
}

// parseDir is ParseFS keeping what checking each definition compiled. The
// files are parsed in parallel; the definitions and problems come in the
// files' order.
func parseDir(fsys fs.FS, dir string) ([]compiled, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("toolkits: list definitions: %w", err)
	}
	entries = slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return e.IsDir() || !IsDefinitionFile(e.Name()) })
	out := make([]compiled, len(entries))
	errs := make([]error, len(entries))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(entries)) {
		wg.Go(func() {
			for i := range next {
				name := path.Join(dir, entries[i].Name())
				b, err := fs.ReadFile(fsys, name)
				if err != nil {
					errs[i] = fmt.Errorf("toolkits: read %s: %w", name, err)
					continue
				}
				out[i], errs[i] = parse(name, b)
			}
		})
	}
	for i := range entries {
		next <- i
	}
	close(next)
	wg.Wait()
	var ps Problems
	for _, err := range errs {
		var p Problems
		switch {
		case errors.As(err, &p):
			ps = append(ps, p...)
		case err != nil:
			return nil, err
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return out, nil
}

// Load parses every toolkit file at the root of fsys and returns them as a
// catalog. It fails on any problem, and when fsys holds no toolkit file.
func Load(fsys fs.FS) (*Catalog, error) {
	ds, err := ParseFS(fsys, ".")
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, errors.New("toolkits: no definitions (*.json, *.yaml, *.yml) found")
	}
	return New(ds...)
}

// New validates defs and returns them as a catalog. It fails on any
// problem: a broken definition, or a toolkit or tool slug defined twice.
// The error is a Problems.
func New(defs ...Definition) (*Catalog, error) {
	c, ps := (&Catalog{}).With(defs...)
	if len(ps) > 0 {
		return nil, ps
	}
	return c, nil
}

// With returns a new catalog of c's toolkits and those of defs that are
// valid, and the problems of those that are not. A definition whose
// toolkit slug, or one of whose tool slugs, c already has or another of
// defs also defines is refused (every one of those that defines it), never
// used in place of the other: which one was meant is the operator's call.
// c itself is unchanged.
func (c *Catalog) With(defs ...Definition) (*Catalog, Problems) {
	var ok []compiled
	var ps Problems
	for _, d := range defs {
		tk, tools, p := d.compile()
		if len(p) > 0 {
			ps = append(ps, p...)
			continue
		}
		ok = append(ok, compiled{d, tk, tools})
	}
	return c.with(ok, ps)
}

// compiled is a valid definition with its toolkit and tools.
type compiled struct {
	d     Definition
	tk    Toolkit
	tools []Tool
}

// with is With of definitions already compiled, adding to ps the problems
// of those whose slugs clash.
func (c *Catalog) with(ok []compiled, ps Problems) (*Catalog, Problems) {
	slugs := map[string][]string{}     // toolkit slug -> files of defs
	toolSlugs := map[string][]string{} // tool slug -> files of defs
	for _, x := range ok {
		slugs[x.tk.Slug] = append(slugs[x.tk.Slug], x.d.File)
		for _, t := range x.tools {
			toolSlugs[t.Slug] = append(toolSlugs[t.Slug], x.d.File)
		}
	}

	next := &Catalog{
		bySlug: maps.Clone(c.bySlug),
		files:  maps.Clone(c.files),
		tools:  maps.Clone(c.tools),
	}
	if next.bySlug == nil {
		next.bySlug, next.files, next.tools = map[string]Toolkit{}, map[string]string{}, map[string]Tool{}
	}
	for _, x := range ok {
		bad := len(ps)
		if file, dup := c.files[x.tk.Slug]; dup {
			ps = append(ps, x.d.problem("slug", fmt.Sprintf("%q is already the slug of the toolkit in %s", x.tk.Slug, file)))
		} else if files := slugs[x.tk.Slug]; len(files) > 1 {
			ps = append(ps, x.d.problem("slug", fmt.Sprintf("%q is also the slug of the toolkit in %s", x.tk.Slug, strings.Join(others(files, x.d.File), ", "))))
		}
		for i, t := range x.tools {
			if len(ps) > bad {
				break // the toolkit's own slug clashes, and so do its tools
			}
			field := fmt.Sprintf("tools[%d] (%s).slug", i, t.Slug)
			if old, dup := c.tools[t.Slug]; dup {
				ps = append(ps, x.d.problem(field, fmt.Sprintf("%s is already a tool of %s, in %s", t.Slug, old.Toolkit, c.files[old.Toolkit])))
			} else if files := toolSlugs[t.Slug]; len(files) > 1 {
				ps = append(ps, x.d.problem(field, fmt.Sprintf("%s is also a tool in %s", t.Slug, strings.Join(others(files, x.d.File), ", "))))
			}
		}
		if len(ps) > bad {
			continue
		}
		next.bySlug[x.tk.Slug] = x.tk
		next.files[x.tk.Slug] = x.d.File
		for _, t := range x.tools {
			next.tools[t.Slug] = t
		}
	}

	for _, t := range next.tools {
		next.toolList = append(next.toolList, t)
	}
	slices.SortFunc(next.toolList, func(a, b Tool) int { return strings.Compare(a.Slug, b.Slug) })
	tkNames := map[string]string{}
	for slug, tk := range next.bySlug {
		tk.ToolsCount = 0
		next.bySlug[slug] = tk
		tkNames[slug] = tk.Name
	}
	for _, t := range next.toolList {
		tk := next.bySlug[t.Toolkit]
		tk.ToolsCount++
		next.bySlug[t.Toolkit] = tk
	}
	for _, tk := range next.bySlug {
		next.sorted = append(next.sorted, tk)
	}
	slices.SortFunc(next.sorted, func(a, b Toolkit) int { return cmp.Compare(a.Slug, b.Slug) })
	next.index = buildIndex(next.toolList, tkNames)
	return next, ps
}

// others returns files without one occurrence of self.
func others(files []string, self string) []string {
	out := slices.Clone(files)
	if i := slices.Index(out, self); i >= 0 {
		out = slices.Delete(out, i, i+1)
	}
	return out
}

// File returns the name of the file that defined the toolkit with the
// given slug, as given to Parse, and whether the catalog has it.
func (c *Catalog) File(slug string) (string, bool) {
	f, ok := c.files[strings.ToLower(slug)]
	return f, ok
}

// compile validates d and returns its toolkit and tools, or the problems.
func (d Definition) compile() (Toolkit, []Tool, Problems) {
	p := validate(d.Toolkit)
	tools := compileTools(&p, d)
	if len(p) > 0 {
		return Toolkit{}, nil, d.problems(p)
	}
	return d.Toolkit.clip(), tools, nil
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
func validate(t Toolkit) problems {
	var p problems
	if !slugRE.MatchString(t.Slug) {
		p.add("slug", "must match %s, got %q", slugRE, t.Slug)
	}
	p.nonEmpty("name", t.Name)
	p.nonEmpty("description", t.Description)
	p.httpsURL("logo", t.Logo)
	if IsTemplate(t.BaseURL) {
		checkTemplate(&p, "base_url", t.BaseURL)
		checkTemplateFields(&p, "base_url", t.BaseURL, t)
	} else {
		p.httpsURL("base_url", t.BaseURL)
	}
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
		if s.ClientCredentials() && IsTemplate(s.OAuth2.TokenURL) {
			checkTemplateFields(&p, at+".oauth2.token_url", s.OAuth2.TokenURL, t)
		}
		if s.Mode == ModeNoAuth && len(t.AuthSchemes) > 1 {
			p.add(at+".mode", "NO_AUTH must be the toolkit's only auth scheme: a toolkit either needs credentials or it does not")
		}
	}

	if id := t.Identity; id != nil && t.NoAuth() {
		p.add("identity", "must be absent for a NO_AUTH toolkit, which has no accounts to name")
	} else if id != nil {
		validateIdentity(&p, t, *id)
	}
	validateMCP(&p, t)
	return p
}

func validateScheme(p *problems, at string, s AuthScheme) {
	switch s.Mode {
	case ModeOAuth2:
		if s.OAuth2 == nil {
			p.add(at+".oauth2", "is required for mode OAUTH2")
			return
		}
		if s.ClientCredentials() {
			validateClientCredentials(p, at, s)
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
	case ModeNoAuth:
		if s.OAuth2 != nil {
			p.add(at+".oauth2", "is only allowed for mode OAUTH2")
		}
		if len(s.Fields) > 0 {
			p.add(at+".fields", "must be empty for NO_AUTH, which asks for nothing")
		}
		if s.Apply != (Apply{}) {
			p.add(at+".apply", "must be empty for NO_AUTH, which sends no credential")
		}
		return
	case ModeAPIKey, ModeBearerToken, ModeBasic:
	default:
		p.add(at+".mode", "must be one of OAUTH2, API_KEY, BEARER_TOKEN, BASIC, NO_AUTH, got %q", s.Mode)
		return
	}
	if s.OAuth2 != nil {
		p.add(at+".oauth2", "is only allowed for mode OAUTH2")
	}
	if len(s.Fields) == 0 {
		p.add(at+".fields", "must list the connection form's fields for %s", s.Mode)
	}
	fields := validateFields(p, at, s)
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

// validateFields checks a scheme's fields and returns them by name.
func validateFields(p *problems, at string, s AuthScheme) map[string]Field {
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
	return fields
}

// tokenKeys are the keys of a stored OAuth2 token (oauth.Token), which a
// client credentials account keeps beside its fields: no field may be
// named so.
var tokenKeys = []string{"access_token", "refresh_token", "token_type", "expiry", "scope"}

// validateClientCredentials checks an OAUTH2 scheme of the client
// credentials grant (RFC 6749 §4.4): a token URL and no sign-in settings,
// the client's id and secret as connection fields, the token in a header.
func validateClientCredentials(p *problems, at string, s AuthScheme) {
	o := *s.OAuth2
	oat := at + ".oauth2"
	if o.AuthorizationURL != "" {
		p.add(oat+".authorization_url", "must be absent for the client_credentials grant, which has no sign-in page")
	}
	if IsTemplate(o.TokenURL) {
		checkTemplate(p, oat+".token_url", o.TokenURL) // its fields: in validate
	} else {
		p.httpsURL(oat+".token_url", o.TokenURL)
	}
	switch o.ScopeSeparator {
	case " ":
		if len(o.DefaultScopes) == 0 || o.ScopeParam != "scope" {
			p.add(oat+".default_scopes", `must not be empty, with scope_param "scope" (RFC 6749 §4.4.2), for a provider with scopes`)
		}
	case "":
		if len(o.DefaultScopes) > 0 || o.ScopeParam != "" {
			p.add(oat+".default_scopes", "must be empty, with no scope_param, when scope_separator is empty (a provider without scopes)")
		}
	default:
		p.add(oat+".scope_separator", `must be " " (RFC 6749 §3.3) or "" (no scopes) for the client_credentials grant, got %q`, o.ScopeSeparator)
	}
	for i, sc := range o.DefaultScopes {
		if sc == "" || strings.ContainsAny(sc, " ,") {
			p.add(fmt.Sprintf("%s.default_scopes[%d]", oat, i), "must be non-empty, without spaces or commas, got %q", sc)
		}
	}
	if o.TokenEncoding != TokenForm {
		p.add(oat+".token_encoding", `must be "form" for the client_credentials grant (RFC 6749 §4.4.2), got %q`, o.TokenEncoding)
	}
	if o.TokenAuth != AuthInParams && o.TokenAuth != AuthInHeader {
		p.add(oat+".token_auth", `must be "params" or "header", got %q`, o.TokenAuth)
	}
	if o.TokenResponsePath != "" || len(o.AuthorizeParams) > 0 || o.PKCE {
		p.add(oat, "token_response_path, authorize_params and pkce are for the authorization_code grant only")
	}
	fields := validateFields(p, at, s)
	if f := fields["client_id"]; !f.Required {
		p.add(at+".fields", `the client_credentials grant needs a required "client_id" field`)
	}
	if f := fields["client_secret"]; !f.Required || !f.Secret {
		p.add(at+".fields", `the client_credentials grant needs a required, secret "client_secret" field`)
	}
	for _, k := range tokenKeys {
		if _, ok := fields[k]; ok {
			p.add(at+".fields", "%q is the name of a token field; name the field otherwise", k)
		}
	}
	if s.Apply.Header == "" || s.Apply.Query != "" || s.Apply.Field != "access_token" {
		p.add(at+".apply", `must name a header and the field "access_token"`)
	}
}

func validateOAuth2(p *problems, at string, o OAuth2Spec) {
	switch o.Grant {
	case "", GrantAuthorizationCode:
	default:
		p.add(at+".grant", `must be "authorization_code" or "client_credentials", got %q`, o.Grant)
	}
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
	if r := o.Reauthorize; r != nil && r.LoginHint != "" {
		switch {
		case !paramName.MatchString(r.LoginHint):
			p.add(at+".reauthorize.login_hint", "must be a parameter name of letters, digits and _, got %q", r.LoginHint)
		case slices.Contains(reservedAuthorizeParams, r.LoginHint) || r.LoginHint == o.ScopeParam || r.LoginHint == "prompt":
			p.add(at+".reauthorize.login_hint", "must not be %q, which the flow sets itself", r.LoginHint)
		case o.AuthorizeParams[r.LoginHint] != "":
			p.add(at+".reauthorize.login_hint", "must not be %q, which authorize_params sets", r.LoginHint)
		}
	}
}

// paramName is the shape of an authorization request parameter a toolkit
// names.
var paramName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

func validateIdentity(p *problems, t Toolkit, id Identity) {
	const at = "identity"
	if IsTemplate(id.URL) {
		checkTemplate(p, at+".url", id.URL)
		checkTemplateFields(p, at+".url", id.URL, t)
	} else {
		p.httpsURL(at+".url", id.URL)
	}
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
			if !s.SignIn() {
				mode := string(s.Mode)
				if s.ClientCredentials() {
					mode += " (client_credentials)"
				}
				p.add(at+".source", "token_response needs every auth scheme to be OAUTH2, but %s has no token response that names the account", mode)
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
