package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

func scanLink(r scanner) (store.Link, error) {
	var l store.Link
	err := r.Scan(&l.TokenHash, bytesCol{&l.SealedToken}, &l.ProjectID, &l.AccountID, &l.SessionID, &l.CallbackURL, timeCol{&l.ExpiresAt},
		&l.StateHash, bytesCol{&l.SealedVerifier}, nullTimeCol{&l.StateExpiresAt}, nullTimeCol{&l.CompletedAt},
		timeCol{&l.CreatedAt})
	return l, err
}

// CreateLink stores a new link, without its plaintext Token. A taken token
// hash or state hash, or an account
// that is not the project's, is store.ErrConflict.
func (s *Store) CreateLink(ctx context.Context, l store.Link) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO links (`+sqlq.LinkColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			l.TokenHash, blobValue(l.SealedToken), l.ProjectID, l.AccountID, l.SessionID, l.CallbackURL, timeValue(l.ExpiresAt), l.StateHash,
			blobValue(l.SealedVerifier), nullTimeValue(l.StateExpiresAt), nullTimeValue(l.CompletedAt), timeValue(l.CreatedAt))
		if err != nil {
			return dbError("create link", err)
		}
		return nil
	})
}

// GetLink finds a link by token hash in any project.
func (s *Store) GetLink(ctx context.Context, tokenHash string) (store.Link, error) {
	return getLink(ctx, s.hot, tokenHash)
}

func getLink(ctx context.Context, q queryer, tokenHash string) (store.Link, error) {
	l, err := scanLink(q.QueryRowContext(ctx, `SELECT `+sqlq.LinkColumns+` FROM links WHERE token_hash = ?`, tokenHash))
	if err != nil {
		return store.Link{}, rowError("get link", err)
	}
	return l, nil
}

// GetLinkByState finds a link by the hash of its OAuth state. The empty hash
// of a link not yet opened never matches.
func (s *Store) GetLinkByState(ctx context.Context, stateHash string) (store.Link, error) {
	if stateHash == "" {
		return store.Link{}, notFound("get link by state")
	}
	l, err := scanLink(s.read.QueryRowContext(ctx, `SELECT `+sqlq.LinkColumns+` FROM links WHERE state_hash = ?`, stateHash))
	if err != nil {
		return store.Link{}, rowError("get link by state", err)
	}
	return l, nil
}

// UpdateLink replaces the link with what fn makes of it. The token hash,
// sealed token and project are kept whatever fn returns.
func (s *Store) UpdateLink(ctx context.Context, tokenHash string, fn func(store.Link) (store.Link, error)) (store.Link, error) {
	var updated store.Link
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		old, err := getLink(ctx, tx, tokenHash)
		if err != nil {
			return err
		}
		l, err := fn(old)
		if err != nil {
			return err
		}
		err = execOne(ctx, tx, "update link", `UPDATE links
SET account_id = ?, session_id = ?, callback_url = ?, expires_at = ?, state_hash = ?,
	sealed_verifier = ?, state_expires_at = ?, completed_at = ?, created_at = ?
WHERE token_hash = ?`,
			l.AccountID, l.SessionID, l.CallbackURL, timeValue(l.ExpiresAt), l.StateHash,
			blobValue(l.SealedVerifier), nullTimeValue(l.StateExpiresAt), nullTimeValue(l.CompletedAt), timeValue(l.CreatedAt),
			tokenHash)
		if err != nil {
			return err
		}
		updated, err = getLink(ctx, tx, tokenHash)
		return err
	})
	if err != nil {
		return store.Link{}, err
	}
	return updated, nil
}

// PendingLink returns the newest usable link a session made for a toolkit.
func (s *Store) PendingLink(ctx context.Context, projectID, sessionID, toolkit string, now time.Time) (store.Link, error) {
	l, err := scanLink(s.read.QueryRowContext(ctx, `SELECT `+sqlq.Prefixed("l.", sqlq.LinkColumns)+`
FROM links l JOIN accounts a ON a.project_id = l.project_id AND a.id = l.account_id
WHERE l.project_id = ? AND l.session_id = ? AND a.toolkit_slug = ? AND a.status = 'INITIATED'
	AND l.completed_at IS NULL AND l.expires_at > ?
ORDER BY l.created_at DESC, l.token_hash DESC LIMIT 1`, projectID, sessionID, toolkit, timeValue(now)))
	if err != nil {
		return store.Link{}, rowError("find pending link", err)
	}
	return l, nil
}
