package e2e

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/app"
	"github.com/switchboard-dev/switchboard/internal/config"
	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
)

func TestMain(m *testing.M) { postgrestest.Main(m) }

// testKey is the bootstrap API key of every test server.
const testKey = "sb_test_0123456789abcdefghijklmnop"

// testEncryptionKey is a fixed root key, so restarted servers and several
// instances share it.
const testEncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// server is a Switchboard started by a test.
type server struct {
	URL    string
	App    *app.App
	Client *sdk.Client
	cancel context.CancelFunc
	done   chan struct{}
}

// serverOptions configure startServer.
type serverOptions struct {
	// DataDir is the SQLite directory; default a new temporary one.
	DataDir string
	// DatabaseURL selects PostgreSQL.
	DatabaseURL string
	// Listener, when set, is used instead of a new one.
	Listener net.Listener
	LinkTTL  time.Duration
	Now      func() time.Time
	// KeyFile makes the server use the generated key file in DataDir, as
	// the zero-configuration default does, instead of a fixed key.
	KeyFile bool
	// EncryptionKey and OldEncryptionKeys replace the fixed test key.
	EncryptionKey, OldEncryptionKeys string
	// Log, when set, receives the server's log.
	Log io.Writer
	// Catalog, when set, replaces the built-in toolkits.
	Catalog *toolkits.Catalog
	// NoLoopback leaves SWITCHBOARD_EGRESS_ALLOW_LOOPBACK off, as in
	// production; by default it is on, since the test provider and
	// upstreams run on 127.0.0.1.
	NoLoopback bool
	// ToolkitsDir, when set, is SWITCHBOARD_TOOLKITS_DIR, polled every
	// 10ms.
	ToolkitsDir string
	// AnswerMemory, when set, is the server's budget of upstream answer
	// bytes held in memory at once.
	AnswerMemory int64
	// NoExecutionLogs turns SWITCHBOARD_EXECUTION_LOGS off.
	NoExecutionLogs bool

	// OpenAPI checks every /api/v3.1 exchange against the OpenAPI
	// document (openAPIRecorder); a mismatch fails the test.
	OpenAPI bool

	// RootCAs, when set, are the CAs outbound https calls trust, for
	// https upstreams started by httptest.NewTLSServer.
	RootCAs *x509.CertPool
	// RateLimit, when set, is SWITCHBOARD_RATE_LIMIT; RateLimitUser and
	// RateLimitAccount are SWITCHBOARD_RATE_LIMIT_USER and _ACCOUNT.
	RateLimit, RateLimitUser, RateLimitAccount string
	// ProbeInterval, when set, turns the background prober on
	// (SWITCHBOARD_PROBE_INTERVAL); ProbeStale replaces its default.
	ProbeInterval, ProbeStale time.Duration
}

// startServer starts a Switchboard on 127.0.0.1 and stops it at cleanup.
func startServer(t testing.TB, o serverOptions) *server {
	t.Helper()
	l := o.Listener
	if l == nil {
		var err error
		l, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
	}
	cfg := config.Default()
	cfg.Addr = l.Addr().String()
	cfg.DataDir = o.DataDir
	if cfg.DataDir == "" {
		cfg.DataDir = filepath.Join(t.TempDir(), "data")
	}
	cfg.DatabaseURL = o.DatabaseURL
	if !o.KeyFile {
		cfg.EncryptionKey = testEncryptionKey
		if o.EncryptionKey != "" {
			cfg.EncryptionKey, cfg.OldEncryptionKeys = o.EncryptionKey, o.OldEncryptionKeys
		}
	}
	if o.LinkTTL != 0 {
		cfg.LinkTTL = o.LinkTTL
	}
	cfg.EgressAllowLoopback = !o.NoLoopback
	cfg.ToolkitsDir = o.ToolkitsDir
	cfg.ExecutionLogs = !o.NoExecutionLogs
	cfg.RateLimit = o.RateLimit
	cfg.RateLimitUser, cfg.RateLimitAccount = o.RateLimitUser, o.RateLimitAccount
	cfg.ProbeInterval = o.ProbeInterval
	if o.ProbeStale != 0 {
		cfg.ProbeStale = o.ProbeStale
	}
	logTo := io.Discard
	switch {
	case o.Log != nil:
		logTo = o.Log
	case os.Getenv("SWITCHBOARD_TEST_LOG") != "":
		logTo = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logTo, nil))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, app.Options{EgressLoopbackOnly: true, Logger: log, Now: o.Now, Catalog: o.Catalog, AnswerMemory: o.AnswerMemory, EgressRootCAs: o.RootCAs, ToolkitsPoll: 10 * time.Millisecond})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if _, _, err := a.Projects.Bootstrap(ctx, testKey); err != nil {
		t.Fatal(err)
	}
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if o.OpenAPI {
		a.Handler = newOpenAPIRecorder(t).wrap(a.Handler)
	}
	s := &server{URL: "http://" + cfg.Addr, App: a, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := a.Serve(ctx, l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	s.Client = sdk.New(testKey, s.URL)
	t.Cleanup(s.Stop)
	return s
}

// Stop shuts the server down and closes its store; calling it twice is fine.
func (s *server) Stop() {
	if s.cancel == nil {
		return
	}
	s.cancel()
	<-s.done
	s.App.Close()
	s.cancel = nil
}

// identity is an end user's login at the test provider.
type identity struct{ Login, Password, Email string }

var (
	work     = identity{"alice-work", "work-pw", "alice@work.example"}
	personal = identity{"alice-home", "home-pw", "alice@home.example"}
)

// provider starts the OAuth2 provider with both identities, and registers
// a client whose redirect URI is each given server's callback.
func provider(t testing.TB, servers ...*server) *oauthtest.Provider {
	t.Helper()
	p := oauthtest.NewProvider(t)
	for _, id := range []identity{work, personal} {
		p.AddUser(id.Login, id.Password, id.Email)
	}
	for _, s := range servers {
		p.RegisterClient("switchboard-client", "switchboard-secret", s.URL+"/api/v3/toolkits/auth/callback")
	}
	return p
}

// gmailConfig creates the gmail auth config pointing at the provider.
func gmailConfig(t testing.TB, c *sdk.Client, p *oauthtest.Provider) string {
	t.Helper()
	res, err := c.AuthConfigs().Create(context.Background(), "gmail", wire.AuthConfigSpec{
		Type:       "use_custom_auth",
		Name:       "Gmail (test provider)",
		AuthScheme: "OAUTH2",
		Credentials: map[string]any{
			"client_id":         "switchboard-client",
			"client_secret":     "switchboard-secret",
			"scopes":            []any{"https://mail.google.com/", "openid", "email"},
			"authorization_url": p.AuthorizeURL(),
			"token_url":         p.TokenURL(),
			"userinfo_url":      p.GmailProfileURL(),
		},
	})
	if err != nil {
		t.Fatalf("create gmail auth config: %v", err)
	}
	return res.AuthConfig.ID
}

// consent plays the end user: opens the link, signs in at the provider
// as id and allows (or denies) access. It returns the final response.
func consent(t testing.TB, link string, id identity, allow bool) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := oauthtest.Consent(ctx, nil, link, id.Login, id.Password, allow)
	if err != nil {
		t.Fatalf("consent as %s: %v", id.Login, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return resp
}

func body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return string(b)
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
