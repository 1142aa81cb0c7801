package remotemcp

import (
	"context"
	"slices"
	"testing"
	"time"

	gomcp "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/switchboard-dev/switchboard/internal/egress"
)

// BenchmarkSessions compares the two session policies against the same
// in-process server, per protocol version: a new session for every call
// (connect, call, close, as a caller waiting for the close would see it),
// a new session per call with the close off the caller's path
// (MaxSessions -1), and a kept session reused. The samples interleave,
// so each ratio compares calls made under the same conditions. It
// reports the p50 of each and the ratios to the reused session.
//
//	go test ./internal/remotemcp -run '^$' -bench BenchmarkSessions
func BenchmarkSessions(b *testing.B) {
	for _, v := range []struct{ name, version string }{{"latest", ""}, {"2025-11-25", "2025-11-25"}} {
		b.Run(v.name, func(b *testing.B) {
			r := newRemote(b, serverOptions{})
			srv := r.server(bearer("tok-alice-0123456789"))
			ctx := context.Background()
			eg := &egress.Clients{LoopbackOnly: true, AllowLoopback: true}
			kept := &Client{Egress: eg, protocolVersion: v.version}
			perCall := &Client{Egress: eg, protocolVersion: v.version, MaxSessions: -1}
			defer kept.Close()
			defer perCall.Close()
			if _, err := kept.Call(ctx, srv, "whoami", nil); err != nil {
				b.Fatal(err)
			}

			connectCallClose := func() error {
				p := &probe{limit: MaxResponse, cancel: func() {}, want: "tools/call"}
				pctx := context.WithValue(ctx, probeKey{}, p)
				s, err := perCall.open(pctx, srv)
				if err != nil {
					return err
				}
				_, err = s.cs.CallTool(pctx, &gomcp.CallToolParams{Name: "whoami"})
				s.close()
				return err
			}
			var full, offPath, reused []time.Duration
			for b.Loop() {
				t0 := time.Now()
				if err := connectCallClose(); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, err := perCall.Call(ctx, srv, "whoami", nil); err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				if _, err := kept.Call(ctx, srv, "whoami", nil); err != nil {
					b.Fatal(err)
				}
				t3 := time.Now()
				full, offPath, reused = append(full, t1.Sub(t0)), append(offPath, t2.Sub(t1)), append(reused, t3.Sub(t2))
			}
			p50 := func(d []time.Duration) float64 {
				slices.Sort(d)
				return float64(d[len(d)/2].Microseconds())
			}
			f, o, k := p50(full), p50(offPath), p50(reused)
			b.ReportMetric(f, "µs-p50-connect-call-close")
			b.ReportMetric(o, "µs-p50-percall")
			b.ReportMetric(k, "µs-p50-reused")
			b.ReportMetric(f/k, "x-connect-call-close/reused")
			b.ReportMetric(o/k, "x-percall/reused")
		})
	}
}
