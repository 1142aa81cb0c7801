package accounts_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/ids"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlite"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/internal/vault"
)

const linkTTL = 10 * time.Minute

// fixture is the accounts service on a real SQLite store behind the
// vault's barrier, with an injected clock.
type fixture struct {
	raw      store.Store
	st       store.Store
	acs      *authconfigs.Service
	accounts *accounts.Service
	project  store.Project
	linear   store.AuthConfig
	github   store.AuthConfig

	mu  sync.Mutex
	now time.Time
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
	f := &fixture{raw: raw, now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	f.st = vault.NewBarrier(raw, kr)
	f.acs = &authconfigs.Service{Store: f.st, Catalog: cat, Now: f.clock, AllowLoopback: true}
	f.accounts = &accounts.Service{Store: f.st, AuthConfigs: f.acs, Catalog: cat,
		Egress: &egress.Clients{LoopbackOnly: true, Timeout: 10 * time.Second, AllowLoopback: true}, Now: f.clock,
		PublicURL: "https://sb.example", LinkTTL: linkTTL, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	f.project = store.Project{ID: "proj_1", Name: "P", CallbackURLs: []string{"https://app.example/done"}, CreatedAt: f.now, UpdatedAt: f.now}
	if err := raw.CreateProject(ctx, f.project); err != nil {
		t.Fatal(err)
	}
	f.linear, err = f.acs.Create(ctx, f.project.ID, authconfigs.CreateInput{Toolkit: "linear", Type: "use_composio_managed_auth", AuthScheme: "API_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	f.github, err = f.acs.Create(ctx, f.project.ID, authconfigs.CreateInput{Toolkit: "github", Type: "use_custom_auth", AuthScheme: "OAUTH2",
		Credentials: map[string]any{"client_id": "cid", "client_secret": "csecret"}})
	if err != nil {
		t.Fatal(err)
	}
	return f
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

// link makes an INITIATED account of user on ac.
func (f *fixture) link(t *testing.T, user string, ac store.AuthConfig, alias string) store.Account {
	t.Helper()
	a, _, err := f.accounts.Link(context.Background(), f.project, accounts.LinkInput{UserID: user, AuthConfigID: ac.ID, Alias: alias})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// setStatus moves an account to status, connected now when ACTIVE, as a
// completed flow or the sweeper would, then moves the clock on a minute.
func (f *fixture) setStatus(t *testing.T, id, status string) store.Account {
	t.Helper()
	a, err := f.st.UpdateAccount(context.Background(), f.project.ID, id, func(a store.Account) (store.Account, error) {
		now := f.clock()
		a.Status, a.StatusReason, a.UpdatedAt = status, "set by the test", now
		if status == store.StatusActive {
			a.ConnectedAt = &now
		}
		return a, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.advance(time.Minute)
	return a
}

func code(err error) string {
	if p, ok := problem.As(err); ok {
		return p.Code
	}
	if err == nil {
		return ""
	}
	return "not a problem: " + err.Error()
}

// TestLinkValidation: a link needs a user id, an allowed callback URL, an
// auth config of the toolkit asked for that is enabled, and a valid alias.
func TestLinkValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.acs.SetStatus(ctx, f.project.ID, f.github.ID, store.AuthConfigDisabled); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		in   accounts.LinkInput
		want string
	}{
		{"no user", accounts.LinkInput{UserID: " ", AuthConfigID: f.linear.ID}, "user_id_required"},
		{"callback not allowed", accounts.LinkInput{UserID: "u1", AuthConfigID: f.linear.ID, CallbackURL: "https://evil.example/done"}, "callback_url_not_allowed"},
		{"toolkit mismatch", accounts.LinkInput{UserID: "u1", AuthConfigID: f.linear.ID, Toolkit: "gmail"}, "auth_config_toolkit_mismatch"},
		{"disabled auth config", accounts.LinkInput{UserID: "u1", AuthConfigID: f.github.ID}, "auth_config_disabled"},
		{"alias like an id", accounts.LinkInput{UserID: "u1", AuthConfigID: f.linear.ID, Alias: "ca_work"}, "invalid_alias"},
	} {
		if _, _, err := f.accounts.Link(ctx, f.project, tt.in); code(err) != tt.want {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.want)
		}
	}
	page, err := f.accounts.List(ctx, f.project.ID, store.AccountFilter{Limit: 10})
	if err != nil || len(page.Items) != 0 {
		t.Errorf("refused links made %d accounts (%v)", len(page.Items), err)
	}

	a, l, err := f.accounts.Link(ctx, f.project, accounts.LinkInput{UserID: "u1", Toolkit: "linear", CallbackURL: "https://app.example/done/x"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != store.StatusInitiated || a.StatusReason != accounts.ReasonAwaiting || a.AuthConfigID != f.linear.ID || !a.CreatedAt.Equal(f.clock()) {
		t.Errorf("got %+v, want an INITIATED linear account created now", a)
	}
	if !l.ExpiresAt.Equal(f.clock().Add(linkTTL)) || l.TokenHash != accounts.HashLinkToken(l.Token) || !strings.HasPrefix(l.Token, ids.Link) {
		t.Errorf("link expires %v, hash %q: want now+%v and the token's hash", l.ExpiresAt, l.TokenHash, linkTTL)
	}
	if got, want := f.accounts.LinkURL(l.Token), "https://sb.example/link/"+l.Token; got != want {
		t.Errorf("LinkURL: got %s, want %s", got, want)
	}
}

// TestAliasRules: an alias is 1 to 64 characters without surrounding
// spaces, never starts like an account id, and is unique per user and
// toolkit; SetAlias renames, clears, and refuses a taken one; Resolve
// finds an account by id or alias within one user and toolkit.
func TestAliasRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tt := range []struct {
		alias string
		want  string
	}{
		{"work", ""},
		{strings.Repeat("a", 64), ""},
		{strings.Repeat("a", 65), "invalid_alias"},
		{" work", "invalid_alias"},
		{"work ", "invalid_alias"},
		{"ca_1", "invalid_alias"},
	} {
		_, _, err := f.accounts.Link(ctx, f.project, accounts.LinkInput{UserID: "rules-" + tt.alias, AuthConfigID: f.linear.ID, Alias: tt.alias})
		if code(err) != tt.want {
			t.Errorf("alias %q: got %v, want %q", tt.alias, err, tt.want)
		}
	}

	work := f.link(t, "u1", f.linear, "work")
	if _, _, err := f.accounts.Link(ctx, f.project, accounts.LinkInput{UserID: "u1", AuthConfigID: f.linear.ID, Alias: "work"}); code(err) != "alias_taken" {
		t.Errorf("the same alias for the same user and toolkit: got %v, want alias_taken", err)
	}
	other := f.link(t, "u2", f.linear, "work") // another user
	gh := f.link(t, "u1", f.github, "work")    // another toolkit
	personal := f.link(t, "u1", f.linear, "personal")

	if _, err := f.accounts.SetAlias(ctx, f.project.ID, personal.ID, "work"); code(err) != "alias_taken" {
		t.Errorf("renaming to a taken alias: got %v, want alias_taken", err)
	}
	if _, err := f.accounts.SetAlias(ctx, f.project.ID, personal.ID, "ca_x"); code(err) != "invalid_alias" {
		t.Errorf("renaming to an invalid alias: got %v, want invalid_alias", err)
	}
	if got := f.get(t, personal.ID); got.Alias != "personal" {
		t.Errorf("refused renames changed the alias to %q", got.Alias)
	}
	if _, err := f.accounts.SetAlias(ctx, f.project.ID, "ca_missing", "x"); code(err) != "connected_account_not_found" {
		t.Errorf("renaming an unknown account: got %v, want connected_account_not_found", err)
	}
	f.advance(time.Minute)
	renamed, err := f.accounts.SetAlias(ctx, f.project.ID, work.ID, "")
	if err != nil || renamed.Alias != "" || !renamed.UpdatedAt.Equal(f.clock()) {
		t.Errorf("clearing the alias: got %v, %q updated %v; want no alias, updated now", err, renamed.Alias, renamed.UpdatedAt)
	}
	// Cleared, the alias is free again.
	if _, err := f.accounts.SetAlias(ctx, f.project.ID, personal.ID, "work"); err != nil {
		t.Errorf("taking a freed alias: %v", err)
	}

	for _, tt := range []struct {
		user, toolkit, ref string
		want               string
	}{
		{"u1", "linear", "work", personal.ID},
		{"u1", "linear", personal.ID, personal.ID},
		{"u2", "linear", "work", other.ID},
		{"u1", "github", "work", gh.ID},
		{"u1", "linear", "personal", ""},  // renamed away
		{"u2", "linear", personal.ID, ""}, // another user's id
		{"u1", "github", personal.ID, ""}, // another toolkit's id
	} {
		a, err := f.accounts.Resolve(ctx, f.project.ID, tt.user, tt.toolkit, tt.ref)
		switch {
		case tt.want == "" && !errors.Is(err, store.ErrNotFound):
			t.Errorf("Resolve(%s, %s, %s): got %s %v, want ErrNotFound", tt.user, tt.toolkit, tt.ref, a.ID, err)
		case tt.want != "" && (err != nil || a.ID != tt.want):
			t.Errorf("Resolve(%s, %s, %s): got %s %v, want %s", tt.user, tt.toolkit, tt.ref, a.ID, err, tt.want)
		}
	}
}

func (f *fixture) get(t *testing.T, id string) store.Account {
	t.Helper()
	a, err := f.accounts.Get(context.Background(), f.project.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSetEnabled: disabling an ACTIVE account makes it INACTIVE and
// enabling makes it ACTIVE again, connected now; repeating either changes
// nothing; other states are refused.
func TestSetEnabled(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.link(t, "u1", f.linear, "")
	if _, err := f.accounts.SetEnabled(ctx, f.project.ID, a.ID, true); code(err) != "invalid_status_transition" {
		t.Errorf("enabling an INITIATED account: got %v, want invalid_status_transition", err)
	}
	a = f.setStatus(t, a.ID, store.StatusActive)

	off, err := f.accounts.SetEnabled(ctx, f.project.ID, a.ID, false)
	if err != nil || off.Status != store.StatusInactive || off.StatusReason != accounts.ReasonDisabled || !off.UpdatedAt.Equal(f.clock()) {
		t.Fatalf("disable: got %v, %s %q updated %v; want INACTIVE %q now", err, off.Status, off.StatusReason, off.UpdatedAt, accounts.ReasonDisabled)
	}
	f.advance(time.Minute)
	again, err := f.accounts.SetEnabled(ctx, f.project.ID, a.ID, false)
	if err != nil || again.Status != store.StatusInactive || !again.UpdatedAt.Equal(off.UpdatedAt) {
		t.Errorf("disabling again: got %v, %s updated %v; want it unchanged (%v)", err, again.Status, again.UpdatedAt, off.UpdatedAt)
	}
	f.advance(time.Minute)
	on, err := f.accounts.SetEnabled(ctx, f.project.ID, a.ID, true)
	now := f.clock()
	if err != nil || on.Status != store.StatusActive || on.StatusReason != accounts.ReasonEnabled || on.ConnectedAt == nil || !on.ConnectedAt.Equal(now) {
		t.Errorf("enable: got %v, %s %q connected %v; want ACTIVE %q connected %v", err, on.Status, on.StatusReason, on.ConnectedAt, accounts.ReasonEnabled, now)
	}
	if again, err := f.accounts.SetEnabled(ctx, f.project.ID, a.ID, true); err != nil || !again.UpdatedAt.Equal(on.UpdatedAt) {
		t.Errorf("enabling again: got %v, updated %v; want it unchanged", err, again.UpdatedAt)
	}

	expired := f.setStatus(t, f.link(t, "u1", f.linear, "").ID, store.StatusExpired)
	for _, enabled := range []bool{true, false} {
		if _, err := f.accounts.SetEnabled(ctx, f.project.ID, expired.ID, enabled); code(err) != "invalid_status_transition" {
			t.Errorf("SetEnabled(%v) on EXPIRED: got %v, want invalid_status_transition", enabled, err)
		}
	}
	if got := f.get(t, expired.ID); got.Status != store.StatusExpired {
		t.Errorf("a refused transition moved the account to %s", got.Status)
	}
	if _, err := f.accounts.SetEnabled(ctx, f.project.ID, "ca_missing", true); code(err) != "connected_account_not_found" {
		t.Errorf("an unknown account: got %v, want connected_account_not_found", err)
	}
}

// TestMostRecentOrdering: accounts list newest connection first under
// connected_at, never-connected ones last, and re-enabling an account
// makes it the most recently connected, so it becomes the user's default
// (the store's DefaultAccount, which sessions' selection rule reads).
func TestMostRecentOrdering(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a1 := f.setStatus(t, f.link(t, "u1", f.linear, "one").ID, store.StatusActive)
	a2 := f.setStatus(t, f.link(t, "u1", f.linear, "two").ID, store.StatusActive)
	pending := f.link(t, "u1", f.linear, "pending")
	f.setStatus(t, f.link(t, "u2", f.linear, "").ID, store.StatusActive) // another user

	order := func() []string {
		t.Helper()
		page, err := f.accounts.List(ctx, f.project.ID, store.AccountFilter{UserIDs: []string{"u1"}, OrderBy: store.OrderConnectedAt, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range page.Items {
			out = append(out, a.Alias)
		}
		return out
	}
	latest := func() string {
		t.Helper()
		a, err := f.st.DefaultAccount(ctx, f.project.ID, "u1", "linear")
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	if got, want := order(), []string{"two", "one", "pending"}; !cmp.Equal(got, want) {
		t.Errorf("by connected_at: got %v, want %v", got, want)
	}
	if got := latest(); got != a2.ID {
		t.Errorf("the default is %s, want the most recent %s", got, a2.ID)
	}
	if _, err := f.accounts.SetEnabled(ctx, f.project.ID, a1.ID, false); err != nil {
		t.Fatal(err)
	}
	f.advance(time.Minute)
	if _, err := f.accounts.SetEnabled(ctx, f.project.ID, a1.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, want := order(), []string{"one", "two", "pending"}; !cmp.Equal(got, want) {
		t.Errorf("after re-enabling one: got %v, want %v", got, want)
	}
	if got := latest(); got != a1.ID {
		t.Errorf("after re-enabling, the default is %s, want %s", got, a1.ID)
	}
	// Disabling the most recent falls back to the next, and the pending
	// account never counts.
	if _, err := f.accounts.SetEnabled(ctx, f.project.ID, a1.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := latest(); got != a2.ID || got == pending.ID {
		t.Errorf("with one disabled, the default is %s, want %s", got, a2.ID)
	}
}

// TestDelete: deleting removes the account and its credentials for good;
// an unknown account, or another project's, is not found and untouched.
func TestDelete(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.link(t, "u1", f.linear, "work")
	if _, err := f.st.UpdateAccount(ctx, f.project.ID, a.ID, func(a store.Account) (store.Account, error) {
		a.Status, a.Credentials = store.StatusActive, []byte(`{"api_key":"lin_api_secret"}`)
		return a, nil
	}); err != nil {
		t.Fatal(err)
	}
	other := store.Project{ID: "proj_2", Name: "Q", CreatedAt: f.clock(), UpdatedAt: f.clock()}
	if err := f.raw.CreateProject(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := f.accounts.Delete(ctx, other.ID, a.ID); code(err) != "connected_account_not_found" {
		t.Errorf("deleting from another project: got %v, want connected_account_not_found", err)
	}
	if got := f.get(t, a.ID); got.Status != store.StatusActive {
		t.Fatalf("another project's delete touched the account: %s", got.Status)
	}
	if err := f.accounts.Delete(ctx, f.project.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.accounts.Get(ctx, f.project.ID, a.ID); code(err) != "connected_account_not_found" {
		t.Errorf("Get after delete: got %v, want connected_account_not_found", err)
	}
	if _, err := f.raw.GetAccount(ctx, f.project.ID, a.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the row (and its sealed credentials) is still in the store: %v", err)
	}
	if err := f.accounts.Delete(ctx, f.project.ID, a.ID); code(err) != "connected_account_not_found" {
		t.Errorf("deleting twice: got %v, want connected_account_not_found", err)
	}
	// The alias is free again.
	if _, _, err := f.accounts.Link(ctx, f.project, accounts.LinkInput{UserID: "u1", AuthConfigID: f.linear.ID, Alias: "work"}); err != nil {
		t.Errorf("the alias of a deleted account: %v", err)
	}
}

// TestSweepStale: on the injected clock, an INITIATED account fails once
// its link expired before now, with the reason naming the link lifetime;
// accounts with a live link, and ACTIVE ones, stay.
func TestSweepStale(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old := f.link(t, "u1", f.linear, "")
	active := f.setStatus(t, f.link(t, "u1", f.linear, "").ID, store.StatusActive)
	f.advance(linkTTL - time.Minute) // old's link expires now
	fresh := f.link(t, "u1", f.linear, "")
	if n, err := f.accounts.SweepStale(ctx); err != nil || n != 0 {
		t.Fatalf("at the link's expiry: swept %d (%v), want 0 (it fails once expired before now)", n, err)
	}
	f.advance(time.Second)
	n, err := f.accounts.SweepStale(ctx)
	if err != nil || n != 1 {
		t.Fatalf("swept %d (%v), want 1", n, err)
	}
	got := f.get(t, old.ID)
	if want := "Connection initiation did not complete within 10 minutes, the lifetime of its link"; got.Status != store.StatusFailed || got.StatusReason != want {
		t.Errorf("stale account: got %s %q, want FAILED %q", got.Status, got.StatusReason, want)
	}
	if got := f.get(t, fresh.ID); got.Status != store.StatusInitiated {
		t.Errorf("an account with a live link: got %s, want INITIATED", got.Status)
	}
	if got := f.get(t, active.ID); got.Status != store.StatusActive {
		t.Errorf("an ACTIVE account: got %s, want ACTIVE", got.Status)
	}
}

func TestFieldsFollowChangedCredentials(t *testing.T) {
	var s accounts.Service
	get := func(plain string) (map[string]string, error) {
		return s.Fields(store.Account{ID: "ca_1", ProjectID: "proj_1", Credentials: []byte(plain)})
	}
	for _, c := range []struct{ plain, want string }{
		{`{"api_key":"k1"}`, "k1"},
		{`{"api_key":"k1"}`, "k1"}, // from the cache
		{`{"api_key":"k2"}`, "k2"}, // rotated: parsed again
		{`{"api_key":"k1"}`, "k1"},
	} {
		got, err := get(c.plain)
		if err != nil || got["api_key"] != c.want {
			t.Fatalf("Fields(%s) = %v, %v; want api_key %s", c.plain, got, err, c.want)
		}
	}
	if _, err := get(`{"api_key":1}`); err == nil {
		t.Error("Fields of a number field: no error, want one")
	}
	s.ForgetCredentials()
	if got, err := get(`{"api_key":"k3"}`); err != nil || got["api_key"] != "k3" {
		t.Errorf("after ForgetCredentials: %v, %v", got, err)
	}
}
