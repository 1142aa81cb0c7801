-- Pending links of a session, newest first: execute and MCP reuse them
-- instead of starting a new connection on every call without an account.
CREATE INDEX links_session ON links (project_id, session_id, created_at);
