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

func TestNew(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 20000 {
		id := New("x_", 16)
		if !strings.HasPrefix(id, "x_") || len(id) != 18 {
			t.Fatalf("New = %q, want x_ and 16 characters", id)
		}
		if seen[id] {
			t.Fatalf("New returned %q twice", id)
		}
		seen[id] = true
		for _, c := range id[2:] {
			if !strings.ContainsRune(alphabet, c) {
				t.Fatalf("New = %q: %q is not base62", id, c)
			}
			counts[c]++
		}
	}
	// 320,000 characters over 62: about 5,161 each; a character that
	// never or too often shows means the bytes are not used evenly.
	for _, c := range alphabet {
		if n := counts[c]; n < 4500 || n > 5800 {
			t.Errorf("%q appeared %d times in 320,000 characters, want about 5,161", c, n)
		}
	}
	if got := New("p_", 0); got != "p_" {
		t.Errorf("New(p_, 0) = %q", got)
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		New(Request, 16)
	}
}
