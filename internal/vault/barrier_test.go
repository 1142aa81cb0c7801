package vault_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlite"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
	"github.com/switchboard-dev/switchboard/internal/vault"
)

func openSQLite(t *testing.T) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return store.Guard(s, sqlite.Unavailable)
}

func testKeyring(t *testing.T) *vault.Keyring {
	t.Helper()
	kr, err := vault.NewKeyring(bytes.Repeat([]byte{3}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// TestBarrierSeals: no secret written through the barrier reaches the
// backend unsealed, and every sealed field of the record types has a
// plaintext twin the barrier handles.
func TestBarrierSeals(t *testing.T) {
	kr := testKeyring(t)
	storetest.RunSealing(t, openSQLite, func(s store.Store) store.Store { return vault.NewBarrier(s, kr) })
}
