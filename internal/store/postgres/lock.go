package postgres

import (
	"context"
	"fmt"
	"time"
)

// LockAccount runs fn while holding a lock on the account that excludes
// every other LockAccount of the same account, on any instance sharing the
// database. The lock is a session-level advisory lock, keyed by a hash of
// the project and account ids, on a connection of its own that it keeps
// from the wait until fn returns or panics. If ctx ends while it waits,
// LockAccount returns an error without calling fn. fn's error comes back
// unchanged.
func (s *Store) LockAccount(ctx context.Context, projectID, id string, fn func(ctx context.Context) error) error {
	key := advisoryKey("account", projectID, id)
	conn, err := s.locks.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("lock account: %w", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		// Ending the session releases the lock in case the server granted
		// it as the wait was given up.
		closeConn(conn.Hijack())
		return fmt.Errorf("lock account: %w", err)
	}
	defer func() {
		// A fresh context: ctx may have ended, and the lock must not
		// outlive fn.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var unlocked bool
		err := conn.QueryRow(ctx, "SELECT pg_advisory_unlock($1)", key).Scan(&unlocked)
		if err != nil || !unlocked {
			closeConn(conn.Hijack())
			return
		}
		conn.Release()
	}()
	return fn(ctx)
}
