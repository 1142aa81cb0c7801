package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

func scanAccount(r pgx.Row) (store.Account, error) {
	var a store.Account
	err := r.Scan(&a.ID, &a.ProjectID, &a.UserID, &a.ToolkitSlug, &a.AuthConfigID, &a.Status, &a.StatusReason, &a.Alias,
		&a.SealedCredentials, &a.TokenExpiresAt, &a.Identity, &a.IdentityID, &a.ConnectedAt, &a.CreatedAt, &a.UpdatedAt,
		&a.SupersededBy, &a.IsDefault, &a.Health, &a.VerifiedAt, &a.HealthError)
	a.TokenExpiresAt, a.ConnectedAt, a.VerifiedAt = utcPtr(a.TokenExpiresAt), utcPtr(a.ConnectedAt), utcPtr(a.VerifiedAt)
	a.CreatedAt, a.UpdatedAt = utc(a.CreatedAt), utc(a.UpdatedAt)
	return a, err
}

// CreateAccount stores a new account. A taken id or alias is
// store.ErrConflict; an auth config missing from the project is
// store.ErrNotFound.
func (s *Store) CreateAccount(ctx context.Context, a store.Account) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO accounts (`+sqlq.AccountColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
			a.ID, a.ProjectID, a.UserID, a.ToolkitSlug, a.AuthConfigID, a.Status, a.StatusReason, a.Alias,
			a.SealedCredentials, a.TokenExpiresAt, a.Identity, a.IdentityID, a.ConnectedAt, a.CreatedAt, a.UpdatedAt,
			a.SupersededBy, a.IsDefault, a.Health, a.VerifiedAt, a.HealthError)
		if err != nil {
			return err
		}
		return accountEvents(ctx, tx, nil, &a, a.UpdatedAt)
	})
	if err != nil {
		return fmt.Errorf("create account: %w", dbError(err))
	}
	return nil
}

// GetAccount returns an account of the project.
func (s *Store) GetAccount(ctx context.Context, projectID, id string) (store.Account, error) {
	a, err := scanAccount(s.pool.QueryRow(ctx, `SELECT `+sqlq.AccountColumns+`
		FROM accounts WHERE project_id = $1 AND id = $2`, projectID, id))
	if err != nil {
		return store.Account{}, fmt.Errorf("get account: %w", dbError(err))
	}
	return a, nil
}

// ListAccounts lists a project's accounts matching f.
func (s *Store) ListAccounts(ctx context.Context, projectID string, f store.AccountFilter) (store.Page[store.Account], error) {
	l, err := sqlq.Accounts(dialect, projectID, f)
	if err != nil {
		return store.Page[store.Account]{}, fmt.Errorf("list accounts: %w", err)
	}
	page, err := list(ctx, s, l, f.Cursor, f.Limit, scanAccount)
	if err != nil {
		return page, fmt.Errorf("list accounts: %w", err)
	}
	return page, nil
}

// defaultAccountQuery reads the first entry of the accounts_default_first
// index for the project, user and toolkit: the chosen default, sorted
// first, else the ACTIVE account connected last. Its status condition is
// the index's WHERE, and a literal, so that a generic plan of the prepared
// statement can use the partial index as well as a custom one.
const defaultAccountQuery = `SELECT ` + sqlq.AccountColumns + ` FROM accounts
	WHERE project_id = $1 AND user_id = $2 AND toolkit_slug = $3 AND (is_default OR status = '` + store.StatusActive + `')
	ORDER BY is_default DESC, connected_at DESC NULLS LAST, id DESC
	LIMIT 1`

// DefaultAccount returns the user's chosen default account of the toolkit,
// else the ACTIVE one that connected last, never-connected ones last, ties
// by the greater id.
func (s *Store) DefaultAccount(ctx context.Context, projectID, userID, toolkit string) (store.Account, error) {
	a, err := scanAccount(s.pool.QueryRow(ctx, defaultAccountQuery, projectID, userID, toolkit))
	if err != nil {
		return store.Account{}, fmt.Errorf("default account: %w", dbError(err))
	}
	return a, nil
}

// UpdateAccount changes an account with fn. The id and project never
// change. A new alias that is taken is store.ErrConflict. A change of
// status is announced with pg_notify in the same transaction, so every
// instance's AccountChanges hears of it once, and only if, it commits.
func (s *Store) UpdateAccount(ctx context.Context, projectID, id string, fn func(store.Account) (store.Account, error)) (store.Account, error) {
	return update(ctx, s, "update account",
		`SELECT `+sqlq.AccountColumns+` FROM accounts WHERE project_id = $1 AND id = $2 FOR UPDATE`,
		[]any{projectID, id}, scanAccount, fn,
		func(ctx context.Context, tx pgx.Tx, old, a store.Account) (store.Account, error) {
			if a.IsDefault {
				// One default per user and toolkit: this one takes it over.
				if _, err := tx.Exec(ctx, `UPDATE accounts SET is_default = false
					WHERE project_id = $1 AND user_id = $2 AND toolkit_slug = $3 AND is_default AND id <> $4`,
					old.ProjectID, a.UserID, a.ToolkitSlug, old.ID); err != nil {
					return store.Account{}, fmt.Errorf("clear default account: %w", err)
				}
			}
			out, err := scanAccount(tx.QueryRow(ctx, `UPDATE accounts
				SET user_id = $2, toolkit_slug = $3, auth_config_id = $4, status = $5, status_reason = $6,
					alias = $7, sealed_credentials = $8, token_expires_at = $9, identity = $10,
					identity_id = $11, connected_at = $12, created_at = $13, updated_at = $14,
					superseded_by = $15, is_default = $16, health = $17, verified_at = $18, health_error = $19
				WHERE id = $1 RETURNING `+sqlq.AccountColumns,
				old.ID, a.UserID, a.ToolkitSlug, a.AuthConfigID, a.Status, a.StatusReason,
				a.Alias, a.SealedCredentials, a.TokenExpiresAt, a.Identity,
				a.IdentityID, a.ConnectedAt, a.CreatedAt, a.UpdatedAt,
				a.SupersededBy, a.IsDefault, a.Health, a.VerifiedAt, a.HealthError))
			if err != nil {
				return out, err
			}
			if out.Status != old.Status {
				if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, accountChannel, out.ID); err != nil {
					return out, fmt.Errorf("notify account change: %w", err)
				}
			}
			if err := accountEvents(ctx, tx, &old, &out, out.UpdatedAt); err != nil {
				return out, err
			}
			return out, writeAudit(ctx, tx, store.AuditAccount, old.ID, old, out)
		})
}

// DeleteAccount deletes an account of the project and its links.
func (s *Store) DeleteAccount(ctx context.Context, projectID, id string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := scanAccount(tx.QueryRow(ctx, `DELETE FROM accounts WHERE project_id = $1 AND id = $2
			RETURNING `+sqlq.AccountColumns, projectID, id))
		if err != nil {
			return err
		}
		if err := accountEvents(ctx, tx, &old, nil, time.Now().UTC()); err != nil {
			return err
		}
		return writeAudit(ctx, tx, store.AuditAccount, old.ID, old, nil)
	})
	if err != nil {
		return fmt.Errorf("delete account: %w", dbError(err))
	}
	return nil
}

// FailStaleAccounts moves to FAILED with reason, in every project, every
// INITIATED account whose newest link expired before now and every
// INITIATED account without links created before unlinkedBefore, setting
// UpdatedAt to now, and announces each change like UpdateAccount does.
func (s *Store) FailStaleAccounts(ctx context.Context, now, unlinkedBefore time.Time, reason string) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Repeating status = 'INITIATED' in the UPDATE makes PostgreSQL
		// recheck it on rows a concurrent transaction changed meanwhile.
		rows, err := tx.Query(ctx, `UPDATE accounts a
			SET status = $1, status_reason = $2, updated_at = $3
			WHERE a.status = $4
				AND ((SELECT l.expires_at FROM links l WHERE l.account_id = a.id
					ORDER BY l.created_at DESC, l.token_hash DESC LIMIT 1) < $3
				OR a.created_at < $5 AND NOT EXISTS (SELECT 1 FROM links l WHERE l.account_id = a.id))
			RETURNING `+sqlq.AccountColumns,
			store.StatusFailed, reason, now, store.StatusInitiated, unlinkedBefore)
		if err != nil {
			return err
		}
		moved, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Account, error) { return scanAccount(r) })
		if err != nil {
			return err
		}
		n = len(moved)
		ids := make([]string, 0, n)
		var events []store.Event
		for _, a := range moved {
			ids = append(ids, a.ID)
			scheme, err := authScheme(ctx, tx, a)
			if err != nil {
				return err
			}
			before := a
			before.Status = store.StatusInitiated
			events = append(events, store.AccountEvent(store.EventLinkExpired, &before, a, scheme, now))
		}
		if err := appendEvents(ctx, tx, events); err != nil {
			return err
		}
		if n > 0 {
			_, err = tx.Exec(ctx, `SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id`, accountChannel, ids)
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("fail stale accounts: %w", dbError(err))
	}
	return n, nil
}

// ClaimProbes leases, until leaseUntil, up to limit ACTIVE accounts of any
// project verified before verifiedBefore or never, whose lease expired or
// was never taken, least recently verified first, and returns them. The
// rows are locked FOR UPDATE SKIP LOCKED, so concurrent claims on other
// instances pass over each other's rows instead of waiting for them, and
// the lease keeps them apart after the commit.
func (s *Store) ClaimProbes(ctx context.Context, now, verifiedBefore, leaseUntil time.Time, limit int) ([]store.Account, error) {
	rows, err := s.pool.Query(ctx, `UPDATE accounts SET probe_lease_until = $1
		WHERE id IN (
			SELECT id FROM accounts
			WHERE status = '`+store.StatusActive+`' AND health <> '`+store.HealthUnverified+`'
				AND (verified_at IS NULL OR verified_at < $2)
				AND (probe_lease_until IS NULL OR probe_lease_until < $3)
			ORDER BY verified_at NULLS FIRST, id
			LIMIT $4
			FOR UPDATE SKIP LOCKED
		)
		RETURNING `+sqlq.AccountColumns, leaseUntil, verifiedBefore, now, limit)
	if err != nil {
		return nil, fmt.Errorf("claim probes: %w", dbError(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Account, error) { return scanAccount(r) })
	if err != nil {
		return nil, fmt.Errorf("claim probes: %w", dbError(err))
	}
	slices.SortFunc(out, func(a, b store.Account) int {
		switch {
		case a.VerifiedAt == nil && b.VerifiedAt != nil:
			return -1
		case a.VerifiedAt != nil && b.VerifiedAt == nil:
			return 1
		case a.VerifiedAt != nil && !a.VerifiedAt.Equal(*b.VerifiedAt):
			return a.VerifiedAt.Compare(*b.VerifiedAt)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}
