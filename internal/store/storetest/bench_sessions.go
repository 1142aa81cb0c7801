package storetest

import (
	"crypto/rand"
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

// BenchCreateSessionAlone creates sessions for new users one at a time,
// with random ids as the API makes them: the cost of a create that finds
// no batch to join, which is most of them through the API (its clients'
// requests arrive further apart than a commit takes).
func BenchCreateSessionAlone(b *testing.B, s store.Store) {
	ctx := b.Context()
	if err := s.CreateProject(ctx, newProject("bench-alone")); err != nil {
		b.Fatalf("CreateProject: %v", err)
	}
	config := []byte(`{"toolkits":null,"manage_connections":true}`)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		now := time.Now().UTC()
		err := s.CreateSession(ctx, store.Session{
			ID: "trs_" + rand.Text()[:12], ProjectID: "bench-alone", UserID: fmt.Sprintf("user_%d", i),
			Config: config, ConfigVersion: 1, CreatedAt: now, UpdatedAt: now,
		})
		if err != nil {
			b.Fatalf("CreateSession: %v", err)
		}
	}
}
