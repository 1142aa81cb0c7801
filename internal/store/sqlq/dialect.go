package sqlq

import (
	"encoding/json"
	"time"
)

// Dialect is what the SQL backends write differently in the queries of this
// package.
type Dialect struct {
	// Placeholder returns the placeholder of the nth argument, counting
	// from 1.
	Placeholder func(n int) string

	// In returns the condition that col equals one of values, which are
	// never empty; arg adds an argument and returns its placeholder.
	In func(col string, values []string, arg func(any) string) string

	// NullsLast reports whether ORDER BY says NULLS LAST after the
	// direction of o's column. Nulls sort last in every order either way:
	// a dialect may leave it out where the column is NOT NULL.
	NullsLast func(o Order) bool

	// NoIndex, if set, returns a column written so that the planner uses
	// no index for it. It is used on the order and id columns of an Order
	// with Sort set.
	NoIndex func(col string) string

	// Strpos is the name of the function (haystack, needle) returning the
	// 1-based position of needle in haystack, or 0 without one.
	Strpos string

	// CursorTime returns an order time as a cursor carries it, a value
	// json.Marshal encodes.
	CursorTime func(t time.Time) any

	// Time returns a time as an argument compared with a time column.
	Time func(t time.Time) any

	// TimeArg decodes the time a cursor carries, as CursorTime made it, to
	// the argument compared with the order column. It reports false for a
	// value CursorTime would not make.
	TimeArg func(raw json.RawMessage) (any, bool)
}

// Query starts the conditions of a statement in the dialect.
func (d Dialect) Query() *Query { return &Query{d: d} }
