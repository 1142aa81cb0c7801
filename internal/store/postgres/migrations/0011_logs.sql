-- The record of every tool execution (internal/execlog), kept for the
-- configured retention, and the append-only audit log of administrative
-- acts (internal/audit), kept for good. The JSON columns are bytes as
-- given, already redacted.
-- execution_logs has no foreign key to projects: it would cost a lookup on
-- each of its many inserts, and every query of it names the project.
CREATE TABLE execution_logs (
	id                   text PRIMARY KEY,
	project_id           text NOT NULL,
	tool_slug            text NOT NULL,
	toolkit_slug         text NOT NULL,
	connected_account_id text NOT NULL,
	auth_config_id       text NOT NULL,
	user_id              text NOT NULL,
	session_id           text NOT NULL,
	request_id           text NOT NULL,
	status               text NOT NULL,
	error                text NOT NULL,
	upstream_status      integer NOT NULL,
	arguments            bytea,
	response             bytea,
	started_at           timestamptz NOT NULL,
	ended_at             timestamptz NOT NULL
);
-- One index besides the key, which serves both the searches (a project's
-- logs, newest first) and the retention sweep (each project's logs before
-- a time): every index is paid for on each of the many inserts.
CREATE INDEX execution_logs_project_started ON execution_logs (project_id, started_at DESC, id DESC);

CREATE TABLE audit_log (
	id             text PRIMARY KEY,
	project_id     text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	action         text NOT NULL,
	target_type    text NOT NULL,
	target_id      text NOT NULL,
	key_id         text NOT NULL,
	source_address text NOT NULL,
	request_id     text NOT NULL,
	before_json    bytea,
	after_json     bytea,
	created_at     timestamptz NOT NULL
);
CREATE INDEX audit_log_project_created ON audit_log (project_id, created_at, id);
