package metrics

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// Metrics holds Switchboard's metrics in a registry of its own.
type Metrics struct {
	Registry *prometheus.Registry

	requests    *prometheus.HistogramVec
	executes    *prometheus.CounterVec
	upstream    *prometheus.HistogramVec
	refreshes   *prometheus.CounterVec
	storeCalls  *prometheus.HistogramVec
	rateLimited prometheus.Counter
	webhooks    webhookMetrics
}

// New returns the metrics, registered with the Go runtime and process
// collectors.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "switchboard_http_request_duration_seconds",
			Help: "HTTP requests by route pattern, method and status, and how long they took.",
		}, []string{"route", "method", "status"}),
		executes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_tool_executions_total",
			Help: "Tool executions by toolkit, tool and outcome (success, tool_error, refused).",
		}, []string{"toolkit", "tool", "outcome"}),
		upstream: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "switchboard_upstream_request_duration_seconds",
			Help: "Requests to toolkit APIs by toolkit and status class, and how long they took.",
		}, []string{"toolkit", "status"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_token_refreshes_total",
			Help: "OAuth token refreshes by outcome (success, refused, failed).",
		}, []string{"outcome"}),
		storeCalls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "switchboard_store_call_duration_seconds",
			Help:    "Store calls by operation and outcome (ok, error), and how long the database took.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"op", "outcome"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_rate_limited_requests_total",
			Help: "API requests refused with 429 by the project rate limit.",
		}),
		webhooks: newWebhookMetrics(),
	}
	m.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.executes, m.upstream, m.refreshes, m.storeCalls, m.rateLimited,
		m.webhooks.deliveries, m.webhooks.latency)
	return m
}

// Handler serves the metrics in the Prometheus text format. With a
// non-empty token it answers only requests that send it as
// "Authorization: Bearer <token>"; others get 401.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need the bearer token of SWITCHBOARD_METRICS_TOKEN", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Wrap counts and times the requests mux serves, by the pattern the mux
// matched ("unmatched" when none did): never the raw path, which carries
// ids and link tokens.
func (m *Metrics) Wrap(mux http.Handler) http.Handler {
	if m == nil {
		return mux
	}
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		w := &statusWriter{ResponseWriter: rw}
		mux.ServeHTTP(w, r)
		// ServeMux sets r.Pattern on the request it was given.
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		status := w.status
		if status == 0 {
			status = http.StatusOK
		}
		m.requests.WithLabelValues(route, method(r.Method), strconv.Itoa(status)).Observe(time.Since(start).Seconds())
	})
}

// method keeps the method label to the methods the routes use.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// Outcomes of a tool execution.
const (
	Success   = "success"    // the tool ran and the upstream answered well
	ToolError = "tool_error" // the call ran but failed: the agent gets an error result
	Refused   = "refused"    // the request was refused before the tool ran (unknown tool, account, scope)
)

// Execute counts one tool execution.
func (m *Metrics) Execute(toolkit, tool, outcome string) {
	if m == nil {
		return
	}
	m.executes.WithLabelValues(toolkit, tool, outcome).Inc()
}

// ExecuteOutcome is the outcome of an execution that returned a result
// with error text toolError, or the error err.
func ExecuteOutcome(toolError string, err error) string {
	switch {
	case err != nil:
		return Refused
	case toolError != "":
		return ToolError
	}
	return Success
}

// RefreshOutcome is the outcome of a refresh that returned err; refused
// reports whether the provider refused the refresh token.
func RefreshOutcome(err error, refused bool) string {
	switch {
	case refused:
		return "refused"
	case err != nil:
		return "failed"
	}
	return "success"
}

// Upstream times one request to a toolkit's API by the class of its
// status ("2xx" ... "5xx"), "error" when no answer came back (resp nil).
func (m *Metrics) Upstream(toolkit string, resp *http.Response, took time.Duration) {
	if m == nil {
		return
	}
	class := "error"
	if resp != nil && resp.StatusCode >= 100 && resp.StatusCode < 600 {
		class = strconv.Itoa(resp.StatusCode/100) + "xx"
	}
	m.upstream.WithLabelValues(toolkit, class).Observe(took.Seconds())
}

// Refresh counts one token refresh by outcome: "success", "refused" (the
// provider refused the refresh token: the account expired) or "failed".
func (m *Metrics) Refresh(outcome string) {
	if m == nil {
		return
	}
	m.refreshes.WithLabelValues(outcome).Inc()
}

// RateLimited counts one request refused by a rate limit.
func (m *Metrics) RateLimited() {
	if m == nil {
		return
	}
	m.rateLimited.Inc()
}

// StoreCall times one store call; store.Guarded.Observe takes it.
func (m *Metrics) StoreCall(op string, took time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.storeCalls.WithLabelValues(op, outcome).Observe(took.Seconds())
}

// WatchPools exports the pools that pools reports, read when scraped.
func (m *Metrics) WatchPools(pools store.PoolStatser) {
	m.Registry.MustRegister(poolCollector{pools})
}

var (
	poolMax      = prometheus.NewDesc("switchboard_store_pool_max_connections", "The most connections a store pool opens.", []string{"pool"}, nil)
	poolOpen     = prometheus.NewDesc("switchboard_store_pool_open_connections", "Connections open in a store pool.", []string{"pool"}, nil)
	poolInUse    = prometheus.NewDesc("switchboard_store_pool_in_use_connections", "Connections of a store pool in use.", []string{"pool"}, nil)
	poolWaits    = prometheus.NewDesc("switchboard_store_pool_waits_total", "Connection acquisitions that waited for a free connection.", []string{"pool"}, nil)
	poolWaitTime = prometheus.NewDesc("switchboard_store_pool_wait_seconds_total", "Time spent waiting for a free connection.", []string{"pool"}, nil)
)

type poolCollector struct{ pools store.PoolStatser }

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolMax, poolOpen, poolInUse, poolWaits, poolWaitTime} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c.pools.PoolStats() {
		ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(p.Max), p.Pool)
		ch <- prometheus.MustNewConstMetric(poolOpen, prometheus.GaugeValue, float64(p.Open), p.Pool)
		ch <- prometheus.MustNewConstMetric(poolInUse, prometheus.GaugeValue, float64(p.InUse), p.Pool)
		ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(p.Waits), p.Pool)
		ch <- prometheus.MustNewConstMetric(poolWaitTime, prometheus.CounterValue, p.WaitTime.Seconds(), p.Pool)
	}
}

// statusWriter remembers the status. It unwraps for
// http.ResponseController, which event streams use to flush.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
