package sqlite

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/store"
)

const customToolkitColumns = `project_id, slug, definition, created_at, updated_at`

func scanCustomToolkit(r scanner) (store.CustomToolkit, error) {
	var t store.CustomToolkit
	err := r.Scan(&t.ProjectID, &t.Slug, bytesCol{&t.Definition}, timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt})
	return t, err
}

// CreateCustomToolkit stores a project's toolkit; a slug the project has
// is store.ErrConflict.
func (s *Store) CreateCustomToolkit(ctx context.Context, t store.CustomToolkit) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO custom_toolkits (`+customToolkitColumns+`) VALUES (?, ?, ?, ?, ?)`,
			t.ProjectID, t.Slug, blobValue(t.Definition), timeValue(t.CreatedAt), timeValue(t.UpdatedAt))
		if err != nil {
			return dbError("create custom toolkit", err)
		}
		return writeAudit(ctx, tx, store.AuditToolkit, t.Slug, nil, t)
	})
}

// GetCustomToolkit returns the project's toolkit with the given slug.
func (s *Store) GetCustomToolkit(ctx context.Context, projectID, slug string) (store.CustomToolkit, error) {
	return getCustomToolkit(ctx, s.hot, projectID, slug)
}

func getCustomToolkit(ctx context.Context, q queryer, projectID, slug string) (store.CustomToolkit, error) {
	t, err := scanCustomToolkit(q.QueryRowContext(ctx, `SELECT `+customToolkitColumns+` FROM custom_toolkits
WHERE project_id = ? AND slug = ?`, projectID, slug))
	if err != nil {
		return store.CustomToolkit{}, rowError("get custom toolkit", err)
	}
	return t, nil
}

// ListCustomToolkits returns the project's toolkits, by slug.
func (s *Store) ListCustomToolkits(ctx context.Context, projectID string) ([]store.CustomToolkit, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+customToolkitColumns+` FROM custom_toolkits
WHERE project_id = ? ORDER BY slug`, projectID)
	if err != nil {
		return nil, dbError("list custom toolkits", err)
	}
	defer rows.Close()
	out := []store.CustomToolkit{}
	for rows.Next() {
		t, err := scanCustomToolkit(rows)
		if err != nil {
			return nil, dbError("list custom toolkits", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("list custom toolkits", err)
	}
	return out, nil
}

// UpdateCustomToolkit replaces the toolkit with what fn makes of it; the
// project and slug are kept whatever fn returns.
func (s *Store) UpdateCustomToolkit(ctx context.Context, projectID, slug string, fn func(store.CustomToolkit) (store.CustomToolkit, error)) (store.CustomToolkit, error) {
	var updated store.CustomToolkit
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		old, err := getCustomToolkit(ctx, tx, projectID, slug)
		if err != nil {
			return err
		}
		t, err := fn(old)
		if err != nil {
			return err
		}
		err = execOne(ctx, tx, "update custom toolkit", `UPDATE custom_toolkits
SET definition = ?, created_at = ?, updated_at = ? WHERE project_id = ? AND slug = ?`,
			blobValue(t.Definition), timeValue(t.CreatedAt), timeValue(t.UpdatedAt), projectID, slug)
		if err != nil {
			return err
		}
		if updated, err = getCustomToolkit(ctx, tx, projectID, slug); err != nil {
			return err
		}
		return writeAudit(ctx, tx, store.AuditToolkit, slug, old, updated)
	})
	if err != nil {
		return store.CustomToolkit{}, err
	}
	return updated, nil
}

// DeleteCustomToolkit deletes the project's toolkit with the given slug.
func (s *Store) DeleteCustomToolkit(ctx context.Context, projectID, slug string) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, "delete custom toolkit",
			`DELETE FROM custom_toolkits WHERE project_id = ? AND slug = ?`, projectID, slug); err != nil {
			return err
		}
		return writeAudit(ctx, tx, store.AuditToolkit, slug, nil, nil)
	})
}
