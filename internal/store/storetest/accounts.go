package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

func testAccounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	c := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(1)))

	full := newAccount("p1", "a1", c, "u1", at(2))
	full.Alias = "work"
	full.StatusReason = "connected by test"
	mustCreateAccount(t, s, full)

	initiated := newAccount("p1", "a2", c, "u1", at(3))
	initiated.Status = store.StatusInitiated
	initiated.SealedCredentials = nil
	initiated.TokenExpiresAt = nil
	initiated.ConnectedAt = nil
	initiated.Identity = ""
	initiated.IdentityID = ""
	mustCreateAccount(t, s, initiated)

	for _, want := range []store.Account{full, initiated} {
		if d := diff(want, mustGetAccount(t, s, "p1", want.ID)); d != "" {
			t.Errorf("GetAccount(%q) mismatch (-want +got):\n%s", want.ID, d)
		}
	}

	dup := newAccount("p1", "a1", c, "u9", at(4))
	wantErr(t, "CreateAccount with a taken id", s.CreateAccount(ctx, dup), store.ErrConflict)
	if d := diff(full, mustGetAccount(t, s, "p1", "a1")); d != "" {
		t.Errorf("a conflicting CreateAccount changed the account (-want +got):\n%s", d)
	}
	_, err := s.GetAccount(ctx, "p1", "missing")
	wantErr(t, "GetAccount(missing)", err, store.ErrNotFound)

	updated, err := s.UpdateAccount(ctx, "p1", "a2", func(a store.Account) (store.Account, error) {
		a.Status = store.StatusActive
		a.StatusReason = ""
		a.Alias = "personal"
		a.SealedCredentials = []byte("sealed tokens")
		a.TokenExpiresAt = ptr(at(70))
		a.Identity = "octocat"
		a.IdentityID = "583231"
		a.ConnectedAt = ptr(at(10))
		a.UpdatedAt = at(10)
		return a, nil
	})
	wantNoErr(t, "UpdateAccount", err)
	want := initiated
	want.Status = store.StatusActive
	want.Alias = "personal"
	want.SealedCredentials = []byte("sealed tokens")
	want.TokenExpiresAt = ptr(at(70))
	want.Identity = "octocat"
	want.IdentityID = "583231"
	want.ConnectedAt = ptr(at(10))
	want.UpdatedAt = at(10)
	if d := diff(want, updated); d != "" {
		t.Errorf("UpdateAccount result mismatch (-want +got):\n%s", d)
	}
	if d := diff(want, mustGetAccount(t, s, "p1", "a2")); d != "" {
		t.Errorf("GetAccount after update mismatch (-want +got):\n%s", d)
	}

	// Optional fields can be cleared again.
	updated, err = s.UpdateAccount(ctx, "p1", "a2", func(a store.Account) (store.Account, error) {
		a.Status = store.StatusExpired
		a.SealedCredentials = nil
		a.TokenExpiresAt = nil
		a.ConnectedAt = nil
		a.Alias = ""
		return a, nil
	})
	wantNoErr(t, "UpdateAccount", err)
	want.Status = store.StatusExpired
	want.SealedCredentials = nil
	want.TokenExpiresAt = nil
	want.ConnectedAt = nil
	want.Alias = ""
	if d := diff(want, updated); d != "" {
		t.Errorf("UpdateAccount clearing fields: result mismatch (-want +got):\n%s", d)
	}
	if d := diff(want, mustGetAccount(t, s, "p1", "a2")); d != "" {
		t.Errorf("GetAccount after clearing fields mismatch (-want +got):\n%s", d)
	}

	wantNoErr(t, "DeleteAccount", s.DeleteAccount(ctx, "p1", "a2"))
	_, err = s.GetAccount(ctx, "p1", "a2")
	wantErr(t, "GetAccount after delete", err, store.ErrNotFound)
	wantErr(t, "DeleteAccount again", s.DeleteAccount(ctx, "p1", "a2"), store.ErrNotFound)
	wantErr(t, "DeleteAccount(missing)", s.DeleteAccount(ctx, "p1", "missing"), store.ErrNotFound)
	if d := diff(full, mustGetAccount(t, s, "p1", "a1")); d != "" {
		t.Errorf("DeleteAccount changed another account (-want +got):\n%s", d)
	}
}

func testAccountAliases(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	gh := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(1)))
	gh2 := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac2", "github", at(2)))
	gm := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac3", "gmail", at(3)))
	other := mustCreateAuthConfig(t, s, newAuthConfig("p2", "ac4", "github", at(4)))

	withAlias := func(a store.Account, alias string) store.Account {
		a.Alias = alias
		return a
	}
	mustCreateAccount(t, s, withAlias(newAccount("p1", "a1", gh, "u1", at(5)), "work"))

	t.Run("Create", func(t *testing.T) {
		tests := []struct {
			name    string
			account store.Account
			want    error
		}{
			{"SameUserToolkit", withAlias(newAccount("p1", "a2", gh, "u1", at(6)), "work"), store.ErrConflict},
			{"SameUserToolkitOtherConfig", withAlias(newAccount("p1", "a3", gh2, "u1", at(6)), "work"), store.ErrConflict},
			{"OtherUser", withAlias(newAccount("p1", "a4", gh, "u2", at(6)), "work"), nil},
			{"OtherToolkit", withAlias(newAccount("p1", "a5", gm, "u1", at(6)), "work"), nil},
			{"OtherProject", withAlias(newAccount("p2", "a6", other, "u1", at(6)), "work"), nil},
			{"OtherAlias", withAlias(newAccount("p1", "a7", gh, "u1", at(6)), "personal"), nil},
			{"Empty1", newAccount("p1", "a8", gh, "u1", at(6)), nil},
			{"Empty2", newAccount("p1", "a9", gh, "u1", at(6)), nil},
			{"Empty3", newAccount("p1", "a10", gh2, "u1", at(6)), nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := s.CreateAccount(ctx, tt.account)
				if tt.want == nil {
					wantNoErr(t, "CreateAccount", err)
					return
				}
				wantErr(t, "CreateAccount", err, tt.want)
				_, err = s.GetAccount(ctx, tt.account.ProjectID, tt.account.ID)
				wantErr(t, "GetAccount after a conflicting create", err, store.ErrNotFound)
			})
		}
	})

	t.Run("Update", func(t *testing.T) {
		before := mustGetAccount(t, s, "p1", "a7")
		_, err := s.UpdateAccount(ctx, "p1", "a7", func(a store.Account) (store.Account, error) {
			a.Alias = "work"
			a.Status = store.StatusExpired
			return a, nil
		})
		wantErr(t, "UpdateAccount to a taken alias", err, store.ErrConflict)
		if d := diff(before, mustGetAccount(t, s, "p1", "a7")); d != "" {
			t.Errorf("a conflicting UpdateAccount changed the account (-want +got):\n%s", d)
		}

		// Freeing an alias lets another account take it.
		_, err = s.UpdateAccount(ctx, "p1", "a1", func(a store.Account) (store.Account, error) {
			a.Alias = "old-work"
			return a, nil
		})
		wantNoErr(t, "UpdateAccount to a free alias", err)
		_, err = s.UpdateAccount(ctx, "p1", "a7", func(a store.Account) (store.Account, error) {
			a.Alias = "work"
			return a, nil
		})
		wantNoErr(t, "UpdateAccount to a freed alias", err)

		// Clearing an alias never conflicts, and keeping one's own alias is
		// not a conflict with oneself.
		_, err = s.UpdateAccount(ctx, "p1", "a8", func(a store.Account) (store.Account, error) {
			a.Alias = ""
			a.StatusReason = "still empty"
			return a, nil
		})
		wantNoErr(t, "UpdateAccount keeping an empty alias", err)
		_, err = s.UpdateAccount(ctx, "p1", "a7", func(a store.Account) (store.Account, error) {
			a.StatusReason = "same alias"
			return a, nil
		})
		wantNoErr(t, "UpdateAccount keeping its alias", err)
	})

	t.Run("DeleteFreesAlias", func(t *testing.T) {
		wantNoErr(t, "DeleteAccount", s.DeleteAccount(ctx, "p1", "a7"))
		wantNoErr(t, "CreateAccount with the deleted account's alias",
			s.CreateAccount(ctx, withAlias(newAccount("p1", "a11", gh, "u1", at(7)), "work")))
	})
}

// seedAccounts creates the accounts the list tests filter and order, in
// project p1, and one in project p2 that p1's lists must never show.
//
//	id  user toolkit config  status     alias  created updated connected
//	a1  u1   github  ac-gh   ACTIVE     work   1       10      5
//	a2  u1   gmail   ac-gm   INITIATED         2       2       never
//	a3  u2   github  ac-gh   ACTIVE     work   3       4       3
//	a4  u2   github  ac-gh2  FAILED            4       9       6
//	a5  u3   slack   ac-sl   EXPIRED    team   5       7       never
func seedAccounts(t *testing.T, s store.Store) {
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	gh := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac-gh", "github", at(0)))
	gh2 := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac-gh2", "github", at(0)))
	gm := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac-gm", "gmail", at(0)))
	sl := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac-sl", "slack", at(0)))
	foreign := mustCreateAuthConfig(t, s, newAuthConfig("p2", "ac-x", "github", at(0)))

	rows := []struct {
		id        string
		config    store.AuthConfig
		user      string
		status    string
		alias     string
		created   int
		updated   int
		connected int // -1: never
	}{
		{"a1", gh, "u1", store.StatusActive, "work", 1, 10, 5},
		{"a2", gm, "u1", store.StatusInitiated, "", 2, 2, -1},
		{"a3", gh, "u2", store.StatusActive, "work", 3, 4, 3},
		{"a4", gh2, "u2", store.StatusFailed, "", 4, 9, 6},
		{"a5", sl, "u3", store.StatusExpired, "team", 5, 7, -1},
	}
	for _, r := range rows {
		a := newAccount("p1", r.id, r.config, r.user, at(r.created))
		a.Status = r.status
		a.Alias = r.alias
		a.UpdatedAt = at(r.updated)
		a.ConnectedAt = nil
		if r.connected >= 0 {
			a.ConnectedAt = ptr(at(r.connected))
		}
		mustCreateAccount(t, s, a)
	}
	// A p2 account that matches every filter and sorts everywhere.
	x := newAccount("p2", "x1", foreign, "u1", at(3))
	x.Alias = "work"
	mustCreateAccount(t, s, x)
}

func testListAccountsFilters(t *testing.T, s store.Store) {
	seedAccounts(t, s)

	tests := []struct {
		name   string
		filter store.AccountFilter
		want   []string // ids, newest first
	}{
		{"Everything", store.AccountFilter{}, []string{"a5", "a4", "a3", "a2", "a1"}},
		{"IDs", store.AccountFilter{IDs: []string{"a1", "a3", "missing"}}, []string{"a3", "a1"}},
		{"OneUser", store.AccountFilter{UserIDs: []string{"u1"}}, []string{"a2", "a1"}},
		{"TwoUsers", store.AccountFilter{UserIDs: []string{"u1", "u3"}}, []string{"a5", "a2", "a1"}},
		{"Toolkit", store.AccountFilter{ToolkitSlugs: []string{"github"}}, []string{"a4", "a3", "a1"}},
		{"Toolkits", store.AccountFilter{ToolkitSlugs: []string{"gmail", "slack"}}, []string{"a5", "a2"}},
		{"AuthConfig", store.AccountFilter{AuthConfigIDs: []string{"ac-gh2"}}, []string{"a4"}},
		{"AuthConfigs", store.AccountFilter{AuthConfigIDs: []string{"ac-gh", "ac-sl"}}, []string{"a5", "a3", "a1"}},
		{"Status", store.AccountFilter{Statuses: []string{store.StatusActive}}, []string{"a3", "a1"}},
		{"Statuses", store.AccountFilter{Statuses: []string{store.StatusInitiated, store.StatusExpired}}, []string{"a5", "a2"}},
		{"StatusNone", store.AccountFilter{Statuses: []string{store.StatusInactive}}, nil},
		{"Alias", store.AccountFilter{Aliases: []string{"work"}}, []string{"a3", "a1"}},
		{"Aliases", store.AccountFilter{Aliases: []string{"team", "missing"}}, []string{"a5"}},
		{"Combined", store.AccountFilter{UserIDs: []string{"u2"}, ToolkitSlugs: []string{"github"}, Statuses: []string{store.StatusActive}}, []string{"a3"}},
		{"CombinedNone", store.AccountFilter{UserIDs: []string{"u1"}, Aliases: []string{"team"}}, nil},
		{"AnotherProjectsID", store.AccountFilter{IDs: []string{"x1"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.ListAccounts(t.Context(), "p1", tt.filter)
			wantNoErr(t, "ListAccounts", err)
			if d := diff(tt.want, accountIDs(page.Items)); d != "" {
				t.Errorf("ids mismatch (-want +got):\n%s", d)
			}
			if page.Total != len(tt.want) {
				t.Errorf("got Total %d, want %d", page.Total, len(tt.want))
			}
			if page.NextCursor != "" {
				t.Errorf("got NextCursor %q without a limit, want empty", page.NextCursor)
			}
		})
	}

	t.Run("FullRecords", func(t *testing.T) {
		page, err := s.ListAccounts(t.Context(), "p1", store.AccountFilter{IDs: []string{"a1", "a2"}})
		wantNoErr(t, "ListAccounts", err)
		want := []store.Account{mustGetAccount(t, s, "p1", "a2"), mustGetAccount(t, s, "p1", "a1")}
		if d := diff(want, page.Items); d != "" {
			t.Errorf("listed accounts differ from GetAccount (-want +got):\n%s", d)
		}
	})
}

func testListAccountsOrders(t *testing.T, s store.Store) {
	seedAccounts(t, s)

	tests := []struct {
		orderBy   string
		ascending bool
		want      []string
	}{
		{"", false, []string{"a5", "a4", "a3", "a2", "a1"}},
		{"", true, []string{"a1", "a2", "a3", "a4", "a5"}},
		{store.OrderCreatedAt, false, []string{"a5", "a4", "a3", "a2", "a1"}},
		{store.OrderCreatedAt, true, []string{"a1", "a2", "a3", "a4", "a5"}},
		{store.OrderUpdatedAt, false, []string{"a1", "a4", "a5", "a3", "a2"}},
		{store.OrderUpdatedAt, true, []string{"a2", "a3", "a5", "a4", "a1"}},
		// Never-connected accounts come last in both directions, ordered
		// by id among themselves in the list's direction.
		{store.OrderConnectedAt, false, []string{"a4", "a1", "a3", "a5", "a2"}},
		{store.OrderConnectedAt, true, []string{"a3", "a1", "a4", "a2", "a5"}},
	}
	for _, tt := range tests {
		t.Run(orderName(tt.orderBy, tt.ascending), func(t *testing.T) {
			page, err := s.ListAccounts(t.Context(), "p1", store.AccountFilter{OrderBy: tt.orderBy, Ascending: tt.ascending})
			wantNoErr(t, "ListAccounts", err)
			if d := diff(tt.want, accountIDs(page.Items)); d != "" {
				t.Errorf("order mismatch (-want +got):\n%s", d)
			}
		})
	}
}

func orderName(orderBy string, ascending bool) string {
	if orderBy == "" {
		orderBy = "default"
	}
	if ascending {
		return orderBy + "/asc"
	}
	return orderBy + "/desc"
}

var accountOrders = []string{store.OrderCreatedAt, store.OrderUpdatedAt, store.OrderConnectedAt}

// checkAccountPages walks every order and direction of the filter in pages
// of limit items, and compares the pages with the unpaged list.
func checkAccountPages(t *testing.T, s store.Store, filter store.AccountFilter, total, limit int) {
	for _, orderBy := range accountOrders {
		for _, ascending := range []bool{false, true} {
			t.Run(orderName(orderBy, ascending), func(t *testing.T) {
				ctx := t.Context()
				f := filter
				f.OrderBy = orderBy
				f.Ascending = ascending
				all, err := s.ListAccounts(ctx, "p1", f)
				wantNoErr(t, "ListAccounts", err)
				if len(all.Items) != total {
					t.Fatalf("unpaged list: got %d items, want %d", len(all.Items), total)
				}
				paged := walkPages(t, total, limit, func(cursor string) (store.Page[store.Account], error) {
					f := f
					f.Limit = limit
					f.Cursor = cursor
					return s.ListAccounts(ctx, "p1", f)
				})
				ids := accountIDs(paged)
				if dup := duplicates(ids); len(dup) > 0 {
					t.Errorf("pages repeat %v", dup)
				}
				if d := diff(accountIDs(all.Items), ids); d != "" {
					t.Errorf("pages differ from the unpaged list (-want +got):\n%s", d)
				}
			})
		}
	}
}

func testListAccountsCursor(t *testing.T, s store.Store) {
	seedAccounts(t, s)
	t.Run("Five", func(t *testing.T) {
		checkAccountPages(t, s, store.AccountFilter{}, 5, 2)
	})
	t.Run("FourFullPages", func(t *testing.T) {
		checkAccountPages(t, s, store.AccountFilter{UserIDs: []string{"u1", "u2"}}, 4, 2)
	})
	t.Run("FilteredThree", func(t *testing.T) {
		checkAccountPages(t, s, store.AccountFilter{ToolkitSlugs: []string{"github"}}, 3, 2)
	})
	t.Run("OneByOne", func(t *testing.T) {
		checkAccountPages(t, s, store.AccountFilter{}, 5, 1)
	})
	t.Run("OnePage", func(t *testing.T) {
		checkAccountPages(t, s, store.AccountFilter{}, 5, 5)
	})
}

// testListAccountsCursorTies pages through accounts that share their sort
// keys, so a cursor that only remembers the time skips or repeats rows.
func testListAccountsCursorTies(t *testing.T, s store.Store) {
	mustCreateProject(t, s, newProject("p1"))
	c := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(0)))
	for i, id := range []string{"b", "d", "a", "e", "c", "f"} {
		a := newAccount("p1", id, c, "u1", at(1+i/3)) // three per created_at
		a.UpdatedAt = at(7)                           // all equal
		a.ConnectedAt = nil
		if i%2 == 0 {
			a.ConnectedAt = ptr(at(5)) // half equal, half never
		}
		mustCreateAccount(t, s, a)
	}
	for _, limit := range []int{1, 2, 4} {
		t.Run(name("Limit", limit), func(t *testing.T) {
			checkAccountPages(t, s, store.AccountFilter{}, 6, limit)
		})
	}
}

// testFailStaleAccounts: an INITIATED account fails once its newest link
// expired, or, when it has no link at all (a create interrupted between the
// account and its link), once it is older than unlinkedBefore; so no
// INITIATED account stays pending for ever.
func testFailStaleAccounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := at(60)
	unlinkedBefore := at(50)
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	c1 := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(0)))
	c2 := mustCreateAuthConfig(t, s, newAuthConfig("p2", "ac2", "github", at(0)))

	type linkSpec struct{ created, expires int }
	rows := []struct {
		id      string
		config  store.AuthConfig
		status  string
		created int
		links   []linkSpec
		fail    bool
	}{
		{"expired", c1, store.StatusInitiated, 0, []linkSpec{{0, 30}}, true},
		{"unexpired", c1, store.StatusInitiated, 0, []linkSpec{{0, 90}}, false},
		{"active", c1, store.StatusActive, 0, []linkSpec{{0, 30}}, false},
		{"failed", c1, store.StatusFailed, 0, []linkSpec{{0, 30}}, false},
		{"newer-link-unexpired", c1, store.StatusInitiated, 0, []linkSpec{{0, 10}, {20, 90}}, false},
		{"newest-link-expired", c1, store.StatusInitiated, 0, []linkSpec{{0, 90}, {20, 40}}, true},
		{"no-links", c1, store.StatusInitiated, 0, nil, true},
		{"no-links-recent", c1, store.StatusInitiated, 50, nil, false},
		{"no-links-active", c1, store.StatusActive, 0, nil, false},
		{"expires-now", c1, store.StatusInitiated, 0, []linkSpec{{0, 60}}, false},
		{"other-project", c2, store.StatusInitiated, 0, []linkSpec{{0, 59}}, true},
		{"other-project-no-links", c2, store.StatusInitiated, 49, nil, true},
	}
	before := map[string]store.Account{}
	moved := 0
	for _, r := range rows {
		a := newAccount(r.config.ProjectID, r.id, r.config, "u1", at(r.created))
		a.Status = r.status
		if r.status == store.StatusInitiated {
			a.ConnectedAt = nil
			a.SealedCredentials = nil
		}
		mustCreateAccount(t, s, a)
		for i, l := range r.links {
			mustCreateLink(t, s, newLink(a.ProjectID, name(r.id, "-link", i), a.ID, at(l.created), at(l.expires)))
		}
		before[r.id] = a
		if r.fail {
			moved++
		}
	}

	n, err := s.FailStaleAccounts(ctx, now, unlinkedBefore, "link expired")
	wantNoErr(t, "FailStaleAccounts", err)
	if n != moved {
		t.Errorf("FailStaleAccounts: got %d moved, want %d", n, moved)
	}
	for _, r := range rows {
		want := before[r.id]
		if r.fail {
			want.Status = store.StatusFailed
			want.StatusReason = "link expired"
			want.UpdatedAt = now
		}
		if d := diff(want, mustGetAccount(t, s, want.ProjectID, r.id)); d != "" {
			t.Errorf("account %q after FailStaleAccounts mismatch (-want +got):\n%s", r.id, d)
		}
	}

	n, err = s.FailStaleAccounts(ctx, now, unlinkedBefore, "link expired")
	wantNoErr(t, "FailStaleAccounts again", err)
	if n != 0 {
		t.Errorf("FailStaleAccounts again: got %d moved, want 0", n)
	}

	later := now.Add(24 * time.Hour)
	n, err = s.FailStaleAccounts(ctx, later, later.Add(-time.Hour), "later")
	wantNoErr(t, "FailStaleAccounts a day later", err)
	if n != 4 { // unexpired, newer-link-unexpired, expires-now, no-links-recent
		t.Errorf("FailStaleAccounts a day later: got %d moved, want 4", n)
	}
	if got := mustGetAccount(t, s, "p1", "no-links-active"); got.Status != store.StatusActive {
		t.Errorf("active account without links: got status %q, want %q", got.Status, store.StatusActive)
	}
	if got := mustGetAccount(t, s, "p1", "expired"); got.StatusReason != "link expired" {
		t.Errorf("account failed earlier: got status reason %q, want the first reason kept", got.StatusReason)
	}
}

// testInvalidListArguments: a cursor the store did not issue, a cursor of
// another order, and an unknown order are ErrInvalid, so callers can tell
// a bad request from a failing database.
func testInvalidListArguments(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	c := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(1)))
	for i := range 3 {
		mustCreateAccount(t, s, newAccount("p1", "a"+string(rune('0'+i)), c, "u1", at(2+i)))
	}
	page, err := s.ListAccounts(ctx, "p1", store.AccountFilter{Limit: 1})
	if err != nil || page.NextCursor == "" {
		t.Fatalf("first page: %v %v", page, err)
	}
	bad := []store.AccountFilter{
		{Cursor: "garbage", Limit: 1},
		{Cursor: page.NextCursor, OrderBy: store.OrderUpdatedAt, Limit: 1},
		{OrderBy: "nope"},
	}
	for _, f := range bad {
		if _, err := s.ListAccounts(ctx, "p1", f); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ListAccounts(%+v): got %v, want ErrInvalid", f, err)
		}
	}
	if _, err := s.ListAuthConfigs(ctx, "p1", store.AuthConfigFilter{Cursor: "garbage"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("ListAuthConfigs with a garbage cursor: got %v, want ErrInvalid", err)
	}
}

// testDefaultAccount checks the default account rule: the account the user
// chose as the toolkit's default, in whatever status it is; else, of the
// project's ACTIVE accounts of the user and toolkit, the one connected
// last, ties by the greater id, never-connected ones after every connected
// one. Other users, toolkits, statuses and projects never count, however
// recent, and neither do their defaults.
func testDefaultAccount(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	gh := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac-gh", "github", at(0)))
	gh2 := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac-gh2", "github", at(0)))
	gm := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac-gm", "gmail", at(0)))
	foreign := mustCreateAuthConfig(t, s, newAuthConfig("p2", "ac-x", "github", at(0)))

	rows := []struct {
		id        string
		config    store.AuthConfig
		user      string
		status    string
		created   int
		connected int // -1: never
	}{
		// u1's github accounts in p1. a-tie and a-new tie on connected_at;
		// a-tie has the greater id. Creation order does not matter.
		{"a-old", gh, "u1", store.StatusActive, 1, 5},
		{"a-new", gh, "u1", store.StatusActive, 2, 10},
		{"a-tie", gh2, "u1", store.StatusActive, 0, 10},
		{"f-never", gh, "u1", store.StatusActive, 30, -1},
		{"z-never", gh2, "u1", store.StatusActive, 3, -1},
		// Connected later, but not ACTIVE.
		{"b-expired", gh, "u1", store.StatusExpired, 4, 20},
		{"c-failed", gh, "u1", store.StatusFailed, 5, 30},
		{"d-inactive", gh2, "u1", store.StatusInactive, 6, 40},
		{"e-initiated", gh, "u1", store.StatusInitiated, 50, -1},
		// ACTIVE and connected later, but another user or toolkit.
		{"o-user", gh, "u2", store.StatusActive, 7, 50},
		{"o-toolkit", gm, "u1", store.StatusActive, 8, 60},
		// ACTIVE and connected later, with the same user and toolkit, in
		// another project.
		{"o-project", foreign, "u1", store.StatusActive, 9, 70},
	}
	for _, r := range rows {
		a := newAccount(r.config.ProjectID, r.id, r.config, r.user, at(r.created))
		a.Status = r.status
		a.ConnectedAt = nil
		if r.connected >= 0 {
			a.ConnectedAt = ptr(at(r.connected))
		}
		mustCreateAccount(t, s, a)
	}

	// check wants the account named want, the whole record, or ErrNotFound
	// when want is empty.
	check := func(t *testing.T, projectID, userID, toolkit, want string) {
		t.Helper()
		got, err := s.DefaultAccount(ctx, projectID, userID, toolkit)
		call := name("DefaultAccount(", projectID, ", ", userID, ", ", toolkit, ")")
		if want == "" {
			wantErr(t, call, err, store.ErrNotFound)
			if err == nil {
				t.Errorf("%s: got account %q, want none", call, got.ID)
			}
			return
		}
		if err != nil {
			t.Errorf("%s: got error %v, want %q", call, err, want)
			return
		}
		if d := diff(mustGetAccount(t, s, projectID, want), got); d != "" {
			t.Errorf("%s: mismatch with GetAccount(%q) (-want +got):\n%s", call, want, d)
		}
	}

	t.Run("Others", func(t *testing.T) {
		check(t, "p1", "u2", "github", "o-user")
		check(t, "p1", "u1", "gmail", "o-toolkit")
		check(t, "p2", "u1", "github", "o-project")
		check(t, "p1", "u3", "github", "")
		check(t, "p1", "u1", "slack", "")
		check(t, "p2", "u1", "gmail", "")
		check(t, "p3", "u1", "github", "")
	})

	// Each step changes u1's github accounts in p1, then names the default.
	setDefault := func(projectID, id string, on bool) error {
		_, err := s.UpdateAccount(ctx, projectID, id, func(a store.Account) (store.Account, error) {
			a.IsDefault = on
			return a, nil
		})
		return err
	}
	setStatus := func(status string) func(store.Account) (store.Account, error) {
		return func(a store.Account) (store.Account, error) {
			a.Status = status
			return a, nil
		}
	}
	steps := []struct {
		name   string
		change func() error
		want   string
	}{
		{"TieByGreaterID", func() error { return nil }, "a-tie"},
		{"ChosenDefaultBeatsRecency", func() error { return setDefault("p1", "a-old", true) }, "a-old"},
		{"DefaultCleared", func() error { return setDefault("p1", "a-old", false) }, "a-tie"},
		{"OthersDefaultsDoNotCount", func() error {
			for _, d := range [][2]string{{"p1", "o-user"}, {"p1", "o-toolkit"}, {"p2", "o-project"}} {
				if err := setDefault(d[0], d[1], true); err != nil {
					return err
				}
			}
			return nil
		}, "a-tie"},
		{"NotActiveAnyMore", func() error {
			_, err := s.UpdateAccount(ctx, "p1", "a-tie", setStatus(store.StatusExpired))
			return err
		}, "a-new"},
		{"Deleted", func() error { return s.DeleteAccount(ctx, "p1", "a-new") }, "a-old"},
		{"NeverConnectedLast", func() error {
			_, err := s.UpdateAccount(ctx, "p1", "a-old", setStatus(store.StatusInactive))
			return err
		}, "z-never"},
		{"Reconnected", func() error {
			_, err := s.UpdateAccount(ctx, "p1", "c-failed", func(a store.Account) (store.Account, error) {
				a.Status = store.StatusActive
				a.ConnectedAt = ptr(at(80))
				return a, nil
			})
			return err
		}, "c-failed"},
		{"ConnectedBeatsNever", func() error {
			if err := s.DeleteAccount(ctx, "p1", "c-failed"); err != nil {
				return err
			}
			_, err := s.UpdateAccount(ctx, "p1", "f-never", func(a store.Account) (store.Account, error) {
				a.ConnectedAt = ptr(at(-100))
				return a, nil
			})
			return err
		}, "f-never"},
		{"NoneActive", func() error {
			for _, id := range []string{"f-never", "z-never"} {
				if _, err := s.UpdateAccount(ctx, "p1", id, setStatus(store.StatusExpired)); err != nil {
					return err
				}
			}
			return nil
		}, ""},
		{"DefaultInAnyStatus", func() error { return setDefault("p1", "b-expired", true) }, "b-expired"},
		{"DefaultOverActive", func() error {
			_, err := s.UpdateAccount(ctx, "p1", "z-never", setStatus(store.StatusActive))
			return err
		}, "b-expired"},
		{"DefaultTakenOver", func() error { return setDefault("p1", "d-inactive", true) }, "d-inactive"},
		{"DefaultDeleted", func() error { return s.DeleteAccount(ctx, "p1", "d-inactive") }, "z-never"},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			wantNoErr(t, "change", step.change())
			check(t, "p1", "u1", "github", step.want)
		})
	}
}
