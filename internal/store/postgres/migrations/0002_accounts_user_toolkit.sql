-- An index on the accounts of one user and toolkit.
--
-- LatestActiveAccount, the default account of a session, is an equality on
-- the first four columns and reads the first entry in (connected_at DESC
-- NULLS LAST, id DESC) order: one index descent, like a lookup by id.
-- PostgreSQL sorts NULL first under DESC unless told otherwise, and the
-- store's connected_at order puts never-connected accounts last, so the
-- index says NULLS LAST to serve that order without a sort. ListAccounts
-- filtered by user (Resolve, the API's user_ids filter) searches on its
-- prefix, and counts its Total from the index.
--
-- A partial index WHERE status = 'ACTIVE' would be smaller, but this one
-- also serves those lists, so accounts keep one index per access path
-- instead of two.
--
-- Migrations run in a transaction, so this is not CREATE INDEX
-- CONCURRENTLY: it blocks writes to accounts while it builds, a few seconds
-- for a million accounts.

CREATE INDEX accounts_user_toolkit
	ON accounts (project_id, user_id, toolkit_slug, status, connected_at DESC NULLS LAST, id DESC);
