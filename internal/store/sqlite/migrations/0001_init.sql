-- The first schema.
--
-- Ids are text and unique across projects; every tenant row carries
-- project_id, and every index that a project-scoped query uses starts with
-- it. Times are UTC text in the fixed-width form 2006-01-02T15:04:05.000000Z,
-- so they sort as they compare. Maps and lists are JSON text. Ciphertext is
-- a BLOB exactly as the vault wrote it: NULL for nil, X'' for empty.

CREATE TABLE projects (
	id             TEXT PRIMARY KEY,
	name           TEXT NOT NULL,
	callback_urls  TEXT NOT NULL DEFAULT '[]',
	reveal_secrets INTEGER NOT NULL DEFAULT 0,
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL
) STRICT;

CREATE TABLE api_keys (
	id         TEXT PRIMARY KEY,
	project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	prefix     TEXT NOT NULL,
	hash       BLOB NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	revoked_at TEXT
) STRICT;

CREATE INDEX api_keys_project ON api_keys (project_id, created_at, id);

CREATE TABLE auth_configs (
	id                         TEXT PRIMARY KEY,
	project_id                 TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	toolkit_slug               TEXT NOT NULL,
	name                       TEXT NOT NULL,
	type                       TEXT NOT NULL,
	auth_scheme                TEXT NOT NULL,
	status                     TEXT NOT NULL,
	params                     TEXT NOT NULL DEFAULT '{}',
	sealed_secrets             BLOB,
	is_enabled_for_tool_router INTEGER NOT NULL DEFAULT 0,
	created_at                 TEXT NOT NULL,
	updated_at                 TEXT NOT NULL,
	-- The target of the accounts foreign key, which keeps an account in the
	-- project of its auth config.
	UNIQUE (project_id, id)
) STRICT;

CREATE INDEX auth_configs_list ON auth_configs (project_id, created_at, id);

CREATE TABLE accounts (
	id                 TEXT PRIMARY KEY,
	project_id         TEXT NOT NULL,
	user_id            TEXT NOT NULL,
	toolkit_slug       TEXT NOT NULL,
	auth_config_id     TEXT NOT NULL,
	status             TEXT NOT NULL,
	status_reason      TEXT NOT NULL DEFAULT '',
	alias              TEXT NOT NULL DEFAULT '',
	sealed_credentials BLOB,
	token_expires_at   TEXT,
	identity           TEXT NOT NULL DEFAULT '',
	identity_id        TEXT NOT NULL DEFAULT '',
	connected_at       TEXT,
	created_at         TEXT NOT NULL,
	updated_at         TEXT NOT NULL,
	-- The target of the links foreign key.
	UNIQUE (project_id, id),
	-- Deleting an auth config deletes its accounts, in the same statement.
	FOREIGN KEY (project_id, auth_config_id)
		REFERENCES auth_configs (project_id, id) ON DELETE CASCADE
) STRICT;

CREATE UNIQUE INDEX accounts_alias ON accounts (project_id, user_id, toolkit_slug, alias)
	WHERE alias <> '';
CREATE INDEX accounts_created ON accounts (project_id, created_at, id);
CREATE INDEX accounts_updated ON accounts (project_id, updated_at, id);
CREATE INDEX accounts_connected ON accounts (project_id, connected_at, id);
CREATE INDEX accounts_auth_config ON accounts (project_id, auth_config_id);
-- FailStaleAccounts scans the INITIATED accounts of every project.
CREATE INDEX accounts_initiated ON accounts (id) WHERE status = 'INITIATED';

CREATE TABLE links (
	token            TEXT PRIMARY KEY,
	project_id       TEXT NOT NULL,
	account_id       TEXT NOT NULL,
	session_id       TEXT NOT NULL DEFAULT '',
	callback_url     TEXT NOT NULL DEFAULT '',
	expires_at       TEXT NOT NULL,
	state_hash       TEXT NOT NULL DEFAULT '',
	sealed_verifier  BLOB,
	state_expires_at TEXT,
	completed_at     TEXT,
	created_at       TEXT NOT NULL,
	FOREIGN KEY (project_id, account_id)
		REFERENCES accounts (project_id, id) ON DELETE CASCADE
) STRICT;

CREATE UNIQUE INDEX links_state ON links (state_hash) WHERE state_hash <> '';
CREATE INDEX links_account ON links (project_id, account_id, created_at, token);

CREATE TABLE sessions (
	id             TEXT PRIMARY KEY,
	project_id     TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	user_id        TEXT NOT NULL,
	-- The bytes as given.
	config         BLOB,
	config_version INTEGER NOT NULL DEFAULT 0,
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL
) STRICT;
