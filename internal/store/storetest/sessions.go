package storetest

import (
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
}
