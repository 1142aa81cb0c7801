package postgres_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/postgres"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

func TestMain(m *testing.M) { postgrestest.Main(m) }

// open opens a Store on url and closes it when the test ends.
func open(t testing.TB, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// seed creates a project, an auth config and an INITIATED account a1 in it.
func seed(t *testing.T, s store.Store) {
	t.Helper()
	ctx := t.Context()
	at := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	if err := s.CreateProject(ctx, store.Project{ID: "p1", Name: "P1", CreatedAt: at, UpdatedAt: at}); err != nil {
		t.Fatalf("CreateProject: %v", err)
	}
	err := s.CreateAuthConfig(ctx, store.AuthConfig{
		ID: "ac1", ProjectID: "p1", ToolkitSlug: "github", Name: "GitHub", Type: "default",
		AuthScheme: "OAUTH2", Status: store.AuthConfigEnabled, CreatedAt: at, UpdatedAt: at,
	})
	if err != nil {
		t.Fatalf("CreateAuthConfig: %v", err)
	}
	err = s.CreateAccount(ctx, store.Account{
		ID: "a1", ProjectID: "p1", UserID: "u1", ToolkitSlug: "github", AuthConfigID: "ac1",
		Status: store.StatusInitiated, CreatedAt: at, UpdatedAt: at,
	})
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
}

// TestAccountChangesAcrossInstances checks that a status change committed
// through one Store reaches AccountChanges of another Store on the same
// database, as two instances of Switchboard would share it.
func TestAccountChangesAcrossInstances(t *testing.T) {
	url := postgrestest.URL(t)
	a, b := open(t, url), open(t, url)
	seed(t, a)

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	changes, err := b.AccountChanges(ctx)
	if err != nil {
		t.Fatalf("AccountChanges: %v", err)
	}

	// A change that keeps the status is not announced; the status change
	// after it is.
	setStatus := func(status string) {
		t.Helper()
		_, err := a.UpdateAccount(ctx, "p1", "a1", func(acc store.Account) (store.Account, error) {
			acc.Status = status
			acc.StatusReason = "set to " + status
			return acc, nil
		})
		if err != nil {
			t.Fatalf("UpdateAccount: %v", err)
		}
	}
	setStatus(store.StatusInitiated)
	setStatus(store.StatusActive)
	select {
	case id := <-changes:
		if id != "a1" {
			t.Errorf("got change of %q, want a1", id)
		}
	case <-ctx.Done():
		t.Fatal("no change delivered to the other instance")
	}
	select {
	case id := <-changes:
		t.Errorf("got a second change of %q, want only the status change announced", id)
	case <-time.After(100 * time.Millisecond):
	}

	cancel()
	for range changes {
	}
}

// TestAccountChangesRollback checks that an update aborted by its function
// announces nothing: notifications go out on commit only.
func TestAccountChangesRollback(t *testing.T) {
	s := open(t, postgrestest.URL(t))
	seed(t, s)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	changes, err := s.AccountChanges(ctx)
	if err != nil {
		t.Fatalf("AccountChanges: %v", err)
	}
	errAbort := errors.New("abort")
	_, err = s.UpdateAccount(ctx, "p1", "a1", func(acc store.Account) (store.Account, error) {
		acc.Status = store.StatusActive
		return acc, errAbort
	})
	if err != errAbort {
		t.Fatalf("UpdateAccount: got %v, want the function's error unchanged", err)
	}
	select {
	case id := <-changes:
		t.Errorf("got change of %q from an aborted update, want none", id)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestAccountChangesClose checks that closing the Store ends its listeners.
func TestAccountChangesClose(t *testing.T) {
	s, err := postgres.Open(t.Context(), postgrestest.URL(t))
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

// TestLockAccountAcrossInstances checks that a lock held through one Store
// keeps another Store on the same database waiting, and lets it in once
// released.
func TestLockAccountAcrossInstances(t *testing.T) {
	url := postgrestest.URL(t)
	a, b := open(t, url), open(t, url)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- a.LockAccount(ctx, "p1", "a1", func(context.Context) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held

	// While a holds the lock, b gives up waiting.
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelShort()
	ran := false
	err := b.LockAccount(short, "p1", "a1", func(context.Context) error {
		ran = true
		return nil
	})
	if err == nil || ran {
		t.Fatalf("LockAccount on the other instance while held: got error %v, ran %v; want an error, false", err, ran)
	}

	// The same account id in another project is another lock.
	err = b.LockAccount(ctx, "p2", "a1", func(context.Context) error { return nil })
	if err != nil {
		t.Errorf("LockAccount(p2, a1) while (p1, a1) is held: %v", err)
	}

	// Once a releases, b gets in.
	entered := make(chan struct{})
	go func() {
		done <- b.LockAccount(ctx, "p1", "a1", func(context.Context) error {
			close(entered)
			return nil
		})
	}()
	select {
	case <-entered:
		t.Fatal("the other instance entered while the lock was held")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	<-entered
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("LockAccount: %v", err)
		}
	}
}

// TestLockAccountPanic checks that a panicking fn releases the lock.
func TestLockAccountPanic(t *testing.T) {
	s := open(t, postgrestest.URL(t))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("LockAccount swallowed fn's panic")
			}
		}()
		s.LockAccount(ctx, "p1", "a1", func(context.Context) error { panic("boom") })
	}()
	if err := s.LockAccount(ctx, "p1", "a1", func(context.Context) error { return nil }); err != nil {
		t.Errorf("LockAccount after a panic: %v, want the lock released", err)
	}
}

// TestConcurrentMigrations opens several Stores on a new database at once,
// as instances starting together do: every Open succeeds and each migration
// is applied once.
func TestConcurrentMigrations(t *testing.T) {
	url := postgrestest.URL(t)
	const instances = 4
	var wg sync.WaitGroup
	errs := make(chan error, instances)
	for range instances {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), url)
			if err != nil {
				errs <- err
				return
			}
			errs <- s.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Open: %v", err)
		}
	}

	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(t.Context(), "SELECT version FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	want := migrationVersions(t)
	if d := cmp.Diff(want, versions); d != "" {
		t.Errorf("schema_migrations mismatch (-want +got):\n%s", d)
	}
}

// migrationVersions lists the migration files in the source tree.
func migrationVersions(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("find migrations: %v, %d files", err, len(files))
	}
	var vs []string
	for _, f := range files {
		vs = append(vs, strings.TrimSuffix(filepath.Base(f), ".sql"))
	}
	return vs
}

// TestBadCursor checks that a cursor the store did not make, or made for
// another order, is an error rather than a wrong page.
func TestBadCursor(t *testing.T) {
	s := open(t, postgrestest.URL(t))
	seed(t, s)
	page, err := s.ListAccounts(t.Context(), "p1", store.AccountFilter{Limit: 1})
	if err != nil {
		t.Fatalf("ListAccounts: %v", err)
	}
	if page.NextCursor != "" {
		t.Fatalf("got NextCursor %q for one account, want empty", page.NextCursor)
	}
	for _, c := range []string{"garbage", "e30", "'; DROP TABLE accounts; --"} {
		if _, err := s.ListAccounts(t.Context(), "p1", store.AccountFilter{Cursor: c}); err == nil {
			t.Errorf("ListAccounts with cursor %q: got nil error, want one", c)
		}
	}
}
