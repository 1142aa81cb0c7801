package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRoutes sends each body to every route that reads one, on a real
// server over SQLite: bad input is a 4xx, never a 5xx, and the server
// keeps serving. No account is connected, so no input reaches an upstream.
func FuzzRoutes(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"user_id":"u1"}`, `{"user_id":"u\u0000"}`, "{\"user_id\":\"\xff\"}",
		`{"alias":"work"}`, `{"enabled":false}`, `{"toolkit":"github"}`, `{"tool_slug":"GITHUB_GET_THE_AUTHENTICATED_USER","arguments":{}}`,
		`{"slug":"COMPOSIO_SEARCH_TOOLS","arguments":{"queries":[{"use_case":"x"}]}}`,
		`{"slug":"COMPOSIO_MULTI_EXECUTE_TOOL","arguments":{"tools":[{"tool_slug":"GITHUB_STAR_A_REPOSITORY_FOR_THE_AUTHENTICATED_USER","arguments":{"owner":"a","repo":"b"}}]}}`,
		`{"endpoint":"/user","method":"GET","toolkit_slug":"github"}`, `{"name":"k","scope":"runtime"}`,
		`{"toolkit":{"slug":"github"},"auth_config":{"type":"use_custom_auth","authScheme":"OAUTH2","credentials":{"client_id":"c","base_url":"http://10.0.0.1"}}}`,
		`{"credentials":{"token_url":"https://evil.example/token"}}`, `{"toolkits":{"enable":["gmail"]},"connected_accounts":{"gmail":["ca_x"]}}`,
		`{"limit":1e400}`, `{"a":1}}`,
	} {
		f.Add([]byte(s))
	}
	srv, _ := newServer(f)
	var sess struct {
		SessionID string `json:"session_id"`
	}
	post(f, srv, "/api/v3.1/tool_router/session", `{"user_id":"u1"}`, &sess)
	var created struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	post(f, srv, "/api/v3.1/auth_configs", `{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_composio_managed_auth","authScheme":"API_KEY"}}`, &created)
	var link struct {
		ID string `json:"connected_account_id"`
	}
	post(f, srv, "/api/v3.1/connected_accounts/link", `{"auth_config_id":"`+created.AuthConfig.ID+`","user_id":"u1"}`, &link)
	s, ac, ca := "/api/v3.1/tool_router/session/"+sess.SessionID, "/api/v3.1/auth_configs/"+created.AuthConfig.ID, "/api/v3.1/connected_accounts/"+link.ID
	routes := []string{
		"POST /api/v3.1/tool_router/session", "PATCH " + s, "POST " + s + "/link", "POST " + s + "/search",
		"POST " + s + "/execute", "POST " + s + "/execute_meta", "POST " + s + "/proxy_execute",
		"POST /api/v3.1/connected_accounts/link", "POST /api/v3.1/connected_accounts", "PATCH " + ca, "PATCH " + ca + "/status",
		"POST " + ca + "/refresh", "POST /api/v3.1/auth_configs", "PATCH " + ac, "POST /api/v3.1/api_keys",
		"POST /api/v3.1/tools/execute/GITHUB_GET_THE_AUTHENTICATED_USER", "POST /api/v3.1/tools/execute/proxy",
	}
	h := srv.Config.Handler
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, route := range routes {
			method, path, _ := strings.Cut(route, " ")
			req := httptest.NewRequest(method, path, bytes.NewReader(body))
			req.Header.Set("x-api-key", key)
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code >= 500 {
				t.Fatalf("%s with %q: %d %s", route, body, w.Code, w.Body)
			}
		}
		req := httptest.NewRequest("GET", "/readyz", nil)
		w := httptest.NewRecorder()
		if h.ServeHTTP(w, req); w.Code != http.StatusOK {
			t.Fatalf("not ready after %q: %d", body, w.Code)
		}
	})
}
