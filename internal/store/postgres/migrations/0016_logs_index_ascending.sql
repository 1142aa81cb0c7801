-- The search and sweep index of execution_logs, in ascending order, as
-- SQLite's 0016: logs arrive in time order, so each insert lands on the
-- index's rightmost page, which PostgreSQL's B-tree finds without a
-- descent (its fastpath for ascending keys); in the descending index each
-- landed on the leftmost. Newest-first searches scan it backward.
DROP INDEX execution_logs_project_started;
CREATE INDEX execution_logs_project_started ON execution_logs (project_id, started_at, id);
