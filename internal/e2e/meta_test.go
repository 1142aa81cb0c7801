package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/wire"
)

// metaResult is a session execute answer for a meta tool.
type metaResult struct {
	Data       json.RawMessage `json:"data"`
	Error      *string         `json:"error"`
	LogID      string          `json:"log_id"`
	ResultType string          `json:"result_type"`
}

func (r metaResult) err() string {
	if r.Error == nil {
		return ""
	}
	return *r.Error
}

// metaCall posts a body to a session's execute or execute_meta endpoint
// and decodes the answer, which must be HTTP 200 with data an object and
// a log id, as for any session execute.
func metaCall(t testing.TB, s *server, sessionID, endpoint, reqBody string, out any) metaResult {
	t.Helper()
	status, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+sessionID+"/"+endpoint, reqBody)
	if status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", endpoint, reqBody, status, b)
	}
	var r metaResult
	if err := json.Unmarshal([]byte(b), &r); err != nil {
		t.Fatalf("%s %s: %v in %s", endpoint, reqBody, err, b)
	}
	var data map[string]any
	if json.Unmarshal(r.Data, &data) != nil || data == nil {
		t.Errorf("%s %s: data is not an object: %s", endpoint, reqBody, b)
	}
	if !strings.HasPrefix(r.LogID, "log_") {
		t.Errorf("%s %s: no log id in %s", endpoint, reqBody, b)
	}
	if want := map[bool]string{true: "completed", false: "failed"}[r.Error == nil]; r.ResultType != want {
		t.Errorf("%s %s: result_type %q with error %v, want %q", endpoint, reqBody, r.ResultType, r.Error, want)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data, out); err != nil {
			t.Fatalf("%s %s: data %s: %v", endpoint, reqBody, r.Data, err)
		}
	}
	return r
}

// metaExec runs a meta tool through the session execute endpoint, as the
// SDKs' session.execute does.
func metaExec(t testing.TB, s *server, sessionID, tool, args string, out any) metaResult {
	t.Helper()
	return metaCall(t, s, sessionID, "execute", `{"tool_slug":"`+tool+`","arguments":`+args+`}`, out)
}

// TestMetaToolsOverREST: the meta tools run through the REST session
// execute (and execute_meta) with the same results as over MCP.
func TestMetaToolsOverREST(t *testing.T) {
	s := startServer(t, serverOptions{})
	p := provider(t, s)
	api := newFakeAPI(t, p)
	gmailConfigAt(t, s.Client, p, api)
	sessID := newSession(t, s, `{"user_id":"user_123","manage_connections":{"enable":true,"enable_wait_for_connections":true}}`)

	// Search finds the tool, with its schema, and says gmail is not connected.
	var search wire.SearchResponse
	if r := metaExec(t, s, sessID, "COMPOSIO_SEARCH_TOOLS", `{"queries":[{"use_case":"send an email"}]}`, &search); r.err() != "" {
		t.Fatalf("search: %s", r.err())
	}
	if len(search.Results) != 1 || search.Session.ID != sessID {
		t.Fatalf("search: %+v", search)
	}
	found := append(search.Results[0].PrimaryToolSlugs, search.Results[0].RelatedToolSlugs...)
	if !slices.Contains(found, "GMAIL_SEND_EMAIL") || len(search.ToolSchemas["GMAIL_SEND_EMAIL"].InputSchema) == 0 {
		t.Errorf("search found %v, want GMAIL_SEND_EMAIL with its schema", found)
	}
	// With nothing connected, Gmail's and Outlook's tools both match; the
	// statuses say gmail is not connected, whichever comes first.
	gmailAt := slices.IndexFunc(search.ToolkitConnectionStatuses, func(st wire.ToolkitConnectionStatus) bool { return st.Toolkit == "gmail" })
	if gmailAt < 0 || search.ToolkitConnectionStatuses[gmailAt].HasActiveConnection {
		t.Errorf("search statuses: %+v", search.ToolkitConnectionStatuses)
	}
	// Slugs are matched without regard to case, as tool slugs are.
	if r := metaExec(t, s, sessID, "composio_search_tools", `{"queries":[{"use_case":"send an email"}]}`, nil); r.err() != "" {
		t.Errorf("lower-case search: %s", r.err())
	}

	// Schemas: one found, one not.
	var schemas struct {
		ToolSchemas map[string]struct {
			InputSchema map[string]any `json:"input_schema"`
		} `json:"tool_schemas"`
		NotFound []struct{ ToolSlug, Error string } `json:"not_found"`
	}
	r := metaExec(t, s, sessID, "COMPOSIO_GET_TOOL_SCHEMAS", `{"tool_slugs":["GMAIL_SEND_EMAIL","NOPE_TOOL"]}`, &schemas)
	if r.err() != "" || schemas.ToolSchemas["GMAIL_SEND_EMAIL"].InputSchema["type"] != "object" || len(schemas.NotFound) != 1 {
		t.Errorf("tool schemas: %s %s", r.Data, r.err())
	}

	// Manage connections gives a link; once the user consents, it reports the account.
	var manage struct {
		Results map[string]mcpConnection `json:"results"`
	}
	if r := metaExec(t, s, sessID, "COMPOSIO_MANAGE_CONNECTIONS", `{"toolkits":["gmail"]}`, &manage); r.err() != "" {
		t.Fatalf("manage connections: %s", r.err())
	}
	link := manage.Results["gmail"]
	if !strings.HasPrefix(link.RedirectURL, s.URL+"/link/") || !strings.HasPrefix(link.ConnectedAccountID, "ca_") || link.HasActiveConnection {
		t.Fatalf("manage connections made no link: %+v", link)
	}
	if resp := consent(t, link.RedirectURL, work, true); resp.StatusCode != http.StatusOK {
		t.Fatalf("consent: %d %s", resp.StatusCode, body(resp))
	}
	var waited mcpWaited
	if r := metaExec(t, s, sessID, "COMPOSIO_WAIT_FOR_CONNECTIONS", `{"toolkits":["gmail"],"timeout_seconds":10}`, &waited); r.err() != "" ||
		!waited.AllConnected || waited.Results["gmail"].ConnectedAccountID != link.ConnectedAccountID {
		t.Errorf("wait for connections after consent: %s %s", r.Data, r.err())
	}
	manage.Results = nil
	metaExec(t, s, sessID, "COMPOSIO_MANAGE_CONNECTIONS", `{"toolkits":["gmail"]}`, &manage)
	conn := manage.Results["gmail"]
	if !conn.HasActiveConnection || conn.ActiveAccountID != link.ConnectedAccountID || conn.RedirectURL != "" ||
		len(conn.Accounts) != 1 || conn.Accounts[0].Identity != work.Email || !conn.Accounts[0].Active {
		t.Errorf("manage connections once connected: %+v", conn)
	}

	// Multi-execute runs with the connected account.
	var multi mcpMulti
	r = metaExec(t, s, sessID, "COMPOSIO_MULTI_EXECUTE_TOOL", `{"tools":[{"tool_slug":"GMAIL_GET_PROFILE","arguments":{}}]}`, &multi)
	if r.err() != "" || len(multi.Results) != 1 || !multi.AllSuccessful {
		t.Fatalf("multi-execute: %s %s", r.Data, r.err())
	}
	if got := multi.Results[0]; got.owner() != work.Login || got.Data["emailAddress"] != work.Email || got.ConnectedAccountID != link.ConnectedAccountID ||
		!strings.HasPrefix(got.LogID, "log_") || api.last().Login != work.Login {
		t.Errorf("multi-execute result: %+v", got)
	}

	// execute_meta: the same tools, named by slug.
	search = wire.SearchResponse{}
	r = metaCall(t, s, sessID, "execute_meta", `{"slug":"COMPOSIO_SEARCH_TOOLS","arguments":{"queries":[{"use_case":"send an email"}]}}`, &search)
	if r.err() != "" || len(search.Results) != 1 || !slices.Contains(search.Results[0].PrimaryToolSlugs, "GMAIL_SEND_EMAIL") ||
		len(search.ToolkitConnectionStatuses) == 0 || !search.ToolkitConnectionStatuses[0].HasActiveConnection {
		t.Errorf("execute_meta search: %s %s", r.Data, r.err())
	}
	multi = mcpMulti{}
	r = metaCall(t, s, sessID, "execute_meta", `{"slug":"COMPOSIO_MULTI_EXECUTE_TOOL","arguments":{"tools":[{"tool_slug":"GMAIL_GET_PROFILE","arguments":{}}]}}`, &multi)
	if r.err() != "" || len(multi.Results) != 1 || multi.Results[0].owner() != work.Login {
		t.Errorf("execute_meta multi-execute: %s %s", r.Data, r.err())
	}

	// A meta tool that fails is a tool error (HTTP 200), not an HTTP error.
	for _, tc := range []struct{ tool, args, want string }{
		{"COMPOSIO_MULTI_EXECUTE_TOOL", `{"tools":[]}`, "between 1 and 50"},
		{"COMPOSIO_MULTI_EXECUTE_TOOL", `{"tools":[{"tool_slug":"NOPE_TOOL","arguments":{}}]}`, "tool NOPE_TOOL not found"},
		{"COMPOSIO_SEARCH_TOOLS", `{}`, "queries must name at least one use case"},
		{"COMPOSIO_MANAGE_CONNECTIONS", `{"toolkits":["nope"]}`, `unknown toolkit "nope"`},
		{"COMPOSIO_REMOTE_WORKBENCH", `{}`, "not available in Switchboard"},
	} {
		if r := metaExec(t, s, sessID, tc.tool, tc.args, nil); !strings.Contains(r.err(), tc.want) {
			t.Errorf("%s %s: error %q, want it to contain %q", tc.tool, tc.args, r.err(), tc.want)
		}
	}

	// Requests wrong as a whole are HTTP errors.
	for _, tc := range []struct {
		path, body string
		status     int
	}{
		{"/api/v3.1/tool_router/session/trs_nope/execute", `{"tool_slug":"COMPOSIO_SEARCH_TOOLS","arguments":{"queries":[{"use_case":"x"}]}}`, http.StatusNotFound},
		{"/api/v3.1/tool_router/session/trs_nope/execute_meta", `{"slug":"COMPOSIO_SEARCH_TOOLS","arguments":{}}`, http.StatusNotFound},
		{"/api/v3.1/tool_router/session/" + sessID + "/execute_meta", `{"arguments":{}}`, http.StatusBadRequest},
		{"/api/v3.1/tool_router/session/" + sessID + "/execute_meta", `{"slug":"GMAIL_GET_PROFILE","arguments":{}}`, http.StatusBadRequest},
		{"/api/v3.1/tool_router/session/" + sessID + "/execute_meta", `{"slug":"COMPOSIO_SEARCH_TOOLS","arguments":[1]}`, http.StatusBadRequest},
	} {
		if status, b := call(t, s, testKey, "POST", tc.path, tc.body); status != tc.status || !strings.Contains(b, `"error"`) {
			t.Errorf("POST %s %s: %d %s, want %d", tc.path, tc.body, status, b, tc.status)
		}
	}
}

// TestMetaToolsTheSessionDisables: a meta tool the session does not
// expose is a tool error that says so; the others still run.
func TestMetaToolsTheSessionDisables(t *testing.T) {
	s := startServer(t, serverOptions{})
	p := provider(t, s)
	api := newFakeAPI(t, p)
	gmailConfigAt(t, s.Client, p, api)
	sess, err := s.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	connect(t, sess, work)
	id := newSession(t, s, `{"user_id":"user_123","search":{"enable":false},"manage_connections":{"enable":false}}`)

	for _, tool := range []string{"COMPOSIO_SEARCH_TOOLS", "COMPOSIO_GET_TOOL_SCHEMAS", "COMPOSIO_MANAGE_CONNECTIONS", "COMPOSIO_WAIT_FOR_CONNECTIONS"} {
		r := metaExec(t, s, id, tool, `{"queries":[{"use_case":"send an email"}],"tool_slugs":["GMAIL_SEND_EMAIL"],"toolkits":["gmail"]}`, nil)
		if want := "meta tool " + tool + " is not enabled in session " + id; !strings.Contains(r.err(), want) {
			t.Errorf("%s in a session that disables it: error %q, want %q", tool, r.err(), want)
		}
		r = metaCall(t, s, id, "execute_meta", `{"slug":"`+tool+`","arguments":{}}`, nil)
		if !strings.Contains(r.err(), "is not enabled in session") {
			t.Errorf("%s through execute_meta in a session that disables it: error %q", tool, r.err())
		}
	}
	var multi mcpMulti
	r := metaExec(t, s, id, "COMPOSIO_MULTI_EXECUTE_TOOL", `{"tools":[{"tool_slug":"GMAIL_GET_PROFILE","arguments":{}}]}`, &multi)
	if r.err() != "" || len(multi.Results) != 1 || multi.Results[0].owner() != work.Login {
		t.Errorf("multi-execute, still enabled: %s %s", r.Data, r.err())
	}

	noMulti := newSession(t, s, `{"user_id":"user_123","execute":{"enable_multi_execute":false}}`)
	if r := metaExec(t, s, noMulti, "COMPOSIO_MULTI_EXECUTE_TOOL", `{"tools":[{"tool_slug":"GMAIL_GET_PROFILE","arguments":{}}]}`, nil); !strings.Contains(r.err(), "is not enabled in session") {
		t.Errorf("multi-execute in a session that disables it: %q", r.err())
	}
	// The session's own tools still run through execute.
	if r := sessionExec(t, s, noMulti, "GMAIL_GET_PROFILE", `{}`, ""); r.err() != "" || r.owner() != work.Login {
		t.Errorf("direct execute in a session without multi-execute: %+v", r)
	}
}
