package openapi

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// fullGitHubEnv names a whole GitHub REST description for BenchmarkImport;
// without it, testdata/full/api.github.com.json is used if present (it is
// git-ignored), and the full case skips otherwise.
const fullGitHubEnv = "SWITCHBOARD_OPENAPI_GITHUB"

func fullGitHub(b *testing.B) []byte {
	path := os.Getenv(fullGitHubEnv)
	if path == "" {
		path = filepath.Join("testdata", "full", "api.github.com.json")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("no full GitHub description (set %s, or put one at testdata/full/api.github.com.json): %v", fullGitHubEnv, err)
	}
	return data
}

// BenchmarkImport measures Import (parsing with kin-openapi, mapping, and
// the catalog's strict check) and, beside it, Load alone (kin-openapi's
// parse and $ref resolution), on the committed GitHub excerpt and on a
// whole GitHub description when there is one. Besides time and
// allocations it reports the peak of live heap during one call above the
// heap before it (sampled every millisecond), in MB and as a multiple of
// the document's size.
//
//	go test ./internal/toolkits/openapi -run '^$' -bench BenchmarkImport -benchtime 10x
func BenchmarkImport(b *testing.B) {
	docs := []struct {
		name string
		data func(*testing.B) []byte
	}{
		{"excerpt", func(b *testing.B) []byte { return readDoc(b, "github.json") }},
		{"full", fullGitHub},
	}
	for _, d := range docs {
		b.Run(d.name+"/import", func(b *testing.B) {
			data := d.data(b)
			opts := Options{Slug: "github", Version: version, AuthSchemes: githubAuth(b)}
			tools := 0
			measure(b, data, func() {
				f, _, err := Import(data, opts)
				if err != nil {
					b.Fatal(err)
				}
				tools = len(f.Tools)
			})
			b.ReportMetric(float64(tools), "tools")
		})
		b.Run(d.name+"/load", func(b *testing.B) {
			data := d.data(b)
			measure(b, data, func() {
				if _, err := Load(data); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

func measure(b *testing.B, data []byte, fn func()) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		peak = max(peak, peakHeap(fn))
	}
	mb := float64(peak) / (1 << 20)
	b.ReportMetric(mb, "peak-heap-MB")
	b.ReportMetric(float64(peak)/float64(len(data)), "peak-heap/doc")
}

// peakHeap runs fn and returns the most live heap seen while it ran above
// the live heap before it.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	peak := base
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				peak = max(peak, read())
			}
		}
	})
	fn()
	close(done)
	wg.Wait()
	peak = max(peak, read())
	return peak - base
}
