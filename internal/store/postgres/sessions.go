package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

const sessionCols = "id, project_id, user_id, config, config_version, created_at, updated_at"

func scanSession(r pgx.Row) (store.Session, error) {
	var s store.Session
	err := r.Scan(&s.ID, &s.ProjectID, &s.UserID, &s.Config, &s.ConfigVersion, &s.CreatedAt, &s.UpdatedAt)
	s.CreatedAt, s.UpdatedAt = utc(s.CreatedAt), utc(s.UpdatedAt)
	return s, err
}

// CreateSession stores a new session in its project.
func (s *Store) CreateSession(ctx context.Context, sess store.Session) error {
	return s.sessions.Write(ctx, sess)
}

// createSessions inserts sessions with one statement, which commits them
// all or none: the group commit of concurrent CreateSession calls.
func (s *Store) createSessions(ctx context.Context, sessions []store.Session) error {
	var b strings.Builder
	b.WriteString(`INSERT INTO sessions (` + sessionCols + `) VALUES `)
	args := make([]any, 0, 7*len(sessions))
	for i, sess := range sessions {
		if i > 0 {
			b.WriteString(", ")
		}
		n := 7 * i
		fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7)
		args = append(args, sess.ID, sess.ProjectID, sess.UserID, sess.Config, sess.ConfigVersion, sess.CreatedAt, sess.UpdatedAt)
	}
	if _, err := s.pool.Exec(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("create session: %w", dbError(err))
	}
	return nil
}

// GetSession returns a session of the project.
func (s *Store) GetSession(ctx context.Context, projectID, id string) (store.Session, error) {
	sess, err := scanSession(s.pool.QueryRow(ctx, `SELECT `+sessionCols+`
		FROM sessions WHERE project_id = $1 AND id = $2`, projectID, id))
	if err != nil {
		return store.Session{}, fmt.Errorf("get session: %w", dbError(err))
	}
	return sess, nil
}

// UpdateSession changes a session with fn. The id and project never change.
func (s *Store) UpdateSession(ctx context.Context, projectID, id string, fn func(store.Session) (store.Session, error)) (store.Session, error) {
	return update(ctx, s, "update session",
		`SELECT `+sessionCols+` FROM sessions WHERE project_id = $1 AND id = $2 FOR UPDATE`,
		[]any{projectID, id}, scanSession, fn,
		func(ctx context.Context, tx pgx.Tx, old, sess store.Session) (store.Session, error) {
			return scanSession(tx.QueryRow(ctx, `UPDATE sessions
				SET user_id = $2, config = $3, config_version = $4, created_at = $5, updated_at = $6
				WHERE id = $1 RETURNING `+sessionCols,
				old.ID, sess.UserID, sess.Config, sess.ConfigVersion, sess.CreatedAt, sess.UpdatedAt))
		})
}

// DeleteSession deletes a session of the project.
func (s *Store) DeleteSession(ctx context.Context, projectID, id string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE project_id = $1 AND id = $2`, projectID, id)
	if err != nil {
		return fmt.Errorf("delete session: %w", dbError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete session: %w", store.ErrNotFound)
	}
	return nil
}

// ListSessions lists the project's sessions matching f, newest first.
func (s *Store) ListSessions(ctx context.Context, projectID string, f store.SessionFilter) (store.Page[store.Session], error) {
	page, err := uncounted(ctx, s, sqlq.Sessions(dialect, projectID, f), f.Cursor, f.Limit, scanSession)
	if err != nil {
		return store.Page[store.Session]{}, fmt.Errorf("list sessions: %w", err)
	}
	return page, nil
}
