-- Accounts that know who they are (issue 15).
--
-- superseded_by names the account that replaced this one when the same
-- upstream identity connected again. is_default marks the account a user
-- chose as the default of its toolkit: at most one per user and toolkit,
-- which the partial unique index enforces. health, verified_at and
-- health_error are the outcome of the last check of the credentials;
-- probe_lease_until is the background prober's claim on the account, so
-- that instances sharing the database never probe it twice at once.
ALTER TABLE accounts ADD COLUMN superseded_by TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN is_default INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN health TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN verified_at TEXT;
ALTER TABLE accounts ADD COLUMN health_error TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN probe_lease_until TEXT;

CREATE UNIQUE INDEX accounts_default ON accounts (project_id, user_id, toolkit_slug) WHERE is_default = 1;
-- Finding the accounts of one upstream identity: duplicates on connect,
-- and the same identity under other user ids.
CREATE INDEX accounts_identity ON accounts (project_id, toolkit_slug, identity_id) WHERE identity_id <> '';
-- ClaimProbes reads the ACTIVE accounts least recently verified first.
CREATE INDEX accounts_probe ON accounts (verified_at, id) WHERE status = 'ACTIVE';

-- What connecting an identity that an ACTIVE account already has does:
-- '' (supersede), 'supersede', 'allow' or 'reject'.
ALTER TABLE auth_configs ADD COLUMN duplicate_policy TEXT NOT NULL DEFAULT '';
