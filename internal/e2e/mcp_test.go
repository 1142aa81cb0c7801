package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/wire"
)

// keyTransport adds request headers, as MCP clients configured with
// headers do.
type keyTransport struct{ header http.Header }

func (k keyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for name, vs := range k.header {
		r.Header[name] = vs
	}
	return http.DefaultTransport.RoundTrip(r)
}

func mcpURL(s *server, sessionID string) string {
	return s.URL + "/tool_router/v3/" + sessionID + "/mcp"
}

// mcpConnect connects the official MCP Go SDK client to a session's MCP
// URL with the given headers.
func mcpConnect(t testing.TB, s *server, sessionID string, header http.Header) (*gomcp.ClientSession, error) {
	t.Helper()
	client := gomcp.NewClient(&gomcp.Implementation{Name: "switchboard-e2e", Version: "0.0.0"}, nil)
	cs, err := client.Connect(ctxT(t), &gomcp.StreamableClientTransport{
		Endpoint:   mcpURL(s, sessionID),
		HTTPClient: &http.Client{Transport: keyTransport{header}},
		MaxRetries: -1,
	}, nil)
	if err == nil {
		t.Cleanup(func() { cs.Close() })
	}
	return cs, err
}

// mcpClient connects with the test key.
func mcpClient(t testing.TB, s *server, sessionID string) *gomcp.ClientSession {
	t.Helper()
	cs, err := mcpConnect(t, s, sessionID, http.Header{"X-Api-Key": {testKey}})
	if err != nil {
		t.Fatalf("connect to the MCP endpoint of %s: %v", sessionID, err)
	}
	return cs
}

// newSession creates a session from a raw request body.
func newSession(t testing.TB, s *server, body string) string {
	t.Helper()
	status, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session", body)
	if status != http.StatusCreated {
		t.Fatalf("create session %s: %d %s", body, status, b)
	}
	var sess wire.Session
	if err := json.Unmarshal([]byte(b), &sess); err != nil {
		t.Fatal(err)
	}
	if want := mcpURL(s, sess.SessionID); sess.MCP.URL != want {
		t.Fatalf("session mcp.url: got %q, want %q", sess.MCP.URL, want)
	}
	return sess.SessionID
}

// callTool calls a tool and decodes its structured content into out (when
// not nil). It returns the result's text and whether it is an error.
func callTool(t testing.TB, cs *gomcp.ClientSession, name string, args any, out any) (string, bool) {
	t.Helper()
	res, err := cs.CallTool(ctxT(t), &gomcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("call %s: %v", name, err)
	}
	var text []string
	for _, c := range res.Content {
		if tc, ok := c.(*gomcp.TextContent); ok {
			text = append(text, tc.Text)
		}
	}
	if len(text) == 0 {
		t.Errorf("%s: no text content", name)
	}
	if res.StructuredContent == nil {
		t.Errorf("%s: no structured content", name)
	} else if out != nil {
		raw, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s: structured content %s: %v", name, raw, err)
		}
	}
	return strings.Join(text, "\n"), res.IsError
}

func toolNames(t testing.TB, cs *gomcp.ClientSession) []string {
	t.Helper()
	var names []string
	for tool, err := range cs.Tools(ctxT(t), nil) {
		if err != nil {
			t.Fatalf("list tools: %v", err)
		}
		names = append(names, tool.Name)
	}
	return names
}

type mcpCallResult struct {
	Index              int            `json:"index"`
	ToolSlug           string         `json:"tool_slug"`
	Successful         bool           `json:"successful"`
	Data               map[string]any `json:"data"`
	Error              *string        `json:"error"`
	LogID              string         `json:"log_id"`
	ConnectedAccountID string         `json:"connected_account_id"`
}

func (r mcpCallResult) owner() string { o, _ := r.Data["owner"].(string); return o }

type mcpMulti struct {
	Results       []mcpCallResult `json:"results"`
	SuccessCount  int             `json:"success_count"`
	ErrorCount    int             `json:"error_count"`
	AllSuccessful bool            `json:"all_successful"`
}

type mcpConnection struct {
	Toolkit             string `json:"toolkit"`
	HasActiveConnection bool   `json:"has_active_connection"`
	ActiveAccountID     string `json:"active_account_id"`
	Accounts            []struct {
		ID       string  `json:"id"`
		Alias    *string `json:"alias"`
		Identity string  `json:"identity"`
		Status   string  `json:"status"`
		Active   bool    `json:"active"`
	} `json:"accounts"`
	RedirectURL        string `json:"redirect_url"`
	ConnectedAccountID string `json:"connected_account_id"`
	Error              string `json:"error"`
}

type mcpWaited struct {
	AllConnected bool `json:"all_connected"`
	Results      map[string]struct {
		Status             string `json:"status"`
		ConnectedAccountID string `json:"connected_account_id"`
		Identity           string `json:"identity"`
		Message            string `json:"message"`
	} `json:"results"`
}

// execOne runs one tool call through COMPOSIO_MULTI_EXECUTE_TOOL.
func execOne(t testing.TB, cs *gomcp.ClientSession, tool, account string) (mcpCallResult, string, bool) {
	t.Helper()
	c := map[string]any{"tool_slug": tool, "arguments": map[string]any{}}
	if account != "" {
		c["account"] = account
	}
	var out mcpMulti
	text, isErr := callTool(t, cs, metatools.MultiExecuteTool, map[string]any{"tools": []any{c}}, &out)
	if len(out.Results) != 1 {
		t.Fatalf("multi-execute of one call: %d results: %s", len(out.Results), text)
	}
	return out.Results[0], text, isErr
}

// manage asks COMPOSIO_MANAGE_CONNECTIONS about gmail.
func manage(t testing.TB, cs *gomcp.ClientSession, args map[string]any) mcpConnection {
	t.Helper()
	var out struct {
		Results map[string]mcpConnection `json:"results"`
	}
	text, isErr := callTool(t, cs, metatools.ManageConnections, args, &out)
	if isErr {
		t.Fatalf("manage connections: %s", text)
	}
	return out.Results["gmail"]
}

// connectOverMCP makes a link with COMPOSIO_MANAGE_CONNECTIONS, waits with
// COMPOSIO_WAIT_FOR_CONNECTIONS while the user consents as id, and returns
// the new account's id.
func connectOverMCP(t *testing.T, s *server, cs *gomcp.ClientSession, id identity, args map[string]any) string {
	t.Helper()
	conn := manage(t, cs, args)
	if !strings.HasPrefix(conn.RedirectURL, s.URL+"/link/") || !strings.HasPrefix(conn.ConnectedAccountID, "ca_") {
		t.Fatalf("manage connections made no link: %+v", conn)
	}
	var wg sync.WaitGroup
	var waited mcpWaited
	var text string
	var isErr bool
	wg.Go(func() {
		text, isErr = callTool(t, cs, metatools.WaitForConnections, map[string]any{"toolkits": []string{"gmail"}, "timeout_seconds": 30}, &waited)
	})
	// Give the wait time to start, as a user takes to open the link; the
	// outcome is the same either way.
	time.Sleep(200 * time.Millisecond)
	resp := consent(t, conn.RedirectURL, id, true)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent as %s: %d %s", id.Login, resp.StatusCode, body(resp))
	}
	wg.Wait()
	g := waited.Results["gmail"]
	if isErr || !waited.AllConnected || g.Status != "connected" || g.ConnectedAccountID != conn.ConnectedAccountID || g.Identity != id.Email {
		t.Fatalf("wait for connections: got %+v (%s), want %s connected as %s", waited, text, conn.ConnectedAccountID, id.Email)
	}
	return conn.ConnectedAccountID
}

func TestMCP(t *testing.T) {
	s := startServer(t, serverOptions{})
	p := provider(t, s)
	api := newFakeAPI(t, p)
	gmailConfigAt(t, s.Client, p, api)
	sessID := newSession(t, s, `{"user_id":"user_123","manage_connections":{"enable":true,"enable_wait_for_connections":true}}`)
	cs := mcpClient(t, s, sessID)

	// Initialize.
	init := cs.InitializeResult()
	if init.ServerInfo.Name != "switchboard" || !strings.Contains(init.Instructions, "user_123") || init.Capabilities.Tools == nil {
		t.Errorf("initialize: got %+v %+v", init.ServerInfo, init)
	}
	// List tools: the meta tools, and wait since the session enables it.
	names := toolNames(t, cs)
	for _, want := range []string{metatools.SearchTools, metatools.GetToolSchemas, metatools.ManageConnections, metatools.WaitForConnections, metatools.MultiExecuteTool} {
		if !slices.Contains(names, want) {
			t.Errorf("tools %v lack %s", names, want)
		}
	}
	if slices.Contains(names, "GMAIL_GET_PROFILE") {
		t.Errorf("tools %v expose session tools directly without preload", names)
	}

	// Search: the tool, its schema and gmail's connection status.
	var search wire.SearchResponse
	text, isErr := callTool(t, cs, metatools.SearchTools, map[string]any{"queries": []any{map[string]any{"use_case": "get the gmail profile of the user"}}}, &search)
	if isErr || len(search.Results) != 1 || search.Session.ID != sessID {
		t.Fatalf("search: %s", text)
	}
	found := append(search.Results[0].PrimaryToolSlugs, search.Results[0].RelatedToolSlugs...)
	if !slices.Contains(found, "GMAIL_GET_PROFILE") || len(search.ToolSchemas["GMAIL_GET_PROFILE"].InputSchema) == 0 {
		t.Errorf("search found %v, want GMAIL_GET_PROFILE with its schema", found)
	}
	if len(search.ToolkitConnectionStatuses) == 0 || search.ToolkitConnectionStatuses[0].Toolkit != "gmail" || search.ToolkitConnectionStatuses[0].HasActiveConnection {
		t.Errorf("search statuses: %+v", search.ToolkitConnectionStatuses)
	}
	if !strings.Contains(text, metatools.ManageConnections) {
		t.Errorf("search text does not say to connect gmail: %s", text)
	}
	// Schemas.
	var schemas struct {
		ToolSchemas map[string]struct {
			InputSchema map[string]any `json:"input_schema"`
		} `json:"tool_schemas"`
		NotFound []struct{ ToolSlug, Error string } `json:"not_found"`
	}
	text, isErr = callTool(t, cs, metatools.GetToolSchemas, map[string]any{"tool_slugs": []string{"GMAIL_SEND_EMAIL", "NOPE_TOOL"}}, &schemas)
	if isErr || schemas.ToolSchemas["GMAIL_SEND_EMAIL"].InputSchema["type"] != "object" || len(schemas.NotFound) != 1 || schemas.NotFound[0].Error != "tool NOPE_TOOL not found" {
		t.Errorf("tool schemas: %s", text)
	}

	// Executing before any connection gives REST's message with a link.
	r, text, isErr := execOne(t, cs, "GMAIL_GET_PROFILE", "")
	if !isErr || r.Successful || !strings.Contains(text, "gmail has no connected account for user_123; authorize it with this link: "+s.URL+"/link/") {
		t.Errorf("execute without an account: isError %v, %s", isErr, text)
	}
	// Waiting with nothing pending returns at once and says what to do.
	var w mcpWaited
	callTool(t, cs, metatools.WaitForConnections, map[string]any{"toolkits": []string{"slack"}, "timeout_seconds": 1}, &w)
	if w.AllConnected || w.Results["slack"].Status != "not_connected" || !strings.Contains(w.Results["slack"].Message, metatools.ManageConnections) {
		t.Errorf("wait for an unconnected toolkit: %+v", w)
	}

	// Manage connections: a link; the user consents; the wait returns.
	caWork := connectOverMCP(t, s, cs, work, map[string]any{"toolkits": []string{"gmail"}, "alias": "work"})
	conn := manage(t, cs, map[string]any{"toolkits": []string{"gmail"}})
	if !conn.HasActiveConnection || conn.ActiveAccountID != caWork || conn.RedirectURL != "" || len(conn.Accounts) == 0 ||
		conn.Accounts[0].Identity != work.Email || conn.Accounts[0].Alias == nil || *conn.Accounts[0].Alias != "work" {
		t.Errorf("manage connections once connected: %+v", conn)
	}
	// Execute with the session's active account.
	r, text, isErr = execOne(t, cs, "GMAIL_GET_PROFILE", "")
	if isErr || !r.Successful || r.owner() != work.Login || r.Data["emailAddress"] != work.Email || r.ConnectedAccountID != caWork {
		t.Errorf("execute after connecting: %s", text)
	}

	// A second account: the session now uses it, the most recent one.
	caHome := connectOverMCP(t, s, cs, personal, map[string]any{"toolkits": []string{"gmail"}, "alias": "personal", "reinitiate_all": true})
	r, text, _ = execOne(t, cs, "GMAIL_GET_PROFILE", "")
	if r.owner() != personal.Login || r.ConnectedAccountID != caHome {
		t.Errorf("execute after connecting a second account: %s", text)
	}
	conn = manage(t, cs, map[string]any{"toolkits": []string{"gmail"}})
	if conn.ActiveAccountID != caHome || len(conn.Accounts) < 2 {
		t.Errorf("manage connections with two accounts: %+v", conn)
	}

	// Several calls at once, each with its own result.
	var multi mcpMulti
	calls := []any{}
	for range 10 {
		calls = append(calls, map[string]any{"tool_slug": "GMAIL_GET_PROFILE", "arguments": map[string]any{}})
	}
	calls = append(calls,
		map[string]any{"tool_slug": "GMAIL_SEND_EMAIL", "arguments": map[string]any{"subject": "no recipient"}},
		map[string]any{"tool_slug": "NOPE_TOOL", "arguments": map[string]any{}},
		map[string]any{"tool_slug": "GMAIL_SEND_EMAIL", "arguments": `{"recipient_email":"bob@example.com","subject":"hi","body":"hello"}`})
	before := api.count()
	text, isErr = callTool(t, cs, metatools.MultiExecuteTool, map[string]any{"tools": calls, "thought": "test"}, &multi)
	if isErr || len(multi.Results) != 13 || multi.SuccessCount != 11 || multi.ErrorCount != 2 || multi.AllSuccessful {
		t.Fatalf("multi-execute: %s", text)
	}
	for i, r := range multi.Results {
		switch {
		case r.Index != i:
			t.Errorf("result %d has index %d", i, r.Index)
		case i < 10 && (r.owner() != personal.Login || !strings.HasPrefix(r.LogID, "log_")):
			t.Errorf("call %d: %+v", i, r)
		case i == 10 && (r.Successful || r.Error == nil || !strings.Contains(*r.Error, "recipient_email")):
			t.Errorf("call without a recipient: %+v", r)
		case i == 11 && (r.Error == nil || *r.Error != "tool NOPE_TOOL not found. List the tools with GET /api/v3.1/tools"):
			t.Errorf("unknown tool slug: %+v", r)
		case i == 12 && (!r.Successful || r.Data["id"] != "msg_1"):
			t.Errorf("send with arguments given as a JSON string: %+v", r)
		}
	}
	if got := api.count() - before; got != 11 {
		t.Errorf("upstream calls: got %d, want 11", got)
	}
	tooMany := make([]any, 51)
	for i := range tooMany {
		tooMany[i] = map[string]any{"tool_slug": "GMAIL_GET_PROFILE", "arguments": map[string]any{}}
	}
	if text, isErr := callTool(t, cs, metatools.MultiExecuteTool, map[string]any{"tools": tooMany}, nil); !isErr || !strings.Contains(text, "between 1 and 50") {
		t.Errorf("51 calls: isError %v, %s", isErr, text)
	}

	// A session pinned to the work account uses it.
	pinned := newSession(t, s, fmt.Sprintf(`{"user_id":"user_123","connected_accounts":{"gmail":[%q]}}`, caWork))
	pcs := mcpClient(t, s, pinned)
	if slices.Contains(toolNames(t, pcs), metatools.WaitForConnections) {
		t.Errorf("wait for connections listed in a session that does not enable it")
	}
	if conn := manage(t, pcs, map[string]any{"toolkits": []string{"gmail"}}); conn.ActiveAccountID != caWork || !conn.HasActiveConnection {
		t.Errorf("pinned session's connections: %+v", conn)
	}
	r, text, _ = execOne(t, pcs, "GMAIL_GET_PROFILE", "")
	if r.owner() != work.Login || r.ConnectedAccountID != caWork || api.last().Login != work.Login {
		t.Errorf("pinned session executed with %s: %s", r.owner(), text)
	}
	r, text, isErr = execOne(t, pcs, "GMAIL_GET_PROFILE", caHome)
	if !isErr || !strings.Contains(text, "multi_account") {
		t.Errorf("another account in a pinned single-account session: %s", text)
	}

	// Multi-account: each call names its account; an unnamed one is refused.
	multiID := newSession(t, s, `{"user_id":"user_123","multi_account":{"enable":true,"require_explicit_selection":true}}`)
	mcs := mcpClient(t, s, multiID)
	multi = mcpMulti{}
	text, isErr = callTool(t, mcs, metatools.MultiExecuteTool, map[string]any{"tools": []any{
		map[string]any{"tool_slug": "GMAIL_GET_PROFILE", "arguments": map[string]any{}, "account": "work"},
		map[string]any{"tool_slug": "GMAIL_GET_PROFILE", "arguments": map[string]any{}, "account": caHome},
		map[string]any{"tool_slug": "GMAIL_GET_PROFILE", "arguments": map[string]any{}},
	}}, &multi)
	if isErr || len(multi.Results) != 3 {
		t.Fatalf("multi-account execute: %s", text)
	}
	if r := multi.Results[0]; r.owner() != work.Login || r.ConnectedAccountID != caWork {
		t.Errorf("account by alias: %+v", r)
	}
	if r := multi.Results[1]; r.owner() != personal.Login || r.ConnectedAccountID != caHome {
		t.Errorf("account by id: %+v", r)
	}
	if r := multi.Results[2]; r.Successful || r.Error == nil || !strings.Contains(*r.Error, "requires choosing a gmail account") || !strings.Contains(*r.Error, caWork) {
		t.Errorf("no account where one must be chosen: %+v", r)
	}
}

// TestMCPDirectTools: a session whose preload asks for its tools exposes
// them as MCP tools, with an account argument in multi-account mode.
func TestMCPDirectTools(t *testing.T) {
	f := newExecFixture(t, serverOptions{})
	s := f.s
	// The direct-tools preset of the official SDKs.
	id := newSession(t, s, `{"user_id":"user_123","toolkits":{"enable":["gmail"]},"preload":{"tools":"all"},"search":{"enable":false},"execute":{"enable_multi_execute":false},"manage_connections":{"enable":false}}`)
	cs := mcpClient(t, s, id)
	names := toolNames(t, cs)
	if !slices.Contains(names, "GMAIL_GET_PROFILE") || !slices.Contains(names, "GMAIL_SEND_EMAIL") || slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, "COMPOSIO_") || strings.HasPrefix(n, "GITHUB_") }) {
		t.Errorf("direct-tools session lists %v", names)
	}
	var out mcpCallResult
	text, isErr := callTool(t, cs, "GMAIL_GET_PROFILE", map[string]any{}, &out)
	if isErr || !out.Successful || out.owner() != personal.Login || out.ConnectedAccountID != f.ca2 {
		t.Errorf("direct GMAIL_GET_PROFILE: %s", text)
	}
	text, isErr = callTool(t, cs, "GMAIL_SEND_EMAIL", map[string]any{"subject": "x"}, &out)
	if !isErr || !strings.Contains(text, "recipient_email") {
		t.Errorf("direct tool with bad arguments: isError %v, %s", isErr, text)
	}

	// A list of tools, in multi-account mode: the account argument.
	id = newSession(t, s, `{"user_id":"user_123","preload":{"tools":["GMAIL_GET_PROFILE"]},"multi_account":{"enable":true}}`)
	cs = mcpClient(t, s, id)
	var schema map[string]any
	for tool, err := range cs.Tools(ctxT(t), nil) {
		if err != nil {
			t.Fatal(err)
		}
		if tool.Name == "GMAIL_SEND_EMAIL" {
			t.Errorf("a tool outside the preload list is exposed")
		}
		if tool.Name == "GMAIL_GET_PROFILE" {
			raw, _ := json.Marshal(tool.InputSchema)
			json.Unmarshal(raw, &schema)
		}
	}
	if props, _ := schema["properties"].(map[string]any); props["account"] == nil {
		t.Errorf("multi-account direct tool schema has no account: %v", schema)
	}
	text, _ = callTool(t, cs, "GMAIL_GET_PROFILE", map[string]any{"account": f.ca1}, &out)
	if out.owner() != work.Login {
		t.Errorf("direct tool with account %s: %s", f.ca1, text)
	}
}

// rawMCP posts a raw body to a session's MCP URL.
func rawMCP(t testing.TB, s *server, sessionID string, header http.Header, reqBody string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), "POST", mcpURL(s, sessionID), strings.NewReader(reqBody))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}`

// refusal is the JSON-RPC error of a refused request, without its request id.
func refusal(t testing.TB, b string) (code int, message, slug string) {
	t.Helper()
	var r struct {
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Data    struct {
				Slug string `json:"slug"`
			} `json:"data"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(b), &r); err != nil {
		t.Fatalf("refusal %q is not a JSON-RPC error: %v", b, err)
	}
	return r.Error.Code, r.Error.Message, r.Error.Data.Slug
}

func TestMCPRefusals(t *testing.T) {
	s := startServer(t, serverOptions{})
	sessID := newSession(t, s, `{"user_id":"user_123"}`)
	keyHeader := http.Header{"X-Api-Key": {testKey}}

	// A bearer token works as well as x-api-key.
	cs, err := mcpConnect(t, s, sessID, http.Header{"Authorization": {"Bearer " + testKey}})
	if err != nil {
		t.Fatalf("connect with a bearer key: %v", err)
	}
	if len(toolNames(t, cs)) == 0 {
		t.Errorf("no tools")
	}

	// No key, a wrong key: 401, with the REST message.
	for name, h := range map[string]http.Header{
		"no key":     nil,
		"wrong key":  {"X-Api-Key": {"sb_wrong_0123456789abcdefghij"}},
		"bad bearer": {"Authorization": {"Bearer sb_wrong_0123456789abcdefghij"}},
	} {
		status, b := rawMCP(t, s, sessID, h, initializeBody)
		code, msg, slug := refusal(t, b)
		if status != http.StatusUnauthorized || code != -32001 || slug != "invalid_api_key" || !strings.Contains(msg, "x-api-key") {
			t.Errorf("%s: %d %s", name, status, b)
		}
		if _, err := mcpConnect(t, s, sessID, h); err == nil || !strings.Contains(err.Error(), "x-api-key") {
			t.Errorf("%s: the Go client connected or did not say why: %v", name, err)
		}
	}

	// Another project's key, a deleted session and an unknown one are
	// refused alike: 404, "session … not found", nothing more.
	other, err := s.App.Projects.CreateProject(context.Background(), "other")
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _, err := s.App.Projects.CreateKey(context.Background(), other.ID, "other", "")
	if err != nil {
		t.Fatal(err)
	}
	deleted := newSession(t, s, `{"user_id":"user_123"}`)
	if status, b := call(t, s, testKey, "DELETE", "/api/v3.1/tool_router/session/"+deleted, ""); status != http.StatusOK {
		t.Fatalf("delete session: %d %s", status, b)
	}
	for name, c := range map[string]struct {
		id  string
		key string
	}{
		"another project's key": {sessID, otherKey},
		"deleted session":       {deleted, testKey},
		"unknown session":       {"trs_doesnotexist", testKey},
	} {
		h := http.Header{"X-Api-Key": {c.key}}
		status, b := rawMCP(t, s, c.id, h, initializeBody)
		code, msg, slug := refusal(t, b)
		if status != http.StatusNotFound || code != -32002 || slug != "session_not_found" || msg != "session "+c.id+" not found" {
			t.Errorf("%s: %d %s", name, status, b)
		}
		if _, err := mcpConnect(t, s, c.id, h); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("%s: the Go client connected or did not say why: %v", name, err)
		}
	}
	// The other project's own sessions work with its key.
	otherSess, err := s.App.Sessions.Create(context.Background(), other, "user_123", sessions.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mcpConnect(t, s, otherSess.ID, http.Header{"X-Api-Key": {otherKey}}); err != nil {
		t.Errorf("another project's own session: %v", err)
	}
	if status, b := rawMCP(t, s, otherSess.ID, keyHeader, initializeBody); status != http.StatusNotFound {
		t.Errorf("this project's key on the other project's session: %d %s", status, b)
	}

	// Malformed JSON-RPC: not JSON, and JSON that is not a JSON-RPC message.
	for _, bad := range []string{`{not json`, `{"hello":"world"}`, `[]`} {
		status, b := rawMCP(t, s, sessID, keyHeader, bad)
		if status != http.StatusBadRequest {
			t.Errorf("malformed body %s: %d %s", bad, status, b)
		}
	}
	// A valid request answers on the same path.
	if status, b := rawMCP(t, s, sessID, keyHeader, initializeBody); status != http.StatusOK || !strings.Contains(b, `"serverInfo"`) {
		t.Errorf("raw initialize: %d %s", status, b)
	}

	// An unknown tool is a protocol error.
	_, err = cs.CallTool(ctxT(t), &gomcp.CallToolParams{Name: "NOPE_TOOL", Arguments: map[string]any{}})
	if err == nil || !strings.Contains(err.Error(), "unknown tool") {
		t.Errorf("unknown tool: %v", err)
	}
	// Bad arguments are a tool error.
	if text, isErr := callTool(t, cs, metatools.SearchTools, map[string]any{"queries": "not a list"}, nil); !isErr || !strings.Contains(text, "queries") {
		t.Errorf("search with bad arguments: isError %v, %s", isErr, text)
	}
	if text, isErr := callTool(t, cs, metatools.ManageConnections, map[string]any{"toolkits": []string{"nope"}}, nil); !isErr || !strings.Contains(text, `unknown toolkit "nope"`) {
		t.Errorf("manage an unknown toolkit: isError %v, %s", isErr, text)
	}
}

// TestMCPNodeClient connects the official TypeScript MCP client
// (@modelcontextprotocol/sdk, pinned in sdktest/mcp/package-lock.json)
// with the x-api-key header, lists the tools and calls them.
func TestMCPNodeClient(t *testing.T) {
	dir := mcpNodeClient(t)
	s := startServer(t, serverOptions{})
	p := provider(t, s)
	api := newFakeAPI(t, p)
	gmailConfigAt(t, s.Client, p, api)
	sess, err := s.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	ca := connect(t, sess, work)
	r := runScript(t, s, []string{"SWITCHBOARD_MCP_URL=" + mcpURL(s, sess.ID())}, "node", filepath.Join(dir, "client.mjs"))
	if r["server"] != "switchboard" {
		t.Errorf("server name: %v", r["server"])
	}
	tools, _ := r["tools"].([]any)
	for _, want := range []string{metatools.SearchTools, metatools.ManageConnections, metatools.MultiExecuteTool} {
		if !slices.Contains(tools, any(want)) {
			t.Errorf("tools %v lack %s", tools, want)
		}
	}
	if r["search_error"] != false || r["search_found"] != true || r["gmail_connected"] != true {
		t.Errorf("search through the node client: %v", r)
	}
	if r["owner"] != work.Login || r["account"] != ca.ID {
		t.Errorf("execute through the node client: owner %v account %v, want %s %s", r["owner"], r["account"], work.Login, ca.ID)
	}
	if msg, _ := r["unknown_tool"].(string); !strings.Contains(msg, "unknown tool") {
		t.Errorf("an unknown tool through the node client: %q", msg)
	}
	if msg, _ := r["bad_key_error"].(string); !strings.Contains(msg, "401") && !strings.Contains(msg, "x-api-key") {
		t.Errorf("a wrong key: %q", msg)
	}
}

func mcpNodeClient(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SWITCHBOARD_MCP_NODE_DIR")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), "sdktest", "mcp")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk", "package.json")); err != nil {
		missing(t, "the official MCP TypeScript SDK is not installed in %s", dir)
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing(t, "node is not on PATH")
	}
	return dir
}

// alternate sends each request to the next of several instances, as a
// load balancer without affinity does.
type alternate struct {
	hosts []string
	n     atomic.Int64
	seen  sync.Map // host -> true
}

func (a *alternate) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	host := a.hosts[int(a.n.Add(1))%len(a.hosts)]
	r.URL.Host, r.Host = host, host
	r.Header.Set("X-Api-Key", testKey)
	a.seen.Store(host, true)
	return http.DefaultTransport.RoundTrip(r)
}

// TestMCPTwoInstances: two instances on one PostgreSQL serve one MCP
// client whose requests alternate between them; a link made through one
// completes through the other and the wait on either ends.
func TestMCPTwoInstances(t *testing.T) {
	dbURL := postgrestest.URL(t)
	a := startServer(t, serverOptions{DatabaseURL: dbURL})
	b := startServer(t, serverOptions{DatabaseURL: dbURL})
	p := provider(t, a, b)
	api := newFakeAPI(t, p)
	gmailConfigAt(t, a.Client, p, api)
	id := newSession(t, a, `{"user_id":"user_123","manage_connections":{"enable":true,"enable_wait_for_connections":true}}`)

	lb := &alternate{hosts: []string{strings.TrimPrefix(a.URL, "http://"), strings.TrimPrefix(b.URL, "http://")}}
	client := gomcp.NewClient(&gomcp.Implementation{Name: "switchboard-e2e", Version: "0.0.0"}, nil)
	cs, err := client.Connect(ctxT(t), &gomcp.StreamableClientTransport{Endpoint: mcpURL(a, id), HTTPClient: &http.Client{Transport: lb}, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatalf("connect through both instances: %v", err)
	}
	defer cs.Close()
	if names := toolNames(t, cs); !slices.Contains(names, metatools.WaitForConnections) {
		t.Fatalf("tools: %v", names)
	}
	for range 3 { // manage and wait land on different instances across rounds
		conn := manage(t, cs, map[string]any{"toolkits": []string{"gmail"}, "reinitiate_all": true})
		if conn.RedirectURL == "" {
			t.Fatalf("no link: %+v", conn)
		}
		var wg sync.WaitGroup
		var waited mcpWaited
		wg.Go(func() {
			callTool(t, cs, metatools.WaitForConnections, map[string]any{"toolkits": []string{"gmail"}, "timeout_seconds": 30}, &waited)
		})
		time.Sleep(200 * time.Millisecond)
		// The user's browser reaches the other instance.
		link := conn.RedirectURL
		if strings.HasPrefix(link, a.URL) {
			link = strings.Replace(link, a.URL, b.URL, 1)
		} else {
			link = strings.Replace(link, b.URL, a.URL, 1)
		}
		if resp := consent(t, link, work, true); resp.StatusCode != http.StatusOK {
			t.Fatalf("consent: %d %s", resp.StatusCode, body(resp))
		}
		wg.Wait()
		if g := waited.Results["gmail"]; g.Status != "connected" || g.ConnectedAccountID != conn.ConnectedAccountID {
			t.Errorf("wait across instances: got %+v, want %s connected", waited, conn.ConnectedAccountID)
		}
		r, text, _ := execOne(t, cs, "GMAIL_GET_PROFILE", "")
		if r.owner() != work.Login || r.ConnectedAccountID != conn.ConnectedAccountID {
			t.Errorf("execute across instances: %s", text)
		}
	}
	for _, h := range lb.hosts {
		if _, ok := lb.seen.Load(h); !ok {
			t.Errorf("no request reached %s", h)
		}
	}
}

// TestMCPWaitTimesOut: a link the user leaves open makes the wait end at
// its timeout with the toolkit pending, sending progress meanwhile to a
// client that asked for it.
func TestMCPWaitTimesOut(t *testing.T) {
	s := startServer(t, serverOptions{})
	p := provider(t, s)
	gmailConfig(t, s.Client, p)
	id := newSession(t, s, `{"user_id":"user_123","manage_connections":{"enable":true,"enable_wait_for_connections":true}}`)
	var progress atomic.Int64
	client := gomcp.NewClient(&gomcp.Implementation{Name: "switchboard-e2e", Version: "0.0.0"}, &gomcp.ClientOptions{
		ProgressNotificationHandler: func(context.Context, *gomcp.ProgressNotificationClientRequest) { progress.Add(1) },
	})
	cs, err := client.Connect(ctxT(t), &gomcp.StreamableClientTransport{Endpoint: mcpURL(s, id), HTTPClient: &http.Client{Transport: keyTransport{http.Header{"X-Api-Key": {testKey}}}}, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	conn := manage(t, cs, map[string]any{"toolkits": []string{"gmail"}})
	params := &gomcp.CallToolParams{Name: metatools.WaitForConnections, Arguments: map[string]any{"toolkits": []string{"gmail"}, "timeout_seconds": 6}}
	params.SetProgressToken("wait-1")
	res, err := cs.CallTool(ctxT(t), params)
	if err != nil {
		t.Fatal(err)
	}
	var w mcpWaited
	raw, _ := json.Marshal(res.StructuredContent)
	json.Unmarshal(raw, &w)
	if g := w.Results["gmail"]; res.IsError || w.AllConnected || g.Status != "pending" || g.ConnectedAccountID != conn.ConnectedAccountID {
		t.Errorf("wait on an open link: %s", raw)
	}
	if progress.Load() == 0 {
		t.Errorf("no progress notification during a 6-second wait")
	}
}
