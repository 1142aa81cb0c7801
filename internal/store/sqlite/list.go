package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// query collects the conditions and arguments of a SELECT. Values only ever
// travel as arguments; the SQL text holds column names from this package and
// ? placeholders.
type query struct {
	conds []string
	args  []any
}

// where adds a condition and the arguments of its placeholders.
func (q *query) where(cond string, args ...any) {
	q.conds = append(q.conds, cond)
	q.args = append(q.args, args...)
}

// in adds "col IN (?, ...)" with one placeholder per value, unless values is
// empty, which matches anything.
func (q *query) in(col string, values []string) {
	if len(values) == 0 {
		return
	}
	placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ")
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	q.where(col+" IN ("+placeholders+")", args...)
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
	// sort asks SQLite to sort the matching rows instead of walking the
	// index of col, for conditions that pick a few rows through another
	// index. Without statistics, SQLite otherwise prefers the index that
	// avoids sorting even when that means reading every row of the
	// project to find a few: the unary + makes the ORDER BY term an
	// expression, which no index provides.
	sort bool
}

// key names the order in cursors, so that a cursor made for one order is
// refused by another.
func (o order) key() string {
	if o.desc {
		return o.col + " desc"
	}
	return o.col + " asc"
}

func (o order) sql() string {
	col := o.col
	if o.sort {
		col = "+" + col
	}
	if o.desc {
		return " ORDER BY " + col + " DESC NULLS LAST, id DESC"
	}
	return " ORDER BY " + col + " ASC NULLS LAST, id ASC"
}

// cursor is the position after the last item of a page: its order time as
// stored (nil for NULL) and its id. It travels as base64 of JSON, which
// callers treat as opaque.
type cursor struct {
	Order string  `json:"o"`
	Time  *string `json:"t,omitempty"`
	ID    string  `json:"i"`
}

// errBadCursor reports a cursor this store did not make for this order.
var errBadCursor = fmt.Errorf("%w: cursor not issued by this store for this order", store.ErrInvalid)

func encodeCursor(o order, t *time.Time, id string) string {
	c := cursor{Order: o.key(), ID: id}
	if t != nil {
		v := timeValue(*t)
		c.Time = &v
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// after adds the condition that continues after the position in the cursor
// text s. Stored times are fixed-width UTC text, so comparing text compares
// times.
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
	// Under sort, the unary + keeps SQLite from reading the rows after
	// the cursor through an index on the order columns instead of the one
	// that finds the few rows the other conditions want.
	col, id := o.col, "id"
	if o.sort {
		col, id = "+"+col, "+id"
	}
	if c.Time == nil {
		// Inside the trailing run of nulls.
		q.where("("+col+" IS NULL AND "+id+" "+cmp+" ?)", c.ID)
		return nil
	}
	if _, err := parseTime(*c.Time); err != nil {
		return errBadCursor
	}
	q.where("(("+col+", "+id+") "+cmp+" (?, ?) OR "+col+" IS NULL)", *c.Time, c.ID)
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
	rows = statement{"SELECT " + cols + " FROM " + table + paged.sql() + o.sql(), paged.args}
	if limit > 0 {
		rows.text += " LIMIT ?"
		rows.args = append(rows.args, limit+1)
	}
	return statement{"SELECT count(*) FROM " + table + q.sql(), q.args}, rows, nil
}

// list reads one page of a keyset-paginated list in one read snapshot: the
// count of every row matching q, and up to limit rows after the cursor (all
// of them when limit <= 0). cols lists the columns scan reads; position
// returns an item's order time (nil for NULL) and id.
func list[T any](ctx context.Context, s *Store, op, table, cols string, q *query, o order,
	cursorText string, limit int,
	scan func(scanner) (T, error), position func(T) (*time.Time, string),
) (store.Page[T], error) {
	page := store.Page[T]{Items: []T{}}
	count, items, err := listStatements(table, cols, q, o, cursorText, limit)
	if err != nil {
		return store.Page[T]{}, fmt.Errorf("%s: %w", op, err)
	}
	err = s.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, count.text, count.args...).Scan(&page.Total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, items.text, items.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			item, err := scan(rows)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, item)
		}
		return rows.Err()
	})
	if err != nil {
		return store.Page[T]{}, dbError(op, err)
	}
	if limit > 0 && len(page.Items) > limit {
		page.Items = page.Items[:limit]
		t, id := position(page.Items[limit-1])
		page.NextCursor = encodeCursor(o, t, id)
	}
	return page, nil
}
