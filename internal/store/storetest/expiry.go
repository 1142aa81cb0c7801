package storetest

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// testWarnExpiring checks the expiring warning: written once per refresh
// token when due, only for ACTIVE accounts, again after a new token, never
// by two sweeps at once, and scoped to the account's project.
func testWarnExpiring(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	c := mustCreateAuthConfig(t, s, newAuthConfig(p.ID, "ac1", "gmail", at(0)))
	w := newSubscription(p.ID, "ws1", at(0))
	w.EnabledEvents = []string{store.EventAccountExpiring}
	mustCreateSubscription(t, s, w)
	a := mustCreateAccount(t, s, newAccount(p.ID, "ca1", c, "u1", at(1)))
	b := mustCreateAccount(t, s, newAccount(p.ID, "ca2", c, "u2", at(1)))

	wantErr(t, "SetRefreshExpiry of another project's account", s.SetRefreshExpiry(ctx, "p2", a.ID, ptr(at(100)), ptr(at(90))), store.ErrNotFound)
	wantErr(t, "SetRefreshExpiry of a missing account", s.SetRefreshExpiry(ctx, p.ID, "ca-none", ptr(at(100)), ptr(at(90))), store.ErrNotFound)
	wantNoErr(t, "SetRefreshExpiry", s.SetRefreshExpiry(ctx, p.ID, a.ID, ptr(at(100)), ptr(at(90))))
	wantNoErr(t, "SetRefreshExpiry", s.SetRefreshExpiry(ctx, p.ID, b.ID, ptr(at(100)), ptr(at(90))))
	// b stops being ACTIVE: no warning for it.
	if _, err := s.UpdateAccount(ctx, p.ID, b.ID, func(a store.Account) (store.Account, error) {
		a.Status, a.UpdatedAt = store.StatusInactive, at(2)
		return a, nil
	}); err != nil {
		t.Fatal(err)
	}

	if n, err := s.WarnExpiring(ctx, at(89), 10); err != nil || n != 0 {
		t.Fatalf("WarnExpiring before the warning is due: %d %v, want 0", n, err)
	}
	// Sweeps at once warn of the token once between them.
	var mu sync.Mutex
	total := 0
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			n, err := s.WarnExpiring(ctx, at(91), 10)
			if err != nil {
				t.Errorf("WarnExpiring: %v", err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if total != 1 {
		t.Fatalf("parallel WarnExpiring wrote %d warnings, want 1", total)
	}
	if n, _ := s.WarnExpiring(ctx, at(95), 10); n != 0 {
		t.Errorf("WarnExpiring again for the same token: %d, want 0", n)
	}
	evs, err := s.ListEvents(ctx, p.ID, a.ID, 10)
	wantNoErr(t, "ListEvents", err)
	var warn *store.Event
	for i, e := range evs {
		if e.Type == store.EventAccountExpiring {
			if warn != nil {
				t.Fatalf("two expiring events for %s", a.ID)
			}
			warn = &evs[i]
		}
	}
	if warn == nil {
		t.Fatalf("no expiring event for %s: %v", a.ID, eventTypes(evs))
	}
	var d store.EventData
	if err := json.Unmarshal(warn.Data, &d); err != nil {
		t.Fatal(err)
	}
	if d.AccountID != a.ID || d.Status != store.StatusActive || d.AuthScheme != c.AuthScheme || d.RefreshTokenExpiresAt == nil ||
		!d.RefreshTokenExpiresAt.Equal(at(100)) || !warn.CreatedAt.Equal(at(91)) {
		t.Errorf("expiring event: got %+v at %v, want %s ACTIVE, expires %v, at %v", d, warn.CreatedAt, a.ID, at(100), at(91))
	}
	if evs, _ := s.ListEvents(ctx, p.ID, b.ID, 10); slices.Contains(eventTypes(evs), store.EventAccountExpiring) {
		t.Errorf("events of the INACTIVE account: %v, want no expiring warning", eventTypes(evs))
	}
	ds, err := s.ClaimDeliveries(ctx, "worker", at(92), time.Minute, 10)
	wantNoErr(t, "ClaimDeliveries", err)
	if len(ds) != 1 || ds[0].EventID != warn.ID {
		t.Errorf("deliveries of the warning: got %+v, want one of %s", ds, warn.ID)
	}

	// The same end again keeps the warning sent; a new token (a new end)
	// is warned of again.
	wantNoErr(t, "SetRefreshExpiry same end", s.SetRefreshExpiry(ctx, p.ID, a.ID, ptr(at(100)), ptr(at(90))))
	if n, _ := s.WarnExpiring(ctx, at(96), 10); n != 0 {
		t.Errorf("WarnExpiring after the same end was set again: %d, want 0", n)
	}
	wantNoErr(t, "SetRefreshExpiry new end", s.SetRefreshExpiry(ctx, p.ID, a.ID, ptr(at(200)), ptr(at(190))))
	if n, _ := s.WarnExpiring(ctx, at(150), 10); n != 0 {
		t.Errorf("WarnExpiring before the new token's warning: %d, want 0", n)
	}
	if n, _ := s.WarnExpiring(ctx, at(191), 10); n != 1 {
		t.Errorf("WarnExpiring for the new token: %d, want 1", n)
	}
	// Forgotten: nothing more, even when due.
	wantNoErr(t, "SetRefreshExpiry nil", s.SetRefreshExpiry(ctx, p.ID, a.ID, nil, nil))
	wantNoErr(t, "SetRefreshExpiry new end", s.SetRefreshExpiry(ctx, p.ID, b.ID, nil, nil))
	if n, _ := s.WarnExpiring(ctx, at(1000), 10); n != 0 {
		t.Errorf("WarnExpiring after the expiry was forgotten: %d, want 0", n)
	}
	// A deleted account's schedule goes with it.
	wantNoErr(t, "SetRefreshExpiry", s.SetRefreshExpiry(ctx, p.ID, a.ID, ptr(at(300)), ptr(at(290))))
	wantNoErr(t, "DeleteAccount", s.DeleteAccount(ctx, p.ID, a.ID))
	if n, err := s.WarnExpiring(ctx, at(291), 10); err != nil || n != 0 {
		t.Errorf("WarnExpiring after the account was deleted: %d %v, want 0", n, err)
	}
}

// testDeleteEvents checks the event retention: old events without a
// pending delivery go, with their deliveries and attempts, in batches of
// at most limit; pending ones and newer ones stay.
func testDeleteEvents(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := mustCreateProject(t, s, newProject("p1"))
	q := mustCreateProject(t, s, newProject("p2"))
	mustCreateSubscription(t, s, newSubscription(p.ID, "ws1", at(0)))
	var evs []store.Event
	for i := range 5 {
		evs = append(evs, store.Event{ID: name("evt_old", i), ProjectID: p.ID, Type: store.EventAccountCreated, AccountID: "ca", Data: []byte(`{}`), CreatedAt: at(1)})
	}
	evs = append(evs, store.Event{ID: "evt_other", ProjectID: q.ID, Type: store.EventAccountCreated, AccountID: "cb", Data: []byte(`{}`), CreatedAt: at(1)})
	evs = append(evs, store.Event{ID: "evt_new", ProjectID: p.ID, Type: store.EventAccountCreated, AccountID: "ca", Data: []byte(`{}`), CreatedAt: at(50)})
	wantNoErr(t, "AppendEvents", s.AppendEvents(ctx, evs...))
	if n, err := s.CountPendingDeliveries(ctx); err != nil || n != 6 {
		t.Fatalf("CountPendingDeliveries: %d %v, want 6", n, err)
	}
	// Deliver four of the five old ones; the fifth stays PENDING.
	ds, err := s.ClaimDeliveries(ctx, "w", at(2), time.Minute, 4)
	wantNoErr(t, "ClaimDeliveries", err)
	if len(ds) != 4 {
		t.Fatalf("claimed %d, want 4", len(ds))
	}
	delivered := map[string]string{}
	for _, d := range ds {
		wantNoErr(t, "FinishAttempt", s.FinishAttempt(ctx, "w", store.DeliveryAttempt{DeliveryID: d.ID, ProjectID: p.ID, Attempt: 1, StartedAt: at(2), StatusCode: 200},
			store.AttemptOutcome{Status: store.DeliveryDelivered, NextAttemptAt: at(2), Success: true}))
		delivered[d.EventID] = d.ID
	}

	if n, err := s.CountPendingDeliveries(ctx); err != nil || n != 2 {
		t.Fatalf("CountPendingDeliveries after four deliveries: %d %v, want 2", n, err)
	}
	n, err := s.DeleteEvents(ctx, at(10), 3)
	if err != nil || n != 3 {
		t.Fatalf("DeleteEvents with limit 3: %d %v, want 3", n, err)
	}
	n, err = s.DeleteEvents(ctx, at(10), 3)
	// The other project's old event has no deliveries: it goes too.
	if err != nil || n != 2 {
		t.Fatalf("DeleteEvents again: %d %v, want 2", n, err)
	}
	if n, _ := s.DeleteEvents(ctx, at(10), 3); n != 0 {
		t.Errorf("DeleteEvents a third time: %d, want 0", n)
	}
	for id, dID := range delivered {
		wantErr(t, "GetEvent of a deleted event", func() error { _, err := s.GetEvent(ctx, p.ID, id); return err }(), store.ErrNotFound)
		wantErr(t, "GetDelivery of a deleted event", func() error { _, err := s.GetDelivery(ctx, p.ID, dID); return err }(), store.ErrNotFound)
		if atts, err := s.ListDeliveryAttempts(ctx, p.ID, dID); err != nil || len(atts) != 0 {
			t.Errorf("attempts of a deleted delivery: %v %v, want none", atts, err)
		}
	}
	left, err := s.ListEvents(ctx, p.ID, "", 10)
	wantNoErr(t, "ListEvents", err)
	if len(left) != 2 || left[1].ID != "evt_new" {
		t.Errorf("events left: %+v, want the PENDING old one and evt_new", left)
	}
	if _, err := s.GetEvent(ctx, q.ID, "evt_other"); err == nil {
		t.Errorf("the other project's old event was kept")
	}
}
