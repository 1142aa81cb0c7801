package e2e

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
)

func TestScenarioSQLite(t *testing.T) {
	s := startServer(t, serverOptions{OpenAPI: true})
	runScenario(t, s)
}

func TestScenarioPostgres(t *testing.T) {
	s := startServer(t, serverOptions{DatabaseURL: postgrestest.URL(t)})
	runScenario(t, s)
}

// connect authorizes gmail through a session as id and waits for it.
func connect(t testing.TB, sess *sdk.Session, id identity) *wire.ConnectedAccount {
	t.Helper()
	ctx := ctxT(t)
	req, err := sess.Authorize(ctx, "gmail")
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	if !strings.Contains(req.RedirectURL, "/link/") {
		t.Fatalf("redirect URL %q is not a hosted link", req.RedirectURL)
	}
	waited := make(chan struct{})
	var acct *wire.ConnectedAccount
	var werr error
	go func() {
		defer close(waited)
		acct, werr = req.WaitForConnection(ctx)
	}()
	resp := consent(t, req.RedirectURL, id, true)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body(resp), "connected") {
		t.Fatalf("consent ended with %d at %s: %s", resp.StatusCode, resp.Request.URL, body(resp))
	}
	<-waited
	if werr != nil {
		t.Fatalf("wait for connection: %v", werr)
	}
	if acct.ID != req.ID || acct.Status != "ACTIVE" {
		t.Fatalf("got account %s %s, want %s ACTIVE", acct.ID, acct.Status, req.ID)
	}
	if acct.Identity != id.Email {
		t.Errorf("identity of %s: got %q, want %q", acct.ID, acct.Identity, id.Email)
	}
	return acct
}

func activeGmail(t *testing.T, sess *sdk.Session) string {
	t.Helper()
	page, err := sess.Toolkits(ctxT(t))
	if err != nil {
		t.Fatalf("session toolkits: %v", err)
	}
	for _, tk := range page.Items {
		if tk.Slug == "gmail" {
			if tk.ConnectedAccount == nil {
				return ""
			}
			return tk.ConnectedAccount.ID
		}
	}
	t.Fatalf("gmail missing from the session's toolkits")
	return ""
}

// runScenario is the seed scenario with the Go SDK, plus refresh-token
// rotation against the provider.
func runScenario(t *testing.T, s *server) {
	p := provider(t, s)
	gmailConfig(t, s.Client, p)
	ctx := ctxT(t)
	c := s.Client

	sess, err := c.Create(ctx, "user_123")
	if err != nil {
		t.Fatal(err)
	}
	if got := activeGmail(t, sess); got != "" {
		t.Fatalf("before any connection gmail uses %q, want none", got)
	}
	ca1 := connect(t, sess, work)
	if got := activeGmail(t, sess); got != ca1.ID {
		t.Fatalf("after the first connection gmail uses %q, want %s", got, ca1.ID)
	}
	ca2 := connect(t, sess, personal)
	if ca1.ID == ca2.ID {
		t.Fatalf("two authorizations gave one account %s", ca1.ID)
	}
	if got := activeGmail(t, sess); got != ca2.ID {
		t.Errorf("session toolkits: gmail uses %q, want the most recent %s", got, ca2.ID)
	}
	for _, want := range []string{ca1.ID, ca2.ID} {
		pinned, err := c.Create(ctx, "user_123", sdk.WithConnectedAccounts(map[string]string{"gmail": want}))
		if err != nil {
			t.Fatalf("pin %s: %v", want, err)
		}
		if got := activeGmail(t, pinned); got != want {
			t.Errorf("session pinned to %s uses %s", want, got)
		}
	}

	// Another user's pin: a clear 400, and no session is created.
	_, err = c.Create(ctx, "user_456", sdk.WithConnectedAccounts(map[string]string{"gmail": ca1.ID}))
	var apiErr *sdk.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || !strings.Contains(apiErr.Message, ca1.ID) || !strings.Contains(apiErr.Message, "user_456") {
		t.Fatalf("pinning user_123's account for user_456: got %v, want a 400 naming the account and the user", err)
	}

	list, err := c.ConnectedAccounts().List(ctx, sdk.ListAccountsParams{UserIDs: []string{"user_123"}, ToolkitSlugs: []string{"gmail"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range list.Items {
		got = append(got, a.ID+" "+a.Status+" "+a.Identity)
	}
	slices.Sort(got)
	want := []string{ca1.ID + " ACTIVE " + work.Email, ca2.ID + " ACTIVE " + personal.Email}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("list: got %q, want %q", got, want)
	}

	// Each account has its own credentials.
	tok1 := storedToken(t, s, ca1.ID)
	tok2 := storedToken(t, s, ca2.ID)
	if tok1.AccessToken == tok2.AccessToken || tok1.RefreshToken == tok2.RefreshToken || tok1.AccessToken == "" {
		t.Errorf("the two accounts share credentials")
	}

	// Refresh rotates the refresh token; the rotated one is never reused.
	for i := range 2 {
		before := storedToken(t, s, ca1.ID)
		if _, err := c.ConnectedAccounts().Refresh(ctx, ca1.ID); err != nil {
			t.Fatalf("refresh %d: %v", i, err)
		}
		after := storedToken(t, s, ca1.ID)
		if after.RefreshToken == before.RefreshToken || after.AccessToken == before.AccessToken {
			t.Fatalf("refresh %d kept the old tokens", i)
		}
	}
	if n := p.RefreshCount(); n != 2 {
		t.Errorf("provider saw %d successful refreshes, want 2", n)
	}
	if n := p.RefreshAttempts(); n != 2 {
		t.Errorf("provider saw %d refresh attempts, want 2: a rotated token was reused", n)
	}
	assertRotationChain(t, p, work.Login)

	// A refused refresh token expires the account, with a reason, and a
	// session pinned to it reports it rather than falling back.
	pinned, err := c.Create(ctx, "user_123", sdk.WithConnectedAccounts(map[string]string{"gmail": ca1.ID}))
	if err != nil {
		t.Fatal(err)
	}
	p.RevokeUser(work.Login)
	if _, err := c.ConnectedAccounts().Refresh(ctx, ca1.ID); err == nil {
		t.Fatalf("refresh of a revoked grant succeeded")
	}
	a, err := c.ConnectedAccounts().Get(ctx, ca1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != "EXPIRED" || a.StatusReason == nil || !strings.Contains(*a.StatusReason, "refresh") {
		t.Errorf("after a refused refresh: got %s %v, want EXPIRED with a reason", a.Status, a.StatusReason)
	}
	page, err := pinned.Toolkits(ctx, sdk.FilterToolkits("gmail"))
	if err != nil {
		t.Fatal(err)
	}
	if ca := page.Items[0].ConnectedAccount; ca == nil || ca.ID != ca1.ID || ca.Status != "EXPIRED" {
		t.Errorf("pinned session after expiry: got %+v, want %s EXPIRED", ca, ca1.ID)
	}

	// Re-authorizing the same account brings it back to ACTIVE.
	ref, err := c.ConnectedAccounts().Refresh(ctx, ca1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ref.RedirectURL == nil {
		t.Fatalf("refresh of an EXPIRED account gave no redirect URL")
	}
	resp := consent(t, *ref.RedirectURL, work, true)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("re-authorization ended with %d: %s", resp.StatusCode, body(resp))
	}
	a, err = c.ConnectedAccounts().Get(ctx, ca1.ID)
	if err != nil || a.Status != "ACTIVE" {
		t.Fatalf("after re-authorization: %v %v, want ACTIVE", a, err)
	}
	if got := activeGmail(t, sess); got != ca1.ID {
		t.Errorf("after re-authorizing %s the unpinned session uses %s, want it as the most recent", ca1.ID, got)
	}
}

// storedToken opens an account's sealed token straight from the store.
func storedToken(t testing.TB, s *server, id string) oauth.Token {
	t.Helper()
	projects, err := s.App.Store.ListProjects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range projects {
		a, err := s.App.Accounts.Get(context.Background(), p.ID, id)
		if err != nil {
			continue
		}
		var tok oauth.Token
		if err := s.App.Accounts.Credentials(a, &tok); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	t.Fatalf("account %s not found", id)
	return oauth.Token{}
}

// assertRotationChain checks that each refresh used the refresh token the
// previous grant issued.
func assertRotationChain(t *testing.T, p *oauthtest.Provider, login string) {
	t.Helper()
	issued := p.IssuedTokens(login)
	var refreshes int
	for i := 1; i < len(issued); i++ {
		if issued[i].GrantType == "refresh_token" {
			refreshes++
			if issued[i].RefreshToken == issued[i-1].RefreshToken {
				t.Errorf("grant %d did not rotate the refresh token", i)
			}
		}
	}
	if refreshes == 0 {
		t.Errorf("the provider issued no refreshed tokens for %s", login)
	}
}
