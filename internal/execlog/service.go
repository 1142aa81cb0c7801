package execlog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/retention"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// Service reads the execution logs and enforces their retention.
type Service struct {
	Store  store.Logs
	Logger *slog.Logger
	Now    func() time.Time
	// Retention is how long a record is kept; 0 keeps them for good.
	Retention time.Duration
}

// Search is a search of a project's logs, as the logs API takes it.
type Search struct {
	// Limit is 1 to MaxLimit; 0 means DefaultLimit.
	Limit      int
	Cursor     string
	Conditions []store.Condition
	// From and To bound the start time (From inclusive, To exclusive);
	// zero leaves that end open.
	From, To time.Time
}

// Limits of a search's page.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// fields are the condition fields a search may use. Composio's API also
// has sandbox_id; Switchboard runs no sandboxes, so it refuses it.
var fields = []string{store.LogFieldTool, store.LogFieldToolkit, store.LogFieldAccount, store.LogFieldAuthConfig,
	store.LogFieldStatus, store.LogFieldUser, store.LogFieldSession, store.LogFieldRequest, store.LogFieldID}

var operators = []string{store.OpEqual, store.OpNotEqual, store.OpContains, store.OpNotContains}

// Validate checks a search; a bad one is a problem naming the field.
func (q Search) Validate() error {
	if q.Limit < 0 || q.Limit > MaxLimit {
		return problem.Invalidf("invalid_limit", "limit", "limit %d is out of range: use 1 to %d", q.Limit, MaxLimit)
	}
	for i, c := range q.Conditions {
		at := fmt.Sprintf("filters[%d]", i)
		if c.Field == "sandbox_id" {
			return problem.Invalidf("unsupported_filter", at+".field", "Switchboard runs no sandboxes, so it cannot filter logs by sandbox_id").
				WithFix("Remove the sandbox_id filter")
		}
		if !slices.Contains(fields, c.Field) {
			return problem.Invalidf("invalid_filter", at+".field", "unknown filter field %q: use one of %v", c.Field, fields)
		}
		if !slices.Contains(operators, c.Op) {
			return problem.Invalidf("invalid_filter", at+".operator", "unknown operator %q: use one of %v", c.Op, operators)
		}
		if c.Field == store.LogFieldStatus && (c.Op == store.OpEqual || c.Op == store.OpNotEqual) &&
			c.Value != store.LogSuccess && c.Value != store.LogFailed {
			return problem.Invalidf("invalid_filter", at+".value", "status %q is not a log status: use %q or %q", c.Value, store.LogSuccess, store.LogFailed)
		}
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return problem.Invalidf("invalid_time_range", "time_range", "time_range.to is before time_range.from")
	}
	return nil
}

// List returns one page of a project's logs, newest first.
func (s *Service) List(ctx context.Context, projectID string, q Search) (store.Page[store.ExecutionLog], error) {
	if err := q.Validate(); err != nil {
		return store.Page[store.ExecutionLog]{}, err
	}
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	page, err := s.Store.ListExecutionLogs(ctx, projectID, store.ExecutionLogFilter{
		Conditions: q.Conditions, From: q.From, To: q.To, Cursor: q.Cursor, Limit: q.Limit})
	if errors.Is(err, store.ErrInvalid) {
		return page, problem.Invalidf("invalid_cursor", "cursor", "the cursor was not issued by this search").
			WithFix("Pass next_cursor from the previous page unchanged, with the same filters")
	}
	return page, err
}

// Get returns one of a project's logs.
func (s *Service) Get(ctx context.Context, projectID, id string) (store.ExecutionLog, error) {
	l, err := s.Store.GetExecutionLog(ctx, projectID, id)
	if errors.Is(err, store.ErrNotFound) {
		return l, problem.NotFoundf("log_not_found", "execution log %s not found", id).
			WithFix("Logs are kept for the server's retention; search them with POST /api/v3.1/logs/tool_execution")
	}
	return l, err
}

// sweepBatch bounds the rows one delete of the sweeper removes, so that a
// sweep never holds the database for long.
const sweepBatch = 1000

// Sweep deletes the records older than the retention, in batches, and
// returns how many it deleted.
func (s *Service) Sweep(ctx context.Context) (int, error) { return s.sweeper().Sweep(ctx) }

// RunSweeper sweeps every interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration) {
	s.sweeper().Run(ctx, interval)
}

func (s *Service) sweeper() retention.Sweeper {
	return retention.Sweeper{What: "execution logs", Retention: s.Retention, Batch: sweepBatch,
		Delete: s.Store.DeleteExecutionLogs, Now: s.Now, Logger: s.Logger}
}
