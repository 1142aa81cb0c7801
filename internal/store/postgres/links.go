package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

func scanLink(r pgx.Row) (store.Link, error) {
	var l store.Link
	err := r.Scan(&l.TokenHash, &l.SealedToken, &l.ProjectID, &l.AccountID, &l.SessionID, &l.CallbackURL, &l.ExpiresAt, &l.StateHash,
		&l.SealedVerifier, &l.StateExpiresAt, &l.CompletedAt, &l.CreatedAt)
	l.ExpiresAt, l.CreatedAt = utc(l.ExpiresAt), utc(l.CreatedAt)
	l.StateExpiresAt, l.CompletedAt = utcPtr(l.StateExpiresAt), utcPtr(l.CompletedAt)
	return l, err
}

// CreateLink stores a new link, without its plaintext Token. A taken token
// hash or state hash is
// store.ErrConflict; an account missing from the project is
// store.ErrNotFound.
func (s *Store) CreateLink(ctx context.Context, l store.Link) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO links (`+sqlq.LinkColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		l.TokenHash, l.SealedToken, l.ProjectID, l.AccountID, l.SessionID, l.CallbackURL, l.ExpiresAt, l.StateHash,
		l.SealedVerifier, l.StateExpiresAt, l.CompletedAt, l.CreatedAt)
	if err != nil {
		return fmt.Errorf("create link: %w", dbError(err))
	}
	return nil
}

// GetLink finds a link by token hash in any project.
func (s *Store) GetLink(ctx context.Context, tokenHash string) (store.Link, error) {
	l, err := scanLink(s.pool.QueryRow(ctx, `SELECT `+sqlq.LinkColumns+` FROM links WHERE token_hash = $1`, tokenHash))
	if err != nil {
		return store.Link{}, fmt.Errorf("get link: %w", dbError(err))
	}
	return l, nil
}

// GetLinkByState finds a link by the hash of its OAuth state, in any
// project. An empty hash finds nothing.
func (s *Store) GetLinkByState(ctx context.Context, stateHash string) (store.Link, error) {
	if stateHash == "" {
		return store.Link{}, fmt.Errorf("get link by state: %w", store.ErrNotFound)
	}
	l, err := scanLink(s.pool.QueryRow(ctx, `SELECT `+sqlq.LinkColumns+` FROM links WHERE state_hash = $1`, stateHash))
	if err != nil {
		return store.Link{}, fmt.Errorf("get link by state: %w", dbError(err))
	}
	return l, nil
}

// UpdateLink changes a link with fn. The token hash, sealed token, project
// and account never change.
func (s *Store) UpdateLink(ctx context.Context, tokenHash string, fn func(store.Link) (store.Link, error)) (store.Link, error) {
	return update(ctx, s, "update link",
		`SELECT `+sqlq.LinkColumns+` FROM links WHERE token_hash = $1 FOR UPDATE`, []any{tokenHash}, scanLink, fn,
		func(ctx context.Context, tx pgx.Tx, old, l store.Link) (store.Link, error) {
			return scanLink(tx.QueryRow(ctx, `UPDATE links
				SET session_id = $2, callback_url = $3, expires_at = $4, state_hash = $5, sealed_verifier = $6,
					state_expires_at = $7, completed_at = $8, created_at = $9
				WHERE token_hash = $1 RETURNING `+sqlq.LinkColumns,
				old.TokenHash, l.SessionID, l.CallbackURL, l.ExpiresAt, l.StateHash, l.SealedVerifier,
				l.StateExpiresAt, l.CompletedAt, l.CreatedAt))
		})
}

// PendingLink returns the newest usable link a session made for a toolkit.
func (s *Store) PendingLink(ctx context.Context, projectID, sessionID, toolkit string, now time.Time) (store.Link, error) {
	l, err := scanLink(s.pool.QueryRow(ctx, `SELECT `+sqlq.Prefixed("l.", sqlq.LinkColumns)+`
FROM links l JOIN accounts a ON a.project_id = l.project_id AND a.id = l.account_id
WHERE l.project_id = $1 AND l.session_id = $2 AND a.toolkit_slug = $3 AND a.status = 'INITIATED'
	AND l.completed_at IS NULL AND l.expires_at > $4
ORDER BY l.created_at DESC, l.token_hash DESC LIMIT 1`, projectID, sessionID, toolkit, now.UTC()))
	if err != nil {
		return store.Link{}, fmt.Errorf("find pending link: %w", dbError(err))
	}
	return l, nil
}
