package webhooks_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// TestSweepRetention: events past the retention go with their deliveries
// and attempts once delivered; one whose delivery is still pending stays
// until it is delivered; newer ones stay. On both stores.
func TestSweepRetention(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			st := openSQLite(t, filepath.Join(t.TempDir(), "sb.db"))
			if backend == "postgres" {
				st = openPostgres(t, postgrestest.URL(t))
			}
			f := newFixture(t, st)
			f.svc.Retention = 96 * time.Hour
			ok := newReceiver(t)
			failing := newReceiver(t)
			failing.status = func() int { return 503 }
			good := f.subscribe(t, ok.URL, store.EventAccountExpired)
			bad := f.subscribe(t, failing.URL, store.EventAccountExpired)
			f.expireAccount(t, "ca_old")
			deliver(t, f.svc)
			goodOld, _ := st.ListDeliveries(t.Context(), f.project.ID, good.ID, 10)
			f.clock.Add(48 * time.Hour)
			f.expireAccount(t, "ca_new")
			f.clock.Add(49 * time.Hour) // ca_old's events are 97h old, ca_new's 49h

			// The failing subscription's delivery of the old expired
			// event is still on the ladder: that event stays; ca_old's
			// created and active events, which no one subscribed to, go.
			if n, err := f.svc.Sweep(t.Context()); err != nil || n != 2 {
				t.Fatalf("Sweep with a pending delivery: %d %v, want 2", n, err)
			}
			failing.status = func() int { return 200 }
			f.clock.Add(24 * time.Hour)
			deliver(t, f.svc)
			if n, err := f.svc.Sweep(t.Context()); err != nil || n != 1 {
				t.Fatalf("Sweep after the delivery: %d %v, want 1 (ca_old's expired event)", n, err)
			}
			if _, err := st.GetDelivery(t.Context(), f.project.ID, goodOld[0].ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the swept event's delivery: %v, want not found", err)
			}
			if atts, _ := st.ListDeliveryAttempts(t.Context(), f.project.ID, goodOld[0].ID); len(atts) != 0 {
				t.Errorf("the swept delivery's attempts are kept: %+v", atts)
			}
			if evs, _ := st.ListEvents(t.Context(), f.project.ID, "ca_new", 10); len(evs) == 0 {
				t.Errorf("ca_new's events, within the retention, were swept")
			}
			if ds, _ := st.ListDeliveries(t.Context(), f.project.ID, bad.ID, 10); len(ds) != 1 {
				t.Errorf("deliveries of the failing subscription: %d, want ca_new's one", len(ds))
			}
		})
	}
}
