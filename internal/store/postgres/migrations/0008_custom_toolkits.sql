-- Toolkits a project added (the toolkit file format, as JSON bytes as
-- given, not jsonb, which would reformat them).
CREATE TABLE custom_toolkits (
	project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	slug       text NOT NULL,
	definition bytea NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (project_id, slug)
);
