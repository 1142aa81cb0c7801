package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/wire"
)

// logSecret is a password passed as a tool argument: it must never reach a
// log.
const logSecret = "hunter2-do-not-log"

// waitLog polls GET /logs/tool_execution/{id} until the record is written
// (records are written in batches, after the call's answer).
func waitLog(t *testing.T, s *server, key, id string) (wire.LogDetail, string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, b := call(t, s, key, "GET", "/api/v3.1/logs/tool_execution/"+id, "")
		if status == 200 {
			var d wire.LogDetail
			if err := json.Unmarshal([]byte(b), &d); err != nil {
				t.Fatalf("log %s: %v in %s", id, err, b)
			}
			return d, b
		}
		if status != 404 || time.Now().After(deadline) {
			t.Fatalf("log %s: %d %s", id, status, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func searchLogs(t *testing.T, s *server, body string) (int, wire.LogSearchResponse, string) {
	t.Helper()
	status, b := call(t, s, testKey, "POST", "/api/v3.1/logs/tool_execution", body)
	var out wire.LogSearchResponse
	if status == 200 {
		if err := json.Unmarshal([]byte(b), &out); err != nil {
			t.Fatalf("search: %v in %s", err, b)
		}
	}
	return status, out, b
}

func logIDsOf(r wire.LogSearchResponse) []string {
	ids := []string{}
	for _, l := range r.Logs {
		ids = append(ids, l.ID)
	}
	return ids
}

func TestExecutionLogs(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testExecutionLogs(t, serverOptions{}) })
	t.Run("postgres", func(t *testing.T) { testExecutionLogs(t, serverOptions{DatabaseURL: postgrestest.URL(t)}) })
}

func testExecutionLogs(t *testing.T, o serverOptions) {
	f := newExecFixture(t, o)
	s, sid := f.s, f.session.ID()
	ok := sessionExec(t, s, sid, "GMAIL_GET_PROFILE", `{}`, "")
	bad := sessionExec(t, s, sid, "GMAIL_SEND_EMAIL", fmt.Sprintf(`{"subject":"hi","password":%q}`, logSecret), "")
	if ok.err() != "" || bad.err() == "" {
		t.Fatalf("want a successful and a failed call, got %+v and %+v", ok, bad)
	}
	okLog, _ := waitLog(t, s, testKey, ok.LogID)
	badLog, badBody := waitLog(t, s, testKey, bad.LogID)

	// The record: what ran, for whom, with which account, and how.
	if m := okLog.Metadata; okLog.Status != "success" || okLog.Level != "info" || okLog.Type != "tool.execution" ||
		m.ToolSlug != "GMAIL_GET_PROFILE" || m.ToolkitSlug != "gmail" || m.ConnectedAccountID != f.ca2 ||
		m.UserID != "user_123" || m.SessionID != sid || m.AuthConfigID == "" || m.UpstreamStatus != 200 || m.CredentialSource != "connected_account" {
		t.Errorf("successful call's log: %+v", okLog)
	}
	if resp, _ := okLog.Data["response"].(map[string]any); resp["emailAddress"] != personal.Email {
		t.Errorf("successful call's log keeps the answer %v, want its emailAddress", okLog.Data["response"])
	}
	if !strings.HasPrefix(okLog.Context.RequestID, "req_") || okLog.Timings.EndTime < okLog.Timings.StartTime {
		t.Errorf("log context %+v, timings %+v", okLog.Context, okLog.Timings)
	}
	args, _ := badLog.Data["request"].(map[string]any)["arguments"].(map[string]any)
	if badLog.Status != "failed" || badLog.Level != "error" || badLog.Metadata.Error == "" || args["subject"] != "hi" || args["password"] != "[REDACTED]" {
		t.Errorf("failed call's log: %+v, arguments %v", badLog.LogEntry, args)
	}
	if strings.Contains(badBody, logSecret) {
		t.Errorf("the log shows the password argument: %s", badBody)
	}

	// A proxied request is recorded too.
	status, b := call(t, s, testKey, "POST", "/api/v3.1/tools/execute/proxy",
		fmt.Sprintf(`{"endpoint":"/users/me/profile","method":"GET","connected_account_id":%q}`, f.ca1))
	var proxied struct {
		LogID string `json:"log_id"`
	}
	json.Unmarshal([]byte(b), &proxied)
	if status != 200 || proxied.LogID == "" {
		t.Fatalf("proxy: %d %s", status, b)
	}
	if p, _ := waitLog(t, s, testKey, proxied.LogID); p.Metadata.ToolSlug != "proxy:gmail" || p.Metadata.ConnectedAccountID != f.ca1 {
		t.Errorf("proxy log: %+v", p.LogEntry)
	}

	now := time.Now().UnixMilli()
	for _, tt := range []struct {
		name, filters string
		want          []string
	}{
		{"toolkit", `[{"field":"toolkit_slug","operator":"==","value":"gmail"}]`, []string{proxied.LogID, bad.LogID, ok.LogID}},
		{"status failed", `[{"field":"status","operator":"==","value":"failed"}]`, []string{bad.LogID}},
		{"status not failed", `[{"field":"status","operator":"!=","value":"failed"}]`, []string{proxied.LogID, ok.LogID}},
		{"tool contains", `[{"field":"tool_slug","operator":"contains","value":"PROFILE"}]`, []string{ok.LogID}},
		{"tool not_contains", `[{"field":"tool_slug","operator":"not_contains","value":"GMAIL"}]`, []string{proxied.LogID}},
		{"account", fmt.Sprintf(`[{"field":"connected_account_id","operator":"==","value":%q}]`, f.ca1), []string{proxied.LogID}},
		{"session and user", fmt.Sprintf(`[{"field":"session_id","operator":"==","value":%q},{"field":"user_id","operator":"==","value":"user_123"}]`, sid), []string{bad.LogID, ok.LogID}},
		{"log id", fmt.Sprintf(`[{"field":"log_id","operator":"==","value":%q}]`, ok.LogID), []string{ok.LogID}},
		{"request id", fmt.Sprintf(`[{"field":"request_id","operator":"==","value":%q}]`, okLog.Context.RequestID), []string{ok.LogID}},
	} {
		status, page, b := searchLogs(t, s, `{"filters":`+tt.filters+`}`)
		if got := logIDsOf(page); status != 200 || strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("search %s: %d %v, want %v (%s)", tt.name, status, got, tt.want, b)
		}
	}
	if _, page, _ := searchLogs(t, s, fmt.Sprintf(`{"time_range":{"from":%d,"to":%d}}`, now-3600_000, now-1800_000)); len(page.Logs) != 0 || page.NextCursor != nil {
		t.Errorf("a past time range: %+v", page)
	}
	if _, page, _ := searchLogs(t, s, fmt.Sprintf(`{"time_range":{"from":%d,"to":%d}}`, now-3600_000, now+60_000)); len(page.Logs) != 3 {
		t.Errorf("a time range over the calls: %v", logIDsOf(page))
	}
	_, first, _ := searchLogs(t, s, `{"limit":2.0}`)
	if len(first.Logs) != 2 || first.NextCursor == nil {
		t.Fatalf("first page of 2: %+v", first)
	}
	_, second, _ := searchLogs(t, s, fmt.Sprintf(`{"limit":2,"cursor":%q}`, *first.NextCursor))
	if got := logIDsOf(second); len(got) != 1 || got[0] != ok.LogID || second.NextCursor != nil {
		t.Errorf("second page: %v, next %v", got, second.NextCursor)
	}

	// Bad searches are 400 with a code and change nothing.
	for _, tt := range []struct{ body, code string }{
		{`{"limit":0}`, "invalid_limit"},
		{`{"limit":101}`, "invalid_limit"},
		{`{"limit":2.5}`, "invalid_limit"},
		{`{"filters":[{"field":"sandbox_id","operator":"==","value":"sb_1"}]}`, "unsupported_filter"},
		{`{"filters":[{"field":"colour","operator":"==","value":"red"}]}`, "invalid_filter"},
		{`{"filters":[{"field":"tool_slug","operator":"like","value":"x"}]}`, "invalid_filter"},
		{`{"filters":[{"field":"status","operator":"==","value":"error"}]}`, "invalid_filter"},
		{`{"time_range":{"from":10}}`, "invalid_time_range"},
		{`{"time_range":{"from":10,"to":5}}`, "invalid_time_range"},
		{`{"cursor":"not-ours"}`, "invalid_cursor"},
		{`{"case_sensitive":true}`, "unknown_field"},
	} {
		status, _, b := searchLogs(t, s, tt.body)
		if status != 400 || !strings.Contains(b, `"`+tt.code+`"`) {
			t.Errorf("search %s: %d %s, want 400 %s", tt.body, status, b, tt.code)
		}
	}

	// Runtime keys may not read the logs; another project sees none.
	rt, err := s.Client.APIKeys().Create(ctxT(t), "runtime", "runtime")
	if err != nil {
		t.Fatal(err)
	}
	if status, b := call(t, s, rt.Key, "GET", "/api/v3.1/logs/tool_execution/"+ok.LogID, ""); status != http.StatusForbidden {
		t.Errorf("runtime key reads a log: %d %s", status, b)
	}
	other, err := s.App.Projects.CreateProject(ctxT(t), "other")
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _, err := s.App.Projects.CreateKey(ctxT(t), other.ID, "k", "")
	if err != nil {
		t.Fatal(err)
	}
	if status, b := call(t, s, otherKey, "GET", "/api/v3.1/logs/tool_execution/"+ok.LogID, ""); status != 404 || !strings.Contains(b, "log_not_found") {
		t.Errorf("another project reads a log: %d %s", status, b)
	}
	if status, b := call(t, s, otherKey, "POST", "/api/v3.1/logs/tool_execution", `{}`); status != 200 || !strings.Contains(b, `"logs":[]`) {
		t.Errorf("another project's search: %d %s", status, b)
	}
}

// TestExecutionLogsOff: with SWITCHBOARD_EXECUTION_LOGS off no writer
// runs and a call leaves no record.
func TestExecutionLogsOff(t *testing.T) {
	f := newExecFixture(t, serverOptions{NoExecutionLogs: true})
	r := sessionExec(t, f.s, f.session.ID(), "GMAIL_GET_PROFILE", `{}`, "")
	if r.err() != "" {
		t.Fatalf("execute: %+v", r)
	}
	if f.s.App.LogWriter != nil {
		t.Fatal("a log writer runs with execution logs off")
	}
	if status, b := call(t, f.s, testKey, "GET", "/api/v3.1/logs/tool_execution/"+r.LogID, ""); status != 404 {
		t.Errorf("log of a call with logs off: %d %s", status, b)
	}
}

// TestOfficialPythonSDKLogs: composio.logs.search and composio.logs.get
// of the official Python SDK read Switchboard's logs.
func TestOfficialPythonSDKLogs(t *testing.T) {
	py := pythonSDK(t)
	script := filepath.Join(repoRoot(t), "sdktest", "python", "logs.py")
	for name, o := range map[string]func(t *testing.T) serverOptions{
		"sqlite":   func(*testing.T) serverOptions { return serverOptions{} },
		"postgres": func(t *testing.T) serverOptions { return serverOptions{DatabaseURL: postgrestest.URL(t)} },
	} {
		t.Run(name, func(t *testing.T) {
			f := newExecFixture(t, o(t))
			s, sid := f.s, f.session.ID()
			ok := sessionExec(t, s, sid, "GMAIL_GET_PROFILE", `{}`, "")
			bad := sessionExec(t, s, sid, "GMAIL_SEND_EMAIL", fmt.Sprintf(`{"subject":"hi","password":%q}`, logSecret), "")
			waitLog(t, s, testKey, ok.LogID)
			waitLog(t, s, testKey, bad.LogID)
			r := runScript(t, s, []string{"OK_LOG_ID=" + ok.LogID, "FAILED_LOG_ID=" + bad.LogID, "ACCOUNT_ID=" + f.ca2,
				"SESSION_ID=" + sid, "SECRET=" + logSecret}, py, script)
			if r["searched"] != float64(2) {
				t.Errorf("the SDK's search found %v logs, want 2", r["searched"])
			}
		})
	}
}

func TestAuditLog(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testAuditLog(t, serverOptions{}) })
	t.Run("postgres", func(t *testing.T) { testAuditLog(t, serverOptions{DatabaseURL: postgrestest.URL(t)}) })
}

func testAuditLog(t *testing.T, o serverOptions) {
	f := newExecFixture(t, o) // creates the gmail auth config and two accounts
	s, ctx := f.s, ctxT(t)
	if _, err := s.Client.ConnectedAccounts().Update(ctx, f.ca1, wire.ConnectedAccountUpdateRequest{Alias: ptr("work")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Client.ConnectedAccounts().Disable(ctx, f.ca1); err != nil {
		t.Fatal(err)
	}
	// An act the store refuses inside its transaction (the alias is
	// ca1's) leaves no entry.
	if _, err := s.Client.ConnectedAccounts().Update(ctx, f.ca2, wire.ConnectedAccountUpdateRequest{Alias: ptr("work")}); err == nil {
		t.Fatalf("giving %s the alias of %s was accepted", f.ca2, f.ca1)
	}
	status, b := call(t, s, testKey, "DELETE", "/api/v3.1/connected_accounts/"+f.ca2, "")
	if status != 200 {
		t.Fatalf("delete account: %d %s", status, b)
	}
	custom := strings.NewReplacer(`"slug": "keyed"`, `"slug": "acme"`, "KEYED_", "ACME_").Replace(string(schemeCatalog["keyed.json"].Data))
	if status, b := call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", custom); status != 201 {
		t.Fatalf("create custom toolkit: %d %s", status, b)
	}
	if status, b := call(t, s, testKey, "DELETE", "/api/v3.1/custom_toolkits/acme", ""); status != 200 {
		t.Fatalf("delete custom toolkit: %d %s", status, b)
	}
	// A refused act leaves no entry.
	if status, _ := call(t, s, testKey, "DELETE", "/api/v3.1/connected_accounts/ca_missing", ""); status != 404 {
		t.Errorf("delete a missing account: %d", status)
	}

	list := func(key, query string) (int, wire.AuditList, string) {
		status, b := call(t, s, key, "GET", "/api/v3.1/audit_log"+query, "")
		var out wire.AuditList
		if status == 200 {
			if err := json.Unmarshal([]byte(b), &out); err != nil {
				t.Fatalf("audit log: %v in %s", err, b)
			}
		}
		return status, out, b
	}
	_, all, body := list(testKey, "")
	var actions []string
	for _, e := range all.Items {
		actions = append(actions, e.Action+" "+e.TargetID)
	}
	want := []string{"auth_config.create " + all.Items[0].TargetID, "connected_account.update " + f.ca1, "connected_account.status " + f.ca1,
		"connected_account.delete " + f.ca2, "custom_toolkit.create acme", "custom_toolkit.delete acme"}
	if strings.Join(actions, ", ") != strings.Join(want, ", ") {
		t.Fatalf("audit log %v, want %v", actions, want)
	}
	if strings.Contains(body, "switchboard-secret") {
		t.Errorf("the audit log shows the OAuth client secret: %s", body)
	}
	// The entry is written by the store, in the act's transaction, from
	// the record the store holds, opened: the sealed settings are named.
	if created := all.Items[0]; !strings.Contains(string(created.After), `"sealed_fields":["client_secret"]`) || created.RequestID == "" {
		t.Errorf("auth config creation: after %s, request id %q; want the sealed client_secret named and the request id", created.After, created.RequestID)
	}
	status1 := all.Items[2]
	if !strings.Contains(string(status1.Before), `"status":"ACTIVE"`) || !strings.Contains(string(status1.After), `"status":"INACTIVE"`) ||
		!strings.Contains(string(status1.After), `"alias":"work"`) {
		t.Errorf("status change: before %s, after %s", status1.Before, status1.After)
	}
	if del := all.Items[3]; del.After != nil || !strings.Contains(string(del.Before), f.ca2) {
		t.Errorf("deletion: before %s, after %s", del.Before, del.After)
	}

	if _, page, _ := list(testKey, "?target_id="+f.ca1); len(page.Items) != 2 {
		t.Errorf("filtered by target: %+v", page.Items)
	}
	if _, page, _ := list(testKey, "?action=custom_toolkit.create,custom_toolkit.delete&target_type=custom_toolkit"); len(page.Items) != 2 {
		t.Errorf("filtered by action: %+v", page.Items)
	}
	from := all.Items[3].CreatedAt.Format(time.RFC3339Nano)
	if _, page, _ := list(testKey, "?from="+from); len(page.Items) != 3 {
		t.Errorf("from %s: %d entries, want 3", from, len(page.Items))
	}
	_, first, _ := list(testKey, "?limit=4")
	_, rest, _ := list(testKey, "?limit=4&cursor="+first.NextCursor)
	if len(first.Items) != 4 || first.NextCursor == "" || len(rest.Items) != 2 || rest.NextCursor != "" {
		t.Errorf("pages of 4: %d then %d (cursor %q)", len(first.Items), len(rest.Items), first.NextCursor)
	}
	for _, q := range []string{"?actor=me", "?from=yesterday", "?limit=0", "?cursor=bogus"} {
		if status, _, b := list(testKey, q); status != 400 {
			t.Errorf("audit log %s: %d %s, want 400", q, status, b)
		}
	}
	// Append-only: the API has no way to change or remove an entry.
	for _, method := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		if status, b := call(t, s, testKey, method, "/api/v3.1/audit_log", `{}`); status < 400 {
			t.Errorf("%s /audit_log: %d %s", method, status, b)
		}
		if status, b := call(t, s, testKey, method, "/api/v3.1/audit_log/"+all.Items[0].ID, `{}`); status < 400 {
			t.Errorf("%s /audit_log/{id}: %d %s", method, status, b)
		}
	}
	if _, again, _ := list(testKey, ""); len(again.Items) != len(all.Items) {
		t.Errorf("the audit log changed: %d entries, then %d", len(all.Items), len(again.Items))
	}
	rt, err := s.Client.APIKeys().Create(ctx, "runtime", "runtime")
	if err != nil {
		t.Fatal(err)
	}
	if status, _, b := list(rt.Key, ""); status != http.StatusForbidden {
		t.Errorf("runtime key lists the audit log: %d %s", status, b)
	}
	other, err := s.App.Projects.CreateProject(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _, err := s.App.Projects.CreateKey(ctx, other.ID, "k", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, page, _ := list(otherKey, ""); len(page.Items) != 0 {
		t.Errorf("another project sees %d audit entries", len(page.Items))
	}
}

// TestExecutionLogsEverySurface: a tool run by user id over REST and one
// run over a session's MCP endpoint are recorded like session executes.
func TestExecutionLogsEverySurface(t *testing.T) {
	f := newExecFixture(t, serverOptions{})
	s := f.s
	status, b := call(t, s, testKey, "POST", "/api/v3.1/tools/execute/GMAIL_GET_PROFILE", `{"user_id":"user_123","arguments":{}}`)
	var direct execResult
	json.Unmarshal([]byte(b), &direct)
	if status != 200 || direct.LogID == "" {
		t.Fatalf("tools execute: %d %s", status, b)
	}
	if l, _ := waitLog(t, s, testKey, direct.LogID); l.Metadata.UserID != "user_123" || l.Metadata.SessionID != "" || l.Metadata.ConnectedAccountID != f.ca2 {
		t.Errorf("REST execute's log: %+v", l.Metadata)
	}
	cs := mcpClient(t, s, f.session.ID())
	r, text, isErr := execOne(t, cs, "GMAIL_GET_PROFILE", "")
	if isErr || r.LogID == "" {
		t.Fatalf("MCP execute: %s", text)
	}
	if l, _ := waitLog(t, s, testKey, r.LogID); l.Metadata.SessionID != f.session.ID() || l.Metadata.ToolSlug != "GMAIL_GET_PROFILE" || l.Status != "success" {
		t.Errorf("MCP execute's log: %+v", l.LogEntry)
	}

	// The Go SDK reads them too.
	limit := 1.0
	page, err := s.Client.Logs().Search(ctxT(t), wire.LogSearchRequest{Limit: &limit,
		Filter: []wire.LogFilter{{Field: "session_id", Operator: "==", Value: f.session.ID()}}})
	if err != nil || len(page.Logs) != 1 || page.Logs[0].ID != r.LogID {
		t.Errorf("sdk Logs().Search: %+v, %v", page, err)
	}
	got, err := s.Client.Logs().Get(ctxT(t), direct.LogID)
	if err != nil || got.ID != direct.LogID || got.Metadata.UserID != "user_123" {
		t.Errorf("sdk Logs().Get: %+v, %v", got, err)
	}
	if _, err := s.Client.Logs().Get(ctxT(t), "log_missing"); err == nil {
		t.Errorf("sdk Logs().Get of a missing log succeeded")
	}
}
