// Package metrics owns Switchboard's Prometheus metrics (docs/metrics.md):
// the registry, the request middleware that labels by route pattern, the
// counters and histograms the domain packages feed through a *Metrics (a
// nil *Metrics records nothing), and collectors that read the store's
// account counts and connection pools when scraped.
//
// No label carries a user id, account id, project or other value without
// bound: routes are ServeMux patterns, never paths; tools and toolkits are
// catalog slugs.
package metrics
