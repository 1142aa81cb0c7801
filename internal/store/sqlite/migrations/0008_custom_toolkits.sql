-- Toolkits a project added (the toolkit file format, as JSON).
CREATE TABLE custom_toolkits (
	project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	slug       TEXT NOT NULL,
	definition BLOB NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (project_id, slug)
) STRICT;
