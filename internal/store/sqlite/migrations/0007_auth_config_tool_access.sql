-- The tools an auth config's accounts may run (tool_access_config.
-- tools_available_for_execution); an empty list allows every tool.
ALTER TABLE auth_configs ADD COLUMN tools_for_execution TEXT NOT NULL DEFAULT '[]';
