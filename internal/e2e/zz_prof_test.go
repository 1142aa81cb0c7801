package e2e

import "testing"

func BenchmarkZZCached(b *testing.B) {
	e, done := setupExecBench(b, "", 0)
	defer done()
	b.Run("hop", func(b *testing.B) {
		for b.Loop() {
			e.hop()
		}
	})
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e.cached()
		}
	})
}

func BenchmarkZZRatio(b *testing.B) {
	e, done := setupExecBench(b, "", 0)
	defer done()
	for i := 0; i < 3; i++ {
		l := interleaved(3000, e.hop, e.cached)
		b.Logf("hop %v cached %v ratio %.2f", l[0].pct(.5), l[1].pct(.5), float64(l[1].pct(.5))/float64(l[0].pct(.5)))
	}
	for b.Loop() {
	}
}
