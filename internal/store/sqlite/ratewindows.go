package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// HitRateWindow counts one request on a rate counter in one upsert.
func (s *Store) HitRateWindow(ctx context.Context, projectID, key string, start time.Time) (int64, time.Time, error) {
	var hits, at int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, rateHitSQL, projectID, key, start.UnixMilli()).Scan(&hits, &at)
	})
	if err != nil {
		return 0, time.Time{}, rowError("count rate window", err)
	}
	return hits, time.UnixMilli(at).UTC(), nil
}

// rateHitSQL is the upsert of HitRateWindow; PostgreSQL runs the same text
// with its own placeholders.
const rateHitSQL = `INSERT INTO rate_windows (project_id, key, window_start, hits) VALUES (?, ?, ?, 1)
ON CONFLICT (project_id, key) DO UPDATE SET
	hits = CASE WHEN excluded.window_start > rate_windows.window_start THEN 1 ELSE rate_windows.hits + 1 END,
	window_start = CASE WHEN excluded.window_start > rate_windows.window_start THEN excluded.window_start ELSE rate_windows.window_start END
RETURNING hits, window_start`

// PoolStats reports the read and write pools.
func (s *Store) PoolStats() []store.PoolStats {
	return []store.PoolStats{poolStats("read", s.read.Stats()), poolStats("write", s.write.Stats())}
}

func poolStats(name string, st sql.DBStats) store.PoolStats {
	return store.PoolStats{Pool: name, Max: st.MaxOpenConnections, Open: st.OpenConnections, InUse: st.InUse,
		Waits: st.WaitCount, WaitTime: st.WaitDuration}
}
