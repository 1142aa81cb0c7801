package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
)

const projectCols = "id, name, callback_urls, reveal_secrets, created_at, updated_at"

func scanProject(r pgx.Row) (store.Project, error) {
	var p store.Project
	err := r.Scan(&p.ID, &p.Name, &p.CallbackURLs, &p.RevealSecrets, &p.CreatedAt, &p.UpdatedAt)
	if len(p.CallbackURLs) == 0 {
		p.CallbackURLs = nil
	}
	p.CreatedAt, p.UpdatedAt = utc(p.CreatedAt), utc(p.UpdatedAt)
	return p, err
}

// nonNil returns s, or an empty slice for nil, for NOT NULL array columns.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CreateProject stores a new project.
func (s *Store) CreateProject(ctx context.Context, p store.Project) error {
	_, err := execAudited(ctx, s, store.AuditProject, p.ID, nil, p, `INSERT INTO projects (`+projectCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		p.ID, p.Name, nonNil(p.CallbackURLs), p.RevealSecrets, p.CreatedAt, p.UpdatedAt)
	if err != nil {
		return fmt.Errorf("create project: %w", dbError(err))
	}
	return nil
}

// GetProject returns a project.
func (s *Store) GetProject(ctx context.Context, id string) (store.Project, error) {
	p, err := scanProject(s.pool.QueryRow(ctx, `SELECT `+projectCols+` FROM projects WHERE id = $1`, id))
	if err != nil {
		return store.Project{}, fmt.Errorf("get project: %w", dbError(err))
	}
	return p, nil
}

// ListProjects returns every project, oldest first.
func (s *Store) ListProjects(ctx context.Context) ([]store.Project, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+projectCols+` FROM projects ORDER BY created_at, id`)
	if err == nil {
		var ps []store.Project
		ps, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Project, error) { return scanProject(r) })
		if err == nil {
			return ps, nil
		}
	}
	return nil, fmt.Errorf("list projects: %w", dbError(err))
}

// UpdateProject changes a project with fn. The id never changes.
func (s *Store) UpdateProject(ctx context.Context, id string, fn func(store.Project) (store.Project, error)) (store.Project, error) {
	return update(ctx, s, "update project",
		`SELECT `+projectCols+` FROM projects WHERE id = $1 FOR UPDATE`, []any{id}, scanProject, fn,
		func(ctx context.Context, tx pgx.Tx, old, p store.Project) (store.Project, error) {
			out, err := scanProject(tx.QueryRow(ctx, `UPDATE projects
				SET name = $2, callback_urls = $3, reveal_secrets = $4, created_at = $5, updated_at = $6
				WHERE id = $1 RETURNING `+projectCols,
				old.ID, p.Name, nonNil(p.CallbackURLs), p.RevealSecrets, p.CreatedAt, p.UpdatedAt))
			if err != nil {
				return out, err
			}
			return out, writeAudit(ctx, tx, store.AuditProject, old.ID, old, out)
		})
}
