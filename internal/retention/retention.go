// Package retention deletes records once they are older than what a
// server keeps: the execution logs, the webhook events. Each kind has its
// store's delete of one bounded batch; a Sweeper runs it until a batch
// comes back short, so that no sweep holds the database for long.
package retention

import (
	"context"
	"log/slog"
	"time"
)

// Sweeper deletes one kind of record past its retention.
type Sweeper struct {
	// What names the records in the log lines: "execution logs".
	What string
	// Retention is how long records are kept; 0 or less keeps them for
	// good.
	Retention time.Duration
	// Batch is the most records one Delete removes.
	Batch int
	// Delete removes at most limit records older than before, and says
	// how many it removed.
	Delete func(ctx context.Context, before time.Time, limit int) (int, error)
	// Now is the clock.
	Now    func() time.Time
	Logger *slog.Logger
}

// Sweep deletes the records older than the retention, in batches, and
// returns how many it deleted.
func (s Sweeper) Sweep(ctx context.Context) (int, error) {
	if s.Retention <= 0 {
		return 0, nil
	}
	before := s.Now().Add(-s.Retention)
	total := 0
	for {
		n, err := s.Delete(ctx, before, s.Batch)
		total += n
		if err != nil || n < s.Batch {
			return total, err
		}
	}
}

// Run sweeps at once and then every interval until ctx ends, logging what
// it deleted and what failed.
func (s Sweeper) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Warn("sweep "+s.What, "err", err)
		} else if n > 0 {
			s.Logger.Info("deleted "+s.What+" past their retention", "count", n, "retention", s.Retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
