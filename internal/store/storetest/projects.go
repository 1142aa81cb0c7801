package storetest

import (
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

func testProjects(t *testing.T, s store.Store) {
	ctx := t.Context()

	p1 := newProject("p1")
	p1.RevealSecrets = true
	p1.CallbackURLs = []string{"https://a.example.com/cb", "https://b.example.com:8443/path/", "http://127.0.0.1:9999"}
	mustCreateProject(t, s, p1)
	p2 := newProject("p2")
	p2.CallbackURLs = nil
	mustCreateProject(t, s, p2)

	got, err := s.GetProject(ctx, "p1")
	wantNoErr(t, "GetProject", err)
	if d := diff(p1, got); d != "" {
		t.Errorf("GetProject mismatch (-want +got):\n%s", d)
	}
	got, err = s.GetProject(ctx, "p2")
	wantNoErr(t, "GetProject", err)
	if d := diff(p2, got); d != "" {
		t.Errorf("GetProject without callback URLs mismatch (-want +got):\n%s", d)
	}

	dup := newProject("p1")
	dup.Name = "impostor"
	wantErr(t, "CreateProject with a taken id", s.CreateProject(ctx, dup), store.ErrConflict)
	got, err = s.GetProject(ctx, "p1")
	wantNoErr(t, "GetProject", err)
	if got.Name != p1.Name {
		t.Errorf("after a conflicting CreateProject: got Name %q, want %q (create must never overwrite)", got.Name, p1.Name)
	}

	_, err = s.GetProject(ctx, "missing")
	wantErr(t, "GetProject(missing)", err, store.ErrNotFound)

	list, err := s.ListProjects(ctx)
	wantNoErr(t, "ListProjects", err)
	slices.SortFunc(list, func(a, b store.Project) int { return strings.Compare(a.ID, b.ID) })
	if d := diff([]store.Project{p1, p2}, list); d != "" {
		t.Errorf("ListProjects mismatch (-want +got):\n%s", d)
	}

	updated, err := s.UpdateProject(ctx, "p1", func(p store.Project) (store.Project, error) {
		p.Name = "renamed"
		p.RevealSecrets = false
		p.CallbackURLs = append(p.CallbackURLs, "https://c.example.com/")
		p.UpdatedAt = at(5)
		return p, nil
	})
	wantNoErr(t, "UpdateProject", err)
	want := p1
	want.Name = "renamed"
	want.RevealSecrets = false
	want.CallbackURLs = append(slices.Clone(p1.CallbackURLs), "https://c.example.com/")
	want.UpdatedAt = at(5)
	if d := diff(want, updated); d != "" {
		t.Errorf("UpdateProject result mismatch (-want +got):\n%s", d)
	}
	got, err = s.GetProject(ctx, "p1")
	wantNoErr(t, "GetProject", err)
	if d := diff(want, got); d != "" {
		t.Errorf("GetProject after update mismatch (-want +got):\n%s", d)
	}
	got, err = s.GetProject(ctx, "p2")
	wantNoErr(t, "GetProject", err)
	if d := diff(p2, got); d != "" {
		t.Errorf("UpdateProject changed another project (-want +got):\n%s", d)
	}
}

func testAPIKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))

	k1 := mustCreateAPIKey(t, s, newAPIKey("p1", "k1"))
	k2 := newAPIKey("p1", "k2")
	k2.CreatedAt = at(3)
	k2.Scope = "runtime"
	mustCreateAPIKey(t, s, k2)
	other := mustCreateAPIKey(t, s, newAPIKey("p2", "k3"))

	got, err := s.GetAPIKeyByHash(ctx, k1.Hash)
	wantNoErr(t, "GetAPIKeyByHash", err)
	if d := diff(k1, got); d != "" {
		t.Errorf("GetAPIKeyByHash mismatch (-want +got):\n%s", d)
	}
	got, err = s.GetAPIKeyByHash(ctx, other.Hash)
	wantNoErr(t, "GetAPIKeyByHash of another project's key", err)
	if d := diff(other, got); d != "" {
		t.Errorf("GetAPIKeyByHash (any project) mismatch (-want +got):\n%s", d)
	}
	_, err = s.GetAPIKeyByHash(ctx, []byte("no such hash"))
	wantErr(t, "GetAPIKeyByHash(unknown)", err, store.ErrNotFound)

	dup := newAPIKey("p1", "k1")
	dup.Hash = []byte("another hash")
	wantErr(t, "CreateAPIKey with a taken id", s.CreateAPIKey(ctx, dup), store.ErrConflict)
	sameHash := newAPIKey("p1", "k4")
	sameHash.Hash = k1.Hash
	wantErr(t, "CreateAPIKey with a taken hash", s.CreateAPIKey(ctx, sameHash), store.ErrConflict)

	list, err := s.ListAPIKeys(ctx, "p1")
	wantNoErr(t, "ListAPIKeys", err)
	slices.SortFunc(list, func(a, b store.APIKey) int { return strings.Compare(a.ID, b.ID) })
	if d := diff([]store.APIKey{k1, k2}, list); d != "" {
		t.Errorf("ListAPIKeys mismatch (-want +got):\n%s", d)
	}
	list, err = s.ListAPIKeys(ctx, "empty")
	wantNoErr(t, "ListAPIKeys of a project without keys", err)
	if len(list) != 0 {
		t.Errorf("ListAPIKeys of a project without keys: got %d keys, want 0", len(list))
	}

	wantNoErr(t, "RevokeAPIKey", s.RevokeAPIKey(ctx, "p1", "k1", at(10)))
	wantNoErr(t, "RevokeAPIKey again", s.RevokeAPIKey(ctx, "p1", "k1", at(20)))
	got, err = s.GetAPIKeyByHash(ctx, k1.Hash)
	wantNoErr(t, "GetAPIKeyByHash of a revoked key", err)
	want := k1
	want.RevokedAt = ptr(at(10))
	if d := diff(want, got); d != "" {
		t.Errorf("revoked key mismatch; revoking twice must keep the first time (-want +got):\n%s", d)
	}

	wantErr(t, "RevokeAPIKey(missing)", s.RevokeAPIKey(ctx, "p1", "missing", at(10)), store.ErrNotFound)
	wantErr(t, "RevokeAPIKey of another project's key", s.RevokeAPIKey(ctx, "p1", "k3", at(10)), store.ErrNotFound)
	got, err = s.GetAPIKeyByHash(ctx, other.Hash)
	wantNoErr(t, "GetAPIKeyByHash", err)
	if got.RevokedAt != nil {
		t.Errorf("RevokeAPIKey from another project: got RevokedAt %v, want nil", got.RevokedAt)
	}

	list, err = s.ListAPIKeys(ctx, "p1")
	wantNoErr(t, "ListAPIKeys", err)
	slices.SortFunc(list, func(a, b store.APIKey) int { return strings.Compare(a.ID, b.ID) })
	if d := diff([]store.APIKey{want, k2}, list); d != "" {
		t.Errorf("ListAPIKeys after revoke mismatch (-want +got):\n%s", d)
	}
}
