package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// testAuditInTransaction checks that an administrative write made with an
// audit hook (store.WithAudit) writes the hook's entry in its own
// transaction: a write that commits has its entry, with the records
// before and after it; a write that fails (refused by its update function,
// a taken alias, a missing row) leaves none; a write of another target
// does not take it; and two writes of one act keep one entry.
func testAuditInTransaction(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := mustCreateProject(t, s, newProject("p1"))
	c := mustCreateAuthConfig(t, s, newAuthConfig(p.ID, "ac1", "gmail", at(1)))
	a := mustCreateAccount(t, s, newAccount(p.ID, "ca1", c, "u1", at(2)))
	twin := newAccount(p.ID, "ca2", c, "u1", at(2))
	twin.Alias = "work"
	mustCreateAccount(t, s, twin)

	type call struct {
		targetType, targetID string
		before, after        any
	}
	hooked := func(id, targetType, targetID string) (context.Context, *[]call) {
		var calls []call
		return store.WithAudit(ctx, func(tt, tid string, before, after any) (store.AuditEntry, bool) {
			if tt != targetType || targetID != "" && tid != targetID {
				return store.AuditEntry{}, false
			}
			calls = append(calls, call{tt, tid, before, after})
			return store.AuditEntry{ID: id, ProjectID: p.ID, Action: targetType + ".act", TargetType: tt, TargetID: tid,
				After: []byte(`{"ok":true}`), CreatedAt: at(5)}, true
		}), &calls
	}
	entries := func() map[string]store.AuditEntry {
		t.Helper()
		page, err := s.ListAudit(ctx, p.ID, store.AuditFilter{Limit: 100})
		wantNoErr(t, "ListAudit", err)
		m := map[string]store.AuditEntry{}
		for _, e := range page.Items {
			m[e.ID] = e
		}
		return m
	}

	// A committed update: its entry, with both records.
	actx, calls := hooked("aud_alias", store.AuditAccount, a.ID)
	if _, err := s.UpdateAccount(actx, p.ID, a.ID, func(a store.Account) (store.Account, error) {
		a.Alias, a.UpdatedAt = "home", at(3)
		return a, nil
	}); err != nil {
		t.Fatal(err)
	}
	if e, ok := entries()["aud_alias"]; !ok || e.TargetID != a.ID {
		t.Fatalf("entry of a committed update: %+v %v, want one for %s", e, ok, a.ID)
	}
	if len(*calls) != 1 {
		t.Fatalf("hook calls: %d, want 1", len(*calls))
	}
	before, bok := (*calls)[0].before.(store.Account)
	after, aok := (*calls)[0].after.(store.Account)
	if !bok || !aok || before.Alias != "" || after.Alias != "home" {
		t.Errorf("records given to the hook: %+v / %+v, want the account before and after the alias", (*calls)[0].before, (*calls)[0].after)
	}

	// Failed writes leave no entry.
	actx, _ = hooked("aud_taken", store.AuditAccount, a.ID)
	_, err := s.UpdateAccount(actx, p.ID, a.ID, func(a store.Account) (store.Account, error) {
		a.Alias = "work" // the twin's
		return a, nil
	})
	wantErr(t, "UpdateAccount to a taken alias", err, store.ErrConflict)
	refused := errors.New("refused")
	actx, _ = hooked("aud_refused", store.AuditAuthConfig, c.ID)
	if _, err := s.UpdateAuthConfig(actx, p.ID, c.ID, func(c store.AuthConfig) (store.AuthConfig, error) { return c, refused }); !errors.Is(err, refused) {
		t.Fatalf("UpdateAuthConfig refused by fn: %v", err)
	}
	actx, _ = hooked("aud_missing", store.AuditSubscription, "ws-none")
	wantErr(t, "DeleteWebhookSubscription of a missing one", s.DeleteWebhookSubscription(actx, p.ID, "ws-none"), store.ErrNotFound)
	actx, _ = hooked("aud_key_missing", store.AuditAPIKey, "key-none")
	wantErr(t, "RevokeAPIKey of a missing one", s.RevokeAPIKey(actx, p.ID, "key-none", at(4)), store.ErrNotFound)
	got := entries()
	for _, id := range []string{"aud_taken", "aud_refused", "aud_missing", "aud_key_missing"} {
		if _, ok := got[id]; ok {
			t.Errorf("a failed write left audit entry %s", id)
		}
	}

	// Another target's write does not take the entry; the act's does.
	actx, _ = hooked("aud_sub", store.AuditSubscription, "")
	if _, err := s.UpdateAccount(actx, p.ID, twin.ID, func(a store.Account) (store.Account, error) { a.UpdatedAt = at(6); return a, nil }); err != nil {
		t.Fatal(err)
	}
	if _, ok := entries()["aud_sub"]; ok {
		t.Fatalf("an account write took a subscription act's entry")
	}
	w := newSubscription(p.ID, "ws1", at(6))
	wantNoErr(t, "CreateWebhookSubscription", s.CreateWebhookSubscription(actx, w))
	if e, ok := entries()["aud_sub"]; !ok || e.TargetID != w.ID {
		t.Errorf("entry of the created subscription: %+v %v", e, ok)
	}
	// A second write of the act keeps the first entry, and succeeds.
	if _, err := s.UpdateWebhookSubscription(actx, p.ID, w.ID, func(w store.WebhookSubscription) (store.WebhookSubscription, error) {
		w.URL = "https://hooks.example.com/other"
		return w, nil
	}); err != nil {
		t.Errorf("a second write of one act: %v", err)
	}

	// Every administrative write takes it.
	for _, tt := range []struct {
		name, targetType, id string
		write                func(context.Context) error
	}{
		{"CreateProject", store.AuditProject, "p9", func(ctx context.Context) error { return s.CreateProject(ctx, newProject("p9")) }},
		{"UpdateProject", store.AuditProject, "p9", func(ctx context.Context) error {
			_, err := s.UpdateProject(ctx, "p9", func(p store.Project) (store.Project, error) { p.Name = "nine"; return p, nil })
			return err
		}},
		{"CreateAPIKey", store.AuditAPIKey, "key9", func(ctx context.Context) error {
			return s.CreateAPIKey(ctx, store.APIKey{ID: "key9", ProjectID: p.ID, Name: "k", Prefix: "sb_", Hash: []byte("hash9"), Scope: "admin", CreatedAt: at(7)})
		}},
		{"RevokeAPIKey", store.AuditAPIKey, "key9", func(ctx context.Context) error { return s.RevokeAPIKey(ctx, p.ID, "key9", at(8)) }},
		{"CreateAuthConfig", store.AuditAuthConfig, "ac9", func(ctx context.Context) error {
			return s.CreateAuthConfig(ctx, newAuthConfig(p.ID, "ac9", "github", at(7)))
		}},
		{"DeleteAuthConfig", store.AuditAuthConfig, "ac9", func(ctx context.Context) error { return s.DeleteAuthConfig(ctx, p.ID, "ac9") }},
		{"DeleteAccount", store.AuditAccount, twin.ID, func(ctx context.Context) error { return s.DeleteAccount(ctx, p.ID, twin.ID) }},
		{"CreateCustomToolkit", store.AuditToolkit, "kit9", func(ctx context.Context) error {
			return s.CreateCustomToolkit(ctx, store.CustomToolkit{ProjectID: p.ID, Slug: "kit9", Definition: []byte(`{}`), CreatedAt: at(7), UpdatedAt: at(7)})
		}},
		{"UpdateCustomToolkit", store.AuditToolkit, "kit9", func(ctx context.Context) error {
			_, err := s.UpdateCustomToolkit(ctx, p.ID, "kit9", func(k store.CustomToolkit) (store.CustomToolkit, error) {
				k.Definition = []byte(`{"v":2}`)
				return k, nil
			})
			return err
		}},
		{"DeleteCustomToolkit", store.AuditToolkit, "kit9", func(ctx context.Context) error { return s.DeleteCustomToolkit(ctx, p.ID, "kit9") }},
		{"DeleteWebhookSubscription", store.AuditSubscription, w.ID, func(ctx context.Context) error {
			return s.DeleteWebhookSubscription(ctx, p.ID, w.ID)
		}},
	} {
		actx, _ := hooked("aud_"+tt.name, tt.targetType, tt.id)
		if err := tt.write(actx); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if e, ok := entries()["aud_"+tt.name]; !ok || e.TargetID != tt.id {
			t.Errorf("%s wrote no audit entry for %s: %+v", tt.name, tt.id, e)
		}
	}
}
