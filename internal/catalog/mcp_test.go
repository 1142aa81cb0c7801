package catalog_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/switchboard-dev/switchboard/internal/catalog"
	"github.com/switchboard-dev/switchboard/internal/remotemcp"
)

// TestMCPToolDefinitions: a server's tools become definitions with slugs
// from their names and annotations as tags; what the format cannot hold
// is refused, naming the tool.
func TestMCPToolDefinitions(t *testing.T) {
	obj := json.RawMessage(`{"type":"object"}`)
	defs, problems := catalog.MCPToolDefinitions("remote", []remotemcp.Tool{
		{Name: "whoami", Title: "Who am I", InputSchema: obj, ReadOnly: true, Idempotent: true, OpenWorld: true},
		{Name: "send-mail", Description: "Sends.", InputSchema: obj, Destructive: true},
	})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	type short struct {
		Slug, Name, Description, Remote string
		Tags                            []string
	}
	var got []short
	for _, d := range defs {
		got = append(got, short{d.Slug, d.Name, d.Description, d.MCP.Name, d.Tags})
	}
	want := []short{
		{"REMOTE_SEND_MAIL", "send-mail", "Sends.", "send-mail", []string{"destructiveHint"}},
		{"REMOTE_WHOAMI", "Who am I", "Who am I (the MCP server gives no description)", "whoami", []string{"readOnlyHint", "openWorldHint"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("definitions (-want +got):\n%s", diff)
	}

	_, problems = catalog.MCPToolDefinitions("remote", []remotemcp.Tool{
		{Name: "get-item", InputSchema: obj}, {Name: "get_item", InputSchema: obj},
		{Name: "héllo", InputSchema: obj},
		{Name: "huge", InputSchema: json.RawMessage(`{"type":"object","description":"` + strings.Repeat("x", 70000) + `"}`)},
	})
	all := strings.Join(problems, "\n")
	for _, w := range []string{`"get-item" and "get_item" would both be REMOTE_GET_ITEM`, `h\u00e9llo`, `tool "huge": its input schema`} {
		if !strings.Contains(all, w) {
			t.Errorf("problems %q lack %q", all, w)
		}
	}
}
