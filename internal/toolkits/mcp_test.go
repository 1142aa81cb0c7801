package toolkits

import (
	"strings"
	"testing"
)

// mcpDoc is an MCP toolkit file with tools, a JSON object whose parts the
// cases replace.
func mcpDoc(url, tools string) string {
	return `{"slug":"remote","name":"Remote","description":"A remote MCP server.","logo":"https://remote.example/l.png",
"categories":[{"slug":"productivity","name":"Productivity"}],"base_url":"https://remote.example",
"mcp":{"url":"` + url + `"},
"auth_schemes":[{"mode":"BEARER_TOKEN","fields":[{"name":"token","display_name":"Token","description":"A token.","type":"string","required":true,"secret":true}],
"apply":{"header":"Authorization","prefix":"Bearer ","field":"token"}}],
"version":"20261201_00","errors":"mcp","tools":[` + tools + `]}`
}

const whoami = `{"slug":"REMOTE_WHO_AM_I","name":"Who am I","description":"The caller.","tags":["readOnlyHint"],
"input":{"type":"object","properties":{"x":{"anyOf":[{"type":"string"},{"type":"integer"}]}}},"output":{"type":"object"},"mcp":{"name":"who-am.i"}}`

// TestMCPToolkitFormat: an MCP toolkit's tools are the server's, with its
// own schemas, and the rules that keep them apart from HTTP tools hold.
func TestMCPToolkitFormat(t *testing.T) {
	d, err := Parse("remote.json", []byte(mcpDoc("https://mcp.remote.example/mcp", whoami)))
	if err != nil {
		t.Fatalf("a valid MCP toolkit: %v", err)
	}
	c, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	tool, ok := c.Tool("REMOTE_WHO_AM_I")
	if !ok || tool.MCPName() != "who-am.i" {
		t.Fatalf("got %+v (MCP name %q), want the remote name kept", tool, tool.MCPName())
	}
	if _, err := tool.BuildRequest(map[string]any{}); err == nil {
		t.Errorf("BuildRequest of an MCP tool succeeded")
	}
	if tk, _ := c.Get("remote"); tk.MCP == nil || tk.MCP.URL != "https://mcp.remote.example/mcp" {
		t.Errorf("toolkit mcp: %+v", tk.MCP)
	}
	if _, err := Parse("remote.json", []byte(mcpDoc("http://127.0.0.1:8080/mcp", whoami))); err != nil {
		t.Errorf("http to loopback: %v", err)
	}

	big := `{"type":"object","description":"` + strings.Repeat("x", MaxMCPSchema) + `"}`
	for _, tt := range []struct{ name, doc, want string }{
		{"plain http to a public host", mcpDoc("http://mcp.remote.example/mcp", whoami), "/mcp/url"},
		{"user info", mcpDoc("https://u:p@mcp.remote.example/mcp", whoami), "/mcp/url"},
		{"a request in an MCP tool", mcpDoc("https://m.example/mcp", strings.Replace(whoami, `"mcp":{`, `"request":{"method":"GET","path":"/x"},"mcp":{`, 1)), "/tools/0/request"},
		{"no mcp in an MCP tool", mcpDoc("https://m.example/mcp", strings.Replace(whoami, `,"mcp":{"name":"who-am.i"}`, ``, 1)), "/tools/0/mcp"},
		{"a slug not derived from the name", mcpDoc("https://m.example/mcp", strings.Replace(whoami, "REMOTE_WHO_AM_I", "REMOTE_ME", 1)), "must be REMOTE_WHO_AM_I"},
		{"a name without a slug", mcpDoc("https://m.example/mcp", strings.Replace(whoami, "who-am.i", "who am i", 1)), "/tools/0/mcp/name"},
		{"an oversized schema", mcpDoc("https://m.example/mcp", strings.Replace(whoami, `"output":{"type":"object"}`, `"output":`+big, 1)), "more than the 65536"},
		{"an input that is not an object type", mcpDoc("https://m.example/mcp", strings.Replace(whoami, `"input":{"type":"object",`, `"input":{"type":"array",`, 1)), "/tools/0/input/type"},
		{"http errors in an MCP toolkit", strings.Replace(mcpDoc("https://m.example/mcp", whoami), `"errors":"mcp"`, `"errors":"http"`, 1), `must be "mcp"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("remote.json", []byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want a problem with %q", err, tt.want)
			}
		})
	}
}

// TestMCPToolkitSchema: the published schema accepts an MCP toolkit and
// refuses a tool with both request and mcp.
func TestMCPToolkitSchema(t *testing.T) {
	s := compileFormatSchema(t)
	if err := validateInstance(t, s, []byte(mcpDoc("https://mcp.remote.example/mcp", whoami))); err != nil {
		t.Errorf("the schema refuses an MCP toolkit: %v", err)
	}
	both := mcpDoc("https://m.example/mcp", strings.Replace(whoami, `"mcp":{`, `"request":{"method":"GET","path":"/x"},"mcp":{`, 1))
	if err := validateInstance(t, s, []byte(both)); err == nil {
		t.Errorf("the schema accepts a tool with request and mcp")
	}
}

// TestMCPCredentialHosts: moving an MCP toolkit's server is a credential
// host change.
func TestMCPCredentialHosts(t *testing.T) {
	old := Toolkit{BaseURL: "https://a.example", MCP: &MCPServer{URL: "https://mcp.a.example/mcp"}}
	same := Toolkit{BaseURL: "https://a.example", MCP: &MCPServer{URL: "https://mcp.a.example/v2/mcp"}}
	moved := Toolkit{BaseURL: "https://a.example", MCP: &MCPServer{URL: "https://evil.example/mcp"}}
	if got := CredentialHostsChanged(old, same); len(got) != 0 {
		t.Errorf("a new path on the same origin: %v", got)
	}
	if got := CredentialHostsChanged(old, moved); len(got) != 1 || got[0] != "mcp.url" {
		t.Errorf("another origin: got %v, want [mcp.url]", got)
	}
}

func TestMCPToolSlug(t *testing.T) {
	for name, want := range map[string]string{"whoami": "REMOTE_WHOAMI", "send-mail": "REMOTE_SEND_MAIL", "a.b_C": "REMOTE_A_B_C", "": "", "sp ace": "", strings.Repeat("a", 129): ""} {
		got, ok := MCPToolSlug("remote", name)
		if got != want || ok != (want != "") {
			t.Errorf("MCPToolSlug(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}
