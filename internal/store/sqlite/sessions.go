package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

const sessionColumns = `id, project_id, user_id, config, config_version, created_at, updated_at`

func scanSession(r scanner) (store.Session, error) {
	var sess store.Session
	err := r.Scan(&sess.ID, &sess.ProjectID, &sess.UserID, bytesCol{&sess.Config}, &sess.ConfigVersion,
		timeCol{&sess.CreatedAt}, timeCol{&sess.UpdatedAt})
	return sess, err
}

// CreateSession stores a new session; a taken id is store.ErrConflict.
func (s *Store) CreateSession(ctx context.Context, sess store.Session) error {
	return s.sessions.Write(ctx, sess)
}

// insertSessions[n] inserts n sessions in one statement, n up to
// groupSize.
var insertSessions = func() []string {
	out := make([]string, groupSize+1)
	for n := 1; n <= groupSize; n++ {
		out[n] = `INSERT INTO sessions (` + sessionColumns + `) VALUES ` +
			strings.Repeat("(?, ?, ?, ?, ?, ?, ?), ", n-1) + "(?, ?, ?, ?, ?, ?, ?)"
	}
	return out
}()

// createSessions inserts sessions with one statement: the group commit of
// concurrent CreateSession calls. The statement is prepared once per row
// count on the write connection, and runs in SQLite's own transaction
// around a statement, without BEGIN and COMMIT: one INSERT stores all its
// rows or none, so there is nothing for an explicit transaction to add
// but two more statements and database/sql's bookkeeping of a Tx.
func (s *Store) createSessions(ctx context.Context, sessions []store.Session) error {
	st, err := s.sessionStmts.prepare(ctx, insertSessions[len(sessions)])
	if err != nil {
		return dbError("prepare session insert", err)
	}
	args := make([]any, 0, 7*len(sessions))
	for _, sess := range sessions {
		args = append(args, sess.ID, sess.ProjectID, sess.UserID, blobValue(sess.Config), sess.ConfigVersion,
			timeValue(sess.CreatedAt), timeValue(sess.UpdatedAt))
	}
	return s.retryBusy(ctx, func() error {
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return dbError("create session", err)
		}
		return nil
	})
}

// GetSession returns the project's session with the given id.
func (s *Store) GetSession(ctx context.Context, projectID, id string) (store.Session, error) {
	return getSession(ctx, s.hot, projectID, id)
}

func getSession(ctx context.Context, q queryer, projectID, id string) (store.Session, error) {
	sess, err := scanSession(q.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions
WHERE project_id = ? AND id = ?`, projectID, id))
	if err != nil {
		return store.Session{}, rowError("get session", err)
	}
	return sess, nil
}

// UpdateSession replaces the session with what fn makes of it. The id and
// project are kept whatever fn returns.
func (s *Store) UpdateSession(ctx context.Context, projectID, id string, fn func(store.Session) (store.Session, error)) (store.Session, error) {
	var updated store.Session
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		old, err := getSession(ctx, tx, projectID, id)
		if err != nil {
			return err
		}
		sess, err := fn(old)
		if err != nil {
			return err
		}
		err = execOne(ctx, tx, "update session", `UPDATE sessions
SET user_id = ?, config = ?, config_version = ?, created_at = ?, updated_at = ?
WHERE project_id = ? AND id = ?`,
			sess.UserID, blobValue(sess.Config), sess.ConfigVersion, timeValue(sess.CreatedAt), timeValue(sess.UpdatedAt),
			projectID, id)
		if err != nil {
			return err
		}
		updated, err = getSession(ctx, tx, projectID, id)
		return err
	})
	if err != nil {
		return store.Session{}, err
	}
	return updated, nil
}

// DeleteSession deletes the project's session with the given id.
func (s *Store) DeleteSession(ctx context.Context, projectID, id string) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, "delete session",
			`DELETE FROM sessions WHERE project_id = ? AND id = ?`, projectID, id)
	})
}

// ListSessions lists the project's sessions matching f, newest first.
func (s *Store) ListSessions(ctx context.Context, projectID string, f store.SessionFilter) (store.Page[store.Session], error) {
	return uncounted(ctx, s, "list sessions", sqlq.Sessions(dialect, projectID, f), f.Cursor, f.Limit, scanSession)
}
