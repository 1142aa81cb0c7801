package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// EnvURL names the environment variable that points the tests at an existing
// PostgreSQL server instead of a throwaway cluster.
const EnvURL = "SWITCHBOARD_TEST_DATABASE_URL"

// databasePrefix starts the name of every database URL creates, so that
// leftovers on a shared server are easy to recognise.
const databasePrefix = "switchboard_test_"

var (
	mainRunning atomic.Bool

	serverOnce sync.Once
	srv        *server
	srvErr     error
)

// server is where the test databases are created: an external server or the
// throwaway cluster.
type server struct {
	// baseURL is the URL of the maintenance database; test database URLs
	// differ from it only in the path.
	baseURL *url.URL
	admin   *pgxpool.Pool
	cluster *cluster // nil for an external server
	// createOptions ends the CREATE DATABASE statement.
	createOptions string
}

// Main runs the tests of a package through m.Run, then stops the throwaway
// cluster if one was started, and exits with the tests' status. Call it from
// TestMain in every package whose tests call URL.
func Main(m *testing.M) {
	mainRunning.Store(true)
	code := m.Run()
	shutdown()
	os.Exit(code)
}

// URL returns a postgres:// URL of a new, empty database that only this test
// uses. The database is dropped, with any connections still open to it, when
// the test and its subtests have finished.
func URL(t testing.TB) string {
	t.Helper()
	s, err := getServer()
	if err != nil {
		if requireDatabase() {
			t.Fatalf("postgrestest: %v", err)
		}
		t.Skipf("postgrestest: %v", err)
	}

	name := databasePrefix + randomHex(8)
	ident := pgx.Identifier{name}.Sanitize()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// template0 has no connections, so tests may create databases in
	// parallel; template1 could be in use by a concurrent CREATE DATABASE.
	if _, err := s.admin.Exec(ctx, "CREATE DATABASE "+ident+s.createOptions); err != nil {
		t.Fatalf("postgrestest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE ends connections a test left open (PostgreSQL 13 and later).
		if _, err := s.admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			t.Errorf("postgrestest: drop database %s: %v", name, err)
		}
	})

	u := *s.baseURL
	u.Path = "/" + name
	u.RawPath = ""
	return u.String()
}

// requireDatabase reports whether a missing database fails tests instead of
// skipping them: it does under CI.
func requireDatabase() bool {
	ci := os.Getenv("CI")
	return ci != "" && ci != "false"
}

// getServer connects to the configured server or starts the cluster, once
// per test binary.
func getServer() (*server, error) {
	serverOnce.Do(func() { srv, srvErr = newServer() })
	return srv, srvErr
}

func newServer() (*server, error) {
	raw := os.Getenv(EnvURL)
	var c *cluster
	if raw == "" {
		if !mainRunning.Load() {
			return nil, errors.New("no " + EnvURL + " and the tests do not run through postgrestest.Main, which stops the cluster it starts; add func TestMain(m *testing.M) { postgrestest.Main(m) }")
		}
		var err error
		c, err = startCluster()
		if err != nil {
			return nil, fmt.Errorf("start PostgreSQL (or set %s): %w", EnvURL, err)
		}
		raw = c.url()
	}

	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		c.stop()
		// The URL may hold a password: never print it.
		return nil, fmt.Errorf("parse %s: want a postgres:// URL", EnvURL)
	}
	cfg, err := pgxpool.ParseConfig(raw)
	if err != nil {
		c.stop()
		return nil, fmt.Errorf("parse %s: %w", EnvURL, err)
	}
	cfg.MaxConns = 4
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgxpool.NewWithConfig(ctx, cfg)
	if err == nil {
		err = admin.Ping(ctx)
	}
	if err != nil {
		if admin != nil {
			admin.Close()
		}
		c.stop()
		return nil, fmt.Errorf("connect to test server: %w", err)
	}
	srv := &server{baseURL: u, admin: admin, cluster: c, createOptions: " TEMPLATE template0"}
	if c != nil {
		// Copying the files of template0 is twice as fast as logging
		// them to the WAL, the default since PostgreSQL 15. It costs two
		// checkpoints, which are cheap without fsync but not on a shared
		// server.
		var version int
		err := admin.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version)
		if err == nil && version >= 150000 {
			srv.createOptions += " STRATEGY FILE_COPY"
		}
	}
	return srv, nil
}

// shutdown closes the admin pool and stops the cluster, if they were made.
func shutdown() {
	if srv == nil {
		return
	}
	srv.admin.Close()
	if err := srv.cluster.stop(); err != nil {
		fmt.Fprintf(os.Stderr, "postgrestest: stop cluster: %v\n", err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}
