package e2e

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/webhooks"
)

// TestWebhookMetrics scrapes /metrics while the server's own worker
// delivers: failed attempts count as retrying and keep the outbox backlog
// up, successful ones as delivered and empty it, the last failed rung of
// a subscription failing for three days as disabled; every attempt is
// timed; no sample carries a subscription, project or user id.
func TestWebhookMetrics(t *testing.T) {
	var mu sync.Mutex
	now := time.Now().UTC()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	s := startServer(t, serverOptions{Now: clock})
	p := provider(t, s)
	gmailConfig(t, s.Client, p)

	var status atomic.Int32
	status.Store(http.StatusServiceUnavailable)
	rcv := newHookReceiver(t)
	inner := rcv.Config.Handler
	rcv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if code := int(status.Load()); code != http.StatusNoContent {
			w.WriteHeader(code)
			return
		}
		inner.ServeHTTP(w, r)
	})
	var sub struct{ ID string }
	if code := hookAPICall(t, s, "POST", "/api/v3/webhook_subscriptions", map[string]any{
		"webhook_url":    rcv.URL + "/hooks",
		"enabled_events": []string{store.EventAccountCreated, store.EventAccountActive, store.EventAccountDeleted},
	}, &sub); code != http.StatusCreated {
		t.Fatalf("create subscription: %d", code)
	}

	outcome := func(fams map[string]*dto.MetricFamily, o string) float64 {
		return value(fams, "switchboard_webhook_deliveries_total", map[string]string{"outcome": o})
	}
	waitFor := func(what string, ok func(map[string]*dto.MetricFamily) bool) map[string]*dto.MetricFamily {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			fams := scrape(t, s)
			if ok(fams) {
				return fams
			}
			if time.Now().After(deadline) {
				t.Fatalf("within 20s, never %s: deliveries delivered %v retrying %v failed %v disabled %v, backlog %v", what,
					outcome(fams, "delivered"), outcome(fams, "retrying"), outcome(fams, "failed"), outcome(fams, "disabled"),
					value(fams, "switchboard_webhook_outbox_backlog", nil))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	sess, err := s.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	ca := connect(t, sess, work) // created and active: two deliveries
	waitFor("two retrying attempts with a backlog of two", func(f map[string]*dto.MetricFamily) bool {
		return outcome(f, "retrying") == 2 && value(f, "switchboard_webhook_outbox_backlog", nil) == 2
	})

	status.Store(http.StatusNoContent)
	advance(webhooks.Ladder[0])
	fams := waitFor("two delivered with the backlog empty", func(f map[string]*dto.MetricFamily) bool {
		return outcome(f, "delivered") == 2 && value(f, "switchboard_webhook_outbox_backlog", nil) == 0
	})
	if n := value(fams, "switchboard_webhook_delivery_duration_seconds", nil); n != 4 {
		t.Errorf("delivery latency histogram counts %v attempts, want 4", n)
	}

	// A receiver down for good: the deleted event climbs the ladder, and
	// the attempt that finds the subscription failing for over 72 hours
	// disables it.
	status.Store(http.StatusBadGateway)
	if code := hookAPICall(t, s, "DELETE", "/api/v3.1/connected_accounts/"+ca.ID, nil, nil); code != http.StatusOK {
		t.Fatalf("delete: %d", code)
	}
	for i, wait := range webhooks.Ladder {
		want := float64(3 + i)
		waitFor("attempt "+time.Duration(i).String(), func(f map[string]*dto.MetricFamily) bool {
			return outcome(f, "retrying")+outcome(f, "disabled")+outcome(f, "failed") == want
		})
		advance(wait)
	}
	fams = waitFor("the subscription disabled", func(f map[string]*dto.MetricFamily) bool { return outcome(f, "disabled") == 1 })
	if got := outcome(fams, "retrying"); got != float64(2+len(webhooks.Ladder)) {
		t.Errorf("retrying attempts: %v, want %d", got, 2+len(webhooks.Ladder))
	}
	for _, name := range []string{"switchboard_webhook_deliveries_total", "switchboard_webhook_delivery_duration_seconds", "switchboard_webhook_outbox_backlog"} {
		f, ok := fams[name]
		if !ok {
			t.Errorf("%s is not exported", name)
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() != "outcome" {
					t.Errorf("%s has label %s=%s: only outcome is allowed", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
}
