package ids

import (
	"strings"
	"testing"
	"time"
)

func TestNewOrdered(t *testing.T) {
	base := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	prev := ""
	for i := range 1000 {
		id := NewOrdered("log_", base.Add(time.Duration(i)*time.Microsecond), 12)
		if !strings.HasPrefix(id, "log_") || len(id) != len("log_")+orderedWidth+12 {
			t.Fatalf("NewOrdered = %q, want log_ and %d characters", id, orderedWidth+12)
		}
		if id <= prev {
			t.Fatalf("NewOrdered(%d µs later) = %q, not after %q", i, id, prev)
		}
		prev = id
	}
	if a, b := NewOrdered("x_", base, 12), NewOrdered("x_", base, 12); a == b {
		t.Errorf("two ids of one microsecond are equal: %q", a)
	}
	if late := NewOrdered("", time.Date(2398, 1, 1, 0, 0, 0, 0, time.UTC), 0); late <= NewOrdered("", base, 0) {
		t.Errorf("an id of 2398 (%q) sorts before one of 2026", late)
	}
}
