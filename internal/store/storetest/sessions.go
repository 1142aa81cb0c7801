package storetest

import (
	"fmt"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

func testSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))

	s1 := mustCreateSession(t, s, newSession("p1", "s1", "u1"))
	s2 := newSession("p1", "s2", "u1")
	s2.Config = []byte(`{}`)
	s2.ConfigVersion = 0
	mustCreateSession(t, s, s2)

	for _, want := range []store.Session{s1, s2} {
		got, err := s.GetSession(ctx, "p1", want.ID)
		wantNoErr(t, "GetSession", err)
		if d := diff(want, got); d != "" {
			t.Errorf("GetSession(%q) mismatch (-want +got):\n%s", want.ID, d)
		}
	}

	dup := newSession("p1", "s1", "u2")
	wantErr(t, "CreateSession with a taken id", s.CreateSession(ctx, dup), store.ErrConflict)
	_, err := s.GetSession(ctx, "p1", "missing")
	wantErr(t, "GetSession(missing)", err, store.ErrNotFound)

	updated, err := s.UpdateSession(ctx, "p1", "s1", func(sess store.Session) (store.Session, error) {
		sess.Config = []byte(`{"toolkits":["github","gmail"]}`)
		sess.ConfigVersion++
		sess.UpdatedAt = at(8)
		return sess, nil
	})
	wantNoErr(t, "UpdateSession", err)
	want := s1
	want.Config = []byte(`{"toolkits":["github","gmail"]}`)
	want.ConfigVersion = 2
	want.UpdatedAt = at(8)
	if d := diff(want, updated); d != "" {
		t.Errorf("UpdateSession result mismatch (-want +got):\n%s", d)
	}
	got, err := s.GetSession(ctx, "p1", "s1")
	wantNoErr(t, "GetSession", err)
	if d := diff(want, got); d != "" {
		t.Errorf("GetSession after update mismatch (-want +got):\n%s", d)
	}

	wantNoErr(t, "DeleteSession", s.DeleteSession(ctx, "p1", "s1"))
	_, err = s.GetSession(ctx, "p1", "s1")
	wantErr(t, "GetSession after delete", err, store.ErrNotFound)
	wantErr(t, "DeleteSession again", s.DeleteSession(ctx, "p1", "s1"), store.ErrNotFound)
	wantErr(t, "DeleteSession(missing)", s.DeleteSession(ctx, "p1", "missing"), store.ErrNotFound)
	got, err = s.GetSession(ctx, "p1", "s2")
	wantNoErr(t, "GetSession of the session not deleted", err)
	if d := diff(s2, got); d != "" {
		t.Errorf("DeleteSession changed another session (-want +got):\n%s", d)
	}
	testListSessions(t, s)
}

// testListSessions: newest first, filtered by user, paged by cursors, and
// only the project's own.
func testListSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p2"))
	var made []store.Session
	for i, user := range []string{"u1", "u2", "u1", "u3", "u1"} {
		sess := newSession("p2", fmt.Sprintf("ls%d", i), user)
		sess.CreatedAt, sess.UpdatedAt = at(20+i), at(20+i)
		made = append(made, mustCreateSession(t, s, sess))
	}
	// Same time as ls4: the id breaks the tie.
	tie := newSession("p2", "ls9", "u2")
	tie.CreatedAt, tie.UpdatedAt = at(24), at(24)
	made = append(made, mustCreateSession(t, s, tie))
	other := newSession("p1", "lsx", "u1")
	other.CreatedAt, other.UpdatedAt = at(30), at(30)
	mustCreateSession(t, s, other)

	idsOf := func(ss []store.Session) []string {
		out := []string{}
		for _, x := range ss {
			out = append(out, x.ID)
		}
		return out
	}
	var all []store.Session
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("ListSessions: the cursors never end")
		}
		page, err := s.ListSessions(ctx, "p2", store.SessionFilter{Cursor: cursor, Limit: 4})
		wantNoErr(t, "ListSessions", err)
		all = append(all, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if d := diff([]string{"ls9", "ls4", "ls3", "ls2", "ls1", "ls0"}, idsOf(all)); d != "" {
		t.Errorf("ListSessions pages (-want +got):\n%s", d)
	}
	if d := diff(made[0], all[5]); d != "" {
		t.Errorf("ListSessions item mismatch (-want +got):\n%s", d)
	}
	page, err := s.ListSessions(ctx, "p2", store.SessionFilter{UserIDs: []string{"u1"}, Limit: 10})
	wantNoErr(t, "ListSessions by user", err)
	if d := diff([]string{"ls4", "ls2", "ls0"}, idsOf(page.Items)); d != "" || page.NextCursor != "" {
		t.Errorf("ListSessions by user u1 (-want +got):\n%s, next cursor %q", d, page.NextCursor)
	}
	page, err = s.ListSessions(ctx, "p1", store.SessionFilter{UserIDs: []string{"u2", "u3"}})
	wantNoErr(t, "ListSessions of another project", err)
	if got := idsOf(page.Items); len(got) != 0 {
		t.Errorf("ListSessions(p1, u2 u3) = %v, want none: the sessions are p2's", got)
	}
	_, err = s.ListSessions(ctx, "p2", store.SessionFilter{Cursor: "not-a-cursor", Limit: 2})
	wantErr(t, "ListSessions with a bad cursor", err, store.ErrInvalid)
}
