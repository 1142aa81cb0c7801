-- An index on the accounts of one user and toolkit.
--
-- LatestActiveAccount, the default account of a session, is an equality on
-- the first four columns and reads the first entry in (connected_at DESC,
-- id DESC) order: one B-tree search, like a lookup by id. DESC sorts NULL
-- last, as the store's connected_at order wants. ListAccounts filtered by
-- user (Resolve, the API's user_ids filter) searches on its prefix, and
-- counts its Total from the index alone.
--
-- A partial index WHERE status = 'ACTIVE' would be smaller, but this one
-- also serves those lists, so accounts keep one index per access path
-- instead of two.

CREATE INDEX accounts_user_toolkit
	ON accounts (project_id, user_id, toolkit_slug, status, connected_at DESC, id DESC);
