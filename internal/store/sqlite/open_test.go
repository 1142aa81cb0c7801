package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// appliedMigrations returns schema_migrations as version → applied_at.
func appliedMigrations(t *testing.T, s *Store) map[string]string {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var version, at string
		if err := rows.Scan(&version, &at); err != nil {
			t.Fatalf("scan schema_migrations: %v", err)
		}
		got[version] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	return got
}

// TestReopenKeepsRowsAndMigrations closes a database and opens it again: the
// rows are still there and no migration runs a second time.
func TestReopenKeepsRowsAndMigrations(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "switchboard.db")

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	p := store.Project{ID: "p1", Name: "kept", CallbackURLs: []string{"https://app.example.com/cb"}}
	if err := s.CreateProject(ctx, p); err != nil {
		t.Fatalf("CreateProject: %v", err)
	}
	first := appliedMigrations(t, s)
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatalf("list migrations: %v", err)
	}
	if len(first) != len(files) {
		t.Errorf("after the first Open: got %d applied migrations, want %d (one per file)", len(first), len(files))
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	// The migrations create their tables without IF NOT EXISTS, so running
	// one again would fail this Open.
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer s.Close()
	got, err := s.GetProject(ctx, "p1")
	if err != nil {
		t.Fatalf("GetProject after reopening: got %v, want the project", err)
	}
	if d := cmp.Diff(p, got); d != "" {
		t.Errorf("project after reopening (-want +got):\n%s", d)
	}
	if d := cmp.Diff(first, appliedMigrations(t, s)); d != "" {
		t.Errorf("schema_migrations changed by reopening (-want +got):\n%s", d)
	}
}

// TestPragmas checks the connection settings of both pools.
func TestPragmas(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "switchboard.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()

	pragma := func(db *sql.DB, name string) string {
		t.Helper()
		var v string
		if err := db.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
			t.Fatalf("PRAGMA %s: %v", name, err)
		}
		return v
	}
	tests := []struct {
		pool string
		db   *sql.DB
		name string
		want string
	}{
		{"write", s.write, "journal_mode", "wal"},
		{"write", s.write, "foreign_keys", "1"},
		{"write", s.write, "busy_timeout", "10000"},
		{"write", s.write, "query_only", "0"},
		{"read", s.read, "journal_mode", "wal"},
		{"read", s.read, "foreign_keys", "1"},
		{"read", s.read, "busy_timeout", "10000"},
		{"read", s.read, "query_only", "1"},
	}
	for _, tt := range tests {
		if got := pragma(tt.db, tt.name); got != tt.want {
			t.Errorf("%s pool: got %s = %s, want %s", tt.pool, tt.name, got, tt.want)
		}
	}
}

// TestOpenRejectsNonFilePaths checks that Open wants a plain file name,
// which both pools can share.
func TestOpenRejectsNonFilePaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if s, err := Open(t.Context(), path); err == nil {
			s.Close()
			t.Errorf("Open(%q): got nil error, want one", path)
		}
	}
}

// TestAccountChangesClose checks that Close ends every subscription and
// refuses new ones.
func TestAccountChangesClose(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "switchboard.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	changes, err := s.AccountChanges(context.Background())
	if err != nil {
		t.Fatalf("AccountChanges: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, ok := <-changes; ok {
		t.Errorf("got a change after Close, want the channel closed")
	}
	if _, err := s.AccountChanges(context.Background()); err == nil {
		t.Errorf("AccountChanges after Close: got nil error, want one")
	}
}
