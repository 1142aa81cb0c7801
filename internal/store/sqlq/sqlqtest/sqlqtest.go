// Package sqlqtest holds the test helpers of the backends' sqlq.Dialects:
// the statements whose plans they check, and a check of what the dialect
// alone decides, the cursors it issues.
package sqlqtest

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

// CheckCursor's position: CursorTime and id "a9" in CursorOrder,
// connected_at newest first.
var (
	CursorTime  = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	CursorOrder = sqlq.Order{Col: "connected_at", Desc: true}
)

// CheckCursor checks that d makes golden for Cursor, so that cursors handed
// out by an earlier version still read after an upgrade; that the statement
// after golden compares connected_at with wantArg; and that foreign, a
// cursor the dialect does not make, is store.ErrInvalid.
func CheckCursor(t *testing.T, d sqlq.Dialect, golden string, wantArg any, foreign string) {
	t.Helper()
	if got := d.Cursor(CursorOrder, &CursorTime, "a9"); got != golden {
		t.Errorf("Cursor: got %s, want %s", got, golden)
	}
	l, err := sqlq.Accounts(d, "p1", store.AccountFilter{OrderBy: store.OrderConnectedAt})
	if err != nil {
		t.Fatalf("sqlq.Accounts: %v", err)
	}
	_, rows, err := l.Statements(golden, 0)
	if err != nil {
		t.Fatalf("Statements after %s: %v", golden, err)
	}
	if got := rows.Args; len(got) != 3 || got[1] != wantArg || got[2] != "a9" {
		t.Errorf("Statements after %s: got args %v, want [p1 %v a9]", golden, got, wantArg)
	}
	if _, _, err := l.Statements(foreign, 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Statements after %s: got %v, want ErrInvalid", foreign, err)
	}
}

// AccountsStatements returns the count and rows statements that
// ListAccounts runs in d for f in project p1, for checking their plans.
func AccountsStatements(t *testing.T, d sqlq.Dialect, f store.AccountFilter) (count, rows sqlq.Statement) {
	t.Helper()
	l, err := sqlq.Accounts(d, "p1", f)
	if err != nil {
		t.Fatalf("sqlq.Accounts: %v", err)
	}
	count, rows, err = l.Statements(f.Cursor, f.Limit)
	if err != nil {
		t.Fatalf("Statements: %v", err)
	}
	return count, rows
}

// ExecutionLogsStatement returns the rows statement that ListExecutionLogs
// runs in d for f in project p1, for checking its plan.
func ExecutionLogsStatement(t *testing.T, d sqlq.Dialect, f store.ExecutionLogFilter) sqlq.Statement {
	t.Helper()
	l, err := sqlq.ExecutionLogs(d, "p1", f)
	if err != nil {
		t.Fatalf("sqlq.ExecutionLogs: %v", err)
	}
	_, rows, err := l.Statements(f.Cursor, f.Limit)
	if err != nil {
		t.Fatalf("Statements: %v", err)
	}
	return rows
}
