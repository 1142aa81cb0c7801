package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/loadgen"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/sdk"
)

// latencies is a sample of request durations.
type latencies []time.Duration

func (l latencies) pct(p float64) time.Duration {
	s := slices.Clone(l)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// interleaved runs the ops in turn, n rounds after a warm-up, and
// records each op's durations (loadgen.Interleave). Each round runs the
// ops in a new random order, because an op is faster after one that warmed
// the same code: in a fixed order, execute measured 1.37x the hop when it
// followed the hop and 1.29x when it followed the direct call.
func interleaved(n int, ops ...func()) []latencies {
	ds, _ := loadgen.Interleave(n, noErrors(ops)...) // the ops fail the benchmark themselves
	out := make([]latencies, len(ds))
	for i, d := range ds {
		out[i] = d
	}
	return out
}

// throughputs runs each op from c goroutines for d at a time, in turn,
// rounds times, and returns each op's requests per second
// (loadgen.Throughput). Taking turns in short windows, as interleaved
// does for latencies, keeps a slow second of the machine from landing on
// one op only.
func throughputs(c int, d time.Duration, rounds int, ops ...func()) []float64 {
	rps, _ := loadgen.Throughput(c, d, rounds, noErrors(ops), nil)
	return rps
}

// noErrors adapts ops that fail the benchmark themselves to loadgen's.
func noErrors(ops []func()) []func() error {
	out := make([]func() error, len(ops))
	for i, op := range ops {
		out[i] = func() error { op(); return nil }
	}
	return out
}

// execBench is one backend set up for the execute benchmark.
type execBench struct {
	direct, hop, cached, cold func()
	// pinned is cached execute through a session pinned to the account
	// (as cmd/switchboard-bench runs it), so it skips the default-account
	// lookup.
	pinned func()
}

func setupExecBench(b *testing.B, o serverOptions, delay time.Duration) (*execBench, func()) {
	s := startServer(b, o)
	p := provider(b, s)
	// The upstream: a provider API that takes delay to answer.
	inner := newFakeAPI(b, p)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if delay > 0 {
			time.Sleep(delay)
		}
		inner.Config.Handler.ServeHTTP(w, r)
	}))
	b.Cleanup(slow.Close)
	api := &fakeAPI{Server: slow}
	gmailConfigAt(b, s.Client, p, api)
	sess, err := s.Client.Create(ctxT(b), "user_123")
	if err != nil {
		b.Fatal(err)
	}
	ca := connect(b, sess, work)
	tok := storedToken(b, s, ca.ID)

	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	do := func(req *http.Request) {
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d", req.URL, resp.StatusCode)
		}
	}
	upstreamURL := slow.URL + "/gmail/v1/users/me/profile"
	// The bare hop: a reverse proxy that only adds the credential.
	target, _ := url.Parse(slow.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
	hop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		rp.ServeHTTP(w, r)
	}))
	b.Cleanup(hop.Close)
	execURL := s.URL + "/api/v3.1/tool_router/session/" + sess.ID() + "/execute"
	execBody := []byte(`{"tool_slug":"GMAIL_GET_PROFILE","arguments":{}}`)
	pinnedSess, err := s.Client.Create(ctxT(b), "user_123", sdk.WithConnectedAccounts(map[string]string{"gmail": ca.ID}))
	if err != nil {
		b.Fatal(err)
	}
	pinnedURL := s.URL + "/api/v3.1/tool_router/session/" + pinnedSess.ID() + "/execute"
	e := &execBench{
		direct: func() {
			req, _ := http.NewRequest("GET", upstreamURL, nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			do(req)
		},
		hop: func() {
			req, _ := http.NewRequest("GET", hop.URL+"/gmail/v1/users/me/profile", nil)
			do(req)
		},
		cached: func() {
			req, _ := http.NewRequest("POST", execURL, bytes.NewReader(execBody))
			req.Header.Set("x-api-key", testKey)
			req.Header.Set("Content-Type", "application/json")
			do(req)
		},
		pinned: func() {
			req, _ := http.NewRequest("POST", pinnedURL, bytes.NewReader(execBody))
			req.Header.Set("x-api-key", testKey)
			req.Header.Set("Content-Type", "application/json")
			do(req)
		},
	}
	// Cold: the account and its credentials are looked up in the store
	// and decrypted on every call; the API key, session and auth config
	// stay cached.
	e.cold = func() {
		s.App.ForgetAccounts()
		e.cached()
	}
	// Prove the execute path reaches the upstream as the right user.
	for _, id := range []string{sess.ID(), pinnedSess.ID()} {
		if r := sessionExec(b, s, id, "GMAIL_GET_PROFILE", `{}`, ""); r.owner() != work.Login {
			b.Fatalf("execute: %+v", r)
		}
	}
	return e, func() { hc.CloseIdleConnections() }
}

// BenchmarkExecute measures tool execution side by side with a direct
// call and a bare forwarding hop against the same in-process upstream, and
// reports p50, p99, throughput and their ratios. Run it with
//
//	go test ./internal/e2e -run '^$' -bench BenchmarkExecute -benchtime 1x
func BenchmarkExecute(b *testing.B) {
	const n = 2000
	report := func(name string, v float64, unit string) {
		b.ReportMetric(v, name+"_"+unit)
	}
	ratio := func(a, base time.Duration) float64 { return float64(a) / float64(base) }
	backends := []string{"sqlite", "postgres"}
	urls := map[string]string{"sqlite": "", "postgres": postgrestest.URL(b)}
	benches := map[string]*execBench{}
	for _, backend := range backends {
		e, done := setupExecBench(b, serverOptions{DatabaseURL: urls[backend]}, 0)
		defer done()
		benches[backend] = e
		// The cold path runs beside its own hop samples: the database work
		// it causes (a PostgreSQL server process waking up) would slow
		// the calls that follow it, the cached ones included.
		l := interleaved(n, e.direct, e.hop, e.cached)
		direct, hop, cached := l[0], l[1], l[2]
		l = interleaved(n, e.hop, e.cold)
		coldHop, cold := l[0], l[1]
		b.Logf("%s, instant upstream: p50 direct %v hop %v cached %v; p99 direct %v hop %v cached %v; p50 hop %v cold %v; p99 hop %v cold %v",
			backend, direct.pct(.5), hop.pct(.5), cached.pct(.5), direct.pct(.99), hop.pct(.99), cached.pct(.99),
			coldHop.pct(.5), cold.pct(.5), coldHop.pct(.99), cold.pct(.99))
		report(backend+"_cached_vs_hop_p50", ratio(cached.pct(.5), hop.pct(.5)), "x")
		report(backend+"_cold_vs_hop_p50", ratio(cold.pct(.5), coldHop.pct(.5)), "x")
	}

	// Throughput, both backends taking turns.
	sq, pg := benches["sqlite"], benches["postgres"]
	rps := throughputs(8, 250*time.Millisecond, 4, sq.direct, sq.cached, pg.direct, pg.cached)
	for i, backend := range backends {
		direct, exec := rps[2*i], rps[2*i+1]
		b.Logf("%s, 8 clients: direct %.0f req/s, execute %.0f req/s", backend, direct, exec)
		report(backend+"_throughput_vs_direct", exec/direct, "x")
	}
	b.Logf("execute throughput, 8 clients: postgres/sqlite = %.2f", rps[3]/rps[1])
	report("postgres_vs_sqlite_throughput", rps[3]/rps[1], "x")

	// Execution logs on against off: on each backend two new servers in
	// this process, alike but for SWITCHBOARD_EXECUTION_LOGS, each with a
	// store of its own, the four taking turns.
	on, off := map[string]*execBench{}, map[string]*execBench{}
	for _, backend := range backends {
		for _, logs := range []bool{true, false} {
			o := serverOptions{NoExecutionLogs: !logs}
			if backend == "postgres" {
				o.DatabaseURL = postgrestest.URL(b) // a schema of its own
			}
			e, done := setupExecBench(b, o, 0)
			defer done()
			if logs {
				on[backend] = e
			} else {
				off[backend] = e
			}
		}
	}
	for _, backend := range backends {
		l := interleaved(n, on[backend].cached, off[backend].cached)
		b.Logf("%s: p50 execute with logs %v, without %v; p99 %v, %v", backend, l[0].pct(.5), l[1].pct(.5), l[0].pct(.99), l[1].pct(.99))
		report(backend+"_logs_on_vs_off_p50", ratio(l[0].pct(.5), l[1].pct(.5)), "x")
	}
	rps = throughputs(8, 100*time.Millisecond, 30, on["sqlite"].cached, off["sqlite"].cached, on["postgres"].cached, off["postgres"].cached)
	for i, backend := range backends {
		with, without := rps[2*i], rps[2*i+1]
		b.Logf("%s, 8 clients: execute with logs %.0f req/s, without %.0f req/s", backend, with, without)
		report(backend+"_logs_on_vs_off_throughput", with/without, "x")
	}

	for _, backend := range backends {
		e, done := setupExecBench(b, serverOptions{DatabaseURL: urls[backend]}, 2*time.Millisecond)
		l := interleaved(n/2, e.direct, e.cached)
		direct, cached := l[0], l[1]
		b.Logf("%s, 2 ms upstream: p50 direct %v execute %v; p99 direct %v execute %v", backend, direct.pct(.5), cached.pct(.5), direct.pct(.99), cached.pct(.99))
		report(backend+"_slow_p50_vs_direct", ratio(cached.pct(.5), direct.pct(.5)), "x")
		report(backend+"_slow_p99_vs_direct", ratio(cached.pct(.99), direct.pct(.99)), "x")
		done()
	}
	for b.Loop() {
	}
}

// BenchmarkExecuteAllocs counts what one call allocates, the whole
// process's share (client, server and upstream alike), for the bare hop
// and for cached execute on SQLite (through a default-account session and
// through a pinned one): the difference is what Switchboard's
// execute path allocates beyond forwarding. Counts do not depend on how
// busy the machine is, so they guide the work on a shared machine where
// latencies do not. Run it with
//
//	go test ./internal/e2e -run '^$' -bench BenchmarkExecuteAllocs -benchmem
func BenchmarkExecuteAllocs(b *testing.B) {
	e, done := setupExecBench(b, serverOptions{}, 0)
	defer done()
	b.Run("hop", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e.hop()
		}
	})
	b.Run("execute", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e.cached()
		}
	})
	b.Run("execute_pinned", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			e.pinned()
		}
	})
}

// BenchmarkSessionCreateAllocs counts what creating a session for a new
// user allocates, the whole process's share, on SQLite. Run it with
//
//	go test ./internal/e2e -run '^$' -bench BenchmarkSessionCreateAllocs -benchmem
func BenchmarkSessionCreateAllocs(b *testing.B) {
	s := startServer(b, serverOptions{})
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer hc.CloseIdleConnections()
	u := 0
	b.ReportAllocs()
	for b.Loop() {
		u++
		req, _ := http.NewRequest("POST", s.URL+"/api/v3.1/tool_router/session", strings.NewReader(fmt.Sprintf(`{"user_id":"user_%d"}`, u)))
		req.Header.Set("x-api-key", testKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("create: %d", resp.StatusCode)
		}
	}
}
