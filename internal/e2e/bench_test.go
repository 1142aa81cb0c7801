package e2e

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/sdk"
)

// BenchmarkAPI measures the calls an agent platform makes most, through
// the real HTTP stack, and reports each as a ratio to GET /healthz (an
// HTTP round trip that touches no database) measured in the same process:
// the x_healthz metric is what the store and domain add.
func BenchmarkAPI(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			o := serverOptions{}
			if backend == "postgres" {
				o.DatabaseURL = postgrestest.URL(b)
			}
			s := startServer(b, o)
			p := provider(b, s)
			gmailConfig(b, s.Client, p)
			ctx := ctxT(b)
			sess, err := s.Client.Create(ctx, "user_123")
			if err != nil {
				b.Fatal(err)
			}
			ca1 := connect(b, sess, work)
			connect(b, sess, personal)

			hc := &http.Client{}
			get := func(path string) {
				req, _ := http.NewRequest("GET", s.URL+path, nil)
				req.Header.Set("x-api-key", testKey)
				resp, err := hc.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("GET %s: %d", path, resp.StatusCode)
				}
			}
			baseline := perOp(func() { get("/healthz") })
			ratio := func(b *testing.B) {
				b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(baseline), "x_healthz")
			}
			b.Run("healthz", func(b *testing.B) {
				for b.Loop() {
					get("/healthz")
				}
				ratio(b)
			})
			b.Run("get_account", func(b *testing.B) {
				for b.Loop() {
					get("/api/v3.1/connected_accounts/" + ca1.ID)
				}
				ratio(b)
			})
			b.Run("list_accounts", func(b *testing.B) {
				for b.Loop() {
					get("/api/v3.1/connected_accounts?user_ids=user_123&toolkit_slugs=gmail")
				}
				ratio(b)
			})
			b.Run("session_toolkits", func(b *testing.B) {
				for b.Loop() {
					get("/api/v3.1/tool_router/session/" + sess.ID() + "/toolkits?toolkits=gmail")
				}
				ratio(b)
			})
			b.Run("create_pinned_session", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.Client.Create(ctx, "user_123", sdk.WithConnectedAccounts(map[string]string{"gmail": ca1.ID})); err != nil {
						b.Fatal(err)
					}
				}
				ratio(b)
			})
		})
	}
}

// perOp times f over a fixed number of runs.
func perOp(f func()) time.Duration {
	for range 50 {
		f()
	}
	const n = 500
	start := time.Now()
	for range n {
		f()
	}
	return time.Since(start) / n
}
