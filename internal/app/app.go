// Package app wires Switchboard together from a Config: store, vault,
// catalog, domain services and the HTTP surfaces. cmd/switchboard and the
// end-to-end tests both start servers through it.
package app

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/api"
	"github.com/switchboard-dev/switchboard/internal/audit"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/catalog"
	"github.com/switchboard-dev/switchboard/internal/config"
	"github.com/switchboard-dev/switchboard/internal/console"
	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/execlog"
	"github.com/switchboard-dev/switchboard/internal/execute"
	"github.com/switchboard-dev/switchboard/internal/mcp"
	"github.com/switchboard-dev/switchboard/internal/metatools"
	"github.com/switchboard-dev/switchboard/internal/metrics"
	"github.com/switchboard-dev/switchboard/internal/projects"
	"github.com/switchboard-dev/switchboard/internal/ratelimit"
	"github.com/switchboard-dev/switchboard/internal/remotemcp"
	"github.com/switchboard-dev/switchboard/internal/reqlog"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/signin"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/cache"
	"github.com/switchboard-dev/switchboard/internal/store/postgres"
	"github.com/switchboard-dev/switchboard/internal/store/sqlite"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/internal/vault"
	"github.com/switchboard-dev/switchboard/internal/web"
	"github.com/switchboard-dev/switchboard/internal/webhooks"
)

// App is a wired Switchboard.
type App struct {
	Config config.Config
	Store  store.Store
	Vault  *vault.Keyring
	// Catalog holds the toolkits in use: the built-ins (or Options.Catalog)
	// plus the files of Config.ToolkitsDir, replaced when those change.
	Catalog *toolkits.Registry
	// Catalogs gives each project its catalog: Catalog's toolkits and
	// its own custom ones.
	Catalogs    *catalog.Service
	Projects    *projects.Service
	AuthConfigs *authconfigs.Service
	Accounts    *accounts.Service
	SignIn      *signin.Service
	Sessions    *sessions.Service
	Execute     *execute.Service
	Meta        *metatools.Service
	// ExecutionLogs reads the execution logs and sweeps them past their
	// retention; LogWriter stores them in batches (nil when
	// Config.ExecutionLogs is off). Audit keeps the audit log.
	ExecutionLogs *execlog.Service
	LogWriter     *execlog.Writer
	Audit         *audit.Service
	Webhooks      *webhooks.Service
	Logger        *slog.Logger
	// Metrics are the Prometheus metrics served at GET /metrics.
	Metrics *metrics.Metrics
	// Handler serves the API, the hosted pages and the health checks.
	Handler http.Handler

	raw store.Store
	// remote keeps the sessions with remote MCP servers; Close closes them.
	remote      *remotemcp.Client
	cache       *cache.Store
	toolkitsDir *toolkits.Dir // nil without Config.ToolkitsDir
}

// ForgetCaches empties every in-memory cache, so the next requests look
// everything up cold.
func (a *App) ForgetCaches() {
	a.Accounts.ForgetCredentials()
	if a.cache != nil {
		a.cache.Purge()
	}
}

// ForgetAccounts empties the account and credential caches, so the next
// calls look their account and credentials up in the store and open them.
func (a *App) ForgetAccounts() {
	a.Accounts.ForgetCredentials()
	if a.cache != nil {
		a.cache.EvictAccounts()
	}
}

// Options are the dependencies a caller may inject.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
	// Catalog replaces the built-in toolkits; tests use it for auth
	// schemes no built-in toolkit has. The files of Config.ToolkitsDir
	// still load on top of it.
	Catalog *toolkits.Catalog
	// ToolkitsPoll is how often Config.ToolkitsDir is polled for changes;
	// toolkits.DefaultPollInterval when zero. Tests shorten it.
	ToolkitsPoll time.Duration
	// AnswerMemory is the budget of upstream answer bytes held in memory
	// at once (see execute.Memory); default execute.DefaultMemory.
	AnswerMemory int64
	// EgressRootCAs, when set, replace the system's certificate
	// authorities for outbound https calls; tests use it to reach https
	// upstreams on 127.0.0.1.
	EgressRootCAs *x509.CertPool
	// EgressLoopbackHosts are loopback hosts with ports that upstream
	// calls and auth config endpoints may name even with
	// SWITCHBOARD_EGRESS_ALLOW_LOOPBACK off: `switchboard demo` lists its
	// own provider's listener and nothing else.
	EgressLoopbackHosts []string
	// EgressLoopbackOnly makes every outbound client refuse every host
	// that is not loopback (egress.Options.LoopbackOnly): tool calls,
	// identity, token and refresh requests, remote MCP servers and
	// webhook deliveries. Test servers set it so that nothing they do,
	// whichever toolkit they connect, reaches a real vendor.
	EgressLoopbackOnly bool
}

// backends opens a store by the database URL's scheme, behind the guard
// that refuses text no backend can keep and tells outages from bugs.
var backends = map[string]func(ctx context.Context, c config.Config) (store.Store, error){
	"sqlite": func(ctx context.Context, c config.Config) (store.Store, error) {
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		s, err := sqlite.Open(ctx, filepath.Join(c.DataDir, "switchboard.db"))
		if err != nil {
			return nil, err
		}
		return store.Guard(s, sqlite.Unavailable), nil
	},
	"postgres": func(ctx context.Context, c config.Config) (store.Store, error) {
		s, err := postgres.Open(ctx, c.DatabaseURL)
		if err != nil {
			return nil, err
		}
		return store.Guard(s, postgres.Unavailable), nil
	},
}

// OpenStore opens the configured store.
func OpenStore(ctx context.Context, c config.Config) (store.Store, error) {
	kind := "sqlite"
	if c.Postgres() {
		kind = "postgres"
	}
	return backends[kind](ctx, c)
}

// OpenVault loads the root key: SWITCHBOARD_ENCRYPTION_KEY, or on the
// embedded default a key file in the data directory, made on first start.
func OpenVault(c config.Config, log *slog.Logger) (*vault.Keyring, error) {
	var active []byte
	var err error
	if c.EncryptionKey != "" {
		active, err = vault.ParseKey(c.EncryptionKey)
		if err != nil {
			return nil, fmt.Errorf("SWITCHBOARD_ENCRYPTION_KEY: %w", err)
		}
	} else {
		if c.Postgres() {
			return nil, errors.New("SWITCHBOARD_ENCRYPTION_KEY is required with PostgreSQL")
		}
		if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		path := filepath.Join(c.DataDir, "encryption.key")
		var created bool
		active, created, err = vault.LoadOrCreateKeyFile(path)
		if err != nil {
			return nil, err
		}
		if created {
			log.Warn("generated a new encryption key; back it up: without it the stored credentials cannot be read", "path", path)
		}
	}
	var old [][]byte
	for _, s := range strings.Split(c.OldEncryptionKeys, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		k, err := vault.ParseKey(s)
		if err != nil {
			return nil, fmt.Errorf("SWITCHBOARD_OLD_ENCRYPTION_KEYS: %w", err)
		}
		old = append(old, k)
	}
	return vault.NewKeyring(active, old...)
}

// CheckVault stops a start with the wrong encryption key, before anything
// is served: the store keeps a check value sealed by each key that used
// it, and the keyring must open one of them. A store from before the
// checks existed is checked by the key ids in its first auth configs'
// sealed secrets. The active key's check is added when missing, so a
// rotation records the new key while the old one still verifies.
func CheckVault(ctx context.Context, st store.Store, kr *vault.Keyring, now time.Time) error {
	checks, err := st.ListVaultChecks(ctx)
	if err != nil {
		return fmt.Errorf("read vault checks: %w", err)
	}
	blobs := make([][]byte, 0, len(checks))
	known := false
	for _, c := range checks {
		blobs = append(blobs, c.Sealed)
		known = known || c.KeyID == kr.ActiveKeyID()
	}
	if err := kr.VerifyChecks(blobs); err != nil {
		return err
	}
	if len(checks) == 0 {
		if err := checkSealedSecrets(ctx, st, kr); err != nil {
			return err
		}
	}
	if known {
		return nil
	}
	sealed, err := kr.SealCheck()
	if err != nil {
		return fmt.Errorf("seal vault check: %w", err)
	}
	err = st.AddVaultCheck(ctx, store.VaultCheck{KeyID: kr.ActiveKeyID(), Sealed: sealed, CreatedAt: now.UTC()})
	if err != nil && !errors.Is(err, store.ErrConflict) { // a conflict: another instance added it
		return fmt.Errorf("store vault check: %w", err)
	}
	return nil
}

// checkSealedSecrets refuses a keyring that holds none of the keys named
// by the sealed secrets of each project's newest auth configs.
func checkSealedSecrets(ctx context.Context, st store.Store, kr *vault.Keyring) error {
	ps, err := st.ListProjects(ctx)
	if err != nil {
		return fmt.Errorf("list projects: %w", err)
	}
	for _, p := range ps {
		page, err := st.ListAuthConfigs(ctx, p.ID, store.AuthConfigFilter{IncludeDisabled: true, Limit: 20})
		if err != nil {
			return fmt.Errorf("list auth configs: %w", err)
		}
		for _, ac := range page.Items {
			if len(ac.SealedSecrets) > 0 && !kr.Holds(ac.SealedSecrets) {
				return fmt.Errorf("%w: the configured keys do not include key %s, which sealed the secrets of auth config %s; set SWITCHBOARD_ENCRYPTION_KEY to the key this store was used with",
					vault.ErrWrongKey, vault.KeyIDOf(ac.SealedSecrets), ac.ID)
			}
		}
	}
	return nil
}

// New wires a Switchboard from a configuration. Close releases it.
func New(ctx context.Context, c config.Config, o Options) (*App, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	// Every record gets the request's ids and loses its secrets, whatever
	// handler the caller gave.
	if _, ok := o.Logger.Handler().(reqlog.Handler); !ok {
		o.Logger = slog.New(reqlog.Handler{Handler: o.Logger.Handler()})
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	kr, err := OpenVault(c, o.Logger)
	if err != nil {
		return nil, err
	}
	base := o.Catalog
	if base == nil {
		if base, err = toolkits.Builtin(); err != nil {
			return nil, err
		}
	}
	// Every service reads the catalog through the registry, so a reload of
	// the toolkits directory reaches them all at once.
	global := toolkits.NewRegistry(base)
	var dir *toolkits.Dir
	if c.ToolkitsDir != "" {
		dir = &toolkits.Dir{Path: c.ToolkitsDir, Base: base, Registry: global, Logger: o.Logger, Interval: o.ToolkitsPoll}
		// A broken file is logged and skipped; only an unreadable
		// directory stops the start.
		if _, err := dir.Load(); err != nil {
			return nil, err
		}
	}
	// A migration that takes long (a large table) says so on the log, so
	// a start that seems stuck is seen to be working.
	mctx := store.WithMigrationProgress(ctx, func(version string, done bool, took time.Duration) {
		if done {
			o.Logger.Info("migration applied", "version", version, "took", took.Round(time.Millisecond))
		} else {
			o.Logger.Info("applying migration; a large table can take a while", "version", version)
		}
	})
	st, err := OpenStore(mctx, c)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := CheckVault(ctx, st, kr, o.Now()); err != nil {
		st.Close()
		return nil, err
	}
	a := &App{Config: c, Vault: kr, Catalog: global, Logger: o.Logger, raw: st, toolkitsDir: dir}
	// The metrics time the store below the barrier and the caches: the
	// database's own calls. Accounts are counted there too, without
	// opening their credentials.
	a.Metrics = metrics.New()
	if g, ok := st.(*store.Guarded); ok {
		g.Observe(a.Metrics.StoreCall)
		a.Metrics.WatchPools(g)
	}
	a.Metrics.WatchAccounts(st, 15*time.Second)
	a.Metrics.WatchOutbox(st.CountPendingDeliveries, 5*time.Second)
	rateN, rateWindow, _ := c.RateLimitParts() // Validate checked these
	userN, userWindow, _ := c.RateLimitUserParts()
	accountN, accountWindow, _ := c.RateLimitAccountParts()
	// Above this line records carry ciphertext, below it plaintext: the
	// barrier is the one place that seals and opens.
	barrier := vault.NewBarrier(st, kr)
	st = barrier
	if c.CacheTTL > 0 {
		a.cache = cache.New(st, c.CacheTTL)
		st = a.cache
	}
	a.Store = st
	a.Projects = &projects.Service{Store: st, Now: o.Now}
	// Each project sees the global catalog plus its own custom toolkits.
	a.Catalogs = &catalog.Service{Store: st, Global: global.Current, Logger: o.Logger, Now: o.Now, AllowLoopback: c.EgressAllowLoopback,
		// Read at call time: the auth configs service is made below.
		Accounts: func(ctx context.Context, projectID, toolkit string) (int, error) {
			return a.AuthConfigs.ToolkitAccounts(ctx, projectID, toolkit)
		}}
	// Every outbound call goes through these clients: tool executions, the
	// proxy, and the OAuth token, refresh and identity calls.
	out := &egress.Clients{Timeout: 60 * time.Second, AllowLoopback: c.EgressAllowLoopback, RootCAs: o.EgressRootCAs,
		LoopbackHosts: o.EgressLoopbackHosts, LoopbackOnly: o.EgressLoopbackOnly}
	a.AuthConfigs = &authconfigs.Service{Store: st, Catalog: a.Catalogs, Now: o.Now, AllowLoopback: c.EgressAllowLoopback,
		LoopbackHosts: o.EgressLoopbackHosts}
	a.Accounts = &accounts.Service{
		Store: st, AuthConfigs: a.AuthConfigs, Catalog: a.Catalogs, Egress: out, Now: o.Now,
		PublicURL: c.Public(), LinkTTL: c.LinkTTL, Logger: o.Logger, Metrics: a.Metrics,
	}
	a.Sessions = &sessions.Service{Store: st, Accounts: a.Accounts, AuthConfigs: a.AuthConfigs, Catalog: a.Catalogs, Now: o.Now}
	a.SignIn = &signin.Service{
		Store: st, Accounts: a.Accounts, AuthConfigs: a.AuthConfigs, Catalog: a.Catalogs, Egress: out, Now: o.Now, Logger: o.Logger,
		Sessions: a.Sessions,
	}
	if o.AnswerMemory == 0 {
		o.AnswerMemory = execute.DefaultMemory
	}
	memory := execute.NewMemory(o.AnswerMemory)
	// Remote MCP servers are reached through the same egress clients and
	// charged to the same answer budget as every other upstream.
	a.remote = &remotemcp.Client{Egress: out, Memory: memory}
	// The logs are written to the store below the barrier and the
	// caches: they hold no secrets to seal, and nothing reads them hot.
	a.ExecutionLogs = &execlog.Service{Store: a.raw, Logger: o.Logger, Now: o.Now, Retention: c.LogRetention}
	a.Audit = &audit.Service{Store: a.raw, Logger: o.Logger, Now: o.Now, Open: barrier.OpenRecord}
	if c.ExecutionLogs {
		a.LogWriter = execlog.NewWriter(a.raw, o.Logger, 0)
	}
	a.Execute = &execute.Service{
		Accounts: a.Accounts, AuthConfigs: a.AuthConfigs, Sessions: a.Sessions, Catalog: a.Catalogs,
		Egress: out, Logger: o.Logger, Now: o.Now, Memory: memory, Remote: a.remote, Custom: a.Catalogs, Metrics: a.Metrics,
		Logs: a.LogWriter,
		Limits: &ratelimit.Execute{
			User:    &ratelimit.Limiter{Store: st, Limit: userN, Window: userWindow, Now: o.Now, Scope: "user"},
			Account: &ratelimit.Limiter{Store: st, Limit: accountN, Window: accountWindow, Now: o.Now, Scope: "account"},
		},
	}
	a.Meta = &metatools.Service{
		Sessions: a.Sessions, Accounts: a.Accounts, Execute: a.Execute, Catalog: a.Catalogs, Logger: o.Logger, Now: o.Now,
	}
	// Deliveries get their own clients: a shorter timeout than upstream
	// calls, the same egress rules.
	a.Webhooks = &webhooks.Service{Store: st, Egress: &egress.Clients{Timeout: webhooks.Timeout, AllowLoopback: c.EgressAllowLoopback, LoopbackOnly: o.EgressLoopbackOnly},
		AllowLoopback: c.EgressAllowLoopback, Now: o.Now, Logger: o.Logger, Retention: c.EventRetention, Metrics: a.Metrics}
	mux := http.NewServeMux()
	(&api.Server{
		Projects: a.Projects, AuthConfigs: a.AuthConfigs, Accounts: a.Accounts, SignIn: a.SignIn, Sessions: a.Sessions,
		Execute: a.Execute, Meta: a.Meta, Catalog: a.Catalogs, Catalogs: a.Catalogs, Webhooks: a.Webhooks, Logger: o.Logger, PublicURL: c.Public(),
		ExecutionLogs: a.ExecutionLogs, Audit: a.Audit,
		Limits: &ratelimit.Limiter{Store: st, Limit: rateN, Window: rateWindow, Now: o.Now}, Metrics: a.Metrics,
	}).Mount(mux)
	(&web.Server{SignIn: a.SignIn, Logger: o.Logger, SecureCookies: strings.HasPrefix(c.Public(), "https://")}).Mount(mux)
	(&console.Server{
		Projects: a.Projects, AuthConfigs: a.AuthConfigs, Accounts: a.Accounts, Sessions: a.Sessions,
		ExecutionLogs: a.ExecutionLogs, Audit: a.Audit, Webhooks: a.Webhooks, Sealer: kr, Logger: o.Logger, Now: o.Now,
		SecureCookies: strings.HasPrefix(c.Public(), "https://"),
	}).Mount(mux)
	(&mcp.Server{
		Projects: a.Projects, Sessions: a.Sessions, Execute: a.Execute, Meta: a.Meta, Logger: o.Logger,
	}).Mount(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if err := st.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"status":"unavailable","reason":"the database does not answer"}`))
			return
		}
		w.Write([]byte(`{"status":"ready"}`))
	})
	mux.Handle("GET /metrics", a.Metrics.Handler(c.MetricsToken))
	a.Handler = a.Metrics.Wrap(mux)
	return a, nil
}

// Run starts the background work (account-change subscription, stale
// link sweeper, webhook deliveries, the toolkits directory's watch) until ctx ends.
func (a *App) Run(ctx context.Context) error {
	if err := a.Accounts.Start(ctx); err != nil {
		return fmt.Errorf("subscribe to account changes: %w", err)
	}
	go a.Accounts.RunSweeper(ctx, 15*time.Second)
	go a.Webhooks.Run(ctx, a.Config.WebhookPoll)
	go a.ExecutionLogs.RunSweeper(ctx, 10*time.Minute)
	go a.Webhooks.RunSweeper(ctx, 10*time.Minute)
	if a.Config.ProbeInterval > 0 {
		go a.Accounts.RunProber(ctx, accounts.ProbeOptions{Interval: a.Config.ProbeInterval, Stale: a.Config.ProbeStale, Batch: 50})
	}
	if a.toolkitsDir != nil {
		go a.toolkitsDir.Watch(ctx)
	}
	return nil
}

// Serve runs the HTTP server on l until ctx ends, then shuts down
// gracefully.
func (a *App) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		// Long-polls hold a response for up to a minute.
		WriteTimeout: 90 * time.Second,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	}
}

// Close writes the execution logs still queued and releases the store.
func (a *App) Close() error {
	if a.remote != nil {
		a.remote.Close()
	}
	if a.LogWriter != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := a.LogWriter.Close(ctx)
		cancel()
		if err != nil {
			a.Logger.Error("execution logs still queued at shutdown were not written", "error", err)
		}
	}
	return a.raw.Close()
}
