package signin_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
	"github.com/switchboard-dev/switchboard/internal/signin"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlite"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/internal/vault"
)

// publicURL is the server's public URL in these tests. It is not
// loopback, so oauthtest.Consent stops at the provider's redirect to the
// callback and hands back its Location: the tests then complete the flow
// by calling CompleteOAuth themselves, without HTTP on Switchboard's side.
const publicURL = "https://sb.example"

const linkTTL = 10 * time.Minute

// fixture is the sign-in flow on a real SQLite store behind the vault's
// barrier, with an injected clock.
type fixture struct {
	st       store.Store
	accounts *accounts.Service
	signin   *signin.Service
	acs      *authconfigs.Service
	project  store.Project

	mu  sync.Mutex
	now time.Time
	// connected records every Connected call, as "link account".
	connected []string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	raw, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	kr, err := vault.NewKeyring(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := toolkits.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	st := vault.NewBarrier(raw, kr)
	f.st = st
	// The provider runs on 127.0.0.1: loopback must be allowed both in the
	// auth config's URLs and for the calls to it.
	out := &egress.Clients{LoopbackOnly: true, Timeout: 10 * time.Second, AllowLoopback: true}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.acs = &authconfigs.Service{Store: st, Catalog: cat, Now: f.clock, AllowLoopback: true}
	f.accounts = &accounts.Service{Store: st, AuthConfigs: f.acs, Catalog: cat, Egress: out, Now: f.clock,
		PublicURL: publicURL, LinkTTL: linkTTL, Logger: log}
	f.signin = &signin.Service{Store: st, Accounts: f.accounts, AuthConfigs: f.acs, Catalog: cat, Egress: out, Now: f.clock, Logger: log,
		Sessions: recorder{f}}
	f.project = store.Project{ID: "proj_1", Name: "P", CallbackURLs: []string{"https://app.example/done"}, CreatedAt: f.now, UpdatedAt: f.now}
	if err := raw.CreateProject(ctx, f.project); err != nil {
		t.Fatal(err)
	}
	return f
}

// recorder is the sessions side of the flow, recording what it is told.
type recorder struct{ f *fixture }

func (r recorder) Connected(ctx context.Context, l store.Link, a store.Account) error {
	r.f.mu.Lock()
	r.f.connected = append(r.f.connected, l.AccountID+" "+a.ID+" "+a.Status)
	r.f.mu.Unlock()
	return nil
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fixture) connectedCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.connected...)
}

// user is an end user at the test provider.
type user struct{ login, password, email string }

var (
	alice = user{"alice", "alice-pw", "alice@work.example"}
	bob   = user{"bob", "bob-pw", "bob@home.example"}
)

// provider starts a real OAuth2 provider on 127.0.0.1 that knows alice and
// bob, and creates a gmail auth config pointing at it.
func (f *fixture) provider(t *testing.T) (*oauthtest.Provider, store.AuthConfig) {
	t.Helper()
	p := oauthtest.NewProvider(t)
	for _, u := range []user{alice, bob} {
		p.AddUser(u.login, u.password, u.email)
	}
	p.RegisterClient("sb-client", "sb-secret", publicURL+accounts.CallbackPath)
	ac, err := f.acs.Create(context.Background(), f.project.ID, authconfigs.CreateInput{
		Toolkit: "gmail", Type: "use_custom_auth", AuthScheme: "OAUTH2",
		Credentials: map[string]any{
			"client_id": "sb-client", "client_secret": "sb-secret",
			"scopes":            []any{"https://mail.google.com/", "openid", "email"},
			"authorization_url": p.AuthorizeURL(), "token_url": p.TokenURL(), "userinfo_url": p.GmailProfileURL(),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, ac
}

// apiKeyConfig creates a linear auth config, whose scheme is a one-field
// API key form.
func (f *fixture) apiKeyConfig(t *testing.T) store.AuthConfig {
	t.Helper()
	ac, err := f.acs.Create(context.Background(), f.project.ID, authconfigs.CreateInput{
		Toolkit: "linear", Type: "use_composio_managed_auth", AuthScheme: "API_KEY",
	})
	if err != nil {
		t.Fatal(err)
	}
	return ac
}

func (f *fixture) link(t *testing.T, in accounts.LinkInput) (store.Account, store.Link) {
	t.Helper()
	if in.UserID == "" {
		in.UserID = "u1"
	}
	a, l, err := f.accounts.Link(context.Background(), f.project, in)
	if err != nil {
		t.Fatal(err)
	}
	return a, l
}

func (f *fixture) account(t *testing.T, id string) store.Account {
	t.Helper()
	a, err := f.st.GetAccount(context.Background(), f.project.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// consent plays the browser from the provider URL OpenLink returned: signs
// in as u and allows or denies. It returns the callback the provider sent
// the browser to, which names this server's callback path, with the
// browser binding the link page set.
func consent(t *testing.T, page signin.LinkPage, u user, allow bool) signin.CallbackInput {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := oauthtest.Consent(ctx, nil, page.RedirectURL, u.login, u.password, allow)
	if err != nil {
		t.Fatalf("consent as %s: %v", u.login, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent as %s: got status %d, want a redirect to the callback", u.login, resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != publicURL+accounts.CallbackPath {
		t.Fatalf("the provider redirected to %s, want the callback %s", got, publicURL+accounts.CallbackPath)
	}
	q := loc.Query()
	return signin.CallbackInput{State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"), ErrorDescription: q.Get("error_description"), Binding: page.Binding}
}

// flowCode returns the code of a *signin.FlowError, or fails the test.
func flowCode(t *testing.T, err error) string {
	t.Helper()
	fe, ok := errors.AsType[*signin.FlowError](err)
	if !ok {
		t.Fatalf("got error %v (%T), want a *signin.FlowError", err, err)
	}
	return fe.Code
}

// wantStatus checks an account's status and that its reason contains
// reason.
func (f *fixture) wantStatus(t *testing.T, id, status, reason string) store.Account {
	t.Helper()
	a := f.account(t, id)
	if a.Status != status || !strings.Contains(a.StatusReason, reason) {
		t.Errorf("account %s: got %s %q, want %s with a reason containing %q", id, a.Status, a.StatusReason, status, reason)
	}
	return a
}
