package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/groupcommit"
)

// Store is a store.Store on one SQLite database file. It is safe for
// concurrent use by one process; see the package doc for why only one.
type Store struct {
	// read is a pool of query-only connections for reads outside
	// transactions that write.
	read *sql.DB
	// hot runs the per-request lookups as prepared statements on read.
	hot *stmts
	// write has exactly one connection, so writers queue in Go rather than
	// on SQLite's file lock, and every write transaction begins IMMEDIATE.
	write *sql.DB
	// logStmts keeps the execution logs' INSERTs prepared on write: the
	// batches come many times a second.
	logStmts *stmts
	// sessionStmts keeps the session INSERTs prepared on write.
	sessionStmts *stmts

	changes *broadcaster
	locks   *keyedMutex

	// sessions gathers concurrent CreateSession calls into shared
	// transactions on the one write connection.
	sessions *groupcommit.Writer[store.Session]
}

var _ store.Store = (*Store)(nil)

// registerFunctions adds the SQL functions the migrations use to the
// driver, once per process: the driver offers them to every connection it
// opens afterwards.
var registerFunctions = sync.OnceValue(func() error {
	// switchboard_sha256_hex(text) is the lower-case hex SHA-256 of the
	// text's UTF-8 bytes, as PostgreSQL's encode(sha256(...), 'hex').
	err := sqlite.RegisterDeterministicScalarFunction("switchboard_sha256_hex", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			var b []byte
			switch v := args[0].(type) {
			case string:
				b = []byte(v)
			case []byte:
				b = v
			case nil:
				return nil, nil
			default:
				return nil, fmt.Errorf("switchboard_sha256_hex: got %T, want text", v)
			}
			h := sha256.Sum256(b)
			return hex.EncodeToString(h[:]), nil
		})
	if err != nil {
		return fmt.Errorf("open sqlite: register functions: %w", err)
	}
	return nil
})

// groupSize is the most writes one group commit takes, groupDelay the
// longest it waits for more while writes are concurrent, and groupTimeout
// how long it has to commit them.
const (
	groupSize    = 64
	groupDelay   = 50 * time.Microsecond
	groupTimeout = 30 * time.Second
)

// busyTimeout is how long a connection waits for another's lock before
// SQLite reports SQLITE_BUSY; writeTx then retries a bounded number of times.
const busyTimeout = 10 * time.Second

// Open opens the SQLite database at path, creating the file if needed, and
// applies the migrations it has not applied yet. path names a file: the read
// and write pools need a database they can share, so ":memory:" does not
// work, and a '?' in path would start the connection parameters.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, "")
}

// open is Open applying the migrations up to and including the version
// lastMigration, or all of them when it is empty. Tests open an old schema
// with it to seed rows that the later migrations must keep.
func open(ctx context.Context, path, lastMigration string) (*Store, error) {
	if err := registerFunctions(); err != nil {
		return nil, err
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.Contains(path, "?") {
		return nil, fmt.Errorf("open sqlite: path %q must be a plain file name", path)
	}

	write, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Connecting runs the pragmas, which put the file in WAL mode before
	// the read pool opens it.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}

	s := &Store{write: write, changes: newBroadcaster(), locks: newKeyedMutex()}
	if err := s.migrate(ctx, lastMigration); err != nil {
		write.Close()
		return nil, err
	}

	read, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	n := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(5 * time.Minute)
	if err := read.PingContext(ctx); err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	s.read = read
	s.hot = &stmts{db: read}
	s.sessions = groupcommit.New(1, groupSize, groupDelay, groupTimeout, s.createSessions,
		func(ctx context.Context, sess store.Session) error {
			return s.createSessions(ctx, []store.Session{sess})
		})
	s.logStmts = &stmts{db: s.write}
	s.sessionStmts = &stmts{db: s.write}
	return s, nil
}

// dsn returns the modernc.org/sqlite data source name for path. The driver
// runs busy_timeout first, so a connection that meets a lock while it
// switches to WAL waits instead of failing.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		// The file is already in WAL mode, which persists; a query-only
		// connection could not switch it anyway.
		q.Add("_pragma", "query_only(ON)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		// Take the write lock at BEGIN, not at the first write, so a
		// transaction that reads first never fails to upgrade its lock.
		q.Set("_txlock", "immediate")
	}
	return path + "?" + q.Encode()
}

// Close closes the AccountChanges channels and both pools.
func (s *Store) Close() error {
	s.sessions.Close()
	s.changes.close()
	return errors.Join(s.hot.close(), s.logStmts.close(), s.sessionStmts.close(), s.read.Close(), s.write.Close())
}

// Ping reports whether the database answers, on both pools.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return nil
}

// Write retries. SQLite's busy handler already waits up to busyTimeout for
// a lock; a transaction that still fails with SQLITE_BUSY (for instance a
// checkpoint or another process holding the file) is retried from the start
// a few times, after a growing pause.
const (
	writeAttempts = 5
	retryPause    = 50 * time.Millisecond
)

// writeTx runs fn in a write transaction on the single write connection and
// commits it, retrying the whole transaction while the database is busy. So
// fn may run more than once. An error from fn is returned unchanged.
func (s *Store) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.retryBusy(ctx, func() error { return s.tryWriteTx(ctx, fn) })
}

// retryBusy runs fn, a write on the write connection, again while it
// fails with SQLITE_BUSY, up to writeAttempts times.
func (s *Store) retryBusy(ctx context.Context, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil || !isBusy(err) || attempt == writeAttempts {
			return err
		}
		pause := time.NewTimer(time.Duration(attempt) * retryPause)
		select {
		case <-ctx.Done():
			pause.Stop()
			return err
		case <-pause.C:
		}
	}
}

func (s *Store) tryWriteTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	// Rolling back after a commit does nothing; before, it frees the one
	// write connection even if fn panics.
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// readTx runs fn in a read-only transaction on the read pool, so that the
// queries in fn see one snapshot.
func (s *Store) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// isBusy reports whether err is SQLite's "database is locked" in one of its
// forms.
func isBusy(err error) bool {
	e, ok := errors.AsType[*sqlite.Error](err)
	if !ok {
		return false
	}
	code := e.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}

// dbError wraps err, from the operation op, and marks constraint violations
// (a taken id or alias, a missing parent row) as store.ErrConflict.
func dbError(op string, err error) error {
	if e, ok := errors.AsType[*sqlite.Error](err); ok && e.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return fmt.Errorf("%s: %w: %w", op, store.ErrConflict, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// notFound returns the error for a missing row of the named kind.
func notFound(op string) error {
	return fmt.Errorf("%s: %w", op, store.ErrNotFound)
}

// rowError maps sql.ErrNoRows to store.ErrNotFound and wraps other errors
// like dbError.
func rowError(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(op)
	}
	return dbError(op, err)
}

// execOne runs a statement that must change exactly one row, reporting
// store.ErrNotFound when it changes none.
func execOne(ctx context.Context, tx *sql.Tx, op, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return dbError(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return dbError(op, err)
	}
	if n == 0 {
		return notFound(op)
	}
	return nil
}

// queryer is what both *sql.DB and *sql.Tx offer for reading.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// Unavailable reports whether err means the database file could not serve
// the call: still locked after the busy timeout, unreadable, full or gone.
// store.Guard uses it to tell an outage from a bug.
func Unavailable(err error) bool {
	e, ok := errors.AsType[*sqlite.Error](err)
	if !ok {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL,
		sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PROTOCOL:
		return true
	}
	return false
}
