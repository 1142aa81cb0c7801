package accounts_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
	"github.com/switchboard-dev/switchboard/internal/signin"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// oauthFixture adds a real OAuth2 provider on 127.0.0.1 and a gmail auth
// config pointing at it, and connects accounts through the real sign-in
// flow, so refreshes go to the provider with the tokens it issued.
type oauthFixture struct {
	*fixture
	p      *oauthtest.Provider
	gmail  store.AuthConfig
	signin *signin.Service
}

const (
	login    = "alice"
	password = "alice-pw"
)

func newOAuthFixture(t *testing.T) *oauthFixture {
	t.Helper()
	f := &oauthFixture{fixture: newFixture(t), p: oauthtest.NewProvider(t)}
	f.p.AddUser(login, password, "alice@work.example")
	f.p.RegisterClient("sb-client", "sb-secret", f.accounts.RedirectURI())
	var err error
	f.gmail, err = f.acs.Create(context.Background(), f.project.ID, authconfigs.CreateInput{
		Toolkit: "gmail", Type: "use_custom_auth", AuthScheme: "OAUTH2",
		Credentials: map[string]any{
			"client_id": "sb-client", "client_secret": "sb-secret", "scopes": []any{"email"},
			"authorization_url": f.p.AuthorizeURL(), "token_url": f.p.TokenURL(), "userinfo_url": f.p.GmailProfileURL(),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.signin = &signin.Service{Store: f.st, Accounts: f.accounts, AuthConfigs: f.acs, Catalog: f.accounts.Catalog,
		Egress: f.accounts.Egress, Now: f.clock, Logger: f.accounts.Logger}
	return f
}

// connect completes a link's OAuth flow as alice.
func (f *oauthFixture) connect(t *testing.T, l store.Link) store.Account {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	page, err := f.signin.OpenLink(ctx, l.Token)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := oauthtest.Consent(ctx, nil, page.RedirectURL, login, password, true)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	_, a, err := f.signin.CompleteOAuth(ctx, signin.CallbackInput{State: loc.Query().Get("state"), Code: loc.Query().Get("code"), Binding: page.Binding})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *oauthFixture) connected(t *testing.T) store.Account {
	t.Helper()
	_, l, err := f.accounts.Link(context.Background(), f.project, accounts.LinkInput{UserID: "u1", AuthConfigID: f.gmail.ID})
	if err != nil {
		t.Fatal(err)
	}
	return f.connect(t, l)
}

func (f *oauthFixture) token(t *testing.T, id string) oauth.Token {
	t.Helper()
	var tok oauth.Token
	if err := f.accounts.Credentials(f.get(t, id), &tok); err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestTokenRefreshNearExpiry: on the injected clock, Token serves the
// stored token until it expires within a minute, then refreshes it once at
// the provider and stores the new one with its expiry.
func TestTokenRefreshNearExpiry(t *testing.T) {
	f := newOAuthFixture(t)
	ctx := context.Background()
	a := f.connected(t)
	first := f.token(t, a.ID)
	if want := f.clock().Add(oauthtest.DefaultAccessTokenTTL); !first.Expiry.Equal(want) {
		t.Fatalf("token expires %v, want %v (the clock's now plus expires_in)", first.Expiry, want)
	}

	f.advance(oauthtest.DefaultAccessTokenTTL - time.Minute - time.Second)
	got, err := f.accounts.Token(ctx, a, "")
	if err != nil || got.AccessToken != first.AccessToken {
		t.Fatalf("61s before expiry: got %v, a new token %v; want the stored one", err, got.AccessToken != first.AccessToken)
	}
	if n := f.p.RefreshAttempts(); n != 0 {
		t.Fatalf("a fresh token was refreshed (%d attempts)", n)
	}

	f.advance(2 * time.Second)
	got, err = f.accounts.Token(ctx, a, "")
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken == first.AccessToken || f.p.RefreshCount() != 1 {
		t.Fatalf("59s before expiry: got the old token or %d refreshes, want one refresh", f.p.RefreshCount())
	}
	stored := f.get(t, a.ID)
	if tok := f.token(t, a.ID); tok.AccessToken != got.AccessToken || tok.RefreshToken == "" {
		t.Errorf("the stored token is not the refreshed one, or lost its refresh token")
	}
	if want := f.clock().Add(oauthtest.DefaultAccessTokenTTL); stored.TokenExpiresAt == nil || !stored.TokenExpiresAt.Equal(want) {
		t.Errorf("stored expiry %v, want %v", stored.TokenExpiresAt, want)
	}
	if stored.Status != store.StatusActive || !stored.UpdatedAt.Equal(f.clock()) {
		t.Errorf("after a refresh: %s updated %v, want ACTIVE updated now", stored.Status, stored.UpdatedAt)
	}
	// The caller's stale copy of the account is not refreshed again.
	if again, err := f.accounts.Token(ctx, a, ""); err != nil || again.AccessToken != got.AccessToken || f.p.RefreshAttempts() != 1 {
		t.Errorf("a stale copy: got %v, same token %v, %d attempts; want the stored token and no new refresh",
			err, again.AccessToken == got.AccessToken, f.p.RefreshAttempts())
	}
}

// TestTokenRejected: a token the provider answered 401 to is refreshed
// even though it has not expired, once for a burst of callers; a caller
// still holding a token another one already replaced gets the new one
// without a second refresh.
func TestTokenRejected(t *testing.T) {
	f := newOAuthFixture(t)
	ctx := context.Background()
	a := f.connected(t)
	old := f.token(t, a.ID)
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	errs := make([]error, 8)
	for i := range tokens {
		wg.Go(func() {
			tok, err := f.accounts.Token(ctx, a, old.AccessToken)
			tokens[i], errs[i] = tok.AccessToken, err
		})
	}
	wg.Wait()
	for i := range tokens {
		if errs[i] != nil || tokens[i] == old.AccessToken || tokens[i] != tokens[0] {
			t.Errorf("caller %d: got %v, rejected token again %v, same as the others %v", i, errs[i], tokens[i] == old.AccessToken, tokens[i] == tokens[0])
		}
	}
	if n := f.p.RefreshAttempts(); n != 1 {
		t.Errorf("%d refresh attempts for one rejected token, want 1", n)
	}
	if got, err := f.accounts.Token(ctx, a, old.AccessToken); err != nil || got.AccessToken != tokens[0] || f.p.RefreshAttempts() != 1 {
		t.Errorf("a late caller with the old token: got %v, new token %v, %d attempts; want the new token and no refresh",
			err, got.AccessToken == tokens[0], f.p.RefreshAttempts())
	}
}

// TestRefreshRefused: a refresh token the provider refuses moves the
// account to EXPIRED with the reason, at the clock's time; using it then
// is refused as not active.
func TestRefreshRefused(t *testing.T) {
	f := newOAuthFixture(t)
	ctx := context.Background()
	a := f.connected(t)
	f.p.RevokeUser(login)
	f.advance(time.Minute)
	_, err := f.accounts.Refresh(ctx, f.project.ID, a.ID)
	if code(err) != "connected_account_expired" {
		t.Fatalf("got %v, want connected_account_expired", err)
	}
	got := f.get(t, a.ID)
	if got.Status != store.StatusExpired || !strings.Contains(got.StatusReason, "refused the refresh token") || !got.UpdatedAt.Equal(f.clock()) {
		t.Errorf("got %s %q updated %v, want EXPIRED, the refusal as reason, updated now", got.Status, got.StatusReason, got.UpdatedAt)
	}
	f.advance(oauthtest.DefaultAccessTokenTTL)
	if _, err := f.accounts.Token(ctx, a, ""); code(err) != "connected_account_not_active" {
		t.Errorf("Token on an EXPIRED account: got %v, want connected_account_not_active", err)
	}
	if n := f.p.RefreshAttempts(); n != 1 {
		t.Errorf("%d refresh attempts, want 1: an EXPIRED account is not refreshed", n)
	}
}

// TestRefreshOrReauthorize: an ACTIVE OAuth2 account gets a new token; an
// EXPIRED one a link and stays EXPIRED until it completes; a FAILED one a
// link and becomes INITIATED; the new link completes the same account; an
// API key account or an INACTIVE one is refused.
func TestRefreshOrReauthorize(t *testing.T) {
	f := newOAuthFixture(t)
	ctx := context.Background()
	a := f.connected(t)
	old := f.token(t, a.ID)

	got, l, err := f.accounts.RefreshOrReauthorize(ctx, f.project, a.ID, "")
	if err != nil || l != nil || got.Status != store.StatusActive || f.token(t, a.ID).AccessToken == old.AccessToken {
		t.Fatalf("ACTIVE: got %v, link %v, %s; want a refreshed ACTIVE account and no link", err, l, got.Status)
	}

	if _, _, err := f.accounts.RefreshOrReauthorize(ctx, f.project, a.ID, "https://evil.example/cb"); code(err) == "callback_url_not_allowed" {
		t.Errorf("an ACTIVE account has no link, so no callback check: got %v", err)
	}
	for _, tt := range []struct {
		status, want string
	}{
		{store.StatusExpired, store.StatusExpired},
		{store.StatusFailed, store.StatusInitiated},
	} {
		f.setStatus(t, a.ID, tt.status)
		if _, _, err := f.accounts.RefreshOrReauthorize(ctx, f.project, a.ID, "https://evil.example/cb"); code(err) != "callback_url_not_allowed" {
			t.Errorf("%s with a callback off the allowlist: got %v, want callback_url_not_allowed", tt.status, err)
		}
		got, l, err := f.accounts.RefreshOrReauthorize(ctx, f.project, a.ID, "https://app.example/done")
		if err != nil || l == nil {
			t.Fatalf("%s: got %v, link %v; want a link", tt.status, err, l)
		}
		if got.ID != a.ID || got.Status != tt.want || l.AccountID != a.ID || l.CallbackURL != "https://app.example/done" || !l.ExpiresAt.Equal(f.clock().Add(linkTTL)) {
			t.Errorf("%s: got %s %s, link for %s to %q expiring %v; want %s %s and a link for it expiring in %v",
				tt.status, got.ID, got.Status, l.AccountID, l.CallbackURL, l.ExpiresAt, a.ID, tt.want, linkTTL)
		}
		if tt.status == store.StatusFailed && got.StatusReason != accounts.ReasonAwaiting {
			t.Errorf("FAILED restarted with reason %q, want %q", got.StatusReason, accounts.ReasonAwaiting)
		}
		if done := f.connect(t, *l); done.ID != a.ID || done.Status != store.StatusActive {
			t.Errorf("%s: completing the link made %s %s, want %s ACTIVE", tt.status, done.ID, done.Status, a.ID)
		}
	}

	apiKey := f.setStatus(t, f.link(t, "u1", f.linear, "").ID, store.StatusActive)
	if _, _, err := f.accounts.RefreshOrReauthorize(ctx, f.project, apiKey.ID, ""); code(err) != "refresh_not_supported" {
		t.Errorf("an API key account: got %v, want refresh_not_supported", err)
	}
	f.setStatus(t, a.ID, store.StatusInactive)
	if _, _, err := f.accounts.RefreshOrReauthorize(ctx, f.project, a.ID, ""); code(err) != "invalid_status_transition" {
		t.Errorf("an INACTIVE account: got %v, want invalid_status_transition", err)
	}
	if _, _, err := f.accounts.RefreshOrReauthorize(ctx, f.project, "ca_missing", ""); code(err) != "connected_account_not_found" {
		t.Errorf("an unknown account: got %v, want connected_account_not_found", err)
	}
}
