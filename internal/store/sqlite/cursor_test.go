package sqlite

import (
	"errors"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

// TestCursorFormat pins the cursors this backend issues, base64 of
// {"o":"connected_at desc","t":…,"i":"a9"} with t the stored time text, so that
// cursors handed out by an earlier version still read after an upgrade. A
// cursor of the PostgreSQL backend is refused.
func TestCursorFormat(t *testing.T) {
	const golden = "eyJvIjoiY29ubmVjdGVkX2F0IGRlc2MiLCJ0IjoiMjAyNC0wNS0wNlQwNzowODowOS4xMjM0NTZaIiwiaSI6ImE5In0"
	connected := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	o := sqlq.Order{Col: "connected_at", Desc: true}
	if got := dialect.Cursor(o, &connected, "a9"); got != golden {
		t.Errorf("Cursor: got %s, want %s", got, golden)
	}
	f := store.AccountFilter{OrderBy: store.OrderConnectedAt, Cursor: golden}
	l, err := sqlq.Accounts(dialect, "p1", f)
	if err != nil {
		t.Fatalf("sqlq.Accounts: %v", err)
	}
	_, rows, err := l.Statements(f.Cursor, 0)
	if err != nil {
		t.Fatalf("Statements: %v", err)
	}
	if got, want := rows.Args, []any{"p1", "2024-05-06T07:08:09.123456Z", "a9"}; len(got) != 3 || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("Statements args: got %v, want %v", got, want)
	}
	const other = "eyJvIjoiY29ubmVjdGVkX2F0IGRlc2MiLCJ0IjoxNzE0OTc5Mjg5MTIzNDU2LCJpIjoiYTkifQ"
	if _, _, err := l.Statements(other, 0); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Statements with a PostgreSQL cursor: got %v, want ErrInvalid", err)
	}
}
