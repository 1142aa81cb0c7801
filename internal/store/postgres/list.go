package postgres

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// query collects the conditions and arguments of a SELECT. Values only ever
// travel as arguments; the SQL text holds column names from this package and
// $n placeholders.
type query struct {
	conds []string
	args  []any
}

// arg adds an argument and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// where adds a condition.
func (q *query) where(cond string) { q.conds = append(q.conds, cond) }

// in adds "col = ANY(values)" unless values is empty, which matches anything.
func (q *query) in(col string, values []string) {
	if len(values) > 0 {
		q.where(col + " = ANY(" + q.arg(values) + ")")
	}
}

// sql returns the WHERE clause, or "" without conditions.
func (q *query) sql() string {
	if len(q.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.conds, " AND ")
}

// clone returns a copy that can take more conditions without changing q.
func (q *query) clone() *query {
	return &query{conds: append([]string(nil), q.conds...), args: append([]any(nil), q.args...)}
}

// order is a keyset order: a time column, possibly null, then id, both in
// one direction, with nulls last either way.
type order struct {
	col  string
	desc bool
}

// key names the order in cursors, so that a cursor from one order is not
// used with another.
func (o order) key() string {
	if o.desc {
		return o.col + " desc"
	}
	return o.col + " asc"
}

func (o order) sql() string {
	// Only connected_at may be NULL. Saying NULLS LAST on a NOT NULL
	// column changes no result but stops PostgreSQL from reading an
	// ascending index backwards, so a newest-first page would sort the
	// whole project.
	nulls := ""
	if o.col == "connected_at" {
		nulls = " NULLS LAST"
	}
	if o.desc {
		return " ORDER BY " + o.col + " DESC" + nulls + ", id DESC"
	}
	return " ORDER BY " + o.col + " ASC" + nulls + ", id ASC"
}

// cursor is the position after the last item of a page: its order time (nil
// for a null time) and id.
type cursor struct {
	Order string `json:"o"`
	Micro *int64 `json:"t,omitempty"`
	ID    string `json:"i"`
}

// errBadCursor reports a cursor this store did not make for this order.
var errBadCursor = fmt.Errorf("%w: cursor not issued by this store for this order", store.ErrInvalid)

func encodeCursor(o order, t *time.Time, id string) string {
	c := cursor{Order: o.key(), ID: id}
	if t != nil {
		us := t.UnixMicro()
		c.Micro = &us
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// after adds the condition that continues after the position in the cursor
// s.
func (q *query) after(o order, s string) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return errBadCursor
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.Order != o.key() {
		return errBadCursor
	}
	cmp := ">"
	if o.desc {
		cmp = "<"
	}
	if c.Micro == nil {
		// Inside the trailing run of nulls.
		q.where("(" + o.col + " IS NULL AND id " + cmp + " " + q.arg(c.ID) + ")")
		return nil
	}
	t := time.UnixMicro(*c.Micro).UTC()
	q.where("((" + o.col + ", id) " + cmp + " (" + q.arg(t) + ", " + q.arg(c.ID) + ") OR " + o.col + " IS NULL)")
	return nil
}

// statement is SQL text and its arguments.
type statement struct {
	text string
	args []any
}

// listStatements returns the two queries of one page of a keyset-paginated
// list: the count of every row matching q, and up to limit+1 rows after the
// cursor (all of them when limit <= 0), the extra row telling whether
// another page follows.
func listStatements(table, cols string, q *query, o order, cursorText string, limit int) (count, rows statement, err error) {
	paged := q.clone()
	if cursorText != "" {
		if err := paged.after(o, cursorText); err != nil {
			return statement{}, statement{}, fmt.Errorf("read cursor: %w", err)
		}
	}
	text := "SELECT " + cols + " FROM " + table + paged.sql() + o.sql()
	if limit > 0 {
		text += " LIMIT " + paged.arg(limit+1)
	}
	return statement{"SELECT count(*) FROM " + table + q.sql(), q.args}, statement{text, paged.args}, nil
}

// list runs one page of a keyset-paginated list in a read-only snapshot:
// the count of every row matching q, and up to limit rows after cursor (all
// of them when limit <= 0). cols lists the columns scan reads; orderTime
// returns an item's order time (nil for null) and id.
func list[T any](ctx context.Context, s *Store, table, cols string, q *query, o order,
	cursorText string, limit int,
	scan func(pgx.Row) (T, error), orderTime func(T) (*time.Time, string),
) (store.Page[T], error) {
	var page store.Page[T]
	page.Items = []T{}
	count, items, err := listStatements(table, cols, q, o, cursorText, limit)
	if err != nil {
		return page, err
	}
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, count.text, count.args...).Scan(&page.Total); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, items.text, items.args...)
		if err != nil {
			return err
		}
		page.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
		return err
	})
	if err != nil {
		return store.Page[T]{}, dbError(err)
	}
	if limit > 0 && len(page.Items) > limit {
		page.Items = page.Items[:limit]
		t, id := orderTime(page.Items[limit-1])
		page.NextCursor = encodeCursor(o, t, id)
	}
	return page, nil
}
