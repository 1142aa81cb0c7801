package postgres

import (
	"context"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// BenchmarkDefaultAccount compares the default-account lookup with a lookup
// by primary key on a database of a million accounts; x_pk is the ratio.
//
//	go test ./internal/store/postgres -run XXX -bench DefaultAccount -benchtime 2000x
//
// It fills a new database of the throwaway cluster (or of the server that
// SWITCHBOARD_TEST_DATABASE_URL names) with COPY, then runs VACUUM ANALYZE,
// as autovacuum would after such a load.
func BenchmarkDefaultAccount(b *testing.B) {
	if testing.Short() {
		b.Skip("fills a database with a million accounts")
	}
	ctx := b.Context()
	s, err := Open(ctx, postgrestest.URL(b))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	start := time.Now()
	if err := benchFill(ctx, s); err != nil {
		b.Fatalf("fill: %v", err)
	}
	b.Logf("filled with %d accounts in %v", storetest.BenchAccountCount, time.Since(start).Round(time.Millisecond))
	storetest.BenchDefaultAccount(b, s)
}

// benchFill fills the store with the benchmark data, the accounts with one
// COPY.
func benchFill(ctx context.Context, s *Store) error {
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
	next, stop := iter.Pull(storetest.BenchAccounts())
	defer stop()
	var row []any
	n, err := s.pool.CopyFrom(ctx, pgx.Identifier{"accounts"},
		[]string{"id", "project_id", "user_id", "toolkit_slug", "auth_config_id", "status", "status_reason", "alias",
			"sealed_credentials", "token_expires_at", "identity", "identity_id", "connected_at", "created_at", "updated_at"},
		pgx.CopyFromFunc(func() ([]any, error) {
			a, ok := next()
			if !ok {
				return nil, nil
			}
			row = append(row[:0], a.ID, a.ProjectID, a.UserID, a.ToolkitSlug, a.AuthConfigID, a.Status, a.StatusReason, a.Alias,
				a.SealedCredentials, a.TokenExpiresAt, a.Identity, a.IdentityID, a.ConnectedAt, a.CreatedAt, a.UpdatedAt)
			return row, nil
		}))
	if err != nil {
		return fmt.Errorf("copy accounts: %w", err)
	}
	if n != storetest.BenchAccountCount {
		return fmt.Errorf("copy accounts: copied %d, want %d", n, storetest.BenchAccountCount)
	}
	_, err = s.pool.Exec(ctx, "VACUUM ANALYZE accounts")
	return err
}
