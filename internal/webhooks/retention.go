package webhooks

import (
	"context"
	"time"
)

// sweepBatch bounds the events one delete removes (their deliveries and
// attempts go with them), so that a sweep never holds the database for
// long.
const sweepBatch = 500

// Sweep deletes the events older than the retention that have no delivery
// still pending, with their deliveries and attempts, in batches, and
// returns how many events it deleted. Instances sweeping at once share
// the work: each batch is its own statement, and on PostgreSQL the rows
// are taken with SKIP LOCKED.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	if s.Retention <= 0 {
		return 0, nil
	}
	before := s.now().Add(-s.Retention)
	total := 0
	for {
		n, err := s.Store.DeleteEvents(ctx, before, sweepBatch)
		total += n
		if err != nil || n < sweepBatch {
			return total, err
		}
	}
}

// RunSweeper sweeps every interval until ctx ends, as the execution logs'
// sweeper does.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Warn("sweep webhook events", "err", err)
		} else if n > 0 {
			s.Logger.Info("deleted webhook events past their retention", "count", n, "retention", s.Retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
