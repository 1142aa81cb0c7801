package webhooks_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/internal/webhooks"
)

// BenchmarkAccountWrite measures what the outbox adds to an account write:
// an update that changes the account's status (so it causes an event),
// with no subscription (the event alone) and with one subscription that
// enables it (the event and its delivery), against an update that causes
// no event. Compare the sub-benchmarks' ns/op.
func BenchmarkAccountWrite(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			for _, tc := range []struct {
				name      string
				subscribe bool
				change    bool
			}{
				{"no-event", false, false},
				{"event", false, true},
				{"event+delivery", true, true},
			} {
				b.Run(tc.name, func(b *testing.B) {
					var st store.Store
					if backend == "sqlite" {
						st = openSQLite(b, filepath.Join(b.TempDir(), "sb.db"))
					} else {
						st = openPostgres(b, postgrestest.URL(b))
					}
					f := newFixture(b, st)
					if tc.subscribe {
						url, events := "http://127.0.0.1:9/", []string{store.EventAccountActive, store.EventAccountExpired}
						if _, err := f.svc.Create(b.Context(), f.project.ID, webhooks.Input{URL: &url, EnabledEvents: &events}); err != nil {
							b.Fatal(err)
						}
					}
					now := time.Now().UTC()
					a := store.Account{ID: "ca_b", ProjectID: f.project.ID, UserID: "u", ToolkitSlug: "gmail", AuthConfigID: f.ac.ID,
						Status: store.StatusActive, ConnectedAt: &now, CreatedAt: now, UpdatedAt: now}
					if err := st.CreateAccount(b.Context(), a); err != nil {
						b.Fatal(err)
					}
					i := 0
					for b.Loop() {
						i++
						_, err := st.UpdateAccount(b.Context(), f.project.ID, a.ID, func(a store.Account) (store.Account, error) {
							if tc.change {
								a.Status = map[bool]string{true: store.StatusActive, false: store.StatusExpired}[i%2 == 0]
							} else {
								a.Identity = map[bool]string{true: "x", false: "y"}[i%2 == 0]
							}
							a.UpdatedAt = time.Now().UTC()
							return a, nil
						})
						if err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
