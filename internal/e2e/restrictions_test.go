package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/wire"
)

// sessionToolSlugs lists a session's tools over REST.
func sessionToolSlugs(t *testing.T, s *server, id string) []string {
	t.Helper()
	status, b := call(t, s, testKey, "GET", "/api/v3.1/tool_router/session/"+id+"/tools?limit=1000", "")
	if status != 200 {
		t.Fatalf("session tools: %d %s", status, b)
	}
	var page wire.ListResponse[wire.Tool]
	if err := json.Unmarshal([]byte(b), &page); err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, tool := range page.Items {
		slugs = append(slugs, tool.Slug)
	}
	return slugs
}

// TestSessionToolRestrictions creates sessions whose tools and tags
// options restrict gmail, and checks that listing, search, schemas,
// execute (REST, multi-execute, MCP) all refuse the same tools, with
// tool_not_allowed, before anything reaches the upstream.
func TestSessionToolRestrictions(t *testing.T) {
	f := newExecFixture(t, serverOptions{})
	s := f.s
	for _, tc := range []struct {
		name        string
		options     string
		allowed     string // a gmail tool the session runs
		refused     string // one it refuses
		wantMessage string
	}{
		{"enable", `"tools":{"gmail":{"enable":["GMAIL_SEND_EMAIL"]}}`, "GMAIL_SEND_EMAIL", "GMAIL_GET_PROFILE", "enables only GMAIL_SEND_EMAIL"},
		{"list shorthand", `"tools":{"gmail":["GMAIL_GET_PROFILE"]}`, "GMAIL_GET_PROFILE", "GMAIL_SEND_EMAIL", "enables only GMAIL_GET_PROFILE"},
		{"disable", `"tools":{"gmail":{"disable":["GMAIL_GET_PROFILE"]}}`, "GMAIL_SEND_EMAIL", "GMAIL_GET_PROFILE", "disables it"},
		{"tags", `"tags":{"enable":["readOnlyHint"]}`, "GMAIL_GET_PROFILE", "GMAIL_SEND_EMAIL", "tagged readOnlyHint"},
		{"toolkit tags", `"tools":{"gmail":{"tags":{"disable":["destructiveHint"]}}}`, "GMAIL_GET_PROFILE", "GMAIL_SEND_EMAIL", "destructiveHint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := newSession(t, s, `{"user_id":"user_123","preload":{"tools":"all"},`+tc.options+`}`)

			slugs := sessionToolSlugs(t, s, id)
			if !slices.Contains(slugs, tc.allowed) || slices.Contains(slugs, tc.refused) {
				t.Errorf("session tools: %v, want %s and not %s", slugs, tc.allowed, tc.refused)
			}

			before := f.api.count()
			status, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+id+"/execute", `{"tool_slug":"`+tc.refused+`","arguments":{}}`)
			if status != 403 || !strings.Contains(b, `"slug":"tool_not_allowed"`) || !strings.Contains(b, tc.wantMessage) {
				t.Errorf("execute %s: %d %s, want 403 tool_not_allowed saying %q", tc.refused, status, b, tc.wantMessage)
			}
			status, b = call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+id+"/proxy_execute", `{"endpoint":"/users/me/profile","method":"GET","toolkit_slug":"gmail"}`)
			if status != 403 || !strings.Contains(b, `"slug":"tool_not_allowed"`) {
				t.Errorf("session proxy around the restriction: %d %s, want 403 tool_not_allowed", status, b)
			}
			if f.api.count() != before {
				t.Errorf("a refused tool reached the upstream")
			}
			args := `{}`
			if tc.allowed == "GMAIL_SEND_EMAIL" {
				args = `{"recipient_email":"bob@example.com","subject":"hi","body":"hello"}`
			}
			if r := sessionExec(t, s, id, tc.allowed, args, ""); r.err() != "" {
				t.Errorf("execute %s: %+v", tc.allowed, r)
			}

			// Search and schemas over REST meta tools.
			var found wire.SearchResponse
			useCase := func(slug string) string {
				return `{"use_case":"` + strings.ToLower(strings.ReplaceAll(slug, "_", " ")) + `"}`
			}
			status, b = call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+id+"/search", `{"queries":[`+useCase(tc.refused)+`,`+useCase(tc.allowed)+`]}`)
			if status != 200 || json.Unmarshal([]byte(b), &found) != nil {
				t.Fatalf("search: %d %s", status, b)
			}
			if _, ok := found.ToolSchemas[tc.refused]; ok {
				t.Errorf("search found the refused %s: %s", tc.refused, b)
			}
			if _, ok := found.ToolSchemas[tc.allowed]; !ok {
				t.Errorf("search did not find the allowed %s: %s", tc.allowed, b)
			}

			// MCP: not listed as a direct tool, refused by multi-execute.
			cs := mcpClient(t, s, id)
			names := toolNames(t, cs)
			if !slices.Contains(names, tc.allowed) || slices.Contains(names, tc.refused) {
				t.Errorf("MCP tools: %v, want %s and not %s", names, tc.allowed, tc.refused)
			}
			res, text, _ := execOne(t, cs, tc.refused, "")
			if res.Successful || res.Error == nil || !strings.Contains(*res.Error, "not allowed") {
				t.Errorf("MCP multi-execute of %s: %s", tc.refused, text)
			}
			var schemas struct {
				NotFound []struct{ ToolSlug, Error string } `json:"not_found"`
			}
			callTool(t, cs, metatools.GetToolSchemas, map[string]any{"tool_slugs": []string{tc.refused}}, &schemas)
			if len(schemas.NotFound) != 1 || !strings.Contains(schemas.NotFound[0].Error, "not allowed") {
				t.Errorf("schemas of %s: %+v", tc.refused, schemas)
			}
			if f.api.count() != before+1 {
				t.Errorf("upstream saw %d calls, want only the allowed one", f.api.count()-before)
			}
		})
	}
}

// TestSessionToolOptionsAreChecked refuses tools and tags options that
// could not be enforced as written, and changes nothing.
func TestSessionToolOptionsAreChecked(t *testing.T) {
	s := startServer(t, serverOptions{})
	for _, tc := range []struct{ name, options, want string }{
		{"unknown tool", `"tools":{"gmail":{"enable":["GMAIL_NO_SUCH_TOOL"]}}`, "GMAIL_NO_SUCH_TOOL"},
		{"tool of another toolkit", `"tools":{"gmail":{"enable":["GITHUB_GET_THE_AUTHENTICATED_USER"]}}`, "not a tool of gmail"},
		{"unknown toolkit", `"tools":{"nope":{"enable":["X"]}}`, "nope"},
		{"enable and disable", `"tools":{"gmail":{"enable":["GMAIL_SEND_EMAIL"],"disable":["GMAIL_GET_PROFILE"]}}`, "both enable and disable"},
		{"unknown option", `"tools":{"gmail":{"only":["GMAIL_SEND_EMAIL"]}}`, "unknown option"},
		{"not an object", `"tools":["GMAIL_SEND_EMAIL"]`, "object keyed by toolkit"},
		{"unknown tag", `"tags":{"enable":["safeHint"]}`, "safeHint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session", `{"user_id":"user_123",`+tc.options+`}`)
			if status != 400 || !strings.Contains(b, tc.want) || !strings.Contains(b, `"code":`) {
				t.Errorf("create: %d %s, want 400 naming %q", status, b, tc.want)
			}
		})
	}
	id := newSession(t, s, `{"user_id":"user_123"}`)
	status, b := call(t, s, testKey, "PATCH", "/api/v3.1/tool_router/session/"+id, `{"tools":{"gmail":{"enable":["GMAIL_NOPE"]}}}`)
	if status != 400 || !strings.Contains(b, "invalid_tool_filter") {
		t.Errorf("PATCH with a bad tools option: %d %s", status, b)
	}
	if slugs := sessionToolSlugs(t, s, id); !slices.Contains(slugs, "GMAIL_GET_PROFILE") {
		t.Errorf("a refused PATCH changed the session: %v", slugs)
	}
}

// TestAuthConfigToolAccess sets an auth config's
// tool_access_config.tools_available_for_execution: the tools outside it
// are neither listed nor found nor run with that auth config's accounts,
// in a session (REST and MCP) or outside one.
func TestAuthConfigToolAccess(t *testing.T) {
	f := newExecFixture(t, serverOptions{})
	s := f.s
	ac := gmailAuthConfigID(t, s)
	patch := func(body string) (int, string) {
		return call(t, s, testKey, "PATCH", "/api/v3.1/auth_configs/"+ac, body)
	}
	if status, b := patch(`{"tool_access_config":{"tools_available_for_execution":["GMAIL_GET_PROFILE"]}}`); status != 200 || !strings.Contains(b, `"tools_available_for_execution":["GMAIL_GET_PROFILE"]`) {
		t.Fatalf("set tool access: %d %s", status, b)
	}
	// The official SDKs send tool_access_config {} with every update: it changes nothing.
	if status, b := patch(`{"name":"Gmail","tool_access_config":{}}`); status != 200 || !strings.Contains(b, `"tools_available_for_execution":["GMAIL_GET_PROFILE"]`) {
		t.Fatalf("update with an empty tool_access_config: %d %s", status, b)
	}

	id := newSession(t, s, `{"user_id":"user_123","preload":{"tools":"all"}}`)
	if slugs := sessionToolSlugs(t, s, id); !slices.Contains(slugs, "GMAIL_GET_PROFILE") || slices.Contains(slugs, "GMAIL_SEND_EMAIL") {
		t.Errorf("session tools: %v, want GMAIL_GET_PROFILE and not GMAIL_SEND_EMAIL", slugs)
	}
	before := f.api.count()
	send := `{"recipient_email":"bob@example.com","subject":"hi","body":"hello"}`
	status, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+id+"/execute", `{"tool_slug":"GMAIL_SEND_EMAIL","arguments":`+send+`}`)
	if status != 403 || !strings.Contains(b, `"slug":"tool_not_allowed"`) || !strings.Contains(b, ac) {
		t.Errorf("session execute: %d %s, want 403 tool_not_allowed naming %s", status, b, ac)
	}
	status, b = call(t, s, testKey, "POST", "/api/v3.1/tools/execute/GMAIL_SEND_EMAIL", `{"arguments":`+send+`,"connected_account_id":"`+f.ca1+`"}`)
	if status != 403 || !strings.Contains(b, `"slug":"tool_not_allowed"`) {
		t.Errorf("tools execute: %d %s, want 403 tool_not_allowed", status, b)
	}
	var found wire.SearchResponse
	status, b = call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+id+"/search", `{"queries":[{"use_case":"send an email"}]}`)
	if status != 200 || json.Unmarshal([]byte(b), &found) != nil {
		t.Fatalf("search: %d %s", status, b)
	}
	if _, ok := found.ToolSchemas["GMAIL_SEND_EMAIL"]; ok {
		t.Errorf("search found GMAIL_SEND_EMAIL: %s", b)
	}
	cs := mcpClient(t, s, id)
	if names := toolNames(t, cs); !slices.Contains(names, "GMAIL_GET_PROFILE") || slices.Contains(names, "GMAIL_SEND_EMAIL") {
		t.Errorf("MCP tools: %v", names)
	}
	if res, text, _ := execOne(t, cs, "GMAIL_SEND_EMAIL", ""); res.Successful || res.Error == nil || !strings.Contains(*res.Error, "not allowed") {
		t.Errorf("MCP multi-execute of GMAIL_SEND_EMAIL: %s", text)
	}
	proxy := `{"endpoint":"/users/me/profile","method":"GET","connected_account_id":"` + f.ca1 + `"}`
	if status, b := call(t, s, testKey, "POST", "/api/v3.1/tools/execute/proxy", proxy); status != 403 || !strings.Contains(b, `"slug":"tool_not_allowed"`) {
		t.Errorf("proxy around the auth config's tool access: %d %s, want 403 tool_not_allowed", status, b)
	}
	if f.api.count() != before {
		t.Errorf("a refused tool reached the upstream")
	}
	if r := sessionExec(t, s, id, "GMAIL_GET_PROFILE", `{}`, ""); r.err() != "" {
		t.Errorf("the allowed tool: %+v", r)
	}

	// Settings that cannot be enforced as written are refused; nothing changes.
	for _, tc := range []struct{ body, want string }{
		{`{"tool_access_config":{"tools_for_connected_account_creation":["GMAIL_SEND_EMAIL"]}}`, "unsupported_field"},
		{`{"tool_access_config":{"tools_available_for_execution":["GITHUB_GET_THE_AUTHENTICATED_USER"]}}`, "not a tool of gmail"},
		{`{"tool_access_config":{"tools_available":["GMAIL_SEND_EMAIL"]}}`, "tools_available"},
	} {
		if status, b := patch(tc.body); status != 400 || !strings.Contains(b, tc.want) {
			t.Errorf("PATCH %s: %d %s, want 400 with %q", tc.body, status, b, tc.want)
		}
	}
	if status, b := call(t, s, testKey, "GET", "/api/v3.1/auth_configs/"+ac, ""); !strings.Contains(b, `"tools_available_for_execution":["GMAIL_GET_PROFILE"]`) {
		t.Errorf("after refused updates: %d %s", status, b)
	}
	status, b = call(t, s, testKey, "POST", "/api/v3.1/auth_configs", `{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_composio_managed_auth","authScheme":"API_KEY","tool_access_config":{"tools_for_connected_account_creation":["LINEAR_LIST_ISSUES"]}}}`)
	if status != 400 || !strings.Contains(b, "unsupported_field") {
		t.Errorf("create with tools_for_connected_account_creation: %d %s", status, b)
	}

	// An empty list allows every tool again.
	if status, b := patch(`{"tool_access_config":{"tools_available_for_execution":[]}}`); status != 200 || !strings.Contains(b, `"tools_available_for_execution":[]`) {
		t.Fatalf("clear tool access: %d %s", status, b)
	}
	if r := sessionExec(t, s, id, "GMAIL_SEND_EMAIL", send, ""); r.err() != "" {
		t.Errorf("after clearing: %+v", r)
	}
	if status, b := call(t, s, testKey, "POST", "/api/v3.1/tools/execute/proxy", proxy); status != 200 {
		t.Errorf("proxy after clearing: %d %s", status, b)
	}
}
