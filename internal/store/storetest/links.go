package storetest

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

func testLinks(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	c1 := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(0)))
	c2 := mustCreateAuthConfig(t, s, newAuthConfig("p2", "ac2", "github", at(0)))
	mustCreateAccount(t, s, newAccount("p1", "a1", c1, "u1", at(1)))
	mustCreateAccount(t, s, newAccount("p2", "a2", c2, "u1", at(1)))
	mustCreateSession(t, s, newSession("p1", "s1", "u1"))

	l1 := newLink("p1", "tok-1", "a1", at(2), at(12))
	l1.SessionID = "s1"
	// The plaintext token is never stored, whatever the caller passes.
	withToken := l1
	withToken.Token = "lk_plaintext"
	mustCreateLink(t, s, withToken)
	l2 := newLink("p2", "tok-2", "a2", at(3), at(13))
	l2.CallbackURL = ""
	mustCreateLink(t, s, l2)

	for _, want := range []store.Link{l1, l2} {
		got, err := s.GetLink(ctx, want.TokenHash)
		wantNoErr(t, "GetLink", err)
		if d := diff(want, got); d != "" {
			t.Errorf("GetLink(%q) mismatch (-want +got):\n%s", want.TokenHash, d)
		}
	}

	dup := newLink("p1", "tok-1", "a1", at(4), at(14))
	wantErr(t, "CreateLink with a taken token", s.CreateLink(ctx, dup), store.ErrConflict)
	_, err := s.GetLink(ctx, "missing")
	wantErr(t, "GetLink(missing)", err, store.ErrNotFound)
	_, err = s.GetLinkByState(ctx, "")
	wantErr(t, "GetLinkByState(\"\") while no link has a state", err, store.ErrNotFound)
	_, err = s.GetLinkByState(ctx, "unknown")
	wantErr(t, "GetLinkByState(unknown)", err, store.ErrNotFound)

	// The user opens the link: the state and verifier are set.
	opened, err := s.UpdateLink(ctx, "tok-1", func(l store.Link) (store.Link, error) {
		l.StateHash = "5f1e0a"
		l.SealedVerifier = []byte{0x00, 0x01, 0xfe}
		l.StateExpiresAt = ptr(at(7))
		return l, nil
	})
	wantNoErr(t, "UpdateLink", err)
	want := l1
	want.StateHash = "5f1e0a"
	want.SealedVerifier = []byte{0x00, 0x01, 0xfe}
	want.StateExpiresAt = ptr(at(7))
	if d := diff(want, opened); d != "" {
		t.Errorf("UpdateLink result mismatch (-want +got):\n%s", d)
	}
	got, err := s.GetLinkByState(ctx, "5f1e0a")
	wantNoErr(t, "GetLinkByState", err)
	if d := diff(want, got); d != "" {
		t.Errorf("GetLinkByState mismatch (-want +got):\n%s", d)
	}
	_, err = s.GetLinkByState(ctx, "")
	wantErr(t, "GetLinkByState(\"\")", err, store.ErrNotFound)

	// The provider calls back: the link is completed.
	completed, err := s.UpdateLink(ctx, "tok-1", func(l store.Link) (store.Link, error) {
		l.CompletedAt = ptr(at(6))
		return l, nil
	})
	wantNoErr(t, "UpdateLink", err)
	want.CompletedAt = ptr(at(6))
	if d := diff(want, completed); d != "" {
		t.Errorf("UpdateLink (complete) result mismatch (-want +got):\n%s", d)
	}
	got, err = s.GetLink(ctx, "tok-1")
	wantNoErr(t, "GetLink", err)
	if d := diff(want, got); d != "" {
		t.Errorf("GetLink after completion mismatch (-want +got):\n%s", d)
	}
	got, err = s.GetLink(ctx, "tok-2")
	wantNoErr(t, "GetLink", err)
	if d := diff(l2, got); d != "" {
		t.Errorf("UpdateLink changed another link (-want +got):\n%s", d)
	}
}

// testPendingLink: the newest link of a session for a toolkit that can
// still complete, and nothing else.
func testPendingLink(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	gh := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(1)))
	gm := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac2", "gmail", at(1)))
	gh2 := mustCreateAuthConfig(t, s, newAuthConfig("p2", "ac3", "github", at(1)))
	initiated := func(projectID, id string, c store.AuthConfig) {
		a := newAccount(projectID, id, c, "u1", at(2))
		a.Status, a.ConnectedAt = store.StatusInitiated, nil
		mustCreateAccount(t, s, a)
	}
	link := func(projectID, token, accountID, session string, created, expires int) {
		l := newLink(projectID, token, accountID, at(created), at(expires))
		l.SessionID = session
		mustCreateLink(t, s, l)
	}
	now := at(30)
	_, err := s.PendingLink(ctx, "p1", "s1", "github", now)
	wantErr(t, "PendingLink with no links", err, store.ErrNotFound)

	initiated("p1", "old", gh)
	link("p1", "l-old", "old", "s1", 3, 40)
	initiated("p1", "new", gh)
	link("p1", "l-new", "new", "s1", 5, 40)
	initiated("p1", "expired", gh)
	link("p1", "l-expired", "expired", "s1", 9, 20)
	initiated("p1", "other-session", gh)
	link("p1", "l-other-session", "other-session", "s2", 10, 40)
	initiated("p1", "gmail", gm)
	link("p1", "l-gmail", "gmail", "s1", 11, 40)
	initiated("p2", "other-project", gh2)
	link("p2", "l-other-project", "other-project", "s1", 12, 40)
	active := newAccount("p1", "active", gh, "u1", at(2))
	mustCreateAccount(t, s, active)
	link("p1", "l-active", "active", "s1", 13, 40)

	got, err := s.PendingLink(ctx, "p1", "s1", "github", now)
	wantNoErr(t, "PendingLink", err)
	if got.TokenHash != "l-new" {
		t.Errorf("PendingLink: got %s, want l-new", got.TokenHash)
	}
	// A completed link, or an account that left INITIATED, is not pending.
	_, err = s.UpdateLink(ctx, "l-new", func(l store.Link) (store.Link, error) {
		l.CompletedAt = ptr(at(31))
		return l, nil
	})
	wantNoErr(t, "UpdateLink", err)
	_, err = s.UpdateAccount(ctx, "p1", "old", func(a store.Account) (store.Account, error) {
		a.Status = store.StatusFailed
		return a, nil
	})
	wantNoErr(t, "UpdateAccount", err)
	_, err = s.PendingLink(ctx, "p1", "s1", "github", now)
	wantErr(t, "PendingLink after completion and failure", err, store.ErrNotFound)
	if got, err := s.PendingLink(ctx, "p2", "s1", "github", now); err != nil || got.TokenHash != "l-other-project" {
		t.Errorf("PendingLink in p2: got %v %v, want l-other-project", got.TokenHash, err)
	}
}
