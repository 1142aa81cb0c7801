package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/execute"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// maxCalls is how many tool calls one COMPOSIO_MULTI_EXECUTE_TOOL takes.
const maxCalls = 50

var multiExecuteTool = &gomcp.Tool{
	Name:  MultiExecuteTool,
	Title: "Execute tools",
	Description: `Run one or more tools (up to 50) with the user's connected accounts, in parallel, and return each call's result.

Put independent calls in one request; calls that need an earlier call's output go in a later request. Each call names a tool slug (from ` + SearchTools + `) and its arguments, a JSON object following the tool's input schema. Each result has successful, data and error: a failed call does not stop the others. If a toolkit is not connected, the error carries a link to give the user.

In a session that allows several accounts per toolkit, set account (an account id such as "ca_..." or an alias such as "work") to choose which one a call uses.`,
	InputSchema: json.RawMessage(`{
  "type": "object",
  "properties": {
    "tools": {
      "type": "array",
      "minItems": 1,
      "maxItems": 50,
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

// callResult is the outcome of one tool call.
type callResult struct {
	Index              int            `json:"index"`
	ToolSlug           string         `json:"tool_slug"`
	Successful         bool           `json:"successful"`
	Data               map[string]any `json:"data"`
	Error              *string        `json:"error"`
	LogID              string         `json:"log_id,omitempty"`
	ConnectedAccountID string         `json:"connected_account_id,omitempty"`
}

type multiOutput struct {
	Results       []callResult `json:"results"`
	TotalCount    int          `json:"total_count"`
	SuccessCount  int          `json:"success_count"`
	ErrorCount    int          `json:"error_count"`
	AllSuccessful bool         `json:"all_successful"`
}

type toolCall struct {
	ToolSlug  string          `json:"tool_slug"`
	Arguments json.RawMessage `json:"arguments"`
	Account   string          `json:"account"`
}

func (c *call) multiExecute(ctx context.Context, req *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
	var in struct {
		Tools []toolCall `json:"tools"`
	}
	if err := decodeArgs(req, &in); err != nil {
		return failure(err.Error(), nil), nil
	}
	if len(in.Tools) == 0 || len(in.Tools) > maxCalls {
		return failure(fmt.Sprintf("tools must list between 1 and %d tool calls, got %d", maxCalls, len(in.Tools)), nil), nil
	}
	parallel := c.s.Parallel
	if parallel <= 0 {
		parallel = 8
	}
	out := multiOutput{Results: make([]callResult, len(in.Tools)), TotalCount: len(in.Tools)}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, tc := range in.Tools {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			defer c.recoverAs(ctx, tc.ToolSlug, func(msg string) {
				out.Results[i] = callResult{Index: i, ToolSlug: tc.ToolSlug, Data: map[string]any{}, Error: &msg}
			})
			out.Results[i] = c.run(ctx, i, tc)
		})
	}
	wg.Wait()
	var lines []string
	for _, r := range out.Results {
		if r.Successful {
			out.SuccessCount++
			lines = append(lines, fmt.Sprintf("%d. %s succeeded.", r.Index+1, r.ToolSlug))
		} else {
			out.ErrorCount++
			lines = append(lines, fmt.Sprintf("%d. %s failed: %s", r.Index+1, r.ToolSlug, *r.Error))
		}
	}
	out.AllSuccessful = out.ErrorCount == 0
	summary := fmt.Sprintf("%d of %d calls succeeded. %s", out.SuccessCount, out.TotalCount, strings.Join(lines, " "))
	if out.SuccessCount == 0 {
		if len(out.Results) == 1 {
			return failure(*out.Results[0].Error, out), nil
		}
		return failure(summary, out), nil
	}
	return result(summary, out), nil
}

// run makes one call of a multi-execute.
func (c *call) run(ctx context.Context, i int, tc toolCall) callResult {
	r := callResult{Index: i, ToolSlug: tc.ToolSlug, Data: map[string]any{}}
	fail := func(msg string) callResult { r.Error = &msg; return r }
	if strings.TrimSpace(tc.ToolSlug) == "" {
		return fail("tool_slug is required")
	}
	args, err := arguments(tc.Arguments)
	if err != nil {
		return fail(err.Error())
	}
	res, err := c.s.Execute.Execute(ctx, c.p, execute.Call{Tool: tc.ToolSlug, Arguments: args, SessionID: c.sess.ID, Account: tc.Account})
	if err != nil {
		return fail(c.message(ctx, err))
	}
	r.LogID, r.ConnectedAccountID = res.LogID, res.AccountID
	if res.Data != nil {
		r.Data = res.Data
	}
	if res.Error != "" {
		return fail(res.Error)
	}
	r.Successful = true
	return r
}

// arguments reads a call's arguments: a JSON object, absent ({}), or a
// string holding a JSON object, as models sometimes send.
func arguments(raw json.RawMessage) (map[string]any, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return map[string]any{}, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	var args map[string]any
	if err := json.Unmarshal(raw, &args); err != nil || args == nil {
		return nil, fmt.Errorf("arguments must be a JSON object")
	}
	return args, nil
}

// accountParam is the argument direct tools take in multi-account mode.
const accountParam = "account"

// addDirectTools exposes the session's tools that its preload option
// names as MCP tools of their own.
func (c *call) addDirectTools(srv *gomcp.Server, o options) {
	if !o.preloadAll && len(o.preload) == 0 {
		return
	}
	multi := c.sess.Config.MultiAccount.Enabled
	for _, t := range c.s.Sessions.Tools(c.sess) {
		if !o.preloadAll && !slices.ContainsFunc(o.preload, func(s string) bool { return strings.EqualFold(s, t.Slug) }) {
			continue
		}
		schema, withAccount := directSchema(t, multi)
		tool := &gomcp.Tool{Name: t.Slug, Title: t.Name, Description: t.Description, InputSchema: schema, Annotations: annotations(t)}
		c.add(srv, tool, c.direct(t.Slug, withAccount))
	}
}

// directSchema is a tool's input schema, with an account argument added
// in multi-account mode when the tool has none of its own.
func directSchema(t toolkits.Tool, multi bool) (json.RawMessage, bool) {
	schema := orRaw(t.InputSchema, `{"type":"object","properties":{}}`)
	if !multi {
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
	return marshal(m), true
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

// directResult is what a direct tool returns, as Composio's tools do.
type directResult struct {
	Successful         bool           `json:"successful"`
	Data               map[string]any `json:"data"`
	Error              *string        `json:"error"`
	LogID              string         `json:"log_id,omitempty"`
	ConnectedAccountID string         `json:"connected_account_id,omitempty"`
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
		out := directResult{Successful: res.Error == "", Data: res.Data, LogID: res.LogID, ConnectedAccountID: res.AccountID}
		if out.Data == nil {
			out.Data = map[string]any{}
		}
		if res.Error != "" {
			out.Error = &res.Error
			return failure(res.Error, out), nil
		}
		return result(slug+" succeeded.", out), nil
	}
}
