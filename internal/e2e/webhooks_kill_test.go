package e2e

import (
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
)

// TestKillNineLosesNoEvent runs the switchboard binary as a process, on
// PostgreSQL and on a SQLite file, with its webhook worker polling once
// an hour, so that the events of a connection and a deletion wait in the
// outbox; kills it with SIGKILL before anything was delivered; and starts
// it again on the same database, whose worker delivers every event: each
// event the outbox holds reaches the receiver at least once, always with
// the event's id as webhook-id, and every delivery ends DELIVERED.
func TestKillNineLosesNoEvent(t *testing.T) {
	bin := buildBinary(t)
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			storeEnv := "SWITCHBOARD_DATA_DIR=" + filepath.Join(t.TempDir(), "data")
			if backend == "postgres" {
				storeEnv = "SWITCHBOARD_DATABASE_URL=" + postgrestest.URL(t)
			}
			// The first worker looks once, at start, and then not for an
			// hour: whatever happens after start stays undelivered.
			a := startProcessEnv(t, bin, storeEnv, "SWITCHBOARD_WEBHOOK_POLL=1h")
			sa := &server{URL: a.URL, Client: sdk.New(testKey, a.URL)}
			p := provider(t, sa)
			gmailConfig(t, sa.Client, p)
			rcv := newHookReceiver(t)
			var sub wire.WebhookSubscription
			types := []string{store.EventAccountCreated, store.EventAccountActive, store.EventAccountDeleted}
			if code := hookAPICall(t, sa, "POST", "/api/v3/webhook_subscriptions", map[string]any{
				"webhook_url": rcv.URL + "/hooks", "enabled_events": types,
			}, &sub); code != http.StatusCreated {
				t.Fatalf("create subscription: %d %+v", code, sub)
			}
			sess, err := sa.Client.Create(ctxT(t), "user_123")
			if err != nil {
				t.Fatal(err)
			}
			kept := connect(t, sess, work)
			gone := connect(t, sess, personal)
			if code := hookAPICall(t, sa, "DELETE", "/api/v3.1/connected_accounts/"+gone.ID, nil, nil); code != http.StatusOK {
				t.Fatalf("delete %s: %d", gone.ID, code)
			}
			// Everything is in the outbox, nothing delivered yet.
			var before wire.WebhookDeliveryList
			if code := hookAPICall(t, sa, "GET", "/api/v3/webhook_subscriptions/"+sub.ID+"/deliveries?limit=200", nil, &before); code != http.StatusOK {
				t.Fatalf("list deliveries: %d", code)
			}
			// created and active for each account, deleted for one.
			if len(before.Items) != 5 {
				t.Fatalf("before the kill: %d deliveries, want 5: %+v", len(before.Items), before.Items)
			}
			var want []string
			for _, d := range before.Items {
				if d.Status != store.DeliveryPending || d.Attempts != 0 {
					t.Fatalf("before the kill, delivery %s is %s after %d attempts, want PENDING after none", d.ID, d.Status, d.Attempts)
				}
				want = append(want, d.EventID)
			}
			if got := rcv.count(); got != 0 {
				t.Fatalf("the receiver got %d deliveries before the kill, want none", got)
			}

			if err := a.cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown of any kind
				t.Fatal(err)
			}
			a.cmd.Wait()

			b := startProcessEnv(t, bin, storeEnv)
			sb := &server{URL: b.URL, Client: sdk.New(testKey, b.URL)}
			deadline := time.Now().Add(30 * time.Second)
			var after wire.WebhookDeliveryList
			for {
				if code := hookAPICall(t, sb, "GET", "/api/v3/webhook_subscriptions/"+sub.ID+"/deliveries?limit=200", nil, &after); code != http.StatusOK {
					t.Fatalf("list deliveries after the restart: %d", code)
				}
				if !slices.ContainsFunc(after.Items, func(d wire.WebhookDelivery) bool { return d.Status != store.DeliveryDelivered }) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("after the restart, not every delivery was made within 30s: %+v", after.Items)
				}
				time.Sleep(100 * time.Millisecond)
			}
			if len(after.Items) != len(want) {
				t.Errorf("after the restart: %d deliveries, want %d", len(after.Items), len(want))
			}
			got := map[string]int{}
			typeOf := map[string]string{}
			for _, d := range rcv.all() {
				id := d.Header.Get("webhook-id")
				got[id]++
				typeOf[id] = d.Type
			}
			for _, id := range want {
				if got[id] < 1 {
					t.Errorf("event %s was never delivered", id)
				}
			}
			var ids []string
			for id := range got {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			sort.Strings(want)
			if !slices.Equal(ids, slices.Compact(want)) {
				t.Errorf("the receiver got webhook-ids %v, want %v", ids, want)
			}
			deleted := 0
			for _, typ := range typeOf {
				if typ == store.EventAccountDeleted {
					deleted++
				}
			}
			if deleted != 1 {
				t.Errorf("the receiver got %d distinct deleted events, want 1 (of %s)", deleted, gone.ID)
			}
			// The surviving account still works on the new process.
			if _, err := sb.Client.ConnectedAccounts().Get(ctxT(t), kept.ID); err != nil {
				t.Errorf("get %s after the restart: %v", kept.ID, err)
			}
		})
	}
}
