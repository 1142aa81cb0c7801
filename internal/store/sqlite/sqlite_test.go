package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlite"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// open returns a store on a new database file in a temporary directory.
func open(t *testing.T) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "switchboard.db"))
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

// TestConformance runs the store conformance suite, each subtest on a new
// database file.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return store.Guard(open(t), sqlite.Unavailable) })
}
