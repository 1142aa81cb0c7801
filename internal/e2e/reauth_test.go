package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
)

// bothStores runs a test on a server with SQLite and one with PostgreSQL.
func bothStores(t *testing.T, run func(t *testing.T, s *server)) {
	t.Run("sqlite", func(t *testing.T) { run(t, startServer(t, serverOptions{})) })
	t.Run("postgres", func(t *testing.T) { run(t, startServer(t, serverOptions{DatabaseURL: postgrestest.URL(t)})) })
}

// gmailConfigPolicy is gmailConfig with a duplicate policy.
func gmailConfigPolicy(t testing.TB, c *sdk.Client, p *oauthtest.Provider, policy string) (string, error) {
	t.Helper()
	res, err := c.AuthConfigs().Create(context.Background(), "gmail", wire.AuthConfigSpec{
		Type: "use_custom_auth", AuthScheme: "OAUTH2", DuplicatePolicy: policy,
		Credentials: map[string]any{
			"client_id": "switchboard-client", "client_secret": "switchboard-secret",
			"scopes":            []any{"https://mail.google.com/", "openid", "email"},
			"authorization_url": p.AuthorizeURL(), "token_url": p.TokenURL(), "userinfo_url": p.GmailProfileURL(),
		},
	})
	if err != nil {
		return "", err
	}
	return res.AuthConfig.ID, nil
}

// TestReauthorizeAsksForTheAccount: re-authorizing an account sends its
// recorded email as login_hint and asks for the account chooser, as the
// gmail toolkit declares; signing in as someone else is still refused and
// the account keeps its tokens; signing in as its owner brings it back.
func TestReauthorizeAsksForTheAccount(t *testing.T) {
	bothStores(t, func(t *testing.T, s *server) {
		ctx := ctxT(t)
		p := provider(t, s)
		gmailConfig(t, s.Client, p)
		sess, err := s.Client.Create(ctx, "user_1")
		if err != nil {
			t.Fatal(err)
		}
		acct := connect(t, sess, work)
		first := p.Authorizes()
		if len(first) != 1 || first[0].Has("login_hint") || first[0].Get("prompt") != "consent" {
			t.Fatalf("first connection's authorization request: %v; want no login_hint and the toolkit's prompt=consent", first)
		}

		p.RevokeUser(work.Login)
		if _, err := s.Client.ConnectedAccounts().Refresh(ctx, acct.ID); err == nil {
			t.Fatal("refresh of a revoked grant succeeded")
		}
		ref, err := s.Client.ConnectedAccounts().Refresh(ctx, acct.ID)
		if err != nil || ref.RedirectURL == nil {
			t.Fatalf("re-authorize: %v %v", ref, err)
		}
		resp := consent(t, *ref.RedirectURL, personal, true)
		if resp.StatusCode == http.StatusOK && strings.Contains(body(resp), "connected") {
			t.Fatalf("re-authorizing %s as %s succeeded", work.Email, personal.Email)
		}
		if b := body(resp); !strings.Contains(b, work.Email) || !strings.Contains(b, personal.Email) {
			t.Errorf("the refusal does not name both identities: %s", b)
		}
		all := p.Authorizes()
		last := all[len(all)-1]
		if got := last.Get("login_hint"); got != work.Email {
			t.Errorf("re-authorization login_hint = %q, want %q", got, work.Email)
		}
		if got := strings.Fields(last.Get("prompt")); !slices.Contains(got, "select_account") || !slices.Contains(got, "consent") {
			t.Errorf("re-authorization prompt = %q, want select_account and the toolkit's consent", last.Get("prompt"))
		}
		a, err := s.Client.ConnectedAccounts().Get(ctx, acct.ID)
		if err != nil || a.Status != "EXPIRED" || a.Identity != work.Email {
			t.Fatalf("after the refused re-authorization: %+v %v; want EXPIRED as %s", a, err, work.Email)
		}
		if a.Health == nil || a.Health.Status != "needs_reauth" {
			t.Errorf("health of an EXPIRED account: %+v, want needs_reauth", a.Health)
		}

		ref, err = s.Client.ConnectedAccounts().Refresh(ctx, acct.ID)
		if err != nil || ref.RedirectURL == nil {
			t.Fatalf("re-authorize again: %v %v", ref, err)
		}
		if resp := consent(t, *ref.RedirectURL, work, true); resp.StatusCode != http.StatusOK {
			t.Fatalf("re-authorization as the owner: %d %s", resp.StatusCode, body(resp))
		}
		a, err = s.Client.ConnectedAccounts().Get(ctx, acct.ID)
		if err != nil || a.Status != "ACTIVE" || a.Health == nil || a.Health.Status != "ok" {
			t.Fatalf("after re-authorizing as the owner: %+v %v; want ACTIVE and ok", a, err)
		}
	})
}

// TestDuplicatePolicies: allow keeps both accounts of one identity
// ACTIVE; reject refuses the second connection and leaves the first as it
// was; an unknown policy is a 400 that creates nothing.
func TestDuplicatePolicies(t *testing.T) {
	bothStores(t, func(t *testing.T, s *server) {
		ctx := ctxT(t)
		p := provider(t, s)
		_, err := gmailConfigPolicy(t, s.Client, p, "merge")
		if ae, ok := err.(*sdk.APIError); !ok || ae.Status != http.StatusBadRequest || !strings.Contains(ae.Error(), "invalid_duplicate_policy") {
			t.Fatalf("unknown duplicate_policy: %v, want 400 invalid_duplicate_policy", err)
		}
		list, err := s.Client.AuthConfigs().List(ctx, sdk.ListAuthConfigsParams{})
		if err != nil || len(list.Items) != 0 {
			t.Fatalf("after the refused create: %v %v, want no auth config", list, err)
		}

		acID, err := gmailConfigPolicy(t, s.Client, p, "reject")
		if err != nil {
			t.Fatal(err)
		}
		sess, err := s.Client.Create(ctx, "user_1")
		if err != nil {
			t.Fatal(err)
		}
		first := connect(t, sess, work)
		req, err := sess.Authorize(ctx, "gmail")
		if err != nil {
			t.Fatal(err)
		}
		resp := consent(t, req.RedirectURL, work, true)
		if b := body(resp); resp.StatusCode == http.StatusOK || !strings.Contains(b, first.ID) {
			t.Errorf("second connection of %s under reject: %d %s; want a refusal naming %s", work.Email, resp.StatusCode, b, first.ID)
		}
		second, err := s.Client.ConnectedAccounts().Get(ctx, req.ID)
		if err != nil || second.Status != "FAILED" || second.StatusReason == nil || !strings.Contains(*second.StatusReason, first.ID) {
			t.Errorf("the refused account: %+v %v; want FAILED naming %s", second, err, first.ID)
		}
		if a, err := s.Client.ConnectedAccounts().Get(ctx, first.ID); err != nil || a.Status != "ACTIVE" {
			t.Errorf("the first account after a refused duplicate: %+v %v; want ACTIVE", a, err)
		}

		// allow: switch the policy, and both stay ACTIVE.
		if err := s.Client.AuthConfigs().Update(ctx, acID, wire.AuthConfigUpdateRequest{DuplicatePolicy: ptrTo("allow")}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Client.AuthConfigs().Get(ctx, acID); err != nil || got.DuplicatePolicy != "allow" {
			t.Fatalf("auth config after update: %+v %v", got, err)
		}
		third := connect(t, sess, work)
		for _, id := range []string{first.ID, third.ID} {
			if a, err := s.Client.ConnectedAccounts().Get(ctx, id); err != nil || a.Status != "ACTIVE" {
				t.Errorf("%s under allow: %+v %v; want ACTIVE", id, a, err)
			}
		}

		// A default can be chosen and cleared through the Go SDK.
		d, err := s.Client.ConnectedAccounts().SetDefault(ctx, first.ID, true)
		if err != nil || !d.IsDefault {
			t.Fatalf("SetDefault: %+v %v", d, err)
		}
		if got := activeGmail(t, sess); got != first.ID {
			t.Errorf("with %s the default the session uses %s", first.ID, got)
		}
		if _, err := s.Client.ConnectedAccounts().SetDefault(ctx, second.ID, true); err == nil || !strings.Contains(err.Error(), "account_not_active") {
			t.Errorf("making a FAILED account the default: %v, want 400 account_not_active", err)
		}
		if _, err := s.Client.ConnectedAccounts().SetDefault(ctx, first.ID, false); err != nil {
			t.Fatal(err)
		}
		if got := activeGmail(t, sess); got != third.ID {
			t.Errorf("with no default the session uses %s, want the most recent %s", got, third.ID)
		}
	})
}

func ptrTo[T any](v T) *T { return &v }
