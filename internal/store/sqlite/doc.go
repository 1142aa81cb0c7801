// Package sqlite owns the SQLite backend of store.Store: the schema and its
// embedded migrations, the connection pools, and the in-process parts of the
// contract (account change notifications and account locks).
//
// It uses modernc.org/sqlite, a translation of SQLite to Go, so the binary
// needs no C toolchain. The database is one file, opened twice:
//
//   - a write pool of exactly one connection, whose transactions begin
//     IMMEDIATE, so writers queue in Go and a read-then-write transaction
//     (every Update method) never fails to upgrade its lock;
//   - a read pool of query-only connections, which WAL mode lets read while
//     the writer writes.
//
// Every connection sets busy_timeout first, then foreign_keys and WAL; a
// write transaction that still meets SQLITE_BUSY is retried a few times.
// Migrations are SQL files in migrations/, applied in name order, each in
// one transaction with its row in schema_migrations.
//
// SQLite serves one process. AccountChanges and LockAccount are built on
// that: changes are broadcast to subscribers of this Store after commit, and
// account locks are mutexes in this Store. Two processes sharing one database
// file would neither see each other's changes nor exclude each other's
// locks; run PostgreSQL for more than one instance.
package sqlite
