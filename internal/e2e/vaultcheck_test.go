package e2e

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/switchboard-dev/switchboard/internal/app"
	"github.com/switchboard-dev/switchboard/internal/config"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/internal/vault"
)

// otherEncryptionKey is a valid key that sealed nothing.
const otherEncryptionKey = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="

// openApp wires a Switchboard on a store, as a start does, without serving.
func openApp(dataDir, databaseURL, key string) (*app.App, error) {
	cfg := config.Default()
	cfg.DataDir, cfg.DatabaseURL, cfg.EncryptionKey = dataDir, databaseURL, key
	return app.New(context.Background(), cfg, app.Options{EgressLoopbackOnly: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// TestWrongEncryptionKeyFailsAtStart: a start with a key that did not seal
// the store's data stops with an error that says so and names key ids,
// never key material, on both backends; the right key still starts.
func TestWrongEncryptionKeyFailsAtStart(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			var dsn string
			if backend == "postgres" {
				dsn = postgrestest.URL(t)
			}
			s := startServer(t, serverOptions{DataDir: dir, DatabaseURL: dsn})
			gmailConfig(t, s.Client, provider(t, s))
			s.Stop()

			a, err := openApp(dir, dsn, otherEncryptionKey)
			if err == nil {
				a.Close()
				t.Fatal("a start with another encryption key succeeded")
			}
			if !errors.Is(err, vault.ErrWrongKey) || !strings.Contains(err.Error(), "SWITCHBOARD_ENCRYPTION_KEY") {
				t.Errorf("got %v, want ErrWrongKey telling which setting to fix", err)
			}
			if strings.Contains(err.Error(), otherEncryptionKey) || strings.Contains(err.Error(), testEncryptionKey) {
				t.Errorf("the error holds key material: %v", err)
			}
			a, err = openApp(dir, dsn, testEncryptionKey)
			if err != nil {
				t.Fatalf("a start with the right key: %v", err)
			}
			a.Close()
		})
	}
}

// TestWrongEncryptionKeyFailsOnOldStore: a store from before the vault
// checks (none stored) is checked by the key that sealed its auth
// configs' secrets.
func TestWrongEncryptionKeyFailsOnOldStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := startServer(t, serverOptions{DataDir: dir})
	gmailConfig(t, s.Client, provider(t, s))
	s.Stop()
	db, err := sql.Open("sqlite", filepath.Join(dir, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM vault_checks`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	a, err := openApp(dir, "", otherEncryptionKey)
	if err == nil {
		a.Close()
		t.Fatal("a start with another encryption key succeeded")
	}
	if !errors.Is(err, vault.ErrWrongKey) || !strings.Contains(err.Error(), "auth config") {
		t.Errorf("got %v, want ErrWrongKey naming the auth config it read", err)
	}
}
