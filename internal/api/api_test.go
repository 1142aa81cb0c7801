package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/app"
	"github.com/switchboard-dev/switchboard/internal/config"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

const key = "sb_api_test_key_0123456789abcdef"

func TestMain(m *testing.M) { postgrestest.Main(m) }

// newServer is the real router on a real SQLite store.
func newServer(t testing.TB) (*httptest.Server, *app.App) {
	t.Helper()
	return newServerOn(t, "")
}

// newServerOn is the real router on SQLite, or on the PostgreSQL database
// at databaseURL when it is not empty.
func newServerOn(t testing.TB, databaseURL string) (*httptest.Server, *app.App) {
	t.Helper()
	cfg := config.Default()
	cfg.DatabaseURL = databaseURL
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.EncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	cfg.EgressAllowLoopback = true // the test upstreams run on 127.0.0.1
	a, err := app.New(context.Background(), cfg, app.Options{EgressLoopbackOnly: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if _, _, err := a.Projects.Bootstrap(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	return srv, a
}

// scenario is one request and what its answer must and must not contain.
type scenario struct {
	name    string
	method  string
	path    string
	body    string
	status  int
	want    []string
	wantNot []string
}

func run(t *testing.T, srv *httptest.Server, tests []scenario, vars map[string]string) {
	t.Helper()
	expand := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
		return s
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(expand(tt.body))
			}
			req, _ := http.NewRequest(tt.method, srv.URL+expand(tt.path), body)
			req.Header.Set("x-api-key", key)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("got %d, want %d: %s", resp.StatusCode, tt.status, b)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q, want JSON", ct)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), expand(w)) {
					t.Errorf("body lacks %q: %s", expand(w), b)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(string(b), expand(w)) {
					t.Errorf("body has %q: %s", expand(w), b)
				}
			}
		})
	}
}

func post(t testing.TB, srv *httptest.Server, path, body string, v any) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
	req.Header.Set("x-api-key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 201 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
	}
	json.NewDecoder(resp.Body).Decode(v)
}

func TestAuthConfigs(t *testing.T) {
	srv, _ := newServer(t)
	var created struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	post(t, srv, "/api/v3.1/auth_configs", `{"toolkit":{"slug":"github"},"auth_config":{"type":"use_custom_auth","name":"GH","authScheme":"OAUTH2",
		"credentials":{"client_id":"cid","client_secret":"very-secret-value","scopes":"repo,read:user","authorization_url":"https://auth.github.com/login/oauth/authorize"}}}`, &created)
	vars := map[string]string{"ac": created.AuthConfig.ID}
	run(t, srv, []scenario{
		{"get", "GET", "/api/v3.1/auth_configs/{ac}", "", 200,
			[]string{`"id":"{ac}"`, `"status":"ENABLED"`, `"type":"custom"`, `"client_id":"cid"`, `"toolkit":{"slug":"github","logo":`, `"no_of_connections":0`, `"authorization_url":"https://auth.github.com`},
			[]string{"very-secret-value"}},
		{"get on the v3 prefix", "GET", "/api/v3/auth_configs/{ac}", "", 200, []string{`"id":"{ac}"`}, nil},
		{"list by toolkit", "GET", "/api/v3.1/auth_configs?toolkit_slug=gmail%2Cgithub", "", 200, []string{`"id":"{ac}"`, `"total_pages":1`}, []string{"very-secret-value"}},
		{"list of another toolkit", "GET", "/api/v3.1/auth_configs?toolkit_slug=gmail", "", 200, []string{`"items":[]`}, []string{"{ac}"}},
		{"update merges credentials", "PATCH", "/api/v3.1/auth_configs/{ac}", `{"type":"custom","credentials":{"client_id":"cid2"},"tool_access_config":{}}`, 200,
			[]string{`"client_id":"cid2"`, `"scopes":"repo,read:user"`}, []string{"very-secret-value"}},
		{"update with a bad credential", "PATCH", "/api/v3.1/auth_configs/{ac}", `{"credentials":{"client_idd":"x"}}`, 400, []string{"unknown OAuth2 setting", "client_idd"}, nil},
		{"disable", "PATCH", "/api/v3.1/auth_configs/{ac}/DISABLED", "", 200, []string{`"success":true`}, nil},
		{"hidden while disabled", "GET", "/api/v3.1/auth_configs", "", 200, []string{`"items":[]`}, nil},
		{"shown with show_disabled", "GET", "/api/v3.1/auth_configs?show_disabled=true", "", 200, []string{`"status":"DISABLED"`}, nil},
		{"a link needs it enabled", "POST", "/api/v3.1/connected_accounts/link", `{"auth_config_id":"{ac}","user_id":"u1"}`, 400, []string{"disabled", "/ENABLED"}, nil},
		{"bad status", "PATCH", "/api/v3.1/auth_configs/{ac}/PAUSED", "", 400, []string{"ENABLED or DISABLED"}, nil},
		{"enable", "PATCH", "/api/v3.1/auth_configs/{ac}/ENABLED", "", 200, []string{`"success":true`}, nil},
		{"delete", "DELETE", "/api/v3.1/auth_configs/{ac}", "", 200, []string{`"success":true`}, nil},
		{"gone", "GET", "/api/v3.1/auth_configs/{ac}", "", 404, []string{"not found"}, nil},
		{"delete again", "DELETE", "/api/v3.1/auth_configs/{ac}", "", 404, nil, nil},
	}, vars)
}

func TestConnectedAccounts(t *testing.T) {
	srv, _ := newServer(t)
	var created struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	post(t, srv, "/api/v3.1/auth_configs", `{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_composio_managed_auth","authScheme":"API_KEY"}}`, &created)
	ac := created.AuthConfig.ID
	var a1, a2 struct{ ID string }
	post(t, srv, "/api/v3.1/connected_accounts", `{"auth_config":{"id":"`+ac+`"},"connection":{"user_id":"u1","state":{"authScheme":"API_KEY","val":{"api_key":"lin_secret_1"}}}}`, &a1)
	post(t, srv, "/api/v3.1/connected_accounts", `{"auth_config":{"id":"`+ac+`"},"connection":{"user_id":"u 2","state":{"authScheme":"API_KEY","val":{"api_key":"lin_secret_2"}}}}`, &a2)
	var link struct {
		ID string `json:"connected_account_id"`
	}
	post(t, srv, "/api/v3.1/connected_accounts/link", `{"auth_config_id":"`+ac+`","user_id":"u1","alias":"later"}`, &link)
	vars := map[string]string{"a1": a1.ID, "a2": a2.ID, "pending": link.ID, "ac": ac}
	run(t, srv, []scenario{
		{"get", "GET", "/api/v3.1/connected_accounts/{a1}", "", 200,
			[]string{`"id":"{a1}"`, `"status":"ACTIVE"`, `"user_id":"u1"`, `"auth_config":{"id":"{ac}","auth_scheme":"API_KEY"`, `"toolkit":{"slug":"linear"}`, `"is_disabled":false`},
			[]string{"lin_secret_1"}},
		{"pending link", "GET", "/api/v3.1/connected_accounts/{pending}", "", 200, []string{`"status":"INITIATED"`, `"alias":"later"`}, nil},
		{"long-poll on an ACTIVE account answers at once", "GET", "/api/v3.1/connected_accounts/{a1}?wait_seconds=30", "", 200, []string{`"status":"ACTIVE"`}, nil},
		{"bad wait", "GET", "/api/v3.1/connected_accounts/{a1}?wait_seconds=soon", "", 400, []string{"wait_seconds"}, nil},
		{"list comma-joined users (Python + encoding)", "GET", "/api/v3.1/connected_accounts?user_ids=u1%2Cu+2&limit=10.0", "", 200,
			[]string{"{a1}", "{a2}", "{pending}", `"total_items":3`}, []string{"lin_secret"}},
		{"list by status", "GET", "/api/v3.1/connected_accounts?statuses=INITIATED", "", 200, []string{"{pending}"}, []string{"{a1}"}},
		{"list by ids", "GET", "/api/v3.1/connected_accounts?connected_account_ids={a2}", "", 200, []string{"{a2}"}, []string{"{a1}"}},
		{"list oldest first", "GET", "/api/v3.1/connected_accounts?order_direction=asc&limit=1", "", 200, []string{"{a1}", `"next_cursor":"`}, []string{"{a2}"}},
		{"empty list value (Python sends user_ids=)", "GET", "/api/v3.1/connected_accounts?user_ids=", "", 200, []string{"{a1}"}, nil},
		{"shared accounts are not supported", "GET", "/api/v3.1/connected_accounts?account_type=SHARED", "", 400, []string{`"slug":"unsupported_filter"`, "account_type"}, nil},
		{"alias", "PATCH", "/api/v3.1/connected_accounts/{a1}", `{"alias":"work"}`, 200, []string{`"success":true`}, nil},
		{"alias taken by the same user and toolkit", "PATCH", "/api/v3.1/connected_accounts/{pending}", `{"alias":"work"}`, 400, []string{"alias", "already used"}, nil},
		{"the same alias for another user", "PATCH", "/api/v3.1/connected_accounts/{a2}", `{"alias":"work"}`, 200, nil, nil},
		{"disable", "PATCH", "/api/v3.1/connected_accounts/{a1}/status", `{"enabled":false}`, 200, []string{`"success":true`}, nil},
		{"disabled", "GET", "/api/v3.1/connected_accounts/{a1}", "", 200, []string{`"status":"INACTIVE"`, `"is_disabled":true`, `"status_reason":"Disabled through the API"`}, nil},
		{"cannot disable a pending one", "PATCH", "/api/v3.1/connected_accounts/{pending}/status", `{"enabled":false}`, 400, []string{"INITIATED"}, nil},
		{"status needs enabled", "PATCH", "/api/v3.1/connected_accounts/{a1}/status", `{}`, 400, []string{"enabled is required"}, nil},
		{"enable", "PATCH", "/api/v3.1/connected_accounts/{a1}/status", `{"enabled":true}`, 200, nil, nil},
		{"refresh of an API key account", "POST", "/api/v3.1/connected_accounts/{a1}/refresh", `{}`, 400, []string{"does not use OAuth2"}, nil},
		{"delete", "DELETE", "/api/v3.1/connected_accounts/{a1}", "", 200, []string{`"success":true`}, nil},
		{"gone", "GET", "/api/v3.1/connected_accounts/{a1}", "", 404, []string{`"code":1803`}, nil},
	}, vars)
}

func TestSessions(t *testing.T) {
	srv, a := newServer(t)
	run(t, srv, []scenario{
		{"a callback outside the allowlist", "POST", "/api/v3.1/tool_router/session", `{"user_id":"u1","manage_connections":{"enable":true,"callback_url":"https://app.example.com/cb"}}`, 400,
			[]string{"callback_url", "allowlist"}, nil},
		{"a field of the wrong type", "POST", "/api/v3.1/tool_router/session", `{"user_id":5}`, 400,
			[]string{`"invalid_json"`, "user_id"}, nil},
		{"not an object", "POST", "/api/v3.1/tool_router/session", `null`, 400,
			[]string{"must be a JSON object"}, nil},
	}, nil)
	p, err := a.Projects.Authenticate(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Projects.SetCallbackURLs(context.Background(), p.ID, []string{"https://app.example.com/cb"}); err != nil {
		t.Fatal(err)
	}
	var sess struct {
		SessionID string `json:"session_id"`
	}
	post(t, srv, "/api/v3.1/tool_router/session", `{"user_id":"u1","toolkits":{"enable":["gmail","github"]},"manage_connections":{"enable":true,"callback_url":"https://app.example.com/cb"}}`, &sess)
	vars := map[string]string{"s": sess.SessionID}
	run(t, srv, []scenario{
		{"get", "GET", "/api/v3.1/tool_router/session/{s}", "", 200,
			[]string{`"session_id":"{s}"`, `"mcp":{"type":"http","url":"`, `/tool_router/v3/{s}/mcp"`, `"config":{"user_id":"u1"`, `"toolkits":{"enabled":["gmail","github"]}`,
				`"preload":{"tools":[]}`, `"config_version":1`, `"callback_url":"https://app.example.com/cb"`}, nil},
		{"toolkits of the session only", "GET", "/api/v3.1/tool_router/session/{s}/toolkits", "", 200,
			[]string{`"slug":"github"`, `"slug":"gmail"`, `"connected_account":null`, `"total_pages":1`}, []string{`"slug":"slack"`}},
		{"toolkits filtered by query", "GET", "/api/v3.1/tool_router/session/{s}/toolkits?toolkits=slack&is_connected=false", "", 200, []string{`"slug":"slack"`}, []string{`"slug":"gmail"`}},
		{"patch toolkits", "PATCH", "/api/v3.1/tool_router/session/{s}", `{"toolkits":{"disable":["notion"]}}`, 200, []string{`"disabled":["notion"]`, `"config_version":2`}, nil},
		{"patch cannot change the user", "PATCH", "/api/v3.1/tool_router/session/{s}", `{"user_id":"u2"}`, 400, []string{"user_id cannot change"}, nil},
		{"patch with a bad pin changes nothing", "PATCH", "/api/v3.1/tool_router/session/{s}", `{"connected_accounts":{"gmail":["ca_nope"]}}`, 400, []string{"ca_nope"}, nil},
		{"data after the JSON body", "PATCH", "/api/v3.1/tool_router/session/{s}", `{"toolkits":{"disable":["gmail"]}}}`, 400, []string{`"slug":"invalid_json"`, "not valid JSON"}, nil},
		{"a body over the limit", "PATCH", "/api/v3.1/tool_router/session/{s}", `{"toolkits":{"disable":["` + strings.Repeat("x", 1<<20) + `"]}}`, 400, []string{`"slug":"body_too_large"`}, nil},
		{"still version 2", "GET", "/api/v3.1/tool_router/session/{s}", "", 200, []string{`"config_version":2`}, nil},
		{"authorize without an auth config", "POST", "/api/v3.1/tool_router/session/{s}/link", `{"toolkit":"gmail"}`, 400, []string{"no enabled auth config for gmail", "POST /api/v3.1/auth_configs"}, nil},
		{"authorize an unknown toolkit", "POST", "/api/v3.1/tool_router/session/{s}/link", `{"toolkit":"nope"}`, 400, []string{"unknown toolkit"}, nil},
		{"delete", "DELETE", "/api/v3.1/tool_router/session/{s}", "", 200, []string{`"session_id":"{s}"`, `"deleted":true`}, nil},
		{"delete again", "DELETE", "/api/v3.1/tool_router/session/{s}", "", 404, nil, nil},
	}, vars)
}

func TestToolkitsAndTools(t *testing.T) {
	srv, _ := newServer(t)
	run(t, srv, []scenario{
		{"toolkits", "GET", "/api/v3.1/toolkits", "", 200,
			[]string{`"slug":"gmail"`, `"slug":"linear"`, `"meta":{`, `"auth_schemes":["OAUTH2"`, `"tools_count":`}, nil},
		{"toolkits by category", "GET", "/api/v3.1/toolkits?category=email", "", 200, []string{`"slug":"gmail"`}, []string{`"slug":"github"`}},
		{"toolkit", "GET", "/api/v3.1/toolkits/github", "", 200,
			[]string{`"auth_config_details":[`, `"name":"client_secret"`, `"is_secret":true`, `"get_current_user_endpoint":"https://api.github.com/user"`}, nil},
		{"unknown toolkit", "GET", "/api/v3.1/toolkits/nope", "", 404, []string{"not found"}, nil},
		{"categories", "GET", "/api/v3.1/toolkits/categories", "", 200, []string{`"id":"email"`}, nil},
		{"tools by slug list", "GET", "/api/v3.1/tools?tool_slugs=GMAIL_SEND_EMAIL%2CSLACK_SEND_MESSAGE&limit=9999", "", 200,
			[]string{`"slug":"GMAIL_SEND_EMAIL"`, `"slug":"SLACK_SEND_MESSAGE"`, `"input_parameters":{"type":"object"`}, []string{`"slug":"GMAIL_LIST_LABELS"`}},
		{"tools by search", "GET", "/api/v3.1/tools?search=create+issue&toolkit_slug=github", "", 200, []string{`"slug":"GITHUB_CREATE_AN_ISSUE"`}, nil},
		{"tools by tag", "GET", "/api/v3.1/tools?toolkit_slug=gmail&tags=destructiveHint", "", 200, []string{`"slug":"GMAIL_SEND_EMAIL"`}, []string{`"slug":"GMAIL_LIST_LABELS"`}},
	}, nil)
}

func TestHealth(t *testing.T) {
	srv, _ := newServer(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s: %v %v", path, resp, err)
		}
	}
}
