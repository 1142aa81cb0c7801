package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
)

const customToolkitCols = "project_id, slug, definition, created_at, updated_at"

func scanCustomToolkit(r pgx.Row) (store.CustomToolkit, error) {
	var t store.CustomToolkit
	err := r.Scan(&t.ProjectID, &t.Slug, &t.Definition, &t.CreatedAt, &t.UpdatedAt)
	t.CreatedAt, t.UpdatedAt = utc(t.CreatedAt), utc(t.UpdatedAt)
	return t, err
}

// CreateCustomToolkit stores a project's toolkit; a slug the project has
// is store.ErrConflict.
func (s *Store) CreateCustomToolkit(ctx context.Context, t store.CustomToolkit) error {
	_, err := execAudited(ctx, s, store.AuditToolkit, t.Slug, nil, t, `INSERT INTO custom_toolkits (`+customToolkitCols+`) VALUES ($1, $2, $3, $4, $5)`,
		t.ProjectID, t.Slug, t.Definition, t.CreatedAt, t.UpdatedAt)
	if err != nil {
		return fmt.Errorf("create custom toolkit: %w", dbError(err))
	}
	return nil
}

// GetCustomToolkit returns the project's toolkit with the given slug.
func (s *Store) GetCustomToolkit(ctx context.Context, projectID, slug string) (store.CustomToolkit, error) {
	t, err := scanCustomToolkit(s.pool.QueryRow(ctx, `SELECT `+customToolkitCols+`
		FROM custom_toolkits WHERE project_id = $1 AND slug = $2`, projectID, slug))
	if err != nil {
		return store.CustomToolkit{}, fmt.Errorf("get custom toolkit: %w", dbError(err))
	}
	return t, nil
}

// ListCustomToolkits returns the project's toolkits, by slug.
func (s *Store) ListCustomToolkits(ctx context.Context, projectID string) ([]store.CustomToolkit, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+customToolkitCols+` FROM custom_toolkits WHERE project_id = $1 ORDER BY slug`, projectID)
	if err == nil {
		var ts []store.CustomToolkit
		ts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.CustomToolkit, error) { return scanCustomToolkit(r) })
		if err == nil {
			if ts == nil {
				ts = []store.CustomToolkit{}
			}
			return ts, nil
		}
	}
	return nil, fmt.Errorf("list custom toolkits: %w", dbError(err))
}

// UpdateCustomToolkit changes a toolkit with fn; the project and slug
// never change.
func (s *Store) UpdateCustomToolkit(ctx context.Context, projectID, slug string, fn func(store.CustomToolkit) (store.CustomToolkit, error)) (store.CustomToolkit, error) {
	return update(ctx, s, "update custom toolkit",
		`SELECT `+customToolkitCols+` FROM custom_toolkits WHERE project_id = $1 AND slug = $2 FOR UPDATE`,
		[]any{projectID, slug}, scanCustomToolkit, fn,
		func(ctx context.Context, tx pgx.Tx, old, t store.CustomToolkit) (store.CustomToolkit, error) {
			out, err := scanCustomToolkit(tx.QueryRow(ctx, `UPDATE custom_toolkits
				SET definition = $3, created_at = $4, updated_at = $5
				WHERE project_id = $1 AND slug = $2 RETURNING `+customToolkitCols,
				old.ProjectID, old.Slug, t.Definition, t.CreatedAt, t.UpdatedAt))
			if err != nil {
				return out, err
			}
			return out, writeAudit(ctx, tx, store.AuditToolkit, old.Slug, old, out)
		})
}

// DeleteCustomToolkit deletes the project's toolkit with the given slug.
func (s *Store) DeleteCustomToolkit(ctx context.Context, projectID, slug string) error {
	tag, err := execAudited(ctx, s, store.AuditToolkit, slug, nil, nil, `DELETE FROM custom_toolkits WHERE project_id = $1 AND slug = $2`, projectID, slug)
	if err != nil {
		return fmt.Errorf("delete custom toolkit: %w", dbError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete custom toolkit: %w", store.ErrNotFound)
	}
	return nil
}
