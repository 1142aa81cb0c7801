package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlq"
)

// accountEvents writes, in tx, the events an account write causes
// (store.AccountEvents) with their deliveries.
func accountEvents(ctx context.Context, tx *sql.Tx, before, after *store.Account, at time.Time) error {
	// Most writes cause no event: learn that before reading anything.
	if len(store.AccountEvents(before, after, "", at)) == 0 {
		return nil
	}
	a := after
	if a == nil {
		a = before
	}
	var scheme string
	err := tx.QueryRowContext(ctx, `SELECT auth_scheme FROM auth_configs WHERE project_id = ? AND id = ?`,
		a.ProjectID, a.AuthConfigID).Scan(&scheme)
	if err != nil && err != sql.ErrNoRows {
		return dbError("read auth scheme for events", err)
	}
	return appendEvents(ctx, tx, store.AccountEvents(before, after, scheme, at))
}

// appendEvents writes events, and a PENDING delivery of each to every
// ENABLED subscription of its project that enables its type, in tx.
func appendEvents(ctx context.Context, tx *sql.Tx, events []store.Event) error {
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
		_, err := tx.ExecContext(ctx, `INSERT INTO events (id, project_id, type, account_id, data, created_at)
VALUES (?, ?, ?, ?, ?, ?)`, e.ID, e.ProjectID, e.Type, e.AccountID, blobValue(e.Data), timeValue(e.CreatedAt))
		if err != nil {
			return dbError("append event", err)
		}
		for _, d := range store.FanOut([]store.Event{e}, subs[e.ProjectID]) {
			if err := insertDelivery(ctx, tx, d); err != nil {
				return err
			}
		}
	}
	return nil
}

func insertDelivery(ctx context.Context, tx *sql.Tx, d store.Delivery) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO deliveries (`+deliveryCols+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.ProjectID, d.EventID, d.SubscriptionID, d.Status, d.Attempts, timeValue(d.NextAttemptAt),
		d.LeaseOwner, nullTimeValue(d.LeaseUntil), d.LastStatusCode, d.LastError, timeValue(d.CreatedAt), timeValue(d.UpdatedAt))
	if err != nil {
		return dbError("create delivery", err)
	}
	return nil
}

// AppendEvents writes events with their deliveries in one transaction.
func (s *Store) AppendEvents(ctx context.Context, events ...store.Event) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error { return appendEvents(ctx, tx, events) })
}

const eventCols = "id, project_id, type, account_id, data, created_at"

func scanEvent(r scanner) (store.Event, error) {
	var e store.Event
	err := r.Scan(&e.ID, &e.ProjectID, &e.Type, &e.AccountID, bytesCol{&e.Data}, timeCol{&e.CreatedAt})
	return e, err
}

// GetEvent returns an event of the project.
func (s *Store) GetEvent(ctx context.Context, projectID, id string) (store.Event, error) {
	e, err := scanEvent(s.read.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events WHERE project_id = ? AND id = ?`, projectID, id))
	if err != nil {
		return store.Event{}, rowError("get event", err)
	}
	return e, nil
}

// ListEvents lists the project's events, of one account if accountID is
// not empty, oldest first.
func (s *Store) ListEvents(ctx context.Context, projectID, accountID string, limit int) ([]store.Event, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+eventCols+` FROM events
WHERE project_id = ? AND (? = '' OR account_id = ?) ORDER BY created_at, id LIMIT ?`, projectID, accountID, accountID, limit)
	if err != nil {
		return nil, dbError("list events", err)
	}
	return collect(rows, "list events", scanEvent)
}

func collect[T any](rows *sql.Rows, op string, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, dbError(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(op, err)
	}
	return out, nil
}

const subscriptionCols = `id, project_id, url, version, enabled_events, sealed_secret, sealed_previous_secret,
	previous_secret_until, status, disabled_reason, failing_since, created_at, updated_at`

func scanSubscription(r scanner) (store.WebhookSubscription, error) {
	var w store.WebhookSubscription
	err := r.Scan(&w.ID, &w.ProjectID, &w.URL, &w.Version, jsonCol{&w.EnabledEvents}, bytesCol{&w.SealedSecret},
		bytesCol{&w.SealedPreviousSecret}, nullTimeCol{&w.PreviousSecretUntil}, &w.Status, &w.DisabledReason,
		nullTimeCol{&w.FailingSince}, timeCol{&w.CreatedAt}, timeCol{&w.UpdatedAt})
	return w, err
}

func listSubscriptions(ctx context.Context, q queryer, projectID string) ([]store.WebhookSubscription, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+subscriptionCols+` FROM webhook_subscriptions
WHERE project_id = ? ORDER BY created_at, id`, projectID)
	if err != nil {
		return nil, dbError("list webhook subscriptions", err)
	}
	return collect(rows, "list webhook subscriptions", scanSubscription)
}

func getSubscription(ctx context.Context, q queryer, projectID, id string) (store.WebhookSubscription, error) {
	w, err := scanSubscription(q.QueryRowContext(ctx, `SELECT `+subscriptionCols+` FROM webhook_subscriptions
WHERE project_id = ? AND id = ?`, projectID, id))
	if err != nil {
		return store.WebhookSubscription{}, rowError("get webhook subscription", err)
	}
	return w, nil
}

// CreateWebhookSubscription stores a new subscription.
func (s *Store) CreateWebhookSubscription(ctx context.Context, w store.WebhookSubscription) error {
	events, err := jsonValue(w.EnabledEvents)
	if err != nil {
		return err
	}
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO webhook_subscriptions (`+subscriptionCols+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			w.ID, w.ProjectID, w.URL, w.Version, events, blobValue(w.SealedSecret), blobValue(w.SealedPreviousSecret),
			nullTimeValue(w.PreviousSecretUntil), w.Status, w.DisabledReason, nullTimeValue(w.FailingSince),
			timeValue(w.CreatedAt), timeValue(w.UpdatedAt))
		if err != nil {
			return dbError("create webhook subscription", err)
		}
		return writeAudit(ctx, tx, store.AuditSubscription, w.ID, nil, w)
	})
}

// GetWebhookSubscription returns a subscription of the project.
func (s *Store) GetWebhookSubscription(ctx context.Context, projectID, id string) (store.WebhookSubscription, error) {
	return getSubscription(ctx, s.read, projectID, id)
}

// ListWebhookSubscriptions lists the project's subscriptions, oldest first.
func (s *Store) ListWebhookSubscriptions(ctx context.Context, projectID string) ([]store.WebhookSubscription, error) {
	return listSubscriptions(ctx, s.read, projectID)
}

// UpdateWebhookSubscription changes a subscription with fn; the id and
// project are kept.
func (s *Store) UpdateWebhookSubscription(ctx context.Context, projectID, id string, fn func(store.WebhookSubscription) (store.WebhookSubscription, error)) (store.WebhookSubscription, error) {
	var out store.WebhookSubscription
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		old, err := getSubscription(ctx, tx, projectID, id)
		if err != nil {
			return err
		}
		w, err := fn(old)
		if err != nil {
			return err
		}
		events, err := jsonValue(w.EnabledEvents)
		if err != nil {
			return err
		}
		err = execOne(ctx, tx, "update webhook subscription", `UPDATE webhook_subscriptions
SET url = ?, version = ?, enabled_events = ?, sealed_secret = ?, sealed_previous_secret = ?, previous_secret_until = ?,
	status = ?, disabled_reason = ?, failing_since = ?, created_at = ?, updated_at = ?
WHERE project_id = ? AND id = ?`,
			w.URL, w.Version, events, blobValue(w.SealedSecret), blobValue(w.SealedPreviousSecret),
			nullTimeValue(w.PreviousSecretUntil), w.Status, w.DisabledReason, nullTimeValue(w.FailingSince),
			timeValue(w.CreatedAt), timeValue(w.UpdatedAt), projectID, id)
		if err != nil {
			return err
		}
		if out, err = getSubscription(ctx, tx, projectID, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, store.AuditSubscription, id, old, out)
	})
	if err != nil {
		return store.WebhookSubscription{}, err
	}
	return out, nil
}

// DeleteWebhookSubscription deletes a subscription and its deliveries.
func (s *Store) DeleteWebhookSubscription(ctx context.Context, projectID, id string) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, "delete webhook subscription",
			`DELETE FROM webhook_subscriptions WHERE project_id = ? AND id = ?`, projectID, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, store.AuditSubscription, id, nil, nil)
	})
}

const deliveryCols = `id, project_id, event_id, subscription_id, status, attempts, next_attempt_at,
	lease_owner, lease_until, last_status_code, last_error, created_at, updated_at`

func scanDelivery(r scanner) (store.Delivery, error) {
	var d store.Delivery
	err := r.Scan(&d.ID, &d.ProjectID, &d.EventID, &d.SubscriptionID, &d.Status, &d.Attempts, timeCol{&d.NextAttemptAt},
		&d.LeaseOwner, nullTimeCol{&d.LeaseUntil}, &d.LastStatusCode, &d.LastError, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt})
	return d, err
}

// ClaimDeliveries leases due deliveries to owner. The one write
// connection serialises claims within the process; the package doc says
// why one process.
func (s *Store) ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]store.Delivery, error) {
	var out []store.Delivery
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE deliveries SET lease_owner = ?, lease_until = ?
WHERE id IN (
	SELECT d.id FROM deliveries d JOIN webhook_subscriptions w ON w.id = d.subscription_id
	WHERE d.status = ? AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?) AND w.status = ?
	ORDER BY d.next_attempt_at, d.id LIMIT ?)
RETURNING `+deliveryCols,
			owner, timeValue(now.Add(lease)), store.DeliveryPending, timeValue(now), timeValue(now), store.SubscriptionEnabled, limit)
		if err != nil {
			return dbError("claim deliveries", err)
		}
		out, err = collect(rows, "claim deliveries", scanDelivery)
		return err
	})
	return out, err
}

// FinishAttempt records an attempt and its outcome.
func (s *Store) FinishAttempt(ctx context.Context, owner string, a store.DeliveryAttempt, o store.AttemptOutcome) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		var subID string
		err := tx.QueryRowContext(ctx, `UPDATE deliveries
SET status = ?, attempts = ?, next_attempt_at = ?, lease_owner = '', lease_until = NULL,
	last_status_code = ?, last_error = ?, updated_at = ?
WHERE project_id = ? AND id = ? AND lease_owner = ? AND status = ?
RETURNING subscription_id`,
			o.Status, a.Attempt, timeValue(o.NextAttemptAt), a.StatusCode, a.Error, timeValue(a.StartedAt.Add(a.Latency)),
			a.ProjectID, a.DeliveryID, owner, store.DeliveryPending).Scan(&subID)
		if err != nil {
			return rowError("finish delivery attempt", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO delivery_attempts
(delivery_id, project_id, attempt, started_at, latency_us, status_code, response_body, error)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.DeliveryID, a.ProjectID, a.Attempt, timeValue(a.StartedAt),
			a.Latency.Microseconds(), a.StatusCode, a.ResponseBody, a.Error)
		if err != nil {
			return dbError("record delivery attempt", err)
		}
		if o.Success {
			_, err = tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET failing_since = NULL WHERE id = ?`, subID)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET failing_since = COALESCE(failing_since, ?) WHERE id = ?`,
				timeValue(a.StartedAt), subID)
			if err == nil && !o.DisableFailingSince.IsZero() {
				_, err = tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET status = ?, disabled_reason = ?, updated_at = ?
WHERE id = ? AND status = ? AND failing_since < ?`, store.SubscriptionDisabled, o.DisableReason, timeValue(a.StartedAt),
					subID, store.SubscriptionEnabled, timeValue(o.DisableFailingSince))
			}
		}
		if err != nil {
			return dbError("track subscription failures", err)
		}
		return nil
	})
}

// CreateDelivery stores a delivery.
func (s *Store) CreateDelivery(ctx context.Context, d store.Delivery) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT count(*) FROM events e, webhook_subscriptions w
WHERE e.project_id = ? AND e.id = ? AND w.project_id = ? AND w.id = ?`, d.ProjectID, d.EventID, d.ProjectID, d.SubscriptionID).Scan(&n)
		if err != nil {
			return dbError("create delivery", err)
		}
		if n == 0 {
			return notFound("create delivery")
		}
		if err := insertDelivery(ctx, tx, d); err != nil {
			return err
		}
		return writeAudit(ctx, tx, store.AuditSubscription, d.SubscriptionID, nil, d)
	})
}

// GetDelivery returns a delivery of the project.
func (s *Store) GetDelivery(ctx context.Context, projectID, id string) (store.Delivery, error) {
	d, err := scanDelivery(s.read.QueryRowContext(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE project_id = ? AND id = ?`, projectID, id))
	if err != nil {
		return store.Delivery{}, rowError("get delivery", err)
	}
	return d, nil
}

// ListDeliveries lists a subscription's deliveries, newest first.
func (s *Store) ListDeliveries(ctx context.Context, projectID, subscriptionID string, limit int) ([]store.Delivery, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+deliveryCols+` FROM deliveries
WHERE project_id = ? AND subscription_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, projectID, subscriptionID, limit)
	if err != nil {
		return nil, dbError("list deliveries", err)
	}
	return collect(rows, "list deliveries", scanDelivery)
}

// ListDeliveryAttempts lists a delivery's attempts in order.
func (s *Store) ListDeliveryAttempts(ctx context.Context, projectID, deliveryID string) ([]store.DeliveryAttempt, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT delivery_id, project_id, attempt, started_at, latency_us, status_code, response_body, error
FROM delivery_attempts WHERE project_id = ? AND delivery_id = ? ORDER BY attempt`, projectID, deliveryID)
	if err != nil {
		return nil, dbError("list delivery attempts", err)
	}
	return collect(rows, "list delivery attempts", func(r scanner) (store.DeliveryAttempt, error) {
		var a store.DeliveryAttempt
		var us int64
		err := r.Scan(&a.DeliveryID, &a.ProjectID, &a.Attempt, timeCol{&a.StartedAt}, &us, &a.StatusCode, &a.ResponseBody, &a.Error)
		a.Latency = time.Duration(us) * time.Microsecond
		return a, err
	})
}

// DeleteEvents deletes up to limit events created before before with no
// PENDING delivery; their deliveries and attempts go with them (ON DELETE
// CASCADE).
func (s *Store) DeleteEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE id IN
(SELECT e.id FROM events e WHERE e.created_at < ?
	AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status = ?)
	ORDER BY e.created_at, e.id LIMIT ?)`, timeValue(before), store.DeliveryPending, limit)
		if err != nil {
			return dbError("delete events", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// SetRefreshExpiry records when an account's refresh token runs out; a
// new end resets its warning.
func (s *Store) SetRefreshExpiry(ctx context.Context, projectID, accountID string, expiresAt, warnAt *time.Time) error {
	return s.writeTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE project_id = ? AND id = ?`, projectID, accountID).Scan(&one); err != nil {
			return rowError("set refresh expiry", err)
		}
		if expiresAt == nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM refresh_expiries WHERE project_id = ? AND account_id = ?`, projectID, accountID); err != nil {
				return dbError("set refresh expiry", err)
			}
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO refresh_expiries (account_id, project_id, expires_at, warn_at, warned_at)
VALUES (?, ?, ?, ?, NULL)
ON CONFLICT (account_id) DO UPDATE SET expires_at = excluded.expires_at, warn_at = excluded.warn_at, warned_at = NULL
WHERE refresh_expiries.expires_at <> excluded.expires_at`, accountID, projectID, timeValue(*expiresAt), timeValue(*warnAt))
		if err != nil {
			return dbError("set refresh expiry", err)
		}
		return nil
	})
}

// WarnExpiring writes the due expiring warnings; the one write connection
// keeps two sweeps from warning of one token.
func (s *Store) WarnExpiring(ctx context.Context, now time.Time, limit int) (int, error) {
	n := 0
	err := s.writeTx(ctx, func(tx *sql.Tx) error {
		n = 0
		type due struct {
			accountID string
			expiresAt time.Time
		}
		rows, err := tx.QueryContext(ctx, `SELECT r.account_id, r.expires_at FROM refresh_expiries r
JOIN accounts a ON a.id = r.account_id
WHERE r.warned_at IS NULL AND r.warn_at <= ? AND r.expires_at > ? AND a.status = ?
ORDER BY r.warn_at, r.account_id LIMIT ?`, timeValue(now), timeValue(now), store.StatusActive, limit)
		if err != nil {
			return dbError("read due expiry warnings", err)
		}
		dues, err := collect(rows, "read due expiry warnings", func(r scanner) (due, error) {
			var d due
			err := r.Scan(&d.accountID, timeCol{&d.expiresAt})
			return d, err
		})
		if err != nil {
			return err
		}
		for _, d := range dues {
			a, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+sqlq.AccountColumns+` FROM accounts WHERE id = ?`, d.accountID))
			if err != nil {
				return rowError("read account to warn", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE refresh_expiries SET warned_at = ? WHERE account_id = ?`, timeValue(now), d.accountID); err != nil {
				return dbError("mark expiry warned", err)
			}
			var scheme string
			err = tx.QueryRowContext(ctx, `SELECT auth_scheme FROM auth_configs WHERE project_id = ? AND id = ?`,
				a.ProjectID, a.AuthConfigID).Scan(&scheme)
			if err != nil && err != sql.ErrNoRows {
				return dbError("read auth scheme for events", err)
			}
			if err := appendEvents(ctx, tx, []store.Event{store.ExpiringEvent(a, scheme, d.expiresAt, now)}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// CountPendingDeliveries counts the PENDING deliveries of every project.
func (s *Store) CountPendingDeliveries(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM deliveries WHERE status = ?`, store.DeliveryPending).Scan(&n); err != nil {
		return 0, dbError("count pending deliveries", err)
	}
	return n, nil
}
