package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// BenchmarkCreateSessions: sessions per second from eight goroutines.
//
//	go test ./internal/store/sqlite -run '^$' -bench CreateSessions
func BenchmarkCreateSessions(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	storetest.BenchCreateSessions(b, s)
}

// BenchmarkCreateSessionAlone: one create at a time, so no batch forms.
//
//	go test ./internal/store/sqlite -run '^$' -bench CreateSessionAlone
func BenchmarkCreateSessionAlone(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	storetest.BenchCreateSessionAlone(b, s)
}
