package store

import (
	"context"
	"sync"
	"time"
)

// SlowMigration is how long a migration runs before its progress is
// reported: on an empty database none takes that long, so a start says
// nothing unless one is busy with a large table.
const SlowMigration = time.Second

type progressKey struct{}

// WithMigrationProgress returns a context whose Open reports, through
// report, each migration that runs longer than SlowMigration: once when it
// passes that time and once when it ends.
func WithMigrationProgress(ctx context.Context, report func(version string, done bool, took time.Duration)) context.Context {
	return context.WithValue(ctx, progressKey{}, report)
}

// StartMigration is called by a backend as it begins applying version; it
// calls the returned function when the migration ends, failed or not.
func StartMigration(ctx context.Context, version string) (end func()) {
	report, _ := ctx.Value(progressKey{}).(func(string, bool, time.Duration))
	if report == nil {
		return func() {}
	}
	start := time.Now()
	var mu sync.Mutex
	slow := false
	t := time.AfterFunc(SlowMigration, func() {
		mu.Lock()
		defer mu.Unlock()
		slow = true
		report(version, false, time.Since(start))
	})
	return func() {
		t.Stop()
		mu.Lock()
		defer mu.Unlock()
		if slow {
			report(version, true, time.Since(start))
		}
	}
}
