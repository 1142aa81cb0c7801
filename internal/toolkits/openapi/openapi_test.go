package openapi

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

const version = "20260101_00"

func readDoc(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// githubAuth is the built-in GitHub toolkit's auth schemes: GitHub's
// description declares no security scheme.
func githubAuth(t testing.TB) []toolkits.AuthScheme {
	t.Helper()
	cat, err := toolkits.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tk, ok := cat.Get("github")
	if !ok {
		t.Fatal("no built-in github toolkit")
	}
	return tk.AuthSchemes
}

// docs are the committed excerpts with the options they import with.
func docs(t testing.TB) []struct {
	file string
	opts Options
} {
	return []struct {
		file string
		opts Options
	}{
		{"github.json", Options{Slug: "github", Version: version, AuthSchemes: githubAuth(t)}},
		{"stripe.json", Options{Slug: "stripe", Version: version}},
		{"slack.json", Options{Slug: "slack", Version: version, Errors: "slack"}},
		{"discord.json", Options{Slug: "discord", Version: version}},
		{"okta.yaml", Options{Slug: "okta", Version: version}},
		{"nyt_top_stories.json", Options{Slug: "nyt_top_stories", Version: version}},
		{"nyt_article_search.json", Options{Slug: "nyt_article_search", Version: version}},
	}
}

func mustImport(t testing.TB, file string, opts Options) (*File, *Report, *toolkits.Catalog) {
	t.Helper()
	f, rep, err := Import(readDoc(t, file), opts)
	if err != nil {
		t.Fatalf("Import(%s): %v", file, err)
	}
	cat, err := Check(f)
	if err != nil {
		t.Fatalf("Check(%s): %v", file, err)
	}
	return f, rep, cat
}

func tool(t *testing.T, cat *toolkits.Catalog, slug string) toolkits.Tool {
	t.Helper()
	tl, ok := cat.Tool(slug)
	if !ok {
		t.Fatalf("no tool %s", slug)
	}
	return tl
}

// TestRealDocuments: every excerpt imports, its file round-trips through
// JSON and loads strictly, and no tool was dropped by the validator net,
// which would mean a mapping rule is missing.
func TestRealDocuments(t *testing.T) {
	want := map[string][2]int{ // tools, skipped
		"github.json": {47, 1}, "stripe.json": {39, 1}, "slack.json": {8, 0}, "discord.json": {9, 2},
		"okta.yaml": {9, 0}, "nyt_top_stories.json": {1, 0}, "nyt_article_search.json": {1, 0},
	}
	for _, d := range docs(t) {
		t.Run(d.file, func(t *testing.T) {
			f, rep, cat := mustImport(t, d.file, d.opts)
			if got := [2]int{len(f.Tools), len(rep.Skipped)}; got != want[d.file] {
				t.Errorf("got %d tools and %d skipped, want %v; skipped: %+v", got[0], got[1], want[d.file], rep.Skipped)
			}
			for _, s := range rep.Skipped {
				if strings.Contains(s.Reason, "catalog refuses") {
					t.Errorf("%s was dropped by the validator: %s", s.Operation, s.Reason)
				}
			}
			if len(cat.Tools()) != len(f.Tools) || len(rep.Tools) != len(f.Tools) {
				t.Errorf("catalog has %d tools, report %d, file %d", len(cat.Tools()), len(rep.Tools), len(f.Tools))
			}
			b, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			var top map[string]json.RawMessage
			if err := json.Unmarshal(b, &top); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"slug", "name", "description", "logo", "categories", "base_url", "auth_schemes", "version", "errors", "tools"} {
				if _, ok := top[k]; !ok {
					t.Errorf("the file has no %q", k)
				}
			}
			var back File
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if _, err := Check(&back); err != nil {
				t.Errorf("the file read back does not load: %v", err)
			}
		})
	}
}

// TestBuildRequests: every imported tool builds the upstream request the
// document describes from sample arguments: the method, the path with the
// path parameters filled in, and query, form or JSON body keys that are
// the document's parameter and body field names.
func TestBuildRequests(t *testing.T) {
	for _, d := range docs(t) {
		t.Run(d.file, func(t *testing.T) {
			f, rep, cat := mustImport(t, d.file, d.opts)
			doc, err := Load(readDoc(t, d.file))
			if err != nil {
				t.Fatal(err)
			}
			for i, ft := range f.Tools {
				method, path, _ := strings.Cut(rep.Tools[i].Operation, " ")
				op := doc.Paths.Find(path).GetOperation(method)
				if op == nil {
					t.Fatalf("%s: no operation %s in the document", ft.Slug, rep.Tools[i].Operation)
				}
				tl := tool(t, cat, ft.Slug)
				var in node
				if err := json.Unmarshal(tl.InputSchema, &in); err != nil {
					t.Fatal(err)
				}
				args := map[string]any{}
				for name, p := range in.Properties {
					args[name] = sample(p, name)
				}
				r, err := tl.BuildRequest(args)
				if err != nil {
					t.Errorf("%s: BuildRequest(%v): %v", ft.Slug, args, err)
					continue
				}
				if r.Method != method {
					t.Errorf("%s: method %s, want %s", ft.Slug, r.Method, method)
				}
				if want := fillPath(path, args); r.Path != want {
					t.Errorf("%s: path %s, want %s", ft.Slug, r.Path, want)
				}
				params := map[string]bool{}
				for _, p := range parameters(operation{item: doc.Paths.Find(path), op: op}) {
					params[p.In+" "+p.Name] = true
				}
				for k := range r.Query {
					if !params["query "+baseKey(k)] {
						t.Errorf("%s: query key %s is no query parameter of the document", ft.Slug, k)
					}
				}
				checkBody(t, ft.Slug, op, r)
			}
		})
	}
}

// baseKey is the parameter name of a query or form key: "expand" of
// "expand[]", "address" of "address[city]".
func baseKey(k string) string {
	name, _, _ := strings.Cut(k, "[")
	return name
}

func checkBody(t *testing.T, slug string, op *openapi3.Operation, r toolkits.UpstreamRequest) {
	t.Helper()
	if r.Body == nil {
		return
	}
	if op.RequestBody == nil {
		t.Errorf("%s: a body, but the operation has none", slug)
		return
	}
	media, mt := pickMedia(op.RequestBody.Value.Content)
	fields := bodyFields(mt.Schema.Value)
	var keys []string
	switch r.ContentType {
	case "application/json":
		if !isJSONMedia(media) {
			t.Errorf("%s: JSON body, but the document's body is %s", slug, media)
		}
		var obj map[string]any
		if err := json.Unmarshal(r.Body, &obj); err != nil {
			t.Fatalf("%s: body %s: %v", slug, r.Body, err)
		}
		for k := range obj {
			keys = append(keys, k)
		}
	case "application/x-www-form-urlencoded":
		if media != "application/x-www-form-urlencoded" {
			t.Errorf("%s: form body, but the document's body is %s", slug, media)
		}
		form, err := url.ParseQuery(string(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		for k := range form {
			keys = append(keys, baseKey(k))
		}
	}
	for _, k := range keys {
		if !fields[k] {
			t.Errorf("%s: body key %s is no field of the document's body", slug, k)
		}
	}
}

func bodyFields(s *openapi3.Schema) map[string]bool {
	out := map[string]bool{}
	for k := range s.Properties {
		out[k] = true
	}
	for _, r := range append(append(slices.Clone(s.AllOf), s.OneOf...), s.AnyOf...) {
		for k := range bodyFields(r.Value) {
			out[k] = true
		}
	}
	return out
}

var docPlaceholderRE = regexp.MustCompile(`\{([^{}]+)\}`)

// fillPath fills a document path with the sample arguments, named after
// the path parameters as the naming rule says.
func fillPath(path string, args map[string]any) string {
	return docPlaceholderRE.ReplaceAllStringFunc(path, func(m string) string {
		name := argBadRE.ReplaceAllString(m[1:len(m)-1], "_")
		return url.PathEscape(fmt.Sprint(args[name]))
	})
}

// sample is a value that fits n.
func sample(n *node, name string) any {
	if len(n.Enum) > 0 {
		return n.Enum[0]
	}
	if n.Default != nil {
		return n.Default
	}
	switch n.Type {
	case tString:
		s := "v-" + name
		for n.MinLength != nil && len(s) < *n.MinLength {
			s += "x"
		}
		if n.MaxLength != nil && len(s) > *n.MaxLength {
			s = s[:*n.MaxLength]
		}
		return s
	case tInteger, tNumber:
		v := 7.0
		if n.Minimum != nil && v < *n.Minimum {
			v = *n.Minimum
		}
		if n.Maximum != nil && v > *n.Maximum {
			v = *n.Maximum
		}
		return v
	case tBoolean:
		return true
	case tArray:
		k := 1
		if n.MinItems != nil && *n.MinItems > k {
			k = *n.MinItems
		}
		if n.MaxItems != nil && *n.MaxItems < k {
			k = *n.MaxItems
		}
		out := []any{}
		for range k {
			if n.Items == nil {
				out = append(out, "item")
			} else {
				out = append(out, sample(n.Items, name))
			}
		}
		return out
	}
	obj := map[string]any{}
	for _, r := range n.Required {
		obj[r] = sample(n.Properties[r], r)
	}
	return obj
}

func TestGitHubIssues(t *testing.T) {
	_, rep, cat := mustImport(t, "github.json", docs(t)[0].opts)
	r, err := tool(t, cat, "GITHUB_ISSUES_CREATE").BuildRequest(map[string]any{
		"owner": "octo", "repo": "hello world", "title": "Bug", "labels": []any{"bug"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := toolkits.UpstreamRequest{Method: "POST", Path: "/repos/octo/hello%20world/issues", Body: []byte(`{"labels":["bug"],"title":"Bug"}`), ContentType: "application/json"}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("GITHUB_ISSUES_CREATE (-want +got):\n%s", diff)
	}
	if _, err := tool(t, cat, "GITHUB_ISSUES_CREATE").BuildRequest(map[string]any{"owner": "octo", "repo": "r"}); err == nil || !strings.Contains(err.Error(), "title is required") {
		t.Errorf("without a title: got %v, want title is required", err)
	}
	r, err = tool(t, cat, "GITHUB_ISSUES_LIST_FOR_REPO").BuildRequest(map[string]any{"owner": "o", "repo": "r", "state": "closed", "per_page": 5})
	if err != nil {
		t.Fatal(err)
	}
	// direction, page and sort take the document's defaults.
	if got, want := r.Query.Encode(), "direction=desc&page=1&per_page=5&sort=created&state=closed"; got != want {
		t.Errorf("list query %s, want %s", got, want)
	}
	tl := tool(t, cat, "GITHUB_ISSUES_LIST_FOR_REPO")
	if !slices.Equal(tl.Tags, []string{toolkits.TagReadOnly, toolkits.TagOpenWorld}) {
		t.Errorf("GET tags %v", tl.Tags)
	}
	if tl.Name != "List repository issues" {
		t.Errorf("name %q, want the summary", tl.Name)
	}
	del := tool(t, cat, "GITHUB_ISSUES_DELETE_LABEL")
	if !slices.Contains(del.Tags, toolkits.TagDestructive) {
		t.Errorf("DELETE tags %v", del.Tags)
	}
	skipped := rep.Skipped[0]
	if skipped.OperationID != "repos/upload-release-asset" || !strings.Contains(skipped.Reason, "its own server") {
		t.Errorf("skipped %+v, want the upload on uploads.github.com's own server", skipped)
	}
}

func TestStripeForm(t *testing.T) {
	_, _, cat := mustImport(t, "stripe.json", Options{Slug: "stripe", Version: version})
	r, err := tool(t, cat, "STRIPE_POST_CUSTOMERS").BuildRequest(map[string]any{
		"email": "a@example.com", "address_city": "Paris", "expand": []any{"sources", "tax"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("content type %s", r.ContentType)
	}
	form, _ := url.ParseQuery(string(r.Body))
	want := url.Values{"email": {"a@example.com"}, "address[city]": {"Paris"}, "expand[]": {"sources", "tax"}}
	if diff := cmp.Diff(want, form); diff != "" {
		t.Errorf("form (-want +got):\n%s", diff)
	}
	r, err = tool(t, cat, "STRIPE_GET_CUSTOMERS").BuildRequest(map[string]any{"limit": 3, "created": 1700000000, "expand": []any{"data.sources"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Query.Encode(); got != "created=1700000000&expand%5B%5D=data.sources&limit=3" {
		t.Errorf("query %s", got)
	}
	r, err = tool(t, cat, "STRIPE_DELETE_CUSTOMERS_CUSTOMER").BuildRequest(map[string]any{"customer": "cus_1"})
	if err != nil || r.Method != "DELETE" || r.Path != "/v1/customers/cus_1" || r.Body != nil {
		t.Errorf("delete: %+v, %v", r, err)
	}
}

func TestSwagger2Slack(t *testing.T) {
	f, rep, cat := mustImport(t, "slack.json", Options{Slug: "slack", Version: version, Errors: "slack"})
	if f.BaseURL != "https://slack.com/api" {
		t.Errorf("base URL %s, want host and basePath of the document", f.BaseURL)
	}
	tl := tool(t, cat, "SLACK_CHAT_POST_MESSAGE")
	if _, err := tl.BuildRequest(map[string]any{"text": "hi"}); err == nil || !strings.Contains(err.Error(), "channel is required") {
		t.Errorf("without channel: %v", err)
	}
	r, err := tl.BuildRequest(map[string]any{"channel": "C1", "text": "hi"})
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Body) != `{"channel":"C1","text":"hi"}` || r.Path != "/chat.postMessage" {
		t.Errorf("request %s %s", r.Path, r.Body)
	}
	var in node
	json.Unmarshal(tl.InputSchema, &in)
	if _, ok := in.Properties["token"]; ok {
		t.Error("the token parameter, which the OAuth scheme sends, is an argument")
	}
	found := false
	for _, tr := range rep.Tools {
		for _, s := range tr.Simplified {
			found = found || strings.Contains(s, "header.token: dropped: it carries the credential")
		}
	}
	if !found {
		t.Error("the report does not say the token parameter was dropped")
	}
}

func TestSelection(t *testing.T) {
	data := readDoc(t, "github.json")
	auth := githubAuth(t)
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"tag", Options{Tags: []string{"pulls"}}, []string{"GITHUB_PULLS_CREATE", "GITHUB_PULLS_LIST"}},
		{"operation ids", Options{OperationIDs: []string{"users/get-authenticated", "search/issues-and-pull-requests"}}, []string{"GITHUB_SEARCH_ISSUES_AND_PULL_REQUESTS", "GITHUB_USERS_GET_AUTHENTICATED"}},
		{"path glob", Options{Paths: []string{"/repos/*/milestones*"}}, []string{
			"GITHUB_ISSUES_CREATE_MILESTONE", "GITHUB_ISSUES_DELETE_MILESTONE", "GITHUB_ISSUES_GET_MILESTONE",
			"GITHUB_ISSUES_LIST_LABELS_FOR_MILESTONE", "GITHUB_ISSUES_LIST_MILESTONES", "GITHUB_ISSUES_UPDATE_MILESTONE"}},
		{"tag and glob", Options{Tags: []string{"issues"}, Paths: []string{"/user/*"}}, []string{"GITHUB_ISSUES_LIST_FOR_AUTHENTICATED_USER"}},
		{"prefix", Options{Slug: "gh", Prefix: "GH_V3_", OperationIDs: []string{"users/get-authenticated"}}, []string{"GH_V3_USERS_GET_AUTHENTICATED"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Version, tt.opts.AuthSchemes = version, auth
			if tt.opts.Slug == "" {
				tt.opts.Slug = "github"
			}
			f, _, err := Import(data, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tl := range f.Tools {
				got = append(got, tl.Slug)
			}
			slices.Sort(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("tools (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []Options{
		{Tags: []string{"nope"}},
		{OperationIDs: []string{"issues/create", "issues/nope"}},
		{Paths: []string{"/nope/*"}},
		{Prefix: "OTHER_"},
	} {
		bad.Slug, bad.Version, bad.AuthSchemes = "github", version, auth
		if _, _, err := Import(data, bad); err == nil {
			t.Errorf("Import(%+v) succeeded, want an error", bad)
		}
	}
}

func TestSecuritySchemes(t *testing.T) {
	oauth := func(authURL, tokenURL string, scopes ...string) toolkits.AuthScheme {
		return toolkits.AuthScheme{
			Mode: toolkits.ModeOAuth2,
			OAuth2: &toolkits.OAuth2Spec{AuthorizationURL: authURL, TokenURL: tokenURL, DefaultScopes: scopes,
				ScopeSeparator: " ", ScopeParam: "scope", TokenEncoding: toolkits.TokenForm, TokenAuth: toolkits.AuthInHeader},
			Apply: toolkits.Apply{Header: "Authorization", Prefix: "Bearer ", Field: "access_token"},
		}
	}
	apiKey := func(apply toolkits.Apply, desc string) toolkits.AuthScheme {
		apply.Field = "api_key"
		return toolkits.AuthScheme{Mode: toolkits.ModeAPIKey, Apply: apply, Fields: []toolkits.Field{
			{Name: "api_key", DisplayName: "API key", Description: desc, Type: "string", Required: true, Secret: true}}}
	}
	tests := []struct {
		file string
		opts Options
		want []toolkits.AuthScheme
	}{
		{"okta.yaml", Options{Slug: "okta"}, []toolkits.AuthScheme{
			// The flow's URLs are relative; the scopes are those the nine
			// operations ask for.
			oauth("https://subdomain.okta.com/oauth2/v1/authorize", "https://subdomain.okta.com/oauth2/v1/token",
				"okta.groups.read", "okta.idps.manage", "okta.users.manage", "okta.users.read"),
			apiKey(toolkits.Apply{Header: "Authorization"}, "Pass the API token as the Authorization header value prefixed with SSWS: `Authorization: SSWS {API Token}`"),
		}},
		{"nyt_top_stories.json", Options{Slug: "nyt"}, []toolkits.AuthScheme{
			apiKey(toolkits.Apply{Query: "api-key"}, "The API key, sent in the api-key query."),
		}},
		{"stripe.json", Options{Slug: "stripe", OperationIDs: []string{"GetBalance"}}, []toolkits.AuthScheme{
			{Mode: toolkits.ModeBearerToken, Apply: toolkits.Apply{Header: "Authorization", Prefix: "Bearer ", Field: "token"}, Fields: []toolkits.Field{
				{Name: "token", DisplayName: "Token", Description: "Bearer HTTP authentication. Allowed headers-- Authorization: Bearer <api_key>", Type: "string", Required: true, Secret: true}}},
			{Mode: toolkits.ModeBasic, Fields: []toolkits.Field{
				{Name: "username", DisplayName: "Username", Description: "Basic HTTP authentication. Allowed headers-- Authorization: Basic <api_key> | Authorization: Basic <base64 hash of `api_key:`>", Type: "string", Required: true},
				{Name: "password", DisplayName: "Password", Description: "The password of HTTP Basic authentication (RFC 7617).", Type: "string", Required: true, Secret: true}}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			tt.opts.Version = version
			f, _, _ := mustImport(t, tt.file, tt.opts)
			if diff := cmp.Diff(tt.want, f.AuthSchemes); diff != "" {
				t.Errorf("auth schemes (-want +got):\n%s", diff)
			}
		})
	}

	// Slack (Swagger 2.0) has an accessCode flow; its default scopes are
	// the scopes its operations require, as the document lists them.
	f, _, _ := mustImport(t, "slack.json", Options{Slug: "slack", Version: version})
	var raw struct {
		Paths               map[string]map[string]struct{ Security []map[string][]string }
		SecurityDefinitions map[string]struct{ AuthorizationURL, TokenURL string }
	}
	json.Unmarshal(readDoc(t, "slack.json"), &raw)
	var scopes []string
	for _, item := range raw.Paths {
		for _, op := range item {
			for _, req := range op.Security {
				for _, s := range req["slackAuth"] {
					if !slices.Contains(scopes, s) {
						scopes = append(scopes, s)
					}
				}
			}
		}
	}
	slices.Sort(scopes)
	def := raw.SecurityDefinitions["slackAuth"]
	if diff := cmp.Diff([]toolkits.AuthScheme{oauth(def.AuthorizationURL, def.TokenURL, scopes...)}, f.AuthSchemes); diff != "" {
		t.Errorf("slack (-want +got):\n%s", diff)
	}

	// Discord (OpenAPI 3.1) has an API key header and OAuth 2.0 with an
	// implicit and an authorization code flow.
	f, _, _ = mustImport(t, "discord.json", Options{Slug: "discord", Version: version})
	var modes []toolkits.Mode
	for _, s := range f.AuthSchemes {
		modes = append(modes, s.Mode)
	}
	if !slices.Equal(modes, []toolkits.Mode{toolkits.ModeOAuth2, toolkits.ModeAPIKey}) {
		t.Errorf("discord modes %v", modes)
	}

	// GitHub's description declares no scheme: the import says so.
	if _, rep, err := Import(readDoc(t, "github.json"), Options{Slug: "github", Version: version}); err == nil || rep == nil {
		t.Errorf("GitHub without auth schemes: got %v, want an error and a report", err)
	}
}

func TestServerVariables(t *testing.T) {
	f, _, _ := mustImport(t, "okta.yaml", Options{Slug: "okta", Version: version})
	if f.BaseURL != "https://subdomain.okta.com" {
		t.Errorf("default base URL %s", f.BaseURL)
	}
	f, _, _ = mustImport(t, "okta.yaml", Options{Slug: "okta", Version: version, ServerVariables: map[string]string{"yourOktaDomain": "acme.okta.com"}})
	if f.BaseURL != "https://acme.okta.com" || f.AuthSchemes[0].OAuth2.TokenURL != "https://acme.okta.com/oauth2/v1/token" {
		t.Errorf("base URL %s, token URL %s", f.BaseURL, f.AuthSchemes[0].OAuth2.TokenURL)
	}
	f, _, _ = mustImport(t, "okta.yaml", Options{Slug: "okta", Version: version, BaseURL: "https://other.example/"})
	if f.BaseURL != "https://other.example" {
		t.Errorf("base URL override %s", f.BaseURL)
	}
	if _, _, err := Import(readDoc(t, "okta.yaml"), Options{Slug: "okta", Version: version, BaseURL: "http://insecure.example"}); err == nil {
		t.Error("an http base URL was accepted")
	}
	// NYT's Swagger 2.0 document lists http and https: https is taken.
	f, _, _ = mustImport(t, "nyt_top_stories.json", Options{Slug: "nyt", Version: version})
	if f.BaseURL != "https://api.nytimes.com/svc/topstories/v2" {
		t.Errorf("nyt base URL %s", f.BaseURL)
	}
}

// TestArgumentCollision: Okta's PUT /api/v1/idps/credentials/keys/{kid}
// has a path parameter and a body field both named kid.
func TestArgumentCollision(t *testing.T) {
	_, _, cat := mustImport(t, "okta.yaml", Options{Slug: "okta", Version: version})
	r, err := tool(t, cat, "OKTA_REPLACE_IDENTITY_PROVIDER_KEY").BuildRequest(map[string]any{"kid": "path-kid", "kid_body": "body-kid", "kty": "RSA"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Path != "/api/v1/idps/credentials/keys/path-kid" || string(r.Body) != `{"kid":"body-kid","kty":"RSA"}` {
		t.Errorf("got %s %s", r.Path, r.Body)
	}
}

// TestOpenAPI31: Discord's 3.1 document: type arrays with null, oneOf of
// consts and allOf wrappers become plain schemas.
func TestOpenAPI31(t *testing.T) {
	f, rep, cat := mustImport(t, "discord.json", Options{Slug: "discord", Version: version})
	if f.BaseURL != "https://discord.com/api/v10" {
		t.Errorf("base URL %s", f.BaseURL)
	}
	r, err := tool(t, cat, "DISCORD_CREATE_MESSAGE").BuildRequest(map[string]any{"channel_id": "123", "content": "hello", "tts": false})
	if err != nil {
		t.Fatal(err)
	}
	if r.Path != "/channels/123/messages" || string(r.Body) != `{"content":"hello","tts":false}` {
		t.Errorf("got %s %s", r.Path, r.Body)
	}
	var reasons []string
	for _, s := range rep.Skipped {
		reasons = append(reasons, s.OperationID+": "+s.Reason)
	}
	want := []string{
		"bulk_set_application_commands: body is required, but the body is a JSON array, and a tool's body is an object of its arguments",
		"bulk_update_guild_roles: body is required, but the body is a JSON array, and a tool's body is an object of its arguments",
	}
	if diff := cmp.Diff(want, reasons); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

func TestSchemaSimplification(t *testing.T) {
	for _, tt := range []struct {
		name, schema string
		want         string
		notes        int
	}{
		{"nullable type array", `{"type": ["string", "null"], "maxLength": 3}`, `{"type":"string","maxLength":3}`, 0},
		{"pattern dropped", `{"type": "string", "pattern": "^a$"}`, `{"type":"string"}`, 1},
		{"enum with null", `{"type": "string", "enum": ["a", null]}`, `{"type":"string","enum":["a"]}`, 0},
		{"default that does not fit", `{"type": "integer", "maximum": 5, "default": 9}`, `{"type":"integer","maximum":5}`, 1},
		{"allOf merged", `{"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}, {"properties": {"b": {"type": "integer"}}}]}`,
			`{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"required":["a"]}`, 1},
		{"oneOf narrowed", `{"description": "Labels.", "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}`,
			`{"type":"string","description":"Labels. (The API also accepts other shapes: string | array; this tool sends the string one.)"}`, 1},
		{"oneOf of consts", `{"type": "integer", "oneOf": [{"const": 1}, {"const": 2}]}`, `{"type":"integer","enum":[1,2]}`, 1},
		{"empty-string alternative", `{"anyOf": [{"type": "integer"}, {"type": "string", "enum": [""]}]}`, `{"type":"integer"}`, 1},
		{"constraint-only alternatives", `{"type": "object", "properties": {"files": {"type": "object"}}, "anyOf": [{"required": ["description"]}, {"required": ["files"]}]}`,
			`{"type":"object","properties":{"files":{"type":"object"}}}`, 2},
		{"exclusive bound", `{"type": "number", "exclusiveMinimum": 0}`, `{"type":"number","minimum":0}`, 1},
		{"object alternatives with a shared discriminator", `{"oneOf": [
			{"type": "object", "properties": {"role": {"type": "string", "enum": ["user"]}, "content": {"type": "string"}}, "required": ["role"]},
			{"type": "object", "properties": {"role": {"type": "string", "enum": ["tool"]}, "tool_call_id": {"type": "string"}}, "required": ["role"]}]}`,
			`{"type":"object","properties":{"content":{"type":"string"},"role":{"type":"string","enum":["user","tool"]},"tool_call_id":{"type":"string"}}}`, 1},
		{"shared property, one alternative without an enum", `{"oneOf": [
			{"type": "object", "properties": {"kind": {"type": "string", "enum": ["a"]}}},
			{"type": "object", "properties": {"kind": {"type": "string"}}}]}`,
			`{"type":"object","properties":{"kind":{"type":"string"}}}`, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var s openapi3.Schema
			if err := json.Unmarshal([]byte(tt.schema), &s); err != nil {
				t.Fatal(err)
			}
			c := newConverter(false)
			got := mustJSON(c.convert("x", &openapi3.SchemaRef{Value: &s}, preferFirst, 0))
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if len(c.notes) != tt.notes {
				t.Errorf("notes %q, want %d", c.notes, tt.notes)
			}
		})
	}
}

func TestRecursiveSchema(t *testing.T) {
	s := &openapi3.Schema{Type: &openapi3.Types{"object"}, Properties: openapi3.Schemas{}}
	s.Properties["child"] = &openapi3.SchemaRef{Value: s}
	c := newConverter(false)
	got := mustJSON(c.convert("x", &openapi3.SchemaRef{Value: s}, preferFirst, 0))
	if string(got) != `{"type":"object","properties":{"child":{"type":"object"}}}` {
		t.Errorf("got %s", got)
	}
}

func TestSlugs(t *testing.T) {
	for in, want := range map[string]string{
		"issues/create":           "ISSUES_CREATE",
		"chat_postMessage":        "CHAT_POST_MESSAGE",
		"PostAccountsAccount":     "POST_ACCOUNTS_ACCOUNT",
		"GET /repos/owner/{repo}": "GET_REPOS_OWNER_REPO",
		"getHTTPServer":           "GET_HTTP_SERVER",
	} {
		if got := strings.ToUpper(snake(in)); got != want {
			t.Errorf("snake(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestRefsIntoComponents: a ref into a component (PagerDuty's request
// bodies point at oneOf alternatives inside a response) and a ref to a
// component of another kind in a response's place (PagerDuty answers with a
// requestBodies component) are followed, not refused.
func TestRefsIntoComponents(t *testing.T) {
	doc := `openapi: 3.0.2
info: {title: Cache, version: "1"}
servers: [{url: "https://api.cache.example"}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: Authorization}
  responses:
    Data:
      description: The data.
      content:
        application/json:
          schema:
            oneOf:
              - type: object
                properties:
                  value: {type: string, description: The value.}
              - type: object
                properties:
                  count: {type: integer, description: The count.}
  requestBodies:
    Put:
      description: The new data.
      content:
        application/json:
          schema:
            oneOf:
              - $ref: "#/components/responses/Data/content/application~1json/schema/oneOf/0"
              - $ref: "#/components/responses/Data/content/application~1json/schema/oneOf/1"
security: [{key: []}]
paths:
  /vars/{id}:
    put:
      operationId: putVar
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}, description: The variable.}
      requestBody: {$ref: "#/components/requestBodies/Put"}
      responses:
        200: {$ref: "#/components/requestBodies/Put"}
`
	f, _, err := Import([]byte(doc), Options{Slug: "cache", Version: version})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := Check(f)
	if err != nil {
		t.Fatal(err)
	}
	r, err := tool(t, cat, "CACHE_PUT_VAR").BuildRequest(map[string]any{"id": "v1", "value": "x", "count": 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.Method != "PUT" || r.Path != "/vars/v1" || string(r.Body) != `{"count":2,"value":"x"}` {
		t.Errorf("got %s %s %s, want PUT /vars/v1 {\"count\":2,\"value\":\"x\"}", r.Method, r.Path, r.Body)
	}

	for _, tt := range []struct{ name, ref, want string }{
		{"missing key", "#/components/responses/Nope/content", `no "Nope"`},
		{"bad index", "#/components/responses/Data/content/application~1json/schema/oneOf/7", `no element "7"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(doc, "#/components/responses/Data/content/application~1json/schema/oneOf/0", tt.ref, 1)
			_, _, err := Import([]byte(bad), Options{Slug: "cache", Version: version})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %s", err, tt.want)
			}
		})
	}
	t.Run("cycle", func(t *testing.T) {
		loop := strings.Replace(doc, "- type: object\n                properties:\n                  count",
			"- $ref: \"#/components/requestBodies/Put/content/application~1json/schema/oneOf/1\"\n              - type: object\n                properties:\n                  count", 1)
		_, _, err := Import([]byte(loop), Options{Slug: "cache", Version: version})
		if err == nil || !strings.Contains(err.Error(), "nested in one another") {
			t.Errorf("got error %v, want the cycle refused", err)
		}
	})
}

// TestToolScopes: a tool lists the scopes its operation's security
// requirement names for the scheme that became the toolkit's OAUTH2 one,
// and none when the auth schemes come from the options.
func TestToolScopes(t *testing.T) {
	_, _, cat := mustImport(t, "slack.json", Options{Slug: "slack", Version: version, Errors: "slack"})
	for slug, want := range map[string][]string{
		"SLACK_CHAT_POST_MESSAGE":  {"chat:write:bot", "chat:write:user"},
		"SLACK_USERS_INFO":         {"users:read"},
		"SLACK_CONVERSATIONS_LIST": {"channels:read", "groups:read", "im:read", "mpim:read"},
	} {
		if diff := cmp.Diff(want, tool(t, cat, slug).Scopes); diff != "" {
			t.Errorf("%s scopes (-want +got):\n%s", slug, diff)
		}
	}
	f, _, _ := mustImport(t, "github.json", Options{Slug: "github", Version: version, AuthSchemes: githubAuth(t)})
	for _, tl := range f.Tools {
		if len(tl.Scopes) > 0 {
			t.Errorf("%s: scopes %v from a document without scopes", tl.Slug, tl.Scopes)
		}
	}
}

// TestPaginationHints: operations with the usual pagination parameters
// get a hint the catalog accepts: GitHub's page with a Link header,
// Slack's cursor with response_metadata.next_cursor. Stripe's
// starting_after gets none, since its answers name no next cursor (the
// next one is the last item's id), and a POST never gets one.
func TestPaginationHints(t *testing.T) {
	f, _, cat := mustImport(t, "github.json", docs(t)[0].opts)
	hint := func(f *File, slug string) *toolkits.Pagination {
		for _, tl := range f.Tools {
			if tl.Slug == slug {
				return tl.Pagination
			}
		}
		t.Fatalf("no tool %s", slug)
		return nil
	}
	if diff := cmp.Diff(&toolkits.Pagination{Style: toolkits.PageLinkHeader, Input: "page", Size: "per_page"}, hint(f, "GITHUB_ISSUES_LIST_FOR_REPO")); diff != "" {
		t.Errorf("GitHub issues (-want +got):\n%s", diff)
	}
	if hint(f, "GITHUB_ISSUES_CREATE") != nil {
		t.Error("a POST has a pagination hint")
	}
	if d := tool(t, cat, "GITHUB_ISSUES_LIST_FOR_REPO").Description; !strings.Contains(d, "Results come in pages") {
		t.Errorf("the catalog's description of a paginated tool says nothing of pages: %q", d)
	}
	s, _, _ := mustImport(t, "slack.json", Options{Slug: "slack", Version: version, Errors: "slack"})
	if diff := cmp.Diff(&toolkits.Pagination{Style: toolkits.PageCursor, Input: "cursor", Size: "limit", Next: "response_metadata.next_cursor"}, hint(s, "SLACK_CONVERSATIONS_LIST")); diff != "" {
		t.Errorf("Slack conversations (-want +got):\n%s", diff)
	}
	st, _, _ := mustImport(t, "stripe.json", Options{Slug: "stripe", Version: version})
	if h := hint(st, "STRIPE_GET_CUSTOMERS"); h != nil {
		t.Errorf("Stripe customers: %+v, want none", *h)
	}
}

// TestClientCredentialsFlow: an oauth2 scheme with only a
// clientCredentials flow becomes an OAUTH2 scheme of that grant, whose
// connection fields are the client's id and secret, and the file loads.
func TestClientCredentialsFlow(t *testing.T) {
	doc := []byte(`{"openapi":"3.0.3","info":{"title":"Robots","version":"1"},
"servers":[{"url":"https://api.robots.example/v1"}],
"components":{"securitySchemes":{"m2m":{"type":"oauth2","flows":{"clientCredentials":{"tokenUrl":"/oauth/token","scopes":{"robots:read":"Read robots."}}}}}},
"security":[{"m2m":["robots:read"]}],
"paths":{"/robots":{"get":{"operationId":"listRobots","summary":"List robots","responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"type":"object"}}}}}}}}}`)
	f, _, err := Import(doc, Options{Slug: "robots", Version: version})
	if err != nil {
		t.Fatal(err)
	}
	want := []toolkits.AuthScheme{{
		Mode: toolkits.ModeOAuth2,
		OAuth2: &toolkits.OAuth2Spec{Grant: toolkits.GrantClientCredentials, TokenURL: "https://api.robots.example/oauth/token",
			DefaultScopes: []string{"robots:read"}, ScopeSeparator: " ", ScopeParam: "scope", TokenEncoding: toolkits.TokenForm, TokenAuth: toolkits.AuthInHeader},
		Fields: []toolkits.Field{
			{Name: "client_id", DisplayName: "Client ID", Description: "The id of your API client.", Type: "string", Required: true},
			{Name: "client_secret", DisplayName: "Client secret", Description: "The secret of your API client.", Type: "string", Required: true, Secret: true},
		},
		Apply: toolkits.Apply{Header: "Authorization", Prefix: "Bearer ", Field: "access_token"},
	}}
	if diff := cmp.Diff(want, f.AuthSchemes); diff != "" {
		t.Errorf("auth schemes (-want +got):\n%s", diff)
	}
	if _, err := toolkits.New(*f); err != nil {
		t.Errorf("the imported file does not load: %v", err)
	}
}
