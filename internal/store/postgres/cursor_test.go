package postgres

import (
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store/sqlq/sqlqtest"
)

// TestCursorFormat pins the cursors PostgreSQL issues, base64 of
// {"o":"connected_at desc","t":1714979289123456,"i":"a9"}, the time in
// microseconds; SQLite's cursor, with the time as text, is refused.
func TestCursorFormat(t *testing.T) {
	sqlqtest.CheckCursor(t, dialect,
		"eyJvIjoiY29ubmVjdGVkX2F0IGRlc2MiLCJ0IjoxNzE0OTc5Mjg5MTIzNDU2LCJpIjoiYTkifQ",
		time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC),
		"eyJvIjoiY29ubmVjdGVkX2F0IGRlc2MiLCJ0IjoiMjAyNC0wNS0wNlQwNzowODowOS4xMjM0NTZaIiwiaSI6ImE5In0")
}
