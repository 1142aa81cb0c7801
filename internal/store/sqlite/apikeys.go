package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

const apiKeyColumns = `id, project_id, name, prefix, hash, scope, created_at, revoked_at`

func scanAPIKey(r scanner) (store.APIKey, error) {
	var k store.APIKey
	err := r.Scan(&k.ID, &k.ProjectID, &k.Name, &k.Prefix, bytesCol{&k.Hash}, &k.Scope,
		timeCol{&k.CreatedAt}, nullTimeCol{&k.RevokedAt})
	return k, err
}

// CreateAPIKey stores a new API key; a taken id or hash is store.ErrConflict.
func (s *Store) CreateAPIKey(ctx context.Context, k store.APIKey) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			k.ID, k.ProjectID, k.Name, k.Prefix, blobValue(k.Hash), k.Scope, timeValue(k.CreatedAt), nullTimeValue(k.RevokedAt))
		if err != nil {
			return dbError("create api key", err)
		}
		return writeAudit(ctx, tx, store.AuditAPIKey, k.ID, nil, k)
	})
}

// GetAPIKeyByHash finds a key, revoked or not, by its hash, in any project.
func (s *Store) GetAPIKeyByHash(ctx context.Context, hash []byte) (store.APIKey, error) {
	k, err := scanAPIKey(s.hot.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE hash = ?`, blobValue(hash)))
	if err != nil {
		return store.APIKey{}, rowError("get api key", err)
	}
	return k, nil
}

// ListAPIKeys returns the project's keys, revoked ones included, oldest
// first.
func (s *Store) ListAPIKeys(ctx context.Context, projectID string) ([]store.APIKey, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys
WHERE project_id = ? ORDER BY created_at, id`, projectID)
	if err != nil {
		return nil, dbError("list api keys", err)
	}
	defer rows.Close()
	keys := []store.APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, dbError("list api keys", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("list api keys", err)
	}
	return keys, nil
}

// RevokeAPIKey sets RevokedAt; revoking a revoked key keeps the first time.
func (s *Store) RevokeAPIKey(ctx context.Context, projectID, id string, at time.Time) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, "revoke api key",
			`UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE project_id = ? AND id = ?`,
			timeValue(at), projectID, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, store.AuditAPIKey, id, nil, nil)
	})
}
