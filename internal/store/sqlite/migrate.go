package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// migrations holds the schema changes, applied in file name order. A file is
// never edited once released; a change is a new file.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies, in order, every migration not yet recorded in
// schema_migrations. Each one runs in its own transaction together with its
// record, so a failed migration leaves no trace and is retried by the next
// Open. Write transactions begin IMMEDIATE, so two processes opening the same
// new file do not both apply a migration. A non-empty last stops after the
// migration of that version, which must exist; only tests stop early.
func (s *Store) migrate(ctx context.Context, last string) error {
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    TEXT PRIMARY KEY,
	applied_at TEXT NOT NULL
) STRICT`)
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}

	entries, err := fs.ReadDir(migrations, "migrations") // sorted by name
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	if last != "" && !slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == last+".sql" }) {
		return fmt.Errorf("migrate: no migration %s", last)
	}
	for _, e := range entries {
		version := strings.TrimSuffix(e.Name(), ".sql")
		if last != "" && version > last {
			break
		}
		body, err := fs.ReadFile(migrations, "migrations/"+e.Name())
		if err != nil {
			return fmt.Errorf("read migration %s: %w", version, err)
		}
		end := store.StartMigration(ctx, version)
		err = s.writeTx(ctx, func(tx *sql.Tx) error {
			var applied int
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&applied)
			if err != nil || applied > 0 {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
				version, timeValue(time.Now()))
			return err
		})
		end()
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", version, err)
		}
	}
	return nil
}
