package sqlite

import (
	"context"
	"fmt"
	"sync"
)

// keyedMutex is a set of mutexes by key that exist only while someone holds
// or waits for them. Each is a one-slot channel, so waiting can end with a
// context.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[accountKey]*keyLock
}

// accountKey names an account's lock.
type accountKey struct{ projectID, id string }

type keyLock struct {
	ch   chan struct{} // holds a token while locked
	refs int           // holders and waiters
}

func newKeyedMutex() *keyedMutex {
	return &keyedMutex{locks: make(map[accountKey]*keyLock)}
}

// lock waits for the mutex of key, or for ctx to end. On success the caller
// must call the returned unlock exactly once.
func (m *keyedMutex) lock(ctx context.Context, key accountKey) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	l, ok := m.locks[key]
	if !ok {
		l = &keyLock{ch: make(chan struct{}, 1)}
		m.locks[key] = l
	}
	l.refs++
	m.mu.Unlock()

	release := func() {
		m.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(m.locks, key)
		}
		m.mu.Unlock()
	}

	select {
	case l.ch <- struct{}{}:
		return func() {
			<-l.ch
			release()
		}, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// LockAccount runs fn while holding the account's lock. The lock lives in
// this process: SQLite serves one process, so it excludes every other
// LockAccount that can reach the database. It does not check that the
// account exists. An error from fn is returned unchanged.
func (s *Store) LockAccount(ctx context.Context, projectID, id string, fn func(ctx context.Context) error) error {
	unlock, err := s.locks.lock(ctx, accountKey{projectID, id})
	if err != nil {
		return fmt.Errorf("lock account: %w", err)
	}
	defer unlock()
	return fn(ctx)
}
