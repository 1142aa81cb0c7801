package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// BenchCreateSessions creates sessions for new users from eight goroutines
// at once, as the API does under load, and reports sessions per second.
// Backends call it from a benchmark with a new store.
func BenchCreateSessions(b *testing.B, s store.Store) {
	ctx := b.Context()
	if err := s.CreateProject(ctx, newProject("bench-sessions")); err != nil {
		b.Fatalf("CreateProject: %v", err)
	}
	config := []byte(`{"toolkits":null,"manage_connections":true}`)
	var n atomic.Int64
	b.SetParallelism(4) // 8 goroutines on the two cores of the standard machine
	b.ReportAllocs()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			now := time.Now().UTC()
			err := s.CreateSession(ctx, store.Session{
				ID: fmt.Sprintf("trs_bench%012d", i), ProjectID: "bench-sessions", UserID: fmt.Sprintf("user_%d", i),
				Config: config, ConfigVersion: 1, CreatedAt: now, UpdatedAt: now,
			})
			if err != nil {
				b.Errorf("CreateSession: %v", err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "sessions/s")
}
