package signin_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/signin"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// TestOAuthCompletes: opening an OAuth2 link sends the browser to the
// provider with a state and an S256 PKCE challenge; the provider's
// callback exchanges the code against the real provider, reads the
// identity, and makes the account ACTIVE, connected at the clock's time,
// with the tokens stored; the browser goes to the link's callback URL.
func TestOAuthCompletes(t *testing.T) {
	f := newFixture(t)
	p, ac := f.provider(t)
	ctx := context.Background()
	a, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID, CallbackURL: "https://app.example/done?x=1"})

	page, err := f.signin.OpenLink(ctx, l.Token)
	if err != nil {
		t.Fatal(err)
	}
	if page.Form != nil || page.Account.ID != a.ID {
		t.Fatalf("OpenLink: got form %v for account %s, want a redirect for %s", page.Form, page.Account.ID, a.ID)
	}
	u, err := url.Parse(page.RedirectURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if got := u.Scheme + "://" + u.Host + u.Path; got != p.AuthorizeURL() {
		t.Errorf("redirect to %s, want the provider's %s", got, p.AuthorizeURL())
	}
	if q.Get("state") == "" || q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256" ||
		q.Get("redirect_uri") != publicURL+accounts.CallbackPath || q.Get("client_id") != "sb-client" {
		t.Errorf("authorize request %v lacks a state, an S256 challenge, the callback redirect_uri or the client id", q)
	}
	// The store keeps the state's hash, never the state.
	stored, err := f.st.GetLink(ctx, l.TokenHash)
	if err != nil {
		t.Fatal(err)
	}
	if stored.StateHash != oauth.HashState(q.Get("state")) || strings.Contains(stored.StateHash, q.Get("state")) {
		t.Errorf("link state hash %q is not the hash of the state sent", stored.StateHash)
	}
	if want := f.clock().Add(linkTTL); stored.StateExpiresAt == nil || !stored.StateExpiresAt.Equal(want) {
		t.Errorf("state expires at %v, want %v (the link's expiry, which comes first)", stored.StateExpiresAt, want)
	}

	cb := consent(t, page, alice, true)
	if cb.State != q.Get("state") || cb.Code == "" {
		t.Fatalf("callback %+v: want the state sent and a code", cb)
	}
	f.advance(30 * time.Second)
	target, got, err := f.signin.CompleteOAuth(ctx, cb)
	if err != nil {
		t.Fatal(err)
	}
	now := f.clock()
	if got.ID != a.ID || got.Status != store.StatusActive || got.StatusReason != signin.ReasonConnected ||
		got.Identity != alice.email || got.ConnectedAt == nil || !got.ConnectedAt.Equal(now) {
		t.Errorf("account after the callback: got %s %s %q identity %q connected %v, want %s ACTIVE %q identity %q connected %v",
			got.ID, got.Status, got.StatusReason, got.Identity, got.ConnectedAt, a.ID, signin.ReasonConnected, alice.email, now)
	}
	issued := p.IssuedTokens(alice.login)
	if len(issued) != 1 {
		t.Fatalf("the provider issued %d token responses to alice, want 1", len(issued))
	}
	var tok oauth.Token
	if err := f.accounts.Credentials(f.account(t, a.ID), &tok); err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != issued[0].AccessToken || tok.RefreshToken != issued[0].RefreshToken {
		t.Errorf("stored tokens are not the ones the provider issued")
	}
	tu, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	wantQuery := url.Values{"x": {"1"}, "status": {"success"}, "connected_account_id": {a.ID}}
	if tu.Host != "app.example" || tu.Path != "/done" || !cmp.Equal(tu.Query(), wantQuery) {
		t.Errorf("callback target %s: want https://app.example/done with %v", target, wantQuery)
	}
	if got, want := f.connectedCalls(), []string{a.ID + " " + a.ID + " ACTIVE"}; !cmp.Equal(got, want) {
		t.Errorf("OnConnected calls: got %v, want %v", got, want)
	}

	// The same answer again is a replay: refused, and the account stays.
	_, _, err = f.signin.CompleteOAuth(ctx, cb)
	if code := flowCode(t, err); code != "state_replayed" {
		t.Errorf("replayed callback: got %s, want state_replayed", code)
	}
	f.wantStatus(t, a.ID, store.StatusActive, signin.ReasonConnected)
	if n := len(p.IssuedTokens(alice.login)); n != 1 {
		t.Errorf("a replay reached the provider: %d token responses, want 1", n)
	}
	// The link is used up.
	if _, err := f.signin.OpenLink(ctx, l.Token); flowCode(t, err) != "link_used" {
		t.Errorf("opening a completed link: got %v, want link_used", err)
	}
	if n := len(f.connectedCalls()); n != 1 {
		t.Errorf("OnConnected ran %d times, want once", n)
	}
}

// TestOAuthWithoutCallbackURL: a link made without a callback URL ends on
// the success page (an empty target).
func TestOAuthWithoutCallbackURL(t *testing.T) {
	f := newFixture(t)
	_, ac := f.provider(t)
	_, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
	page, err := f.signin.OpenLink(context.Background(), l.Token)
	if err != nil {
		t.Fatal(err)
	}
	target, a, err := f.signin.CompleteOAuth(context.Background(), consent(t, page, bob, true))
	if err != nil {
		t.Fatal(err)
	}
	if target != "" || a.Status != store.StatusActive || a.Identity != bob.email {
		t.Errorf("got target %q, %s identity %q; want no target, ACTIVE, %q", target, a.Status, a.Identity, bob.email)
	}
}

// TestLinkExpiry: a link is usable until its expiry, on the injected
// clock; from then on opening it fails its account with the reason.
func TestLinkExpiry(t *testing.T) {
	for _, tt := range []struct {
		name    string
		after   time.Duration
		expired bool
	}{
		{"just before", linkTTL - time.Second, false},
		{"at expiry", linkTTL, true},
		{"after", linkTTL + time.Hour, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ac := f.apiKeyConfig(t)
			a, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
			f.advance(tt.after)
			page, err := f.signin.OpenLink(context.Background(), l.Token)
			if !tt.expired {
				if err != nil || page.Form == nil {
					t.Fatalf("OpenLink: got %v, form %v; want the form", err, page.Form)
				}
				f.wantStatus(t, a.ID, store.StatusInitiated, accounts.ReasonAwaiting)
				return
			}
			if code := flowCode(t, err); code != "link_expired" {
				t.Fatalf("got %s, want link_expired", code)
			}
			got := f.wantStatus(t, a.ID, store.StatusFailed, "The connection link expired before it was completed")
			if !got.UpdatedAt.Equal(f.clock()) {
				t.Errorf("failed at %v, want the clock's %v", got.UpdatedAt, f.clock())
			}
			// Submitting the form of an expired link stores nothing.
			_, _, err = f.signin.SubmitCredentials(context.Background(), l.Token, map[string]string{"api_key": "lin_api_x"})
			if err == nil {
				t.Fatal("submitting an expired link succeeded")
			}
			if a := f.account(t, a.ID); a.Credentials != nil || a.Status != store.StatusFailed {
				t.Errorf("expired link stored credentials or changed status: %s", a.Status)
			}
		})
	}
}

// TestLinkNotFound: an unknown token is refused without touching any
// account.
func TestLinkNotFound(t *testing.T) {
	f := newFixture(t)
	ac := f.apiKeyConfig(t)
	a, _ := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
	if _, err := f.signin.OpenLink(context.Background(), "lk_not_a_real_token"); flowCode(t, err) != "link_not_found" {
		t.Errorf("got %v, want link_not_found", err)
	}
	f.wantStatus(t, a.ID, store.StatusInitiated, accounts.ReasonAwaiting)
}

// TestStateMismatch: a callback whose state is missing, unknown, or was
// replaced by opening the link again is refused and changes no account;
// the state of the last opening still completes.
func TestStateMismatch(t *testing.T) {
	f := newFixture(t)
	_, ac := f.provider(t)
	ctx := context.Background()
	a, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
	first, err := f.signin.OpenLink(ctx, l.Token)
	if err != nil {
		t.Fatal(err)
	}
	stale := consent(t, first, alice, true)
	// The user opens the link again (a reload): a new state replaces the first.
	second, err := f.signin.OpenLink(ctx, l.Token)
	if err != nil {
		t.Fatal(err)
	}
	if first.RedirectURL == second.RedirectURL {
		t.Fatal("opening the link again reused the state")
	}
	for _, tt := range []struct {
		name string
		in   signin.CallbackInput
		want string
	}{
		{"missing", signin.CallbackInput{Code: stale.Code}, "state_missing"},
		{"unknown", signin.CallbackInput{State: "forged-state", Code: stale.Code}, "state_unknown"},
		{"replaced by a new opening", stale, "state_unknown"},
	} {
		if _, _, err := f.signin.CompleteOAuth(ctx, tt.in); flowCode(t, err) != tt.want {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.want)
		}
	}
	f.wantStatus(t, a.ID, store.StatusInitiated, accounts.ReasonAwaiting)
	if _, got, err := f.signin.CompleteOAuth(ctx, consent(t, second, alice, true)); err != nil || got.Status != store.StatusActive {
		t.Errorf("the current state: got %v, %s; want ACTIVE", err, got.Status)
	}
}

// TestOtherBrowser: a callback that lacks the binding of the browser that
// opened the link — none, a forged one, or the binding of another link's
// sign-in — is refused, exchanges no code and changes nothing; the
// browser that started the sign-in still completes it.
func TestOtherBrowser(t *testing.T) {
	f := newFixture(t)
	p, ac := f.provider(t)
	ctx := context.Background()
	a, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
	page, err := f.signin.OpenLink(ctx, l.Token)
	if err != nil {
		t.Fatal(err)
	}
	if page.Binding == "" || page.State == "" || strings.Contains(page.RedirectURL, page.Binding) {
		t.Fatalf("OpenLink: binding %q, state %q: want both, and the binding not in the provider URL", page.Binding, page.State)
	}
	_, l2 := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
	other, err := f.signin.OpenLink(ctx, l2.Token)
	if err != nil {
		t.Fatal(err)
	}
	// A second browser holding the provider URL signs in with its own
	// account; the provider sends it to the callback with a valid code.
	cb := consent(t, page, bob, true)
	for _, binding := range []string{"", "forged", other.Binding} {
		in := cb
		in.Binding = binding
		if _, _, err := f.signin.CompleteOAuth(ctx, in); flowCode(t, err) != signin.CodeOtherBrowser {
			t.Errorf("binding %q: got %v, want %s", binding, err, signin.CodeOtherBrowser)
		}
	}
	if got := p.IssuedTokens(bob.login); len(got) != 0 {
		t.Errorf("the refused callbacks exchanged the code: %d tokens issued to %s, want none", len(got), bob.login)
	}
	f.wantStatus(t, a.ID, store.StatusInitiated, accounts.ReasonAwaiting)
	if _, got, err := f.signin.CompleteOAuth(ctx, consent(t, page, alice, true)); err != nil || got.Status != store.StatusActive || got.Identity != alice.email {
		t.Errorf("the browser that opened the link: got %v, %s %q; want ACTIVE as %s", err, got.Status, got.Identity, alice.email)
	}
}

// TestStateExpired: a provider that answers after the state expired (on
// the injected clock) fails the account, and its code is not exchanged.
// The state lives ten minutes, or less when the link expires sooner.
func TestStateExpired(t *testing.T) {
	for _, tt := range []struct {
		name    string
		linkTTL time.Duration
		after   time.Duration
		expired bool
	}{
		{"with the link", linkTTL, linkTTL, true},
		{"before a longer link", time.Hour, 10 * time.Minute, true},
		{"just in time", time.Hour, 10*time.Minute - time.Second, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.accounts.LinkTTL = tt.linkTTL
			p, ac := f.provider(t)
			ctx := context.Background()
			a, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
			page, err := f.signin.OpenLink(ctx, l.Token)
			if err != nil {
				t.Fatal(err)
			}
			cb := consent(t, page, alice, true)
			f.advance(tt.after)
			_, got, err := f.signin.CompleteOAuth(ctx, cb)
			if !tt.expired {
				if err != nil || got.Status != store.StatusActive {
					t.Errorf("got %v, %s; want ACTIVE", err, got.Status)
				}
				return
			}
			if code := flowCode(t, err); code != "state_expired" {
				t.Fatalf("got %s, want state_expired", code)
			}
			if got.Status != store.StatusFailed {
				t.Errorf("returned account is %s, want FAILED", got.Status)
			}
			f.wantStatus(t, a.ID, store.StatusFailed, "its state expired")
			if n := len(p.IssuedTokens(alice.login)); n != 0 {
				t.Errorf("an expired state's code was exchanged: %d token responses", n)
			}
		})
	}
}

// TestProviderError: the user denying access, an unknown error code and a
// refused code exchange each fail the account with a reason that names a
// known code and a cleaned description, never the provider's raw text.
func TestProviderError(t *testing.T) {
	f := newFixture(t)
	_, ac := f.provider(t)
	ctx := context.Background()
	open := func(t *testing.T) (store.Account, signin.LinkPage) {
		t.Helper()
		a, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID, CallbackURL: "https://app.example/done"})
		page, err := f.signin.OpenLink(ctx, l.Token)
		if err != nil {
			t.Fatal(err)
		}
		return a, page
	}
	t.Run("denied", func(t *testing.T) {
		a, page := open(t)
		cb := consent(t, page, alice, false)
		if cb.Error != "access_denied" {
			t.Fatalf("the provider answered %+v, want access_denied", cb)
		}
		target, _, err := f.signin.CompleteOAuth(ctx, cb)
		if code := flowCode(t, err); code != "access_denied" || target != "" {
			t.Errorf("got %s and target %q, want access_denied and no redirect", code, target)
		}
		f.wantStatus(t, a.ID, store.StatusFailed, "The user denied access at the provider (access_denied)")
	})
	t.Run("unknown code and markup", func(t *testing.T) {
		a, page := open(t)
		state := stateOf(t, page.RedirectURL)
		_, _, err := f.signin.CompleteOAuth(ctx, signin.CallbackInput{State: state, Error: "<b>weird</b>", ErrorDescription: "go <script>away</script> now\n", Binding: page.Binding})
		if code := flowCode(t, err); code != oauth.UnknownAuthorizationError {
			t.Errorf("got %s, want %s", code, oauth.UnknownAuthorizationError)
		}
		got := f.wantStatus(t, a.ID, store.StatusFailed, "The provider answered with an error")
		if strings.ContainsAny(got.StatusReason, "<>\n") || strings.Contains(got.StatusReason, "weird") {
			t.Errorf("reason %q carries the provider's raw text", got.StatusReason)
		}
	})
	t.Run("no code", func(t *testing.T) {
		a, page := open(t)
		_, _, err := f.signin.CompleteOAuth(ctx, signin.CallbackInput{State: stateOf(t, page.RedirectURL), Binding: page.Binding})
		if code := flowCode(t, err); code != "code_missing" {
			t.Errorf("got %s, want code_missing", code)
		}
		f.wantStatus(t, a.ID, store.StatusFailed, "without an authorization code")
	})
	t.Run("code refused", func(t *testing.T) {
		a, page := open(t)
		_, _, err := f.signin.CompleteOAuth(ctx, signin.CallbackInput{State: stateOf(t, page.RedirectURL), Code: "not-a-code-the-provider-issued", Binding: page.Binding})
		if code := flowCode(t, err); code != "code_exchange_failed" {
			t.Errorf("got %s, want code_exchange_failed", code)
		}
		got := f.wantStatus(t, a.ID, store.StatusFailed, "The provider refused the authorization code (invalid_grant)")
		if got.Credentials != nil {
			t.Error("a refused exchange stored credentials")
		}
	})
	if n := len(f.connectedCalls()); n != 0 {
		t.Errorf("OnConnected ran %d times for failed flows", n)
	}
}

func stateOf(t *testing.T, redirectURL string) string {
	t.Helper()
	u, err := url.Parse(redirectURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("state")
}

// TestReauthorizeIdentityMismatch: re-authorizing an EXPIRED account
// signed in as another person is refused; the account keeps its identity,
// its tokens and its EXPIRED status, with the reason. Signing in as the
// same person makes it ACTIVE again under the same id.
func TestReauthorizeIdentityMismatch(t *testing.T) {
	f := newFixture(t)
	_, ac := f.provider(t)
	ctx := context.Background()
	a, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
	page, err := f.signin.OpenLink(ctx, l.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.signin.CompleteOAuth(ctx, consent(t, page, alice, true)); err != nil {
		t.Fatal(err)
	}
	before, err := f.st.UpdateAccount(ctx, f.project.ID, a.ID, func(a store.Account) (store.Account, error) {
		a.Status, a.StatusReason = store.StatusExpired, "refresh refused"
		return a, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, l2, err := f.accounts.Reauthorize(ctx, f.project, a.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	page, err = f.signin.OpenLink(ctx, l2.Token)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.signin.CompleteOAuth(ctx, consent(t, page, bob, true))
	if code := flowCode(t, err); code != signin.CodeIdentityMismatch {
		t.Fatalf("got %s, want %s", code, signin.CodeIdentityMismatch)
	}
	got := f.wantStatus(t, a.ID, store.StatusExpired, "belongs to "+alice.email+", but the provider signed in "+bob.email)
	if got.Identity != alice.email || string(got.Credentials) != string(before.Credentials) {
		t.Errorf("a refused re-authorization changed the identity (%q) or the credentials", got.Identity)
	}

	_, l3, err := f.accounts.Reauthorize(ctx, f.project, a.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	page, err = f.signin.OpenLink(ctx, l3.Token)
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := f.signin.CompleteOAuth(ctx, consent(t, page, alice, true)); err != nil || got.ID != a.ID || got.Status != store.StatusActive {
		t.Errorf("re-authorizing as the same person: got %v, %s %s; want %s ACTIVE", err, got.ID, got.Status, a.ID)
	}
}

// TestDeletedAccountLink: deleting an account deletes its links with it,
// so its link no longer exists.
func TestDeletedAccountLink(t *testing.T) {
	f := newFixture(t)
	ac := f.apiKeyConfig(t)
	a, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
	if err := f.accounts.Delete(context.Background(), f.project.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.signin.OpenLink(context.Background(), l.Token); flowCode(t, err) != "link_not_found" {
		t.Errorf("got %v, want link_not_found", err)
	}
	_, _, err := f.signin.SubmitCredentials(context.Background(), l.Token, map[string]string{"api_key": "k"})
	if flowCode(t, err) != "link_not_found" {
		t.Errorf("submitting: got %v, want link_not_found", err)
	}
}
