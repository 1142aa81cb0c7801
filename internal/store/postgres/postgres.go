package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/groupcommit"
)

// Store is a store.Store on a PostgreSQL database. It is safe for concurrent
// use, and any number of Stores, in any number of processes, may share one
// database.
type Store struct {
	pool *pgxpool.Pool
	// locks holds the connections LockAccount keeps while it waits for and
	// holds a lock, apart from pool so that waiters cannot take every
	// connection the lock holder needs.
	locks *pgxpool.Pool

	// done ends when Close is called, stopping AccountChanges listeners;
	// listeners counts them so that Close can wait for them. mu guards
	// closed and adding to listeners.
	done      context.Context
	closeDone context.CancelFunc
	listeners sync.WaitGroup
	mu        sync.Mutex
	closed    bool

	// sessions gathers concurrent CreateSession calls into shared
	// statements.
	sessions *groupcommit.Writer[store.Session]
}

// groupWorkers write group commits at once, each of up to groupSize
// writes, waiting up to groupDelay for more while writes are concurrent,
// with groupTimeout to commit.
const (
	groupWorkers = 2
	groupSize    = 64
	groupDelay   = 50 * time.Microsecond
	groupTimeout = 30 * time.Second
)

var _ store.Store = (*Store)(nil)

// Open connects to the database at url, a postgres:// URL or a key=value
// connection string as pgx accepts, and brings its schema up to date. The
// URL's pool_max_conns sizes both the query pool and the pool LockAccount
// uses. Open does not work through a transaction-mode connection pooler:
// LockAccount and AccountChanges need session state.
func Open(ctx context.Context, url string) (*Store, error) {
	return open(ctx, url, "")
}

// open is Open applying the migrations up to and including the version
// lastMigration, or all of them when it is empty. Tests open an old schema
// with it to seed rows that the later migrations must keep.
func open(ctx context.Context, url, lastMigration string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	lockCfg := cfg.Copy()
	lockCfg.MinConns = 0

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	locks, err := pgxpool.NewWithConfig(ctx, lockCfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := migrate(ctx, pool, lastMigration); err != nil {
		pool.Close()
		locks.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	done, cancel := context.WithCancel(context.Background())
	s := &Store{pool: pool, locks: locks, done: done, closeDone: cancel}
	s.sessions = groupcommit.New(groupWorkers, groupSize, groupDelay, groupTimeout, s.createSessions,
		func(ctx context.Context, sess store.Session) error {
			return s.createSessions(ctx, []store.Session{sess})
		})
	return s, nil
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Close stops the AccountChanges listeners and closes every connection. It
// waits for the calls in progress to return their connections.
func (s *Store) Close() error {
	s.mu.Lock()
	wasClosed := s.closed
	s.closed = true
	s.mu.Unlock()
	if wasClosed {
		return nil
	}
	s.sessions.Close()
	s.closeDone()
	s.listeners.Wait()
	s.locks.Close()
	s.pool.Close()
	return nil
}

// advisoryKey returns the 64-bit key of a PostgreSQL advisory lock: the first
// eight bytes of SHA-256 over the parts, each followed by a zero byte, under
// a Switchboard prefix that keeps clear of other users of the database.
func advisoryKey(parts ...string) int64 {
	h := sha256.New()
	h.Write([]byte("switchboard\x00"))
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int64(binary.BigEndian.Uint64(h.Sum(nil)))
}

// dbError maps a driver error to the store's sentinels: no row is
// store.ErrNotFound, a unique violation store.ErrConflict, and a foreign key
// violation (a row naming a missing parent) store.ErrNotFound. Other errors
// pass through. The driver error stays in the chain for logs.
func dbError(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch pgErr.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %w", store.ErrConflict, err)
		case "23503": // foreign_key_violation
			return fmt.Errorf("%w: %w", store.ErrNotFound, err)
		}
	}
	return err
}

// fnError carries the error of an update function through the transaction,
// so that it comes back unchanged instead of mapped or wrapped.
type fnError struct{ err error }

func (e fnError) Error() string { return e.err.Error() }

// update reads a row FOR UPDATE with sel, passes it to fn and writes fn's
// result with write, all in one transaction. The row lock serialises
// concurrent updates of one row, so fn runs once per call. op names the
// operation in errors.
func update[T any](ctx context.Context, s *Store, op string,
	sel string, args []any, scan func(pgx.Row) (T, error),
	fn func(T) (T, error),
	write func(ctx context.Context, tx pgx.Tx, old, changed T) (T, error),
) (T, error) {
	var out T
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := scan(tx.QueryRow(ctx, sel, args...))
		if err != nil {
			return err
		}
		changed, err := fn(old)
		if err != nil {
			return fnError{err}
		}
		out, err = write(ctx, tx, old, changed)
		return err
	})
	if fe, ok := errors.AsType[fnError](err); ok {
		var zero T
		return zero, fe.err
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", op, dbError(err))
	}
	return out, nil
}

// utc returns t in UTC.
func utc(t time.Time) time.Time { return t.UTC() }

// utcPtr returns a copy of *t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Unavailable reports whether err means the database did not answer: no
// connection could be made or kept, the server is shutting down or
// starting, or it has no connection left. store.Guard uses it to tell an
// outage from a bug.
func Unavailable(err error) bool {
	if e, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch {
		case strings.HasPrefix(e.Code, "08"), // connection exception
			e.Code == "57P01", e.Code == "57P02", e.Code == "57P03", // admin or crash shutdown, cannot connect now
			e.Code == "53300": // too many connections
			return true
		}
		return false
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	return pgconn.Timeout(err) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded)
}
