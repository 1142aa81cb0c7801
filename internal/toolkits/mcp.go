package toolkits

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

// MCPServer is the remote MCP server of an MCP toolkit: a Streamable HTTP
// endpoint (MCP 2025-06-18, basic/transports) whose tools become the
// toolkit's. Each call reaches it as the session's connected account,
// with the credential the auth config's scheme puts on the request
// (AuthScheme.Apply), so two accounts reach it as two identities.
type MCPServer struct {
	// URL is the server's endpoint: an absolute https URL, or http to a
	// loopback host (localhost, 127.0.0.0/8, ::1) for a server run beside
	// Switchboard, which the server accepts only with the egress loopback
	// allowance (SWITCHBOARD_EGRESS_ALLOW_LOOPBACK). No user info, no
	// fragment. Egress rules apply to it as to base_url.
	URL string `json:"url"`
}

// MCPTool says which tool of the toolkit's MCP server a tool calls.
type MCPTool struct {
	// Name is the tool's name on the server, sent as is in tools/call;
	// the tool's slug is derived from it (MCPToolSlug).
	Name string `json:"name"`
}

// Limits of an MCP tool.
const (
	// MaxMCPSchema is the most bytes of an MCP tool's input or output
	// schema, compacted; a larger one is refused rather than served to
	// every agent that lists the tools.
	MaxMCPSchema = 64 << 10
	// MaxMCPToolName is the longest remote tool name, as MCP 2025-11-25
	// (server/tools, tool names) allows.
	MaxMCPToolName = 128
)

// mcpToolNameRE is the tool name MCP 2025-11-25 recommends (server/tools,
// tool names): letters, digits, "_", "-" and ".". Names outside it have
// no slug that the catalog's rules allow.
var mcpToolNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// MCPToolSlug is the slug of the remote tool name of an MCP toolkit:
// the toolkit's slug and the name in upper case, "-" and "." becoming
// "_", as the catalog's slugs are (TOOLKIT_TOOLNAME). It reports false
// for a name that has none.
func MCPToolSlug(toolkit, name string) (string, bool) {
	if len(name) > MaxMCPToolName || !mcpToolNameRE.MatchString(name) {
		return "", false
	}
	slug := strings.ToUpper(toolkit) + "_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
	return slug, toolSlugRE.MatchString(slug)
}

// MCPName is the name of the remote tool the tool calls, "" for a tool
// that is an HTTP request.
func (t Tool) MCPName() string {
	if t.def == nil {
		return ""
	}
	return t.def.mcpName
}

// validateMCP checks the mcp section of a toolkit.
func validateMCP(p *problems, t Toolkit) {
	if t.MCP == nil {
		return
	}
	if !IsMCPURL(t.MCP.URL) {
		p.add("mcp.url", "must be an absolute https URL, or http to a loopback host, without user info or fragment, got %q", t.MCP.URL)
	}
}

// IsMCPURL reports whether raw may be an MCP server's URL in a toolkit
// file: an absolute https URL, or http to a loopback host; no user info,
// no fragment. Whether a loopback host may be reached is the egress
// loopback allowance's call, checked where the toolkit is added.
func IsMCPURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		return isLoopbackHost(u.Hostname())
	}
	return false
}

// isLoopbackHost reports whether host names this machine: "localhost"
// and its subdomains, or a loopback address. (Package egress has the same
// rule for its clients, which check every connection again.)
func isLoopbackHost(host string) bool {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().IsLoopback()
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// buildMCPTool validates a tool of an MCP toolkit. Its schemas are the
// server's own JSON Schemas, kept as the server sent them: they need not
// be the subset the format's HTTP tools use, since the server, not
// Switchboard, checks the arguments; they must be objects of type
// "object" (MCP 2025-06-18, server/tools: inputSchema) within
// MaxMCPSchema.
func buildMCPTool(p *problems, at string, f Definition, tj ToolDefinition) (Tool, bool) {
	before := len(*p)
	if tj.MCP == nil {
		p.add(at+".mcp", "is required in an MCP toolkit: it names the server's tool")
		return Tool{}, false
	}
	if tj.Request.Method != "" || tj.Request.Path != "" {
		p.add(at+".request", "must be absent in an MCP toolkit: the tool runs on the MCP server")
	}
	if tj.Pagination != nil {
		p.add(at+".pagination", "must be absent in an MCP toolkit: an MCP tool result has no pages Switchboard can follow")
	}
	if want, ok := MCPToolSlug(f.Slug, tj.MCP.Name); !ok {
		p.add(at+".mcp.name", "%q is not a tool name Switchboard can give a slug (1 to %d of A-Z a-z 0-9 _ - .)", tj.MCP.Name, MaxMCPToolName)
	} else if tj.Slug != want {
		p.add(at+".slug", "must be %s, the slug of the MCP tool %q, got %q", want, tj.MCP.Name, tj.Slug)
	}
	p.nonEmpty(at+".name", tj.Name)
	p.nonEmpty(at+".description", tj.Description)
	checkTags(p, at, tj)
	input := checkMCPSchema(p, at+".input", tj.Input)
	output := checkMCPSchema(p, at+".output", tj.Output)
	if len(*p) > before {
		return Tool{}, false
	}
	return Tool{
		Slug:         tj.Slug,
		Name:         tj.Name,
		Description:  tj.Description,
		Toolkit:      f.Slug,
		Version:      f.Version,
		Tags:         append([]string(nil), tj.Tags...),
		InputSchema:  input,
		OutputSchema: output,
		NoAuth:       f.NoAuth(),
		def:          &toolDef{errors: f.Errors, mcpName: tj.MCP.Name},
	}, true
}

// checkMCPSchema checks an MCP tool's schema and returns it compacted.
func checkMCPSchema(p *problems, at string, raw json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(raw)) == 0 {
		p.add(at, "is required")
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		p.add(at, "is not JSON: %v", err)
		return nil
	}
	if buf.Len() > MaxMCPSchema {
		p.add(at, "is %d bytes, more than the %d an MCP tool's schema may have", buf.Len(), MaxMCPSchema)
		return nil
	}
	var top struct {
		Type any `json:"type"`
	}
	if err := json.Unmarshal(buf.Bytes(), &top); err != nil || buf.Bytes()[0] != '{' {
		p.add(at, "must be a JSON object")
		return nil
	}
	if top.Type != "object" {
		p.add(at+".type", `must be "object", got %v`, top.Type)
		return nil
	}
	return buf.Bytes()
}
