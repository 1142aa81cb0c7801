package mcp

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/execute"
	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// maxCalls is metatools.MaxCalls as the tool's description and schema
// state it.
var maxCalls = strconv.Itoa(metatools.MaxCalls)

var multiExecuteTool = &gomcp.Tool{
	Name:  metatools.MultiExecuteTool,
	Title: "Execute tools",
	Description: `Run one or more tools (up to ` + maxCalls + `) with the user's connected accounts, in parallel, and return each call's result.

Put independent calls in one request; calls that need an earlier call's output go in a later request. Each call names a tool slug (from ` + metatools.SearchTools + `) and its arguments, a JSON object following the tool's input schema. Each result has successful, data and error: a failed call does not stop the others. If a toolkit is not connected, the error carries a link to give the user.

In a session that allows several accounts per toolkit, set account (an account id such as "ca_..." or an alias such as "work") to choose which one a call uses.`,
	InputSchema: json.RawMessage(`{
  "type": "object",
  "properties": {
    "tools": {
      "type": "array",
      "minItems": 1,
      "maxItems": ` + maxCalls + `,
      "description": "The tool calls to run.",
      "items": {
        "type": "object",
        "properties": {
          "tool_slug": {"type": "string", "description": "The tool's slug, e.g. \"GMAIL_SEND_EMAIL\"."},
          "arguments": {"type": "object", "description": "The tool's arguments, following its input schema."},
          "account": {"type": "string", "description": "Optional: the connected account to use, by id or alias (multi-account sessions)."}
        },
        "required": ["tool_slug", "arguments"]
      }
    },
    "thought": {"type": "string", "description": "Optional: one sentence on why these calls are made."}
  },
  "required": ["tools"]
}`),
	Annotations: &gomcp.ToolAnnotations{Title: "Execute tools", DestructiveHint: ptr(true), OpenWorldHint: ptr(true)},
}

// arguments reads a direct tool call's arguments as metatools reads
// those of each multi-execute call.
var arguments = metatools.Arguments

// accountParam is the argument direct tools take in multi-account mode.
const accountParam = "account"

// addDirectTools exposes the session's tools that its preload option
// names as MCP tools of their own.
func (c *call) addDirectTools(ctx context.Context, srv *gomcp.Server, o options) {
	if !o.preloadAll && len(o.preload) == 0 {
		return
	}
	multi := c.sess.Config.MultiAccount.Enabled
	tools, err := c.s.Sessions.Tools(ctx, c.sess)
	if err != nil {
		// Without the rule no direct tool is exposed; the meta tools still are.
		c.s.Logger.ErrorContext(ctx, "list session tools", "session_id", c.sess.ID, "err", err)
		return
	}
	for _, t := range tools {
		if !o.preloadAll && !slices.ContainsFunc(o.preload, func(s string) bool { return strings.EqualFold(s, t.Slug) }) {
			continue
		}
		schema, withAccount := directSchema(t, multi)
		tool := &gomcp.Tool{Name: t.Slug, Title: t.Name, Description: t.Description, InputSchema: schema, Annotations: annotations(t)}
		c.add(srv, tool, c.direct(t.Slug, withAccount))
	}
}

// directSchema is a tool's input schema, with an account argument added
// in multi-account mode when the tool has none of its own and its toolkit
// needs credentials.
func directSchema(t toolkits.Tool, multi bool) (json.RawMessage, bool) {
	schema := t.InputSchema
	if !multi || t.NoAuth {
		return schema, false
	}
	var m map[string]any
	if json.Unmarshal(schema, &m) != nil {
		return schema, false
	}
	props, _ := m["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	if _, taken := props[accountParam]; taken {
		return schema, false
	}
	props[accountParam] = map[string]any{"type": "string",
		"description": "Optional: the connected account to use, by id (ca_...) or alias. Default: the session's account for this toolkit."}
	m["properties"] = props
	return metatools.Marshal(m), true
}

// annotations turns a tool's tags into MCP tool annotations.
func annotations(t toolkits.Tool) *gomcp.ToolAnnotations {
	has := func(tag string) bool { return slices.Contains(t.Tags, tag) }
	a := &gomcp.ToolAnnotations{Title: t.Name, ReadOnlyHint: has(toolkits.TagReadOnly), IdempotentHint: has(toolkits.TagIdempotent), OpenWorldHint: ptr(true)}
	if !a.ReadOnlyHint {
		a.DestructiveHint = ptr(has(toolkits.TagDestructive))
	}
	return a
}

// direct is the handler of a session tool exposed as an MCP tool.
func (c *call) direct(slug string, withAccount bool) gomcp.ToolHandler {
	return func(ctx context.Context, req *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
		args, err := arguments(req.Params.Arguments)
		if err != nil {
			return failure(err.Error(), nil), nil
		}
		var account string
		if withAccount {
			account, _ = args[accountParam].(string)
			delete(args, accountParam)
		}
		res, err := c.s.Execute.Execute(ctx, c.p, execute.Call{Tool: slug, Arguments: args, SessionID: c.sess.ID, Account: account})
		if err != nil {
			return failure(c.message(ctx, err), nil), nil
		}
		out := metatools.OutcomeOf(res)
		if !out.Successful {
			return failure(res.Error, out), nil
		}
		return result(slug+" succeeded.", out), nil
	}
}
