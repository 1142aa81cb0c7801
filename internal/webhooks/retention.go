package webhooks

import (
	"context"
	"time"

	"github.com/switchboard-dev/switchboard/internal/retention"
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
func (s *Service) Sweep(ctx context.Context) (int, error) { return s.sweeper().Sweep(ctx) }

// RunSweeper sweeps every interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration) {
	s.sweeper().Run(ctx, interval)
}

func (s *Service) sweeper() retention.Sweeper {
	return retention.Sweeper{What: "webhook events", Retention: s.Retention, Batch: sweepBatch,
		Delete: s.Store.DeleteEvents, Now: s.now, Logger: s.Logger}
}
