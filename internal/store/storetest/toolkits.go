package storetest

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

func newCustomToolkit(projectID, slug string) store.CustomToolkit {
	return store.CustomToolkit{ProjectID: projectID, Slug: slug,
		Definition: []byte(`{"slug":"` + slug + `","tools":[]}`), CreatedAt: at(1), UpdatedAt: at(1)}
}

func testCustomToolkits(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))

	list, err := s.ListCustomToolkits(ctx, "p1")
	wantNoErr(t, "ListCustomToolkits of none", err)
	if list == nil || len(list) != 0 {
		t.Errorf("ListCustomToolkits of none = %#v, want an empty, non-nil list", list)
	}
	zeta, alpha := newCustomToolkit("p1", "zeta"), newCustomToolkit("p1", "alpha")
	for _, tk := range []store.CustomToolkit{zeta, alpha, newCustomToolkit("p2", "alpha")} {
		wantNoErr(t, "CreateCustomToolkit", s.CreateCustomToolkit(ctx, tk))
	}
	wantErr(t, "CreateCustomToolkit with a taken slug", s.CreateCustomToolkit(ctx, newCustomToolkit("p1", "zeta")), store.ErrConflict)

	got, err := s.GetCustomToolkit(ctx, "p1", "zeta")
	wantNoErr(t, "GetCustomToolkit", err)
	if d := diff(zeta, got); d != "" {
		t.Errorf("GetCustomToolkit mismatch (-want +got):\n%s", d)
	}
	_, err = s.GetCustomToolkit(ctx, "p1", "missing")
	wantErr(t, "GetCustomToolkit(missing)", err, store.ErrNotFound)

	list, err = s.ListCustomToolkits(ctx, "p1")
	wantNoErr(t, "ListCustomToolkits", err)
	if d := diff([]store.CustomToolkit{alpha, zeta}, list); d != "" {
		t.Errorf("ListCustomToolkits: want the project's toolkits by slug (-want +got):\n%s", d)
	}

	updated, err := s.UpdateCustomToolkit(ctx, "p1", "zeta", func(tk store.CustomToolkit) (store.CustomToolkit, error) {
		tk.Definition = []byte(`{"slug":"zeta","tools":[{"slug":"ZETA_X"}]}`)
		tk.UpdatedAt = at(5)
		tk.ProjectID, tk.Slug = "p2", "moved" // kept whatever fn returns
		return tk, nil
	})
	wantNoErr(t, "UpdateCustomToolkit", err)
	want := zeta
	want.Definition, want.UpdatedAt = []byte(`{"slug":"zeta","tools":[{"slug":"ZETA_X"}]}`), at(5)
	if d := diff(want, updated); d != "" {
		t.Errorf("UpdateCustomToolkit result mismatch (-want +got):\n%s", d)
	}
	got, err = s.GetCustomToolkit(ctx, "p1", "zeta")
	wantNoErr(t, "GetCustomToolkit after update", err)
	if d := diff(want, got); d != "" {
		t.Errorf("GetCustomToolkit after update mismatch (-want +got):\n%s", d)
	}
	_, err = s.GetCustomToolkit(ctx, "p2", "moved")
	wantErr(t, "GetCustomToolkit of the slug fn tried to move to", err, store.ErrNotFound)
	_, err = s.UpdateCustomToolkit(ctx, "p1", "missing", func(tk store.CustomToolkit) (store.CustomToolkit, error) { return tk, nil })
	wantErr(t, "UpdateCustomToolkit(missing)", err, store.ErrNotFound)

	wantNoErr(t, "DeleteCustomToolkit", s.DeleteCustomToolkit(ctx, "p1", "zeta"))
	_, err = s.GetCustomToolkit(ctx, "p1", "zeta")
	wantErr(t, "GetCustomToolkit after delete", err, store.ErrNotFound)
	wantErr(t, "DeleteCustomToolkit again", s.DeleteCustomToolkit(ctx, "p1", "zeta"), store.ErrNotFound)

	// Another project's toolkit of the same slug is its own.
	got, err = s.GetCustomToolkit(ctx, "p2", "alpha")
	wantNoErr(t, "GetCustomToolkit of p2", err)
	if got.ProjectID != "p2" {
		t.Errorf("GetCustomToolkit(p2, alpha) = project %q", got.ProjectID)
	}
	wantNoErr(t, "DeleteCustomToolkit of p1's alpha", s.DeleteCustomToolkit(ctx, "p1", "alpha"))
	if _, err := s.GetCustomToolkit(ctx, "p2", "alpha"); err != nil {
		t.Errorf("deleting p1's alpha deleted p2's: %v", err)
	}
}
