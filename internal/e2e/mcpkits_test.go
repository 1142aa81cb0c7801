package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/sdk"
)

// remoteMCP is a remote MCP server of the official Go SDK on 127.0.0.1.
// Its tools answer with the identity its identify function derives from
// the request's Authorization header; a request it cannot identify gets
// 401, as an MCP server protecting itself with OAuth does (MCP
// 2025-06-18, basic/authorization).
type remoteMCP struct {
	*httptest.Server
	// deny, when set, refuses every request with 401.
	deny atomic.Bool
}

func newRemoteMCP(t *testing.T, identify func(r *http.Request) (string, bool)) *remoteMCP {
	t.Helper()
	srv := gomcp.NewServer(&gomcp.Implementation{Name: "remote", Version: "test"}, nil)
	srv.AddTool(&gomcp.Tool{
		Name: "whoami", Title: "Who am I", Description: "The caller's identity.",
		InputSchema: json.RawMessage(`{"type":"object","properties":{"greeting":{"type":"string"}},"additionalProperties":false}`),
		Annotations: &gomcp.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true},
	}, func(_ context.Context, req *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
		id := req.Extra.Header.Get("X-Identity")
		return &gomcp.CallToolResult{
			Content:           []gomcp.Content{&gomcp.TextContent{Text: id}},
			StructuredContent: map[string]any{"identity": id},
		}, nil
	})
	srv.AddTool(&gomcp.Tool{Name: "send-mail", Description: "Sends a mail.", InputSchema: json.RawMessage(`{"type":"object"}`)},
		func(context.Context, *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
			return &gomcp.CallToolResult{IsError: true, Content: []gomcp.Content{&gomcp.TextContent{Text: "the mailbox is full"}}}, nil
		})
	h := gomcp.NewStreamableHTTPHandler(func(*http.Request) *gomcp.Server { return srv }, nil)
	r := &remoteMCP{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		id, ok := identify(req)
		if !ok || r.deny.Load() {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			http.Error(w, "unknown credentials", http.StatusUnauthorized)
			return
		}
		req.Header.Set("X-Identity", id)
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

// remoteToolkit is an MCP toolkit definition for the server at url with
// one auth scheme.
func remoteToolkit(slug, url, scheme string) string {
	return fmt.Sprintf(`{"slug":%q,"name":"Remote","description":"A remote MCP server.","logo":"https://remote.example/logo.png",
"categories":[{"slug":"productivity","name":"Productivity"}],"base_url":"https://remote.example",
"mcp":{"url":%q},"auth_schemes":[%s]}`, slug, url, scheme)
}

const bearerScheme = `{"mode":"BEARER_TOKEN","fields":[{"name":"token","display_name":"Token","description":"A token of the server.","type":"string","required":true,"secret":true}],
"apply":{"header":"Authorization","prefix":"Bearer ","field":"token"}}`

// connectToken connects an account of user_123 with a bearer token
// through auth config ac and returns its id.
func connectToken(t *testing.T, s *server, ac, token string) string {
	t.Helper()
	status, b := call(t, s, testKey, "POST", "/api/v3.1/connected_accounts",
		`{"auth_config":{"id":"`+ac+`"},"connection":{"user_id":"user_123","state":{"authScheme":"BEARER_TOKEN","val":{"token":"`+token+`"}}}}`)
	if status != 201 || !strings.Contains(b, `"status":"ACTIVE"`) {
		t.Fatalf("connect an account: %d %s", status, b)
	}
	var ca struct{ ID string }
	json.Unmarshal([]byte(b), &ca)
	return ca.ID
}

func authConfig(t *testing.T, s *server, body string) string {
	t.Helper()
	status, b := call(t, s, testKey, "POST", "/api/v3.1/auth_configs", body)
	if status != 201 {
		t.Fatalf("create auth config: %d %s", status, b)
	}
	var ac struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	json.Unmarshal([]byte(b), &ac)
	return ac.AuthConfig.ID
}

// TestMCPToolkit registers a remote MCP server as a project's toolkit,
// syncs its tools as one account, and runs them as each of one user's two
// accounts, in two sessions, over REST and over Switchboard's own MCP
// endpoint: the server sees two identities. A tool's isError is a tool
// error. Another project neither sees nor syncs the toolkit.
func TestMCPToolkit(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { mcpToolkit(t, serverOptions{}) })
	t.Run("postgres", func(t *testing.T) { mcpToolkit(t, serverOptions{DatabaseURL: postgrestest.URL(t)}) })
}

func mcpToolkit(t *testing.T, o serverOptions) {
	tokens := map[string]string{"Bearer tok-work-0123": "alice-work", "Bearer tok-home-4567": "alice-home"}
	remote := newRemoteMCP(t, func(r *http.Request) (string, bool) {
		id, ok := tokens[r.Header.Get("Authorization")]
		return id, ok
	})
	s := startServer(t, o)
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", remoteToolkit("remote", remote.URL+"/mcp", bearerScheme)); st != 201 {
		t.Fatalf("create the MCP toolkit: %d %s", st, b)
	}
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/custom/toolkits/sync", `{"slug":"remote"}`); st != 400 || !strings.Contains(b, "connected_account_required") {
		t.Errorf("sync without an account: %d %s, want 400 connected_account_required", st, b)
	}
	ac := authConfig(t, s, `{"toolkit":{"slug":"remote"},"auth_config":{"type":"use_custom_auth","authScheme":"BEARER_TOKEN"}}`)
	caWork := connectToken(t, s, ac, "tok-work-0123")
	caHome := connectToken(t, s, ac, "tok-home-4567")

	if st, b := call(t, s, testKey, "POST", "/api/v3.1/custom/toolkits/sync", `{"slug":"remote","connected_account_id":"`+caWork+`","force":true}`); st != 400 || !strings.Contains(b, "unknown_field") {
		t.Errorf("sync with an unknown option: %d %s, want 400 unknown_field", st, b)
	}
	st, b := call(t, s, testKey, "POST", "/api/v3.1/custom/toolkits/sync", `{"slug":"remote","connected_account_id":"`+caWork+`"}`)
	if st != 200 || !strings.Contains(b, `"synced_count":2`) || !strings.Contains(b, `"slug":"remote"`) {
		t.Fatalf("sync: %d %s", st, b)
	}
	if strings.Contains(b, "tok-work") {
		t.Errorf("the sync's answer holds the token: %s", b)
	}
	st, b = call(t, s, testKey, "GET", "/api/v3.1/tools?toolkit_slug=remote", "")
	if st != 200 || !strings.Contains(b, "REMOTE_WHOAMI") || !strings.Contains(b, "REMOTE_SEND_MAIL") || !strings.Contains(b, "readOnlyHint") {
		t.Errorf("the synced tools: %d %s", st, b)
	}

	work := newSession(t, s, `{"user_id":"user_123","connected_accounts":{"remote":"`+caWork+`"}}`)
	home := newSession(t, s, `{"user_id":"user_123","connected_accounts":{"remote":"`+caHome+`"}}`)
	for _, c := range []struct{ session, want string }{{work, "alice-work"}, {home, "alice-home"}} {
		r := sessionExec(t, s, c.session, "REMOTE_WHOAMI", `{"greeting":"hi"}`, "")
		if r.err() != "" || r.Data["identity"] != c.want {
			t.Errorf("REST execute in the session of %s: %+v", c.want, r)
		}
		res, _, isErr := execOne(t, mcpClient(t, s, c.session), "REMOTE_WHOAMI", "")
		if isErr || !res.Successful || res.Data["identity"] != c.want {
			t.Errorf("MCP execute in the session of %s: %+v (error %v)", c.want, res, deref(res.Error))
		}
	}
	if r := sessionExec(t, s, work, "REMOTE_SEND_MAIL", `{}`, ""); r.err() != "the mailbox is full" {
		t.Errorf("a tool that reports isError: %+v, want the tool's error", r)
	}

	proj, err := s.App.Projects.CreateProject(context.Background(), "Other")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := s.App.Projects.CreateKey(context.Background(), proj.ID, "other", "")
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := call(t, s, other, "GET", "/api/v3.1/custom_toolkits/remote", ""); st != 404 {
		t.Errorf("another project sees the MCP toolkit: %d", st)
	}
	if st, b := call(t, s, other, "POST", "/api/v3.1/custom/toolkits/sync", `{"slug":"remote","connected_account_id":"`+caWork+`"}`); st != 404 {
		t.Errorf("another project syncs the MCP toolkit: %d %s", st, b)
	}
	if st, b := call(t, s, other, "GET", "/api/v3.1/tools?toolkit_slug=remote", ""); strings.Contains(b, "REMOTE_WHOAMI") {
		t.Errorf("another project lists the MCP toolkit's tools: %d %s", st, b)
	}

	// While accounts exist the server URL may not move to another origin.
	moved := remoteToolkit("remote", "https://elsewhere.example/mcp", bearerScheme)
	if st, b := call(t, s, testKey, "PUT", "/api/v3.1/custom_toolkits/remote", moved); st != 400 || !strings.Contains(b, "credential_host_change") {
		t.Errorf("moving the MCP server with accounts: %d %s, want 400 credential_host_change", st, b)
	}
}

// TestMCPToolkitURL: the server URL is https, or loopback only under the
// egress loopback allowance.
func TestMCPToolkitURL(t *testing.T) {
	s := startServer(t, serverOptions{NoLoopback: true})
	st, b := call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", remoteToolkit("remote", "http://127.0.0.1:9/mcp", bearerScheme))
	if st != 400 || !strings.Contains(b, "invalid_mcp_url") || !strings.Contains(b, "SWITCHBOARD_EGRESS_ALLOW_LOOPBACK") {
		t.Errorf("a loopback server without the allowance: %d %s", st, b)
	}
	st, b = call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", remoteToolkit("remote", "http://mcp.example/mcp", bearerScheme))
	if st != 400 || !strings.Contains(b, "invalid_toolkit") || !strings.Contains(b, "/mcp/url") {
		t.Errorf("plain http to a public host: %d %s", st, b)
	}
	if st, b := call(t, s, testKey, "GET", "/api/v3.1/custom_toolkits", ""); st != 200 || strings.Contains(b, "remote") {
		t.Errorf("a refused toolkit was stored: %d %s", st, b)
	}
}

// TestMCPToolkitOAuth: an OAuth2 account's token expires at the provider;
// the remote server answers 401, Switchboard refreshes once and the retry
// succeeds. A server that refuses the fresh token too gets the account
// reported as needing re-authorization, with the link.
func TestMCPToolkitOAuth(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { mcpToolkitOAuth(t, serverOptions{}) })
	t.Run("postgres", func(t *testing.T) { mcpToolkitOAuth(t, serverOptions{DatabaseURL: postgrestest.URL(t)}) })
}

func mcpToolkitOAuth(t *testing.T, o serverOptions) {
	s := startServer(t, o)
	p := provider(t, s)
	var remote *remoteMCP
	protected := p.Protect(func(w http.ResponseWriter, r *http.Request, u oauthtest.User) {
		r.Header.Set("X-Login", u.Login)
		remote.Config.Handler.(http.HandlerFunc)(w, r)
	})
	// The MCP server trusts the provider: its resource check runs first
	// and names the user.
	remote = newRemoteMCP(t, func(r *http.Request) (string, bool) {
		login := r.Header.Get("X-Login")
		return login, login != ""
	})
	front := httptest.NewServer(protected)
	t.Cleanup(front.Close)

	scheme := `{"mode":"OAUTH2","oauth2":{"authorization_url":"https://auth.remote.example/authorize","token_url":"https://auth.remote.example/token",
"default_scopes":["openid"],"scope_separator":" ","scope_param":"scope","token_encoding":"form","token_auth":"params","pkce":true},
"apply":{"header":"Authorization","prefix":"Bearer ","field":"access_token"}}`
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", remoteToolkit("remote", front.URL+"/mcp", scheme)); st != 201 {
		t.Fatalf("create the MCP toolkit: %d %s", st, b)
	}
	authConfig(t, s, `{"toolkit":{"slug":"remote"},"auth_config":{"type":"use_custom_auth","authScheme":"OAUTH2","credentials":{
"client_id":"switchboard-client","client_secret":"switchboard-secret","authorization_url":"`+p.AuthorizeURL()+`","token_url":"`+p.TokenURL()+`"}}}`)
	sess, err := s.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	ca := connectToolkit(t, sess, "remote", work)
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/custom/toolkits/sync", `{"slug":"remote","connected_account_id":"`+ca+`"}`); st != 200 {
		t.Fatalf("sync: %d %s", st, b)
	}
	if r := sessionExec(t, s, sess.ID(), "REMOTE_WHOAMI", `{}`, ""); r.err() != "" || r.Data["identity"] != work.Login {
		t.Fatalf("execute: %+v", r)
	}

	p.ExpireAccessTokens()
	before := p.RefreshCount()
	if r := sessionExec(t, s, sess.ID(), "REMOTE_WHOAMI", `{}`, ""); r.err() != "" || r.Data["identity"] != work.Login {
		t.Errorf("after the token expired: %+v, want a refresh and a successful retry", r)
	}
	if got := p.RefreshCount() - before; got != 1 {
		t.Errorf("refreshes after the server's 401: got %d, want 1", got)
	}

	remote.deny.Store(true)
	before = p.RefreshCount()
	r := sessionExec(t, s, sess.ID(), "REMOTE_WHOAMI", `{}`, "")
	if !strings.Contains(r.err(), "re-authorization") || !strings.Contains(r.err(), s.URL+"/link/") {
		t.Errorf("a server refusing the refreshed token: %+v, want re-authorization with a link", r)
	}
	if got := p.RefreshCount() - before; got != 1 {
		t.Errorf("refreshes when the server refuses every token: got %d, want 1", got)
	}
}

// connectToolkit connects an account of toolkit through the session's
// link as id, and returns its id.
func connectToolkit(t *testing.T, sess *sdk.Session, toolkit string, id identity) string {
	t.Helper()
	ctx := ctxT(t)
	req, err := sess.Authorize(ctx, toolkit)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	resp := consent(t, req.RedirectURL, id, true)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body(resp), "connected") {
		t.Fatalf("consent ended with %d at %s: %s", resp.StatusCode, resp.Request.URL, body(resp))
	}
	acct, err := req.WaitForConnection(ctx)
	if err != nil || acct.Status != "ACTIVE" {
		t.Fatalf("wait for connection: %v %+v", err, acct)
	}
	return acct.ID
}
