-- The record of every tool execution (internal/execlog), kept for the
-- configured retention, and the append-only audit log of administrative
-- acts (internal/audit), kept for good.
-- execution_logs has no foreign key to projects: it would cost a lookup on
-- each of its many inserts, and every query of it names the project.
CREATE TABLE execution_logs (
	id                   TEXT PRIMARY KEY,
	project_id           TEXT NOT NULL,
	tool_slug            TEXT NOT NULL,
	toolkit_slug         TEXT NOT NULL,
	connected_account_id TEXT NOT NULL,
	auth_config_id       TEXT NOT NULL,
	user_id              TEXT NOT NULL,
	session_id           TEXT NOT NULL,
	request_id           TEXT NOT NULL,
	status               TEXT NOT NULL,
	error                TEXT NOT NULL,
	upstream_status      INTEGER NOT NULL,
	arguments            BLOB,
	response             BLOB,
	started_at           TEXT NOT NULL,
	ended_at             TEXT NOT NULL
) STRICT;
-- One index besides the key, which serves both the searches (a project's
-- logs, newest first) and the retention sweep (each project's logs before
-- a time): every index is paid for on each of the many inserts.
CREATE INDEX execution_logs_project_started ON execution_logs (project_id, started_at DESC, id DESC);

CREATE TABLE audit_log (
	id             TEXT PRIMARY KEY,
	project_id     TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	action         TEXT NOT NULL,
	target_type    TEXT NOT NULL,
	target_id      TEXT NOT NULL,
	key_id         TEXT NOT NULL,
	source_address TEXT NOT NULL,
	request_id     TEXT NOT NULL,
	before_json    BLOB,
	after_json     BLOB,
	created_at     TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_project_created ON audit_log (project_id, created_at, id);
