package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// accountChannel is the NOTIFY channel that carries the ids of accounts
// whose status changed.
const accountChannel = "switchboard_accounts"

// changesBuffer is how many ids a slow AccountChanges reader may fall behind
// before ids are dropped.
const changesBuffer = 64

// errClosed reports a call on a closed Store.
var errClosed = errors.New("store closed")

// AccountChanges delivers the ids of accounts whose status changed, on any
// instance sharing the database, until ctx ends or the Store is closed; then
// it closes the channel. It listens on a connection of its own, outside the
// pool, and is subscribed when it returns. Delivery is best effort: ids are
// dropped when the reader falls behind, and while the connection is lost and
// being made again.
func (s *Store) AccountChanges(ctx context.Context) (<-chan string, error) {
	conn, err := s.listen(ctx)
	if err != nil {
		return nil, fmt.Errorf("listen for account changes: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		closeConn(conn)
		return nil, fmt.Errorf("listen for account changes: %w", errClosed)
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.done, cancel)
	ch := make(chan string, changesBuffer)
	s.listeners.Add(1)
	go func() {
		defer s.listeners.Done()
		defer stop()
		defer cancel()
		defer close(ch)
		s.deliver(ctx, conn, ch)
	}()
	return ch, nil
}

// listen opens a connection and subscribes it to accountChannel.
func (s *Store) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{accountChannel}.Sanitize()); err != nil {
		closeConn(conn)
		return nil, err
	}
	return conn, nil
}

// deliver passes notifications from conn to ch until ctx ends, making the
// connection again, with backoff, whenever it fails.
func (s *Store) deliver(ctx context.Context, conn *pgx.Conn, ch chan<- string) {
	defer func() {
		if conn != nil {
			closeConn(conn)
		}
	}()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err == nil {
			select {
			case ch <- n.Payload:
			default: // the reader is behind; it re-reads accounts anyway
			}
			continue
		}
		closeConn(conn)
		conn = nil
		for backoff := 100 * time.Millisecond; conn == nil; backoff = min(2*backoff, 5*time.Second) {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			conn, _ = s.listen(ctx)
		}
	}
}

// closeConn closes a connection, giving it a moment to say goodbye.
func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	conn.Close(ctx)
}
