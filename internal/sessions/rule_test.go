package sessions_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// TestSelectionRule is every case of the selection rule in one table: pin,
// supersession, alias, explicit account, chosen default, recency, and the
// refusals that list the candidates.
func TestSelectionRule(t *testing.T) {
	// Each case gets u1's gmail accounts old (alias work) and recent (alias
	// personal), both ACTIVE, recent connected last.
	type accts struct{ old, recent store.Account }
	tests := []struct {
		name string
		// setup changes the accounts and returns the call.
		setup func(t *testing.T, f *fixture, a accts) sessions.Want
		// want is "old" or "recent" for the account the call uses, "" for
		// a refusal.
		want string
		// refusal lists substrings of the refusal's message; {old} and
		// {recent} stand for the ids.
		refusal []string
	}{
		{
			name:  "recency without pin or default",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want { return f.in(t, sessions.Config{}) },
			want:  "recent",
		},
		{
			name: "chosen default wins over recency",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				f.setDefault(t, a.old.ID)
				return f.in(t, sessions.Config{})
			},
			want: "old",
		},
		{
			name: "a default that is not ACTIVE is reported, never replaced",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				f.setDefault(t, a.old.ID)
				f.setStatus(t, a.old.ID, store.StatusExpired)
				return f.in(t, sessions.Config{})
			},
			refusal: []string{"{old} is EXPIRED"},
		},
		{
			name: "pin wins over the default",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				f.setDefault(t, a.recent.ID)
				return f.in(t, sessions.Config{Pins: map[string][]string{"gmail": {a.old.ID}}})
			},
			want: "old",
		},
		{
			name: "a pin of a superseded account resolves to its successor",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				w := f.in(t, sessions.Config{Pins: map[string][]string{"gmail": {a.old.ID}}})
				f.supersede(t, a.old.ID, a.recent.ID)
				return w
			},
			want: "recent",
		},
		{
			name: "a disabled pin is reported, never replaced",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				w := f.in(t, sessions.Config{Pins: map[string][]string{"gmail": {a.old.ID}}})
				f.setStatus(t, a.old.ID, store.StatusInactive)
				return w
			},
			refusal: []string{"{old} is INACTIVE", "PATCH /api/v3.1/connected_accounts/{old}/status"},
		},
		{
			name: "a deleted pin is reported",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				w := f.in(t, sessions.Config{Pins: map[string][]string{"gmail": {a.old.ID}}})
				if err := f.st.DeleteAccount(context.Background(), f.project.ID, a.old.ID); err != nil {
					t.Fatal(err)
				}
				return w
			},
			refusal: []string{"{old} is DELETED"},
		},
		{
			name: "single mode: naming the account in use",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				w := f.in(t, sessions.Config{})
				w.Account = "personal"
				return w
			},
			want: "recent",
		},
		{
			name: "single mode: naming another account",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				w := f.in(t, sessions.Config{})
				w.Account = "work"
				return w
			},
			refusal: []string{"uses {recent} for gmail, not work", "enable multi_account"},
		},
		{
			name: "multi mode: naming an alias",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				w := f.in(t, sessions.Config{MultiAccount: sessions.MultiAccount{Enabled: true}})
				w.Account = "work"
				return w
			},
			want: "old",
		},
		{
			name: "multi mode: naming the id",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				w := f.in(t, sessions.Config{MultiAccount: sessions.MultiAccount{Enabled: true}})
				w.Account = a.recent.ID
				return w
			},
			want: "recent",
		},
		{
			name: "multi mode: without a choice, the default first",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				f.setDefault(t, a.old.ID)
				return f.in(t, sessions.Config{MultiAccount: sessions.MultiAccount{Enabled: true}})
			},
			want: "old",
		},
		{
			name: "multi mode: without a choice or default, the most recent",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				return f.in(t, sessions.Config{MultiAccount: sessions.MultiAccount{Enabled: true}})
			},
			want: "recent",
		},
		{
			name: "multi mode: an alias that matches nothing lists the candidates",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				w := f.in(t, sessions.Config{MultiAccount: sessions.MultiAccount{Enabled: true}})
				w.Account = "holiday"
				return w
			},
			refusal: []string{"holiday is not one of the gmail accounts", "{old} (alias work, old@example.com, ACTIVE, connected 2026-01-01T00:00:00Z)",
				"{recent} (alias personal, recent@example.com, ACTIVE, connected 2026-01-01T00:01:00Z)"},
		},
		{
			name: "multi mode: a required choice lists the candidates",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				f.setDefault(t, a.old.ID)
				return f.in(t, sessions.Config{MultiAccount: sessions.MultiAccount{Enabled: true, RequireExplicitSelection: true}})
			},
			refusal: []string{"requires choosing a gmail account", "{old} (alias work, old@example.com, ACTIVE, connected 2026-01-01T00:00:00Z, default)", "{recent} (alias personal"},
		},
		{
			name: "multi mode: pins of superseded accounts count once",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				w := f.in(t, sessions.Config{Pins: map[string][]string{"gmail": {a.old.ID, a.recent.ID}},
					MultiAccount: sessions.MultiAccount{Enabled: true, RequireExplicitSelection: true}})
				f.supersede(t, a.old.ID, a.recent.ID)
				return w
			},
			want: "recent",
		},
		{
			name: "outside a session: the user's default",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				f.setDefault(t, a.old.ID)
				return sessions.Want{UserID: "u1", Toolkit: "gmail"}
			},
			want: "old",
		},
		{
			name: "outside a session: recency",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				return sessions.Want{UserID: "u1", Toolkit: "gmail"}
			},
			want: "recent",
		},
		{
			name: "outside a session: a superseded account id resolves to its successor",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				f.supersede(t, a.old.ID, a.recent.ID)
				return sessions.Want{ConnectedAccountID: a.old.ID, Toolkit: "gmail"}
			},
			want: "recent",
		},
		{
			name: "a toolkit the session does not enable",
			setup: func(t *testing.T, f *fixture, a accts) sessions.Want {
				return f.in(t, sessions.Config{Toolkits: sessions.ToolkitFilter{Enabled: []string{"github"}}})
			},
			refusal: []string{"toolkit gmail is not enabled in session"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			var a accts
			a.old = f.connectedAs(t, "u1", "work", "old@example.com")
			a.recent = f.connectedAs(t, "u1", "personal", "recent@example.com")
			w := tt.setup(t, f, a)
			got, r, err := f.sessions.Select(context.Background(), f.project, w)
			if err != nil {
				t.Fatalf("Select: %v", err)
			}
			ids := map[string]string{"old": a.old.ID, "recent": a.recent.ID}
			if tt.want != "" {
				if r != nil {
					t.Fatalf("got refusal %q, want %s (%s)", r.Message("", nil), tt.want, ids[tt.want])
				}
				if got.ID != ids[tt.want] {
					t.Fatalf("got %s, want %s (%s)", got.ID, tt.want, ids[tt.want])
				}
				return
			}
			if r == nil {
				t.Fatalf("got account %s, want a refusal", got.ID)
			}
			msg := r.Message("", nil)
			for _, sub := range tt.refusal {
				sub = strings.NewReplacer("{old}", a.old.ID, "{recent}", a.recent.ID).Replace(sub)
				if !strings.Contains(msg, sub) {
					t.Errorf("refusal %q does not contain %q", msg, sub)
				}
			}
		})
	}
}

// in creates a session of u1 and returns a gmail call in it.
func (f *fixture) in(t *testing.T, c sessions.Config) sessions.Want {
	t.Helper()
	sess, err := f.sessions.Create(context.Background(), f.project, "u1", c)
	if err != nil {
		t.Fatal(err)
	}
	return sessions.Want{SessionID: sess.ID, Toolkit: "gmail"}
}

// connectedAs connects an ACTIVE gmail account with an identity.
func (f *fixture) connectedAs(t *testing.T, user, alias, email string) store.Account {
	t.Helper()
	a := f.connected(t, user, "gmail", alias, store.StatusActive)
	a, err := f.st.UpdateAccount(context.Background(), f.project.ID, a.ID, func(a store.Account) (store.Account, error) {
		a.Identity, a.IdentityID = email, "id-"+email
		return a, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *fixture) setDefault(t *testing.T, id string) {
	t.Helper()
	if _, err := f.accounts.SetDefault(context.Background(), f.project.ID, id, true); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) setStatus(t *testing.T, id, status string) {
	t.Helper()
	if _, err := f.st.UpdateAccount(context.Background(), f.project.ID, id, func(a store.Account) (store.Account, error) {
		a.Status = status
		return a, nil
	}); err != nil {
		t.Fatal(err)
	}
}

// supersede records that by replaced old, as a reconnection does.
func (f *fixture) supersede(t *testing.T, old, by string) {
	t.Helper()
	if _, err := f.st.UpdateAccount(context.Background(), f.project.ID, old, func(a store.Account) (store.Account, error) {
		a.Status, a.SupersededBy = store.StatusInactive, by
		return a, nil
	}); err != nil {
		t.Fatal(err)
	}
}
