package mcp

import (
	"encoding/json"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/metatools"
)

var searchTool = &gomcp.Tool{
	Name:  metatools.SearchTools,
	Title: "Search tools",
	Description: `Find the tools that can do a task, among the toolkits of this session (Gmail, GitHub, Slack, ...).

Call it first for any task that needs an external service, with one query per distinct task (e.g. "send an email", "list my open pull requests"); do not put several tasks in one query.

Returns, per query, the best-matching tool slugs (primary_tool_slugs, then related_tool_slugs) with their input schemas in tool_schemas, and for each toolkit found whether the user has an active connection (toolkit_connection_statuses, with the user's accounts). Run the tools with ` + metatools.MultiExecuteTool + `, passing arguments that follow the schemas. A toolkit without an active connection must be connected first with ` + metatools.ManageConnections + `.`,
	InputSchema: json.RawMessage(`{
  "type": "object",
  "properties": {
    "queries": {
      "type": "array",
      "minItems": 1,
      "description": "One entry per distinct task to find tools for.",
      "items": {
        "type": "object",
        "properties": {
          "use_case": {"type": "string", "description": "The task in plain words, e.g. \"send an email to a colleague\"."}
        },
        "required": ["use_case"]
      }
    },
    "toolkits": {
      "type": "array",
      "items": {"type": "string"},
      "description": "Only search these toolkits, by slug (e.g. [\"gmail\"]). Omit to search all of the session's toolkits."
    }
  },
  "required": ["queries"]
}`),
	Annotations: &gomcp.ToolAnnotations{Title: "Search tools", ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: ptr(false)},
}

var schemasTool = &gomcp.Tool{
	Name:  metatools.GetToolSchemas,
	Title: "Get tool schemas",
	Description: `Get the complete input schemas of tools by slug (e.g. "GMAIL_SEND_EMAIL"), to build valid arguments for ` + metatools.MultiExecuteTool + `.

Use it when you know a tool's slug but not its arguments, for example from an earlier search.`,
	InputSchema: json.RawMessage(`{
  "type": "object",
  "properties": {
    "tool_slugs": {
      "type": "array",
      "minItems": 1,
      "items": {"type": "string"},
      "description": "The tool slugs, e.g. [\"GMAIL_SEND_EMAIL\", \"GITHUB_CREATE_AN_ISSUE\"]."
    }
  },
  "required": ["tool_slugs"]
}`),
	Annotations: &gomcp.ToolAnnotations{Title: "Get tool schemas", ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: ptr(false)},
}
