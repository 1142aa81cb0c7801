package cache_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/cache"
	"github.com/switchboard-dev/switchboard/internal/store/sqlite"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

func open(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestConformance: the cached store keeps every promise of the contract.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return cache.New(store.Guard(open(t), sqlite.Unavailable), time.Minute)
	})
}

// TestLockedReadsBypassTheCache: under LockAccount the store's own row is
// read, even when another instance changed it behind the cache's back.
func TestLockedReadsBypassTheCache(t *testing.T) {
	ctx := context.Background()
	under := open(t)
	c := cache.New(under, time.Hour)
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := c.CreateProject(ctx, store.Project{ID: "p1", Name: "P", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	ac := store.AuthConfig{ID: "ac1", ProjectID: "p1", ToolkitSlug: "gmail", Type: "custom", AuthScheme: "OAUTH2", Status: store.AuthConfigEnabled, CreatedAt: now, UpdatedAt: now}
	if err := c.CreateAuthConfig(ctx, ac); err != nil {
		t.Fatal(err)
	}
	a := store.Account{ID: "ca1", ProjectID: "p1", UserID: "u", ToolkitSlug: "gmail", AuthConfigID: "ac1", Status: store.StatusActive,
		SealedCredentials: []byte("old"), ConnectedAt: &now, CreatedAt: now, UpdatedAt: now}
	if err := c.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetAccount(ctx, "p1", "ca1"); err != nil { // now cached
		t.Fatal(err)
	}
	// Another instance rotates the credentials.
	if _, err := under.UpdateAccount(ctx, "p1", "ca1", func(a store.Account) (store.Account, error) {
		a.SealedCredentials = []byte("new")
		return a, nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.GetAccount(ctx, "p1", "ca1"); string(got.SealedCredentials) != "old" {
		t.Fatalf("the cache did not serve the cached row; the test proves nothing")
	}
	err := c.LockAccount(ctx, "p1", "ca1", func(ctx context.Context) error {
		got, err := c.GetAccount(ctx, "p1", "ca1")
		if err != nil {
			return err
		}
		if string(got.SealedCredentials) != "new" {
			t.Errorf("under the lock: got %q, want the stored %q", got.SealedCredentials, "new")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Writes through the cache are seen at once.
	if _, err := c.UpdateAccount(ctx, "p1", "ca1", func(a store.Account) (store.Account, error) {
		a.Status = store.StatusInactive
		return a, nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.GetAccount(ctx, "p1", "ca1"); got.Status != store.StatusInactive {
		t.Errorf("after an update through the cache: %s", got.Status)
	}
	if _, err := c.DefaultAccount(ctx, "p1", "u", "gmail"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("default account after disabling: %v, want ErrNotFound", err)
	}
}
