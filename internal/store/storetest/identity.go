package storetest

import (
	"slices"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// testAccountIdentityFields round-trips the fields of issue 15 (superseded
// by, default, health) and the duplicate policy of an auth config.
func testAccountIdentityFields(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	cfg := newAuthConfig("p1", "ac1", "github", at(1))
	cfg.DuplicatePolicy = "reject"
	c := mustCreateAuthConfig(t, s, cfg)
	got, err := s.GetAuthConfig(ctx, "p1", "ac1")
	wantNoErr(t, "GetAuthConfig", err)
	if got.DuplicatePolicy != "reject" {
		t.Errorf("DuplicatePolicy: got %q, want reject", got.DuplicatePolicy)
	}
	got, err = s.UpdateAuthConfig(ctx, "p1", "ac1", func(c store.AuthConfig) (store.AuthConfig, error) {
		c.DuplicatePolicy = "allow"
		return c, nil
	})
	wantNoErr(t, "UpdateAuthConfig", err)
	if got.DuplicatePolicy != "allow" {
		t.Errorf("DuplicatePolicy after update: got %q, want allow", got.DuplicatePolicy)
	}

	a := newAccount("p1", "a1", c, "u1", at(2))
	a.SupersededBy = "a2"
	a.Health = store.HealthNeedsReauth
	a.VerifiedAt = ptr(at(3))
	a.HealthError = "the provider answered 401"
	mustCreateAccount(t, s, a)
	if d := diff(a, mustGetAccount(t, s, "p1", "a1")); d != "" {
		t.Errorf("GetAccount mismatch (-want +got):\n%s", d)
	}
	updated, err := s.UpdateAccount(ctx, "p1", "a1", func(a store.Account) (store.Account, error) {
		a.SupersededBy, a.Health, a.VerifiedAt, a.HealthError = "", store.HealthOK, ptr(at(9)), ""
		return a, nil
	})
	wantNoErr(t, "UpdateAccount", err)
	want := a
	want.SupersededBy, want.Health, want.VerifiedAt, want.HealthError = "", store.HealthOK, ptr(at(9)), ""
	if d := diff(want, updated); d != "" {
		t.Errorf("UpdateAccount mismatch (-want +got):\n%s", d)
	}
}

// testDefaultMark checks that one account per user and toolkit is the
// default: making one the default clears it on the others, not on other
// users', toolkits' or projects'.
func testDefaultMark(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	gh := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac-gh", "github", at(0)))
	gm := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac-gm", "gmail", at(0)))
	foreign := mustCreateAuthConfig(t, s, newAuthConfig("p2", "ac-x", "github", at(0)))
	for _, a := range []store.Account{
		newAccount("p1", "a1", gh, "u1", at(1)),
		newAccount("p1", "a2", gh, "u1", at(2)),
		newAccount("p1", "b1", gh, "u2", at(3)),
		newAccount("p1", "g1", gm, "u1", at(4)),
		newAccount("p2", "x1", foreign, "u1", at(5)),
	} {
		mustCreateAccount(t, s, a)
	}
	setDefault := func(projectID, id string, on bool) {
		t.Helper()
		_, err := s.UpdateAccount(ctx, projectID, id, func(a store.Account) (store.Account, error) {
			a.IsDefault = on
			return a, nil
		})
		wantNoErr(t, name("UpdateAccount(", projectID, ", ", id, ") IsDefault=", on), err)
	}
	defaults := func(projectID string, f store.AccountFilter) []string {
		t.Helper()
		f.DefaultOnly = true
		page, err := s.ListAccounts(ctx, projectID, f)
		wantNoErr(t, "ListAccounts(DefaultOnly)", err)
		ids := accountIDs(page.Items)
		slices.Sort(ids)
		return ids
	}
	for _, d := range [][2]string{{"p1", "a1"}, {"p1", "b1"}, {"p1", "g1"}, {"p2", "x1"}} {
		setDefault(d[0], d[1], true)
	}
	if got, want := defaults("p1", store.AccountFilter{}), []string{"a1", "b1", "g1"}; !slices.Equal(got, want) {
		t.Errorf("p1 defaults: got %v, want %v", got, want)
	}
	setDefault("p1", "a2", true)
	if got, want := defaults("p1", store.AccountFilter{}), []string{"a2", "b1", "g1"}; !slices.Equal(got, want) {
		t.Errorf("p1 defaults after a2 took over: got %v, want %v", got, want)
	}
	if mustGetAccount(t, s, "p1", "a1").IsDefault {
		t.Errorf("a1 is still the default after a2 became it")
	}
	if got, want := defaults("p1", store.AccountFilter{UserIDs: []string{"u1"}, ToolkitSlugs: []string{"github"}}), []string{"a2"}; !slices.Equal(got, want) {
		t.Errorf("u1's github default: got %v, want %v", got, want)
	}
	if got, want := defaults("p2", store.AccountFilter{}), []string{"x1"}; !slices.Equal(got, want) {
		t.Errorf("p2 defaults: got %v, want %v (another project's change reached it)", got, want)
	}
	setDefault("p1", "a2", false)
	if got := defaults("p1", store.AccountFilter{UserIDs: []string{"u1"}, ToolkitSlugs: []string{"github"}}); len(got) != 0 {
		t.Errorf("u1's github default after clearing: got %v, want none", got)
	}
}

// testListAccountsByIdentity filters by upstream account id.
func testListAccountsByIdentity(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	gh := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac-gh", "github", at(0)))
	foreign := mustCreateAuthConfig(t, s, newAuthConfig("p2", "ac-x", "github", at(0)))
	for _, r := range []struct {
		project string
		id      string
		cfg     store.AuthConfig
		user    string
		ident   string
	}{
		{"p1", "a1", gh, "u1", "42"},
		{"p1", "a2", gh, "u2", "42"},
		{"p1", "a3", gh, "u1", "43"},
		{"p1", "a4", gh, "u1", ""},
		{"p2", "a5", foreign, "u1", "42"},
	} {
		a := newAccount(r.project, r.id, r.cfg, r.user, at(1))
		a.IdentityID = r.ident
		mustCreateAccount(t, s, a)
	}
	page, err := s.ListAccounts(ctx, "p1", store.AccountFilter{IdentityIDs: []string{"42"}, OrderBy: store.OrderCreatedAt, Ascending: true})
	wantNoErr(t, "ListAccounts(IdentityIDs)", err)
	if got, want := accountIDs(page.Items), []string{"a1", "a2"}; !slices.Equal(got, want) {
		t.Errorf("accounts of identity 42: got %v, want %v", got, want)
	}
	page, err = s.ListAccounts(ctx, "p1", store.AccountFilter{IdentityIDs: []string{"42", "43"}, UserIDs: []string{"u1"}, OrderBy: store.OrderCreatedAt, Ascending: true})
	wantNoErr(t, "ListAccounts(IdentityIDs, UserIDs)", err)
	if got, want := accountIDs(page.Items), []string{"a1", "a3"}; !slices.Equal(got, want) {
		t.Errorf("u1's accounts of identities 42, 43: got %v, want %v", got, want)
	}
}

// testClaimProbes checks that probes are claimed least recently verified
// first, only ACTIVE accounts, and that a lease keeps an account from a
// second claim, also a concurrent one, until it expires.
func testClaimProbes(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	c1 := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(0)))
	c2 := mustCreateAuthConfig(t, s, newAuthConfig("p2", "ac2", "github", at(0)))
	for _, r := range []struct {
		cfg      store.AuthConfig
		id       string
		status   string
		verified int // -1: never
	}{
		{c1, "a-never", store.StatusActive, -1},
		{c1, "a-old", store.StatusActive, 5},
		{c2, "b-older", store.StatusActive, 2},
		{c1, "a-fresh", store.StatusActive, 50},
		{c1, "a-expired", store.StatusExpired, -1},
		{c1, "a-unverifiable", store.StatusActive, -1},
		{c2, "b-inactive", store.StatusInactive, 1},
	} {
		a := newAccount(r.cfg.ProjectID, r.id, r.cfg, "u1", at(0))
		a.Status = r.status
		if r.id == "a-unverifiable" {
			a.Health = store.HealthUnverified
		}
		if r.verified >= 0 {
			a.VerifiedAt = ptr(at(r.verified))
		}
		mustCreateAccount(t, s, a)
	}
	got, err := s.ClaimProbes(ctx, at(60), at(30), at(70), 2)
	wantNoErr(t, "ClaimProbes", err)
	if got, want := accountIDs(got), []string{"a-never", "b-older"}; !slices.Equal(got, want) {
		t.Errorf("first claim: got %v, want %v", got, want)
	}
	got, err = s.ClaimProbes(ctx, at(60), at(30), at(70), 10)
	wantNoErr(t, "ClaimProbes", err)
	if got, want := accountIDs(got), []string{"a-old"}; !slices.Equal(got, want) {
		t.Errorf("second claim: got %v, want %v (a leased account was claimed again, or a fresh one)", got, want)
	}
	got, err = s.ClaimProbes(ctx, at(65), at(30), at(80), 10)
	wantNoErr(t, "ClaimProbes", err)
	if len(got) != 0 {
		t.Errorf("claim while the leases hold: got %v, want none", accountIDs(got))
	}
	// Past the leases, every stale ACTIVE account is claimable again.
	got, err = s.ClaimProbes(ctx, at(71), at(30), at(90), 10)
	wantNoErr(t, "ClaimProbes", err)
	if got, want := accountIDs(got), []string{"a-never", "b-older", "a-old"}; !slices.Equal(got, want) {
		t.Errorf("claim after the leases: got %v, want %v", got, want)
	}

	// Concurrent claims, as from several instances, share the accounts out.
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			as, err := s.ClaimProbes(ctx, at(100), at(30), at(120), 1)
			if err != nil {
				t.Errorf("concurrent ClaimProbes: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, a := range as {
				seen[a.ID]++
			}
		})
	}
	wg.Wait()
	if len(seen) != 3 {
		t.Errorf("four concurrent claims of one took %v, want each of the 3 stale accounts once", seen)
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("account %s was claimed %d times at once", id, n)
		}
	}
}
