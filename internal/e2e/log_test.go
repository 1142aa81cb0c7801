package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/logtest"
)

// logBuffer collects a server's log; the server writes from many
// goroutines.
type logBuffer struct{ logtest.Buffer }

// records returns the log's records that contain every one of parts.
func (b *logBuffer) records(parts ...string) []string {
	var out []string
	for _, line := range strings.Split(b.String(), "\n") {
		if line != "" && !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(line, p) }) {
			out = append(out, line)
		}
	}
	return out
}

// TestExecutionLog reads the server's log: every execution is recorded
// once, with the log id its caller got, the tool, the account and the
// upstream status, in the record of the request that asked for it (a
// multi-execute's calls each in their own), and no secret reaches it.
func TestExecutionLog(t *testing.T) {
	var log logBuffer
	f := newExecFixture(t, serverOptions{Log: &log})
	s, sessID := f.s, f.session.ID()
	tok := storedToken(t, s, f.ca2)

	one := func(t *testing.T, logID string, want ...string) string {
		t.Helper()
		// A request's record is written when its handler returns, which
		// may be after a streamed answer (MCP) reached the client.
		got := log.records("log_id=" + logID)
		for deadline := time.Now().Add(5 * time.Second); len(got) == 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			got = log.records("log_id=" + logID)
		}
		if len(got) != 1 {
			t.Fatalf("%d records with log id %s, want 1:\n%s", len(got), logID, strings.Join(got, "\n"))
		}
		for _, w := range want {
			if !strings.Contains(got[0], w) {
				t.Errorf("the record of %s lacks %q:\n%s", logID, w, got[0])
			}
		}
		return got[0]
	}

	t.Run("execute", func(t *testing.T) {
		r := sessionExec(t, s, sessID, "GMAIL_GET_PROFILE", `{}`, "")
		one(t, r.LogID, "msg=request", "path=/api/v3.1/tool_router/session/"+sessID+"/execute", "status=200", "request_id=req_",
			"tool=GMAIL_GET_PROFILE", "account_id="+f.ca2, "upstream_status=200")
	})
	t.Run("failed tool", func(t *testing.T) {
		r := sessionExec(t, s, sessID, "GMAIL_SEND_EMAIL", `{"subject":"no recipient"}`, "")
		if r.err() == "" {
			t.Fatalf("got %+v, want a failed call", r)
		}
		one(t, r.LogID, "msg=request", "status=200", "tool=GMAIL_SEND_EMAIL", "tool_error=", "recipient_email")
	})
	t.Run("multi-execute", func(t *testing.T) {
		var multi mcpMulti
		r := metaExec(t, s, sessID, "COMPOSIO_MULTI_EXECUTE_TOOL",
			`{"tools":[{"tool_slug":"GMAIL_GET_PROFILE","arguments":{}},{"tool_slug":"GMAIL_LIST_LABELS","arguments":{}}]}`, &multi)
		if r.err() != "" || len(multi.Results) != 2 {
			t.Fatalf("multi-execute: %s %s", r.Data, r.err())
		}
		one(t, r.LogID, "msg=request", "tool=COMPOSIO_MULTI_EXECUTE_TOOL", "successful=true")
		for _, c := range multi.Results {
			one(t, c.LogID, `msg="tool executed"`, "tool="+c.ToolSlug, "account_id="+f.ca2, "request_id=req_")
		}
	})
	t.Run("mcp", func(t *testing.T) {
		// A direct tool: one execution in the MCP request's record.
		id := newSession(t, s, `{"user_id":"user_123","toolkits":{"enable":["gmail"]},"preload":{"tools":"all"},"manage_connections":{"enable":false}}`)
		var out mcpCallResult
		if text, isErr := callTool(t, mcpClient(t, s, id), "GMAIL_GET_PROFILE", map[string]any{}, &out); isErr || !out.Successful {
			t.Fatalf("MCP GMAIL_GET_PROFILE: %s", text)
		}
		one(t, out.LogID, "msg=request", "path=/tool_router/v3/"+id+"/mcp", "request_id=req_", "project_id=",
			"tool=GMAIL_GET_PROFILE", "account_id="+f.ca2, "upstream_status=200")
		// Multi-execute: each call in a record of its own.
		c, text, isErr := execOne(t, mcpClient(t, s, sessID), "GMAIL_GET_PROFILE", "")
		if isErr || !c.Successful {
			t.Fatalf("MCP multi-execute: %s", text)
		}
		one(t, c.LogID, `msg="tool executed"`, "request_id=req_", "tool=GMAIL_GET_PROFILE", "account_id="+f.ca2, "upstream_status=200")
	})
	t.Run("no secrets", func(t *testing.T) {
		text := log.String()
		for _, secret := range []string{testKey, tok.AccessToken, tok.RefreshToken, "switchboard-secret"} {
			if strings.Contains(text, secret) {
				t.Errorf("the log holds a secret (%.8s...)", secret)
			}
		}
	})
}
