package wire

import (
	"encoding/json"
	"time"
)

// Wire types of tools, their execution, proxying and search.

// Tool is a tool as the tools endpoints and session tools return it.
type Tool struct {
	Slug              string          `json:"slug"`
	Name              string          `json:"name"`
	Description       string          `json:"description"`
	InputParameters   json.RawMessage `json:"input_parameters"`
	OutputParameters  json.RawMessage `json:"output_parameters"`
	Tags              []string        `json:"tags"`
	Toolkit           ToolToolkit     `json:"toolkit"`
	Version           string          `json:"version"`
	AvailableVersions []string        `json:"available_versions"`
	IsDeprecated      bool            `json:"is_deprecated"`
	NoAuth            bool            `json:"no_auth"`
	Scopes            []string        `json:"scopes"`
}

// ToolToolkit names a tool's toolkit.
type ToolToolkit struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Logo string `json:"logo"`
}

// ToolExecuteRequest is the body of POST /tools/execute/{slug}.
type ToolExecuteRequest struct {
	Arguments          map[string]any `json:"arguments"`
	UserID             string         `json:"user_id,omitempty"`
	ConnectedAccountID string         `json:"connected_account_id,omitempty"`
	Version            string         `json:"version,omitempty"`
}

// ToolExecuteResponse answers POST /tools/execute/{slug}.
type ToolExecuteResponse struct {
	// Data is the tool's output, a JSON object.
	Data       json.RawMessage `json:"data"`
	Error      *string         `json:"error"`
	Successful bool            `json:"successful"`
	LogID      string          `json:"log_id"`
	// ErrorDetails is Switchboard's addition: see ToolError.
	ErrorDetails *ToolError `json:"error_details,omitempty"`
}

// ToolError is the machine-readable account of a failed execution that
// Switchboard adds beside Composio's fields (successful false and the
// error message, which stay as they are, so the SDKs read the answer as
// before). It is present only for the failures it has a code for.
type ToolError struct {
	// Code is what failed: "upstream_rate_limited", the tool's upstream
	// refused the call for its rate limit (HTTP 429, or a 403 with
	// X-RateLimit-Remaining 0).
	Code string `json:"code"`
	// UpstreamStatus is the upstream's HTTP status.
	UpstreamStatus int `json:"upstream_status,omitempty"`
	// RetryAfter is how many seconds to wait before trying again, rounded
	// up: from the upstream's Retry-After (seconds or an HTTP date), else
	// RateLimit-Reset, X-RateLimit-Reset-After or X-RateLimit-Reset (a
	// Unix time, or seconds). Absent when the upstream said none.
	RetryAfter *int64 `json:"retry_after,omitempty"`
}

// ToolErrorUpstreamRateLimited is ToolError.Code for an upstream's 429.
const ToolErrorUpstreamRateLimited = "upstream_rate_limited"

// SessionExecuteRequest is the body of POST .../session/{id}/execute.
type SessionExecuteRequest struct {
	ToolSlug  string         `json:"tool_slug"`
	Arguments map[string]any `json:"arguments"`
	// Account is an account id or alias, in multi-account mode.
	Account string `json:"account,omitempty"`
}

// SessionExecuteMetaRequest is the body of POST .../session/{id}/execute_meta:
// a meta tool (COMPOSIO_*) and its arguments. It is answered with a
// SessionExecuteResponse.
type SessionExecuteMetaRequest struct {
	Slug      string         `json:"slug"`
	Arguments map[string]any `json:"arguments"`
}

// SessionExecuteResponse answers a session execute.
type SessionExecuteResponse struct {
	// Data is the tool's output, a JSON object.
	Data  json.RawMessage `json:"data"`
	Error *string         `json:"error"`
	LogID string          `json:"log_id"`
	// ResultType is completed or failed (newer Python SDKs read it).
	ResultType string `json:"result_type"`
	// ErrorDetails is Switchboard's addition: see ToolError.
	ErrorDetails *ToolError `json:"error_details,omitempty"`
}

// ProxyParameter is a header or query parameter of a proxied request.
type ProxyParameter struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// ProxyRequest is the body of POST /tools/execute/proxy and of a session
// proxy_execute.
type ProxyRequest struct {
	Endpoint           string           `json:"endpoint"`
	Method             string           `json:"method"`
	ConnectedAccountID string           `json:"connected_account_id,omitempty"`
	ToolkitSlug        string           `json:"toolkit_slug,omitempty"`
	Account            string           `json:"account,omitempty"`
	Parameters         []ProxyParameter `json:"parameters,omitempty"`
	Body               json.RawMessage  `json:"body,omitempty"`
}

// ProxyResponse is the upstream answer to a proxied request.
type ProxyResponse struct {
	Status  int               `json:"status"`
	Data    any               `json:"data"`
	Headers map[string]string `json:"headers"`
	Error   *string           `json:"error,omitempty"`
	LogID   string            `json:"log_id,omitempty"`
}

// SearchRequest is the body of POST .../session/{id}/search.
type SearchRequest struct {
	Queries  []SearchQuery `json:"queries"`
	Toolkits []string      `json:"toolkits,omitempty"`
}

// SearchQuery is one use case to find tools for.
type SearchQuery struct {
	UseCase     string         `json:"use_case"`
	KnownFields map[string]any `json:"known_fields,omitempty"`
}

// SearchResponse answers a session search; every key is required by the
// official TypeScript SDK.
type SearchResponse struct {
	Success                   bool                        `json:"success"`
	Error                     *string                     `json:"error"`
	Results                   []SearchResult              `json:"results"`
	ToolSchemas               map[string]SearchToolSchema `json:"tool_schemas"`
	ToolkitConnectionStatuses []ToolkitConnectionStatus   `json:"toolkit_connection_statuses"`
	NextStepsGuidance         []string                    `json:"next_steps_guidance"`
	Session                   SearchSession               `json:"session"`
	TimeInfo                  SearchTimeInfo              `json:"time_info"`
}

// SearchResult is the tools found for one query.
type SearchResult struct {
	Index            int      `json:"index"`
	UseCase          string   `json:"use_case"`
	PrimaryToolSlugs []string `json:"primary_tool_slugs"`
	RelatedToolSlugs []string `json:"related_tool_slugs"`
	Toolkits         []string `json:"toolkits"`
}

// SearchToolSchema is the schema of a tool a search found.
type SearchToolSchema struct {
	ToolSlug      string          `json:"tool_slug"`
	Toolkit       string          `json:"toolkit"`
	Description   string          `json:"description"`
	HasFullSchema bool            `json:"hasFullSchema"`
	InputSchema   json.RawMessage `json:"input_schema"`
}

// ToolkitConnectionStatus tells whether a found toolkit is connected.
type ToolkitConnectionStatus struct {
	Toolkit             string              `json:"toolkit"`
	Description         string              `json:"description"`
	HasActiveConnection bool                `json:"has_active_connection"`
	StatusMessage       string              `json:"status_message"`
	Accounts            []SearchAccountInfo `json:"accounts,omitempty"`
}

// SearchAccountInfo is an account a toolkit status lists.
type SearchAccountInfo struct {
	ID       string  `json:"id"`
	Alias    *string `json:"alias"`
	Identity string  `json:"identity,omitempty"`
	Status   string  `json:"status"`
	Active   bool    `json:"active"`
	// IsDefault reports whether it is the user's chosen default.
	IsDefault bool `json:"is_default,omitempty"`
}

// SearchSession names the session a search ran in.
type SearchSession struct {
	ID           string `json:"id"`
	GenerateID   bool   `json:"generate_id"`
	Instructions string `json:"instructions"`
}

// SearchTimeInfo is the server's time, for agents planning with dates.
type SearchTimeInfo struct {
	CurrentTimeUTC             string `json:"current_time_utc"`
	CurrentTimeUTCEpochSeconds int64  `json:"current_time_utc_epoch_seconds"`
	Message                    string `json:"message"`
}

// CustomToolkit is a toolkit a project added, as /api/v3.1/custom_toolkits
// shows it: Switchboard's own route (Composio has none for this).
type CustomToolkit struct {
	Slug       string `json:"slug"`
	Name       string `json:"name"`
	ToolsCount int    `json:"tools_count"`
	// Definition is the toolkit file as stored (JSON), in the toolkit
	// format (docs/toolkit-format.md).
	Definition json.RawMessage `json:"definition"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	// Problem, when set, says why the toolkit is not in the project's
	// catalog now.
	Problem string `json:"problem,omitempty"`
}

// CustomToolkitList is a page of custom toolkits.
type CustomToolkitList struct {
	Items []CustomToolkit `json:"items"`
}

// CustomToolkitSyncRequest asks POST /api/v3.1/custom/toolkits/sync, as
// Composio names the route, to list an MCP toolkit's tools on its server
// again and store them.
type CustomToolkitSyncRequest struct {
	// Slug is the custom toolkit's slug.
	Slug string `json:"slug"`
	// ConnectedAccountID is the account whose credentials the server is
	// asked with; required while every scheme needs credentials.
	ConnectedAccountID string `json:"connected_account_id,omitempty"`
}

// CustomToolkitSync is what a sync stored.
type CustomToolkitSync struct {
	Slug        string `json:"slug"`
	SyncedCount int    `json:"synced_count"`
	// Version is the version of the tool definitions the sync made.
	Version string `json:"version"`
}
