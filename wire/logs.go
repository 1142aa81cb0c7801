package wire

import (
	"encoding/json"
	"time"
)

// LogSearchRequest is the body of POST /api/v3.1/logs/tool_execution,
// Composio's search of tool execution logs.
type LogSearchRequest struct {
	// Limit is 1 to 100, default 20. Composio's SDKs send it as a number
	// that may carry a fraction part (20.0).
	Limit  *float64      `json:"limit,omitempty"`
	Cursor *string       `json:"cursor,omitempty"`
	Filter []LogFilter   `json:"filters,omitempty"`
	Range  *LogTimeRange `json:"time_range,omitempty"`
}

// LogFilter is one clause: field operator value. Fields: tool_slug,
// toolkit_slug, connected_account_id, auth_config_id, status, user_id,
// session_id, request_id, log_id (sandbox_id is refused: Switchboard runs
// no sandboxes). Operators: ==, !=, contains, not_contains.
type LogFilter struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    string `json:"value"`
}

// LogTimeRange bounds the start time, in epoch milliseconds.
type LogTimeRange struct {
	From *float64 `json:"from"`
	To   *float64 `json:"to"`
}

// LogSearchResponse is a page of logs, newest first.
type LogSearchResponse struct {
	Logs []LogEntry `json:"logs"`
	// NextCursor continues the search; null on the last page.
	NextCursor *string `json:"next_cursor"`
}

// LogEntry is one tool execution in a search's page.
type LogEntry struct {
	ID        string    `json:"id"`
	Timestamp time.Time `json:"timestamp"`
	// Type is always "tool.execution".
	Type string `json:"type"`
	// Status is success or failed; Level info or error to match.
	Status   string      `json:"status"`
	Level    string      `json:"level"`
	Message  string      `json:"message,omitempty"`
	Metadata LogMetadata `json:"metadata"`
	// Metrics holds duration_ms.
	Metrics map[string]any `json:"metrics"`
	// Parent is always null: Switchboard's executions have no parent.
	Parent *LogParent `json:"parent"`
}

// LogMetadata says what ran, for whom and with which account.
type LogMetadata struct {
	ToolSlug           string `json:"tool_slug"`
	ToolkitSlug        string `json:"toolkit_slug"`
	UserID             string `json:"user_id,omitempty"`
	ConnectedAccountID string `json:"connected_account_id,omitempty"`
	AuthConfigID       string `json:"auth_config_id,omitempty"`
	SessionID          string `json:"session_id,omitempty"`
	// CredentialSource is connected_account when an account's
	// credentials were used; absent when the call stopped before.
	CredentialSource string `json:"credential_source,omitempty"`
	// UpstreamStatus is the upstream's HTTP status; absent when no request
	// was sent.
	UpstreamStatus int    `json:"upstream_status,omitempty"`
	Error          string `json:"error,omitempty"`
}

// LogParent names the call that made this one.
type LogParent struct {
	LogID    string `json:"log_id"`
	ToolSlug string `json:"tool_slug"`
}

// LogDetail is the answer of GET /api/v3.1/logs/tool_execution/{id}.
type LogDetail struct {
	LogEntry
	Timings LogTimings `json:"timings"`
	Context LogContext `json:"context"`
	Source  LogSource  `json:"source"`
	// Data holds request.arguments and response, redacted: the value of
	// any key that names a secret is [REDACTED].
	Data map[string]any `json:"data"`
}

// LogTimings are epoch milliseconds.
type LogTimings struct {
	StartTime float64 `json:"start_time"`
	EndTime   float64 `json:"end_time"`
}

// LogContext ties a log to its session and HTTP request.
type LogContext struct {
	SessionID string `json:"session_id,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// LogSource says where a call came from; Switchboard records nothing of
// the caller's framework or language, so it is empty.
type LogSource struct {
	Host      string `json:"host,omitempty"`
	Framework string `json:"framework,omitempty"`
	Language  string `json:"language,omitempty"`
}

// AuditEntry is one administrative act: GET /api/v3.1/audit_log lists
// them, oldest first. Before and After are the target's state, redacted.
type AuditEntry struct {
	ID            string          `json:"id"`
	Action        string          `json:"action"`
	TargetType    string          `json:"target_type"`
	TargetID      string          `json:"target_id"`
	KeyID         string          `json:"key_id,omitempty"`
	SourceAddress string          `json:"source_address,omitempty"`
	RequestID     string          `json:"request_id,omitempty"`
	Before        json.RawMessage `json:"before,omitempty"`
	After         json.RawMessage `json:"after,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
}

// AuditList is a page of the audit log.
type AuditList struct {
	Items      []AuditEntry `json:"items"`
	NextCursor string       `json:"next_cursor,omitempty"`
}
