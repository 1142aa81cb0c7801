package sqlite

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store/sqlq/sqlqtest"
)

// TestCursorFormat pins the cursors SQLite issues, base64 of
// {"o":"connected_at desc","t":"2024-05-06T07:08:09.123456Z","i":"a9"}, the
// time as stored; PostgreSQL's cursor, with the time in microseconds, is
// refused.
func TestCursorFormat(t *testing.T) {
	sqlqtest.CheckCursor(t, dialect,
		"eyJvIjoiY29ubmVjdGVkX2F0IGRlc2MiLCJ0IjoiMjAyNC0wNS0wNlQwNzowODowOS4xMjM0NTZaIiwiaSI6ImE5In0",
		"2024-05-06T07:08:09.123456Z",
		"eyJvIjoiY29ubmVjdGVkX2F0IGRlc2MiLCJ0IjoxNzE0OTc5Mjg5MTIzNDU2LCJpIjoiYTkifQ")
}
