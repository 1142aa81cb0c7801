package vault

import (
	"context"
	"fmt"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// Webhook subscriptions: the signing secret and, during a rotation, the
// secret it replaced.

func subscriptionAAD(w store.WebhookSubscription, field string) []string {
	return []string{"webhook_subscription", w.ProjectID, w.ID, field}
}

// sealSubscription seals w's secrets; opened is the stored subscription as
// openSubscription returned it and cur the stored one (its blobs).
func (b *Barrier) sealSubscription(w, opened, cur store.WebhookSubscription) (store.WebhookSubscription, error) {
	secret, err := b.sealField(w.Secret, opened.Secret, cur.SealedSecret, subscriptionAAD(w, "secret"))
	if err != nil {
		return w, fmt.Errorf("seal webhook secret: %w", err)
	}
	prev, err := b.sealField(w.PreviousSecret, opened.PreviousSecret, cur.SealedPreviousSecret, subscriptionAAD(w, "previous_secret"))
	if err != nil {
		return w, fmt.Errorf("seal previous webhook secret: %w", err)
	}
	w.SealedSecret, w.SealedPreviousSecret, w.Secret, w.PreviousSecret = secret, prev, nil, nil
	return w, nil
}

func (b *Barrier) openSubscription(w store.WebhookSubscription) store.WebhookSubscription {
	w.Secret, w.SealedSecret = b.openField(w.SealedSecret, subscriptionAAD(w, "secret"))
	w.PreviousSecret, w.SealedPreviousSecret = b.openField(w.SealedPreviousSecret, subscriptionAAD(w, "previous_secret"))
	return w
}

func (b *Barrier) CreateWebhookSubscription(ctx context.Context, w store.WebhookSubscription) error {
	w, err := b.sealSubscription(w, store.WebhookSubscription{}, w)
	if err != nil {
		return err
	}
	return b.Store.CreateWebhookSubscription(ctx, w)
}

func (b *Barrier) GetWebhookSubscription(ctx context.Context, projectID, id string) (store.WebhookSubscription, error) {
	w, err := b.Store.GetWebhookSubscription(ctx, projectID, id)
	return b.openSubscription(w), err
}

func (b *Barrier) ListWebhookSubscriptions(ctx context.Context, projectID string) ([]store.WebhookSubscription, error) {
	ws, err := b.Store.ListWebhookSubscriptions(ctx, projectID)
	for i := range ws {
		ws[i] = b.openSubscription(ws[i])
	}
	return ws, err
}

func (b *Barrier) UpdateWebhookSubscription(ctx context.Context, projectID, id string, fn func(store.WebhookSubscription) (store.WebhookSubscription, error)) (store.WebhookSubscription, error) {
	w, err := b.Store.UpdateWebhookSubscription(ctx, projectID, id, func(cur store.WebhookSubscription) (store.WebhookSubscription, error) {
		opened := b.openSubscription(cur)
		next, err := fn(opened)
		if err != nil {
			return next, err
		}
		return b.sealSubscription(next, opened, cur)
	})
	return b.openSubscription(w), err
}
