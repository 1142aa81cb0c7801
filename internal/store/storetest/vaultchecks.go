package storetest

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// testVaultChecks: vault checks are listed oldest first with their bytes
// as stored, one per key id.
func testVaultChecks(t *testing.T, s store.Store) {
	ctx := t.Context()
	got, err := s.ListVaultChecks(ctx)
	wantNoErr(t, "ListVaultChecks on an empty store", err)
	if len(got) != 0 {
		t.Fatalf("ListVaultChecks on an empty store: got %v, want none", got)
	}
	newer := store.VaultCheck{KeyID: "0a0b0c0d", Sealed: []byte{0x01, 0x00, 0xff}, CreatedAt: at(5)}
	older := store.VaultCheck{KeyID: "ffeeddcc", Sealed: []byte{0x01, 0x02}, CreatedAt: at(2)}
	wantNoErr(t, "AddVaultCheck", s.AddVaultCheck(ctx, newer))
	wantNoErr(t, "AddVaultCheck", s.AddVaultCheck(ctx, older))
	again := newer
	again.Sealed = []byte{0x09}
	wantErr(t, "AddVaultCheck with a taken key id", s.AddVaultCheck(ctx, again), store.ErrConflict)
	got, err = s.ListVaultChecks(ctx)
	wantNoErr(t, "ListVaultChecks", err)
	if d := diff([]store.VaultCheck{older, newer}, got); d != "" {
		t.Errorf("ListVaultChecks mismatch (-want +got):\n%s", d)
	}
}
