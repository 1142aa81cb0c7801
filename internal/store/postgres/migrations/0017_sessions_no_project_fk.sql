-- sessions no longer has a foreign key to projects. Its check ran on every
-- insert: a lookup of the project row and a FOR KEY SHARE lock on it,
-- which concurrent creates in one project must share (a MultiXact). Without
-- it, session creates per second through the API rose 1.09-1.10x in paired
-- runs (docs/benchmarks.md). A session is only created for
-- the project its API key authenticated, and projects are never deleted;
-- code that deletes a project must delete its sessions itself.
-- SQLite keeps its foreign key: its check is a lookup in the same process.
ALTER TABLE sessions DROP CONSTRAINT sessions_project_id_fkey;
