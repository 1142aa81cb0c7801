package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

func scanAuthConfig(r scanner) (store.AuthConfig, error) {
	var c store.AuthConfig
	err := r.Scan(&c.ID, &c.ProjectID, &c.ToolkitSlug, &c.Name, &c.Type, &c.AuthScheme, &c.Status,
		jsonCol{&c.Params}, bytesCol{&c.SealedSecrets}, &c.IsEnabledForToolRouter,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, jsonCol{&c.ToolsForExecution}, &c.DuplicatePolicy)
	if len(c.ToolsForExecution) == 0 {
		c.ToolsForExecution = nil
	}
	return c, err
}

// CreateAuthConfig stores a new auth config; a taken id, or a project that
// does not exist, is store.ErrConflict.
func (s *Store) CreateAuthConfig(ctx context.Context, c store.AuthConfig) error {
	params, err := jsonValue(c.Params)
	if err != nil {
		return dbError("create auth config", err)
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO auth_configs (`+sqlq.AuthConfigColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.ProjectID, c.ToolkitSlug, c.Name, c.Type, c.AuthScheme, c.Status, params,
			blobValue(c.SealedSecrets), c.IsEnabledForToolRouter, timeValue(c.CreatedAt), timeValue(c.UpdatedAt),
			sqlq.ToolsJSON(c.ToolsForExecution), c.DuplicatePolicy)
		if err != nil {
			return dbError("create auth config", err)
		}
		return writeAudit(ctx, tx, store.AuditAuthConfig, c.ID, nil, c)
	})
}

// GetAuthConfig returns the project's auth config with the given id.
func (s *Store) GetAuthConfig(ctx context.Context, projectID, id string) (store.AuthConfig, error) {
	return getAuthConfig(ctx, s.hot, projectID, id)
}

func getAuthConfig(ctx context.Context, q queryer, projectID, id string) (store.AuthConfig, error) {
	c, err := scanAuthConfig(q.QueryRowContext(ctx, `SELECT `+sqlq.AuthConfigColumns+` FROM auth_configs
WHERE project_id = ? AND id = ?`, projectID, id))
	if err != nil {
		return store.AuthConfig{}, rowError("get auth config", err)
	}
	return c, nil
}

// ListAuthConfigs lists the project's auth configs matching f, newest
// first, ties by id. Search folds ASCII letters only, as SQLite's lower does.
func (s *Store) ListAuthConfigs(ctx context.Context, projectID string, f store.AuthConfigFilter) (store.Page[store.AuthConfig], error) {
	return list(ctx, s, "list auth configs", sqlq.AuthConfigs(dialect, projectID, f), f.Cursor, f.Limit, scanAuthConfig)
}

// UpdateAuthConfig replaces the auth config with what fn makes of it. The id
// and project are kept whatever fn returns.
func (s *Store) UpdateAuthConfig(ctx context.Context, projectID, id string, fn func(store.AuthConfig) (store.AuthConfig, error)) (store.AuthConfig, error) {
	var updated store.AuthConfig
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		old, err := getAuthConfig(ctx, tx, projectID, id)
		if err != nil {
			return err
		}
		c, err := fn(old)
		if err != nil {
			return err
		}
		params, err := jsonValue(c.Params)
		if err != nil {
			return dbError("update auth config", err)
		}
		err = execOne(ctx, tx, "update auth config", `UPDATE auth_configs
SET toolkit_slug = ?, name = ?, type = ?, auth_scheme = ?, status = ?, params = ?,
	sealed_secrets = ?, is_enabled_for_tool_router = ?, created_at = ?, updated_at = ?, tools_for_execution = ?,
	duplicate_policy = ?
WHERE project_id = ? AND id = ?`,
			c.ToolkitSlug, c.Name, c.Type, c.AuthScheme, c.Status, params,
			blobValue(c.SealedSecrets), c.IsEnabledForToolRouter, timeValue(c.CreatedAt), timeValue(c.UpdatedAt),
			sqlq.ToolsJSON(c.ToolsForExecution), c.DuplicatePolicy, projectID, id)
		if err != nil {
			return err
		}
		if updated, err = getAuthConfig(ctx, tx, projectID, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, store.AuditAuthConfig, id, old, updated)
	})
	if err != nil {
		return store.AuthConfig{}, err
	}
	return updated, nil
}

// DeleteAuthConfig deletes the auth config and, through the foreign key's
// ON DELETE CASCADE in the same statement, its accounts and their links.
func (s *Store) DeleteAuthConfig(ctx context.Context, projectID, id string) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		var scheme string
		if err := tx.QueryRowContext(ctx, `SELECT auth_scheme FROM auth_configs WHERE project_id = ? AND id = ?`,
			projectID, id).Scan(&scheme); err != nil {
			return rowError("delete auth config", err)
		}
		// The accounts go with the config (ON DELETE CASCADE): each gets
		// its deleted event in this transaction.
		rows, err := tx.QueryContext(ctx, `SELECT `+sqlq.AccountColumns+` FROM accounts WHERE project_id = ? AND auth_config_id = ?`, projectID, id)
		if err != nil {
			return dbError("delete auth config", err)
		}
		gone, err := collect(rows, "delete auth config", scanAccount)
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, "delete auth config",
			`DELETE FROM auth_configs WHERE project_id = ? AND id = ?`, projectID, id); err != nil {
			return err
		}
		now := time.Now().UTC()
		var events []store.Event
		for _, a := range gone {
			events = append(events, store.AccountEvents(&a, nil, scheme, now)...)
		}
		if err := appendEvents(ctx, tx, events); err != nil {
			return err
		}
		return writeAudit(ctx, tx, store.AuditAuthConfig, id, nil, nil)
	})
}

// CountAccounts counts the accounts of each of the given auth configs of
// the project; every id asked for is in the map, with 0 if it has none.
func (s *Store) CountAccounts(ctx context.Context, projectID string, authConfigIDs []string) (map[string]int, error) {
	counts := make(map[string]int, len(authConfigIDs))
	if len(authConfigIDs) == 0 {
		return counts, nil
	}
	for _, id := range authConfigIDs {
		counts[id] = 0
	}
	q := sqlq.CountAccounts(dialect, projectID, authConfigIDs)
	rows, err := s.read.QueryContext(ctx, q.Text, q.Args...)
	if err != nil {
		return nil, dbError("count accounts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, dbError("count accounts", err)
		}
		counts[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("count accounts", err)
	}
	return counts, nil
}
