package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

func scanExecutionLog(r pgx.Row) (store.ExecutionLog, error) {
	var l store.ExecutionLog
	err := r.Scan(&l.ID, &l.ProjectID, &l.ToolSlug, &l.ToolkitSlug, &l.ConnectedAccountID, &l.AuthConfigID, &l.UserID,
		&l.SessionID, &l.RequestID, &l.Status, &l.Error, &l.UpstreamStatus, &l.Arguments, &l.Response, &l.StartedAt, &l.EndedAt)
	l.StartedAt, l.EndedAt = utc(l.StartedAt), utc(l.EndedAt)
	return l, err
}

func scanAudit(r pgx.Row) (store.AuditEntry, error) {
	var e store.AuditEntry
	err := r.Scan(&e.ID, &e.ProjectID, &e.Action, &e.TargetType, &e.TargetID, &e.KeyID, &e.SourceAddress, &e.RequestID,
		&e.Before, &e.After, &e.CreatedAt)
	e.CreatedAt = utc(e.CreatedAt)
	return e, err
}

// AppendExecutionLogs stores the batch in one transaction with COPY, one
// round trip for the rows however many there are.
func (s *Store) AppendExecutionLogs(ctx context.Context, logs []store.ExecutionLog) error {
	if len(logs) == 0 {
		return nil
	}
	cols := []string{"id", "project_id", "tool_slug", "toolkit_slug", "connected_account_id", "auth_config_id", "user_id",
		"session_id", "request_id", "status", "error", "upstream_status", "arguments", "response", "started_at", "ended_at"}
	rows := pgx.CopyFromSlice(len(logs), func(i int) ([]any, error) {
		l := logs[i]
		return []any{l.ID, l.ProjectID, l.ToolSlug, l.ToolkitSlug, l.ConnectedAccountID, l.AuthConfigID, l.UserID,
			l.SessionID, l.RequestID, l.Status, l.Error, int32(l.UpstreamStatus), l.Arguments, l.Response,
			l.StartedAt.UTC(), l.EndedAt.UTC()}, nil
	})
	if _, err := s.pool.CopyFrom(ctx, pgx.Identifier{"execution_logs"}, cols, rows); err != nil {
		return fmt.Errorf("append execution logs: %w", dbError(err))
	}
	return nil
}

// GetExecutionLog returns the project's log with the given id.
func (s *Store) GetExecutionLog(ctx context.Context, projectID, id string) (store.ExecutionLog, error) {
	l, err := scanExecutionLog(s.pool.QueryRow(ctx, `SELECT `+sqlq.ExecutionLogColumns+`
		FROM execution_logs WHERE project_id = $1 AND id = $2`, projectID, id))
	if err != nil {
		return store.ExecutionLog{}, fmt.Errorf("get execution log: %w", dbError(err))
	}
	return l, nil
}

// ListExecutionLogs lists the project's logs matching f, newest first.
func (s *Store) ListExecutionLogs(ctx context.Context, projectID string, f store.ExecutionLogFilter) (store.Page[store.ExecutionLog], error) {
	l, err := sqlq.ExecutionLogs(dialect, projectID, f)
	if err != nil {
		return store.Page[store.ExecutionLog]{}, fmt.Errorf("list execution logs: %w", err)
	}
	page, err := uncounted(ctx, s, l, f.Cursor, f.Limit, scanExecutionLog)
	if err != nil {
		return store.Page[store.ExecutionLog]{}, fmt.Errorf("list execution logs: %w", err)
	}
	return page, nil
}

// DeleteExecutionLogs deletes up to limit logs that started before before.
func (s *Store) DeleteExecutionLogs(ctx context.Context, before time.Time, limit int) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM execution_logs WHERE id IN
		(SELECT id FROM execution_logs WHERE project_id IN (SELECT id FROM projects) AND started_at < $1 LIMIT $2)`, before.UTC(), limit)
	if err != nil {
		return 0, fmt.Errorf("delete execution logs: %w", dbError(err))
	}
	return int(tag.RowsAffected()), nil
}

// AppendAudit stores an audit entry.
func (s *Store) AppendAudit(ctx context.Context, e store.AuditEntry) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_log (`+sqlq.AuditColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.ID, e.ProjectID, e.Action, e.TargetType, e.TargetID, e.KeyID, e.SourceAddress, e.RequestID, e.Before, e.After, e.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("append audit entry: %w", dbError(err))
	}
	return nil
}

// ListAudit lists the project's audit entries matching f, oldest first.
func (s *Store) ListAudit(ctx context.Context, projectID string, f store.AuditFilter) (store.Page[store.AuditEntry], error) {
	page, err := uncounted(ctx, s, sqlq.Audit(dialect, projectID, f), f.Cursor, f.Limit, scanAudit)
	if err != nil {
		return store.Page[store.AuditEntry]{}, fmt.Errorf("list audit entries: %w", err)
	}
	return page, nil
}

// uncounted reads one page of l like list, without counting every match.
func uncounted[T any](ctx context.Context, s *Store, l sqlq.List[T], cursorText string, limit int,
	scan func(pgx.Row) (T, error),
) (store.Page[T], error) {
	return l.Page(cursorText, limit, func(_, rows sqlq.Statement) (int, []T, error) {
		r, err := s.pool.Query(ctx, rows.Text, rows.Args...)
		if err != nil {
			return 0, nil, dbError(err)
		}
		items, err := pgx.CollectRows(r, func(r pgx.CollectableRow) (T, error) { return scan(r) })
		if err != nil {
			return 0, nil, dbError(err)
		}
		return 0, items, nil
	})
}

// writeAudit writes, in tx, the audit entry ctx carries for this write of
// targetType and targetID (store.AuditOf), keeping the first entry of an
// id.
func writeAudit(ctx context.Context, tx pgx.Tx, targetType, targetID string, before, after any) error {
	e, ok := store.AuditOf(ctx, targetType, targetID, before, after)
	if !ok {
		return nil
	}
	if err := store.CheckAuditEntry(e); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_log (`+sqlq.AuditColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
		e.ID, e.ProjectID, e.Action, e.TargetType, e.TargetID, e.KeyID, e.SourceAddress, e.RequestID, e.Before, e.After, e.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("write audit entry: %w", err)
	}
	return nil
}

// execAudited runs one statement, alone, or, when ctx carries an audit
// hook, in a transaction with the entry of this write, written only if the
// statement changed a row.
func execAudited(ctx context.Context, s *Store, targetType, targetID string, before, after any, sql string, args ...any) (pgconn.CommandTag, error) {
	if !store.HasAudit(ctx) {
		return s.pool.Exec(ctx, sql, args...)
	}
	var tag pgconn.CommandTag
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if tag, err = tx.Exec(ctx, sql, args...); err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return writeAudit(ctx, tx, targetType, targetID, before, after)
	})
	return tag, err
}
