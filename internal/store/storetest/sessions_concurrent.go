package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// testConcurrentSessions creates many sessions at once, as a loaded API
// does, some with ids already taken and some pairs racing for one new id:
// backends may write concurrent creates together, and then each caller
// must still get its own answer, a conflict failing only its own create.
func testConcurrentSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreateProject(t, s, newProject("p1"))
	for i := range 10 {
		mustCreateSession(t, s, newSession("p1", fmt.Sprintf("taken%d", i), "u0"))
	}
	const n = 200
	type result struct {
		sess store.Session
		err  error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		id := fmt.Sprintf("new%d", i)
		switch {
		case i%20 == 0:
			id = fmt.Sprintf("taken%d", i/20) // taken before
		case i%20 == 1:
			id = fmt.Sprintf("race%d", i/20) // raced for by i and i+1
		case i%20 == 2:
			id = fmt.Sprintf("race%d", (i-1)/20)
		}
		sess := newSession("p1", id, fmt.Sprintf("u%d", i))
		wg.Go(func() { results[i] = result{sess, s.CreateSession(ctx, sess)} })
	}
	wg.Wait()

	won := map[string]string{} // race id -> user of the create that won
	for i, r := range results {
		id := r.sess.ID
		switch {
		case i%20 == 0:
			wantErr(t, "CreateSession with a taken id", r.err, store.ErrConflict)
			got, err := s.GetSession(ctx, "p1", id)
			wantNoErr(t, "GetSession", err)
			if got.UserID != "u0" {
				t.Errorf("session %s: user %q, want the first create's u0", id, got.UserID)
			}
		case i%20 == 1 || i%20 == 2:
			switch {
			case r.err == nil && won[id] != "":
				t.Errorf("both creates of %s succeeded", id)
			case r.err == nil:
				won[id] = r.sess.UserID
			case !errors.Is(r.err, store.ErrConflict):
				t.Errorf("create %d of a raced id: %v, want nil or ErrConflict", i, r.err)
			}
		default:
			wantNoErr(t, fmt.Sprintf("CreateSession(%s)", id), r.err)
			got, err := s.GetSession(ctx, "p1", id)
			wantNoErr(t, "GetSession", err)
			if d := diff(r.sess, got); d != "" {
				t.Errorf("GetSession(%q) mismatch (-want +got):\n%s", id, d)
			}
		}
	}
	for i := range n / 20 {
		id := fmt.Sprintf("race%d", i)
		got, err := s.GetSession(ctx, "p1", id)
		wantNoErr(t, "GetSession", err)
		if won[id] == "" || got.UserID != won[id] {
			t.Errorf("session %s: user %q, but the create that succeeded was %q's", id, got.UserID, won[id])
		}
	}
}
