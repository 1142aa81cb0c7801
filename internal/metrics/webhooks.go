package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of a webhook delivery attempt.
const (
	Delivered = "delivered" // the receiver answered 2xx
	Retrying  = "retrying"  // it failed; the delivery waits for its next rung
	Failed    = "failed"    // it failed on the last rung; the delivery is FAILED
	Disabled  = "disabled"  // it failed, and the subscription was disabled for sustained failure
)

type webhookMetrics struct {
	deliveries *prometheus.CounterVec
	latency    prometheus.Histogram
}

func newWebhookMetrics() webhookMetrics {
	return webhookMetrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_webhook_deliveries_total",
			Help: "Webhook delivery attempts by outcome (delivered, retrying, failed, disabled).",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "switchboard_webhook_delivery_duration_seconds",
			Help:    "How long webhook delivery attempts took, from the request to the receiver's answer or the failure.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15},
		}),
	}
}

// Delivery counts one webhook delivery attempt by outcome (Delivered,
// Retrying, Failed, Disabled) and times it.
func (m *Metrics) Delivery(outcome string, took time.Duration) {
	if m == nil {
		return
	}
	m.webhooks.deliveries.WithLabelValues(outcome).Inc()
	m.webhooks.latency.Observe(took.Seconds())
}

var backlogDesc = prometheus.NewDesc("switchboard_webhook_outbox_backlog",
	"PENDING webhook deliveries over every project, due or waiting for a retry (counted at most once per cache period).", nil, nil)

// backlogCollector counts the pending deliveries when scraped, keeping
// the count for ttl.
type backlogCollector struct {
	count func(context.Context) (int, error)
	ttl   time.Duration

	mu  sync.Mutex
	at  time.Time
	n   int
	err error
}

// WatchOutbox exports the outbox backlog, counted with count at most once
// per ttl.
func (m *Metrics) WatchOutbox(count func(context.Context) (int, error), ttl time.Duration) {
	m.Registry.MustRegister(&backlogCollector{count: count, ttl: ttl})
}

func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- backlogDesc }

func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	if c.at.IsZero() || time.Since(c.at) >= c.ttl {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c.n, c.err = c.count(ctx)
		cancel()
		c.at = time.Now()
	}
	n, err := c.n, c.err
	c.mu.Unlock()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(backlogDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(backlogDesc, prometheus.GaugeValue, float64(n))
}
