package toolkits

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/toolkits/synth"
)

// syntheticDefinitions parses the n synthetic toolkits of m tools each
// that package synth writes.
func syntheticDefinitions(tb testing.TB, n, m int) []Definition {
	tb.Helper()
	files := synth.Files(n, m, 0)
	defs := make([]Definition, 0, n)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		d, err := Parse(name, files[name])
		if err != nil {
			tb.Fatal(err)
		}
		defs = append(defs, d)
	}
	return defs
}

// TestScale5000 measures what a catalog of 5,000 tools costs, against the
// built-in catalog in the same process: compile time, and the
// search p50 and p99. It reports; it asserts only that the tools are there.
// Run: go test ./internal/toolkits -run Scale5000 -v.
func TestScale5000(t *testing.T) {
	if testing.Short() {
		t.Skip("measures")
	}
	builtins, err := BuiltinDefinitions()
	if err != nil {
		t.Fatal(err)
	}
	synthetic := syntheticDefinitions(t, 50, 100)
	measure := func(defs []Definition) (*Catalog, time.Duration) {
		start := time.Now()
		c, err := New(defs...)
		if err != nil {
			t.Fatal(err)
		}
		return c, time.Since(start)
	}
	base, baseTook := measure(builtins)
	big, bigTook := measure(append(slices.Clone(builtins), synthetic...))
	if got := len(big.Tools()); got != len(base.Tools())+5000 {
		t.Fatalf("catalog has %d tools, want %d", got, len(base.Tools())+5000)
	}
	search := func(c *Catalog) (p50, p99 time.Duration) {
		queries := synth.Queries
		var ds []time.Duration
		for i := range 500 {
			start := time.Now()
			c.SearchTools(queries[i%len(queries)], nil, 0)
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		return ds[len(ds)/2], ds[len(ds)*99/100]
	}
	b50, b99 := search(base)
	s50, s99 := search(big)
	t.Logf("compile: %d tools %v, %d tools %v (%.1fx)",
		len(base.Tools()), baseTook, len(big.Tools()), bigTook, float64(bigTook)/float64(baseTook))
	t.Logf("search: p50 %v / p99 %v at %d tools; p50 %v / p99 %v at %d tools (p50 %.1fx)",
		b50, b99, len(base.Tools()), s50, s99, len(big.Tools()), float64(s50)/float64(b50))
}
