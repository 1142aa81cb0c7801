package toolkits

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func builtin(t *testing.T) *Catalog {
	t.Helper()
	c, err := Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	return c
}

// noIdentity are the built-in toolkits whose vendor documents have no
// "who am I" endpoint a connected account could be named by: Sentry's
// has none, Twilio's lists accounts as an array, the Stripe excerpt
// the toolkit comes from has no account endpoint, and OpenAI's document
// has no endpoint that names the key's user or project.
var noIdentity = map[string]bool{"openai": true, "sentry": true, "stripe": true, "twilio": true}

func TestBuiltin_ParsesAndValidates(t *testing.T) {
	c := builtin(t)
	var slugs []string
	for _, tk := range c.List() {
		slugs = append(slugs, tk.Slug)
	}
	want := []string{"asana", "box", "digitalocean", "discordbot", "figma", "github", "gmail", "googlecalendar", "googledocs", "googledrive", "googlesheets", "hubspot", "intercom", "linear", "microsoft_teams", "netlify", "notion", "okta", "openai", "outlook", "pagerduty", "sendgrid", "sentry", "slack", "square", "stripe", "twilio"}
	if diff := cmp.Diff(want, slugs); diff != "" {
		t.Errorf("List() slugs mismatch (-want +got):\n%s", diff)
	}
	for _, tk := range c.List() {
		t.Run(tk.Slug, func(t *testing.T) {
			// Some providers publish no OAuth 2.0 flow for their API (Stripe's
			// secret keys, Twilio's account SID and token), and some no
			// endpoint that names the caller.
			if len(tk.AuthSchemes) == 0 {
				t.Fatalf("no auth scheme")
			}
			if s, ok := tk.Scheme(ModeOAuth2); ok && (s.OAuth2.TokenURL == "" || s.OAuth2.AuthorizationURL == "") {
				t.Errorf("OAuth2 endpoints missing: %+v", s.OAuth2)
			}
			if tk.Identity == nil && !noIdentity[tk.Slug] {
				t.Errorf("no identity")
			}
		})
	}
}

// TestBuiltin_Facts pins the provider quirks that toolkits.md documents, so
// that an edit of a definition that changes them is deliberate.
func TestBuiltin_Facts(t *testing.T) {
	c := builtin(t)
	type facts struct {
		Modes        []Mode
		Separator    string
		ScopeParam   string
		Encoding     TokenEncoding
		Auth         AuthStyle
		PKCE         bool
		ResponsePath string
		Params       map[string]string
		IdentitySrc  IdentitySource
		IdentityVerb string
		IdentityURL  string
		DisplayPath  string
		IDPaths      []string
		APIKeyHeader string
		APIKeyPrefix string
	}
	google := map[string]string{"access_type": "offline", "prompt": "consent"}
	tests := map[string]facts{
		"gmail": {
			Modes: []Mode{ModeOAuth2}, Separator: " ", ScopeParam: "scope", Encoding: TokenForm, Auth: AuthInParams, PKCE: true,
			Params: google, IdentitySrc: FromEndpoint, IdentityVerb: "GET",
			IdentityURL: "https://gmail.googleapis.com/gmail/v1/users/me/profile", DisplayPath: "emailAddress", IDPaths: []string{"emailAddress"},
		},
		"googlecalendar": {
			Modes: []Mode{ModeOAuth2}, Separator: " ", ScopeParam: "scope", Encoding: TokenForm, Auth: AuthInParams, PKCE: true,
			Params: google, IdentitySrc: FromEndpoint, IdentityVerb: "GET",
			IdentityURL: "https://openidconnect.googleapis.com/v1/userinfo", DisplayPath: "email", IDPaths: []string{"sub"},
		},
		"github": {
			Modes: []Mode{ModeOAuth2, ModeBearerToken}, Separator: " ", ScopeParam: "scope", Encoding: TokenForm, Auth: AuthInParams, PKCE: true,
			IdentitySrc: FromEndpoint, IdentityVerb: "GET",
			IdentityURL: "https://api.github.com/user", DisplayPath: "login", IDPaths: []string{"id"},
			APIKeyHeader: "Authorization", APIKeyPrefix: "Bearer ",
		},
		"slack": {
			Modes: []Mode{ModeOAuth2}, Separator: ",", ScopeParam: "user_scope", Encoding: TokenForm, Auth: AuthInHeader,
			ResponsePath: "authed_user", IdentitySrc: FromEndpoint, IdentityVerb: "POST",
			IdentityURL: "https://slack.com/api/auth.test", DisplayPath: "user", IDPaths: []string{"team_id", "user_id"},
		},
		"notion": {
			Modes: []Mode{ModeOAuth2}, Separator: "", Encoding: TokenJSON, Auth: AuthInHeader,
			Params: map[string]string{"owner": "user"}, IdentitySrc: FromTokenResponse, IdentityVerb: "GET",
			IdentityURL: "https://api.notion.com/v1/users/me", DisplayPath: "owner.user.person.email|owner.user.name|workspace_name",
			IDPaths: []string{"workspace_id", "bot_id"},
		},
		"linear": {
			Modes: []Mode{ModeOAuth2, ModeAPIKey}, Separator: ",", ScopeParam: "scope", Encoding: TokenForm, Auth: AuthInParams, PKCE: true,
			IdentitySrc: FromEndpoint, IdentityVerb: "POST",
			IdentityURL: "https://api.linear.app/graphql", DisplayPath: "data.viewer.email|data.viewer.name",
			IDPaths: []string{"data.organization.id", "data.viewer.id"}, APIKeyHeader: "Authorization", APIKeyPrefix: "",
		},
	}
	for slug, want := range tests {
		t.Run(slug, func(t *testing.T) {
			tk, ok := c.Get(slug)
			if !ok {
				t.Fatalf("Get(%q) not found", slug)
			}
			o := tk.AuthSchemes[0].OAuth2
			got := facts{
				Separator: o.ScopeSeparator, ScopeParam: o.ScopeParam, Encoding: o.TokenEncoding, Auth: o.TokenAuth, PKCE: o.PKCE,
				ResponsePath: o.TokenResponsePath, Params: o.AuthorizeParams,
				IdentitySrc: tk.Identity.Source, IdentityVerb: tk.Identity.Method, IdentityURL: tk.Identity.URL,
				DisplayPath: tk.Identity.Display, IDPaths: tk.Identity.ID,
			}
			for _, s := range tk.AuthSchemes {
				got.Modes = append(got.Modes, s.Mode)
				if s.Mode != ModeOAuth2 {
					got.APIKeyHeader, got.APIKeyPrefix = s.Apply.Header, s.Apply.Prefix
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s facts mismatch (-want +got):\n%s", slug, diff)
			}
		})
	}
}

func TestCatalog_Get(t *testing.T) {
	c := builtin(t)
	if _, ok := c.Get("GMAIL"); !ok {
		t.Errorf("Get(GMAIL) not found; want slugs matched without regard to case")
	}
	if _, ok := c.Get("nope"); ok {
		t.Errorf("Get(nope) found a toolkit")
	}
	// Callers share the catalog's toolkits read-only; appending to a
	// slice copies it.
	tk, _ := c.Get("gmail")
	if sc := tk.AuthSchemes[0].OAuth2.DefaultScopes; cap(sc) != len(sc) || cap(tk.AuthSchemes) != len(tk.AuthSchemes) {
		t.Errorf("a toolkit's slices are not clipped: an append would write into the catalog")
	}
}

// validGitHub is a valid definition that the broken cases below edit.
const validGitHub = `{
  "slug": "github",
  "name": "GitHub",
  "description": "Code hosting.",
  "logo": "https://example.com/github.png",
  "categories": [{"slug": "developer-tools", "name": "Developer Tools"}],
  "base_url": "https://api.github.com",
  "auth_schemes": [
    {
      "mode": "OAUTH2",
      "oauth2": {
        "authorization_url": "https://github.com/login/oauth/authorize",
        "token_url": "https://github.com/login/oauth/access_token",
        "default_scopes": ["repo"],
        "scope_separator": " ",
        "scope_param": "scope",
        "token_encoding": "form",
        "token_auth": "params",
        "pkce": true
      },
      "apply": {"header": "Authorization", "prefix": "Bearer ", "field": "access_token"}
    },
    {
      "mode": "BEARER_TOKEN",
      "fields": [{"name": "token", "display_name": "Token", "description": "A token.", "type": "string", "required": true, "secret": true}],
      "apply": {"header": "Authorization", "prefix": "Bearer ", "field": "token"}
    }
  ],
  "identity": {"url": "https://api.github.com/user", "method": "GET", "source": "endpoint", "display": "login", "id": ["id"]}
}`

func TestLoad_Broken(t *testing.T) {
	tests := []struct {
		name     string
		file     string // defaults to github.json
		old, new string // replaced once in validGitHub
		want     string
	}{
		{name: "valid", want: ""},
		{name: "not JSON", old: `"slug"`, new: `slug`, want: "github.json:2: invalid character 's'"},
		{name: "unknown field", old: `"pkce": true`, new: `"pkce": true, "pcke": true`, want: `unknown field "pcke"`},
		{name: "file name", file: "gh.json", want: `gh.json:2: slug: is "github", so the file name must be github.json (at /slug)`},
		{name: "bad slug", old: `"slug": "github"`, new: `"slug": "Git Hub"`, want: `slug: must match`},
		{name: "empty name", old: `"name": "GitHub"`, new: `"name": " "`, want: "name: must not be empty"},
		{name: "http token url", old: `https://github.com/login/oauth/access_token`, new: `http://github.com/login/oauth/access_token`, want: `auth_schemes[0].oauth2.token_url: must be an absolute https URL, got "http://github.com/login/oauth/access_token"`},
		{name: "relative base url", old: `"base_url": "https://api.github.com"`, new: `"base_url": "/api"`, want: "base_url: must be an absolute https URL"},
		{name: "trailing slash", old: `"base_url": "https://api.github.com"`, new: `"base_url": "https://api.github.com/"`, want: "base_url: must not end with /"},
		{name: "http logo", old: `https://example.com/github.png`, new: `http://example.com/github.png`, want: "logo: must be an absolute https URL"},
		{name: "no categories", old: `[{"slug": "developer-tools", "name": "Developer Tools"}]`, new: `[]`, want: "categories: must list at least one"},
		{name: "empty scopes", old: `"default_scopes": ["repo"]`, new: `"default_scopes": []`, want: "auth_schemes[0].oauth2.default_scopes: must not be empty for a provider with scopes"},
		{name: "scope with space", old: `["repo"]`, new: `["repo user"]`, want: `default_scopes[0]: must be non-empty, without spaces or commas`},
		{name: "duplicate scope", old: `["repo"]`, new: `["repo", "repo"]`, want: `default_scopes[1]: "repo" is listed twice`},
		{name: "scopes without separator", old: `"scope_separator": " "`, new: `"scope_separator": ""`, want: "must be empty, with no scope_param, when scope_separator is empty"},
		{name: "bad separator", old: `"scope_separator": " "`, new: `"scope_separator": ";"`, want: `scope_separator: must be " ", "," or ""`},
		{name: "bad encoding", old: `"token_encoding": "form"`, new: `"token_encoding": "xml"`, want: `token_encoding: must be "form" or "json", got "xml"`},
		{name: "bad auth style", old: `"token_auth": "params"`, new: `"token_auth": "basic"`, want: `token_auth: must be "params" or "header"`},
		{name: "reserved authorize param", old: `"pkce": true`, new: `"pkce": true, "authorize_params": {"redirect_uri": "https://evil.example"}`, want: `must not set "redirect_uri"`},
		{name: "reserved login hint", old: `"pkce": true`, new: `"pkce": true, "reauthorize": {"login_hint": "state"}`, want: `reauthorize.login_hint: must not be "state"`},
		{name: "bad login hint", old: `"pkce": true`, new: `"pkce": true, "reauthorize": {"login_hint": "login hint"}`, want: `reauthorize.login_hint: must be a parameter name`},
		{name: "unknown reauthorize field", old: `"pkce": true`, new: `"pkce": true, "reauthorize": {"hint": "login_hint"}`, want: `unknown field "hint"`},
		{name: "misspelt oauth2", old: `"oauth2": {`, new: `"oauth": {`, want: `unknown field "oauth"`},
		{name: "oauth2 missing", old: "{\n      \"mode\": \"BEARER_TOKEN\"", new: "{\"mode\": \"OAUTH2\", \"apply\": {}}, {\"mode\": \"BEARER_TOKEN\"", want: "auth_schemes[1].oauth2: is required for mode OAUTH2"},
		{name: "oauth2 on bearer", old: `"mode": "BEARER_TOKEN",`, new: `"mode": "BEARER_TOKEN", "oauth2": {},`, want: "auth_schemes[1].oauth2: is only allowed for mode OAUTH2"},
		{name: "unknown mode", old: `"mode": "BEARER_TOKEN"`, new: `"mode": "TOKEN"`, want: `auth_schemes[1].mode: must be one of OAUTH2, API_KEY, BEARER_TOKEN, BASIC, NO_AUTH, got "TOKEN"`},
		{name: "no auth beside other schemes", old: `"mode": "BEARER_TOKEN",`, new: `"mode": "NO_AUTH"}, {"mode": "BEARER_TOKEN",`, want: "auth_schemes[1].mode: NO_AUTH must be the toolkit's only auth scheme"},
		{name: "no auth with fields", old: `"mode": "BEARER_TOKEN"`, new: `"mode": "NO_AUTH"`, want: "auth_schemes[1].fields: must be empty for NO_AUTH"},
		{name: "duplicate mode", old: `"mode": "BEARER_TOKEN"`, new: `"mode": "OAUTH2"`, want: "auth_schemes[1].mode: OAUTH2 is listed twice"},
		{name: "apply unknown field", old: `"prefix": "Bearer ", "field": "token"`, new: `"prefix": "Bearer ", "field": "pat"`, want: `auth_schemes[1].apply.field: must name a required, secret field of the scheme, got "pat"`},
		{name: "apply neither header nor query", old: `"header": "Authorization", "prefix": "Bearer ", "field": "token"`, new: `"prefix": "Bearer ", "field": "token"`, want: "auth_schemes[1].apply: must name either a header or a query parameter"},
		{name: "apply header and query", old: `"header": "Authorization", "prefix": "Bearer ", "field": "token"`, new: `"header": "Authorization", "query": "key", "field": "token"`, want: "auth_schemes[1].apply: must name either a header or a query parameter"},
		{name: "apply bad query name", old: `"header": "Authorization", "prefix": "Bearer ", "field": "token"`, new: `"query": "api key", "field": "token"`, want: `auth_schemes[1].apply.query: must be a query parameter name, got "api key"`},
		{name: "oauth2 apply in the query", old: `"header": "Authorization", "prefix": "Bearer ", "field": "access_token"`, new: `"header": "Authorization", "query": "access_token", "field": "access_token"`, want: "auth_schemes[0].apply: must name a header"},
		{name: "apply non-secret field", old: `"required": true, "secret": true`, new: `"required": true, "secret": false`, want: "apply.field: must name a required, secret field"},
		{name: "field type", old: `"type": "string"`, new: `"type": "int"`, want: `auth_schemes[1].fields[0].type: must be "string", got "int"`},
		{name: "no identity display", old: `"display": "login"`, new: `"display": ""`, want: "identity.display: is empty"},
		{name: "bad identity path", old: `"display": "login"`, new: `"display": "user..login"`, want: `identity.display: "user..login" is not a dotted path`},
		{name: "no identity id", old: `"id": ["id"]`, new: `"id": []`, want: "identity.id: must list at least one path"},
		{name: "identity method", old: `"method": "GET"`, new: `"method": "PUT"`, want: `identity.method: must be GET or POST, got "PUT"`},
		{name: "identity body on GET", old: `"method": "GET"`, new: `"method": "GET", "body": {"query": "{ viewer { id } }"}`, want: "identity.body: is only allowed with method POST"},
		{name: "identity body not object", old: `"method": "GET"`, new: `"method": "POST", "body": "query"`, want: "identity.body: must be a JSON object"},
		{name: "identity source", old: `"source": "endpoint"`, new: `"source": "cookie"`, want: `identity.source: must be "endpoint" or "token_response"`},
		{name: "token response with bearer scheme", old: `"source": "endpoint"`, new: `"source": "token_response"`, want: "identity.source: token_response needs every auth scheme to be OAUTH2, but BEARER_TOKEN"},
		{name: "identity scope not requested", old: `"id": ["id"]`, new: `"id": ["id"], "requires_any_scope": ["read:user"]`, want: `identity.requires_any_scope: the OAUTH2 default scopes include none of ["read:user"]`},
		{name: "several problems", old: `"name": "GitHub"`, new: `"name": "", "headers": {"Bad Header": "x"}`, want: "github.json:3: name: must not be empty (at /name)\ngithub.json:3: headers: \"Bad Header\" must be a header name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := validGitHub
			if tt.old != "" {
				if !strings.Contains(def, tt.old) {
					t.Fatalf("test case edits %q, which the valid definition lacks", tt.old)
				}
				def = strings.Replace(def, tt.old, tt.new, 1)
			}
			file := tt.file
			if file == "" {
				file = "github.json"
			}
			_, err := Load(fstest.MapFS{file: {Data: []byte(def)}})
			checkErr(t, err, tt.want)
		})
	}
}

// checkErr checks err against want: no error for "", else an error
// containing each line of want.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("Load: %v", err)
	case want != "" && err == nil:
		t.Fatalf("Load succeeded; want an error containing %q", want)
	case want != "":
		for line := range strings.SplitSeq(want, "\n") {
			if !strings.Contains(err.Error(), line) {
				t.Errorf("Load: got error\n\t%v\nwant it to contain\n\t%s", err, line)
			}
		}
	}
}

func TestLoad_BasicScheme(t *testing.T) {
	basic := strings.Replace(validGitHub, `{
      "mode": "BEARER_TOKEN",
      "fields": [{"name": "token", "display_name": "Token", "description": "A token.", "type": "string", "required": true, "secret": true}],
      "apply": {"header": "Authorization", "prefix": "Bearer ", "field": "token"}
    }`, `{
      "mode": "BASIC",
      "fields": [
        {"name": "username", "display_name": "Username", "description": "Your login.", "type": "string", "required": true, "secret": false},
        {"name": "password", "display_name": "Password", "description": "Your password.", "type": "string", "required": true, "secret": true}
      ]
    }`, 1)
	if basic == validGitHub {
		t.Fatal("the replacement did not apply")
	}
	if _, err := Load(fstest.MapFS{"github.json": {Data: []byte(basic)}}); err != nil {
		t.Errorf("Load(BASIC scheme): %v", err)
	}
	noPassword := strings.Replace(basic, `"name": "password"`, `"name": "secret"`, 1)
	_, err := Load(fstest.MapFS{"github.json": {Data: []byte(noPassword)}})
	if err == nil || !strings.Contains(err.Error(), `BASIC needs a required "username" and a required, secret "password"`) {
		t.Errorf("Load(BASIC without password): err = %v", err)
	}
}

func TestLoad_OtherFilesAndEmpty(t *testing.T) {
	_, err := Load(fstest.MapFS{
		"github.json": {Data: []byte(validGitHub)},
		"README.md":   {Data: []byte("not a definition")},
	})
	if err != nil {
		t.Errorf("Load ignores non-JSON files, got %v", err)
	}
	if _, err := Load(fstest.MapFS{}); err == nil || !strings.Contains(err.Error(), "no definitions") {
		t.Errorf("Load(empty): err = %v, want no definitions", err)
	}
}

// TestBuiltinAsNew: the built-in catalog, parsed in parallel and compiled
// once, is the catalog New makes of the same definitions, and is built
// once per process.
func TestBuiltinAsNew(t *testing.T) {
	got := builtin(t)
	ds, err := BuiltinDefinitions()
	if err != nil {
		t.Fatal(err)
	}
	want, err := New(ds...)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want.List(), got.List()); d != "" {
		t.Errorf("toolkits (-New +Builtin):\n%s", d)
	}
	wantTools, gotTools := want.Tools(), got.Tools()
	if len(wantTools) != len(gotTools) {
		t.Fatalf("Builtin has %d tools, New %d", len(gotTools), len(wantTools))
	}
	for i, w := range wantTools {
		g := gotTools[i]
		if w.Slug != g.Slug || w.Toolkit != g.Toolkit || w.Description != g.Description || string(w.InputSchema) != string(g.InputSchema) || string(w.OutputSchema) != string(g.OutputSchema) {
			t.Errorf("tool %d: Builtin has %s of %s, New %s of %s (or their descriptions or inputs differ)", i, g.Slug, g.Toolkit, w.Slug, w.Toolkit)
		}
	}
	if again := builtin(t); again != got {
		t.Error("Builtin built the catalog again")
	}
}
