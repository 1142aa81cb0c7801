-- The first schema. Ids are text and unique across projects; every tenant row
-- carries project_id, and every index used by a project-scoped query starts
-- with it.

CREATE TABLE projects (
	id             text PRIMARY KEY,
	name           text NOT NULL,
	callback_urls  text[] NOT NULL DEFAULT '{}',
	reveal_secrets boolean NOT NULL DEFAULT false,
	created_at     timestamptz NOT NULL,
	updated_at     timestamptz NOT NULL
);

CREATE TABLE api_keys (
	id         text PRIMARY KEY,
	project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	name       text NOT NULL,
	prefix     text NOT NULL,
	hash       bytea NOT NULL UNIQUE,
	created_at timestamptz NOT NULL,
	revoked_at timestamptz
);

CREATE INDEX api_keys_project ON api_keys (project_id, created_at, id);

CREATE TABLE auth_configs (
	id                         text PRIMARY KEY,
	project_id                 text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	toolkit_slug               text NOT NULL,
	name                       text NOT NULL,
	type                       text NOT NULL,
	auth_scheme                text NOT NULL,
	status                     text NOT NULL,
	params                     jsonb NOT NULL DEFAULT '{}',
	sealed_secrets             bytea,
	is_enabled_for_tool_router boolean NOT NULL DEFAULT false,
	created_at                 timestamptz NOT NULL,
	updated_at                 timestamptz NOT NULL,
	-- The target of the accounts foreign key, which keeps an account in the
	-- project of its auth config.
	UNIQUE (project_id, id)
);

CREATE INDEX auth_configs_list ON auth_configs (project_id, created_at, id);

CREATE TABLE accounts (
	id                 text PRIMARY KEY,
	project_id         text NOT NULL,
	user_id            text NOT NULL,
	toolkit_slug       text NOT NULL,
	auth_config_id     text NOT NULL,
	status             text NOT NULL,
	status_reason      text NOT NULL DEFAULT '',
	alias              text NOT NULL DEFAULT '',
	sealed_credentials bytea,
	token_expires_at   timestamptz,
	identity           text NOT NULL DEFAULT '',
	identity_id        text NOT NULL DEFAULT '',
	connected_at       timestamptz,
	created_at         timestamptz NOT NULL,
	updated_at         timestamptz NOT NULL,
	UNIQUE (project_id, id),
	FOREIGN KEY (project_id, auth_config_id)
		REFERENCES auth_configs (project_id, id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX accounts_alias ON accounts (project_id, user_id, toolkit_slug, alias)
	WHERE alias <> '';
CREATE INDEX accounts_created ON accounts (project_id, created_at, id);
CREATE INDEX accounts_updated ON accounts (project_id, updated_at, id);
CREATE INDEX accounts_connected ON accounts (project_id, connected_at, id);
CREATE INDEX accounts_auth_config ON accounts (auth_config_id);
-- FailStaleAccounts scans the INITIATED accounts of every project.
CREATE INDEX accounts_initiated ON accounts (id) WHERE status = 'INITIATED';

CREATE TABLE links (
	token            text PRIMARY KEY,
	project_id       text NOT NULL,
	account_id       text NOT NULL,
	session_id       text NOT NULL DEFAULT '',
	callback_url     text NOT NULL DEFAULT '',
	expires_at       timestamptz NOT NULL,
	state_hash       text NOT NULL DEFAULT '',
	sealed_verifier  bytea,
	state_expires_at timestamptz,
	completed_at     timestamptz,
	created_at       timestamptz NOT NULL,
	FOREIGN KEY (project_id, account_id)
		REFERENCES accounts (project_id, id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX links_state ON links (state_hash) WHERE state_hash <> '';
CREATE INDEX links_account ON links (account_id, created_at, token);

CREATE TABLE sessions (
	id             text PRIMARY KEY,
	project_id     text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	user_id        text NOT NULL,
	-- The bytes as given, not jsonb, which would reformat them.
	config         bytea,
	config_version integer NOT NULL DEFAULT 0,
	created_at     timestamptz NOT NULL,
	updated_at     timestamptz NOT NULL
);
