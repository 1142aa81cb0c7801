package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// BenchmarkDefaultAccount compares the default-account lookup with a lookup
// by primary key on a database of a million accounts; x_pk is the ratio.
//
//	go test ./internal/store/sqlite -run XXX -bench DefaultAccount -benchtime 2000x
//
// The filled database is kept in the temporary folder, named after the
// migrations and the data, so only the first run fills it; delete
// switchboard-bench-*.db there to fill it again.
func BenchmarkDefaultAccount(b *testing.B) {
	if testing.Short() {
		b.Skip("fills a database with a million accounts")
	}
	path, err := benchDatabase(b)
	if err != nil {
		b.Fatalf("fill: %v", err)
	}
	s, err := Open(b.Context(), path)
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	storetest.BenchDefaultAccount(b, s)
}

// benchDatabase returns the path of a database filled with the benchmark
// data, filling it if the temporary folder does not have one for these
// migrations and this data yet.
func benchDatabase(b *testing.B) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "data %s\n", storetest.BenchDataVersion)
	err := fs.WalkDir(migrations, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(migrations, path)
		fmt.Fprintf(h, "%s %d\n%s", path, len(body), body)
		return err
	})
	if err != nil {
		return "", err
	}
	path := filepath.Join(os.TempDir(), "switchboard-bench-"+hex.EncodeToString(h.Sum(nil))[:16]+".db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}

	// Fill a file of its own, and rename it only once complete, so that
	// an interrupted fill leaves nothing a later run would take as done.
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	start := time.Now()
	if err := benchFill(b.Context(), tmp); err != nil {
		removeDatabase(tmp)
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		removeDatabase(tmp)
		return "", err
	}
	b.Logf("filled %s with %d accounts in %v", path, storetest.BenchAccountCount, time.Since(start).Round(time.Millisecond))
	return path, nil
}

// removeDatabase removes a database file and its WAL files.
func removeDatabase(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

// benchFill creates a database at path and fills it with the benchmark
// data: the accounts in one transaction of multi-row INSERTs.
func benchFill(ctx context.Context, path string) error {
	removeDatabase(path)
	s, err := Open(ctx, path)
	if err != nil {
		return err
	}
	if err := benchInsert(ctx, s); err != nil {
		s.Close()
		return err
	}
	return s.Close()
}

func benchInsert(ctx context.Context, s *Store) error {
	for _, p := range storetest.BenchProjects() {
		if err := s.CreateProject(ctx, p); err != nil {
			return err
		}
	}
	for _, c := range storetest.BenchAuthConfigs() {
		if err := s.CreateAuthConfig(ctx, c); err != nil {
			return err
		}
	}

	// The one write connection keeps this cache for as long as the store
	// is open: enough that the indexes stay in memory while they grow.
	if _, err := s.write.ExecContext(ctx, "PRAGMA cache_size = -524288"); err != nil {
		return err
	}
	const batch = 64 // rows per INSERT: 15 × 64 parameters, far below SQLite's limit
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", 15), ", ") + ")"
	insert := func(rows int) string {
		return `INSERT INTO accounts (` + sqlq.AccountColumns + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
	}
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		full, err := tx.PrepareContext(ctx, insert(batch))
		if err != nil {
			return err
		}
		defer full.Close()
		args := make([]any, 0, 15*batch)
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			var err error
			if len(args) == cap(args) {
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, insert(len(args)/15), args...)
			}
			args = args[:0]
			return err
		}
		for a := range storetest.BenchAccounts() {
			args = append(args, a.ID, a.ProjectID, a.UserID, a.ToolkitSlug, a.AuthConfigID, a.Status, a.StatusReason, a.Alias,
				blobValue(a.SealedCredentials), nullTimeValue(a.TokenExpiresAt), a.Identity, a.IdentityID,
				nullTimeValue(a.ConnectedAt), timeValue(a.CreatedAt), timeValue(a.UpdatedAt))
			if len(args) == cap(args) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
	if err != nil {
		return fmt.Errorf("insert accounts: %w", err)
	}
	// Move the WAL into the file, so that the file alone is the database.
	_, err = s.write.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}
