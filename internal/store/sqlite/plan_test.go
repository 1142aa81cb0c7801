package sqlite

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq/sqlqtest"
)

// queryPlan returns SQLite's EXPLAIN QUERY PLAN of st, one step a line.
// The plan does not depend on the arguments' values, only their number.
func queryPlan(t *testing.T, s *Store, st sqlq.Statement) string {
	t.Helper()
	rows, err := s.read.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+st.Text, st.Args...)
	if err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN %s: %v", st.Text, err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatalf("read query plan: %v", err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read query plan: %v", err)
	}
	return strings.Join(steps, "\n")
}

// TestQueryPlans checks that the lookups of one user's accounts search
// accounts_user_toolkit, and that the default account needs no sort: one
// B-tree search, whatever the number of accounts. SQLite plans without
// statistics here, as it does in production, where nothing runs ANALYZE.
func TestQueryPlans(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "switchboard.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()

	// accountsList returns the statements ListAccounts runs for f.
	accountsList := func(f store.AccountFilter) (count, rows sqlq.Statement) {
		t.Helper()
		return sqlqtest.AccountsStatements(t, dialect, f)
	}
	// Cursors inside and before the trailing run of never-connected
	// accounts.
	nullCursor := dialect.Cursor(sqlq.Order{Col: "connected_at", Desc: true}, nil, "a1")
	timeCursor := dialect.Cursor(sqlq.Order{Col: "connected_at", Desc: true}, ptr(time.Now()), "a1")

	const (
		userToolkitStatus = "SEARCH accounts USING INDEX accounts_user_toolkit (project_id=? AND user_id=? AND toolkit_slug=? AND status=?)"
		userToolkit       = "SEARCH accounts USING INDEX accounts_user_toolkit (project_id=? AND user_id=? AND toolkit_slug=?)"
		user              = "SEARCH accounts USING INDEX accounts_user_toolkit (project_id=? AND user_id=?)"
		countUser         = "SEARCH accounts USING COVERING INDEX accounts_user_toolkit (project_id=? AND user_id=?)"
		created           = "SEARCH accounts USING INDEX accounts_created (project_id=?)"
		defaultFirst      = "SEARCH accounts USING INDEX accounts_default_first (project_id=? AND user_id=? AND toolkit_slug=?)"
		sort              = "USE TEMP B-TREE FOR ORDER BY"
	)
	latest := sqlq.Statement{Text: defaultAccountQuery, Args: []any{"p1", "u1", "github"}}
	// The list MostRecent ran before LatestActiveAccount.
	mostRecentCount, mostRecentRows := accountsList(store.AccountFilter{UserIDs: []string{"u1"}, ToolkitSlugs: []string{"github"},
		Statuses: []string{store.StatusActive}, OrderBy: store.OrderConnectedAt, Limit: 1})
	// accounts.Service.Resolve: an alias of the user and toolkit.
	_, resolveRows := accountsList(store.AccountFilter{UserIDs: []string{"u1"}, ToolkitSlugs: []string{"github"},
		Aliases: []string{"work"}, Limit: 1})
	userCount, userRows := accountsList(store.AccountFilter{UserIDs: []string{"u1", "u2"}, Limit: 10})
	_, userNullCursorRows := accountsList(store.AccountFilter{UserIDs: []string{"u1", "u2"},
		OrderBy: store.OrderConnectedAt, Cursor: nullCursor, Limit: 10})
	_, userTimeCursorRows := accountsList(store.AccountFilter{UserIDs: []string{"u1", "u2"},
		OrderBy: store.OrderConnectedAt, Cursor: timeCursor, Limit: 10})
	_, projectRows := accountsList(store.AccountFilter{Limit: 10})

	// The logs API's searches: newest first, by condition, after a cursor,
	// in a time range.
	logsList := func(f store.ExecutionLogFilter) sqlq.Statement {
		t.Helper()
		return sqlqtest.ExecutionLogsStatement(t, dialect, f)
	}
	logsCursor := dialect.Cursor(sqlq.Order{Col: "started_at", Desc: true}, ptr(time.Now()), "log_1")
	logsRows := logsList(store.ExecutionLogFilter{Limit: 20})
	logsToolRows := logsList(store.ExecutionLogFilter{Conditions: []store.Condition{{Field: store.LogFieldTool, Op: store.OpEqual, Value: "T"}},
		Cursor: logsCursor, Limit: 20})
	logsRangeRows := logsList(store.ExecutionLogFilter{From: time.Now().Add(-time.Hour), To: time.Now(), Limit: 20})
	const logsIndex = "SEARCH execution_logs USING INDEX execution_logs_project_started (project_id=?"

	tests := []struct {
		name    string
		st      sqlq.Statement
		want    []string
		wantNot []string
	}{
		{"DefaultAccount", latest, []string{defaultFirst}, []string{sort}},
		{"MostRecentListCount", mostRecentCount, []string{"COVERING INDEX accounts_user_toolkit (project_id=? AND user_id=? AND toolkit_slug=? AND status=?)"}, nil},
		{"MostRecentListRows", mostRecentRows, []string{userToolkitStatus}, nil},
		{"ResolveRows", resolveRows, []string{userToolkit}, nil},
		{"UsersCount", userCount, []string{countUser}, nil},
		{"UsersRows", userRows, []string{user}, nil},
		{"UsersRowsAfterNullCursor", userNullCursorRows, []string{user}, nil},
		{"UsersRowsAfterTimeCursor", userTimeCursorRows, []string{user}, nil},
		// Without a user, the project's accounts are walked in order.
		{"ProjectRows", projectRows, []string{created}, []string{sort}},
		// The logs are walked newest first along their index, whichever
		// its direction: no sort of a project's logs.
		{"LogsRows", logsRows, []string{logsIndex}, []string{sort}},
		{"LogsToolRowsAfterCursor", logsToolRows, []string{logsIndex}, []string{sort}},
		{"LogsRangeRows", logsRangeRows, []string{logsIndex + " AND started_at>? AND started_at<?)"}, []string{sort}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := queryPlan(t, s, tt.st)
			for _, w := range tt.want {
				if !strings.Contains(plan, w) {
					t.Errorf("plan of %s:\n%s\nwant a step %q", tt.st.Text, plan, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(plan, w) {
					t.Errorf("plan of %s:\n%s\nwant no step %q", tt.st.Text, plan, w)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
