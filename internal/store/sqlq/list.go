package sqlq

import (
	"fmt"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// List is a keyset-paginated list of T: the rows of a table matching Where,
// in Order.
type List[T any] struct {
	Table   string
	Columns string
	Where   *Query
	Order   Order
	// Position returns an item's order time (nil for NULL) and id.
	Position func(T) (*time.Time, string)
}

// Statements returns the two queries of one page: the count of every row
// matching Where, and up to limit+1 rows after the cursor (all of them when
// limit <= 0), the extra row telling whether another page follows. A cursor
// not made for this order is store.ErrInvalid.
func (l List[T]) Statements(cursorText string, limit int) (count, rows Statement, err error) {
	q, d := l.Where, l.Where.d
	paged := q.clone()
	if cursorText != "" {
		if err := paged.after(l.Order, cursorText); err != nil {
			return Statement{}, Statement{}, fmt.Errorf("read cursor: %w", err)
		}
	}
	text := "SELECT " + l.Columns + " FROM " + l.Table + paged.SQL() + d.orderBy(l.Order)
	if limit > 0 {
		text += " LIMIT " + paged.Arg(limit+1)
	}
	return Statement{"SELECT count(*) FROM " + l.Table + q.SQL(), q.Args()}, Statement{text, paged.Args()}, nil
}

// Page returns one page of up to limit items after the cursor (all of them
// when limit <= 0). read runs the statements in one read snapshot and
// returns the count and the items of the rows; its error is returned as it
// is.
func (l List[T]) Page(cursorText string, limit int, read func(count, rows Statement) (int, []T, error)) (store.Page[T], error) {
	count, rows, err := l.Statements(cursorText, limit)
	if err != nil {
		return store.Page[T]{}, err
	}
	total, items, err := read(count, rows)
	if err != nil {
		return store.Page[T]{}, err
	}
	page := store.Page[T]{Items: items, Total: total}
	if page.Items == nil {
		page.Items = []T{}
	}
	if limit > 0 && len(page.Items) > limit {
		page.Items = page.Items[:limit]
		t, id := l.Position(page.Items[limit-1])
		page.NextCursor = l.Where.d.Cursor(l.Order, t, id)
	}
	return page, nil
}
