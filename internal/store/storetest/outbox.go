package storetest

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

func newSubscription(projectID, id string, created time.Time) store.WebhookSubscription {
	return store.WebhookSubscription{
		ID:            id,
		ProjectID:     projectID,
		URL:           "https://hooks.example.com/" + id,
		Version:       "V3",
		EnabledEvents: []string{store.EventAccountCreated, store.EventAccountExpired, store.EventAccountDeleted, store.EventLinkExpired},
		SealedSecret:  []byte("sealed secret of " + id),
		Status:        store.SubscriptionEnabled,
		CreatedAt:     created,
		UpdatedAt:     created,
	}
}

func mustCreateSubscription(t *testing.T, s store.Store, w store.WebhookSubscription) store.WebhookSubscription {
	t.Helper()
	if err := s.CreateWebhookSubscription(t.Context(), w); err != nil {
		t.Fatalf("CreateWebhookSubscription(%q): %v", w.ID, err)
	}
	return w
}

func eventTypes(es []store.Event) []string {
	var ts []string
	for _, e := range es {
		ts = append(ts, e.Type)
	}
	return ts
}

// testOutboxAccountEvents checks that account writes append their events in
// the same call, with a delivery to each subscription that enables them.
func testOutboxAccountEvents(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	c := mustCreateAuthConfig(t, s, newAuthConfig(p.ID, "ac1", "gmail", at(1)))
	all := mustCreateSubscription(t, s, newSubscription(p.ID, "ws1", at(1)))
	expiredOnly := newSubscription(p.ID, "ws2", at(1))
	expiredOnly.EnabledEvents = []string{store.EventAccountExpired}
	mustCreateSubscription(t, s, expiredOnly)
	off := newSubscription(p.ID, "ws3", at(1))
	off.Status = store.SubscriptionDisabled
	mustCreateSubscription(t, s, off)
	mustCreateSubscription(t, s, newSubscription("p2", "ws4", at(1)))

	a := newAccount(p.ID, "ca1", c, "u1", at(2))
	a.Status = store.StatusInitiated
	mustCreateAccount(t, s, a)
	_, err := s.UpdateAccount(ctx, p.ID, a.ID, func(a store.Account) (store.Account, error) {
		a.Status, a.UpdatedAt = store.StatusActive, at(3)
		return a, nil
	})
	wantNoErr(t, "UpdateAccount to ACTIVE", err)
	_, err = s.UpdateAccount(ctx, p.ID, a.ID, func(a store.Account) (store.Account, error) {
		a.Status, a.StatusReason, a.UpdatedAt = store.StatusExpired, "refresh refused", at(4)
		return a, nil
	})
	wantNoErr(t, "UpdateAccount to EXPIRED", err)
	_, err = s.UpdateAccount(ctx, p.ID, a.ID, func(a store.Account) (store.Account, error) {
		a.Status, a.Alias, a.UpdatedAt = store.StatusActive, "work", at(5)
		return a, nil
	})
	wantNoErr(t, "UpdateAccount to ACTIVE with an alias", err)
	_, err = s.UpdateAccount(ctx, p.ID, a.ID, func(a store.Account) (store.Account, error) {
		a.Identity, a.UpdatedAt = "new@example.com", at(6)
		return a, nil
	})
	wantNoErr(t, "UpdateAccount without a state change", err)
	wantNoErr(t, "DeleteAccount", s.DeleteAccount(ctx, p.ID, a.ID))

	evs, err := s.ListEvents(ctx, p.ID, a.ID, 100)
	wantNoErr(t, "ListEvents", err)
	want := []string{store.EventAccountCreated, store.EventAccountActive, store.EventAccountExpired,
		store.EventAccountActive, store.EventAccountRecovered, store.EventAccountAliasChanged, store.EventAccountDeleted}
	got := eventTypes(evs)
	slices.Sort(got)
	slices.Sort(want)
	if d := diff(want, got); d != "" {
		t.Errorf("events of the account (-want +got):\n%s", d)
	}
	for _, e := range evs {
		if e.Type != store.EventAccountExpired {
			continue
		}
		var d store.EventData
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatalf("expired event data: %v", err)
		}
		want := store.EventData{AccountID: a.ID, UserID: "u1", ToolkitSlug: "gmail", AuthConfigID: c.ID, AuthScheme: "OAUTH2",
			Status: store.StatusExpired, StatusReason: "refresh refused", PreviousStatus: store.StatusActive,
			Identity: a.Identity, ConnectedAt: a.ConnectedAt, CreatedAt: a.CreatedAt, UpdatedAt: at(4)}
		if d := diff(want, d); d != "" {
			t.Errorf("expired event data (-want +got):\n%s", d)
		}
		if got, err := s.GetEvent(ctx, p.ID, e.ID); err != nil || got.ID != e.ID {
			t.Errorf("GetEvent(%q): got %v, %v", e.ID, got.ID, err)
		}
		_, err := s.GetEvent(ctx, "p2", e.ID)
		wantErr(t, "GetEvent from another project", err, store.ErrNotFound)
	}

	count := func(subID string) int {
		ds, err := s.ListDeliveries(ctx, p.ID, subID, 100)
		wantNoErr(t, "ListDeliveries", err)
		return len(ds)
	}
	if n := count(all.ID); n != 3 { // created, expired, deleted
		t.Errorf("deliveries to the subscription of four types: got %d, want 3", n)
	}
	if n := count(expiredOnly.ID); n != 1 {
		t.Errorf("deliveries to the subscription of expired events: got %d, want 1", n)
	}
	if n := count(off.ID); n != 0 {
		t.Errorf("deliveries to the disabled subscription: got %d, want 0", n)
	}
	if ds, _ := s.ListDeliveries(ctx, "p2", "ws4", 100); len(ds) != 0 {
		t.Errorf("deliveries to another project's subscription: got %d, want 0", len(ds))
	}
	// An aborted update writes no event.
	b := newAccount(p.ID, "ca2", c, "u1", at(7))
	mustCreateAccount(t, s, b)
	_, err = s.UpdateAccount(ctx, p.ID, b.ID, func(a store.Account) (store.Account, error) {
		a.Status = store.StatusExpired
		return a, errAbort
	})
	wantErr(t, "aborted UpdateAccount", err, errAbort)
	evs, _ = s.ListEvents(ctx, p.ID, b.ID, 100)
	got = eventTypes(evs)
	slices.Sort(got) // one write's events share a time; their order is not set
	if d := diff([]string{store.EventAccountActive, store.EventAccountCreated}, got); d != "" {
		t.Errorf("events after an aborted update (-want +got):\n%s", d)
	}
}

func testOutboxLinkExpired(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := mustCreateProject(t, s, newProject("p1"))
	c := mustCreateAuthConfig(t, s, newAuthConfig(p.ID, "ac1", "gmail", at(1)))
	w := mustCreateSubscription(t, s, newSubscription(p.ID, "ws1", at(1)))
	a := newAccount(p.ID, "ca1", c, "u1", at(2))
	a.Status, a.ConnectedAt = store.StatusInitiated, nil
	mustCreateAccount(t, s, a)
	mustCreateLink(t, s, newLink(p.ID, "h1", a.ID, at(2), at(12)))
	n, err := s.FailStaleAccounts(ctx, at(20), at(0), "link expired")
	wantNoErr(t, "FailStaleAccounts", err)
	if n != 1 {
		t.Fatalf("FailStaleAccounts: moved %d, want 1", n)
	}
	evs, _ := s.ListEvents(ctx, p.ID, a.ID, 100)
	if d := diff([]string{store.EventAccountCreated, store.EventLinkExpired}, eventTypes(evs)); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	ds, _ := s.ListDeliveries(ctx, p.ID, w.ID, 100)
	if len(ds) != 2 {
		t.Errorf("deliveries: got %d, want 2 (created, link expired)", len(ds))
	}
}

// testOutboxDeliveries checks claiming, leases, attempts and the
// subscription's failure tracking.
func testOutboxDeliveries(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := mustCreateProject(t, s, newProject("p1"))
	w := mustCreateSubscription(t, s, newSubscription(p.ID, "ws1", at(0)))
	e := store.Event{ID: "evt_1", ProjectID: p.ID, Type: store.EventAccountCreated, AccountID: "ca1", Data: []byte(`{}`), CreatedAt: at(1)}
	wantNoErr(t, "AppendEvents", s.AppendEvents(ctx, e))

	got, err := s.ClaimDeliveries(ctx, "worker-a", at(0), time.Minute, 10)
	wantNoErr(t, "ClaimDeliveries before due", err)
	if len(got) != 0 {
		t.Fatalf("ClaimDeliveries before the delivery is due: got %d, want 0", len(got))
	}
	got, err = s.ClaimDeliveries(ctx, "worker-a", at(1), time.Minute, 10)
	wantNoErr(t, "ClaimDeliveries", err)
	if len(got) != 1 || got[0].LeaseOwner != "worker-a" || got[0].EventID != e.ID || got[0].SubscriptionID != w.ID {
		t.Fatalf("ClaimDeliveries: got %+v, want one delivery of evt_1 leased to worker-a", got)
	}
	d := got[0]
	if again, _ := s.ClaimDeliveries(ctx, "worker-b", at(1), time.Minute, 10); len(again) != 0 {
		t.Fatalf("a leased delivery was claimed again by worker-b")
	}
	attempt := store.DeliveryAttempt{DeliveryID: d.ID, ProjectID: p.ID, Attempt: 1, StartedAt: at(1), Latency: 1500 * time.Microsecond,
		StatusCode: 500, ResponseBody: "oops"}
	retry := store.AttemptOutcome{Status: store.DeliveryPending, NextAttemptAt: at(2)}
	wantErr(t, "FinishAttempt by another owner", s.FinishAttempt(ctx, "worker-b", attempt, retry), store.ErrNotFound)
	wantNoErr(t, "FinishAttempt", s.FinishAttempt(ctx, "worker-a", attempt, retry))
	wantErr(t, "FinishAttempt twice", s.FinishAttempt(ctx, "worker-a", attempt, retry), store.ErrNotFound)
	sub, err := s.GetWebhookSubscription(ctx, p.ID, w.ID)
	wantNoErr(t, "GetWebhookSubscription", err)
	if sub.FailingSince == nil || !sub.FailingSince.Equal(at(1)) {
		t.Errorf("FailingSince after a failure: got %v, want %v", sub.FailingSince, at(1))
	}

	// A lease that ran out is claimed by another worker: a crashed worker
	// loses nothing.
	got, _ = s.ClaimDeliveries(ctx, "worker-a", at(2), time.Minute, 10)
	if len(got) != 1 || got[0].Attempts != 1 {
		t.Fatalf("claim of the retry: got %+v", got)
	}
	got, _ = s.ClaimDeliveries(ctx, "worker-b", at(4), time.Minute, 10)
	if len(got) != 1 || got[0].LeaseOwner != "worker-b" {
		t.Fatalf("claim after the lease ran out: got %+v, want the delivery leased to worker-b", got)
	}
	wantErr(t, "FinishAttempt by the owner whose lease ran out", s.FinishAttempt(ctx, "worker-a", attempt, retry), store.ErrNotFound)
	attempt2 := attempt
	attempt2.Attempt, attempt2.StartedAt, attempt2.StatusCode, attempt2.ResponseBody = 2, at(4), 200, "ok"
	wantNoErr(t, "FinishAttempt success", s.FinishAttempt(ctx, "worker-b", attempt2,
		store.AttemptOutcome{Status: store.DeliveryDelivered, NextAttemptAt: at(4), Success: true}))
	gotD, err := s.GetDelivery(ctx, p.ID, d.ID)
	wantNoErr(t, "GetDelivery", err)
	if gotD.Status != store.DeliveryDelivered || gotD.Attempts != 2 || gotD.LastStatusCode != 200 || gotD.LeaseOwner != "" {
		t.Errorf("delivery after success: got %+v", gotD)
	}
	atts, err := s.ListDeliveryAttempts(ctx, p.ID, d.ID)
	wantNoErr(t, "ListDeliveryAttempts", err)
	if len(atts) != 2 || atts[0].StatusCode != 500 || atts[0].Latency != 1500*time.Microsecond || atts[1].ResponseBody != "ok" {
		t.Errorf("attempts: got %+v", atts)
	}
	if sub, _ := s.GetWebhookSubscription(ctx, p.ID, w.ID); sub.FailingSince != nil {
		t.Errorf("FailingSince after a success: got %v, want nil", sub.FailingSince)
	}
	if again, _ := s.ClaimDeliveries(ctx, "worker-a", at(100), time.Minute, 10); len(again) != 0 {
		t.Errorf("a delivered delivery was claimed again")
	}

	// Replay: a new delivery of the same event.
	replay := store.Delivery{ID: "dlv_replay", ProjectID: p.ID, EventID: e.ID, SubscriptionID: w.ID, Status: store.DeliveryPending,
		NextAttemptAt: at(5), CreatedAt: at(5), UpdatedAt: at(5)}
	wantNoErr(t, "CreateDelivery", s.CreateDelivery(ctx, replay))
	other := replay
	other.ID, other.ProjectID = "dlv_other", "p2"
	mustCreateProject(t, s, newProject("p2"))
	wantErr(t, "CreateDelivery of another project's event", s.CreateDelivery(ctx, other), store.ErrNotFound)

	// Sustained failure disables the subscription, and a disabled
	// subscription's deliveries are not claimed.
	got, _ = s.ClaimDeliveries(ctx, "worker-a", at(5), time.Minute, 10)
	if len(got) != 1 || got[0].ID != "dlv_replay" {
		t.Fatalf("claim of the replay: got %+v", got)
	}
	fail := store.DeliveryAttempt{DeliveryID: "dlv_replay", ProjectID: p.ID, Attempt: 1, StartedAt: at(5), Error: "connection refused"}
	wantNoErr(t, "FinishAttempt", s.FinishAttempt(ctx, "worker-a", fail, store.AttemptOutcome{Status: store.DeliveryPending,
		NextAttemptAt: at(6), DisableFailingSince: at(4), DisableReason: "failing"}))
	if sub, _ := s.GetWebhookSubscription(ctx, p.ID, w.ID); sub.Status != store.SubscriptionEnabled {
		t.Errorf("subscription failing for less than the limit: got %s, want ENABLED", sub.Status)
	}
	got, _ = s.ClaimDeliveries(ctx, "worker-a", at(6), time.Minute, 10)
	fail.Attempt, fail.StartedAt = 2, at(6)
	wantNoErr(t, "FinishAttempt", s.FinishAttempt(ctx, "worker-a", fail, store.AttemptOutcome{Status: store.DeliveryPending,
		NextAttemptAt: at(7), DisableFailingSince: at(5).Add(time.Second), DisableReason: "failing"}))
	sub, _ = s.GetWebhookSubscription(ctx, p.ID, w.ID)
	if sub.Status != store.SubscriptionDisabled || sub.DisabledReason != "failing" {
		t.Errorf("subscription failing since before the limit: got %s %q, want DISABLED", sub.Status, sub.DisabledReason)
	}
	if again, _ := s.ClaimDeliveries(ctx, "worker-a", at(100), time.Minute, 10); len(again) != 0 {
		t.Errorf("a delivery of a disabled subscription was claimed")
	}
}

// testOutboxParallelClaims checks that workers claiming at once never
// share a delivery.
func testOutboxParallelClaims(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := mustCreateProject(t, s, newProject("p1"))
	mustCreateSubscription(t, s, newSubscription(p.ID, "ws1", at(0)))
	const n = 40
	var evs []store.Event
	for i := range n {
		evs = append(evs, store.Event{ID: name("evt_", i), ProjectID: p.ID, Type: store.EventAccountCreated, AccountID: "ca", Data: []byte(`{}`), CreatedAt: at(1)})
	}
	wantNoErr(t, "AppendEvents", s.AppendEvents(ctx, evs...))
	var mu sync.Mutex
	claimed := map[string]string{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			owner := name("worker-", w)
			for {
				ds, err := s.ClaimDeliveries(ctx, owner, at(2), time.Hour, 3)
				if err != nil {
					t.Errorf("ClaimDeliveries: %v", err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					if prev, ok := claimed[d.ID]; ok {
						t.Errorf("delivery %s claimed by %s and %s", d.ID, prev, owner)
					}
					claimed[d.ID] = owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != n {
		t.Errorf("claimed %d deliveries, want %d", len(claimed), n)
	}
}

func testWebhookSubscriptions(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	w := mustCreateSubscription(t, s, newSubscription(p.ID, "ws1", at(1)))
	wantErr(t, "CreateWebhookSubscription of a taken id", s.CreateWebhookSubscription(ctx, w), store.ErrConflict)
	got, err := s.GetWebhookSubscription(ctx, p.ID, w.ID)
	wantNoErr(t, "GetWebhookSubscription", err)
	if d := diff(w, got); d != "" {
		t.Errorf("GetWebhookSubscription (-want +got):\n%s", d)
	}
	_, err = s.GetWebhookSubscription(ctx, "p2", w.ID)
	wantErr(t, "GetWebhookSubscription from another project", err, store.ErrNotFound)
	upd, err := s.UpdateWebhookSubscription(ctx, p.ID, w.ID, func(w store.WebhookSubscription) (store.WebhookSubscription, error) {
		w.URL, w.EnabledEvents, w.PreviousSecretUntil, w.UpdatedAt = "https://x.example.com/h", []string{store.EventAccountExpired}, ptr(at(9)), at(2)
		w.SealedPreviousSecret = []byte("old")
		return w, nil
	})
	wantNoErr(t, "UpdateWebhookSubscription", err)
	if upd.URL != "https://x.example.com/h" || !slices.Equal(upd.EnabledEvents, []string{store.EventAccountExpired}) ||
		string(upd.SealedPreviousSecret) != "old" || !upd.PreviousSecretUntil.Equal(at(9)) {
		t.Errorf("UpdateWebhookSubscription: got %+v", upd)
	}
	_, err = s.UpdateWebhookSubscription(ctx, "p2", w.ID, func(w store.WebhookSubscription) (store.WebhookSubscription, error) { return w, nil })
	wantErr(t, "UpdateWebhookSubscription from another project", err, store.ErrNotFound)
	mustCreateSubscription(t, s, newSubscription(p.ID, "ws2", at(3)))
	list, err := s.ListWebhookSubscriptions(ctx, p.ID)
	wantNoErr(t, "ListWebhookSubscriptions", err)
	if len(list) != 2 || list[0].ID != "ws1" || list[1].ID != "ws2" {
		t.Errorf("ListWebhookSubscriptions: got %d items", len(list))
	}
	if l2, _ := s.ListWebhookSubscriptions(ctx, "p2"); len(l2) != 0 {
		t.Errorf("ListWebhookSubscriptions of another project: got %d, want 0", len(l2))
	}
	wantErr(t, "DeleteWebhookSubscription from another project", s.DeleteWebhookSubscription(ctx, "p2", w.ID), store.ErrNotFound)
	wantNoErr(t, "DeleteWebhookSubscription", s.DeleteWebhookSubscription(ctx, p.ID, w.ID))
	wantErr(t, "DeleteWebhookSubscription twice", s.DeleteWebhookSubscription(ctx, p.ID, w.ID), store.ErrNotFound)
}

// testOutboxAuthConfigDelete checks that the accounts a deleted auth
// config takes with it get their deleted events.
func testOutboxAuthConfigDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := mustCreateProject(t, s, newProject("p1"))
	c := mustCreateAuthConfig(t, s, newAuthConfig(p.ID, "ac1", "gmail", at(1)))
	w := mustCreateSubscription(t, s, newSubscription(p.ID, "ws1", at(1)))
	mustCreateAccount(t, s, newAccount(p.ID, "ca1", c, "u1", at(2)))
	mustCreateAccount(t, s, newAccount(p.ID, "ca2", c, "u2", at(3)))
	wantNoErr(t, "DeleteAuthConfig", s.DeleteAuthConfig(ctx, p.ID, c.ID))
	for _, id := range []string{"ca1", "ca2"} {
		evs, _ := s.ListEvents(ctx, p.ID, id, 100)
		got := eventTypes(evs)
		if !slices.Contains(got, store.EventAccountDeleted) {
			t.Errorf("events of %s after its auth config was deleted: got %v, want a deleted event", id, got)
		}
	}
	ds, _ := s.ListDeliveries(ctx, p.ID, w.ID, 100)
	if len(ds) != 4 { // created and deleted, twice
		t.Errorf("deliveries: got %d, want 4", len(ds))
	}
	wantErr(t, "DeleteAuthConfig twice", s.DeleteAuthConfig(ctx, p.ID, c.ID), store.ErrNotFound)
}

// testOutboxHealthEvents checks the superseded and needs_reauth events.
func testOutboxHealthEvents(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := mustCreateProject(t, s, newProject("p1"))
	c := mustCreateAuthConfig(t, s, newAuthConfig(p.ID, "ac1", "gmail", at(1)))
	old := mustCreateAccount(t, s, newAccount(p.ID, "ca1", c, "u1", at(2)))
	mustCreateAccount(t, s, newAccount(p.ID, "ca2", c, "u1", at(3)))
	_, err := s.UpdateAccount(ctx, p.ID, old.ID, func(a store.Account) (store.Account, error) {
		a.Health, a.UpdatedAt = store.HealthNeedsReauth, at(4)
		return a, nil
	})
	wantNoErr(t, "UpdateAccount health", err)
	_, err = s.UpdateAccount(ctx, p.ID, old.ID, func(a store.Account) (store.Account, error) {
		a.Status, a.SupersededBy, a.UpdatedAt = store.StatusInactive, "ca2", at(5)
		return a, nil
	})
	wantNoErr(t, "UpdateAccount superseded", err)
	_, err = s.UpdateAccount(ctx, p.ID, old.ID, func(a store.Account) (store.Account, error) {
		a.StatusReason, a.UpdatedAt = "still superseded", at(6)
		return a, nil
	})
	wantNoErr(t, "UpdateAccount again", err)
	evs, _ := s.ListEvents(ctx, p.ID, old.ID, 100)
	var got []string
	for _, e := range evs {
		got = append(got, e.Type)
		if e.Type == store.EventAccountSuperseded {
			var d store.EventData
			json.Unmarshal(e.Data, &d)
			if d.SupersededBy != "ca2" || d.PreviousStatus != store.StatusActive {
				t.Errorf("superseded data: got %+v", d)
			}
		}
	}
	want := []string{store.EventAccountCreated, store.EventAccountActive, store.EventAccountNeedsReauth, store.EventAccountSuperseded}
	slices.Sort(got)
	slices.Sort(want)
	if d := diff(want, got); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
}
