package store

import (
	"context"
	"fmt"
	"time"
)

func (g *Guarded) AppendEvents(ctx context.Context, events ...Event) error {
	var check error
	for _, e := range events {
		if check = checkRecord(e); check != nil {
			break
		}
	}
	return g.guard0(check, func() error { return g.s.AppendEvents(ctx, events...) })
}

func (g *Guarded) GetEvent(ctx context.Context, projectID, id string) (Event, error) {
	return guard1(g, checkArgs("project id", projectID, "event id", id), func() (Event, error) { return g.s.GetEvent(ctx, projectID, id) })
}

func (g *Guarded) ListEvents(ctx context.Context, projectID, accountID string, limit int) ([]Event, error) {
	return guard1(g, checkArgs("project id", projectID, "account id", accountID), func() ([]Event, error) {
		return g.s.ListEvents(ctx, projectID, accountID, limit)
	})
}

func (g *Guarded) CreateWebhookSubscription(ctx context.Context, s WebhookSubscription) error {
	return g.guard0(checkRecord(s), func() error { return g.s.CreateWebhookSubscription(ctx, s) })
}

func (g *Guarded) GetWebhookSubscription(ctx context.Context, projectID, id string) (WebhookSubscription, error) {
	return guard1(g, checkArgs("project id", projectID, "webhook subscription id", id), func() (WebhookSubscription, error) {
		return g.s.GetWebhookSubscription(ctx, projectID, id)
	})
}

func (g *Guarded) ListWebhookSubscriptions(ctx context.Context, projectID string) ([]WebhookSubscription, error) {
	return guard1(g, checkArgs("project id", projectID), func() ([]WebhookSubscription, error) {
		return g.s.ListWebhookSubscriptions(ctx, projectID)
	})
}

func (g *Guarded) UpdateWebhookSubscription(ctx context.Context, projectID, id string, fn func(WebhookSubscription) (WebhookSubscription, error)) (WebhookSubscription, error) {
	return guard1(g, checkArgs("project id", projectID, "webhook subscription id", id), func() (WebhookSubscription, error) {
		return g.s.UpdateWebhookSubscription(ctx, projectID, id, checked(fn))
	})
}

func (g *Guarded) DeleteWebhookSubscription(ctx context.Context, projectID, id string) error {
	return g.guard0(checkArgs("project id", projectID, "webhook subscription id", id), func() error {
		return g.s.DeleteWebhookSubscription(ctx, projectID, id)
	})
}

func (g *Guarded) ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Delivery, error) {
	return guard1(g, checkArgs("owner", owner), func() ([]Delivery, error) {
		return g.s.ClaimDeliveries(ctx, owner, now, lease, limit)
	})
}

func (g *Guarded) FinishAttempt(ctx context.Context, owner string, a DeliveryAttempt, o AttemptOutcome) error {
	check := checkArgs("owner", owner)
	if check == nil {
		check = checkRecord(a)
	}
	if check == nil {
		check = checkRecord(o)
	}
	return g.guard0(check, func() error { return g.s.FinishAttempt(ctx, owner, a, o) })
}

func (g *Guarded) CreateDelivery(ctx context.Context, d Delivery) error {
	return g.guard0(checkRecord(d), func() error { return g.s.CreateDelivery(ctx, d) })
}

func (g *Guarded) GetDelivery(ctx context.Context, projectID, id string) (Delivery, error) {
	return guard1(g, checkArgs("project id", projectID, "delivery id", id), func() (Delivery, error) {
		return g.s.GetDelivery(ctx, projectID, id)
	})
}

func (g *Guarded) ListDeliveries(ctx context.Context, projectID, subscriptionID string, limit int) ([]Delivery, error) {
	return guard1(g, checkArgs("project id", projectID, "webhook subscription id", subscriptionID), func() ([]Delivery, error) {
		return g.s.ListDeliveries(ctx, projectID, subscriptionID, limit)
	})
}

func (g *Guarded) ListDeliveryAttempts(ctx context.Context, projectID, deliveryID string) ([]DeliveryAttempt, error) {
	return guard1(g, checkArgs("project id", projectID, "delivery id", deliveryID), func() ([]DeliveryAttempt, error) {
		return g.s.ListDeliveryAttempts(ctx, projectID, deliveryID)
	})
}

func (g *Guarded) DeleteEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	return guard1(g, nil, func() (int, error) { return g.s.DeleteEvents(ctx, before, limit) })
}

func (g *Guarded) SetRefreshExpiry(ctx context.Context, projectID, accountID string, expiresAt, warnAt *time.Time) error {
	check := checkArgs("project id", projectID, "account id", accountID)
	if check == nil && (expiresAt == nil) != (warnAt == nil) {
		check = fmt.Errorf("%w: a refresh expiry needs both its end and its warning time, or neither", ErrInvalid)
	}
	return g.guard0(check, func() error { return g.s.SetRefreshExpiry(ctx, projectID, accountID, expiresAt, warnAt) })
}

func (g *Guarded) WarnExpiring(ctx context.Context, now time.Time, limit int) (int, error) {
	return guard1(g, nil, func() (int, error) { return g.s.WarnExpiring(ctx, now, limit) })
}

func (g *Guarded) CountPendingDeliveries(ctx context.Context) (int, error) {
	return guard1(g, nil, func() (int, error) { return g.s.CountPendingDeliveries(ctx) })
}
