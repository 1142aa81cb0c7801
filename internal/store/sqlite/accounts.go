package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

func scanAccount(r scanner) (store.Account, error) {
	var a store.Account
	err := r.Scan(&a.ID, &a.ProjectID, &a.UserID, &a.ToolkitSlug, &a.AuthConfigID, &a.Status, &a.StatusReason, &a.Alias,
		bytesCol{&a.SealedCredentials}, nullTimeCol{&a.TokenExpiresAt}, &a.Identity, &a.IdentityID,
		nullTimeCol{&a.ConnectedAt}, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt},
		&a.SupersededBy, &a.IsDefault, &a.Health, nullTimeCol{&a.VerifiedAt}, &a.HealthError)
	return a, err
}

// CreateAccount stores a new account. A taken id or alias, or an auth
// config that is not the project's, is store.ErrConflict.
func (s *Store) CreateAccount(ctx context.Context, a store.Account) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO accounts (`+sqlq.AccountColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.ProjectID, a.UserID, a.ToolkitSlug, a.AuthConfigID, a.Status, a.StatusReason, a.Alias,
			blobValue(a.SealedCredentials), nullTimeValue(a.TokenExpiresAt), a.Identity, a.IdentityID,
			nullTimeValue(a.ConnectedAt), timeValue(a.CreatedAt), timeValue(a.UpdatedAt),
			a.SupersededBy, a.IsDefault, a.Health, nullTimeValue(a.VerifiedAt), a.HealthError)
		if err != nil {
			return dbError("create account", err)
		}
		return accountEvents(ctx, tx, nil, &a, a.UpdatedAt)
	})
}

// GetAccount returns the project's account with the given id.
func (s *Store) GetAccount(ctx context.Context, projectID, id string) (store.Account, error) {
	return getAccount(ctx, s.hot, projectID, id)
}

func getAccount(ctx context.Context, q queryer, projectID, id string) (store.Account, error) {
	a, err := scanAccount(q.QueryRowContext(ctx, `SELECT `+sqlq.AccountColumns+` FROM accounts
WHERE project_id = ? AND id = ?`, projectID, id))
	if err != nil {
		return store.Account{}, rowError("get account", err)
	}
	return a, nil
}

// ListAccounts lists the project's accounts matching f, in the order f asks
// for, ties by id in the same direction.
func (s *Store) ListAccounts(ctx context.Context, projectID string, f store.AccountFilter) (store.Page[store.Account], error) {
	l, err := sqlq.Accounts(dialect, projectID, f)
	if err != nil {
		return store.Page[store.Account]{}, fmt.Errorf("list accounts: %w", err)
	}
	return list(ctx, s, "list accounts", l, f.Cursor, f.Limit, scanAccount)
}

// defaultAccountQuery reads the first entry of the accounts_default_first
// index for the project, user and toolkit: the chosen default, sorted
// first, else the ACTIVE account connected last. Its status condition is
// the index's WHERE, word for word, and a literal, so that SQLite sees the
// partial index applies. SQLite sorts NULL first ascending, so DESC NULLS
// LAST is its own order for DESC and the index, declared DESC, serves it
// without a sort.
const defaultAccountQuery = `SELECT ` + sqlq.AccountColumns + ` FROM accounts
WHERE project_id = ? AND user_id = ? AND toolkit_slug = ? AND (is_default = 1 OR status = '` + store.StatusActive + `')
ORDER BY is_default DESC, connected_at DESC NULLS LAST, id DESC
LIMIT 1`

// DefaultAccount returns the user's chosen default account of the toolkit,
// else the ACTIVE one that connected last, never-connected ones last, ties
// by the greater id.
func (s *Store) DefaultAccount(ctx context.Context, projectID, userID, toolkit string) (store.Account, error) {
	a, err := scanAccount(s.hot.QueryRowContext(ctx, defaultAccountQuery, projectID, userID, toolkit))
	if err != nil {
		return store.Account{}, rowError("default account", err)
	}
	return a, nil
}

// UpdateAccount replaces the account with what fn makes of it. The id and
// project are kept whatever fn returns. A taken alias is store.ErrConflict.
// Once committed, a change of status is published to AccountChanges.
func (s *Store) UpdateAccount(ctx context.Context, projectID, id string, fn func(store.Account) (store.Account, error)) (store.Account, error) {
	var updated store.Account
	var statusChanged bool
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		old, err := getAccount(ctx, tx, projectID, id)
		if err != nil {
			return err
		}
		a, err := fn(old)
		if err != nil {
			return err
		}
		if a.IsDefault {
			// One default per user and toolkit: this one takes it over.
			if _, err := tx.ExecContext(ctx, `UPDATE accounts SET is_default = 0
WHERE project_id = ? AND user_id = ? AND toolkit_slug = ? AND is_default = 1 AND id <> ?`,
				projectID, a.UserID, a.ToolkitSlug, id); err != nil {
				return dbError("clear default account", err)
			}
		}
		err = execOne(ctx, tx, "update account", `UPDATE accounts
SET user_id = ?, toolkit_slug = ?, auth_config_id = ?, status = ?, status_reason = ?, alias = ?,
	sealed_credentials = ?, token_expires_at = ?, identity = ?, identity_id = ?, connected_at = ?,
	created_at = ?, updated_at = ?, superseded_by = ?, is_default = ?, health = ?, verified_at = ?,
	health_error = ?
WHERE project_id = ? AND id = ?`,
			a.UserID, a.ToolkitSlug, a.AuthConfigID, a.Status, a.StatusReason, a.Alias,
			blobValue(a.SealedCredentials), nullTimeValue(a.TokenExpiresAt), a.Identity, a.IdentityID, nullTimeValue(a.ConnectedAt),
			timeValue(a.CreatedAt), timeValue(a.UpdatedAt), a.SupersededBy, a.IsDefault, a.Health,
			nullTimeValue(a.VerifiedAt), a.HealthError,
			projectID, id)
		if err != nil {
			return err
		}
		updated, err = getAccount(ctx, tx, projectID, id)
		if err != nil {
			return err
		}
		statusChanged = updated.Status != old.Status
		if err := accountEvents(ctx, tx, &old, &updated, updated.UpdatedAt); err != nil {
			return err
		}
		return writeAudit(ctx, tx, store.AuditAccount, id, old, updated)
	})
	if err != nil {
		return store.Account{}, err
	}
	if statusChanged {
		s.changes.publish(id)
	}
	return updated, nil
}

// DeleteAccount deletes the account and, through the foreign key, its
// links, and writes its deleted event.
func (s *Store) DeleteAccount(ctx context.Context, projectID, id string) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		old, err := getAccount(ctx, tx, projectID, id)
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, "delete account",
			`DELETE FROM accounts WHERE project_id = ? AND id = ?`, projectID, id); err != nil {
			return err
		}
		if err := accountEvents(ctx, tx, &old, nil, time.Now().UTC()); err != nil {
			return err
		}
		return writeAudit(ctx, tx, store.AuditAccount, id, old, nil)
	})
}

// FailStaleAccounts moves to FAILED with the given reason and UpdatedAt
// now, in every project, every INITIATED account whose newest link (by
// creation time, then token hash) expired before now, and every INITIATED
// account without any link that was created before unlinkedBefore. The
// moved ids are published to AccountChanges.
func (s *Store) FailStaleAccounts(ctx context.Context, now, unlinkedBefore time.Time, reason string) (int, error) {
	var ids []string
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		ids = ids[:0]
		rows, err := tx.QueryContext(ctx, `UPDATE accounts
SET status = ?, status_reason = ?, updated_at = ?
WHERE status = ? AND ((
	SELECT l.expires_at FROM links l
	WHERE l.project_id = accounts.project_id AND l.account_id = accounts.id
	ORDER BY l.created_at DESC, l.token_hash DESC
	LIMIT 1
) < ? OR created_at < ? AND NOT EXISTS (
	SELECT 1 FROM links l WHERE l.project_id = accounts.project_id AND l.account_id = accounts.id
))
RETURNING `+sqlq.AccountColumns,
			store.StatusFailed, reason, timeValue(now), store.StatusInitiated, timeValue(now), timeValue(unlinkedBefore))
		if err != nil {
			return dbError("fail stale accounts", err)
		}
		moved, err := collect(rows, "fail stale accounts", scanAccount)
		if err != nil {
			return err
		}
		var events []store.Event
		for _, a := range moved {
			ids = append(ids, a.ID)
			var scheme string
			err := tx.QueryRowContext(ctx, `SELECT auth_scheme FROM auth_configs WHERE project_id = ? AND id = ?`,
				a.ProjectID, a.AuthConfigID).Scan(&scheme)
			if err != nil && err != sql.ErrNoRows {
				return dbError("fail stale accounts", err)
			}
			before := a
			before.Status = store.StatusInitiated
			events = append(events, store.AccountEvent(store.EventLinkExpired, &before, a, scheme, now))
		}
		return appendEvents(ctx, tx, events)
	})
	if err != nil {
		return 0, err
	}
	s.changes.publish(ids...)
	return len(ids), nil
}

// ClaimProbes leases, until leaseUntil, up to limit ACTIVE accounts of any
// project verified before verifiedBefore or never, whose lease expired or
// was never taken, least recently verified first, and returns them. The
// one write connection serializes claims, so two never take one account.
func (s *Store) ClaimProbes(ctx context.Context, now, verifiedBefore, leaseUntil time.Time, limit int) ([]store.Account, error) {
	var out []store.Account
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `UPDATE accounts SET probe_lease_until = ?
WHERE id IN (
	SELECT id FROM accounts
	WHERE status = '`+store.StatusActive+`' AND health <> '`+store.HealthUnverified+`'
		AND (verified_at IS NULL OR verified_at < ?)
		AND (probe_lease_until IS NULL OR probe_lease_until < ?)
	ORDER BY verified_at, id
	LIMIT ?
)
RETURNING `+sqlq.AccountColumns,
			timeValue(leaseUntil), timeValue(verifiedBefore), timeValue(now), limit)
		if err != nil {
			return dbError("claim probes", err)
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				return dbError("claim probes", err)
			}
			out = append(out, a)
		}
		if err := rows.Err(); err != nil {
			return dbError("claim probes", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b store.Account) int {
		if c := compareTimes(a.VerifiedAt, b.VerifiedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// compareTimes orders nil (never) before every time.
func compareTimes(a, b *time.Time) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return a.Compare(*b)
}
