package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// migrationFiles holds the schema, one numbered .sql file per change. A
// migration is never edited once released; a change is a new file.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockKey is the pg_advisory_xact_lock key that serialises
// migrations, so that instances starting together migrate one at a time.
var migrationLockKey = advisoryKey("migrate")

// migration is one embedded schema change.
type migration struct {
	version string // the file name without .sql, e.g. "0001_init"
	sql     string
}

// migrations returns the embedded migrations in the order they apply.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	// ReadDir sorts by name, and names start with a zero-padded number.
	var ms []migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: strings.TrimSuffix(e.Name(), ".sql"), sql: string(b)})
	}
	return ms, nil
}

// migrate applies the migrations the database lacks, each in its own
// transaction together with its row in schema_migrations. Every transaction
// first takes a transaction-level advisory lock, so concurrent migrators
// queue behind one another, and the one that waited sees the other's work.
// A non-empty last stops after the migration of that version, which must
// exist; only tests stop early.
func migrate(ctx context.Context, pool *pgxpool.Pool, last string) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if last != "" {
		i := slices.IndexFunc(ms, func(m migration) bool { return m.version == last })
		if i < 0 {
			return fmt.Errorf("no migration %s", last)
		}
		ms = ms[:i+1]
	}
	for _, m := range ms {
		end := store.StartMigration(ctx, m.version)
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLockKey); err != nil {
				return fmt.Errorf("lock migrations: %w", err)
			}
			// Creating the table under the lock avoids the race two
			// concurrent CREATE TABLE IF NOT EXISTS can lose.
			_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
				version    text PRIMARY KEY,
				applied_at timestamptz NOT NULL DEFAULT now()
			)`)
			if err != nil {
				return fmt.Errorf("create schema_migrations: %w", err)
			}
			var applied bool
			err = tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", m.version).Scan(&applied)
			if err != nil {
				return fmt.Errorf("read schema_migrations: %w", err)
			}
			if applied {
				return nil
			}
			// The simple protocol runs a file of several statements.
			if _, err := tx.Exec(ctx, m.sql, pgx.QueryExecModeSimpleProtocol); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", m.version); err != nil {
				return fmt.Errorf("record migration: %w", err)
			}
			return nil
		})
		end()
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", m.version, err)
		}
	}
	return nil
}
