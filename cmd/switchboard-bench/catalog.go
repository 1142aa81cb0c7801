package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-dev/switchboard/internal/toolkits/synth"
)

type catalogRun struct {
	bin, work       string
	rounds          int
	toolkits, tools int
}

// variant is one catalog a server is started with.
type variant struct {
	name        string
	toolkitsDir string // "" for the built-ins alone
	probe       string // a path that answers 200 once the catalog is loaded
	dataDir     string
}

// sample is what one start of a variant measured.
type sample struct {
	start      time.Duration
	rss, peak  int64
	search     []time.Duration
	searchHits int
}

func catalog(ctx context.Context, w io.Writer, r catalogRun) error {
	dir := filepath.Join(r.work, "toolkits")
	if err := writeFiles(dir, synth.Files(r.toolkits, r.tools, 0)); err != nil {
		return err
	}
	n := r.toolkits * r.tools
	variants := []*variant{
		{name: "built-in", probe: "/api/v3.1/tools/GITHUB_GET_A_REPOSITORY"},
		{name: fmt.Sprintf("+%d tools", n), toolkitsDir: dir, probe: "/api/v3.1/tools/" + synth.ToolSlug(r.toolkits-1, r.tools-1)},
	}
	key := newKey()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	fmt.Fprintf(w, "machine: %s\ncatalog: %d synthetic toolkits of %d tools from SWITCHBOARD_TOOLKITS_DIR, SQLite store\n\n", machine(), r.toolkits, r.tools)

	// The first start of each variant creates its data directory (the
	// database and its migrations, the encryption key) and is not counted.
	for i, v := range variants {
		v.dataDir = filepath.Join(r.work, fmt.Sprintf("data%d", i))
		if _, err := measureStart(ctx, client, r.bin, key, v); err != nil {
			return err
		}
	}
	samples := make([][]sample, len(variants))
	for range r.rounds {
		for i, v := range variants {
			s, err := measureStart(ctx, client, r.bin, key, v)
			if err != nil {
				return err
			}
			samples[i] = append(samples[i], s)
		}
	}
	fmt.Fprintf(w, "start until the first tool is served, resident memory after 200 searches (median of %d interleaved starts each):\n", r.rounds)
	type figures struct {
		start         time.Duration
		rss, peak     int64
		s50, s99      time.Duration
		hitsPerSearch float64
	}
	var got []figures
	for i, v := range variants {
		var starts []time.Duration
		var rss, peak []int64
		var search []time.Duration
		hits := 0
		for _, s := range samples[i] {
			starts = append(starts, s.start)
			rss = append(rss, s.rss)
			peak = append(peak, s.peak)
			search = append(search, s.search...)
			hits += s.searchHits
		}
		f := figures{start: median(starts), rss: median(rss), peak: median(peak),
			s50: quantile(search, 0.50), s99: quantile(search, 0.99), hitsPerSearch: float64(hits) / float64(len(search))}
		got = append(got, f)
		fmt.Fprintf(w, "  %-12s start %s  RSS %.1f MiB (peak %.1f MiB)  search p50 %s p99 %s (%.1f results each)\n",
			v.name, ms(f.start), mib(f.rss), mib(f.peak), ms(f.s50), ms(f.s99), f.hitsPerSearch)
	}
	base, big := got[0], got[1]
	fmt.Fprintf(w, "  ratio        start %.2fx  RSS %.2fx (peak %.2fx)  search p50 %.2fx p99 %.2fx\n\n",
		ratio(big.start, base.start), float64(big.rss)/float64(base.rss), float64(big.peak)/float64(base.peak),
		ratio(big.s50, base.s50), ratio(big.s99, base.s99))

	return reloadUnderLoad(ctx, w, client, r, key, variants[1], dir)
}

// measureStart starts v's server, waits until its probe answers, searches
// the catalog 200 times, reads its memory and stops it.
func measureStart(ctx context.Context, client *http.Client, bin, key string, v *variant) (sample, error) {
	began := time.Now()
	srv, err := start(ctx, serverConfig{bin: bin, dataDir: v.dataDir, toolkitsDir: v.toolkitsDir, key: key})
	if err != nil {
		return sample{}, err
	}
	defer srv.stop()
	var s sample
	if s.start, err = srv.waitReady(client, began, v.probe); err != nil {
		return sample{}, err
	}
	for i := range 200 {
		q := "/api/v3.1/tools?limit=20&search=" + url.QueryEscape(synth.Queries[i%len(synth.Queries)])
		t0 := time.Now()
		status, body, err := srv.get(client, q)
		d := time.Since(t0)
		if err != nil || status != http.StatusOK {
			return sample{}, fmt.Errorf("search %s: %d %v", q, status, err)
		}
		s.search = append(s.search, d)
		s.searchHits += bytes.Count(body, []byte(`"slug":"`)) / 2 // a tool's slug and its toolkit's
	}
	if s.rss, s.peak, err = srv.memory(); err != nil {
		return sample{}, err
	}
	return s, srv.stop()
}

// reloadUnderLoad starts a server on the directory, keeps eight clients
// reading tools, and rewrites, adds and removes toolkit files, waiting for
// each change to be served. Every read must answer 200.
func reloadUnderLoad(ctx context.Context, w io.Writer, client *http.Client, r catalogRun, key string, v *variant, dir string) error {
	srv, err := start(ctx, serverConfig{bin: r.bin, dataDir: v.dataDir, toolkitsDir: dir, key: key})
	if err != nil {
		return err
	}
	defer srv.stop()
	if _, err := srv.waitReady(client, time.Now(), v.probe); err != nil {
		return err
	}

	var phase atomic.Int32 // 0 steady, 1 reloading, 2 done
	type result struct {
		phase  int32
		d      time.Duration
		failed string
	}
	perClient := make([][]result, 8)
	var wg sync.WaitGroup
	for c := range perClient {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			for {
				p := phase.Load()
				if p == 2 {
					return
				}
				path := "/api/v3.1/tools/" + synth.ToolSlug(rng.IntN(r.toolkits), rng.IntN(r.tools))
				t0 := time.Now()
				status, _, err := srv.get(client, path)
				res := result{phase: p, d: time.Since(t0)}
				if err != nil {
					res.failed = err.Error()
				} else if status != http.StatusOK {
					res.failed = fmt.Sprintf("GET %s: %d", path, status)
				}
				perClient[c] = append(perClient[c], res)
			}
		})
	}

	time.Sleep(3 * time.Second)
	phase.Store(1)
	var visible []time.Duration
	probe := "/api/v3.1/tools/" + synth.ToolSlug(0, 0)
	for rev := 1; rev <= 3; rev++ {
		t0 := time.Now()
		if err := writeFiles(dir, synth.Files(r.toolkits, r.tools, rev)); err != nil {
			return err
		}
		want := []byte(fmt.Sprintf("(revision %d)", rev))
		if err := waitFor(srv, client, probe, func(status int, body []byte) bool { return status == 200 && bytes.Contains(body, want) }); err != nil {
			return fmt.Errorf("revision %d: %w", rev, err)
		}
		visible = append(visible, time.Since(t0))
	}
	extra := synth.Slug(r.toolkits)
	extraFile := synth.Files(r.toolkits+1, 1, 0)[extra+".json"]
	t0 := time.Now()
	if err := writeFiles(dir, map[string][]byte{extra + ".json": extraFile}); err != nil {
		return err
	}
	if err := waitFor(srv, client, "/api/v3.1/toolkits/"+extra, func(status int, _ []byte) bool { return status == 200 }); err != nil {
		return fmt.Errorf("added toolkit: %w", err)
	}
	visible = append(visible, time.Since(t0))
	t0 = time.Now()
	if err := os.Remove(filepath.Join(dir, extra+".json")); err != nil {
		return err
	}
	if err := waitFor(srv, client, "/api/v3.1/toolkits/"+extra, func(status int, _ []byte) bool { return status == 404 }); err != nil {
		return fmt.Errorf("removed toolkit: %w", err)
	}
	visible = append(visible, time.Since(t0))
	phase.Store(2)
	wg.Wait()

	var steady, reloading []time.Duration
	var failures []string
	total := 0
	for _, res := range slices.Concat(perClient...) {
		total++
		if res.failed != "" {
			failures = append(failures, res.failed)
			continue
		}
		if res.phase == 0 {
			steady = append(steady, res.d)
		} else {
			reloading = append(reloading, res.d)
		}
	}
	fmt.Fprintf(w, "reload under load: 8 clients reading tools while all %d files are rewritten 3 times, one added and removed:\n", r.toolkits)
	fmt.Fprintf(w, "  requests %d (steady %d, during reloads %d), failed %d\n", total, len(steady), len(reloading), len(failures))
	fmt.Fprintf(w, "  latency steady p50 %s p99 %s; during reloads p50 %s p99 %s (%.2fx, %.2fx)\n",
		ms(quantile(steady, .5)), ms(quantile(steady, .99)), ms(quantile(reloading, .5)), ms(quantile(reloading, .99)),
		ratio(quantile(reloading, .5), quantile(steady, .5)), ratio(quantile(reloading, .99), quantile(steady, .99)))
	fmt.Fprintf(w, "  each change served after (poll interval 2 s): %v\n", rounded(visible))
	if len(failures) > 0 {
		return fmt.Errorf("%d requests failed during the reload, the first: %s", len(failures), failures[0])
	}
	return nil
}

// writeFiles writes each file into dir through a temporary file and a
// rename, as a deployment tool would, so no reader sees half a file.
func writeFiles(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, b := range files {
		tmp := filepath.Join(dir, "."+name+".tmp")
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// waitFor polls path until ok says so, for up to 30 s.
func waitFor(srv *server, client *http.Client, path string, ok func(int, []byte) bool) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		status, body, err := srv.get(client, path)
		if err == nil && ok(status, body) {
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("%s did not change within 30 s", path)
}

func median[T time.Duration | int64](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func quantile(xs []time.Duration, q float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*q)]
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func mib(b int64) float64 { return float64(b) / (1 << 20) }

func rounded(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}
