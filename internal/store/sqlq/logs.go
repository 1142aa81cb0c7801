package sqlq

import (
	"fmt"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// The columns of the log tables, in the order the backends scan and bind
// them.
const (
	ExecutionLogColumns = `id, project_id, tool_slug, toolkit_slug, connected_account_id, auth_config_id, user_id,
	session_id, request_id, status, error, upstream_status, arguments, response, started_at, ended_at`
	AuditColumns = `id, project_id, action, target_type, target_id, key_id, source_address, request_id,
	before_json, after_json, created_at`
)

// logFieldColumns maps the fields of an execution log condition to their
// columns.
var logFieldColumns = map[string]string{
	store.LogFieldTool:       "tool_slug",
	store.LogFieldToolkit:    "toolkit_slug",
	store.LogFieldAccount:    "connected_account_id",
	store.LogFieldAuthConfig: "auth_config_id",
	store.LogFieldStatus:     "status",
	store.LogFieldUser:       "user_id",
	store.LogFieldSession:    "session_id",
	store.LogFieldRequest:    "request_id",
	store.LogFieldID:         "id",
}

// condition adds col op value to q; an unknown operator is
// store.ErrInvalid.
func condition(d Dialect, q *Query, col, op, value string) error {
	switch op {
	case store.OpEqual:
		q.Where(col + " = " + q.Arg(value))
	case store.OpNotEqual:
		q.Where(col + " <> " + q.Arg(value))
	case store.OpContains:
		q.Where(d.Strpos + "(" + col + ", " + q.Arg(value) + ") > 0")
	case store.OpNotContains:
		q.Where(d.Strpos + "(" + col + ", " + q.Arg(value) + ") = 0")
	default:
		return fmt.Errorf("%w: unknown operator %q", store.ErrInvalid, op)
	}
	return nil
}

// timeRange adds from <= col < to for the bounds that are not zero.
func timeRange(d Dialect, q *Query, col string, from, to time.Time) {
	if !from.IsZero() {
		q.Where(col + " >= " + q.Arg(d.Time(from)))
	}
	if !to.IsZero() {
		q.Where(col + " < " + q.Arg(d.Time(to)))
	}
}

// ExecutionLogs returns the list of ListExecutionLogs: the project's logs
// matching f, newest first, ties by id. An unknown field or operator is
// store.ErrInvalid.
func ExecutionLogs(d Dialect, projectID string, f store.ExecutionLogFilter) (List[store.ExecutionLog], error) {
	q := d.Query()
	q.Where("project_id = " + q.Arg(projectID))
	for _, c := range f.Conditions {
		col, ok := logFieldColumns[c.Field]
		if !ok {
			return List[store.ExecutionLog]{}, fmt.Errorf("%w: unknown log field %q", store.ErrInvalid, c.Field)
		}
		if err := condition(d, q, col, c.Op, c.Value); err != nil {
			return List[store.ExecutionLog]{}, err
		}
	}
	timeRange(d, q, "started_at", f.From, f.To)
	return List[store.ExecutionLog]{Table: "execution_logs", Columns: ExecutionLogColumns, Where: q,
		Order:    Order{Col: "started_at", Desc: true},
		Position: func(l store.ExecutionLog) (*time.Time, string) { return &l.StartedAt, l.ID }}, nil
}

// Audit returns the list of ListAudit: the project's entries matching f,
// oldest first (newest first with f.Newest), ties by id.
func Audit(d Dialect, projectID string, f store.AuditFilter) List[store.AuditEntry] {
	q := d.Query()
	q.Where("project_id = " + q.Arg(projectID))
	q.In("action", f.Actions)
	q.In("target_type", f.TargetTypes)
	q.In("target_id", f.TargetIDs)
	q.In("key_id", f.KeyIDs)
	timeRange(d, q, "created_at", f.From, f.To)
	return List[store.AuditEntry]{Table: "audit_log", Columns: AuditColumns, Where: q,
		Order:    Order{Col: "created_at", Desc: f.Newest},
		Position: func(e store.AuditEntry) (*time.Time, string) { return &e.CreatedAt, e.ID }}
}

// SessionColumns are the columns of the sessions table, in the order the
// backends scan and bind them.
const SessionColumns = `id, project_id, user_id, config, config_version, created_at, updated_at`

// Sessions returns the list of ListSessions: the project's sessions
// matching f, newest first, ties by id.
func Sessions(d Dialect, projectID string, f store.SessionFilter) List[store.Session] {
	q := d.Query()
	q.Where("project_id = " + q.Arg(projectID))
	q.In("user_id", f.UserIDs)
	return List[store.Session]{Table: "sessions", Columns: SessionColumns, Where: q,
		Order:    Order{Col: "created_at", Desc: true},
		Position: func(s store.Session) (*time.Time, string) { return &s.CreatedAt, s.ID }}
}
