package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

func scanExecutionLog(r scanner) (store.ExecutionLog, error) {
	var l store.ExecutionLog
	err := r.Scan(&l.ID, &l.ProjectID, &l.ToolSlug, &l.ToolkitSlug, &l.ConnectedAccountID, &l.AuthConfigID, &l.UserID,
		&l.SessionID, &l.RequestID, &l.Status, &l.Error, &l.UpstreamStatus, bytesCol{&l.Arguments}, bytesCol{&l.Response},
		timeCol{&l.StartedAt}, timeCol{&l.EndedAt})
	return l, err
}

func scanAudit(r scanner) (store.AuditEntry, error) {
	var e store.AuditEntry
	err := r.Scan(&e.ID, &e.ProjectID, &e.Action, &e.TargetType, &e.TargetID, &e.KeyID, &e.SourceAddress, &e.RequestID,
		bytesCol{&e.Before}, bytesCol{&e.After}, timeCol{&e.CreatedAt})
	return e, err
}

// logChunks are the row counts of the INSERTs a batch is written with,
// largest first: a batch is cut into the largest that fit, so that 100
// logs take three statements (64, 32, 4) rather than a statement per log
// past the first chunks. 128 rows of 16 columns stay well under SQLite's
// limit of bound parameters.
var logChunks = []int{128, 64, 32, 16, 8, 4, 2, 1}

// insertExecutionLogs is the INSERT of n logs.
func insertExecutionLogs(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO execution_logs (` + sqlq.ExecutionLogColumns + `) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	}
	return b.String()
}

// insertLogs are the INSERTs of logChunks, built once.
var insertLogs = func() []string {
	q := make([]string, len(logChunks))
	for i, n := range logChunks {
		q[i] = insertExecutionLogs(n)
	}
	return q
}()

// AppendExecutionLogs stores the batch in one transaction, cut into
// chunks of logChunks rows, each an INSERT prepared once on the write
// connection and kept: a statement's parse and plan, its call into SQLite
// and the conversion of its parameters are paid once per chunk rather
// than once per log.
func (s *Store) AppendExecutionLogs(ctx context.Context, logs []store.ExecutionLog) error {
	if len(logs) == 0 {
		return nil
	}
	// The statements are prepared before the transaction: preparing
	// needs the one write connection, which the transaction holds.
	var chunks []int // indexes in logChunks, in order
	for n := len(logs); n > 0; {
		i := 0
		for logChunks[i] > n {
			i++
		}
		chunks = append(chunks, i)
		n -= logChunks[i]
	}
	stmts := make(map[int]*sql.Stmt, len(chunks))
	for _, i := range chunks {
		if stmts[i] != nil {
			continue
		}
		st, err := s.logStmts.prepare(ctx, insertLogs[i])
		if err != nil {
			return dbError("prepare execution log insert", err)
		}
		stmts[i] = st
	}
	args := make([]any, 0, 16*min(len(logs), logChunks[0]))
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		rest := logs
		for _, i := range chunks {
			st := stmts[i]
			chunk := rest[:logChunks[i]]
			rest = rest[len(chunk):]
			args = args[:0]
			for _, l := range chunk {
				args = append(args, l.ID, l.ProjectID, l.ToolSlug, l.ToolkitSlug, l.ConnectedAccountID, l.AuthConfigID, l.UserID,
					l.SessionID, l.RequestID, l.Status, l.Error, l.UpstreamStatus, blobValue(l.Arguments), blobValue(l.Response),
					timeValue(l.StartedAt), timeValue(l.EndedAt))
			}
			if _, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...); err != nil {
				return dbError("append execution logs", err)
			}
		}
		return nil
	})
}

// GetExecutionLog returns the project's log with the given id.
func (s *Store) GetExecutionLog(ctx context.Context, projectID, id string) (store.ExecutionLog, error) {
	l, err := scanExecutionLog(s.read.QueryRowContext(ctx, `SELECT `+sqlq.ExecutionLogColumns+` FROM execution_logs
WHERE project_id = ? AND id = ?`, projectID, id))
	if err != nil {
		return store.ExecutionLog{}, rowError("get execution log", err)
	}
	return l, nil
}

// ListExecutionLogs lists the project's logs matching f, newest first.
func (s *Store) ListExecutionLogs(ctx context.Context, projectID string, f store.ExecutionLogFilter) (store.Page[store.ExecutionLog], error) {
	l, err := sqlq.ExecutionLogs(dialect, projectID, f)
	if err != nil {
		return store.Page[store.ExecutionLog]{}, fmt.Errorf("list execution logs: %w", err)
	}
	return uncounted(ctx, s, "list execution logs", l, f.Cursor, f.Limit, scanExecutionLog)
}

// DeleteExecutionLogs deletes up to limit logs that started before before.
func (s *Store) DeleteExecutionLogs(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM execution_logs WHERE id IN
(SELECT id FROM execution_logs WHERE project_id IN (SELECT id FROM projects) AND started_at < ? LIMIT ?)`, timeValue(before), limit)
		if err != nil {
			return dbError("delete execution logs", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// AppendAudit stores an audit entry.
func (s *Store) AppendAudit(ctx context.Context, e store.AuditEntry) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (`+sqlq.AuditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.ProjectID, e.Action, e.TargetType, e.TargetID, e.KeyID, e.SourceAddress, e.RequestID,
			blobValue(e.Before), blobValue(e.After), timeValue(e.CreatedAt))
		if err != nil {
			return dbError("append audit entry", err)
		}
		return nil
	})
}

// ListAudit lists the project's audit entries matching f, oldest first.
func (s *Store) ListAudit(ctx context.Context, projectID string, f store.AuditFilter) (store.Page[store.AuditEntry], error) {
	return uncounted(ctx, s, "list audit entries", sqlq.Audit(dialect, projectID, f), f.Cursor, f.Limit, scanAudit)
}

// uncounted reads one page of l like list, without counting every match.
func uncounted[T any](ctx context.Context, s *Store, op string, l sqlq.List[T], cursorText string, limit int,
	scan func(scanner) (T, error),
) (store.Page[T], error) {
	page, err := l.Page(cursorText, limit, func(_, rows sqlq.Statement) (int, []T, error) {
		r, err := s.read.QueryContext(ctx, rows.Text, rows.Args...)
		if err != nil {
			return 0, nil, err
		}
		defer r.Close()
		var items []T
		for r.Next() {
			item, err := scan(r)
			if err != nil {
				return 0, nil, err
			}
			items = append(items, item)
		}
		return 0, items, r.Err()
	})
	if err != nil {
		return store.Page[T]{}, dbError(op, err)
	}
	return page, nil
}

// writeAudit writes, in tx, the audit entry ctx carries for this write of
// targetType and targetID (store.AuditOf), keeping the first entry of an
// id.
func writeAudit(ctx context.Context, tx *sql.Tx, targetType, targetID string, before, after any) error {
	e, ok := store.AuditOf(ctx, targetType, targetID, before, after)
	if !ok {
		return nil
	}
	if err := store.CheckAuditEntry(e); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (`+sqlq.AuditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO NOTHING`,
		e.ID, e.ProjectID, e.Action, e.TargetType, e.TargetID, e.KeyID, e.SourceAddress, e.RequestID,
		blobValue(e.Before), blobValue(e.After), timeValue(e.CreatedAt))
	if err != nil {
		return dbError("write audit entry", err)
	}
	return nil
}
