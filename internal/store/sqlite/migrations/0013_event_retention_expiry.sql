-- The retention sweeper deletes events by age; the expiring warning is
-- scheduled per account: when its refresh token runs out, when to warn,
-- and when the warning for that token was written (NULL until then).
CREATE INDEX events_created ON events (created_at, id);
CREATE INDEX deliveries_event ON deliveries (event_id);

CREATE TABLE refresh_expiries (
	account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	expires_at TEXT NOT NULL,
	warn_at    TEXT NOT NULL,
	warned_at  TEXT
) STRICT;
CREATE INDEX refresh_expiries_due ON refresh_expiries (warn_at) WHERE warned_at IS NULL;
