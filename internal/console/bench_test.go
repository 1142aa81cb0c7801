package console_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// benchAccounts is how many accounts the list benchmark's project has.
const benchAccounts = 100_000

// BenchmarkAccountsPage renders a page of the console's accounts list on
// 100,000 accounts in SQLite and, in the same loop, asks the REST API for
// the same page; it reports each one's median and their ratio.
//
//	go test ./internal/console -run '^$' -bench AccountsPage -benchtime 200x
func BenchmarkAccountsPage(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	statuses := []string{store.StatusActive, store.StatusActive, store.StatusActive, store.StatusExpired, store.StatusInitiated}
	start := f.clock().Add(-benchAccounts * time.Second)
	for i := range benchAccounts {
		at := start.Add(time.Duration(i) * time.Second)
		a := store.Account{ID: fmt.Sprintf("ca_bench_%06d", i), ProjectID: f.p1.ID, UserID: fmt.Sprintf("user_%05d", i%20_000),
			ToolkitSlug: "linear", AuthConfigID: f.ac1.ID, Status: statuses[i%len(statuses)], Identity: fmt.Sprintf("u%d@example.com", i),
			CreatedAt: at, UpdatedAt: at}
		if a.Status == store.StatusActive {
			a.ConnectedAt, a.Health = &at, store.HealthOK
		}
		if err := f.app.Store.CreateAccount(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	c := f.client(b)
	f.signIn(b, c, adminKey)
	get := func(path string, header http.Header) time.Duration {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		t0 := time.Now()
		res, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		d := time.Since(t0)
		if res.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", path, res.StatusCode)
		}
		return d
	}
	key := http.Header{"X-Api-Key": {adminKey}}
	for _, tt := range []struct{ name, console, rest string }{
		{"first-page", "/console/accounts", "/api/v3.1/connected_accounts?limit=50"},
		{"by-user", "/console/accounts?user_id=user_04242", "/api/v3.1/connected_accounts?user_ids=user_04242&limit=50"},
		{"by-status", "/console/accounts?status=EXPIRED", "/api/v3.1/connected_accounts?statuses=EXPIRED&limit=50"},
		{"user-and-status", "/console/accounts?user_id=user_04242&status=ACTIVE", "/api/v3.1/connected_accounts?user_ids=user_04242&statuses=ACTIVE&limit=50"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var console, rest []time.Duration
			for b.Loop() {
				console = append(console, get(tt.console, nil))
				rest = append(rest, get(tt.rest, key))
			}
			pc, pr := median(console), median(rest)
			b.ReportMetric(float64(pc.Microseconds()), "console-p50-µs")
			b.ReportMetric(float64(pr.Microseconds()), "rest-p50-µs")
			b.ReportMetric(float64(pc)/float64(pr), "console/rest")
		})
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
