package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

func scanAuthConfig(r pgx.Row) (store.AuthConfig, error) {
	var c store.AuthConfig
	var params, tools []byte
	err := r.Scan(&c.ID, &c.ProjectID, &c.ToolkitSlug, &c.Name, &c.Type, &c.AuthScheme, &c.Status, &params,
		&c.SealedSecrets, &c.IsEnabledForToolRouter, &c.CreatedAt, &c.UpdatedAt, &tools, &c.DuplicatePolicy)
	if err != nil {
		return store.AuthConfig{}, err
	}
	if err := json.Unmarshal(params, &c.Params); err != nil {
		return store.AuthConfig{}, fmt.Errorf("decode params of auth config %s: %w", c.ID, err)
	}
	if len(c.Params) == 0 {
		c.Params = nil
	}
	if err := json.Unmarshal(tools, &c.ToolsForExecution); err != nil {
		return store.AuthConfig{}, fmt.Errorf("decode tools of auth config %s: %w", c.ID, err)
	}
	if len(c.ToolsForExecution) == 0 {
		c.ToolsForExecution = nil
	}
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return c, nil
}

// paramsJSON encodes params for the jsonb column, an empty object for nil.
func paramsJSON(params map[string]string) string {
	if params == nil {
		return "{}"
	}
	b, _ := json.Marshal(params) // a map of strings always encodes
	return string(b)
}

// CreateAuthConfig stores a new auth config in its project.
func (s *Store) CreateAuthConfig(ctx context.Context, c store.AuthConfig) error {
	_, err := execAudited(ctx, s, store.AuditAuthConfig, c.ID, nil, c, `INSERT INTO auth_configs (`+sqlq.AuthConfigColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13::jsonb, $14)`,
		c.ID, c.ProjectID, c.ToolkitSlug, c.Name, c.Type, c.AuthScheme, c.Status, paramsJSON(c.Params),
		c.SealedSecrets, c.IsEnabledForToolRouter, c.CreatedAt, c.UpdatedAt, sqlq.ToolsJSON(c.ToolsForExecution), c.DuplicatePolicy)
	if err != nil {
		return fmt.Errorf("create auth config: %w", dbError(err))
	}
	return nil
}

// GetAuthConfig returns an auth config of the project.
func (s *Store) GetAuthConfig(ctx context.Context, projectID, id string) (store.AuthConfig, error) {
	c, err := scanAuthConfig(s.pool.QueryRow(ctx, `SELECT `+sqlq.AuthConfigColumns+`
		FROM auth_configs WHERE project_id = $1 AND id = $2`, projectID, id))
	if err != nil {
		return store.AuthConfig{}, fmt.Errorf("get auth config: %w", dbError(err))
	}
	return c, nil
}

// ListAuthConfigs lists a project's auth configs, newest first.
func (s *Store) ListAuthConfigs(ctx context.Context, projectID string, f store.AuthConfigFilter) (store.Page[store.AuthConfig], error) {
	page, err := list(ctx, s, sqlq.AuthConfigs(dialect, projectID, f), f.Cursor, f.Limit, scanAuthConfig)
	if err != nil {
		return page, fmt.Errorf("list auth configs: %w", err)
	}
	return page, nil
}

// UpdateAuthConfig changes an auth config with fn. The id and project never
// change.
func (s *Store) UpdateAuthConfig(ctx context.Context, projectID, id string, fn func(store.AuthConfig) (store.AuthConfig, error)) (store.AuthConfig, error) {
	return update(ctx, s, "update auth config",
		`SELECT `+sqlq.AuthConfigColumns+` FROM auth_configs WHERE project_id = $1 AND id = $2 FOR UPDATE`,
		[]any{projectID, id}, scanAuthConfig, fn,
		func(ctx context.Context, tx pgx.Tx, old, c store.AuthConfig) (store.AuthConfig, error) {
			out, err := scanAuthConfig(tx.QueryRow(ctx, `UPDATE auth_configs
				SET toolkit_slug = $2, name = $3, type = $4, auth_scheme = $5, status = $6, params = $7::jsonb,
					sealed_secrets = $8, is_enabled_for_tool_router = $9, created_at = $10, updated_at = $11,
					tools_for_execution = $12::jsonb, duplicate_policy = $13
				WHERE id = $1 RETURNING `+sqlq.AuthConfigColumns,
				old.ID, c.ToolkitSlug, c.Name, c.Type, c.AuthScheme, c.Status, paramsJSON(c.Params),
				c.SealedSecrets, c.IsEnabledForToolRouter, c.CreatedAt, c.UpdatedAt, sqlq.ToolsJSON(c.ToolsForExecution), c.DuplicatePolicy))
			if err != nil {
				return out, err
			}
			return out, writeAudit(ctx, tx, store.AuditAuthConfig, old.ID, old, out)
		})
}

// DeleteAuthConfig deletes an auth config and, through the foreign key's
// cascade, every account made with it and their links.
func (s *Store) DeleteAuthConfig(ctx context.Context, projectID, id string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The accounts go with the config (ON DELETE CASCADE): each gets
		// its deleted event in this transaction. They are read, locked,
		// first: a cascade returns nothing.
		gone, err := collect(ctx, tx, "read accounts of the auth config", `SELECT `+sqlq.AccountColumns+`
			FROM accounts WHERE project_id = $1 AND auth_config_id = $2 FOR UPDATE`, []any{projectID, id}, scanAccount)
		if err != nil {
			return err
		}
		var scheme string
		if err := tx.QueryRow(ctx, `DELETE FROM auth_configs WHERE project_id = $1 AND id = $2 RETURNING auth_scheme`,
			projectID, id).Scan(&scheme); err != nil {
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
	if err != nil {
		return fmt.Errorf("delete auth config: %w", dbError(err))
	}
	return nil
}

// CountAccounts counts the accounts of each of the given auth configs of the
// project; configs without accounts count zero.
func (s *Store) CountAccounts(ctx context.Context, projectID string, authConfigIDs []string) (map[string]int, error) {
	counts := make(map[string]int, len(authConfigIDs))
	for _, id := range authConfigIDs {
		counts[id] = 0
	}
	if len(authConfigIDs) == 0 {
		return counts, nil
	}
	q := sqlq.CountAccounts(dialect, projectID, authConfigIDs)
	rows, err := s.pool.Query(ctx, q.Text, q.Args...)
	if err != nil {
		return nil, fmt.Errorf("count accounts: %w", dbError(err))
	}
	var id string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&id, &n}, func() error {
		counts[id] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count accounts: %w", dbError(err))
	}
	return counts, nil
}
