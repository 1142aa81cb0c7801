package sqlq

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// Order is a keyset order: a time column, possibly null, then id, both in
// one direction, with nulls last either way.
type Order struct {
	Col  string
	Desc bool
	// Nullable says Col may be NULL.
	Nullable bool
	// Sort says that the other conditions pick a few rows through another
	// index, so that sorting them beats walking an index of Col. Only a
	// dialect with NoIndex acts on it.
	Sort bool
}

// key names the order in cursors, so that a cursor made for one order is
// refused by another.
func (o Order) key() string {
	if o.Desc {
		return o.Col + " desc"
	}
	return o.Col + " asc"
}

// cols returns the order column and id as the conditions and ORDER BY of o
// write them.
func (d Dialect) cols(o Order) (col, id string) {
	if o.Sort && d.NoIndex != nil {
		return d.NoIndex(o.Col), d.NoIndex("id")
	}
	return o.Col, "id"
}

// orderBy returns the ORDER BY clause of o. The id needs no NoIndex there:
// an index that ends in id still serves the sort once Col has none.
func (d Dialect) orderBy(o Order) string {
	col, _ := d.cols(o)
	dir := " ASC"
	if o.Desc {
		dir = " DESC"
	}
	nulls := ""
	if d.NullsLast(o) {
		nulls = " NULLS LAST"
	}
	return " ORDER BY " + col + dir + nulls + ", id" + dir
}

// cursor is the position after the last item of a page: its order time as
// the dialect carries it (absent for NULL) and its id. It travels as base64
// of JSON, which callers treat as opaque.
type cursor struct {
	Order string           `json:"o"`
	Time  *json.RawMessage `json:"t,omitempty"`
	ID    string           `json:"i"`
}

// errBadCursor reports a cursor this store did not make for this order.
var errBadCursor = fmt.Errorf("%w: cursor not issued by this store for this order", store.ErrInvalid)

// Cursor returns the cursor of the position (t, id) in o; t is nil for a
// NULL order time.
func (d Dialect) Cursor(o Order, t *time.Time, id string) string {
	c := cursor{Order: o.key(), ID: id}
	if t != nil {
		raw, _ := json.Marshal(d.CursorTime(*t)) // a time value always encodes
		c.Time = (*json.RawMessage)(&raw)
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// after adds the condition that continues after the position in the cursor
// text s, or returns errBadCursor.
func (q *Query) after(o Order, s string) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return errBadCursor
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.Order != o.key() {
		return errBadCursor
	}
	cmp := ">"
	if o.Desc {
		cmp = "<"
	}
	col, id := q.d.cols(o)
	if c.Time == nil {
		// Inside the trailing run of nulls.
		q.Where("(" + col + " IS NULL AND " + id + " " + cmp + " " + q.Arg(c.ID) + ")")
		return nil
	}
	t, ok := q.d.TimeArg(*c.Time)
	if !ok {
		return errBadCursor
	}
	q.Where("((" + col + ", " + id + ") " + cmp + " (" + q.Arg(t) + ", " + q.Arg(c.ID) + ") OR " + col + " IS NULL)")
	return nil
}
