package sqlite

import (
	"context"
	"database/sql"

	"github.com/switchboard-dev/switchboard/internal/store"
)

const projectColumns = `id, name, callback_urls, reveal_secrets, created_at, updated_at`

func scanProject(r scanner) (store.Project, error) {
	var p store.Project
	err := r.Scan(&p.ID, &p.Name, jsonCol{&p.CallbackURLs}, &p.RevealSecrets,
		timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt})
	return p, err
}

// CreateProject stores a new project.
func (s *Store) CreateProject(ctx context.Context, p store.Project) error {
	urls, err := jsonValue(p.CallbackURLs)
	if err != nil {
		return dbError("create project", err)
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO projects (`+projectColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
			p.ID, p.Name, urls, p.RevealSecrets, timeValue(p.CreatedAt), timeValue(p.UpdatedAt))
		if err != nil {
			return dbError("create project", err)
		}
		return writeAudit(ctx, tx, store.AuditProject, p.ID, nil, p)
	})
}

// GetProject returns the project with the given id.
func (s *Store) GetProject(ctx context.Context, id string) (store.Project, error) {
	return getProject(ctx, s.hot, id)
}

func getProject(ctx context.Context, q queryer, id string) (store.Project, error) {
	p, err := scanProject(q.QueryRowContext(ctx, `SELECT `+projectColumns+` FROM projects WHERE id = ?`, id))
	if err != nil {
		return store.Project{}, rowError("get project", err)
	}
	return p, nil
}

// ListProjects returns every project, oldest first.
func (s *Store) ListProjects(ctx context.Context) ([]store.Project, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+projectColumns+` FROM projects ORDER BY created_at, id`)
	if err != nil {
		return nil, dbError("list projects", err)
	}
	defer rows.Close()
	projects := []store.Project{}
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return nil, dbError("list projects", err)
		}
		projects = append(projects, p)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("list projects", err)
	}
	return projects, nil
}

// UpdateProject replaces the project with what fn makes of it. The id is
// kept whatever fn returns.
func (s *Store) UpdateProject(ctx context.Context, id string, fn func(store.Project) (store.Project, error)) (store.Project, error) {
	var updated store.Project
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		old, err := getProject(ctx, tx, id)
		if err != nil {
			return err
		}
		p, err := fn(old)
		if err != nil {
			return err
		}
		urls, err := jsonValue(p.CallbackURLs)
		if err != nil {
			return dbError("update project", err)
		}
		err = execOne(ctx, tx, "update project", `UPDATE projects
SET name = ?, callback_urls = ?, reveal_secrets = ?, created_at = ?, updated_at = ?
WHERE id = ?`,
			p.Name, urls, p.RevealSecrets, timeValue(p.CreatedAt), timeValue(p.UpdatedAt), id)
		if err != nil {
			return err
		}
		if updated, err = getProject(ctx, tx, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, store.AuditProject, id, old, updated)
	})
	if err != nil {
		return store.Project{}, err
	}
	return updated, nil
}
