package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/postgres"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/internal/store/sqlite"
)

// This file is the scale scenario (issue 12 item 3): the real binary's
// start time and memory on a database of many accounts and sessions
// against an empty one, and the default-account lookup there against a
// primary-key lookup.

// scaleRun configures the scale scenario.
type scaleRun struct {
	bin, work          string
	accounts, sessions int
	n, rounds          int
	stores             []string
}

// scaleToolkit is the toolkit of the seeded accounts.
const scaleToolkit = "benchgh"

// accountsPerUser is how many accounts each seeded user has.
const accountsPerUser = 4

// scaleFigures are one store's results.
type scaleFigures struct {
	store                    string
	seedTook                 time.Duration
	emptyStart, fullStart    time.Duration
	emptyRSS, fullRSS        int64
	pk50, pk99, def50, def99 time.Duration
	found, n                 int
	plan                     string
}

func scaleBench(ctx context.Context, w io.Writer, r scaleRun) error {
	dir := filepath.Join(r.work, "toolkits")
	if err := writeFiles(dir, map[string][]byte{scaleToolkit + ".json": benchToolkit(scaleToolkit)}); err != nil {
		return err
	}
	fmt.Fprintf(w, "machine: %s\nseed: %d accounts (%d users x %d, one toolkit), %d sessions\n\n", machine(), r.accounts, r.accounts/accountsPerUser, accountsPerUser, r.sessions)
	var all []scaleFigures
	for _, st := range r.stores {
		f, err := scaleStore(ctx, w, r, st, dir)
		if err != nil {
			return fmt.Errorf("%s: %w", st, err)
		}
		all = append(all, f)
	}
	fmt.Fprintf(w, "\n| figure | %s |\n| --- |%s\n", strings.Join(scaleNames(all), " | "), strings.Repeat(" --- |", len(all)))
	row := func(name string, f func(scaleFigures) string) {
		var cells []string
		for _, s := range all {
			cells = append(cells, f(s))
		}
		fmt.Fprintf(w, "| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	row("seeding (bulk insert, indexes included)", func(s scaleFigures) string { return s.seedTook.Round(time.Millisecond).String() })
	row("start until ready, seeded / empty (median)", func(s scaleFigures) string {
		return fmt.Sprintf("%s / %s = %.2fx", ms(s.fullStart), ms(s.emptyStart), ratio(s.fullStart, s.emptyStart))
	})
	row("RSS when ready, seeded / empty (median)", func(s scaleFigures) string {
		return fmt.Sprintf("%.1f / %.1f MiB = %.2fx", mib(s.fullRSS), mib(s.emptyRSS), float64(s.fullRSS)/float64(s.emptyRSS))
	})
	row("store: DefaultAccount p50 / GetAccount p50", func(s scaleFigures) string {
		return fmt.Sprintf("%s / %s = %.2fx", us(s.def50), us(s.pk50), ratio(s.def50, s.pk50))
	})
	row("store: DefaultAccount p99 / GetAccount p99", func(s scaleFigures) string {
		return fmt.Sprintf("%s / %s = %.2fx", us(s.def99), us(s.pk99), ratio(s.def99, s.pk99))
	})
	row("default lookups that found an account", func(s scaleFigures) string { return fmt.Sprintf("%d of %d", s.found, s.n) })
	for _, s := range all {
		fmt.Fprintf(w, "\n%s plan of the default-account query:\n%s\n", s.store, s.plan)
	}
	return nil
}

func scaleNames(fs []scaleFigures) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.store)
	}
	return out
}

func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

// scaleStore measures one store: it prepares an empty and a seeded
// database through the binary (migrations, bootstrap key, auth config),
// fills the seeded one in bulk, then interleaves starts of both, and
// measures the lookups.
func scaleStore(ctx context.Context, w io.Writer, r scaleRun, st, dir string) (scaleFigures, error) {
	f := scaleFigures{store: st}
	key := newKey()
	token := newKey()
	up, err := startPart(ctx, cmdUpstream, "-token", token)
	if err != nil {
		return f, err
	}
	defer up.stop()
	cfgs := map[string]serverConfig{}
	var dbURL map[string]string
	if st == "postgres" {
		base, stop, err := postgrestest.Start()
		if err != nil {
			return f, fmt.Errorf("start PostgreSQL (Debian's postgresql-15 package): %w", err)
		}
		defer stop()
		dbURL, err = twoDatabases(ctx, base)
		if err != nil {
			return f, err
		}
	}
	for _, v := range []string{"empty", "seeded"} {
		c := serverConfig{bin: r.bin, dataDir: filepath.Join(r.work, "scale-"+st+"-"+v), toolkitsDir: dir, key: key,
			env: []string{"SWITCHBOARD_EGRESS_ALLOW_LOOPBACK=true", "SWITCHBOARD_EXECUTION_LOGS=false"}}
		if st == "postgres" {
			c.env = append(c.env, "SWITCHBOARD_DATABASE_URL="+dbURL[v], "SWITCHBOARD_ENCRYPTION_KEY="+encryptionKey())
		}
		cfgs[v] = c
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}

	// Each database gets its schema, key and one auth config and account
	// from the binary itself.
	var projectID, authConfigID string
	for _, v := range []string{"empty", "seeded"} {
		srv, err := start(ctx, cfgs[v])
		if err != nil {
			return f, err
		}
		if _, err := srv.waitReady(hc, time.Now(), "/api/v3.1/toolkits/"+scaleToolkit); err != nil {
			srv.stop()
			return f, err
		}
		ac, err := scaleAuthConfig(srv, hc, up.url, token)
		srv.stop()
		if err != nil {
			return f, err
		}
		if v == "seeded" {
			authConfigID = ac
		}
	}

	fmt.Fprintf(w, "%s: seeding %d accounts and %d sessions ...\n", st, r.accounts, r.sessions)
	began := time.Now()
	var s store.Store
	var explain func(string) (string, error)
	switch st {
	case "sqlite":
		path := filepath.Join(cfgs["seeded"].dataDir, "switchboard.db")
		if projectID, err = seedSQLite(ctx, path, authConfigID, r); err != nil {
			return f, err
		}
		f.seedTook = time.Since(began)
		ss, err := sqlite.Open(ctx, path)
		if err != nil {
			return f, err
		}
		defer ss.Close()
		s = ss
		db, err := sql.Open("sqlite", path)
		if err != nil {
			return f, err
		}
		defer db.Close()
		explain = func(user string) (string, error) { return sqlitePlan(ctx, db, projectID, user) }
	case "postgres":
		if projectID, err = seedPostgres(ctx, dbURL["seeded"], authConfigID, r); err != nil {
			return f, err
		}
		f.seedTook = time.Since(began)
		ps, err := postgres.Open(ctx, dbURL["seeded"])
		if err != nil {
			return f, err
		}
		defer ps.Close()
		s = ps
		explain = func(user string) (string, error) { return postgresPlan(ctx, dbURL["seeded"], projectID, user) }
	}
	fmt.Fprintf(w, "%s: seeded in %v\n", st, f.seedTook.Round(time.Millisecond))
	if f.plan, err = explain(scaleUser(r.accounts / accountsPerUser / 2)); err != nil {
		return f, err
	}

	if err := scaleLookups(ctx, s, projectID, r, &f); err != nil {
		return f, err
	}

	// Starts, interleaved: empty, seeded, empty, seeded, ...
	var starts = map[string][]time.Duration{}
	var rss = map[string][]int64{}
	for range r.rounds {
		for _, v := range []string{"empty", "seeded"} {
			began := time.Now()
			srv, err := start(ctx, cfgs[v])
			if err != nil {
				return f, err
			}
			took, err := srv.waitReady(hc, began, "/api/v3.1/toolkits/"+scaleToolkit)
			if err != nil {
				srv.stop()
				return f, err
			}
			m, _, err := srv.memory()
			srv.stop()
			if err != nil {
				return f, err
			}
			starts[v] = append(starts[v], took)
			rss[v] = append(rss[v], m)
		}
	}
	f.emptyStart, f.fullStart = median(starts["empty"]), median(starts["seeded"])
	f.emptyRSS, f.fullRSS = median(rss["empty"]), median(rss["seeded"])
	return f, nil
}

// scaleAuthConfig makes the auth config of the seeded accounts, and an
// account of it, through the API.
func scaleAuthConfig(srv *server, hc *http.Client, upstream, token string) (string, error) {
	status, body, err := srv.send(hc, http.MethodPost, "/api/v3.1/auth_configs",
		`{"toolkit":{"slug":"`+scaleToolkit+`"},"auth_config":{"type":"use_custom_auth","authScheme":"BEARER_TOKEN","credentials":{"base_url":"`+upstream+`"}}}`)
	if err != nil || status != http.StatusCreated {
		return "", fmt.Errorf("create auth config: %d %s %v", status, body, err)
	}
	var ac struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	json.Unmarshal(body, &ac)
	status, body, err = srv.send(hc, http.MethodPost, "/api/v3.1/connected_accounts",
		`{"auth_config":{"id":"`+ac.AuthConfig.ID+`"},"connection":{"user_id":"user_api","state":{"authScheme":"BEARER_TOKEN","val":{"token":"`+token+`"}}}}`)
	if err != nil || status != http.StatusCreated {
		return "", fmt.Errorf("create connected account: %d %s %v", status, body, err)
	}
	status, body, err = srv.send(hc, http.MethodPost, "/api/v3.1/tool_router/session", `{"user_id":"user_api","toolkits":{"enable":["`+scaleToolkit+`"]}}`)
	if err != nil || status != http.StatusCreated && status != http.StatusOK {
		return "", fmt.Errorf("create session: %d %s %v", status, body, err)
	}
	return ac.AuthConfig.ID, nil
}

// twoDatabases makes the empty and the seeded database in one cluster.
func twoDatabases(ctx context.Context, base string) (map[string]string, error) {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	out := map[string]string{}
	for _, v := range []string{"empty", "seeded"} {
		if _, err := conn.Exec(ctx, "CREATE DATABASE scale_"+v); err != nil {
			return nil, err
		}
		u, err := url.Parse(base)
		if err != nil {
			return nil, err
		}
		u.Path = "/scale_" + v
		out[v] = u.String()
	}
	return out, nil
}

// scaleUser is the id of seeded user n.
func scaleUser(n int) string { return fmt.Sprintf("user-%07d", n) }

// scaleAccountID is the id of seeded account n.
func scaleAccountID(n int) string { return fmt.Sprintf("ca_scale%08d", n) }

// scaleRow is one seeded account.
type scaleRow struct {
	id, user, status string
	connected        *time.Time
	isDefault        bool
	created          time.Time
}

// scaleRows yields the seeded accounts: accountsPerUser per user, with
// mixed statuses (about 55% ACTIVE, 15% EXPIRED, 10% each INACTIVE,
// FAILED and INITIATED); one user in ten chose a default, in whatever
// status it is now.
func scaleRows(n int, yield func(scaleRow) error) error {
	rng := rand.New(rand.NewPCG(12, 3))
	epoch := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		u := i / accountsPerUser
		row := scaleRow{id: scaleAccountID(i), user: scaleUser(u), created: epoch.Add(time.Duration(i) * time.Second)}
		switch p := rng.IntN(100); {
		case p < 55:
			row.status = store.StatusActive
		case p < 70:
			row.status = store.StatusExpired
		case p < 80:
			row.status = store.StatusInactive
		case p < 90:
			row.status = store.StatusFailed
		default:
			row.status = store.StatusInitiated
		}
		if row.status != store.StatusFailed && row.status != store.StatusInitiated {
			c := row.created.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))))
			row.connected = &c
		}
		row.isDefault = u%10 == 0 && i%accountsPerUser == 1
		if err := yield(row); err != nil {
			return err
		}
	}
	return nil
}

// scaleSessions yields the seeded sessions' ids and users, one per user
// until they run out, then round again.
func scaleSessions(r scaleRun, yield func(id, user string) error) error {
	users := max(r.accounts/accountsPerUser, 1)
	for i := range r.sessions {
		if err := yield(fmt.Sprintf("trs_scale%07d", i), scaleUser(i%users)); err != nil {
			return err
		}
	}
	return nil
}

// seedSQLite fills the SQLite database at path in one transaction of
// prepared statements, and returns the project id.
func seedSQLite(ctx context.Context, path, authConfigID string, r scaleRun) (string, error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return "", err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, p := range []string{"PRAGMA busy_timeout = 10000", "PRAGMA journal_mode = WAL", "PRAGMA cache_size = -262144", "PRAGMA synchronous = OFF"} {
		if _, err := db.ExecContext(ctx, p); err != nil {
			return "", err
		}
	}
	var projectID string
	if err := db.QueryRowContext(ctx, `SELECT project_id FROM auth_configs WHERE id = ?`, authConfigID).Scan(&projectID); err != nil {
		return "", fmt.Errorf("find the project: %w", err)
	}
	// A session of the binary's own making, copied for every seeded one.
	var config []byte
	var version int
	if err := db.QueryRowContext(ctx, `SELECT config, config_version FROM sessions WHERE project_id = ? LIMIT 1`, projectID).Scan(&config, &version); err != nil {
		return "", fmt.Errorf("find the API's session: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO accounts (id, project_id, user_id, toolkit_slug, auth_config_id, status,
	connected_at, created_at, updated_at, is_default) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return "", err
	}
	const layout = "2006-01-02T15:04:05.000000Z"
	err = scaleRows(r.accounts, func(row scaleRow) error {
		var connected any
		if row.connected != nil {
			connected = row.connected.Format(layout)
		}
		_, err := ins.ExecContext(ctx, row.id, projectID, row.user, scaleToolkit, authConfigID, row.status,
			connected, row.created.Format(layout), row.created.Format(layout), row.isDefault)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("insert accounts: %w", err)
	}
	sess, err := tx.PrepareContext(ctx, `INSERT INTO sessions (id, project_id, user_id, config, config_version, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return "", err
	}
	now := time.Now().UTC().Format(layout)
	if err := scaleSessions(r, func(id, user string) error {
		_, err := sess.ExecContext(ctx, id, projectID, user, config, version, now, now)
		return err
	}); err != nil {
		return "", fmt.Errorf("insert sessions: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return "", err
	}
	_, err = db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return projectID, err
}

// seedPostgres fills the PostgreSQL database with COPY, and returns the
// project id.
func seedPostgres(ctx context.Context, dbURL, authConfigID string, r scaleRun) (string, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	var projectID string
	if err := conn.QueryRow(ctx, `SELECT project_id FROM auth_configs WHERE id = $1`, authConfigID).Scan(&projectID); err != nil {
		return "", fmt.Errorf("find the project: %w", err)
	}
	var rows [][]any
	flush := func() error {
		_, err := conn.CopyFrom(ctx, pgx.Identifier{"accounts"},
			[]string{"id", "project_id", "user_id", "toolkit_slug", "auth_config_id", "status", "connected_at", "created_at", "updated_at", "is_default"},
			pgx.CopyFromRows(rows))
		rows = rows[:0]
		return err
	}
	err = scaleRows(r.accounts, func(row scaleRow) error {
		rows = append(rows, []any{row.id, projectID, row.user, scaleToolkit, authConfigID, row.status, row.connected, row.created, row.created, row.isDefault})
		if len(rows) == 50_000 {
			return flush()
		}
		return nil
	})
	if err == nil && len(rows) > 0 {
		err = flush()
	}
	if err != nil {
		return "", fmt.Errorf("copy accounts: %w", err)
	}
	// A session of the binary's own making, copied for every seeded one.
	var config []byte
	var version int
	if err := conn.QueryRow(ctx, `SELECT config, config_version FROM sessions WHERE project_id = $1 LIMIT 1`, projectID).Scan(&config, &version); err != nil {
		return "", fmt.Errorf("find the API's session: %w", err)
	}
	now := time.Now().UTC()
	var srows [][]any
	if err := scaleSessions(r, func(id, user string) error {
		srows = append(srows, []any{id, projectID, user, config, version, now, now})
		return nil
	}); err != nil {
		return "", err
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"sessions"},
		[]string{"id", "project_id", "user_id", "config", "config_version", "created_at", "updated_at"}, pgx.CopyFromRows(srows)); err != nil {
		return "", fmt.Errorf("copy sessions: %w", err)
	}
	_, err = conn.Exec(ctx, "ANALYZE accounts; ANALYZE sessions")
	return projectID, err
}

// The default-account query, as both backends write it
// (internal/store/*/accounts.go defaultAccountQuery), for EXPLAIN.
const (
	scaleSQLiteQuery = `SELECT id FROM accounts WHERE project_id = ? AND user_id = ? AND toolkit_slug = ? AND (is_default = 1 OR status = 'ACTIVE')
ORDER BY is_default DESC, connected_at DESC NULLS LAST, id DESC LIMIT 1`
	scalePostgresQuery = `SELECT id FROM accounts WHERE project_id = $1 AND user_id = $2 AND toolkit_slug = $3 AND (is_default OR status = 'ACTIVE')
ORDER BY is_default DESC, connected_at DESC NULLS LAST, id DESC LIMIT 1`
)

func sqlitePlan(ctx context.Context, db *sql.DB, projectID, user string) (string, error) {
	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+scaleSQLiteQuery, projectID, user, scaleToolkit)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		steps = append(steps, "  "+detail)
	}
	return strings.Join(steps, "\n"), rows.Err()
}

func postgresPlan(ctx context.Context, dbURL, projectID, user string) (string, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) "+scalePostgresQuery, projectID, user, scaleToolkit)
	if err != nil {
		return "", err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	for i := range lines {
		lines[i] = "  " + lines[i]
	}
	return strings.Join(lines, "\n"), err
}

// scaleLookups times the store's DefaultAccount of random seeded users
// against GetAccount of random seeded accounts, one of each per
// iteration in alternating order, after a warm-up.
func scaleLookups(ctx context.Context, s store.Store, projectID string, r scaleRun, f *scaleFigures) error {
	rng := rand.New(rand.NewPCG(5, 6))
	users := r.accounts / accountsPerUser
	pk := func() (time.Duration, error) {
		began := time.Now()
		_, err := s.GetAccount(ctx, projectID, scaleAccountID(rng.IntN(r.accounts)))
		return time.Since(began), err
	}
	def := func() (time.Duration, error) {
		began := time.Now()
		_, err := s.DefaultAccount(ctx, projectID, scaleUser(rng.IntN(users)), scaleToolkit)
		took := time.Since(began)
		if err == nil {
			f.found++
		}
		if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
		return took, err
	}
	for range 200 {
		if _, err := pk(); err != nil {
			return fmt.Errorf("GetAccount: %w", err)
		}
		if _, err := def(); err != nil {
			return fmt.Errorf("DefaultAccount: %w", err)
		}
	}
	f.found = 0
	var pks, defs []time.Duration
	for i := range r.n {
		a, b := pk, def
		if i%2 == 1 {
			a, b = def, pk
		}
		ta, err := a()
		if err != nil {
			return err
		}
		tb, err := b()
		if err != nil {
			return err
		}
		if i%2 == 0 {
			pks, defs = append(pks, ta), append(defs, tb)
		} else {
			defs, pks = append(defs, ta), append(pks, tb)
		}
	}
	f.n = r.n
	f.pk50, f.pk99 = quantile(pks, 0.5), quantile(pks, 0.99)
	f.def50, f.def99 = quantile(defs, 0.5), quantile(defs, 0.99)
	return nil
}
