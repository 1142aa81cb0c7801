package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

func testAccountChanges(t *testing.T, s store.Store) {
	mustCreateProject(t, s, newProject("p1"))
	mustCreateProject(t, s, newProject("p2"))
	c1 := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(0)))
	c2 := mustCreateAuthConfig(t, s, newAuthConfig("p2", "ac2", "github", at(0)))
	pending := func(a store.Account) store.Account {
		a.Status = store.StatusInitiated
		a.ConnectedAt = nil
		return a
	}
	mustCreateAccount(t, s, pending(newAccount("p1", "a1", c1, "u1", at(1))))
	mustCreateAccount(t, s, pending(newAccount("p1", "a2", c1, "u2", at(1))))
	mustCreateAccount(t, s, pending(newAccount("p2", "a3", c2, "u1", at(1))))
	mustCreateLink(t, s, newLink("p1", "l2", "a2", at(1), at(10)))
	mustCreateLink(t, s, newLink("p2", "l3", "a3", at(1), at(10)))

	subscribe := func(t *testing.T) (<-chan string, context.CancelFunc) {
		ctx, cancel := context.WithCancel(t.Context())
		t.Cleanup(cancel)
		ch, err := s.AccountChanges(ctx)
		wantNoErr(t, "AccountChanges", err)
		return ch, cancel
	}

	t.Run("UpdateAccount", func(t *testing.T) {
		ch1, _ := subscribe(t)
		ch2, _ := subscribe(t)
		_, err := s.UpdateAccount(t.Context(), "p1", "a1", func(a store.Account) (store.Account, error) {
			a.Status = store.StatusActive
			a.ConnectedAt = ptr(at(2))
			return a, nil
		})
		wantNoErr(t, "UpdateAccount", err)
		recvIDs(t, ch1, "a1")
		recvIDs(t, ch2, "a1")
	})

	t.Run("FailStaleAccounts", func(t *testing.T) {
		ch, _ := subscribe(t)
		n, err := s.FailStaleAccounts(t.Context(), at(20), at(0), "expired")
		wantNoErr(t, "FailStaleAccounts", err)
		if n != 2 {
			t.Fatalf("FailStaleAccounts: got %d moved, want 2", n)
		}
		recvIDs(t, ch, "a2", "a3")
	})

	t.Run("ClosedWhenContextEnds", func(t *testing.T) {
		ch, cancel := subscribe(t)
		cancel()
		timeout := time.After(waitTimeout)
		for {
			select {
			case _, ok := <-ch:
				if !ok {
					return
				}
			case <-timeout:
				t.Fatalf("AccountChanges channel still open %v after its context ended, want it closed", waitTimeout)
			}
		}
	})

	t.Run("UpdatesAfterCancel", func(t *testing.T) {
		// A canceled subscriber must not block or break writers.
		_, cancel := subscribe(t)
		cancel()
		live, _ := subscribe(t)
		for _, status := range []string{store.StatusExpired, store.StatusActive, store.StatusInactive} {
			_, err := s.UpdateAccount(t.Context(), "p1", "a1", func(a store.Account) (store.Account, error) {
				a.Status = status
				return a, nil
			})
			wantNoErr(t, "UpdateAccount", err)
		}
		recvIDs(t, live, "a1")
	})
}

func testLockAccount(t *testing.T, s store.Store) {
	mustCreateProject(t, s, newProject("p1"))
	c := mustCreateAuthConfig(t, s, newAuthConfig("p1", "ac1", "github", at(0)))
	mustCreateAccount(t, s, newAccount("p1", "a1", c, "u1", at(1)))
	mustCreateAccount(t, s, newAccount("p1", "a2", c, "u1", at(2)))

	t.Run("MutualExclusion", func(t *testing.T) {
		const workers, rounds = 8, 5
		var inside, overlaps, runs atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds)
		for range workers {
			wg.Go(func() {
				for range rounds {
					err := s.LockAccount(withTimeout(t), "p1", "a1", func(ctx context.Context) error {
						if inside.Add(1) != 1 {
							overlaps.Add(1)
						}
						runs.Add(1)
						// Widen the window in which an overlap would show.
						time.Sleep(time.Millisecond)
						inside.Add(-1)
						return nil
					})
					if err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("LockAccount: got error %v, want nil", err)
		}
		if n := overlaps.Load(); n != 0 {
			t.Errorf("got %d overlapping critical sections, want 0", n)
		}
		if n := runs.Load(); n != workers*rounds {
			t.Errorf("fn ran %d times, want %d", n, workers*rounds)
		}
	})

	t.Run("OtherAccountNotBlocked", func(t *testing.T) {
		held := make(chan struct{})
		release := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- s.LockAccount(withTimeout(t), "p1", "a1", func(context.Context) error {
				close(held)
				<-release
				return nil
			})
		}()
		select {
		case <-held:
		case err := <-done:
			t.Fatalf("LockAccount(a1): got %v before fn ran", err)
		}
		ran := false
		err := s.LockAccount(withTimeout(t), "p1", "a2", func(context.Context) error {
			ran = true
			return nil
		})
		close(release)
		if err != nil || !ran {
			t.Errorf("LockAccount(a2) while a1 is locked: got error %v, ran %v; want nil, true", err, ran)
		}
		if err := <-done; err != nil {
			t.Errorf("LockAccount(a1): got error %v, want nil", err)
		}
	})

	t.Run("ContextEndsWhileWaiting", func(t *testing.T) {
		held := make(chan struct{})
		release := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- s.LockAccount(withTimeout(t), "p1", "a1", func(context.Context) error {
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		ran := false
		err := s.LockAccount(ctx, "p1", "a1", func(context.Context) error {
			ran = true
			return nil
		})
		close(release)
		if err == nil || ran {
			t.Errorf("LockAccount with an ended context on a held lock: got error %v, ran %v; want an error, false", err, ran)
		}
		if err := <-done; err != nil {
			t.Errorf("LockAccount(a1): got error %v, want nil", err)
		}
	})

	t.Run("ErrorUnchangedAndLockReleased", func(t *testing.T) {
		err := s.LockAccount(withTimeout(t), "p1", "a1", func(context.Context) error { return errAbort })
		if err != errAbort {
			t.Errorf("LockAccount: got error %v, want fn's error unchanged", err)
		}
		err = s.LockAccount(withTimeout(t), "p1", "a1", func(context.Context) error { return nil })
		if err != nil {
			t.Errorf("LockAccount after fn failed: got error %v, want nil (the lock must be released)", err)
		}
	})
}
