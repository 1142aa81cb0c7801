package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

// accountEvents writes, in tx, the events an account write causes
// (store.AccountEvents) with their deliveries.
func accountEvents(ctx context.Context, tx pgx.Tx, before, after *store.Account, at time.Time) error {
	// Most writes cause no event: learn that before reading anything.
	if len(store.AccountEvents(before, after, "", at)) == 0 {
		return nil
	}
	a := after
	if a == nil {
		a = before
	}
	scheme, err := authScheme(ctx, tx, *a)
	if err != nil {
		return err
	}
	return appendEvents(ctx, tx, store.AccountEvents(before, after, scheme, at))
}

func authScheme(ctx context.Context, tx pgx.Tx, a store.Account) (string, error) {
	var scheme string
	err := tx.QueryRow(ctx, `SELECT auth_scheme FROM auth_configs WHERE project_id = $1 AND id = $2`,
		a.ProjectID, a.AuthConfigID).Scan(&scheme)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("read auth scheme for events: %w", err)
	}
	return scheme, nil
}

// appendEvents writes events, and a PENDING delivery of each to every
// ENABLED subscription of its project that enables its type, in tx.
func appendEvents(ctx context.Context, tx pgx.Tx, events []store.Event) error {
	if len(events) == 0 {
		return nil
	}
	subs := map[string][]store.WebhookSubscription{}
	for _, e := range events {
		if _, ok := subs[e.ProjectID]; ok {
			continue
		}
		list, err := listSubscriptions(ctx, tx, e.ProjectID)
		if err != nil {
			return err
		}
		subs[e.ProjectID] = list
	}
	for _, e := range events {
		_, err := tx.Exec(ctx, `INSERT INTO events (`+eventCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			e.ID, e.ProjectID, e.Type, e.AccountID, e.Data, e.CreatedAt)
		if err != nil {
			return fmt.Errorf("append event: %w", err)
		}
		for _, d := range store.FanOut([]store.Event{e}, subs[e.ProjectID]) {
			if err := insertDelivery(ctx, tx, d); err != nil {
				return err
			}
		}
	}
	return nil
}

func insertDelivery(ctx context.Context, tx pgx.Tx, d store.Delivery) error {
	_, err := tx.Exec(ctx, `INSERT INTO deliveries (`+deliveryCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		d.ID, d.ProjectID, d.EventID, d.SubscriptionID, d.Status, d.Attempts, d.NextAttemptAt,
		d.LeaseOwner, d.LeaseUntil, d.LastStatusCode, d.LastError, d.CreatedAt, d.UpdatedAt)
	if err != nil {
		return fmt.Errorf("create delivery: %w", err)
	}
	return nil
}

// AppendEvents writes events with their deliveries in one transaction.
func (s *Store) AppendEvents(ctx context.Context, events ...store.Event) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return appendEvents(ctx, tx, events) })
	if err != nil {
		return fmt.Errorf("append events: %w", dbError(err))
	}
	return nil
}

const eventCols = "id, project_id, type, account_id, data, created_at"

func scanEvent(r pgx.Row) (store.Event, error) {
	var e store.Event
	err := r.Scan(&e.ID, &e.ProjectID, &e.Type, &e.AccountID, &e.Data, &e.CreatedAt)
	e.CreatedAt = utc(e.CreatedAt)
	return e, err
}

// GetEvent returns an event of the project.
func (s *Store) GetEvent(ctx context.Context, projectID, id string) (store.Event, error) {
	e, err := scanEvent(s.pool.QueryRow(ctx, `SELECT `+eventCols+` FROM events WHERE project_id = $1 AND id = $2`, projectID, id))
	if err != nil {
		return store.Event{}, fmt.Errorf("get event: %w", dbError(err))
	}
	return e, nil
}

// ListEvents lists the project's events, of one account if accountID is
// not empty, oldest first.
func (s *Store) ListEvents(ctx context.Context, projectID, accountID string, limit int) ([]store.Event, error) {
	return collect(ctx, s.pool, "list events", `SELECT `+eventCols+` FROM events
		WHERE project_id = $1 AND ($2 = '' OR account_id = $2) ORDER BY created_at, id LIMIT $3`,
		[]any{projectID, accountID, limit}, scanEvent)
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func collect[T any](ctx context.Context, q querier, op, sql string, args []any, scan func(pgx.Row) (T, error)) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, dbError(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, dbError(err))
	}
	return out, nil
}

const subscriptionCols = `id, project_id, url, version, enabled_events, sealed_secret, sealed_previous_secret,
	previous_secret_until, status, disabled_reason, failing_since, created_at, updated_at`

func scanSubscription(r pgx.Row) (store.WebhookSubscription, error) {
	var w store.WebhookSubscription
	var events string
	err := r.Scan(&w.ID, &w.ProjectID, &w.URL, &w.Version, &events, &w.SealedSecret,
		&w.SealedPreviousSecret, &w.PreviousSecretUntil, &w.Status, &w.DisabledReason,
		&w.FailingSince, &w.CreatedAt, &w.UpdatedAt)
	if err != nil {
		return w, err
	}
	if err := json.Unmarshal([]byte(events), &w.EnabledEvents); err != nil {
		return w, fmt.Errorf("decode enabled events: %w", err)
	}
	w.PreviousSecretUntil, w.FailingSince = utcPtr(w.PreviousSecretUntil), utcPtr(w.FailingSince)
	w.CreatedAt, w.UpdatedAt = utc(w.CreatedAt), utc(w.UpdatedAt)
	return w, nil
}

func listSubscriptions(ctx context.Context, q querier, projectID string) ([]store.WebhookSubscription, error) {
	return collect(ctx, q, "list webhook subscriptions", `SELECT `+subscriptionCols+` FROM webhook_subscriptions
		WHERE project_id = $1 ORDER BY created_at, id`, []any{projectID}, scanSubscription)
}

func eventsJSON(events []string) (string, error) {
	b, err := json.Marshal(events)
	if err != nil {
		return "", fmt.Errorf("encode enabled events: %w", err)
	}
	return string(b), nil
}

// CreateWebhookSubscription stores a new subscription.
func (s *Store) CreateWebhookSubscription(ctx context.Context, w store.WebhookSubscription) error {
	events, err := eventsJSON(w.EnabledEvents)
	if err != nil {
		return err
	}
	_, err = execAudited(ctx, s, store.AuditSubscription, w.ID, nil, w, `INSERT INTO webhook_subscriptions (`+subscriptionCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		w.ID, w.ProjectID, w.URL, w.Version, events, w.SealedSecret, w.SealedPreviousSecret,
		w.PreviousSecretUntil, w.Status, w.DisabledReason, w.FailingSince, w.CreatedAt, w.UpdatedAt)
	if err != nil {
		return fmt.Errorf("create webhook subscription: %w", dbError(err))
	}
	return nil
}

// GetWebhookSubscription returns a subscription of the project.
func (s *Store) GetWebhookSubscription(ctx context.Context, projectID, id string) (store.WebhookSubscription, error) {
	w, err := scanSubscription(s.pool.QueryRow(ctx, `SELECT `+subscriptionCols+` FROM webhook_subscriptions
		WHERE project_id = $1 AND id = $2`, projectID, id))
	if err != nil {
		return store.WebhookSubscription{}, fmt.Errorf("get webhook subscription: %w", dbError(err))
	}
	return w, nil
}

// ListWebhookSubscriptions lists the project's subscriptions, oldest first.
func (s *Store) ListWebhookSubscriptions(ctx context.Context, projectID string) ([]store.WebhookSubscription, error) {
	return listSubscriptions(ctx, s.pool, projectID)
}

// UpdateWebhookSubscription changes a subscription with fn; the id and
// project are kept.
func (s *Store) UpdateWebhookSubscription(ctx context.Context, projectID, id string, fn func(store.WebhookSubscription) (store.WebhookSubscription, error)) (store.WebhookSubscription, error) {
	return update(ctx, s, "update webhook subscription",
		`SELECT `+subscriptionCols+` FROM webhook_subscriptions WHERE project_id = $1 AND id = $2 FOR UPDATE`,
		[]any{projectID, id}, scanSubscription, fn,
		func(ctx context.Context, tx pgx.Tx, old, w store.WebhookSubscription) (store.WebhookSubscription, error) {
			events, err := eventsJSON(w.EnabledEvents)
			if err != nil {
				return w, err
			}
			out, err := scanSubscription(tx.QueryRow(ctx, `UPDATE webhook_subscriptions
				SET url = $2, version = $3, enabled_events = $4, sealed_secret = $5, sealed_previous_secret = $6,
					previous_secret_until = $7, status = $8, disabled_reason = $9, failing_since = $10,
					created_at = $11, updated_at = $12
				WHERE id = $1 RETURNING `+subscriptionCols,
				old.ID, w.URL, w.Version, events, w.SealedSecret, w.SealedPreviousSecret,
				w.PreviousSecretUntil, w.Status, w.DisabledReason, w.FailingSince, w.CreatedAt, w.UpdatedAt))
			if err != nil {
				return out, err
			}
			return out, writeAudit(ctx, tx, store.AuditSubscription, old.ID, old, out)
		})
}

// DeleteWebhookSubscription deletes a subscription and its deliveries.
func (s *Store) DeleteWebhookSubscription(ctx context.Context, projectID, id string) error {
	tag, err := execAudited(ctx, s, store.AuditSubscription, id, nil, nil, `DELETE FROM webhook_subscriptions WHERE project_id = $1 AND id = $2`, projectID, id)
	if err != nil {
		return fmt.Errorf("delete webhook subscription: %w", dbError(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("delete webhook subscription: %w", store.ErrNotFound)
	}
	return nil
}

const deliveryCols = `id, project_id, event_id, subscription_id, status, attempts, next_attempt_at,
	lease_owner, lease_until, last_status_code, last_error, created_at, updated_at`

func scanDelivery(r pgx.Row) (store.Delivery, error) {
	var d store.Delivery
	err := r.Scan(&d.ID, &d.ProjectID, &d.EventID, &d.SubscriptionID, &d.Status, &d.Attempts, &d.NextAttemptAt,
		&d.LeaseOwner, &d.LeaseUntil, &d.LastStatusCode, &d.LastError, &d.CreatedAt, &d.UpdatedAt)
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = utc(d.NextAttemptAt), utc(d.CreatedAt), utc(d.UpdatedAt)
	d.LeaseUntil = utcPtr(d.LeaseUntil)
	return d, err
}

// ClaimDeliveries leases due deliveries to owner. FOR UPDATE SKIP LOCKED
// lets instances claiming at the same moment take different rows instead
// of waiting on each other; the lease, not the row lock, keeps a claimed
// delivery from every other instance until it ends.
func (s *Store) ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]store.Delivery, error) {
	return collect(ctx, s.pool, "claim deliveries", `UPDATE deliveries d SET lease_owner = $1, lease_until = $2
		FROM (SELECT d.id FROM deliveries d JOIN webhook_subscriptions w ON w.id = d.subscription_id
			WHERE d.status = $3 AND d.next_attempt_at <= $4 AND (d.lease_until IS NULL OR d.lease_until <= $4)
				AND w.status = $5
			ORDER BY d.next_attempt_at, d.id LIMIT $6
			FOR UPDATE OF d SKIP LOCKED) c
		WHERE d.id = c.id
		RETURNING d.id, d.project_id, d.event_id, d.subscription_id, d.status, d.attempts, d.next_attempt_at,
			d.lease_owner, d.lease_until, d.last_status_code, d.last_error, d.created_at, d.updated_at`,
		[]any{owner, now.Add(lease), store.DeliveryPending, now, store.SubscriptionEnabled, limit}, scanDelivery)
}

// FinishAttempt records an attempt and its outcome.
func (s *Store) FinishAttempt(ctx context.Context, owner string, a store.DeliveryAttempt, o store.AttemptOutcome) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var subID string
		err := tx.QueryRow(ctx, `UPDATE deliveries
			SET status = $1, attempts = $2, next_attempt_at = $3, lease_owner = '', lease_until = NULL,
				last_status_code = $4, last_error = $5, updated_at = $6
			WHERE project_id = $7 AND id = $8 AND lease_owner = $9 AND status = $10
			RETURNING subscription_id`,
			o.Status, a.Attempt, o.NextAttemptAt, a.StatusCode, a.Error, a.StartedAt.Add(a.Latency),
			a.ProjectID, a.DeliveryID, owner, store.DeliveryPending).Scan(&subID)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO delivery_attempts
			(delivery_id, project_id, attempt, started_at, latency_us, status_code, response_body, error)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.DeliveryID, a.ProjectID, a.Attempt, a.StartedAt,
			a.Latency.Microseconds(), a.StatusCode, a.ResponseBody, a.Error)
		if err != nil {
			return err
		}
		if o.Success {
			_, err = tx.Exec(ctx, `UPDATE webhook_subscriptions SET failing_since = NULL WHERE id = $1`, subID)
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE webhook_subscriptions SET failing_since = COALESCE(failing_since, $1) WHERE id = $2`,
			a.StartedAt, subID)
		if err == nil && !o.DisableFailingSince.IsZero() {
			_, err = tx.Exec(ctx, `UPDATE webhook_subscriptions SET status = $1, disabled_reason = $2, updated_at = $3
				WHERE id = $4 AND status = $5 AND failing_since < $6`, store.SubscriptionDisabled, o.DisableReason, a.StartedAt,
				subID, store.SubscriptionEnabled, o.DisableFailingSince)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("finish delivery attempt: %w", dbError(err))
	}
	return nil
}

// CreateDelivery stores a delivery of an event and subscription of its
// project.
func (s *Store) CreateDelivery(ctx context.Context, d store.Delivery) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var n int
		err := tx.QueryRow(ctx, `SELECT count(*) FROM events e, webhook_subscriptions w
			WHERE e.project_id = $1 AND e.id = $2 AND w.project_id = $1 AND w.id = $3`, d.ProjectID, d.EventID, d.SubscriptionID).Scan(&n)
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		if err := insertDelivery(ctx, tx, d); err != nil {
			return err
		}
		return writeAudit(ctx, tx, store.AuditSubscription, d.SubscriptionID, nil, d)
	})
	if err != nil {
		return fmt.Errorf("create delivery: %w", dbError(err))
	}
	return nil
}

// GetDelivery returns a delivery of the project.
func (s *Store) GetDelivery(ctx context.Context, projectID, id string) (store.Delivery, error) {
	d, err := scanDelivery(s.pool.QueryRow(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE project_id = $1 AND id = $2`, projectID, id))
	if err != nil {
		return store.Delivery{}, fmt.Errorf("get delivery: %w", dbError(err))
	}
	return d, nil
}

// ListDeliveries lists a subscription's deliveries, newest first.
func (s *Store) ListDeliveries(ctx context.Context, projectID, subscriptionID string, limit int) ([]store.Delivery, error) {
	return collect(ctx, s.pool, "list deliveries", `SELECT `+deliveryCols+` FROM deliveries
		WHERE project_id = $1 AND subscription_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
		[]any{projectID, subscriptionID, limit}, scanDelivery)
}

// ListDeliveryAttempts lists a delivery's attempts in order.
func (s *Store) ListDeliveryAttempts(ctx context.Context, projectID, deliveryID string) ([]store.DeliveryAttempt, error) {
	return collect(ctx, s.pool, "list delivery attempts", `SELECT delivery_id, project_id, attempt, started_at,
			latency_us, status_code, response_body, error
		FROM delivery_attempts WHERE project_id = $1 AND delivery_id = $2 ORDER BY attempt`,
		[]any{projectID, deliveryID}, func(r pgx.Row) (store.DeliveryAttempt, error) {
			var a store.DeliveryAttempt
			var us int64
			err := r.Scan(&a.DeliveryID, &a.ProjectID, &a.Attempt, &a.StartedAt, &us, &a.StatusCode, &a.ResponseBody, &a.Error)
			a.StartedAt = utc(a.StartedAt)
			a.Latency = time.Duration(us) * time.Microsecond
			return a, err
		})
}

// DeleteEvents deletes up to limit events created before before with no
// PENDING delivery; their deliveries and attempts go with them (ON DELETE
// CASCADE). SKIP LOCKED lets instances sweeping at once take different
// rows.
func (s *Store) DeleteEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM events WHERE id IN
		(SELECT e.id FROM events e WHERE e.created_at < $1
			AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status = $2)
			ORDER BY e.created_at, e.id LIMIT $3 FOR UPDATE SKIP LOCKED)`, before.UTC(), store.DeliveryPending, limit)
	if err != nil {
		return 0, fmt.Errorf("delete events: %w", dbError(err))
	}
	return int(tag.RowsAffected()), nil
}

// SetRefreshExpiry records when an account's refresh token runs out; a
// new end resets its warning.
func (s *Store) SetRefreshExpiry(ctx context.Context, projectID, accountID string, expiresAt, warnAt *time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM accounts WHERE project_id = $1 AND id = $2 FOR SHARE`, projectID, accountID).Scan(&one); err != nil {
			return err
		}
		if expiresAt == nil {
			_, err := tx.Exec(ctx, `DELETE FROM refresh_expiries WHERE project_id = $1 AND account_id = $2`, projectID, accountID)
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO refresh_expiries (account_id, project_id, expires_at, warn_at, warned_at)
			VALUES ($1, $2, $3, $4, NULL)
			ON CONFLICT (account_id) DO UPDATE SET expires_at = excluded.expires_at, warn_at = excluded.warn_at, warned_at = NULL
			WHERE refresh_expiries.expires_at <> excluded.expires_at`, accountID, projectID, expiresAt.UTC(), warnAt.UTC())
		return err
	})
	if err != nil {
		return fmt.Errorf("set refresh expiry: %w", dbError(err))
	}
	return nil
}

// WarnExpiring writes the due expiring warnings. The rows are locked
// with SKIP LOCKED, so instances warning at once take different accounts,
// and marked in the transaction that writes their events.
func (s *Store) WarnExpiring(ctx context.Context, now time.Time, limit int) (int, error) {
	n := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		n = 0
		type due struct {
			accountID string
			expiresAt time.Time
		}
		dues, err := collect(ctx, tx, "read due expiry warnings", `SELECT r.account_id, r.expires_at FROM refresh_expiries r
			JOIN accounts a ON a.id = r.account_id
			WHERE r.warned_at IS NULL AND r.warn_at <= $1 AND r.expires_at > $1 AND a.status = $2
			ORDER BY r.warn_at, r.account_id LIMIT $3 FOR UPDATE OF r SKIP LOCKED`,
			[]any{now.UTC(), store.StatusActive, limit}, func(r pgx.Row) (due, error) {
				var d due
				err := r.Scan(&d.accountID, &d.expiresAt)
				return d, err
			})
		if err != nil {
			return err
		}
		for _, d := range dues {
			a, err := scanAccount(tx.QueryRow(ctx, `SELECT `+sqlq.AccountColumns+` FROM accounts WHERE id = $1`, d.accountID))
			if err != nil {
				return fmt.Errorf("read account to warn: %w", err)
			}
			if _, err := tx.Exec(ctx, `UPDATE refresh_expiries SET warned_at = $1 WHERE account_id = $2`, now.UTC(), d.accountID); err != nil {
				return fmt.Errorf("mark expiry warned: %w", err)
			}
			scheme, err := authScheme(ctx, tx, a)
			if err != nil {
				return err
			}
			if err := appendEvents(ctx, tx, []store.Event{store.ExpiringEvent(a, scheme, utc(d.expiresAt), now)}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("warn expiring accounts: %w", dbError(err))
	}
	return n, nil
}

// CountPendingDeliveries counts the PENDING deliveries of every project.
func (s *Store) CountPendingDeliveries(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE status = $1`, store.DeliveryPending).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending deliveries: %w", dbError(err))
	}
	return n, nil
}
