package postgres

import (
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq/sqlqtest"
)

// planFixture is 30,000 accounts of 3,000 users and three toolkits in
// project p1, a twentieth of them in p2, a mix of statuses and
// never-connected ones, with statistics: enough rows that the planner
// prefers an index wherever one helps.
const planFixture = `
INSERT INTO projects (id, name, created_at, updated_at) VALUES
	('p1', 'P1', now(), now()), ('p2', 'P2', now(), now());
INSERT INTO auth_configs (id, project_id, toolkit_slug, name, type, auth_scheme, status, created_at, updated_at)
	SELECT 'ac-' || p || '-' || k, p, k, k, 'default', 'OAUTH2', 'ENABLED', now(), now()
	FROM unnest(ARRAY['p1', 'p2']) p, unnest(ARRAY['github', 'gmail', 'slack']) k;
INSERT INTO accounts (id, project_id, user_id, toolkit_slug, auth_config_id, status, connected_at, created_at, updated_at)
	SELECT 'a' || i, p, 'u' || (i % 3000), k, 'ac-' || p || '-' || k,
		(ARRAY['ACTIVE', 'ACTIVE', 'ACTIVE', 'EXPIRED', 'FAILED', 'INITIATED'])[1 + i % 6],
		CASE WHEN i % 6 < 4 AND i % 50 <> 0 THEN now() - i * interval '1 second' END,
		now() - i * interval '1 second', now()
	FROM generate_series(1, 30000) i,
		LATERAL (SELECT CASE WHEN i % 20 = 0 THEN 'p2' ELSE 'p1' END p,
			(ARRAY['github', 'gmail', 'slack'])[1 + (i / 3000) % 3] k) x;
INSERT INTO execution_logs (id, project_id, tool_slug, toolkit_slug, connected_account_id, auth_config_id, user_id,
	session_id, request_id, status, error, upstream_status, started_at, ended_at)
	SELECT 'log' || i, CASE WHEN i % 20 = 0 THEN 'p2' ELSE 'p1' END, 'T' || (i % 30), 'github', 'a' || i, 'ac', 'u' || (i % 3000),
		'', 'req' || i, 'success', '', 200, now() - i * interval '1 second', now() - i * interval '1 second'
	FROM generate_series(1, 30000) i;
ANALYZE accounts;
ANALYZE execution_logs;
`

// TestQueryPlans checks with EXPLAIN that the lookups of one user's
// accounts use accounts_user_toolkit, and that the default account reads
// the first entry of it with no sort, in the custom plan and in the generic
// plan a prepared statement may switch to.
func TestQueryPlans(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, postgrestest.URL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if _, err := s.pool.Exec(ctx, planFixture, pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatalf("fill: %v", err)
	}

	// accountsList returns the statements ListAccounts runs for f.
	accountsList := func(f store.AccountFilter) (count, rows sqlq.Statement) {
		t.Helper()
		return sqlqtest.AccountsStatements(t, dialect, f)
	}
	mostRecentCount, mostRecentRows := accountsList(store.AccountFilter{UserIDs: []string{"u17"}, ToolkitSlugs: []string{"github"},
		Statuses: []string{store.StatusActive}, OrderBy: store.OrderConnectedAt, Limit: 1})
	usersCount, usersRows := accountsList(store.AccountFilter{UserIDs: []string{"u17", "u18"}, Limit: 10})
	_, projectRows := accountsList(store.AccountFilter{Limit: 10})
	connected := time.Now().Add(-time.Hour)
	_, usersCursorRows := accountsList(store.AccountFilter{UserIDs: []string{"u17", "u18"}, OrderBy: store.OrderConnectedAt,
		Cursor: dialect.Cursor(sqlq.Order{Col: "connected_at", Desc: true}, &connected, "a9"), Limit: 10})

	logsList := func(f store.ExecutionLogFilter) sqlq.Statement {
		t.Helper()
		return sqlqtest.ExecutionLogsStatement(t, dialect, f)
	}
	logsRows := logsList(store.ExecutionLogFilter{Limit: 20})
	logsToolRows := logsList(store.ExecutionLogFilter{Conditions: []store.Condition{{Field: store.LogFieldTool, Op: store.OpEqual, Value: "T7"}},
		Cursor: dialect.Cursor(sqlq.Order{Col: "started_at", Desc: true}, &connected, "log9"), Limit: 20})

	const (
		defaultScan = "Index Scan using accounts_default_first on accounts"
		indexOnly   = "Index Only Scan using accounts_user_toolkit on accounts"
		index       = "accounts_user_toolkit"
		sortNode    = "Sort"
		// userIndexCond is a search of an index on the user's accounts.
		userIndexCond = "Index Cond: ((project_id = 'p1'::text) AND (user_id = ANY ('{u17}'::text[])) AND (toolkit_slug = ANY ('{github}'::text[]))"
	)
	tests := []struct {
		name    string
		st      sqlq.Statement
		want    []string
		wantNot []string
	}{
		{"DefaultAccount", sqlq.Statement{Text: defaultAccountQuery, Args: []any{"p1", "u17", "github"}},
			[]string{defaultScan, "Index Cond: ((project_id = 'p1'::text) AND (user_id = 'u17'::text) AND (toolkit_slug = 'github'::text))"},
			[]string{sortNode, "Filter"}},
		// The ACTIVE accounts of a user and toolkit (a multi-account
		// session's candidates): either index of a user's accounts serves
		// them, accounts_default_first too, since its condition holds of
		// every ACTIVE row; the planner picks by cost.
		{"MostRecentListCount", mostRecentCount, []string{userIndexCond}, nil},
		{"MostRecentListRows", mostRecentRows, []string{userIndexCond}, nil},
		{"UsersCount", usersCount, []string{indexOnly}, nil},
		{"UsersRows", usersRows, []string{index}, nil},
		{"UsersRowsAfterCursor", usersCursorRows, []string{index}, nil},
		// A project's newest accounts come from accounts_created read
		// backwards, not from sorting the whole project.
		{"ProjectNewestFirst", projectRows, []string{"Index Scan Backward using accounts_created"}, []string{sortNode}},
		// So do a project's newest logs, from their ascending index.
		{"LogsNewestFirst", logsRows, []string{"Index Scan Backward using execution_logs_project_started"}, []string{sortNode}},
		{"LogsToolAfterCursor", logsToolRows, []string{"Index Scan Backward using execution_logs_project_started"}, []string{sortNode}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := s.pool.Query(ctx, "EXPLAIN "+tt.st.Text, tt.st.Args...)
			if err != nil {
				t.Fatalf("EXPLAIN: %v", err)
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatalf("EXPLAIN: %v", err)
			}
			checkPlan(t, tt.st.Text, strings.Join(lines, "\n"), tt.want, tt.wantNot)
		})
	}

	t.Run("DefaultAccountGeneric", func(t *testing.T) {
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			t.Fatalf("Acquire: %v", err)
		}
		defer conn.Release()
		// The simple protocol, so that PREPARE and EXPLAIN EXECUTE run as
		// written. Closing the pool later ends the session and its settings.
		_, err = conn.Exec(ctx, `SET plan_cache_mode = force_generic_plan;
			PREPARE default_account (text, text, text) AS `+defaultAccountQuery, pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			t.Fatalf("PREPARE: %v", err)
		}
		defer conn.Exec(ctx, "DEALLOCATE default_account; RESET plan_cache_mode", pgx.QueryExecModeSimpleProtocol)
		rows, err := conn.Query(ctx, "EXPLAIN EXECUTE default_account ('p1', 'u17', 'github')", pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			t.Fatalf("EXPLAIN EXECUTE: %v", err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("EXPLAIN EXECUTE: %v", err)
		}
		checkPlan(t, defaultAccountQuery, strings.Join(lines, "\n"),
			[]string{defaultScan, "(project_id = $1) AND (user_id = $2) AND (toolkit_slug = $3))"},
			[]string{sortNode, "Filter"})
	})
}

// checkPlan fails the test unless plan has every step in want and none in
// wantNot.
func checkPlan(t *testing.T, query, plan string, want, wantNot []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(plan, w) {
			t.Errorf("plan of %s:\n%s\nwant %q in it", query, plan, w)
		}
	}
	for _, w := range wantNot {
		if strings.Contains(plan, w) {
			t.Errorf("plan of %s:\n%s\nwant no %q in it", query, plan, w)
		}
	}
}
