package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/sdk"
)

var searchTool = &gomcp.Tool{
	Name:  SearchTools,
	Title: "Search tools",
	Description: `Find the tools that can do a task, among the toolkits of this session (Gmail, GitHub, Slack, ...).

Call it first for any task that needs an external service, with one query per distinct task (e.g. "send an email", "list my open pull requests"); do not put several tasks in one query.

Returns, per query, the best-matching tool slugs (primary_tool_slugs, then related_tool_slugs) with their input schemas in tool_schemas, and for each toolkit found whether the user has an active connection (toolkit_connection_statuses, with the user's accounts). Run the tools with ` + MultiExecuteTool + `, passing arguments that follow the schemas. A toolkit without an active connection must be connected first with ` + ManageConnections + `.`,
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

type searchInput struct {
	Queries []struct {
		UseCase string `json:"use_case"`
	} `json:"queries"`
	// UseCase is the older single-query form.
	UseCase  string   `json:"use_case"`
	Toolkits []string `json:"toolkits"`
}

func (c *call) search(ctx context.Context, req *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
	var in searchInput
	if err := decodeArgs(req, &in); err != nil {
		return failure(err.Error(), nil), nil
	}
	var useCases []string
	if in.UseCase != "" {
		useCases = append(useCases, in.UseCase)
	}
	for _, q := range in.Queries {
		if strings.TrimSpace(q.UseCase) != "" {
			useCases = append(useCases, q.UseCase)
		}
	}
	if len(useCases) == 0 {
		return failure("queries must name at least one use case", nil), nil
	}
	results, statuses, err := c.s.Execute.Search(ctx, c.sess, useCases, in.Toolkits)
	if err != nil {
		return failure(c.message(ctx, err), nil), nil
	}
	now := time.Now().UTC()
	out := sdk.SearchResponse{
		Success:                   true,
		Results:                   []sdk.SearchResult{},
		ToolSchemas:               map[string]sdk.SearchToolSchema{},
		ToolkitConnectionStatuses: []sdk.ToolkitConnectionStatus{},
		NextStepsGuidance:         []string{},
		Session:                   sdk.SearchSession{ID: c.sess.ID, Instructions: "Run the tools with " + MultiExecuteTool + "; connect a toolkit with " + ManageConnections + " first when it has no active connection."},
		TimeInfo:                  sdk.SearchTimeInfo{CurrentTimeUTC: now.Format(time.RFC3339), CurrentTimeUTCEpochSeconds: now.Unix(), Message: "The current time is " + now.Format(time.RFC1123)},
	}
	var summary []string
	for i, r := range results {
		res := sdk.SearchResult{Index: i + 1, UseCase: r.UseCase, PrimaryToolSlugs: []string{}, RelatedToolSlugs: []string{}, Toolkits: []string{}}
		for _, t := range r.Primary {
			res.PrimaryToolSlugs = append(res.PrimaryToolSlugs, t.Slug)
		}
		for _, t := range r.Related {
			res.RelatedToolSlugs = append(res.RelatedToolSlugs, t.Slug)
		}
		res.Toolkits = append(res.Toolkits, r.Toolkits...)
		for _, t := range append(slices.Clone(r.Primary), r.Related...) {
			out.ToolSchemas[t.Slug] = sdk.SearchToolSchema{ToolSlug: t.Slug, Toolkit: t.Toolkit, Description: t.Description,
				HasFullSchema: true, InputSchema: orRaw(t.InputSchema, `{"type":"object"}`)}
		}
		out.Results = append(out.Results, res)
		found := "no matching tool"
		if len(res.PrimaryToolSlugs) > 0 {
			found = strings.Join(append(slices.Clone(res.PrimaryToolSlugs), res.RelatedToolSlugs...), ", ")
		}
		summary = append(summary, fmt.Sprintf("%q: %s.", r.UseCase, found))
	}
	for _, st := range statuses {
		ws := sdk.ToolkitConnectionStatus{Toolkit: st.Toolkit.Slug, Description: st.Toolkit.Description, HasActiveConnection: st.Connected, StatusMessage: st.Message}
		for _, a := range st.Accounts {
			ws.Accounts = append(ws.Accounts, sdk.SearchAccountInfo{ID: a.ID, Alias: optional(a.Alias), Identity: a.Identity, Status: a.Status, Active: a.ID == st.ActiveID})
		}
		out.ToolkitConnectionStatuses = append(out.ToolkitConnectionStatuses, ws)
		if st.Connected {
			summary = append(summary, st.Toolkit.Slug+": "+st.Message+".")
		} else {
			summary = append(summary, st.Toolkit.Slug+": not connected ("+st.Message+"); connect it with "+ManageConnections+" first.")
			out.NextStepsGuidance = append(out.NextStepsGuidance, "Connect "+st.Toolkit.Slug+" with "+ManageConnections+" before running its tools.")
		}
	}
	return result(strings.Join(summary, " "), out), nil
}

func orRaw(v json.RawMessage, def string) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage(def)
	}
	return v
}

var schemasTool = &gomcp.Tool{
	Name:  GetToolSchemas,
	Title: "Get tool schemas",
	Description: `Get the complete input schemas of tools by slug (e.g. "GMAIL_SEND_EMAIL"), to build valid arguments for ` + MultiExecuteTool + `.

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

// toolSchema is one tool's full schema.
type toolSchema struct {
	ToolSlug     string          `json:"tool_slug"`
	Toolkit      string          `json:"toolkit"`
	Name         string          `json:"name"`
	Description  string          `json:"description"`
	InputSchema  json.RawMessage `json:"input_schema"`
	OutputSchema json.RawMessage `json:"output_schema,omitempty"`
}

type schemasOutput struct {
	ToolSchemas map[string]toolSchema `json:"tool_schemas"`
	NotFound    []toolError           `json:"not_found"`
}

type toolError struct {
	ToolSlug string `json:"tool_slug"`
	Error    string `json:"error"`
}

func (c *call) schemas(ctx context.Context, req *gomcp.CallToolRequest) (*gomcp.CallToolResult, error) {
	var in struct {
		ToolSlugs []string `json:"tool_slugs"`
	}
	if err := decodeArgs(req, &in); err != nil {
		return failure(err.Error(), nil), nil
	}
	if len(in.ToolSlugs) == 0 {
		return failure("tool_slugs must name at least one tool", nil), nil
	}
	out := schemasOutput{ToolSchemas: map[string]toolSchema{}, NotFound: []toolError{}}
	var found, missing []string
	for _, slug := range in.ToolSlugs {
		t, ok := c.s.Catalog.Tool(slug)
		switch {
		case !ok:
			out.NotFound = append(out.NotFound, toolError{slug, fmt.Sprintf("tool %s not found", slug)})
		case !c.sess.Config.Toolkits.Allows(t.Toolkit):
			out.NotFound = append(out.NotFound, toolError{slug, fmt.Sprintf("toolkit %s is not enabled in session %s", t.Toolkit, c.sess.ID)})
		default:
			out.ToolSchemas[t.Slug] = toolSchema{ToolSlug: t.Slug, Toolkit: t.Toolkit, Name: t.Name, Description: t.Description,
				InputSchema: orRaw(t.InputSchema, `{"type":"object"}`), OutputSchema: t.OutputSchema}
			found = append(found, t.Slug)
			continue
		}
		missing = append(missing, out.NotFound[len(out.NotFound)-1].Error)
	}
	if len(found) == 0 {
		return failure(strings.Join(missing, "; "), out), nil
	}
	summary := "Schemas of " + strings.Join(found, ", ") + "."
	if len(missing) > 0 {
		summary += " " + strings.Join(missing, "; ") + "."
	}
	return result(summary, out), nil
}
