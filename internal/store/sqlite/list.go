package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

// dialect is how SQLite writes the queries of sqlq.
var dialect = sqlq.Dialect{
	Placeholder: func(int) string { return "?" },
	// One placeholder per value: SQLite has no array arguments.
	In: func(col string, values []string, arg func(any) string) string {
		ps := make([]string, len(values))
		for i, v := range values {
			ps[i] = arg(v)
		}
		return col + " IN (" + strings.Join(ps, ", ") + ")"
	},
	NullsLast: func(sqlq.Order) bool { return true },
	// For an order with Sort, the unary + makes the ORDER BY term and the
	// keyset comparison expressions, which no index provides. Without
	// statistics, SQLite otherwise prefers the index that avoids sorting,
	// or reads the rows after the cursor through an index on the order
	// columns, even when that means reading every row of the project to
	// find the few that the other conditions want.
	NoIndex: func(col string) string { return "+" + col },
	Strpos:  "instr",
	// A cursor carries the time as stored: fixed-width UTC text, so that
	// comparing text compares times.
	CursorTime: func(t time.Time) any { return timeValue(t) },
	Time:       func(t time.Time) any { return timeValue(t) },
	TimeArg: func(raw json.RawMessage) (any, bool) {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, false
		}
		if _, err := parseTime(s); err != nil {
			return nil, false
		}
		return s, true
	},
}

// list reads one page of l in one read snapshot: the count of every row
// matching it, and up to limit rows after the cursor (all of them when
// limit <= 0), which scan reads.
func list[T any](ctx context.Context, s *Store, op string, l sqlq.List[T], cursorText string, limit int,
	scan func(scanner) (T, error),
) (store.Page[T], error) {
	page, err := l.Page(cursorText, limit, func(count, rows sqlq.Statement) (int, []T, error) {
		var total int
		var items []T
		err := s.readTx(ctx, func(tx *sql.Tx) error {
			if err := tx.QueryRowContext(ctx, count.Text, count.Args...).Scan(&total); err != nil {
				return err
			}
			r, err := tx.QueryContext(ctx, rows.Text, rows.Args...)
			if err != nil {
				return err
			}
			defer r.Close()
			for r.Next() {
				item, err := scan(r)
				if err != nil {
					return err
				}
				items = append(items, item)
			}
			return r.Err()
		})
		return total, items, err
	})
	if err != nil {
		// A cursor's error is no SQLite error, so dbError only names op.
		return store.Page[T]{}, dbError(op, err)
	}
	return page, nil
}
