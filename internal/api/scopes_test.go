package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// call sends one request with an API key and returns the status and body.
func call(t *testing.T, srv *httptest.Server, apiKey, method, path, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-api-key", apiKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestKeyScopes: a runtime key runs the application (sessions, links,
// execute, proxy, reading accounts, toolkits and tools) and is refused,
// with 403 insufficient_scope naming the admin scope and nothing changed,
// on every route that sets the project up or changes accounts: auth
// configs, API keys, renaming, disabling and deleting accounts. An admin
// key may call them all.
func TestKeyScopes(t *testing.T) {
	srv, _ := newServer(t)
	var created struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	post(t, srv, "/api/v3.1/auth_configs", `{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_composio_managed_auth","authScheme":"API_KEY"}}`, &created)
	ac := created.AuthConfig.ID
	var acct struct{ ID string }
	post(t, srv, "/api/v3.1/connected_accounts", `{"auth_config":{"id":"`+ac+`"},"connection":{"user_id":"u1","state":{"authScheme":"API_KEY","val":{"api_key":"lin_secret_1"}}}}`, &acct)

	// An admin key makes a runtime key; the answer shows it once.
	status, b := call(t, srv, key, "POST", "/api/v3.1/api_keys", `{"name":"agent","scope":"runtime"}`)
	if status != 201 {
		t.Fatalf("create runtime key: %d %s", status, b)
	}
	var rk struct{ ID, Key, Scope, Prefix string }
	if err := json.Unmarshal([]byte(b), &rk); err != nil || rk.Key == "" || rk.Scope != "runtime" || len(rk.Prefix) > 4 {
		t.Fatalf("create runtime key: %s (%v)", b, err)
	}
	runtime := rk.Key

	var sess struct {
		SessionID string `json:"session_id"`
	}
	status, b = call(t, srv, runtime, "POST", "/api/v3.1/tool_router/session", `{"user_id":"u1","toolkits":{"enable":["linear"]}}`)
	if status != 201 || json.Unmarshal([]byte(b), &sess) != nil || sess.SessionID == "" {
		t.Fatalf("a runtime key creates a session: %d %s", status, b)
	}
	expand := strings.NewReplacer("{ac}", ac, "{ca}", acct.ID, "{s}", sess.SessionID, "{key}", rk.ID).Replace

	refused := []struct{ method, path, body string }{
		{"POST", "/api/v3.1/auth_configs", `{"toolkit":{"slug":"github"},"auth_config":{"type":"use_composio_managed_auth"}}`},
		{"GET", "/api/v3.1/auth_configs", ""},
		{"GET", "/api/v3.1/auth_configs/{ac}", ""},
		{"PATCH", "/api/v3.1/auth_configs/{ac}", `{"type":"default","name":"renamed"}`},
		{"PATCH", "/api/v3.1/auth_configs/{ac}/DISABLED", ""},
		{"DELETE", "/api/v3.1/auth_configs/{ac}", ""},
		{"DELETE", "/api/v3/auth_configs/{ac}", ""},
		{"POST", "/api/v3.1/api_keys", `{"name":"escalate","scope":"admin"}`},
		{"GET", "/api/v3.1/api_keys", ""},
		{"DELETE", "/api/v3.1/api_keys/{key}", ""},
		{"PATCH", "/api/v3.1/connected_accounts/{ca}", `{"alias":"work"}`},
		{"PATCH", "/api/v3.1/connected_accounts/{ca}/status", `{"enabled":false}`},
		{"DELETE", "/api/v3.1/connected_accounts/{ca}", ""},
	}
	_, configsBefore := call(t, srv, key, "GET", "/api/v3.1/auth_configs", "")
	_, keysBefore := call(t, srv, key, "GET", "/api/v3.1/api_keys", "")
	_, acctBefore := call(t, srv, key, "GET", "/api/v3.1/connected_accounts/"+acct.ID, "")
	for _, r := range refused {
		t.Run("runtime refused "+r.method+" "+r.path, func(t *testing.T) {
			status, b := call(t, srv, runtime, r.method, expand(r.path), expand(r.body))
			if status != 403 || !strings.Contains(b, `"slug":"insufficient_scope"`) || !strings.Contains(b, "admin scope") || !strings.Contains(b, `"code":2100`) {
				t.Errorf("got %d %s, want 403 insufficient_scope naming the admin scope", status, b)
			}
		})
	}
	for _, check := range []struct{ path, before string }{
		{"/api/v3.1/auth_configs", configsBefore},
		{"/api/v3.1/api_keys", keysBefore},
		{"/api/v3.1/connected_accounts/" + acct.ID, acctBefore},
	} {
		if _, after := call(t, srv, key, "GET", check.path, ""); after != check.before {
			t.Errorf("refused requests changed GET %s:\nbefore %s\nafter  %s", check.path, check.before, after)
		}
	}

	allowed := []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/api/v3.1/tool_router/session/{s}", "", 200},
		{"PATCH", "/api/v3.1/tool_router/session/{s}", `{"toolkits":{"enable":["linear","github"]}}`, 200},
		{"GET", "/api/v3.1/tool_router/session/{s}/toolkits", "", 200},
		{"GET", "/api/v3.1/tool_router/session/{s}/tools", "", 200},
		{"POST", "/api/v3.1/tool_router/session/{s}/search", `{"queries":[{"use_case":"list issues"}]}`, 200},
		{"POST", "/api/v3.1/tool_router/session/{s}/link", `{"toolkit":"linear"}`, 201},
		{"POST", "/api/v3.1/connected_accounts/link", `{"auth_config_id":"{ac}","user_id":"u2"}`, 201},
		{"GET", "/api/v3.1/connected_accounts", "", 200},
		{"GET", "/api/v3.1/connected_accounts/{ca}", "", 200},
		{"GET", "/api/v3.1/toolkits", "", 200},
		{"GET", "/api/v3.1/toolkits/linear", "", 200},
		{"GET", "/api/v3.1/tools?toolkit_slug=linear", "", 200},
		{"GET", "/api/v3.1/tools/LINEAR_GET_CURRENT_USER", "", 200},
	}
	for _, r := range allowed {
		t.Run("runtime allowed "+r.method+" "+r.path, func(t *testing.T) {
			status, b := call(t, srv, runtime, r.method, expand(r.path), expand(r.body))
			if status != r.status {
				t.Errorf("got %d %s, want %d", status, b, r.status)
			}
		})
	}
	// Execute and proxy pass the scope check: what refuses them here is the
	// call itself, never the key's scope.
	for _, r := range []struct{ path, body string }{
		{"/api/v3.1/tools/execute/LINEAR_GET_CURRENT_USER", `{"connected_account_id":"ca_nope","arguments":{}}`},
		{"/api/v3.1/tools/execute/proxy", `{"connected_account_id":"ca_nope","endpoint":"/graphql","method":"POST"}`},
		{"/api/v3.1/connected_accounts/{ca}/refresh", `{}`},
		{"/api/v3.1/tool_router/session/{s}/execute", `{"tool_slug":"LINEAR_GET_CURRENT_USER","arguments":{}}`},
		{"/api/v3.1/tool_router/session/{s}/execute_meta", `{"slug":"COMPOSIO_SEARCH_TOOLS","arguments":{"queries":[{"use_case":"list issues"}]}}`},
		{"/api/v3.1/tool_router/session/{s}/proxy_execute", `{"toolkit_slug":"linear","endpoint":"/graphql","method":"POST"}`},
	} {
		t.Run("runtime passes the scope check POST "+r.path, func(t *testing.T) {
			status, b := call(t, srv, runtime, "POST", expand(r.path), expand(r.body))
			if status == 403 || strings.Contains(b, "insufficient_scope") {
				t.Errorf("got %d %s, want the route to run", status, b)
			}
		})
	}

	if status, b := call(t, srv, runtime, "DELETE", expand("/api/v3.1/tool_router/session/{s}"), ""); status != 200 {
		t.Errorf("runtime deletes its session: got %d %s, want 200", status, b)
	}

	// The admin key may do what the runtime key may not.
	for _, r := range []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/api/v3.1/auth_configs/{ac}", "", 200},
		{"PATCH", "/api/v3.1/connected_accounts/{ca}", `{"alias":"work"}`, 200},
		{"DELETE", "/api/v3.1/api_keys/{key}", "", 200},
		{"DELETE", "/api/v3.1/auth_configs/{ac}", "", 200},
	} {
		if status, b := call(t, srv, key, r.method, expand(r.path), r.body); status != r.status {
			t.Errorf("admin %s %s: got %d %s, want %d", r.method, r.path, status, b, r.status)
		}
	}
	// A revoked runtime key authenticates no more.
	if status, b := call(t, srv, runtime, "GET", "/api/v3.1/toolkits", ""); status != 401 {
		t.Errorf("revoked runtime key: got %d %s, want 401", status, b)
	}
}

// TestAPIKeyCreate: the key routes refuse an unknown scope with 400, list
// keys without the keys themselves, and default to admin.
func TestAPIKeyCreate(t *testing.T) {
	srv, _ := newServer(t)
	status, b := call(t, srv, key, "POST", "/api/v3.1/api_keys", `{"name":"x","scope":"root"}`)
	if status != 400 || !strings.Contains(b, `"slug":"invalid_scope"`) || !strings.Contains(b, `"field":"scope"`) {
		t.Errorf("unknown scope: got %d %s, want 400 invalid_scope", status, b)
	}
	status, b = call(t, srv, key, "POST", "/api/v3.1/api_keys", `{"name":"ci"}`)
	var k struct{ ID, Key, Scope string }
	if status != 201 || json.Unmarshal([]byte(b), &k) != nil || k.Scope != "admin" || k.Key == "" {
		t.Fatalf("default scope: got %d %s, want 201 with an admin key", status, b)
	}
	status, b = call(t, srv, key, "GET", "/api/v3.1/api_keys", "")
	if status != 200 || !strings.Contains(b, k.ID) || strings.Contains(b, k.Key) || strings.Contains(b, key) || !strings.Contains(b, `"scope":"admin"`) {
		t.Errorf("list: got %d %s, want the ids and scopes and never a key", status, b)
	}
	if status, b := call(t, srv, key, "DELETE", "/api/v3.1/api_keys/key_nope", ""); status != 404 || !strings.Contains(b, "api_key_not_found") {
		t.Errorf("revoke unknown: got %d %s, want 404", status, b)
	}
}
