package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// HitRateWindow counts one request on a rate counter in one upsert: the
// row lock PostgreSQL takes for ON CONFLICT DO UPDATE orders concurrent
// hits from every instance, so none is lost.
func (s *Store) HitRateWindow(ctx context.Context, projectID, key string, start time.Time) (int64, time.Time, error) {
	var hits, at int64
	err := s.pool.QueryRow(ctx, `INSERT INTO rate_windows (project_id, key, window_start, hits) VALUES ($1, $2, $3, 1)
ON CONFLICT (project_id, key) DO UPDATE SET
	hits = CASE WHEN excluded.window_start > rate_windows.window_start THEN 1 ELSE rate_windows.hits + 1 END,
	window_start = CASE WHEN excluded.window_start > rate_windows.window_start THEN excluded.window_start ELSE rate_windows.window_start END
RETURNING hits, window_start`, projectID, key, start.UnixMilli()).Scan(&hits, &at)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("count rate window: %w", dbError(err))
	}
	return hits, time.UnixMilli(at).UTC(), nil
}

// PoolStats reports the query pool and the pool LockAccount holds its
// connections in.
func (s *Store) PoolStats() []store.PoolStats {
	return []store.PoolStats{poolStats("query", s.pool.Stat()), poolStats("locks", s.locks.Stat())}
}

func poolStats(name string, st *pgxpool.Stat) store.PoolStats {
	return store.PoolStats{Pool: name, Max: int(st.MaxConns()), Open: int(st.TotalConns()), InUse: int(st.AcquiredConns()),
		Waits: st.EmptyAcquireCount(), WaitTime: st.EmptyAcquireWaitTime()}
}
