// Package config holds Switchboard's server configuration: its fields and
// defaults, how flags and SWITCHBOARD_* environment variables fill it, and
// Validate.
package config

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config configures `switchboard serve`.
type Config struct {
	// Addr is the listen address (SWITCHBOARD_ADDR). Default 127.0.0.1:8080.
	Addr string
	// PublicURL is where browsers and SDKs reach this server
	// (SWITCHBOARD_PUBLIC_URL); every redirect URL and the OAuth callback
	// derive from it. Default http://Addr.
	PublicURL string
	// DataDir holds the embedded SQLite store and, on that default, the
	// generated encryption key (SWITCHBOARD_DATA_DIR). Default ./data.
	DataDir string
	// DatabaseURL, a postgres:// URL, selects PostgreSQL instead of SQLite
	// (SWITCHBOARD_DATABASE_URL).
	DatabaseURL string
	// EncryptionKey is the base64 of the 32-byte root key
	// (SWITCHBOARD_ENCRYPTION_KEY). Required with PostgreSQL; on SQLite a
	// key file in DataDir is generated when it is empty.
	EncryptionKey string
	// OldEncryptionKeys are retired root keys, comma separated, still used
	// to open old ciphertext (SWITCHBOARD_OLD_ENCRYPTION_KEYS).
	OldEncryptionKeys string
	// BootstrapAPIKey is the API key the default project gets on the first
	// start with an empty store (SWITCHBOARD_BOOTSTRAP_API_KEY); at least
	// MinBootstrapKeyLength characters.
	BootstrapAPIKey string
	// LinkTTL is how long a connection link stays usable
	// (SWITCHBOARD_LINK_TTL). Default 10m.
	LinkTTL time.Duration
	// LogLevel is debug, info, warn or error (SWITCHBOARD_LOG_LEVEL).
	LogLevel string
	// CacheTTL is how long an instance may serve a session, API key or
	// auth config that another instance changed (SWITCHBOARD_CACHE_TTL).
	// Default 1s; 0 turns the caches off.
	CacheTTL time.Duration
	// EgressAllowLoopback lets Switchboard call upstreams on loopback
	// (127.0.0.0/8, ::1, localhost), over https or plain http, and lets
	// auth configs name such hosts (SWITCHBOARD_EGRESS_ALLOW_LOOPBACK=true).
	// It is for local development and tests, with providers and APIs run
	// beside Switchboard. Default off: every upstream is a public https
	// host. Private, link-local and other non-public addresses are refused
	// either way.
	EgressAllowLoopback bool
	// ToolkitsDir is a directory of toolkit files (docs/toolkit-format.md)
	// served beside the built-in toolkits and reloaded when they change,
	// without a restart (SWITCHBOARD_TOOLKITS_DIR). Default none: the
	// built-ins only.
	ToolkitsDir string
	// ProbeInterval is how often each instance checks accounts whose
	// credentials were not verified within ProbeStale, with the toolkit's
	// identity call (SWITCHBOARD_PROBE_INTERVAL). Default 0: off.
	ProbeInterval time.Duration
	// ProbeStale is how long a verification holds before the prober checks
	// the account again (SWITCHBOARD_PROBE_STALE). Default 6h.
	ProbeStale time.Duration
	// DebugAddr, when set, is a host:port on which the process serves Go's
	// profiler (net/http/pprof) without authentication
	// (SWITCHBOARD_DEBUG_ADDR). Default off; keep it on loopback.
	DebugAddr string
	// ExecutionLogs turns the record of every tool execution on or off
	// (SWITCHBOARD_EXECUTION_LOGS). Default on.
	ExecutionLogs bool
	// LogRetention is how long execution logs are kept before the sweeper
	// deletes them (SWITCHBOARD_LOG_RETENTION), between 1h and 8760h (a
	// year). Default 720h (30 days). The audit log is kept for good.
	LogRetention time.Duration
	// EventRetention is how long webhook events, with their deliveries and
	// attempts, are kept before the sweeper deletes them
	// (SWITCHBOARD_EVENT_RETENTION), between 96h (past the retry ladder)
	// and 8760h (a year). Default 720h (30 days). An event with a delivery
	// still pending is kept until it is delivered or failed.
	EventRetention time.Duration
	// WebhookPoll is how often each instance's webhook worker looks for
	// due deliveries (SWITCHBOARD_WEBHOOK_POLL), between 100ms and 1h.
	// Default 1s.
	WebhookPoll time.Duration
	// RateLimit is each project's API request budget, "N/window" such as
	// 2000/1m: at most N authenticated API requests per fixed window,
	// counted across every instance sharing the database
	// (SWITCHBOARD_RATE_LIMIT; docs/metrics.md). Default empty: no limit.
	RateLimit string
	// RateLimitUser is each end user's budget of tool executions and
	// proxied requests, "N/window" like RateLimit, counted per project and
	// user id across every instance (SWITCHBOARD_RATE_LIMIT_USER). Default
	// empty: no limit.
	RateLimitUser string
	// RateLimitAccount is each connected account's budget of tool
	// executions and proxied requests, "N/window"
	// (SWITCHBOARD_RATE_LIMIT_ACCOUNT). Default empty: no limit.
	RateLimitAccount string
	// MetricsToken, when set, is the bearer token GET /metrics requires
	// (SWITCHBOARD_METRICS_TOKEN, environment only). Default empty:
	// /metrics is open, as its labels hold no ids.
	MetricsToken string

	// badEnv holds, for Validate to refuse, each environment setting whose
	// value could not be read, as the message that says so.
	badEnv []string
}

// DefaultLogRetention is how long execution logs are kept by default.
const DefaultLogRetention = 30 * 24 * time.Hour

// Bounds of LogRetention.
const (
	MinLogRetention = time.Hour
	MaxLogRetention = 365 * 24 * time.Hour
)

// DefaultEventRetention is how long webhook events are kept by default.
const DefaultEventRetention = 30 * 24 * time.Hour

// Bounds of EventRetention: at least the four days a delivery may spend
// on the retry ladder, at most a year.
const (
	MinEventRetention = 96 * time.Hour
	MaxEventRetention = 365 * 24 * time.Hour
)

// DefaultWebhookPoll is how often a webhook worker looks for due
// deliveries by default.
const DefaultWebhookPoll = time.Second

// Default returns the zero-configuration settings.
func Default() Config {
	return Config{
		Addr:     "127.0.0.1:8080",
		DataDir:  "./data",
		LinkTTL:  10 * time.Minute,
		LogLevel: "info",
		CacheTTL: time.Second,
		// Probing calls every provider once per account and period: off
		// unless asked for.
		ProbeStale: 6 * time.Hour,

		ExecutionLogs: true,
		LogRetention:  DefaultLogRetention,

		EventRetention: DefaultEventRetention,
		WebhookPoll:    DefaultWebhookPoll,
	}
}

// Bind registers flags for c on fs, with defaults taken from the
// environment where set, so a flag beats its variable and the variable
// beats the default.
func (c *Config) Bind(fs *flag.FlagSet, getenv func(string) string) {
	str := func(p *string, name, env, usage string) {
		if v := getenv(env); v != "" {
			*p = v
		}
		fs.StringVar(p, name, *p, usage+" ("+env+")")
	}
	str(&c.Addr, "addr", "SWITCHBOARD_ADDR", "listen address")
	str(&c.PublicURL, "public-url", "SWITCHBOARD_PUBLIC_URL", "public base URL; default http://ADDR")
	str(&c.DataDir, "data-dir", "SWITCHBOARD_DATA_DIR", "data directory of the embedded SQLite store")
	str(&c.DatabaseURL, "database-url", "SWITCHBOARD_DATABASE_URL", "postgres:// URL to use PostgreSQL")
	str(&c.LogLevel, "log-level", "SWITCHBOARD_LOG_LEVEL", "debug, info, warn or error")
	str(&c.DebugAddr, "debug-addr", "SWITCHBOARD_DEBUG_ADDR", "host:port serving the Go profiler (net/http/pprof), unauthenticated; off when empty, keep it on loopback")
	str(&c.ToolkitsDir, "toolkits-dir", "SWITCHBOARD_TOOLKITS_DIR", "directory of toolkit files served beside the built-ins, reloaded when they change")
	str(&c.RateLimit, "rate-limit", "SWITCHBOARD_RATE_LIMIT", "each project's API request budget as N/window, e.g. 2000/1m; off when empty")
	str(&c.RateLimitUser, "rate-limit-user", "SWITCHBOARD_RATE_LIMIT_USER", "each end user's budget of tool executions as N/window, e.g. 100/1m; off when empty")
	str(&c.RateLimitAccount, "rate-limit-account", "SWITCHBOARD_RATE_LIMIT_ACCOUNT", "each connected account's budget of tool executions as N/window, e.g. 100/1m; off when empty")
	duration := func(p *time.Duration, env string) {
		if v := getenv(env); v != "" {
			if d, err := time.ParseDuration(v); err == nil {
				*p = d
			} else {
				c.badEnv = append(c.badEnv, fmt.Sprintf("%s %q is not a duration: write it like 10m, 90s or 1h30m", env, v))
			}
		}
	}
	duration(&c.LinkTTL, "SWITCHBOARD_LINK_TTL")
	fs.DurationVar(&c.LinkTTL, "link-ttl", c.LinkTTL, "how long a connection link stays usable (SWITCHBOARD_LINK_TTL)")
	duration(&c.ProbeInterval, "SWITCHBOARD_PROBE_INTERVAL")
	fs.DurationVar(&c.ProbeInterval, "probe-interval", c.ProbeInterval, "how often to check accounts' credentials in the background; 0 turns it off (SWITCHBOARD_PROBE_INTERVAL)")
	duration(&c.ProbeStale, "SWITCHBOARD_PROBE_STALE")
	fs.DurationVar(&c.ProbeStale, "probe-stale", c.ProbeStale, "how long a verification of an account's credentials holds (SWITCHBOARD_PROBE_STALE)")
	duration(&c.CacheTTL, "SWITCHBOARD_CACHE_TTL")
	if v := getenv("SWITCHBOARD_EGRESS_ALLOW_LOOPBACK"); v != "" {
		if b, err := strconv.ParseBool(v); err == nil {
			c.EgressAllowLoopback = b
		} else {
			c.badEnv = append(c.badEnv, fmt.Sprintf("SWITCHBOARD_EGRESS_ALLOW_LOOPBACK %q must be true or false", v))
		}
	}
	fs.BoolVar(&c.EgressAllowLoopback, "egress-allow-loopback", c.EgressAllowLoopback, "let upstream calls and auth configs reach loopback hosts, for local development only (SWITCHBOARD_EGRESS_ALLOW_LOOPBACK)")
	if v := getenv("SWITCHBOARD_EXECUTION_LOGS"); v != "" {
		if b, err := strconv.ParseBool(v); err == nil {
			c.ExecutionLogs = b
		} else {
			c.badEnv = append(c.badEnv, fmt.Sprintf("SWITCHBOARD_EXECUTION_LOGS %q must be true or false", v))
		}
	}
	fs.BoolVar(&c.ExecutionLogs, "execution-logs", c.ExecutionLogs, "record every tool execution for the logs API (SWITCHBOARD_EXECUTION_LOGS)")
	duration(&c.LogRetention, "SWITCHBOARD_LOG_RETENTION")
	fs.DurationVar(&c.LogRetention, "log-retention", c.LogRetention, "how long execution logs are kept, 1h to 8760h (SWITCHBOARD_LOG_RETENTION)")
	duration(&c.EventRetention, "SWITCHBOARD_EVENT_RETENTION")
	fs.DurationVar(&c.EventRetention, "event-retention", c.EventRetention, "how long webhook events and their deliveries are kept, 96h to 8760h (SWITCHBOARD_EVENT_RETENTION)")
	duration(&c.WebhookPoll, "SWITCHBOARD_WEBHOOK_POLL")
	fs.DurationVar(&c.WebhookPoll, "webhook-poll", c.WebhookPoll, "how often the webhook worker looks for due deliveries, 100ms to 1h (SWITCHBOARD_WEBHOOK_POLL)")
	fs.DurationVar(&c.CacheTTL, "cache-ttl", c.CacheTTL, "how long another instance's changes may take to be seen; 0 disables caching (SWITCHBOARD_CACHE_TTL)")
	// Secrets come from the environment only, never from flags, so they do
	// not show up in process listings or shell history.
	c.EncryptionKey = getenv("SWITCHBOARD_ENCRYPTION_KEY")
	c.OldEncryptionKeys = getenv("SWITCHBOARD_OLD_ENCRYPTION_KEYS")
	c.BootstrapAPIKey = getenv("SWITCHBOARD_BOOTSTRAP_API_KEY")
	c.MetricsToken = getenv("SWITCHBOARD_METRICS_TOKEN")
}

// RateLimitParts returns RateLimit's request count and window; n is 0
// when RateLimit is empty.
func (c Config) RateLimitParts() (n int64, window time.Duration, err error) {
	return rateParts("SWITCHBOARD_RATE_LIMIT", c.RateLimit, "2000/1m")
}

// RateLimitUserParts returns RateLimitUser's count and window; n is 0
// when it is empty.
func (c Config) RateLimitUserParts() (n int64, window time.Duration, err error) {
	return rateParts("SWITCHBOARD_RATE_LIMIT_USER", c.RateLimitUser, "100/1m")
}

// RateLimitAccountParts returns RateLimitAccount's count and window; n
// is 0 when it is empty.
func (c Config) RateLimitAccountParts() (n int64, window time.Duration, err error) {
	return rateParts("SWITCHBOARD_RATE_LIMIT_ACCOUNT", c.RateLimitAccount, "100/1m")
}

// rateParts parses the N/window setting v of variable env.
func rateParts(env, v, example string) (n int64, window time.Duration, err error) {
	if v == "" {
		return 0, 0, nil
	}
	count, win, ok := strings.Cut(v, "/")
	n, errN := strconv.ParseInt(strings.TrimSpace(count), 10, 64)
	window, errW := time.ParseDuration(strings.TrimSpace(win))
	if !ok || errN != nil || errW != nil || n < 1 || window < time.Second || window > 24*time.Hour || window%time.Millisecond != 0 {
		return 0, 0, fmt.Errorf("%s %q must be N/window with N at least 1 and a window from 1s to 24h, e.g. %s; unset it for no limit", env, v, example)
	}
	return n, window, nil
}

// FromEnv returns the defaults overridden by the process environment.
func FromEnv() Config {
	c := Default()
	c.Bind(flag.NewFlagSet("env", flag.ContinueOnError), os.Getenv)
	return c
}

// Postgres reports whether the configuration selects PostgreSQL.
func (c Config) Postgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// Public returns the public base URL without a trailing slash.
func (c Config) Public() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	return "http://" + c.Addr
}

// MinBootstrapKeyLength is the shortest SWITCHBOARD_BOOTSTRAP_API_KEY
// accepted: an operator-chosen key must be as hard to guess as a generated
// one.
const MinBootstrapKeyLength = 32

// Validate reports the first setting that cannot work, with what to do.
func (c Config) Validate() error {
	checks := []struct {
		bad     bool
		message string
	}{
		{c.Addr == "", "SWITCHBOARD_ADDR is empty: set host:port, e.g. 127.0.0.1:8080"},
		{!validHostPort(c.Addr), fmt.Sprintf("SWITCHBOARD_ADDR %q is not host:port", c.Addr)},
		{c.DebugAddr != "" && !validHostPort(c.DebugAddr), fmt.Sprintf("SWITCHBOARD_DEBUG_ADDR %q is not host:port, e.g. 127.0.0.1:6060", c.DebugAddr)},
		{c.PublicURL != "" && !validPublicURL(c.PublicURL), fmt.Sprintf("SWITCHBOARD_PUBLIC_URL %q must be an absolute http or https URL", c.PublicURL)},
		{c.DatabaseURL != "" && !c.Postgres(), "SWITCHBOARD_DATABASE_URL must start with postgres:// (leave it empty to use the embedded SQLite store)"},
		{!c.Postgres() && c.DataDir == "", "SWITCHBOARD_DATA_DIR is empty: name a directory for the embedded store"},
		{c.Postgres() && c.EncryptionKey == "", "SWITCHBOARD_ENCRYPTION_KEY is required with PostgreSQL: every instance must share one key (generate one with `head -c 32 /dev/urandom | base64`)"},
		{c.BootstrapAPIKey != "" && len(c.BootstrapAPIKey) < MinBootstrapKeyLength, fmt.Sprintf("SWITCHBOARD_BOOTSTRAP_API_KEY has %d characters, fewer than %d: use a longer random key (e.g. `head -c 32 /dev/urandom | base64`), or unset it to have one generated", len(c.BootstrapAPIKey), MinBootstrapKeyLength)},
		{c.LinkTTL < time.Minute || c.LinkTTL > 24*time.Hour, "SWITCHBOARD_LINK_TTL must be between 1m and 24h"},
		{c.CacheTTL < 0 || c.CacheTTL > time.Minute, "SWITCHBOARD_CACHE_TTL must be between 0 (off) and 1m"},
		{c.ProbeInterval != 0 && (c.ProbeInterval < 10*time.Second || c.ProbeInterval > 24*time.Hour), "SWITCHBOARD_PROBE_INTERVAL must be 0 (off) or between 10s and 24h"},
		{c.ProbeStale < time.Minute || c.ProbeStale > 30*24*time.Hour, "SWITCHBOARD_PROBE_STALE must be between 1m and 720h"},
		{len(c.badEnv) > 0, strings.Join(c.badEnv, "; ")},
		{c.LogRetention < MinLogRetention || c.LogRetention > MaxLogRetention,
			fmt.Sprintf("SWITCHBOARD_LOG_RETENTION %s is out of range: keep execution logs between 1h and 8760h (a year)", c.LogRetention)},
		{c.EventRetention < MinEventRetention || c.EventRetention > MaxEventRetention,
			fmt.Sprintf("SWITCHBOARD_EVENT_RETENTION %s is out of range: keep webhook events between 96h (the retry ladder's four days) and 8760h (a year)", c.EventRetention)},
		{c.WebhookPoll < 100*time.Millisecond || c.WebhookPoll > time.Hour,
			fmt.Sprintf("SWITCHBOARD_WEBHOOK_POLL %s is out of range: poll for due deliveries every 100ms to 1h", c.WebhookPoll)},
		{c.ToolkitsDir != "" && !isDir(c.ToolkitsDir), fmt.Sprintf("SWITCHBOARD_TOOLKITS_DIR %q is not a directory: create it, or unset the variable to serve the built-in toolkits only", c.ToolkitsDir)},
		{!map[string]bool{"debug": true, "info": true, "warn": true, "error": true}[c.LogLevel], "SWITCHBOARD_LOG_LEVEL must be debug, info, warn or error"},
	}
	for _, parts := range []func() (int64, time.Duration, error){c.RateLimitParts, c.RateLimitUserParts, c.RateLimitAccountParts} {
		if _, _, err := parts(); err != nil {
			checks = append(checks, struct {
				bad     bool
				message string
			}{true, err.Error()})
		}
	}
	for _, ch := range checks {
		if ch.bad {
			return fmt.Errorf("invalid configuration: %s", ch.message)
		}
	}
	return nil
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

func validHostPort(s string) bool {
	_, _, err := net.SplitHostPort(s)
	return err == nil
}

func validPublicURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
