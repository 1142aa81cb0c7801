package e2e

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// TestExpiringWarning connects an account at a provider whose refresh
// tokens live ten days and say so (refresh_token_expires_in): a day
// before the token runs out the sweeper writes one
// composio.connected_account.expiring, delivered with the token's end;
// sweeping again sends nothing more; a refresh that rotates the token
// schedules a warning for the new one.
func TestExpiringWarning(t *testing.T) {
	const lifetime = 10 * 24 * time.Hour
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			var mu sync.Mutex
			now := time.Now().UTC()
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
			o := serverOptions{Now: clock}
			if backend == "postgres" {
				o.DatabaseURL = postgrestest.URL(t)
			}
			s := startServer(t, o)
			p := oauthtest.NewProvider(t, oauthtest.WithRefreshTokenTTL(lifetime))
			p.AddUser(work.Login, work.Password, work.Email)
			p.RegisterClient("switchboard-client", "switchboard-secret", s.URL+"/api/v3/toolkits/auth/callback")
			gmailConfig(t, s.Client, p)
			rcv := newHookReceiver(t)
			var sub struct{ ID string }
			if code := hookAPICall(t, s, "POST", "/api/v3/webhook_subscriptions", map[string]any{
				"webhook_url": rcv.URL + "/hooks", "enabled_events": []string{store.EventAccountExpiring},
			}, &sub); code != http.StatusCreated {
				t.Fatalf("create subscription: %d", code)
			}
			var types struct {
				Items []struct {
					EventType string `json:"event_type"`
				}
			}
			hookAPICall(t, s, "GET", "/api/v3/webhook_subscriptions/event_types", nil, &types)
			offered := false
			for _, it := range types.Items {
				offered = offered || it.EventType == store.EventAccountExpiring
			}
			if !offered {
				t.Errorf("event_types does not offer %s: %+v", store.EventAccountExpiring, types.Items)
			}
			sess, err := s.Client.Create(ctxT(t), "user_123")
			if err != nil {
				t.Fatal(err)
			}
			connectedAt := clock()
			ca := connect(t, sess, work)
			ctx := ctxT(t)

			// Not yet: nine days less a minute after the connection.
			advance(lifetime - 24*time.Hour - time.Minute)
			if n, err := s.App.Accounts.WarnExpiring(ctx); err != nil || n != 0 {
				t.Fatalf("WarnExpiring more than a day before the end: %d %v, want 0", n, err)
			}
			advance(2 * time.Minute)
			if n, err := s.App.Accounts.WarnExpiring(ctx); err != nil || n != 1 {
				t.Fatalf("WarnExpiring a day before the end: %d %v, want 1", n, err)
			}
			if n, err := s.App.Accounts.WarnExpiring(ctx); err != nil || n != 0 {
				t.Fatalf("WarnExpiring again: %d %v, want 0", n, err)
			}
			d := rcv.wait(t, store.EventAccountExpiring)
			var got struct {
				Type string
				Data struct {
					ID                    string `json:"id"`
					Status                string `json:"status"`
					RefreshTokenExpiresAt string `json:"refresh_token_expires_at"`
				}
			}
			if err := json.Unmarshal(d.Body, &got); err != nil {
				t.Fatal(err)
			}
			end, err := time.Parse(time.RFC3339, got.Data.RefreshTokenExpiresAt)
			if err != nil || got.Data.ID != ca.ID || got.Data.Status != "ACTIVE" ||
				end.Sub(connectedAt.Add(lifetime)).Abs() > 5*time.Second {
				t.Errorf("expiring payload: %s; want %s ACTIVE ending near %v", d.Body, ca.ID, connectedAt.Add(lifetime))
			}

			// A refresh rotates the refresh token: a new end, a new warning.
			if code := hookAPICall(t, s, "POST", "/api/v3.1/connected_accounts/"+ca.ID+"/refresh", map[string]any{}, nil); code != http.StatusOK {
				t.Fatalf("refresh: %d", code)
			}
			if n, _ := s.App.Accounts.WarnExpiring(ctx); n != 0 {
				t.Errorf("WarnExpiring right after the rotation: %d, want 0", n)
			}
			advance(lifetime - 24*time.Hour + time.Minute)
			if n, err := s.App.Accounts.WarnExpiring(ctx); err != nil || n != 1 {
				t.Errorf("WarnExpiring a day before the new token's end: %d %v, want 1", n, err)
			}
		})
	}
}
