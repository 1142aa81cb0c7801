package retention

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSweep(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	left := 25 // records past the retention
	var befores []time.Time
	s := Sweeper{Retention: time.Hour, Batch: 10, Now: func() time.Time { return now },
		Delete: func(_ context.Context, before time.Time, limit int) (int, error) {
			befores = append(befores, before)
			n := min(left, limit)
			left -= n
			return n, nil
		}}
	if n, err := s.Sweep(t.Context()); n != 25 || err != nil {
		t.Fatalf("Sweep = %d, %v; want 25 in batches", n, err)
	}
	if len(befores) != 3 || !befores[0].Equal(now.Add(-time.Hour)) {
		t.Errorf("deletes before %v, want three before %v", befores, now.Add(-time.Hour))
	}

	boom := errors.New("boom")
	s.Delete = func(context.Context, time.Time, int) (int, error) { return 10, boom }
	if n, err := s.Sweep(t.Context()); n != 10 || !errors.Is(err, boom) {
		t.Errorf("Sweep with a failing delete = %d, %v; want the first batch and its error", n, err)
	}

	s.Retention = 0
	s.Delete = func(context.Context, time.Time, int) (int, error) {
		t.Fatal("deleted with no retention")
		return 0, nil
	}
	if n, err := s.Sweep(t.Context()); n != 0 || err != nil {
		t.Errorf("Sweep with no retention = %d, %v", n, err)
	}
}
