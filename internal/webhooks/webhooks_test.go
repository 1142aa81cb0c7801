package webhooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/postgres"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/internal/store/sqlite"
	"github.com/switchboard-dev/switchboard/internal/vault"
	"github.com/switchboard-dev/switchboard/internal/webhooks"
)

func TestMain(m *testing.M) { postgrestest.Main(m) }

// clock is an injected clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func keyring(t testing.TB) *vault.Keyring {
	kr, err := vault.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func openSQLite(t testing.TB, path string) store.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return vault.NewBarrier(store.Guard(s, sqlite.Unavailable), keyring(t))
}

func openPostgres(t testing.TB, url string) store.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return vault.NewBarrier(store.Guard(s, postgres.Unavailable), keyring(t))
}

// receipt is one request the receiver got.
type receipt struct {
	header http.Header
	body   []byte
}

// receiver is a webhook endpoint on 127.0.0.1 that answers with status().
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []receipt
	status func() int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{status: func() int { return 200 }}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, receipt{req.Header.Clone(), b})
		status := r.status
		r.mu.Unlock()
		w.WriteHeader(status())
		w.Write([]byte("thanks\x00\xff"))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) receipts() []receipt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receipt(nil), r.got...)
}

type fixture struct {
	st      store.Store
	svc     *webhooks.Service
	clock   *clock
	project store.Project
	ac      store.AuthConfig
}

func newFixture(t testing.TB, st store.Store) *fixture {
	t.Helper()
	c := &clock{t: time.Now().UTC().Truncate(time.Millisecond)}
	f := &fixture{st: st, clock: c,
		svc: &webhooks.Service{Store: st, AllowLoopback: true, Now: c.Now,
			Egress: &egress.Clients{LoopbackOnly: true, Timeout: webhooks.Timeout, AllowLoopback: true}, Owner: "instance-1"}}
	f.project = store.Project{ID: "proj_1", Name: "one", CreatedAt: c.Now(), UpdatedAt: c.Now()}
	if err := st.CreateProject(t.Context(), f.project); err != nil {
		t.Fatal(err)
	}
	f.ac = store.AuthConfig{ID: "ac_1", ProjectID: f.project.ID, ToolkitSlug: "gmail", Name: "gmail", Type: "custom",
		AuthScheme: "OAUTH2", Status: store.AuthConfigEnabled, CreatedAt: c.Now(), UpdatedAt: c.Now()}
	if err := st.CreateAuthConfig(t.Context(), f.ac); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) subscribe(t *testing.T, url string, events ...string) store.WebhookSubscription {
	t.Helper()
	w, err := f.svc.Create(t.Context(), f.project.ID, webhooks.Input{URL: &url, EnabledEvents: &events})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return w
}

// account creates an ACTIVE account and expires it: two state changes.
func (f *fixture) expireAccount(t *testing.T, id string) {
	t.Helper()
	now := f.clock.Now()
	a := store.Account{ID: id, ProjectID: f.project.ID, UserID: "user-1", ToolkitSlug: "gmail", AuthConfigID: f.ac.ID,
		Status: store.StatusActive, Credentials: []byte(`{"access_token":"at-secret-never-sent"}`), ConnectedAt: &now,
		CreatedAt: now, UpdatedAt: now}
	if err := f.st.CreateAccount(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	_, err := f.st.UpdateAccount(t.Context(), f.project.ID, id, func(a store.Account) (store.Account, error) {
		a.Status, a.StatusReason, a.UpdatedAt = store.StatusExpired, "OAuth refresh token expired", f.clock.Now()
		return a, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func deliver(t *testing.T, svc *webhooks.Service) int {
	t.Helper()
	n, err := svc.DeliverDue(t.Context())
	if err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	return n
}

// TestDeliverySigned: an expired event reaches a receiver on 127.0.0.1
// with the Standard Webhooks headers and signature, in Composio's payload
// exactly, and without any credential.
func TestDeliverySigned(t *testing.T) {
	f := newFixture(t, openSQLite(t, filepath.Join(t.TempDir(), "sb.db")))
	rcv := newReceiver(t)
	w := f.subscribe(t, rcv.URL+"/hook", store.EventAccountExpired)
	f.expireAccount(t, "ca_1")
	if n := deliver(t, f.svc); n != 1 {
		t.Fatalf("DeliverDue: got %d attempts, want 1", n)
	}
	got := rcv.receipts()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests, want 1", len(got))
	}
	h, body := got[0].header, got[0].body
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	sec, _ := strconv.ParseInt(ts, 10, 64)
	if want := webhooks.Sign(id, sec, body, w.Secret); h.Get("webhook-signature") != want {
		t.Errorf("webhook-signature: got %q, want %q", h.Get("webhook-signature"), want)
	}
	if h.Get("x-composio-webhook-version") != "V3" || h.Get("x-composio-delivery-attempt") != "1" {
		t.Errorf("version and attempt headers: got %q, %q", h.Get("x-composio-webhook-version"), h.Get("x-composio-delivery-attempt"))
	}
	var payload map[string]any
	if err := json.Unmarshal(body, &payload); err != nil {
		t.Fatal(err)
	}
	if payload["id"] != id || payload["type"] != store.EventAccountExpired {
		t.Errorf("payload id and type: got %v, %v; want %s and the expired type", payload["id"], payload["type"], id)
	}
	ts0 := f.clock.Now().Format("2006-01-02T15:04:05.000Z")
	wantData := `{"id":"ca_1","toolkit":{"slug":"gmail"},"auth_config":{"id":"ac_1","auth_scheme":"OAUTH2","is_composio_managed":false,"is_disabled":false},` +
		`"status":"EXPIRED","status_reason":"OAuth refresh token expired","user_id":"user-1","created_at":"` + ts0 + `","updated_at":"` + ts0 + `",` +
		`"is_disabled":false,"state":{"authScheme":"OAUTH2","val":{}},"data":{},"params":{}}`
	var raw struct{ Data json.RawMessage }
	json.Unmarshal(body, &raw)
	if data := string(raw.Data); data != wantData {
		t.Errorf("data:\n got %s\nwant %s", raw.Data, wantData)
	}
	if meta, _ := json.Marshal(payload["metadata"]); string(meta) != `{"org_id":"proj_1","project_id":"proj_1"}` {
		t.Errorf("metadata: got %s", meta)
	}
	if strings.Contains(string(body), "at-secret-never-sent") {
		t.Errorf("the payload carries the account's credentials")
	}
	ds, _ := f.st.ListDeliveries(t.Context(), f.project.ID, w.ID, 10)
	if len(ds) != 1 || ds[0].Status != store.DeliveryDelivered {
		t.Fatalf("deliveries: got %+v", ds)
	}
	atts, _ := f.st.ListDeliveryAttempts(t.Context(), f.project.ID, ds[0].ID)
	if len(atts) != 1 || atts[0].StatusCode != 200 || atts[0].ResponseBody != "thanks\uFFFD\uFFFD" || atts[0].Latency <= 0 {
		t.Errorf("attempt record: got %+v", atts)
	}
}

// TestRetryLadder: a failing receiver is retried exactly on the ladder,
// the delivery fails after its last rung, and a subscription failing for
// DisableAfter is disabled.
func TestRetryLadder(t *testing.T) {
	f := newFixture(t, openSQLite(t, filepath.Join(t.TempDir(), "sb.db")))
	rcv := newReceiver(t)
	rcv.status = func() int { return 503 }
	w := f.subscribe(t, rcv.URL, store.EventAccountExpired)
	f.expireAccount(t, "ca_1")
	if n := deliver(t, f.svc); n != 1 {
		t.Fatalf("first attempt: got %d, want 1", n)
	}
	for i, wait := range webhooks.Ladder {
		f.clock.Add(wait - time.Second)
		if n := deliver(t, f.svc); n != 0 {
			t.Fatalf("rung %d: an attempt %v before its time", i+1, time.Second)
		}
		f.clock.Add(time.Second)
		if n := deliver(t, f.svc); n != 1 {
			t.Fatalf("rung %d: got %d attempts at its time, want 1", i+1, n)
		}
		got := rcv.receipts()
		if a := got[len(got)-1].header.Get("x-composio-delivery-attempt"); a != strconv.Itoa(i+2) {
			t.Errorf("rung %d: x-composio-delivery-attempt %s, want %d", i+1, a, i+2)
		}
	}
	ds, _ := f.st.ListDeliveries(t.Context(), f.project.ID, w.ID, 10)
	if ds[0].Status != store.DeliveryFailed || ds[0].Attempts != len(webhooks.Ladder)+1 {
		t.Errorf("after the ladder: got %s after %d attempts, want FAILED after %d", ds[0].Status, ds[0].Attempts, len(webhooks.Ladder)+1)
	}
	f.clock.Add(48 * time.Hour)
	if n := deliver(t, f.svc); n != 0 {
		t.Errorf("a FAILED delivery was attempted again")
	}
	// The ladder spans more than DisableAfter, so the subscription is off.
	sub, _ := f.svc.Get(t.Context(), f.project.ID, w.ID)
	if sub.Status != store.SubscriptionDisabled {
		t.Errorf("subscription after %v of failure: got %s, want DISABLED", webhooks.DisableAfter, sub.Status)
	}
	// Replaying waits while the subscription is disabled, and goes once
	// it is enabled again.
	rcv.status = func() int { return 204 }
	r, err := f.svc.Replay(t.Context(), f.project.ID, w.ID, ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := deliver(t, f.svc); n != 0 {
		t.Errorf("a disabled subscription's delivery was attempted")
	}
	on := true
	if _, err := f.svc.Update(t.Context(), f.project.ID, w.ID, webhooks.Input{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	if n := deliver(t, f.svc); n != 1 {
		t.Fatalf("replay after enabling: got %d attempts, want 1", n)
	}
	got := rcv.receipts()
	if got[len(got)-1].header.Get("webhook-id") != got[0].header.Get("webhook-id") {
		t.Errorf("a replay has a new webhook-id; receivers dedupe on it")
	}
	d, atts, err := f.svc.Delivery(t.Context(), f.project.ID, w.ID, r.ID)
	if err != nil || d.Status != store.DeliveryDelivered || len(atts) != 1 || atts[0].StatusCode != 204 {
		t.Errorf("replay: got %+v %+v %v", d, atts, err)
	}
}

// TestCrashLosesNothing: a state change committed by a server that dies
// before it delivers (the store closed without a worker ever running) is
// delivered by the next server on the same database; and a delivery an
// instance claimed but never finished (killed mid-send) goes out once its
// lease runs out.
func TestCrashLosesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb.db")
	raw, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	first := vault.NewBarrier(store.Guard(raw, sqlite.Unavailable), keyring(t))
	f := newFixture(t, first)
	rcv := newReceiver(t)
	f.subscribe(t, rcv.URL, store.EventAccountCreated, store.EventAccountExpired)
	f.expireAccount(t, "ca_1")
	// The first instance claims one delivery and dies before sending it.
	claimed, err := first.ClaimDeliveries(t.Context(), "instance-that-dies", f.clock.Now(), webhooks.Lease, 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v, %d", err, len(claimed))
	}
	raw.Close()

	second := openSQLite(t, path)
	svc := &webhooks.Service{Store: second, AllowLoopback: true, Now: f.clock.Now,
		Egress: &egress.Clients{LoopbackOnly: true, AllowLoopback: true}, Owner: "instance-2"}
	if n := deliver(t, svc); n != 1 {
		t.Fatalf("the next server: got %d attempts, want the one unclaimed delivery", n)
	}
	f.clock.Add(webhooks.Lease)
	if n := deliver(t, svc); n != 1 {
		t.Fatalf("after the lease: got %d attempts, want the dead instance's delivery", n)
	}
	seen := map[string]int{}
	for _, r := range rcv.receipts() {
		var p struct{ Type string }
		json.Unmarshal(r.body, &p)
		seen[p.Type]++
	}
	if seen[store.EventAccountCreated] != 1 || seen[store.EventAccountExpired] != 1 {
		t.Errorf("received: got %v, want created and expired once each", seen)
	}
}

// TestTwoInstancesOnePostgres: two instances on one PostgreSQL database,
// working at once, deliver every event exactly once.
func TestTwoInstancesOnePostgres(t *testing.T) {
	url := postgrestest.URL(t)
	a, b := openPostgres(t, url), openPostgres(t, url)
	f := newFixture(t, a)
	rcv := newReceiver(t)
	f.subscribe(t, rcv.URL, store.EventAccountCreated, store.EventAccountExpired)
	const accounts = 25
	for i := range accounts {
		f.expireAccount(t, "ca_"+strconv.Itoa(i))
	}
	svcs := []*webhooks.Service{
		f.svc,
		{Store: b, AllowLoopback: true, Now: f.clock.Now, Egress: &egress.Clients{LoopbackOnly: true, AllowLoopback: true}, Owner: "instance-2"},
	}
	var wg sync.WaitGroup
	counts := make([]int, len(svcs))
	for i, svc := range svcs {
		wg.Go(func() {
			for range 3 {
				n, err := svc.DeliverDue(t.Context())
				if err != nil {
					t.Errorf("DeliverDue: %v", err)
				}
				counts[i] += n
			}
		})
	}
	wg.Wait()
	ids := map[string]int{}
	for _, r := range rcv.receipts() {
		ids[r.header.Get("webhook-id")]++
	}
	if len(ids) != 2*accounts {
		t.Errorf("received %d distinct events, want %d", len(ids), 2*accounts)
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("event %s delivered %d times, want once", id, n)
		}
	}
	t.Logf("attempts per instance: %v", counts)
}

// TestRotationOverlap: during a rotation both secrets sign; after the
// overlap only the new one does.
func TestRotationOverlap(t *testing.T) {
	f := newFixture(t, openSQLite(t, filepath.Join(t.TempDir(), "sb.db")))
	rcv := newReceiver(t)
	w := f.subscribe(t, rcv.URL, store.EventAccountCreated)
	rotated, err := f.svc.RotateSecret(t.Context(), f.project.ID, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(rotated.Secret, w.Secret) || !bytes.Equal(rotated.PreviousSecret, w.Secret) {
		t.Fatalf("rotation did not keep the old secret as the previous one")
	}
	check := func(id string, want ...[]byte) {
		t.Helper()
		f.expireAccount(t, id)
		deliver(t, f.svc)
		got := rcv.receipts()
		h, body := got[len(got)-1].header, got[len(got)-1].body
		sec, _ := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
		if s := webhooks.Sign(h.Get("webhook-id"), sec, body, want...); h.Get("webhook-signature") != s {
			t.Errorf("signature: got %q, want %q", h.Get("webhook-signature"), s)
		}
	}
	check("ca_during", rotated.Secret, w.Secret)
	f.clock.Add(webhooks.RotationOverlap)
	check("ca_after", rotated.Secret)
}

// TestValidation: bad input is a 400-kind problem with a code and changes
// nothing.
func TestValidation(t *testing.T) {
	f := newFixture(t, openSQLite(t, filepath.Join(t.TempDir(), "sb.db")))
	f.svc.AllowLoopback = false
	str := func(s string) *string { return &s }
	evs := func(e ...string) *[]string { return &e }
	tests := []struct {
		name string
		in   webhooks.Input
		code string
	}{
		{"no url", webhooks.Input{EnabledEvents: evs(store.EventAccountExpired)}, "webhook_url_required"},
		{"loopback without the allowance", webhooks.Input{URL: str("http://127.0.0.1:9/x"), EnabledEvents: evs(store.EventAccountExpired)}, "invalid_webhook_url"},
		{"private address", webhooks.Input{URL: str("https://10.0.0.1/x"), EnabledEvents: evs(store.EventAccountExpired)}, "invalid_webhook_url"},
		{"plain http", webhooks.Input{URL: str("http://hooks.example.com/x"), EnabledEvents: evs(store.EventAccountExpired)}, "invalid_webhook_url"},
		{"no events", webhooks.Input{URL: str("https://hooks.example.com/x"), EnabledEvents: evs()}, "enabled_events_required"},
		{"unknown event", webhooks.Input{URL: str("https://hooks.example.com/x"), EnabledEvents: evs("composio.trigger.message")}, "unknown_event_type"},
		{"V2 payloads", webhooks.Input{URL: str("https://hooks.example.com/x"), EnabledEvents: evs(store.EventAccountExpired), Version: str("V2")}, "unsupported_webhook_version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.Create(t.Context(), f.project.ID, tt.in)
			p, ok := errors.AsType[*problem.Error](err)
			if !ok || p.Kind != problem.Invalid || p.Code != tt.code {
				t.Errorf("Create: got %v, want a %s problem", err, tt.code)
			}
		})
	}
	if subs, _ := f.svc.List(t.Context(), f.project.ID); len(subs) != 0 {
		t.Errorf("refused creates stored %d subscriptions", len(subs))
	}
	_, err := f.svc.Get(context.Background(), f.project.ID, "ws_missing")
	if p, ok := errors.AsType[*problem.Error](err); !ok || p.Kind != problem.NotFound {
		t.Errorf("Get of a missing subscription: got %v, want not found", err)
	}
}
