package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// tenant is one project's rows in the tenancy tests.
type tenant struct {
	project store.Project
	key     store.APIKey
	config  store.AuthConfig
	account store.Account
	link    store.Link
	session store.Session
}

// seedTenant creates a project with one row of each kind. Both tenants use
// the same user id, toolkit, alias and names, so only the project tells
// them apart.
func seedTenant(t *testing.T, s store.Store, projectID string) tenant {
	var tn tenant
	tn.project = mustCreateProject(t, s, newProject(projectID))
	tn.key = mustCreateAPIKey(t, s, newAPIKey(projectID, projectID+"-key"))
	c := newAuthConfig(projectID, projectID+"-ac", "github", at(1))
	c.Name = "GitHub"
	tn.config = mustCreateAuthConfig(t, s, c)
	a := newAccount(projectID, projectID+"-acct", tn.config, "shared-user", at(2))
	a.Alias = "work"
	tn.account = mustCreateAccount(t, s, a)
	tn.link = mustCreateLink(t, s, newLink(projectID, projectID+"-link", a.ID, at(3), at(13)))
	tn.session = mustCreateSession(t, s, newSession(projectID, projectID+"-sess", "shared-user"))
	return tn
}

// testTenancy checks that no project-scoped call in one project reads,
// changes, deletes or counts a row of another.
func testTenancy(t *testing.T, s store.Store) {
	t1 := seedTenant(t, s, "p1")
	t2 := seedTenant(t, s, "p2")
	for _, pair := range []struct {
		name        string
		self, other tenant
	}{
		{"P1SeesNoP2", t1, t2},
		{"P2SeesNoP1", t2, t1},
	} {
		t.Run(pair.name, func(t *testing.T) {
			checkIsolation(t, s, pair.self, pair.other)
		})
	}
	// The attempts above must have changed nothing.
	for _, tn := range []tenant{t1, t2} {
		checkUnchanged(t, s, tn)
	}
}

// checkIsolation calls every project-scoped method as self.project on the
// rows of other, and checks self's lists show only self's rows.
func checkIsolation(t *testing.T, s store.Store, self, other tenant) {
	ctx := t.Context()
	p := self.project.ID
	notFound := func(call string, err error, fnCalled bool) {
		t.Helper()
		wantErr(t, call, err, store.ErrNotFound)
		if fnCalled {
			t.Errorf("%s called fn with another project's row", call)
		}
	}

	t.Run("AuthConfigs", func(t *testing.T) {
		_, err := s.GetAuthConfig(ctx, p, other.config.ID)
		notFound("GetAuthConfig", err, false)
		called := false
		_, err = s.UpdateAuthConfig(ctx, p, other.config.ID, func(c store.AuthConfig) (store.AuthConfig, error) {
			called = true
			c.Name = "hijacked"
			return c, nil
		})
		notFound("UpdateAuthConfig", err, called)
		notFound("DeleteAuthConfig", s.DeleteAuthConfig(ctx, p, other.config.ID), false)

		for _, f := range []store.AuthConfigFilter{
			{IncludeDisabled: true},
			{ToolkitSlugs: []string{"github"}, IncludeDisabled: true},
			{Search: "GitHub", IncludeDisabled: true},
			{Type: other.config.Type, IncludeDisabled: true},
		} {
			page, err := s.ListAuthConfigs(ctx, p, f)
			wantNoErr(t, "ListAuthConfigs", err)
			if d := diff([]string{self.config.ID}, authConfigIDs(page.Items)); d != "" {
				t.Errorf("ListAuthConfigs(%+v) mismatch (-want +got):\n%s", f, d)
			}
			if page.Total != 1 {
				t.Errorf("ListAuthConfigs(%+v): got Total %d, want 1", f, page.Total)
			}
		}

		counts, err := s.CountAccounts(ctx, p, []string{other.config.ID, self.config.ID})
		wantNoErr(t, "CountAccounts", err)
		if counts[other.config.ID] != 0 || counts[self.config.ID] != 1 {
			t.Errorf("CountAccounts: got other=%d self=%d, want other=0 self=1", counts[other.config.ID], counts[self.config.ID])
		}
	})

	t.Run("Accounts", func(t *testing.T) {
		_, err := s.GetAccount(ctx, p, other.account.ID)
		notFound("GetAccount", err, false)
		called := false
		_, err = s.UpdateAccount(ctx, p, other.account.ID, func(a store.Account) (store.Account, error) {
			called = true
			a.Status = store.StatusInactive
			return a, nil
		})
		notFound("UpdateAccount", err, called)
		notFound("DeleteAccount", s.DeleteAccount(ctx, p, other.account.ID), false)

		for _, f := range []store.AccountFilter{
			{},
			{UserIDs: []string{"shared-user"}},
			{ToolkitSlugs: []string{"github"}},
			{Aliases: []string{"work"}},
			{Statuses: []string{store.StatusActive}},
			{OrderBy: store.OrderConnectedAt},
			{OrderBy: store.OrderUpdatedAt, Ascending: true},
		} {
			page, err := s.ListAccounts(ctx, p, f)
			wantNoErr(t, "ListAccounts", err)
			if d := diff([]string{self.account.ID}, accountIDs(page.Items)); d != "" {
				t.Errorf("ListAccounts(%+v) mismatch (-want +got):\n%s", f, d)
			}
			if page.Total != 1 {
				t.Errorf("ListAccounts(%+v): got Total %d, want 1", f, page.Total)
			}
		}
		// Both tenants' accounts are ACTIVE, of the same user and toolkit.
		latest, err := s.DefaultAccount(ctx, p, other.account.UserID, other.account.ToolkitSlug)
		wantNoErr(t, "DefaultAccount", err)
		if latest.ID != self.account.ID {
			t.Errorf("DefaultAccount: got %q of project %q, want %q", latest.ID, latest.ProjectID, self.account.ID)
		}
		for _, f := range []store.AccountFilter{
			{IDs: []string{other.account.ID}},
			{AuthConfigIDs: []string{other.config.ID}},
		} {
			page, err := s.ListAccounts(ctx, p, f)
			wantNoErr(t, "ListAccounts", err)
			if len(page.Items) != 0 || page.Total != 0 {
				t.Errorf("ListAccounts(%+v) naming another project's rows: got %v (Total %d), want nothing",
					f, accountIDs(page.Items), page.Total)
			}
		}
	})

	t.Run("CursorFromAnotherProject", func(t *testing.T) {
		// The other tenant gets a second account, so its first page of one
		// has a cursor. That cursor, replayed here, must not list its rows.
		c := newAccount(other.project.ID, other.account.ID+"-2", other.config, "someone", at(0))
		mustCreateAccount(t, s, c)
		t.Cleanup(func() {
			// t.Context has ended by the time cleanups run.
			if err := s.DeleteAccount(context.Background(), other.project.ID, c.ID); err != nil {
				t.Errorf("DeleteAccount: %v", err)
			}
		})
		page, err := s.ListAccounts(ctx, other.project.ID, store.AccountFilter{Limit: 1})
		wantNoErr(t, "ListAccounts", err)
		if page.NextCursor == "" {
			t.Fatalf("ListAccounts with Limit 1 of 2: got no NextCursor")
		}
		page, err = s.ListAccounts(ctx, p, store.AccountFilter{Limit: 1, Cursor: page.NextCursor})
		if err != nil {
			return // rejecting a foreign cursor is fine
		}
		for _, a := range page.Items {
			if a.ProjectID != p {
				t.Errorf("ListAccounts with another project's cursor: got account %q of project %q", a.ID, a.ProjectID)
			}
		}
	})

	t.Run("Sessions", func(t *testing.T) {
		_, err := s.GetSession(ctx, p, other.session.ID)
		notFound("GetSession", err, false)
		called := false
		_, err = s.UpdateSession(ctx, p, other.session.ID, func(sess store.Session) (store.Session, error) {
			called = true
			sess.ConfigVersion = 99
			return sess, nil
		})
		notFound("UpdateSession", err, called)
		notFound("DeleteSession", s.DeleteSession(ctx, p, other.session.ID), false)
	})

	t.Run("CustomToolkits", func(t *testing.T) {
		mine := newCustomToolkit(p, p+"-mine")
		wantNoErr(t, "CreateCustomToolkit", s.CreateCustomToolkit(ctx, mine))
		theirs := newCustomToolkit(other.project.ID, other.project.ID+"-theirs")
		wantNoErr(t, "CreateCustomToolkit of the other project", s.CreateCustomToolkit(ctx, theirs))
		_, err := s.GetCustomToolkit(ctx, p, theirs.Slug)
		notFound("GetCustomToolkit", err, false)
		called := false
		_, err = s.UpdateCustomToolkit(ctx, p, theirs.Slug, func(tk store.CustomToolkit) (store.CustomToolkit, error) {
			called = true
			return tk, nil
		})
		notFound("UpdateCustomToolkit", err, called)
		notFound("DeleteCustomToolkit", s.DeleteCustomToolkit(ctx, p, theirs.Slug), false)
		list, err := s.ListCustomToolkits(ctx, p)
		wantNoErr(t, "ListCustomToolkits", err)
		for _, tk := range list {
			if tk.ProjectID != p {
				t.Errorf("ListCustomToolkits(%s) lists %s of project %s", p, tk.Slug, tk.ProjectID)
			}
		}
		if len(list) == 0 {
			t.Errorf("ListCustomToolkits(%s) lists none; want %s", p, mine.Slug)
		}
	})

	t.Run("APIKeys", func(t *testing.T) {
		keys, err := s.ListAPIKeys(ctx, p)
		wantNoErr(t, "ListAPIKeys", err)
		var ids []string
		for _, k := range keys {
			ids = append(ids, k.ID)
		}
		if d := diff([]string{self.key.ID}, ids); d != "" {
			t.Errorf("ListAPIKeys mismatch (-want +got):\n%s", d)
		}
		notFound("RevokeAPIKey", s.RevokeAPIKey(ctx, p, other.key.ID, at(50)), false)
	})
}

// checkUnchanged checks that every row of tn is as it was created.
func checkUnchanged(t *testing.T, s store.Store, tn tenant) {
	t.Helper()
	ctx := t.Context()
	p := tn.project.ID

	gotP, err := s.GetProject(ctx, p)
	wantNoErr(t, "GetProject", err)
	if d := diff(tn.project, gotP); d != "" {
		t.Errorf("project %q changed (-want +got):\n%s", p, d)
	}
	gotK, err := s.GetAPIKeyByHash(ctx, tn.key.Hash)
	wantNoErr(t, "GetAPIKeyByHash", err)
	if d := diff(tn.key, gotK); d != "" {
		t.Errorf("API key of %q changed (-want +got):\n%s", p, d)
	}
	gotC, err := s.GetAuthConfig(ctx, p, tn.config.ID)
	wantNoErr(t, "GetAuthConfig", err)
	if d := diff(tn.config, gotC); d != "" {
		t.Errorf("auth config of %q changed (-want +got):\n%s", p, d)
	}
	if d := diff(tn.account, mustGetAccount(t, s, p, tn.account.ID)); d != "" {
		t.Errorf("account of %q changed (-want +got):\n%s", p, d)
	}
	gotL, err := s.GetLink(ctx, tn.link.TokenHash)
	wantNoErr(t, "GetLink", err)
	if d := diff(tn.link, gotL); d != "" {
		t.Errorf("link of %q changed (-want +got):\n%s", p, d)
	}
	gotS, err := s.GetSession(ctx, p, tn.session.ID)
	wantNoErr(t, "GetSession", err)
	if d := diff(tn.session, gotS); d != "" {
		t.Errorf("session of %q changed (-want +got):\n%s", p, d)
	}
}

// testTenancyReferences checks that an account cannot tie two projects
// together: either the store refuses an account naming another project's
// auth config, or that config's deletion and counts leave it alone.
func testTenancyReferences(t *testing.T, s store.Store) {
	ctx := t.Context()
	t1 := seedTenant(t, s, "p1")
	seedTenant(t, s, "p2")

	cross := newAccount("p2", "cross", t1.config, "u9", at(5))
	if err := s.CreateAccount(ctx, cross); err != nil {
		return // refused: nothing can leak
	}
	counts, err := s.CountAccounts(ctx, "p1", []string{t1.config.ID})
	wantNoErr(t, "CountAccounts", err)
	if counts[t1.config.ID] != 1 {
		t.Errorf("CountAccounts in p1: got %d, want 1 (p2's account must not count)", counts[t1.config.ID])
	}
	page, err := s.ListAccounts(ctx, "p1", store.AccountFilter{AuthConfigIDs: []string{t1.config.ID}})
	wantNoErr(t, "ListAccounts", err)
	if slices.Contains(accountIDs(page.Items), "cross") {
		t.Errorf("ListAccounts in p1 lists p2's account")
	}
	wantNoErr(t, "DeleteAuthConfig", s.DeleteAuthConfig(ctx, "p1", t1.config.ID))
	if _, err := s.GetAccount(ctx, "p2", "cross"); err != nil {
		t.Errorf("GetAccount in p2 after p1 deleted its auth config: got error %v, want the account kept", err)
	}
}
