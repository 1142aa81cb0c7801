package postgres

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/internal/store/storetest"
)

// BenchmarkCreateSessions: sessions per second from eight goroutines.
//
//	go test ./internal/store/postgres -run '^$' -bench CreateSessions
func BenchmarkCreateSessions(b *testing.B) {
	s, err := Open(b.Context(), postgrestest.URL(b))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	storetest.BenchCreateSessions(b, s)
}

// BenchmarkCreateSessionAlone: one create at a time, so no batch forms.
//
//	go test ./internal/store/postgres -run '^$' -bench CreateSessionAlone
func BenchmarkCreateSessionAlone(b *testing.B) {
	s, err := Open(b.Context(), postgrestest.URL(b))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	storetest.BenchCreateSessionAlone(b, s)
}
