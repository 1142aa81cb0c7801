package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
)

const apiKeyCols = "id, project_id, name, prefix, hash, scope, created_at, revoked_at"

func scanAPIKey(r pgx.Row) (store.APIKey, error) {
	var k store.APIKey
	err := r.Scan(&k.ID, &k.ProjectID, &k.Name, &k.Prefix, &k.Hash, &k.Scope, &k.CreatedAt, &k.RevokedAt)
	k.CreatedAt, k.RevokedAt = utc(k.CreatedAt), utcPtr(k.RevokedAt)
	return k, err
}

// CreateAPIKey stores a new API key. A taken id or hash is store.ErrConflict.
func (s *Store) CreateAPIKey(ctx context.Context, k store.APIKey) error {
	_, err := execAudited(ctx, s, store.AuditAPIKey, k.ID, nil, k, `INSERT INTO api_keys (`+apiKeyCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		k.ID, k.ProjectID, k.Name, k.Prefix, k.Hash, k.Scope, k.CreatedAt, k.RevokedAt)
	if err != nil {
		return fmt.Errorf("create API key: %w", dbError(err))
	}
	return nil
}

// GetAPIKeyByHash finds a key, revoked or not, by its hash, in any project.
func (s *Store) GetAPIKeyByHash(ctx context.Context, hash []byte) (store.APIKey, error) {
	k, err := scanAPIKey(s.pool.QueryRow(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE hash = $1`, hash))
	if err != nil {
		return store.APIKey{}, fmt.Errorf("get API key: %w", dbError(err))
	}
	return k, nil
}

// ListAPIKeys returns a project's keys, revoked ones too, oldest first.
func (s *Store) ListAPIKeys(ctx context.Context, projectID string) ([]store.APIKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE project_id = $1 ORDER BY created_at, id`, projectID)
	if err == nil {
		var ks []store.APIKey
		ks, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.APIKey, error) { return scanAPIKey(r) })
		if err == nil {
			return ks, nil
		}
	}
	return nil, fmt.Errorf("list API keys: %w", dbError(err))
}

// RevokeAPIKey sets RevokedAt; revoking a revoked key keeps the first time.
func (s *Store) RevokeAPIKey(ctx context.Context, projectID, id string, at time.Time) error {
	tag, err := execAudited(ctx, s, store.AuditAPIKey, id, nil, nil, `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3)
		WHERE project_id = $1 AND id = $2`, projectID, id, at)
	if err != nil {
		return fmt.Errorf("revoke API key: %w", dbError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("revoke API key: %w", store.ErrNotFound)
	}
	return nil
}
