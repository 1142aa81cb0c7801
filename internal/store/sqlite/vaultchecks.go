package sqlite

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// ListVaultChecks returns every vault check, oldest first.
func (s *Store) ListVaultChecks(ctx context.Context) ([]store.VaultCheck, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT key_id, sealed, created_at FROM vault_checks ORDER BY created_at, key_id`)
	if err != nil {
		return nil, dbError("list vault checks", err)
	}
	defer rows.Close()
	checks := []store.VaultCheck{}
	for rows.Next() {
		var c store.VaultCheck
		if err := rows.Scan(&c.KeyID, bytesCol{&c.Sealed}, timeCol{&c.CreatedAt}); err != nil {
			return nil, dbError("list vault checks", err)
		}
		checks = append(checks, c)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("list vault checks", err)
	}
	return checks, nil
}

// AddVaultCheck stores a vault check; a taken key id is store.ErrConflict.
func (s *Store) AddVaultCheck(ctx context.Context, c store.VaultCheck) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO vault_checks (key_id, sealed, created_at) VALUES (?, ?, ?)`,
			c.KeyID, blobValue(c.Sealed), timeValue(c.CreatedAt))
		if err != nil {
			return dbError("add vault check", err)
		}
		return nil
	})
}
