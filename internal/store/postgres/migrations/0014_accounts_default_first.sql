-- The default account in one index descent (issue 15, issue 12 item 3).
--
-- DefaultAccount is the user's chosen default of a toolkit, in whatever
-- status it is, else the most recently connected ACTIVE account. Its query
-- keeps only rows that can be either (is_default OR status = 'ACTIVE', this
-- index's own WHERE, so that the planner proves the index usable) and reads
-- the first entry in (is_default DESC, connected_at DESC NULLS LAST,
-- id DESC) order: the default when there is one, sorted first, else the
-- latest ACTIVE account. Before, the rule took two lookups (the default,
-- then accounts_user_toolkit).
--
-- NULLS LAST because the store's connected_at order puts never-connected
-- accounts last. Being partial, the index leaves out the accounts that are
-- neither (INITIATED, FAILED, EXPIRED, INACTIVE and not the default).
--
-- Migrations run in a transaction, so this is not CREATE INDEX
-- CONCURRENTLY: it blocks writes to accounts while it builds, a few seconds
-- for a million accounts.
CREATE INDEX accounts_default_first
	ON accounts (project_id, user_id, toolkit_slug, is_default DESC, connected_at DESC NULLS LAST, id DESC)
	WHERE is_default OR status = 'ACTIVE';
