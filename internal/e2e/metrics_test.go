package e2e

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// scrape reads GET /metrics with the official text parser.
func scrape(t *testing.T, s *server) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: status %d", resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// value sums the samples of family name whose labels include want: a
// counter's or gauge's value, a histogram's count.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f, ok := fams[name]
	if !ok {
		return 0
	}
	var sum float64
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

// TestMetrics: real calls move the figures of /metrics, and no label
// carries an id, a user id or a path.
func TestMetrics(t *testing.T) {
	f := newExecFixture(t, serverOptions{})
	s := f.s
	route := "POST /api/v3.1/tool_router/session/{id}/execute"
	before := scrape(t, s)

	for range 2 {
		if r := sessionExec(t, s, f.session.ID(), "GMAIL_GET_PROFILE", `{}`, ""); r.err() != "" {
			t.Fatalf("execute: %+v", r)
		}
	}
	if r := sessionExec(t, s, f.session.ID(), "GMAIL_GET_PROFILE", `{}`, f.ca1); r.err() == "" {
		t.Fatalf("execute naming another account in a single-account session: got %+v, want a refusal", r)
	}
	f.p.ExpireAccessTokens() // the next call refreshes
	if r := sessionExec(t, s, f.session.ID(), "GMAIL_GET_PROFILE", `{}`, ""); r.err() != "" {
		t.Fatalf("execute after expiry: %+v", r)
	}
	call(t, s, testKey, "GET", "/api/v3.1/connected_accounts/ca_nosuchaccount", "")
	after := scrape(t, s)

	moved := []struct {
		name   string
		labels map[string]string
		want   float64 // the increase
	}{
		{"switchboard_tool_executions_total", map[string]string{"toolkit": "gmail", "tool": "GMAIL_GET_PROFILE", "outcome": "success"}, 3},
		{"switchboard_http_request_duration_seconds", map[string]string{"route": route, "method": "POST", "status": "200"}, 4},
		{"switchboard_http_request_duration_seconds", map[string]string{"route": "GET /api/v3.1/connected_accounts/{id}", "status": "404"}, 1},
		{"switchboard_token_refreshes_total", map[string]string{"outcome": "success"}, 1},
	}
	for _, m := range moved {
		if got := value(after, m.name, m.labels) - value(before, m.name, m.labels); got != m.want {
			t.Errorf("%s%v: went up by %v, want %v", m.name, m.labels, got, m.want)
		}
	}
	// The upstream saw at least the three good calls and the refused token.
	if got := value(after, "switchboard_upstream_request_duration_seconds", map[string]string{"toolkit": "gmail", "status": "2xx"}) -
		value(before, "switchboard_upstream_request_duration_seconds", map[string]string{"toolkit": "gmail", "status": "2xx"}); got < 3 {
		t.Errorf("upstream 2xx calls to gmail went up by %v, want at least 3", got)
	}
	if got := value(after, "switchboard_store_call_duration_seconds", map[string]string{"op": "GetAccount", "outcome": "error"}) -
		value(before, "switchboard_store_call_duration_seconds", map[string]string{"op": "GetAccount", "outcome": "error"}); got < 1 {
		t.Errorf("GetAccount store calls that failed went up by %v, want at least 1 (the missing account)", got)
	}
	if got := value(after, "switchboard_connected_accounts", map[string]string{"status": "ACTIVE"}); got != 2 {
		t.Errorf("ACTIVE accounts: got %v, want 2", got)
	}
	for _, pool := range []string{"read", "write"} {
		if got := value(after, "switchboard_store_pool_max_connections", map[string]string{"pool": pool}); got < 1 {
			t.Errorf("SQLite %s pool max connections: got %v, want at least 1", pool, got)
		}
	}
	for name, fam := range after {
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				v := l.GetValue()
				if strings.Contains(v, "ca_") || strings.Contains(v, "trs_") || strings.Contains(v, "user_123") ||
					strings.Contains(v, f.session.ID()) || strings.Contains(v, "proj_") {
					t.Errorf("%s has label %s=%q, which holds an id", name, l.GetName(), v)
				}
			}
		}
	}
}

// TestMetricsToken: with SWITCHBOARD_METRICS_TOKEN set, /metrics answers
// only its bearer token.
func TestMetricsToken(t *testing.T) {
	s := startServer(t, serverOptions{})
	if resp, err := http.Get(s.URL + "/metrics"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /metrics without a token configured: %v %v, want 200", resp, err)
	}
	h := s.App.Metrics.Handler("s3cret-token")
	for _, tt := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer wrong", 401}, {"s3cret-token", 401}, {"Bearer s3cret-token", 200}} {
		req, _ := http.NewRequest("GET", "/metrics", nil)
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != tt.want {
			t.Errorf("Authorization %q: got %d, want %d", tt.auth, w.Code, tt.want)
		}
	}
}

// TestRateLimitTwoInstances: two instances on one PostgreSQL share each
// project's budget: the sixth request of a 5/1m window is refused on
// whichever instance gets it, with Composio's headers and error body, and
// no more than five of many parallel requests get through.
func TestRateLimitTwoInstances(t *testing.T) {
	dbURL := postgrestest.URL(t)
	var clock atomic.Int64 // 50s before the window ends
	clock.Store(time.Date(2030, 1, 2, 3, 4, 10, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	a := startServer(t, serverOptions{DatabaseURL: dbURL, RateLimit: "5/1m", Now: now})
	b := startServer(t, serverOptions{DatabaseURL: dbURL, RateLimit: "5/1m", Now: now})

	get := func(s *server) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", s.URL+"/api/v3.1/toolkits?limit=1", nil)
		req.Header.Set("x-api-key", testKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			body.Write(buf[:n])
			if err != nil {
				break
			}
		}
		resp.Header.Set("X-Test-Body", body.String())
		return resp
	}
	for i, s := range []*server{a, b, a, b, a} {
		resp := get(s)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d, want 200", i+1, resp.StatusCode)
		}
		if got, want := resp.Header.Get("X-RateLimit-Remaining"), strconv.Itoa(4-i); got != want {
			t.Errorf("request %d: X-RateLimit-Remaining %q, want %q", i+1, got, want)
		}
		if resp.Header.Get("X-RateLimit") != "5" || resp.Header.Get("X-RateLimit-Window-Size") != "60s" || resp.Header.Get("Retry-After") != "" {
			t.Errorf("request %d: headers %v", i+1, resp.Header)
		}
	}
	for _, s := range []*server{b, a} {
		resp := get(s)
		body := resp.Header.Get("X-Test-Body")
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "50" || resp.Header.Get("X-RateLimit-Remaining") != "0" ||
			!strings.Contains(body, `"slug":"rate_limited"`) || !strings.Contains(body, "5 requests per 1m0s") {
			t.Errorf("over the limit: status %d, headers %v, body %s; want 429 rate_limited, Retry-After 50", resp.StatusCode, resp.Header, body)
		}
	}
	if got := value(scrape(t, a), "switchboard_rate_limited_requests_total", nil); got != 1 {
		t.Errorf("switchboard_rate_limited_requests_total on a: got %v, want 1", got)
	}

	// The next window: a fresh budget, spent by parallel requests on
	// both instances; exactly five get through.
	clock.Add(int64(time.Minute))
	var mu sync.Mutex
	ok := 0
	var wg sync.WaitGroup
	for i := range 20 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			if get(s).StatusCode == 200 {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ok != 5 {
		t.Errorf("parallel requests in a fresh window: %d got through, want 5", ok)
	}
}
