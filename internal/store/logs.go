package store

import (
	"context"
	"time"
)

// Execution log statuses, as the Composio logs API names them.
const (
	LogSuccess = "success"
	LogFailed  = "failed"
)

// ExecutionLog is the record of one tool execution or proxied request.
// Arguments and Response are JSON already redacted by the layer that
// wrote them; the store keeps them as given.
type ExecutionLog struct {
	ID                 string
	ProjectID          string
	ToolSlug           string
	ToolkitSlug        string
	ConnectedAccountID string
	AuthConfigID       string
	UserID             string
	SessionID          string
	// RequestID is the id of the HTTP request that asked for the call.
	RequestID string
	// Status is LogSuccess or LogFailed.
	Status string
	// Error is what the caller was told when the call failed.
	Error string
	// UpstreamStatus is the upstream HTTP status, 0 when none was sent.
	UpstreamStatus int
	Arguments      []byte
	Response       []byte
	StartedAt      time.Time
	EndedAt        time.Time
}

// The fields an ExecutionLogFilter condition may name: the Composio logs
// API's filter fields.
const (
	LogFieldTool       = "tool_slug"
	LogFieldToolkit    = "toolkit_slug"
	LogFieldAccount    = "connected_account_id"
	LogFieldAuthConfig = "auth_config_id"
	LogFieldStatus     = "status"
	LogFieldUser       = "user_id"
	LogFieldSession    = "session_id"
	LogFieldRequest    = "request_id"
	LogFieldID         = "log_id"
)

// The operators of a condition: equal, not equal, and (case-sensitive)
// substring and its negation.
const (
	OpEqual       = "=="
	OpNotEqual    = "!="
	OpContains    = "contains"
	OpNotContains = "not_contains"
)

// Condition is one filter clause: Field Op Value.
type Condition struct {
	Field string
	Op    string
	Value string
}

// ExecutionLogFilter selects execution logs. Every condition must hold; a
// zero From or To leaves that end of the time range open (From inclusive,
// To exclusive, on StartedAt). An unknown field or operator is
// ErrInvalid.
type ExecutionLogFilter struct {
	Conditions []Condition
	From, To   time.Time
	Cursor     string
	Limit      int
}

// AuditEntry is the record of one administrative act. Before and After
// are JSON already redacted by the layer that wrote them (nil when there
// is no such side: a creation has no before).
type AuditEntry struct {
	ID        string
	ProjectID string
	// Action names the act, e.g. auth_config.create.
	Action     string
	TargetType string
	TargetID   string
	// KeyID is the id of the API key that acted; empty for the CLI acting
	// on the store directly.
	KeyID         string
	SourceAddress string
	RequestID     string
	Before        []byte
	After         []byte
	CreatedAt     time.Time
}

// AuditFilter selects audit entries; empty fields match everything, and
// From (inclusive) and To (exclusive) bound CreatedAt when not zero.
type AuditFilter struct {
	Actions     []string
	TargetTypes []string
	TargetIDs   []string
	KeyIDs      []string
	From, To    time.Time
	// Newest lists newest first instead of oldest first.
	Newest bool
	Cursor string
	Limit  int
}

// Logs is the part of Store that keeps execution logs and the audit log.
type Logs interface {
	// AppendExecutionLogs stores a batch of logs in one transaction: all
	// or none. A taken id is ErrConflict.
	AppendExecutionLogs(ctx context.Context, logs []ExecutionLog) error
	GetExecutionLog(ctx context.Context, projectID, id string) (ExecutionLog, error)
	// ListExecutionLogs lists newest first (StartedAt, then id). Its Total
	// is not counted (0): the logs are the store's largest table.
	ListExecutionLogs(ctx context.Context, projectID string, f ExecutionLogFilter) (Page[ExecutionLog], error)
	// DeleteExecutionLogs deletes, in every project, up to limit logs that
	// started before before, and returns how many it deleted.
	DeleteExecutionLogs(ctx context.Context, before time.Time, limit int) (int, error)
	// AppendAudit stores an audit entry. There is no update or delete: the
	// audit log is append-only.
	AppendAudit(ctx context.Context, e AuditEntry) error
	// ListAudit lists oldest first (CreatedAt, then id), so that an export
	// reads entries in the order they were made; newest first with
	// f.Newest. Total is not counted.
	ListAudit(ctx context.Context, projectID string, f AuditFilter) (Page[AuditEntry], error)
}
