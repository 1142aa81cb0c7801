-- The default account in one index descent (issue 15, issue 12 item 3).
--
-- DefaultAccount is the user's chosen default of a toolkit, in whatever
-- status it is, else the most recently connected ACTIVE account. Its query
-- keeps only rows that can be either (is_default = 1 OR status = 'ACTIVE',
-- this index's own WHERE, written the same way so that SQLite sees the
-- index's condition among the query's terms) and reads the first entry in
-- (is_default DESC, connected_at DESC, id DESC) order: the default when
-- there is one, sorted first, else the latest ACTIVE account. Before, the
-- rule took two lookups (the default, then accounts_user_toolkit).
--
-- DESC sorts NULL last in SQLite, as the store's connected_at order wants.
-- Being partial, the index leaves out the accounts that are neither
-- (INITIATED, FAILED, EXPIRED, INACTIVE and not the default).
CREATE INDEX accounts_default_first
	ON accounts (project_id, user_id, toolkit_slug, is_default DESC, connected_at DESC, id DESC)
	WHERE is_default = 1 OR status = 'ACTIVE';
