// Package sqlq owns the SQL that the SQLite and PostgreSQL backends of
// store.Store write alike: the column lists of the records, the conditions,
// keyset order and limit of the list methods, and their opaque cursors.
//
// What the two dialects write differently comes from a Dialect: the
// placeholders, matching one of a list of values, where NULLS LAST is said,
// planner hints, the substring function, and how a cursor carries a time.
// Running the statements stays with each backend and its driver.
package sqlq
