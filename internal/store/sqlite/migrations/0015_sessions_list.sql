-- The console lists a project's sessions newest first (ListSessions), and
-- by user: both walk this index instead of the whole table.
CREATE INDEX sessions_created ON sessions (project_id, created_at, id);
CREATE INDEX sessions_user ON sessions (project_id, user_id, created_at, id);
