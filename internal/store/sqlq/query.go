package sqlq

import "strings"

// Query collects the conditions and arguments of a SELECT. Values only ever
// travel as arguments; the SQL text holds column names from the backends and
// this package, and placeholders.
type Query struct {
	d     Dialect
	conds []string
	args  []any
}

// Arg adds an argument and returns its placeholder.
func (q *Query) Arg(v any) string {
	q.args = append(q.args, v)
	return q.d.Placeholder(len(q.args))
}

// Where adds a condition.
func (q *Query) Where(cond string) { q.conds = append(q.conds, cond) }

// In adds the condition that col is one of values, unless values is empty,
// which matches anything.
func (q *Query) In(col string, values []string) {
	if len(values) > 0 {
		q.Where(q.d.In(col, values, q.Arg))
	}
}

// SQL returns the WHERE clause, or "" without conditions.
func (q *Query) SQL() string {
	if len(q.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.conds, " AND ")
}

// Args returns the arguments of the placeholders in SQL.
func (q *Query) Args() []any { return q.args }

// clone returns a copy that can take more conditions without changing q.
func (q *Query) clone() *Query {
	return &Query{d: q.d, conds: append([]string(nil), q.conds...), args: append([]any(nil), q.args...)}
}

// Statement is SQL text and its arguments.
type Statement struct {
	Text string
	Args []any
}
