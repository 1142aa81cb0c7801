-- One fixed-window request counter per project and key (internal/ratelimit):
-- each request updates its row in one statement, so instances sharing the
-- database count together. window_start is Unix milliseconds.
CREATE TABLE rate_windows (
	project_id   TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	key          TEXT NOT NULL,
	window_start BIGINT NOT NULL,
	hits         BIGINT NOT NULL,
	PRIMARY KEY (project_id, key)
);
