-- The outbox: events written with the account change that caused them,
-- webhook subscriptions, one delivery per event and subscription, and a
-- record of every attempt.
CREATE TABLE events (
	id         text PRIMARY KEY,
	project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	type       text NOT NULL,
	account_id text NOT NULL,
	data       bytea NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE INDEX events_account ON events (project_id, account_id, created_at, id);

CREATE TABLE webhook_subscriptions (
	id                     text PRIMARY KEY,
	project_id             text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	url                    text NOT NULL,
	version                text NOT NULL,
	enabled_events         text NOT NULL,
	sealed_secret          bytea,
	sealed_previous_secret bytea,
	previous_secret_until  timestamptz,
	status                 text NOT NULL,
	disabled_reason        text NOT NULL,
	failing_since          timestamptz,
	created_at             timestamptz NOT NULL,
	updated_at             timestamptz NOT NULL
);
CREATE INDEX webhook_subscriptions_project ON webhook_subscriptions (project_id, created_at, id);

CREATE TABLE deliveries (
	id               text PRIMARY KEY,
	project_id       text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	event_id         text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	subscription_id  text NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
	status           text NOT NULL,
	attempts         integer NOT NULL,
	next_attempt_at  timestamptz NOT NULL,
	lease_owner      text NOT NULL,
	lease_until      timestamptz,
	last_status_code integer NOT NULL,
	last_error       text NOT NULL,
	created_at       timestamptz NOT NULL,
	updated_at       timestamptz NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_subscription ON deliveries (project_id, subscription_id, created_at, id);

CREATE TABLE delivery_attempts (
	delivery_id   text NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
	project_id    text NOT NULL,
	attempt       integer NOT NULL,
	started_at    timestamptz NOT NULL,
	latency_us    bigint NOT NULL,
	status_code   integer NOT NULL,
	response_body text NOT NULL,
	error         text NOT NULL,
	PRIMARY KEY (delivery_id, attempt)
);
