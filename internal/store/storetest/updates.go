package storetest

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// counterRecord is one kind of record with an integer field that the update
// tests read and bump through the record's Update method. seed creates the
// record with the counter at zero; its id is id, in project p1.
type counterRecord struct {
	name   string
	id     string
	seed   func(t *testing.T, s store.Store)
	update func(ctx context.Context, s store.Store, id string, fn func(n int) (int, error)) (int, error)
	get    func(ctx context.Context, s store.Store) (int, error)
}

func (r counterRecord) subtestName() string { return r.name }

// atoi reads a counter kept in a string field; the suite wrote it.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

var counterRecords = []counterRecord{
	{
		name: "Project",
		id:   "p1",
		seed: func(t *testing.T, s store.Store) {
			p := newProject("p1")
			p.Name = "0"
			mustCreateProject(t, s, p)
		},
		update: func(ctx context.Context, s store.Store, id string, fn func(int) (int, error)) (int, error) {
			p, err := s.UpdateProject(ctx, id, func(p store.Project) (store.Project, error) {
				n, err := fn(atoi(p.Name))
				p.Name = strconv.Itoa(n)
				return p, err
			})
			return atoi(p.Name), err
		},
		get: func(ctx context.Context, s store.Store) (int, error) {
			p, err := s.GetProject(ctx, "p1")
			return atoi(p.Name), err
		},
	},
	{
		name: "AuthConfig",
		id:   "x",
		seed: func(t *testing.T, s store.Store) {
			mustCreateProject(t, s, newProject("p1"))
			c := newAuthConfig("p1", "x", "github", at(0))
			c.Params["n"] = "0"
			mustCreateAuthConfig(t, s, c)
		},
		update: func(ctx context.Context, s store.Store, id string, fn func(int) (int, error)) (int, error) {
			c, err := s.UpdateAuthConfig(ctx, "p1", id, func(c store.AuthConfig) (store.AuthConfig, error) {
				n, err := fn(atoi(c.Params["n"]))
				c.Params["n"] = strconv.Itoa(n)
				return c, err
			})
			return atoi(c.Params["n"]), err
		},
		get: func(ctx context.Context, s store.Store) (int, error) {
			c, err := s.GetAuthConfig(ctx, "p1", "x")
			return atoi(c.Params["n"]), err
		},
	},
	{
		name: "Account",
		id:   "x",
		seed: func(t *testing.T, s store.Store) {
			mustCreateProject(t, s, newProject("p1"))
			c := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(0)))
			a := newAccount("p1", "x", c, "u1", at(1))
			a.IdentityID = "0"
			mustCreateAccount(t, s, a)
		},
		update: func(ctx context.Context, s store.Store, id string, fn func(int) (int, error)) (int, error) {
			a, err := s.UpdateAccount(ctx, "p1", id, func(a store.Account) (store.Account, error) {
				n, err := fn(atoi(a.IdentityID))
				a.IdentityID = strconv.Itoa(n)
				return a, err
			})
			return atoi(a.IdentityID), err
		},
		get: func(ctx context.Context, s store.Store) (int, error) {
			a, err := s.GetAccount(ctx, "p1", "x")
			return atoi(a.IdentityID), err
		},
	},
	{
		name: "Link",
		id:   "x",
		seed: func(t *testing.T, s store.Store) {
			mustCreateProject(t, s, newProject("p1"))
			c := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(0)))
			mustCreateAccount(t, s, newAccount("p1", "a1", c, "u1", at(1)))
			l := newLink("p1", "x", "a1", at(1), at(11))
			l.CallbackURL = "0"
			mustCreateLink(t, s, l)
		},
		update: func(ctx context.Context, s store.Store, token string, fn func(int) (int, error)) (int, error) {
			l, err := s.UpdateLink(ctx, token, func(l store.Link) (store.Link, error) {
				n, err := fn(atoi(l.CallbackURL))
				l.CallbackURL = strconv.Itoa(n)
				return l, err
			})
			return atoi(l.CallbackURL), err
		},
		get: func(ctx context.Context, s store.Store) (int, error) {
			l, err := s.GetLink(ctx, "x")
			return atoi(l.CallbackURL), err
		},
	},
	{
		name: "Session",
		id:   "x",
		seed: func(t *testing.T, s store.Store) {
			mustCreateProject(t, s, newProject("p1"))
			sess := newSession("p1", "x", "u1")
			sess.ConfigVersion = 0
			mustCreateSession(t, s, sess)
		},
		update: func(ctx context.Context, s store.Store, id string, fn func(int) (int, error)) (int, error) {
			sess, err := s.UpdateSession(ctx, "p1", id, func(sess store.Session) (store.Session, error) {
				n, err := fn(sess.ConfigVersion)
				sess.ConfigVersion = n
				return sess, err
			})
			return sess.ConfigVersion, err
		},
		get: func(ctx context.Context, s store.Store) (int, error) {
			sess, err := s.GetSession(ctx, "p1", "x")
			return sess.ConfigVersion, err
		},
	},
}

// testUpdateAbort checks that an error from fn is returned unchanged and
// that nothing is written.
func testUpdateAbort(t *testing.T, s store.Store, r counterRecord) {
	r.seed(t, s)
	_, err := r.update(t.Context(), s, r.id, func(n int) (int, error) { return 999, errAbort })
	if err != errAbort {
		t.Errorf("Update%s with a failing fn: got error %v, want fn's error unchanged", r.name, err)
	}
	n, err := r.get(t.Context(), s)
	wantNoErr(t, "Get"+r.name, err)
	if n != 0 {
		t.Errorf("after an aborted Update%s: got counter %d, want 0 (nothing written)", r.name, n)
	}
}

// testUpdateMissing checks that updating a missing record reports
// ErrNotFound without calling fn.
func testUpdateMissing(t *testing.T, s store.Store, r counterRecord) {
	r.seed(t, s)
	called := false
	_, err := r.update(t.Context(), s, "missing", func(n int) (int, error) {
		called = true
		return n + 1, nil
	})
	wantErr(t, "Update"+r.name+"(missing)", err, store.ErrNotFound)
	if called {
		t.Errorf("Update%s(missing) called fn, want it never called", r.name)
	}
}

// testUpdateParallel runs many increments at once. Compare-and-swap means
// none is lost: the counter ends at the number of updates, and each update
// saw a different old value.
func testUpdateParallel(t *testing.T, s store.Store, r counterRecord) {
	const updates = 20
	r.seed(t, s)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		results []int
		errs    []error
	)
	start := make(chan struct{})
	for range updates {
		wg.Go(func() {
			<-start
			n, err := r.update(t.Context(), s, r.id, func(n int) (int, error) { return n + 1, nil })
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			results = append(results, n)
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		t.Errorf("Update%s: got error %v, want nil", r.name, err)
	}
	n, err := r.get(t.Context(), s)
	wantNoErr(t, "Get"+r.name, err)
	if n != updates {
		t.Errorf("after %d parallel increments: got counter %d, want %d (lost updates)", updates, n, updates)
	}
	slices.Sort(results)
	var want []int
	for i := 1; i <= updates-len(errs); i++ {
		want = append(want, i)
	}
	if d := diff(want, results); d != "" {
		t.Errorf("values returned by the parallel updates (-want +got):\n%s", d)
	}
}
