// Package postgres is the PostgreSQL backend of store.Store, for running
// Switchboard as any number of stateless instances that share one database.
//
// Open connects with pgx and applies the embedded migrations (migrations/*.sql,
// in name order, each in one transaction recorded in schema_migrations).
// Instances starting at once migrate one after another behind a
// transaction-level advisory lock.
//
// Beyond the rows, two things cross instances:
//
//   - Account status changes. UpdateAccount and FailStaleAccounts call
//     pg_notify on the channel switchboard_accounts inside their
//     transaction, so the notification goes out on commit, to every
//     instance; AccountChanges LISTENs on a connection of its own.
//   - Account locks. LockAccount takes a session-level advisory lock keyed
//     by a hash of the project and account ids, on a connection from a
//     second pool kept for locks, so that waiting lockers cannot starve the
//     holder of connections.
//
// Both need a real session, so the database must be reached directly or
// through a session-mode pooler, not a transaction-mode one.
//
// Times are timestamptz, returned in UTC. Lists use keyset pagination on
// (order time, id) with opaque cursors, and count the matching rows in the
// same snapshot. Unique violations become store.ErrConflict and missing rows,
// or missing parents of a new row, store.ErrNotFound, wrapped with the
// driver's error.
package postgres
