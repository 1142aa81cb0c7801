package storetest

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

func testAuthConfigs(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))

	c := newAuthConfig("p1", "ac1", "github", at(1))
	c.Params["authorization_url"] = "https://github.com/login/oauth/authorize"
	c.ToolsForExecution = []string{"GITHUB_GET_THE_AUTHENTICATED_USER", "GITHUB_LIST_REPOS"}
	mustCreateAuthConfig(t, s, c)
	bare := newAuthConfig("p1", "ac2", "linear", at(2))
	bare.Params = nil
	bare.SealedSecrets = nil
	bare.IsEnabledForToolRouter = false
	bare.Type = "custom"
	bare.AuthScheme = "API_KEY"
	mustCreateAuthConfig(t, s, bare)

	for _, want := range []store.AuthConfig{c, bare} {
		got, err := s.GetAuthConfig(ctx, "p1", want.ID)
		wantNoErr(t, "GetAuthConfig", err)
		if d := diff(want, got); d != "" {
			t.Errorf("GetAuthConfig(%q) mismatch (-want +got):\n%s", want.ID, d)
		}
	}

	dup := newAuthConfig("p1", "ac1", "slack", at(3))
	wantErr(t, "CreateAuthConfig with a taken id", s.CreateAuthConfig(ctx, dup), store.ErrConflict)
	_, err := s.GetAuthConfig(ctx, "p1", "missing")
	wantErr(t, "GetAuthConfig(missing)", err, store.ErrNotFound)

	updated, err := s.UpdateAuthConfig(ctx, "p1", "ac1", func(c store.AuthConfig) (store.AuthConfig, error) {
		c.Name = "GitHub (work)"
		c.Status = store.AuthConfigDisabled
		c.Params = map[string]string{"client_id": "new-client", "scopes": "repo"}
		c.SealedSecrets = []byte("new ciphertext")
		c.IsEnabledForToolRouter = false
		c.ToolsForExecution = []string{"GITHUB_LIST_REPOS"}
		c.UpdatedAt = at(9)
		return c, nil
	})
	wantNoErr(t, "UpdateAuthConfig", err)
	want := c
	want.Name = "GitHub (work)"
	want.Status = store.AuthConfigDisabled
	want.Params = map[string]string{"client_id": "new-client", "scopes": "repo"}
	want.SealedSecrets = []byte("new ciphertext")
	want.IsEnabledForToolRouter = false
	want.ToolsForExecution = []string{"GITHUB_LIST_REPOS"}
	want.UpdatedAt = at(9)
	if d := diff(want, updated); d != "" {
		t.Errorf("UpdateAuthConfig result mismatch (-want +got):\n%s", d)
	}
	got, err := s.GetAuthConfig(ctx, "p1", "ac1")
	wantNoErr(t, "GetAuthConfig", err)
	if d := diff(want, got); d != "" {
		t.Errorf("GetAuthConfig after update mismatch (-want +got):\n%s", d)
	}

	wantNoErr(t, "DeleteAuthConfig", s.DeleteAuthConfig(ctx, "p1", "ac1"))
	_, err = s.GetAuthConfig(ctx, "p1", "ac1")
	wantErr(t, "GetAuthConfig after delete", err, store.ErrNotFound)
	wantErr(t, "DeleteAuthConfig again", s.DeleteAuthConfig(ctx, "p1", "ac1"), store.ErrNotFound)
	wantErr(t, "DeleteAuthConfig(missing)", s.DeleteAuthConfig(ctx, "p1", "missing"), store.ErrNotFound)
	if _, err := s.GetAuthConfig(ctx, "p1", "ac2"); err != nil {
		t.Errorf("GetAuthConfig of the config not deleted: got %v, want nil", err)
	}

	// Clearing the tool list allows every tool again: it reads back empty.
	cleared, err := s.UpdateAuthConfig(ctx, "p1", "ac2", func(c store.AuthConfig) (store.AuthConfig, error) {
		c.ToolsForExecution = []string{"LINEAR_LIST_ISSUES"}
		return c, nil
	})
	wantNoErr(t, "UpdateAuthConfig setting tools", err)
	if len(cleared.ToolsForExecution) != 1 {
		t.Errorf("UpdateAuthConfig setting tools: got %v, want one tool", cleared.ToolsForExecution)
	}
	cleared, err = s.UpdateAuthConfig(ctx, "p1", "ac2", func(c store.AuthConfig) (store.AuthConfig, error) {
		c.ToolsForExecution = nil
		return c, nil
	})
	wantNoErr(t, "UpdateAuthConfig clearing tools", err)
	if got, err := s.GetAuthConfig(ctx, "p1", "ac2"); err != nil || got.ToolsForExecution != nil || cleared.ToolsForExecution != nil {
		t.Errorf("after clearing tools: got %v / %v, %v; want nil", cleared.ToolsForExecution, got.ToolsForExecution, err)
	}
}

// seedAuthConfigs creates the configs the list tests filter, in project p1,
// and one in project p2 that p1's lists must never show.
func seedAuthConfigs(t *testing.T, s store.Store) {
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))

	gh := newAuthConfig("p1", "ac1", "github", at(1))
	gh.Name = "GitHub default"
	mustCreateAuthConfig(t, s, gh)

	gm := newAuthConfig("p1", "ac2", "gmail", at(2))
	gm.Name = "Work Gmail"
	gm.Type = "custom"
	mustCreateAuthConfig(t, s, gm)

	old := newAuthConfig("p1", "ac3", "github", at(3))
	old.Name = "Old GitHub app"
	old.Type = "custom"
	old.Status = store.AuthConfigDisabled
	mustCreateAuthConfig(t, s, old)

	sl := newAuthConfig("p1", "ac4", "slack", at(4))
	sl.Name = "Team Slack"
	mustCreateAuthConfig(t, s, sl)

	bot := newAuthConfig("p1", "ac5", "linear", at(5))
	bot.Name = "ci_bot"
	bot.Type = "custom"
	mustCreateAuthConfig(t, s, bot)

	foreign := newAuthConfig("p2", "ac9", "github", at(6))
	foreign.Name = "GitHub default"
	mustCreateAuthConfig(t, s, foreign)
}

func testListAuthConfigsFilters(t *testing.T, s store.Store) {
	seedAuthConfigs(t, s)

	tests := []struct {
		name   string
		filter store.AuthConfigFilter
		want   []string // ids, newest first
	}{
		{"Everything", store.AuthConfigFilter{}, []string{"ac5", "ac4", "ac2", "ac1"}},
		{"IncludeDisabled", store.AuthConfigFilter{IncludeDisabled: true}, []string{"ac5", "ac4", "ac3", "ac2", "ac1"}},
		{"OneToolkit", store.AuthConfigFilter{ToolkitSlugs: []string{"github"}}, []string{"ac1"}},
		{"OneToolkitIncludeDisabled", store.AuthConfigFilter{ToolkitSlugs: []string{"github"}, IncludeDisabled: true}, []string{"ac3", "ac1"}},
		{"TwoToolkits", store.AuthConfigFilter{ToolkitSlugs: []string{"github", "slack"}}, []string{"ac4", "ac1"}},
		{"UnknownToolkit", store.AuthConfigFilter{ToolkitSlugs: []string{"notion"}}, nil},
		{"SearchSlugAnyCase", store.AuthConfigFilter{Search: "gIT"}, []string{"ac1"}},
		{"SearchName", store.AuthConfigFilter{Search: "work"}, []string{"ac2"}},
		{"SearchNameOrSlug", store.AuthConfigFilter{Search: "SLA"}, []string{"ac4"}},
		{"SearchIncludeDisabled", store.AuthConfigFilter{Search: "hub", IncludeDisabled: true}, []string{"ac3", "ac1"}},
		{"SearchWithUnderscore", store.AuthConfigFilter{Search: "i_b"}, []string{"ac5"}},
		{"SearchUnderscoreIsLiteral", store.AuthConfigFilter{Search: "H_b"}, nil},
		{"SearchPercentIsLiteral", store.AuthConfigFilter{Search: "%"}, nil},
		{"SearchNoMatch", store.AuthConfigFilter{Search: "zzz"}, nil},
		{"TypeCustom", store.AuthConfigFilter{Type: "custom"}, []string{"ac5", "ac2"}},
		{"TypeCustomIncludeDisabled", store.AuthConfigFilter{Type: "custom", IncludeDisabled: true}, []string{"ac5", "ac3", "ac2"}},
		{"TypeDefault", store.AuthConfigFilter{Type: "default"}, []string{"ac4", "ac1"}},
		{"Combined", store.AuthConfigFilter{ToolkitSlugs: []string{"github", "gmail"}, Type: "custom", Search: "g", IncludeDisabled: true}, []string{"ac3", "ac2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.ListAuthConfigs(t.Context(), "p1", tt.filter)
			wantNoErr(t, "ListAuthConfigs", err)
			if d := diff(tt.want, authConfigIDs(page.Items)); d != "" {
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
		page, err := s.ListAuthConfigs(t.Context(), "p1", store.AuthConfigFilter{ToolkitSlugs: []string{"github"}})
		wantNoErr(t, "ListAuthConfigs", err)
		want, err := s.GetAuthConfig(t.Context(), "p1", "ac1")
		wantNoErr(t, "GetAuthConfig", err)
		if d := diff([]store.AuthConfig{want}, page.Items); d != "" {
			t.Errorf("listed config differs from GetAuthConfig (-want +got):\n%s", d)
		}
	})
}

func testListAuthConfigsCursor(t *testing.T, s store.Store) {
	seedAuthConfigs(t, s)
	// Two more configs created at the same instant as ac4, so that pages
	// must be ordered by id within equal times.
	for _, id := range []string{"ac6", "ac7"} {
		mustCreateAuthConfig(t, s, newAuthConfig("p1", id, "notion", at(4)))
	}

	tests := []struct {
		name   string
		filter store.AuthConfigFilter
		total  int
	}{
		{"IncludeDisabled", store.AuthConfigFilter{IncludeDisabled: true}, 7},
		{"EnabledOnly", store.AuthConfigFilter{}, 6},
		{"Filtered", store.AuthConfigFilter{Type: "default"}, 4},
	}
	for _, tt := range tests {
		for _, limit := range []int{1, 2, 3} {
			t.Run(name(tt.name, "/Limit", limit), func(t *testing.T) {
				ctx := t.Context()
				all, err := s.ListAuthConfigs(ctx, "p1", tt.filter)
				wantNoErr(t, "ListAuthConfigs", err)
				if len(all.Items) != tt.total {
					t.Fatalf("unpaged list: got %d items, want %d", len(all.Items), tt.total)
				}
				for i := 1; i < len(all.Items); i++ {
					if all.Items[i].CreatedAt.After(all.Items[i-1].CreatedAt) {
						t.Errorf("unpaged list: %q (created %v) comes after %q (created %v), want newest first",
							all.Items[i].ID, all.Items[i].CreatedAt, all.Items[i-1].ID, all.Items[i-1].CreatedAt)
					}
				}
				paged := walkPages(t, tt.total, limit, func(cursor string) (store.Page[store.AuthConfig], error) {
					f := tt.filter
					f.Limit = limit
					f.Cursor = cursor
					return s.ListAuthConfigs(ctx, "p1", f)
				})
				ids := authConfigIDs(paged)
				if dup := duplicates(ids); len(dup) > 0 {
					t.Errorf("pages repeat %v", dup)
				}
				if d := diff(authConfigIDs(all.Items), ids); d != "" {
					t.Errorf("pages differ from the unpaged list (-want +got):\n%s", d)
				}
			})
		}
	}
}

func testDeleteAuthConfigDeletesAccounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	gone := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(1)))
	kept := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac2", "github", at(2)))
	mustCreateAccount(t, s, newAccount("p1", "a1", gone, "u1", at(3)))
	mustCreateAccount(t, s, newAccount("p1", "a2", gone, "u2", at(4)))
	a3 := mustCreateAccount(t, s, newAccount("p1", "a3", kept, "u1", at(5)))
	mustCreateLink(t, s, newLink("p1", "l1", "a1", at(3), at(13)))

	wantNoErr(t, "DeleteAuthConfig", s.DeleteAuthConfig(ctx, "p1", "ac1"))

	for _, id := range []string{"a1", "a2"} {
		_, err := s.GetAccount(ctx, "p1", id)
		wantErr(t, "GetAccount of an account of the deleted config", err, store.ErrNotFound)
	}
	if d := diff(a3, mustGetAccount(t, s, "p1", "a3")); d != "" {
		t.Errorf("account of the other config changed (-want +got):\n%s", d)
	}
	page, err := s.ListAccounts(ctx, "p1", store.AccountFilter{})
	wantNoErr(t, "ListAccounts", err)
	if d := diff([]string{"a3"}, accountIDs(page.Items)); d != "" {
		t.Errorf("ListAccounts after DeleteAuthConfig mismatch (-want +got):\n%s", d)
	}
	counts, err := s.CountAccounts(ctx, "p1", []string{"ac1", "ac2"})
	wantNoErr(t, "CountAccounts", err)
	if counts["ac1"] != 0 || counts["ac2"] != 1 {
		t.Errorf("CountAccounts after delete: got ac1=%d ac2=%d, want ac1=0 ac2=1", counts["ac1"], counts["ac2"])
	}
	// The id is free again: a new config and account may take the old ids.
	mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(6)))
	mustCreateAccount(t, s, newAccount("p1", "a1", gone, "u1", at(7)))
}

func testCountAccounts(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	c1 := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(1)))
	c2 := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac2", "gmail", at(2)))
	mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac3", "slack", at(3)))
	c4 := mustCreateAuthConfig(t, s, newAuthConfig("p2", "ac4", "github", at(4)))
	for i, c := range []store.AuthConfig{c1, c1, c1, c2, c4, c4} {
		a := newAccount(c.ProjectID, name("a", i), c, name("u", i), at(10+i))
		if i == 1 {
			a.Status = store.StatusFailed // every status counts
		}
		mustCreateAccount(t, s, a)
	}

	tests := []struct {
		name string
		ids  []string
		want map[string]int
	}{
		{"All", []string{"ac1", "ac2", "ac3"}, map[string]int{"ac1": 3, "ac2": 1, "ac3": 0}},
		{"Some", []string{"ac2"}, map[string]int{"ac2": 1}},
		{"Unknown", []string{"nope"}, map[string]int{"nope": 0}},
		{"AnotherProjectsConfig", []string{"ac1", "ac4"}, map[string]int{"ac1": 3, "ac4": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.CountAccounts(ctx, "p1", tt.ids)
			wantNoErr(t, "CountAccounts", err)
			for id, want := range tt.want {
				if got[id] != want {
					t.Errorf("CountAccounts(%v)[%q]: got %d, want %d", tt.ids, id, got[id], want)
				}
			}
			for id, n := range got {
				if _, asked := tt.want[id]; !asked && n != 0 {
					t.Errorf("CountAccounts(%v): got a count %d for %q, which was not asked for", tt.ids, n, id)
				}
			}
		})
	}
	t.Run("NoIDs", func(t *testing.T) {
		got, err := s.CountAccounts(ctx, "p1", nil)
		wantNoErr(t, "CountAccounts", err)
		for id, n := range got {
			if n != 0 {
				t.Errorf("CountAccounts(nil): got %q=%d, want no counts", id, n)
			}
		}
	})
}
