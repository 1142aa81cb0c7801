package sessions_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlite"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/internal/vault"
)

// fixture is the domain without HTTP: services on a real SQLite store.
type fixture struct {
	st       store.Store
	accounts *accounts.Service
	sessions *sessions.Service
	project  store.Project
	ac       store.AuthConfig
	now      time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	kr, err := vault.NewKeyring(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := toolkits.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	sealed := vault.NewBarrier(st, kr)
	acs := &authconfigs.Service{Store: sealed, Catalog: cat, Now: clock}
	f.accounts = &accounts.Service{Store: sealed, AuthConfigs: acs, Catalog: cat, Now: clock,
		PublicURL: "http://sb.test", LinkTTL: 10 * time.Minute, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	f.sessions = &sessions.Service{Store: sealed, Accounts: f.accounts, AuthConfigs: acs, Catalog: cat, Now: clock}
	f.project = store.Project{ID: "proj_1", Name: "P", CreatedAt: f.now, UpdatedAt: f.now}
	if err := st.CreateProject(ctx, f.project); err != nil {
		t.Fatal(err)
	}
	f.ac, err = acs.Create(ctx, f.project.ID, authconfigs.CreateInput{Toolkit: "gmail", Type: "use_custom_auth", AuthScheme: "OAUTH2",
		Credentials: map[string]any{"client_id": "id", "client_secret": "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// connected stores an account that became ACTIVE at the fixture's
// current time, then moves the clock on.
func (f *fixture) connected(t *testing.T, user, toolkit, alias, status string) store.Account {
	t.Helper()
	a, _, err := f.accounts.Link(context.Background(), f.project, accounts.LinkInput{UserID: user, AuthConfigID: f.ac.ID, Alias: alias})
	if err != nil {
		t.Fatal(err)
	}
	a, err = f.st.UpdateAccount(context.Background(), f.project.ID, a.ID, func(a store.Account) (store.Account, error) {
		now := f.now
		a.Status, a.ConnectedAt, a.ToolkitSlug = status, &now, toolkit
		return a, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	return a
}

func (f *fixture) active(t *testing.T, sess sessions.Session) string {
	t.Helper()
	a, err := f.sessions.AccountFor(context.Background(), sess, "gmail")
	if err != nil {
		t.Fatal(err)
	}
	if a == nil {
		return ""
	}
	return a.ID + " " + a.Status
}

func TestDefaultIsMostRecentActiveResolvedAtUse(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess, err := f.sessions.Create(ctx, f.project, "u1", sessions.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.active(t, sess); got != "" {
		t.Fatalf("no accounts: got %q", got)
	}
	a1 := f.connected(t, "u1", "gmail", "", store.StatusActive)
	if got, want := f.active(t, sess), a1.ID+" ACTIVE"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	a2 := f.connected(t, "u1", "gmail", "", store.StatusActive)
	f.connected(t, "u1", "gmail", "", store.StatusInactive) // newer but disabled
	f.connected(t, "u2", "gmail", "", store.StatusActive)   // another user
	if got, want := f.active(t, sess), a2.ID+" ACTIVE"; got != want {
		t.Errorf("after a second connection: got %q, want the most recent %q", got, want)
	}
	// Re-enabling a1 makes it the most recently connected.
	if _, err := f.accounts.SetEnabled(ctx, f.project.ID, a1.ID, false); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	if _, err := f.accounts.SetEnabled(ctx, f.project.ID, a1.ID, true); err != nil {
		t.Fatal(err)
	}
	if got, want := f.active(t, sess), a1.ID+" ACTIVE"; got != want {
		t.Errorf("after re-enabling: got %q, want %q", got, want)
	}
}

func TestPinsAreValidatedAndNeverReplaced(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	work := f.connected(t, "u1", "gmail", "work", store.StatusActive)
	personal := f.connected(t, "u1", "gmail", "personal", store.StatusActive)
	other := f.connected(t, "u2", "gmail", "", store.StatusActive)
	expired := f.connected(t, "u1", "gmail", "", store.StatusExpired)
	github := f.connected(t, "u1", "github", "", store.StatusActive)

	tests := []struct {
		name string
		pins []string
		want string // error code, or "" for success
	}{
		{"own account", []string{work.ID}, ""},
		{"by alias", []string{"work"}, ""},
		{"another user's", []string{other.ID}, "connected_account_not_usable"},
		{"another toolkit's", []string{github.ID}, "connected_account_not_usable"},
		{"unknown", []string{"ca_nope"}, "connected_account_not_usable"},
		{"not active", []string{expired.ID}, "connected_account_not_active"},
		{"two without multi-account", []string{work.ID, personal.ID}, "too_many_accounts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess, err := f.sessions.Create(ctx, f.project, "u1", sessions.Config{Pins: map[string][]string{"gmail": tt.pins}})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				if got := sess.Config.Pins["gmail"]; len(got) != 1 || got[0] != work.ID {
					t.Errorf("stored pins %v, want [%s]", got, work.ID)
				}
				return
			}
			p, ok := problem.As(err)
			if !ok || p.Code != tt.want || p.Kind != problem.Invalid {
				t.Fatalf("got %v, want a %s problem", err, tt.want)
			}
		})
	}

	// A pin that stops being ACTIVE is reported as it is; the session does
	// not fall back to the (ACTIVE, more recent) personal account.
	sess, err := f.sessions.Create(ctx, f.project, "u1", sessions.Config{Pins: map[string][]string{"gmail": {work.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.accounts.SetEnabled(ctx, f.project.ID, work.ID, false); err != nil {
		t.Fatal(err)
	}
	if got, want := f.active(t, sess), work.ID+" INACTIVE"; got != want {
		t.Errorf("disabled pin: got %q, want %q", got, want)
	}
	if err := f.accounts.Delete(ctx, f.project.ID, work.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := f.active(t, sess), work.ID+" DELETED"; got != want {
		t.Errorf("deleted pin: got %q, want %q", got, want)
	}

	// Multi-account mode allows several pins, up to its maximum.
	_, err = f.sessions.Create(ctx, f.project, "u1", sessions.Config{
		MultiAccount: sessions.MultiAccount{Enabled: true, MaxAccountsPerToolkit: 2},
		Pins:         map[string][]string{"gmail": {personal.ID, "personal"}},
	})
	if err != nil {
		t.Errorf("multi-account pins: %v", err)
	}
}

func TestConnectedMovesThePin(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old := f.connected(t, "u1", "gmail", "", store.StatusActive)
	pinned, err := f.sessions.Create(ctx, f.project, "u1", sessions.Config{Pins: map[string][]string{"gmail": {old.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	a, l, err := f.sessions.Authorize(ctx, f.project, pinned.ID, "gmail", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if l.SessionID != pinned.ID || a.Status != store.StatusInitiated {
		t.Fatalf("link %+v for account %s %s", l, a.ID, a.Status)
	}
	a, err = f.st.UpdateAccount(ctx, f.project.ID, a.ID, func(a store.Account) (store.Account, error) {
		now := f.now
		a.Status, a.ConnectedAt = store.StatusActive, &now
		return a, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.sessions.Connected(ctx, l, a); err != nil {
		t.Fatal(err)
	}
	sess, err := f.sessions.Get(ctx, f.project.ID, pinned.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := sess.Config.Pins["gmail"]; len(got) != 1 || got[0] != a.ID {
		t.Errorf("pin after authorize: %v, want [%s]", got, a.ID)
	}
	if sess.ConfigVersion != 2 {
		t.Errorf("config version %d, want 2", sess.ConfigVersion)
	}
}

func TestAuthorizeChecksTheSession(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sess, err := f.sessions.Create(ctx, f.project, "u1", sessions.Config{Toolkits: sessions.ToolkitFilter{Enabled: []string{"github"}}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.sessions.Authorize(ctx, f.project, sess.ID, "gmail", "", "")
	if p, ok := problem.As(err); !ok || p.Code != "toolkit_not_in_session" {
		t.Errorf("authorize outside the session's toolkits: %v", err)
	}
	_, _, err = f.sessions.Authorize(ctx, f.project, sess.ID, "github", "", "")
	if p, ok := problem.As(err); !ok || p.Code != "auth_config_missing" || !strings.Contains(p.Fix, "auth_configs") {
		t.Errorf("authorize without an auth config: %v, want a 400 saying how to create one", err)
	}
	_, err = f.sessions.Create(ctx, f.project, " ", sessions.Config{})
	if p, ok := problem.As(err); !ok || p.Code != "user_id_required" {
		t.Errorf("blank user id: %v", err)
	}
}
