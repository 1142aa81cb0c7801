package e2e

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// tlsRecorder is an https upstream on 127.0.0.1 that answers every
// request with a JSON object and remembers the last one; its pool is the
// CA a server must trust to reach it.
type tlsRecorder struct {
	*httptest.Server
	pool *x509.CertPool
	mu   sync.Mutex
	last *http.Request
	n    int
}

func newTLSRecorder(t *testing.T) *tlsRecorder {
	rec := &tlsRecorder{}
	rec.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.last, rec.n = r.Clone(r.Context()), rec.n+1
		rec.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"fact":"water is wet","id":"` + strings.TrimPrefix(r.URL.Path, "/facts/") + `"}`))
	}))
	t.Cleanup(rec.Close)
	rec.pool = x509.NewCertPool()
	rec.pool.AddCert(rec.Certificate())
	return rec
}

func (r *tlsRecorder) seen() (*http.Request, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last, r.n
}

// publicToolkit is a NO_AUTH toolkit whose API is at baseURL.
func publicToolkit(baseURL string) string {
	return `{
  "slug": "public", "name": "Public", "description": "A public API of facts.",
  "logo": "https://example.com/public.png", "categories": [{"slug": "reference", "name": "Reference"}],
  "base_url": "` + baseURL + `",
  "auth_schemes": [{"mode": "NO_AUTH"}],
  "version": "20260101_00", "errors": "http", "tools": [{
  "slug": "PUBLIC_GET_FACT", "name": "Get fact", "description": "Gets one fact by its id.",
  "tags": ["readOnlyHint"],
  "input": {"type": "object", "properties": {"id": {"type": "string", "description": "The fact's id."}}, "required": ["id"]},
  "output": {"type": "object", "properties": {}},
  "request": {"method": "GET", "path": "/facts/{id}"}
}]
}`
}

// TestNoAuthToolkit: a toolkit that needs no credentials is listed as
// no_auth, its tools run without a connected account over REST execute,
// session execute, the proxy and MCP, and nothing offers or accepts a
// connection for it: no auth config, no link, no account. Its upstream
// still goes through egress. It runs on both stores.
func TestNoAuthToolkit(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { noAuthToolkit(t, "") })
	t.Run("postgres", func(t *testing.T) { noAuthToolkit(t, postgrestest.URL(t)) })
}

func noAuthToolkit(t *testing.T, dsn string) {
	up := newTLSRecorder(t)
	s := startServer(t, serverOptions{DatabaseURL: dsn, RootCAs: up.pool})
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", publicToolkit(up.URL)); st != 201 {
		t.Fatalf("create the toolkit: %d %s", st, b)
	}
	for _, c := range []struct{ path, want string }{
		{"/api/v3.1/toolkits/public", `"no_auth":true`},
		{"/api/v3.1/toolkits", `"no_auth":true`},
		{"/api/v3.1/tools?toolkit_slug=public", `"no_auth":true`},
	} {
		if st, b := call(t, s, testKey, "GET", c.path, ""); st != 200 || !strings.Contains(b, c.want) || strings.Contains(b, `"auth_config_details":[{`) {
			t.Errorf("GET %s: %d %s, want %s and no auth_config_details", c.path, st, b, c.want)
		}
	}

	// REST execute, with a user id or without.
	for _, body := range []string{`{"user_id":"user_123","arguments":{"id":"f1"}}`, `{"arguments":{"id":"f2"}}`} {
		st, b := call(t, s, testKey, "POST", "/api/v3.1/tools/execute/PUBLIC_GET_FACT", body)
		if st != 200 || !strings.Contains(b, `"successful":true`) || !strings.Contains(b, "water is wet") {
			t.Errorf("execute %s: %d %s", body, st, b)
		}
	}
	if r, _ := up.seen(); r == nil || r.URL.Path != "/facts/f2" || r.Header.Get("Authorization") != "" {
		t.Errorf("the upstream saw %v", r)
	}
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/tools/execute/PUBLIC_GET_FACT", `{"connected_account_id":"ca_nope","arguments":{"id":"f1"}}`); st != 400 || !strings.Contains(b, "toolkit_no_auth") {
		t.Errorf("execute naming an account: %d %s, want 400 toolkit_no_auth", st, b)
	}

	// Nothing connects it.
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/auth_configs", `{"toolkit":{"slug":"public"},"auth_config":{"type":"use_custom_auth","authScheme":"NO_AUTH"}}`); st != 400 || !strings.Contains(b, "toolkit_no_auth") {
		t.Errorf("create an auth config: %d %s, want 400 toolkit_no_auth", st, b)
	}
	sess := newSession(t, s, `{"user_id":"user_123","toolkits":{"enable":["public","gmail"]},"manage_connections":{"enable":true,"enable_wait_for_connections":true}}`)
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+sess+"/link", `{"toolkit":"public"}`); st != 400 || !strings.Contains(b, "toolkit_no_auth") {
		t.Errorf("session link: %d %s, want 400 toolkit_no_auth", st, b)
	}
	for _, body := range []string{`{"user_id":"user_123","connected_accounts":{"public":"ca_x"}}`, `{"user_id":"user_123","auth_configs":{"public":"ac_x"}}`} {
		if st, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session", body); st != 400 || !strings.Contains(b, "toolkit_no_auth") {
			t.Errorf("a session %s: %d %s, want 400 toolkit_no_auth", body, st, b)
		}
	}
	before := snapshot(t, s)

	// The session lists it as no-auth, connected, and runs it.
	st, b := call(t, s, testKey, "GET", "/api/v3.1/tool_router/session/"+sess+"/toolkits?is_connected=true", "")
	if st != 200 || !strings.Contains(b, `"slug":"public"`) || !strings.Contains(b, `"is_no_auth":true`) || strings.Contains(b, `"slug":"gmail"`) {
		t.Errorf("session toolkits?is_connected=true: %d %s", st, b)
	}
	if st, b := call(t, s, testKey, "GET", "/api/v3.1/tool_router/session/"+sess+"/toolkits?is_connected=false", ""); st != 200 || strings.Contains(b, `"slug":"public"`) {
		t.Errorf("session toolkits?is_connected=false lists it: %d %s", st, b)
	}
	if r := sessionExec(t, s, sess, "PUBLIC_GET_FACT", `{"id":"f3"}`, ""); r.err() != "" || r.Data["fact"] != "water is wet" {
		t.Errorf("session execute: %+v", r)
	}
	if r := sessionExec(t, s, sess, "PUBLIC_GET_FACT", `{"id":"f3"}`, "work"); !strings.Contains(r.err(), "needs no connected account") {
		t.Errorf("session execute naming an account: %+v", r)
	}

	// The proxy, in a session and outside one.
	for _, c := range []struct{ path, body string }{
		{"/api/v3.1/tool_router/session/" + sess + "/proxy_execute", `{"toolkit_slug":"public","endpoint":"/facts/p1","method":"GET"}`},
		{"/api/v3.1/tools/execute/proxy", `{"toolkit_slug":"public","endpoint":"/facts/p2","method":"GET"}`},
	} {
		if st, r, b := proxyCall(t, s, c.path, c.body); st != 200 || r.Status != 200 || r.Data["fact"] != "water is wet" {
			t.Errorf("proxy %s: %d %s", c.path, st, b)
		}
	}
	// Egress still holds: the proxy cannot leave the toolkit's host.
	_, n := up.seen()
	if st, r, b := proxyCall(t, s, "/api/v3.1/tools/execute/proxy", `{"toolkit_slug":"public","endpoint":"https://evil.example.com/x","method":"GET"}`); st == 200 && r.Error == nil {
		t.Errorf("proxy to another host: %d %s", st, b)
	}
	if _, m := up.seen(); m != n {
		t.Errorf("a refused proxy call reached the upstream")
	}

	// MCP: search says it needs no connection, manage connections makes no
	// link, wait returns at once, and multi-execute runs it.
	cs := mcpClient(t, s, sess)
	text, _ := callTool(t, cs, metatools.SearchTools, map[string]any{"queries": []any{map[string]any{"use_case": "get a fact"}}}, nil)
	if !strings.Contains(text, "PUBLIC_GET_FACT") || !strings.Contains(text, "Needs no connection") || strings.Contains(text, "Connect public") {
		t.Errorf("search: %s", text)
	}
	var conns struct {
		Results map[string]mcpConnection `json:"results"`
	}
	for _, args := range []map[string]any{{"toolkits": []string{"public"}}, {"toolkits": []string{"public"}, "reinitiate_all": true}} {
		text, isErr := callTool(t, cs, metatools.ManageConnections, args, &conns)
		if c := conns.Results["public"]; isErr || !c.HasActiveConnection || c.RedirectURL != "" || c.Error != "" {
			t.Errorf("manage connections %v: %+v %s", args, c, text)
		}
	}
	var waited mcpWaited
	if text, isErr := callTool(t, cs, metatools.WaitForConnections, map[string]any{"toolkits": []string{"public"}, "timeout_seconds": 1}, &waited); isErr || !waited.AllConnected {
		t.Errorf("wait for connections: %s", text)
	}
	var multi mcpMulti
	text, isErr := callTool(t, cs, metatools.MultiExecuteTool, map[string]any{"tools": []any{map[string]any{"tool_slug": "PUBLIC_GET_FACT", "arguments": map[string]any{"id": "m1"}}}}, &multi)
	if isErr || !multi.AllSuccessful {
		t.Errorf("multi-execute: %s", text)
	}
	if r, _ := up.seen(); r.URL.Path != "/facts/m1" {
		t.Errorf("multi-execute reached %s", r.URL.Path)
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("running a NO_AUTH toolkit changed the project:\n%s\nthen\n%s", before, after)
	}
}

// TestNoAuthMCPToolkit: a remote MCP server that needs no credentials is
// a NO_AUTH MCP toolkit: it syncs without an account (naming one is
// refused), and its tools run without one over REST and MCP. It runs on
// both stores.
func TestNoAuthMCPToolkit(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { noAuthMCPToolkit(t, "") })
	t.Run("postgres", func(t *testing.T) { noAuthMCPToolkit(t, postgrestest.URL(t)) })
}

func noAuthMCPToolkit(t *testing.T, dsn string) {
	remote := newRemoteMCP(t, func(r *http.Request) (string, bool) {
		return "anonymous", r.Header.Get("Authorization") == ""
	})
	s := startServer(t, serverOptions{DatabaseURL: dsn})
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", remoteToolkit("open", remote.URL+"/mcp", `{"mode":"NO_AUTH"}`)); st != 201 {
		t.Fatalf("create the MCP toolkit: %d %s", st, b)
	}
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/custom/toolkits/sync", `{"slug":"open","connected_account_id":"ca_x"}`); st != 400 || !strings.Contains(b, "toolkit_no_auth") {
		t.Errorf("sync naming an account: %d %s, want 400 toolkit_no_auth", st, b)
	}
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/custom/toolkits/sync", `{"slug":"open"}`); st != 200 || !strings.Contains(b, `"synced_count":2`) {
		t.Fatalf("sync without an account: %d %s", st, b)
	}
	if st, b := call(t, s, testKey, "GET", "/api/v3.1/tools?toolkit_slug=open", ""); st != 200 || !strings.Contains(b, "OPEN_WHOAMI") || !strings.Contains(b, `"no_auth":true`) {
		t.Errorf("the synced tools: %d %s", st, b)
	}
	st, b := call(t, s, testKey, "POST", "/api/v3.1/tools/execute/OPEN_WHOAMI", `{"arguments":{"greeting":"hi"}}`)
	if st != 200 || !strings.Contains(b, `"identity":"anonymous"`) {
		t.Errorf("REST execute: %d %s", st, b)
	}
	sess := newSession(t, s, `{"user_id":"user_123","toolkits":{"enable":["open"]}}`)
	if res, text, isErr := execOne(t, mcpClient(t, s, sess), "OPEN_WHOAMI", ""); isErr || !res.Successful || res.Data["identity"] != "anonymous" {
		t.Errorf("MCP execute: %s", text)
	}
}
