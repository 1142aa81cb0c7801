-- The outbox: events written with the account change that caused them,
-- webhook subscriptions, one delivery per event and subscription, and a
-- record of every attempt.
CREATE TABLE events (
	id         TEXT PRIMARY KEY,
	project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	type       TEXT NOT NULL,
	account_id TEXT NOT NULL,
	data       BLOB NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX events_account ON events (project_id, account_id, created_at, id);

CREATE TABLE webhook_subscriptions (
	id                     TEXT PRIMARY KEY,
	project_id             TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	url                    TEXT NOT NULL,
	version                TEXT NOT NULL,
	enabled_events         TEXT NOT NULL,
	sealed_secret          BLOB,
	sealed_previous_secret BLOB,
	previous_secret_until  TEXT,
	status                 TEXT NOT NULL,
	disabled_reason        TEXT NOT NULL,
	failing_since          TEXT,
	created_at             TEXT NOT NULL,
	updated_at             TEXT NOT NULL
) STRICT;
CREATE INDEX webhook_subscriptions_project ON webhook_subscriptions (project_id, created_at, id);

CREATE TABLE deliveries (
	id               TEXT PRIMARY KEY,
	project_id       TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	event_id         TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	subscription_id  TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
	status           TEXT NOT NULL,
	attempts         INTEGER NOT NULL,
	next_attempt_at  TEXT NOT NULL,
	lease_owner      TEXT NOT NULL,
	lease_until      TEXT,
	last_status_code INTEGER NOT NULL,
	last_error       TEXT NOT NULL,
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_subscription ON deliveries (project_id, subscription_id, created_at, id);

CREATE TABLE delivery_attempts (
	delivery_id   TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
	project_id    TEXT NOT NULL,
	attempt       INTEGER NOT NULL,
	started_at    TEXT NOT NULL,
	latency_us    INTEGER NOT NULL,
	status_code   INTEGER NOT NULL,
	response_body TEXT NOT NULL,
	error         TEXT NOT NULL,
	PRIMARY KEY (delivery_id, attempt)
) STRICT;
