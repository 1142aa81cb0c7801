package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// accountStatuses are the statuses an account gauge is exported for.
var accountStatuses = []string{store.StatusInitiated, store.StatusActive, store.StatusFailed, store.StatusExpired, store.StatusInactive}

var accountsDesc = prometheus.NewDesc("switchboard_connected_accounts", "Connected accounts by status, over every project (counted at most once per cache period).", []string{"status"}, nil)

// accountCollector counts the accounts by status through the store when
// scraped, keeping the counts for ttl so that frequent or parallel scrapes
// do not count a large table again and again.
type accountCollector struct {
	st  store.Store
	ttl time.Duration
	now func() time.Time

	mu     sync.Mutex
	at     time.Time
	counts map[string]int
	err    error
}

// WatchAccounts exports the accounts by status, counted through st at most
// once per ttl.
func (m *Metrics) WatchAccounts(st store.Store, ttl time.Duration) {
	m.Registry.MustRegister(&accountCollector{st: st, ttl: ttl, now: time.Now})
}

func (c *accountCollector) Describe(ch chan<- *prometheus.Desc) { ch <- accountsDesc }

func (c *accountCollector) Collect(ch chan<- prometheus.Metric) {
	counts, err := c.get()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(accountsDesc, err)
		return
	}
	for _, s := range accountStatuses {
		ch <- prometheus.MustNewConstMetric(accountsDesc, prometheus.GaugeValue, float64(counts[s]), s)
	}
}

// get returns the cached counts, counting again once they are older than
// ttl. The lock makes parallel scrapes wait for one count.
func (c *accountCollector) get() (map[string]int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && c.now().Sub(c.at) < c.ttl {
		return c.counts, c.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.counts, c.err = countAccounts(ctx, c.st)
	c.at = c.now()
	return c.counts, c.err
}

// countAccounts counts each project's accounts of each status: a count
// query per project and status (the list's total, with one row read).
func countAccounts(ctx context.Context, st store.Store) (map[string]int, error) {
	projects, err := st.ListProjects(ctx)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, p := range projects {
		for _, s := range accountStatuses {
			page, err := st.ListAccounts(ctx, p.ID, store.AccountFilter{Statuses: []string{s}, Limit: 1})
			if err != nil {
				return nil, err
			}
			counts[s] += page.Total
		}
	}
	return counts, nil
}
