-- The search and sweep index of execution_logs, in ascending order. Logs
-- arrive in time order, so each insert lands at the end of an ascending
-- index, where SQLite appends to its last page; in the descending one each
-- landed at the start, where pages split and rebalance (BenchmarkAppendSQLite:
-- docs/benchmarks.md). Newest-first searches walk it backwards.
DROP INDEX execution_logs_project_started;
CREATE INDEX execution_logs_project_started ON execution_logs (project_id, started_at, id);
