package ratelimit

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestReportTightest: the headers of a request counted on several limits
// are those of a refusal if any, else of the one with fewest requests
// left, else of the one resetting last.
func TestReportTightest(t *testing.T) {
	project := Decision{Limit: 100, Remaining: 90, Window: time.Minute, Reset: 30 * time.Second, Allowed: true}
	user := Decision{Limit: 10, Remaining: 3, Window: time.Minute, Reset: 30 * time.Second, Allowed: true}
	account := Decision{Limit: 5, Remaining: 3, Window: time.Hour, Reset: 20 * time.Minute, Allowed: true}
	refused := Decision{Limit: 50, Remaining: 0, Window: time.Minute, Reset: 5 * time.Second}
	for _, tc := range []struct {
		name string
		ds   []Decision
		want Decision
	}{
		{"none", nil, Decision{}},
		{"one", []Decision{project}, project},
		{"fewest left", []Decision{project, user}, user},
		{"same left, later reset", []Decision{project, user, account}, account},
		{"a refusal wins", []Decision{account, refused, user}, refused},
	} {
		ctx, rep := WithReport(context.Background())
		for _, d := range tc.ds {
			r, _ := ReportOf(ctx)
			r.add(d)
		}
		if got := rep.Tightest(); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
	h := http.Header{}
	refused.SetHeaders(h)
	if h.Get("X-RateLimit") != "50" || h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Window-Size") != "60s" || h.Get("Retry-After") != "5" {
		t.Errorf("headers of a refusal: %v", h)
	}
}

// TestNoLimit: a nil or zero limiter counts nothing and touches no store.
func TestNoLimit(t *testing.T) {
	var e *Execute
	if err := e.Take(context.Background(), "proj_1", "u", "ca_1"); err != nil {
		t.Errorf("nil Execute: %v", err)
	}
	e = &Execute{User: &Limiter{}, Account: nil}
	if err := e.Take(context.Background(), "proj_1", "u", "ca_1"); err != nil {
		t.Errorf("zero limits: %v", err)
	}
}
