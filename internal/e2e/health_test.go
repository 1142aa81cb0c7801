package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/sdk"
)

// TestAccountHealth: the check meta tool verifies an account against the
// provider; the prober verifies stale ones; a 401 that a refresh does not
// cure expires the account with the reason and the agent gets a link;
// a revoked grant reads needs_reauth with a link. Both stores.
func TestAccountHealth(t *testing.T) {
	bothStores(t, func(t *testing.T, s *server) {
		ctx := ctxT(t)
		p := provider(t, s)
		var refuse atomic.Bool
		api := &fakeAPI{}
		upstream := newFakeAPI(t, p)
		api.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if refuse.Load() {
				w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
				http.Error(w, `{"error":"invalid_token"}`, http.StatusUnauthorized)
				return
			}
			upstream.Config.Handler.ServeHTTP(w, r)
		}))
		t.Cleanup(api.Close)
		gmailConfigAt(t, s.Client, p, api)
		sess, err := s.Client.Create(ctx, "user_1", sdk.WithManageConnections(true, ""))
		if err != nil {
			t.Fatal(err)
		}
		acct := connect(t, sess, work)

		check := func(t *testing.T, args map[string]any) map[string]any {
			t.Helper()
			res, err := sess.Execute(ctx, "SWITCHBOARD_CHECK_ACCOUNT", args)
			if err != nil {
				t.Fatalf("check account: %v", err)
			}
			var out map[string]any
			if err := json.Unmarshal(res.Data, &out); err != nil {
				t.Fatalf("check account data %s: %v", res.Data, err)
			}
			return out
		}
		got := check(t, map[string]any{"toolkit": "gmail"})
		if got["account_id"] != acct.ID || got["health"] != "ok" || got["identity"] != work.Email || got["verified_at"] == nil {
			t.Errorf("check of a working account: %v", got)
		}

		// The prober claims stale accounts and verifies them.
		before, _ := s.Client.ConnectedAccounts().Get(ctx, acct.ID)
		time.Sleep(5 * time.Millisecond)
		n, err := s.App.Accounts.ProbeOnce(ctx, accounts.ProbeOptions{Stale: time.Millisecond, Batch: 10})
		if err != nil || n != 1 {
			t.Fatalf("ProbeOnce = %d, %v; want the one stale account", n, err)
		}
		after, _ := s.Client.ConnectedAccounts().Get(ctx, acct.ID)
		if after.Health == nil || after.Health.Status != "ok" || !after.Health.VerifiedAt.After(*before.Health.VerifiedAt) {
			t.Errorf("after a probe: %+v, want ok and verified after %v", after.Health, before.Health.VerifiedAt)
		}
		if n, err := s.App.Accounts.ProbeOnce(ctx, accounts.ProbeOptions{Stale: time.Hour, Batch: 10}); err != nil || n != 0 {
			t.Errorf("ProbeOnce of a freshly verified account = %d, %v; want 0", n, err)
		}

		// A 401 that the refresh does not cure expires the account.
		refuse.Store(true)
		res, err := sess.Execute(ctx, "GMAIL_GET_PROFILE", map[string]any{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.Error, "EXPIRED") || !strings.Contains(res.Error, "/link/") {
			t.Errorf("a call refused after a refresh: %q; want the account EXPIRED and a re-authorization link", res.Error)
		}
		a, err := s.Client.ConnectedAccounts().Get(ctx, acct.ID)
		if err != nil || a.Status != "INITIATED" && a.Status != "EXPIRED" {
			t.Fatalf("after the refused call: %+v %v", a, err)
		}
		if a.StatusReason == nil || !strings.Contains(*a.StatusReason, "401") {
			t.Errorf("reason after the refused call: %v, want the 401 named", a.StatusReason)
		}
	})
}

// TestCheckAccountNeedsReauth: a revoked grant is reported as
// needs_reauth by the check meta tool, with the link that fixes it.
func TestCheckAccountNeedsReauth(t *testing.T) {
	bothStores(t, func(t *testing.T, s *server) {
		ctx := ctxT(t)
		p := provider(t, s)
		gmailConfig(t, s.Client, p)
		sess, err := s.Client.Create(ctx, "user_1", sdk.WithManageConnections(true, ""))
		if err != nil {
			t.Fatal(err)
		}
		acct := connect(t, sess, work)
		p.RevokeUser(work.Login)
		p.ExpireAccessTokens()
		res, err := sess.Execute(ctx, "SWITCHBOARD_CHECK_ACCOUNT", map[string]any{"account": acct.ID})
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		json.Unmarshal(res.Data, &out)
		if out["health"] != "needs_reauth" || !strings.Contains(out["redirect_url"].(string), "/link/") || out["last_error"] == "" {
			t.Errorf("check of a revoked account: %v", out)
		}
		a, _ := s.Client.ConnectedAccounts().Get(ctx, acct.ID)
		if a.Health == nil || a.Health.Status != "needs_reauth" {
			t.Errorf("health after the check: %+v, want needs_reauth", a.Health)
		}
		// Another user's account is not this session's to check.
		other, err := s.Client.Create(ctx, "user_2", sdk.WithManageConnections(true, ""))
		if err != nil {
			t.Fatal(err)
		}
		res, err = other.Execute(ctx, "SWITCHBOARD_CHECK_ACCOUNT", map[string]any{"account": acct.ID})
		if err != nil || !strings.Contains(res.Error, "not one of user_2's accounts") {
			t.Errorf("checking another user's account: %+v %v", res, err)
		}
	})
}
