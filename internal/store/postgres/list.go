package postgres

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

// dialect is how PostgreSQL writes the queries of sqlq.
var dialect = sqlq.Dialect{
	Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
	// One array argument, whatever the number of values.
	In: func(col string, values []string, arg func(any) string) string {
		return col + " = ANY(" + arg(values) + ")"
	},
	// Saying NULLS LAST on a NOT NULL column changes no result but stops
	// PostgreSQL from reading an ascending index backwards, so a
	// newest-first page would sort the whole project.
	NullsLast: func(o sqlq.Order) bool { return o.Nullable },
	Strpos:    "strpos",
	// A cursor carries microseconds since the epoch, the precision of
	// timestamptz.
	CursorTime: func(t time.Time) any { return t.UnixMicro() },
	Time:       func(t time.Time) any { return t.UTC() },
	TimeArg: func(raw json.RawMessage) (any, bool) {
		var us int64
		if err := json.Unmarshal(raw, &us); err != nil {
			return nil, false
		}
		return time.UnixMicro(us).UTC(), true
	},
}

// list runs one page of l in a read-only snapshot: the count of every row
// matching it, and up to limit rows after cursor (all of them when limit <=
// 0), which scan reads.
func list[T any](ctx context.Context, s *Store, l sqlq.List[T], cursorText string, limit int,
	scan func(pgx.Row) (T, error),
) (store.Page[T], error) {
	return l.Page(cursorText, limit, func(count, rows sqlq.Statement) (int, []T, error) {
		var total int
		var items []T
		err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, count.Text, count.Args...).Scan(&total); err != nil {
				return err
			}
			r, err := tx.Query(ctx, rows.Text, rows.Args...)
			if err != nil {
				return err
			}
			items, err = pgx.CollectRows(r, func(r pgx.CollectableRow) (T, error) { return scan(r) })
			return err
		})
		if err != nil {
			return 0, nil, dbError(err)
		}
		return total, items, nil
	})
}
