package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// ListVaultChecks returns every vault check, oldest first.
func (s *Store) ListVaultChecks(ctx context.Context) ([]store.VaultCheck, error) {
	rows, err := s.pool.Query(ctx, `SELECT key_id, sealed, created_at FROM vault_checks ORDER BY created_at, key_id`)
	if err == nil {
		var checks []store.VaultCheck
		checks, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.VaultCheck, error) {
			var c store.VaultCheck
			err := r.Scan(&c.KeyID, &c.Sealed, &c.CreatedAt)
			c.CreatedAt = utc(c.CreatedAt)
			return c, err
		})
		if err == nil {
			if checks == nil {
				checks = []store.VaultCheck{}
			}
			return checks, nil
		}
	}
	return nil, fmt.Errorf("list vault checks: %w", dbError(err))
}

// AddVaultCheck stores a vault check; a taken key id is store.ErrConflict.
func (s *Store) AddVaultCheck(ctx context.Context, c store.VaultCheck) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO vault_checks (key_id, sealed, created_at) VALUES ($1, $2, $3)`,
		c.KeyID, c.Sealed, c.CreatedAt)
	if err != nil {
		return fmt.Errorf("add vault check: %w", dbError(err))
	}
	return nil
}
