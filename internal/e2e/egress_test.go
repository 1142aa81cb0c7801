package e2e

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/wire"
)

// countingUpstream is a service on 127.0.0.1 that counts the requests it
// gets: "another service on the server's host" an attacker wants to read.
func countingUpstream(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":{"viewer":{"id":"internal","email":"admin@internal.example"}},"emailAddress":"root@internal.example","internal_secret":"s3cr3t-internal"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestLoopbackBaseURLRefused: with SWITCHBOARD_EGRESS_ALLOW_LOOPBACK off (the
// default), a project cannot point an auth config's base_url at the
// server's own host, and a config stored while it was on reaches nothing
// once it is off. Private, link-local and documentation addresses are
// refused either way.
func TestLoopbackBaseURLRefused(t *testing.T) {
	internal, hits := countingUpstream(t)
	port := internal.URL[strings.LastIndex(internal.URL, ":")+1:]
	create := func(s *server, baseURL string) (int, string) {
		return call(t, s, testKey, "POST", "/api/v3.1/auth_configs",
			`{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_custom_auth","authScheme":"API_KEY","credentials":{"base_url":"`+baseURL+`"}}}`)
	}

	dir := filepath.Join(t.TempDir(), "data")
	dev := startServer(t, serverOptions{DataDir: dir})
	for _, u := range []string{"https://169.254.169.254/latest", "https://10.0.0.1/api", "https://192.0.2.2/api", "https://[fd00::2]/api", "http://api.linear.app"} {
		if status, b := create(dev, u); status != 400 || !strings.Contains(b, "invalid_endpoint") || !strings.Contains(b, "base_url") {
			t.Errorf("base_url %s with loopback allowed: got %d %s, want 400 invalid_endpoint naming base_url", u, status, b)
		}
	}
	// The control: with loopback allowed, the local upstream is reached.
	// Connecting makes the identity request with the key: one hit.
	sess := connectWith(t, dev, "linear", "API_KEY", internal.URL, map[string]string{"api_key": "lin_k"})
	if n := hits.Load(); n != 1 {
		t.Fatalf("connecting with loopback allowed: %d upstream hits, want 1 (the identity request)", n)
	}
	if r := sessionExec(t, dev, sess, "LINEAR_GET_CURRENT_USER", `{}`, ""); r.err() != "" || hits.Load() != 2 {
		t.Fatalf("with loopback allowed: %+v, %d upstream hits, want success and 2", r, hits.Load())
	}
	dev.Stop()

	s := startServer(t, serverOptions{DataDir: dir, NoLoopback: true})
	for _, u := range []string{internal.URL, "https://127.0.0.1:" + port, "http://localhost:" + port, "http://[::1]:" + port, "http://127.1.2.3:" + port} {
		status, b := create(s, u)
		if status != 400 || !strings.Contains(b, "invalid_endpoint") || !strings.Contains(b, "SWITCHBOARD_EGRESS_ALLOW_LOOPBACK") {
			t.Errorf("base_url %s with loopback off: got %d %s, want 400 invalid_endpoint naming SWITCHBOARD_EGRESS_ALLOW_LOOPBACK", u, status, b)
		}
	}
	// The config stored earlier: execute and the proxy reach nothing.
	r := sessionExec(t, s, sess, "LINEAR_GET_CURRENT_USER", `{}`, "")
	if r.err() == "" || strings.Contains(r.err(), "s3cr3t-internal") {
		t.Errorf("execute against a stored loopback base_url: got %+v, want an error", r)
	}
	status, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+sess+"/proxy_execute",
		`{"toolkit_slug":"linear","endpoint":"/graphql","method":"POST","body":{"query":"{ viewer { id } }"}}`)
	if strings.Contains(b, "s3cr3t-internal") || strings.Contains(b, `"successful":true`) {
		t.Errorf("proxy against a stored loopback base_url: got %d %s, want a failure", status, b)
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("the service on 127.0.0.1 got %d requests with loopback off, want none after the first two", n-2)
	}
}

// outboundHTTP names what only internal/egress may use: building an HTTP
// client or transport, and net/http's default client and transport with
// the helpers that use them. x/oauth2's NewClient builds one too.
var outboundHTTP = map[string]map[string]bool{
	"net/http": {
		"Client": true, "Transport": true, "DefaultClient": true, "DefaultTransport": true,
		"Get": true, "Head": true, "Post": true, "PostForm": true,
	},
	"golang.org/x/oauth2": {"NewClient": true},
}

// TestOutboundHTTPOnlyThroughEgress: no production package other than
// internal/egress names http.Client or http.Transport (to build or pass
// one around) or calls through http.DefaultClient (http.Get and friends
// included), so every outbound call gets the egress rules: code that
// needs to call out takes an *egress.Clients. The SDK (sdk/, a client of a Switchboard
// server the application names, not an upstream), the benchmark harness
// (cmd/switchboard-bench, a client of the server it starts) and test helper
// packages (named *test) are exempt; _test.go files are not production code.
func TestOutboundHTTPOnlyThroughEgress(t *testing.T) {
	checked := 0
	for dir, files := range packages(t) {
		if dir == filepath.Join("internal", "egress") || dir == "sdk" || strings.HasPrefix(dir, "sdk"+string(filepath.Separator)) || dir == filepath.Join("cmd", "switchboard-bench") ||
			strings.HasSuffix(dir, "test") {
			continue
		}
		for _, f := range files {
			fset := token.NewFileSet()
			af, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			// The local names of the watched imports in this file.
			names := map[string]string{}
			for _, imp := range af.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if _, ok := outboundHTTP[path]; !ok {
					continue
				}
				name := path[strings.LastIndex(path, "/")+1:]
				if imp.Name != nil {
					name = imp.Name.Name
				}
				names[name] = path
			}
			if len(names) == 0 {
				continue
			}
			ast.Inspect(af, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				id, ok := sel.X.(*ast.Ident)
				if !ok || id.Obj != nil { // a local variable, not the package
					return true
				}
				if path, ok := names[id.Name]; ok && outboundHTTP[path][sel.Sel.Name] {
					t.Errorf("%s: uses %s.%s; outbound HTTP must go through internal/egress (egress.Clients)", fset.Position(sel.Pos()), path, sel.Sel.Name)
				}
				return true
			})
		}
	}
	if checked < 20 {
		t.Fatalf("checked %d files, want the whole module", checked)
	}
}

// TestOutboundRuleCatches: the walk of TestOutboundHTTPOnlyThroughEgress
// finds each way of making an unguarded client, so it cannot pass by
// finding nothing.
func TestOutboundRuleCatches(t *testing.T) {
	src := `package x
import (
	"context"
	h "net/http"
	"golang.org/x/oauth2"
)
var a = &h.Client{}
var b = h.DefaultClient
var c h.Transport
func f() { h.Get("https://x.example"); h.PostForm("https://x.example", nil); oauth2.NewClient(context.Background(), nil) }
func g(r *h.Request) { _ = r.URL; var s h.Server; _ = s }
`
	af, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{"h": "net/http", "oauth2": "golang.org/x/oauth2"}
	var found []string
	ast.Inspect(af, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Obj == nil && outboundHTTP[names[id.Name]][sel.Sel.Name] {
				found = append(found, id.Name+"."+sel.Sel.Name)
			}
		}
		return true
	})
	want := "h.Client h.DefaultClient h.Transport h.Get h.PostForm oauth2.NewClient"
	if got := strings.Join(found, " "); got != want {
		t.Errorf("found %q, want %q", got, want)
	}
}

// TestCredentialHostChangeRefused: while an auth config has connected
// accounts, a PATCH that would move any credential-receiving host (base
// URL, token, identity or authorization URL) elsewhere is refused with
// credential_host_change and changes nothing; the accounts' next calls go
// where they went before. Paths on the same host may change, and a config
// without accounts may change freely. It runs on both stores.
func TestCredentialHostChangeRefused(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { credentialHostChange(t, serverOptions{}) })
	t.Run("postgres", func(t *testing.T) { credentialHostChange(t, serverOptions{DatabaseURL: postgrestest.URL(t)}) })
}

func credentialHostChange(t *testing.T, o serverOptions) {
	s := startServer(t, o)
	up := newRecorder(t)
	attacker, stolen := countingUpstream(t)

	// An API key account: base_url receives the key on every call.
	sess := connectWith(t, s, "linear", "API_KEY", up.URL, map[string]string{"api_key": "lin_key_1"})
	var configs struct {
		Items []struct {
			ID      string                `json:"id"`
			Toolkit struct{ Slug string } `json:"toolkit"`
		} `json:"items"`
	}
	_, b := call(t, s, testKey, "GET", "/api/v3.1/auth_configs", "")
	json.Unmarshal([]byte(b), &configs)
	linear := ""
	for _, c := range configs.Items {
		if c.Toolkit.Slug == "linear" {
			linear = c.ID
		}
	}
	if linear == "" {
		t.Fatalf("no linear auth config in %s", b)
	}
	patch := func(id, creds string) (int, string) {
		return call(t, s, testKey, "PATCH", "/api/v3.1/auth_configs/"+id, `{"credentials":`+creds+`}`)
	}
	status, b := patch(linear, `{"base_url":"`+attacker.URL+`"}`)
	if status != 400 || !strings.Contains(b, `"slug":"credential_host_change"`) || !strings.Contains(b, "base_url") ||
		!strings.Contains(b, "1 connected account") || !strings.Contains(b, "new auth config") {
		t.Errorf("PATCH base_url to another host: got %d %s, want 400 credential_host_change naming base_url, the accounts and the fix", status, b)
	}
	if r := sessionExec(t, s, sess, "LINEAR_GET_CURRENT_USER", `{}`, ""); r.err() != "" || up.seen().Authorization != "lin_key_1" {
		t.Errorf("after the refused PATCH: %+v, upstream saw %+v; want the old host", r, up.seen())
	}
	if status, b := patch(linear, `{"base_url":"`+up.URL+`/v2"}`); status != 200 {
		t.Errorf("PATCH base_url to a path on the same host: got %d %s, want 200", status, b)
	}

	// An OAuth account: token, identity and authorization URLs too, and
	// removing an override (back to the toolkit's default host) counts.
	p := provider(t, s)
	gmail := gmailConfig(t, s.Client, p)
	oauthSess, err := s.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	wa := connect(t, oauthSess, work)
	for _, tt := range []struct{ field, value string }{
		{"token_url", attacker.URL + "/token"},
		{"userinfo_url", attacker.URL + "/userinfo"},
		{"authorization_url", attacker.URL + "/authorize"},
		{"base_url", attacker.URL + "/gmail/v1"},
		{"token_url", ""},
	} {
		status, b := patch(gmail, `{"`+tt.field+`":"`+tt.value+`"}`)
		if status != 400 || !strings.Contains(b, `"slug":"credential_host_change"`) || !strings.Contains(b, tt.field) {
			t.Errorf("PATCH %s to %q: got %d %s, want 400 credential_host_change naming it", tt.field, tt.value, status, b)
		}
	}
	_, b = call(t, s, testKey, "GET", "/api/v3.1/auth_configs/"+gmail, "")
	if !strings.Contains(b, p.TokenURL()) || strings.Contains(b, attacker.URL) {
		t.Errorf("after refused PATCHes the config is %s, want it unchanged", b)
	}
	if _, err := s.Client.ConnectedAccounts().Refresh(ctxT(t), wa.ID); err != nil {
		t.Errorf("refresh after the refused PATCHes: %v", err)
	}
	if n := stolen.Load(); n != 0 {
		t.Errorf("the new host got %d requests, want 0", n)
	}

	// Without accounts, the same change is allowed.
	status, b = call(t, s, testKey, "POST", "/api/v3.1/auth_configs",
		`{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_custom_auth","authScheme":"API_KEY","credentials":{"base_url":"`+up.URL+`"}}}`)
	var fresh struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	json.Unmarshal([]byte(b), &fresh)
	if status != 201 {
		t.Fatalf("create a second linear config: %d %s", status, b)
	}
	if status, b := patch(fresh.AuthConfig.ID, `{"base_url":"`+attacker.URL+`"}`); status != 200 {
		t.Errorf("PATCH base_url of a config without accounts: got %d %s, want 200", status, b)
	}
}

// TestStoredOAuthEndpointElsewhereNotFollowed: an authorization_url on
// another host that is already in the store (written before the endpoint
// rules, or by hand) is checked again when the link page is opened: the
// page does not redirect the browser there.
func TestStoredOAuthEndpointElsewhereNotFollowed(t *testing.T) {
	s := startServer(t, serverOptions{})
	p := provider(t, s)
	ac := gmailConfig(t, s.Client, p)
	sess, err := s.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	// The control: with the provider's URL the page redirects there.
	req, err := sess.Authorize(ctxT(t), "gmail")
	if err != nil {
		t.Fatal(err)
	}
	if loc := get(t, req.RedirectURL).Header.Get("Location"); !strings.HasPrefix(loc, p.AuthorizeURL()) {
		t.Fatalf("link page with the provider's URL redirected to %q, want %s", loc, p.AuthorizeURL())
	}
	if _, err := s.App.Store.UpdateAuthConfig(ctxT(t), defaultProject(t, s), ac, func(c store.AuthConfig) (store.AuthConfig, error) {
		c.Params["authorization_url"] = "https://evil.example/authorize"
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}
	s.App.ForgetCaches()
	req, err = sess.Authorize(ctxT(t), "gmail")
	if err != nil {
		t.Fatal(err)
	}
	resp := get(t, req.RedirectURL)
	if loc := resp.Header.Get("Location"); strings.Contains(loc, "evil.example") || strings.Contains(body(resp), "evil.example") {
		t.Errorf("link page with a stored foreign authorization_url: %d to %q, want no redirect there", resp.StatusCode, loc)
	}
}

// TestIdentityRedirectRefused: through the whole hosted flow, a provider
// whose identity endpoint redirects elsewhere (another service on the
// host, the private network, the metadata service) does not get the
// access token replayed there, and the other service's answer does not
// become the account's identity.
func TestIdentityRedirectRefused(t *testing.T) {
	internal, hits := countingUpstream(t)
	for _, target := range []string{internal.URL + "/profile", "http://10.0.0.1/profile", "http://169.254.169.254/latest/meta-data/", "http://192.0.2.2/", "http://[fd00::2]/"} {
		t.Run(target, func(t *testing.T) {
			redirector := httptest.NewServer(http.RedirectHandler(target, http.StatusFound))
			defer redirector.Close()
			s := startServer(t, serverOptions{})
			p := provider(t, s)
			if _, err := s.Client.AuthConfigs().Create(ctxT(t), "gmail", wire.AuthConfigSpec{
				Type: "use_custom_auth", AuthScheme: "OAUTH2",
				Credentials: map[string]any{
					"client_id": "switchboard-client", "client_secret": "switchboard-secret",
					"scopes":            []any{"https://mail.google.com/", "openid", "email"},
					"authorization_url": p.AuthorizeURL(), "token_url": p.TokenURL(),
					"userinfo_url": redirector.URL + "/gmail/v1/users/me/profile",
				},
			}); err != nil {
				t.Fatal(err)
			}
			sess, err := s.Client.Create(ctxT(t), "user_123")
			if err != nil {
				t.Fatal(err)
			}
			req, err := sess.Authorize(ctxT(t), "gmail")
			if err != nil {
				t.Fatal(err)
			}
			consent(t, req.RedirectURL, work, true)
			acct, err := req.WaitForConnection(ctxT(t))
			if err != nil {
				t.Fatal(err)
			}
			if acct.Identity != "" {
				t.Errorf("identity through a redirect to %s: got %q, want none", target, acct.Identity)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the service the identity endpoint redirected to got %d requests, want 0", n)
	}
}
