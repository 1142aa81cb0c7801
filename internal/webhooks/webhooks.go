package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/ids"
	"github.com/switchboard-dev/switchboard/internal/metrics"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// Service manages a project's webhook subscriptions and delivers events.
type Service struct {
	Store store.Store
	// Egress makes the deliveries; nil reaches public https hosts only.
	Egress *egress.Clients
	// AllowLoopback is SWITCHBOARD_EGRESS_ALLOW_LOOPBACK: subscription
	// URLs on loopback hosts are accepted only with it.
	AllowLoopback bool
	Now           func() time.Time
	Logger        *slog.Logger
	// Owner names this instance in delivery leases; empty means a random
	// name chosen at the first claim.
	Owner string
	// Metrics count and time the delivery attempts; nil counts nothing.
	Metrics *metrics.Metrics
	// Retention is how long events, with their deliveries and attempts,
	// are kept (SWITCHBOARD_EVENT_RETENTION); 0 keeps them for good.
	Retention time.Duration

	ownerOnce   sync.Once
	clientsOnce sync.Once
}

// RotationOverlap is how long the secret a rotation replaced keeps
// signing deliveries next to the new one.
const RotationOverlap = 24 * time.Hour

// MaxURLLength is the longest webhook_url accepted, Composio's limit.
const MaxURLLength = 2048

// Version is the only payload version Switchboard sends.
const Version = "V3"

// subscriptionPrefix starts subscription ids.
const subscriptionPrefix = "ws_"

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// EventType is one event a subscription may enable.
type EventType struct {
	Type        string
	Description string
}

// EventTypes lists the event types Switchboard emits, as
// GET /api/v3.1/webhook_subscriptions/event_types shows them.
var EventTypes = []EventType{
	{store.EventAccountCreated, "A connected account was created (INITIATED, or ACTIVE for credentials given directly)."},
	{store.EventAccountActive, "A connected account became ACTIVE: a completed connection, a re-authorization or an enable."},
	{store.EventAccountExpired, "A connected account expired and needs re-authentication (Composio's payload)."},
	{store.EventAccountRefreshFailed, "Refreshing a connected account's token failed; data.attempt and data.error_class say how."},
	{store.EventAccountRecovered, "An EXPIRED connected account became ACTIVE again."},
	{store.EventAccountDeleted, "A connected account was deleted with its credentials."},
	{store.EventAccountAliasChanged, "A connected account's alias was set, changed or cleared."},
	{store.EventLinkExpired, "A connection link expired unused; its INITIATED account is now FAILED."},
	{store.EventAccountSuperseded, "The same upstream account connected again; this one is now INACTIVE and data.superseded_by names the new one."},
	{store.EventAccountNeedsReauth, "A check found credentials that a refresh cannot fix (a 401 upstream); the user must connect again."},
	{store.EventAccountExpiring, "The account's refresh token, whose lifetime the provider gave, runs out soon (data.refresh_token_expires_at); sent once per token, 24 hours before or when a tenth of its lifetime is left."},
}

func knownType(t string) bool {
	return slices.ContainsFunc(EventTypes, func(e EventType) bool { return e.Type == t })
}

// Input is what create and update take; nil fields are left as they are
// on update.
type Input struct {
	URL           *string
	EnabledEvents *[]string
	Version       *string
	// Enabled turns a subscription that was disabled (after sustained
	// failure) back on, or off; a Switchboard extension.
	Enabled *bool
}

func (s *Service) validate(in Input, create bool) error {
	if create && (in.URL == nil || *in.URL == "") {
		return problem.Invalidf("webhook_url_required", "webhook_url", "webhook_url is required").
			WithFix("Pass the https URL that should receive the events")
	}
	if in.URL != nil {
		if len(*in.URL) > MaxURLLength {
			return problem.Invalidf("invalid_webhook_url", "webhook_url", "webhook_url is longer than %d characters", MaxURLLength)
		}
		if _, err := egress.CheckURL(*in.URL, s.AllowLoopback); err != nil {
			return &problem.Error{Kind: problem.Invalid, Code: "invalid_webhook_url", Field: "webhook_url",
				Message: "webhook_url cannot receive events: " + strings.TrimPrefix(err.Error(), egress.ErrURL.Error()+": "),
				Fix:     "Use an absolute https URL of a public host"}
		}
	}
	if create && in.EnabledEvents == nil {
		return problem.Invalidf("enabled_events_required", "enabled_events", "enabled_events is required").
			WithFix("List the event types to receive; GET /api/v3.1/webhook_subscriptions/event_types lists them")
	}
	if in.EnabledEvents != nil {
		if len(*in.EnabledEvents) == 0 {
			return problem.Invalidf("enabled_events_required", "enabled_events", "enabled_events must name at least one event type")
		}
		for _, t := range *in.EnabledEvents {
			if !knownType(t) {
				return problem.Invalidf("unknown_event_type", "enabled_events", "event type %q is not one Switchboard emits", t).
					WithFix("GET /api/v3.1/webhook_subscriptions/event_types lists the event types")
			}
		}
	}
	if in.Version != nil && *in.Version != Version {
		return problem.Invalidf("unsupported_webhook_version", "version", "version %q is not supported: Switchboard sends V3 payloads only", *in.Version).
			WithFix("Omit version or pass V3")
	}
	return nil
}

// newSecret returns a fresh signing secret. The official SDKs use the
// secret's characters as the HMAC key, so it is plain text.
func newSecret() []byte {
	b := make([]byte, 32)
	rand.Read(b)
	return []byte("whsec_" + base64.RawURLEncoding.EncodeToString(b))
}

func dedupe(events []string) []string {
	var out []string
	for _, e := range events {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out
}

// Create adds a subscription with a new secret.
func (s *Service) Create(ctx context.Context, projectID string, in Input) (store.WebhookSubscription, error) {
	if err := s.validate(in, true); err != nil {
		return store.WebhookSubscription{}, err
	}
	if in.Enabled != nil && !*in.Enabled {
		return store.WebhookSubscription{}, problem.Invalidf("invalid_enabled", "enabled", "a subscription is created enabled; disable it with an update")
	}
	now := s.now()
	w := store.WebhookSubscription{
		ID: ids.New(subscriptionPrefix, 16), ProjectID: projectID, URL: *in.URL, Version: Version,
		EnabledEvents: dedupe(*in.EnabledEvents), Secret: newSecret(), Status: store.SubscriptionEnabled,
		CreatedAt: now, UpdatedAt: now,
	}
	if err := s.Store.CreateWebhookSubscription(ctx, w); err != nil {
		return store.WebhookSubscription{}, fmt.Errorf("create webhook subscription: %w", err)
	}
	return w, nil
}

func notFound(id string) error {
	return problem.NotFoundf("webhook_subscription_not_found", "webhook subscription %s not found", id).
		WithFix("List the project's subscriptions with GET /api/v3.1/webhook_subscriptions")
}

// Get returns a subscription of the project.
func (s *Service) Get(ctx context.Context, projectID, id string) (store.WebhookSubscription, error) {
	w, err := s.Store.GetWebhookSubscription(ctx, projectID, id)
	if errors.Is(err, store.ErrNotFound) {
		return w, notFound(id)
	}
	return w, err
}

// List returns the project's subscriptions, oldest first.
func (s *Service) List(ctx context.Context, projectID string) ([]store.WebhookSubscription, error) {
	return s.Store.ListWebhookSubscriptions(ctx, projectID)
}

// Update changes the fields in is set.
func (s *Service) Update(ctx context.Context, projectID, id string, in Input) (store.WebhookSubscription, error) {
	if err := s.validate(in, false); err != nil {
		return store.WebhookSubscription{}, err
	}
	w, err := s.Store.UpdateWebhookSubscription(ctx, projectID, id, func(w store.WebhookSubscription) (store.WebhookSubscription, error) {
		if in.URL != nil {
			w.URL = *in.URL
		}
		if in.EnabledEvents != nil {
			w.EnabledEvents = dedupe(*in.EnabledEvents)
		}
		if in.Enabled != nil {
			if *in.Enabled {
				w.Status, w.DisabledReason, w.FailingSince = store.SubscriptionEnabled, "", nil
			} else {
				w.Status, w.DisabledReason = store.SubscriptionDisabled, "Disabled through the API"
			}
		}
		w.UpdatedAt = s.now()
		return w, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return w, notFound(id)
	}
	return w, err
}

// Delete removes a subscription and its pending deliveries.
func (s *Service) Delete(ctx context.Context, projectID, id string) error {
	err := s.Store.DeleteWebhookSubscription(ctx, projectID, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(id)
	}
	return err
}

// RotateSecret gives a subscription a new secret; the one it replaces
// keeps signing for RotationOverlap.
func (s *Service) RotateSecret(ctx context.Context, projectID, id string) (store.WebhookSubscription, error) {
	w, err := s.Store.UpdateWebhookSubscription(ctx, projectID, id, func(w store.WebhookSubscription) (store.WebhookSubscription, error) {
		if len(w.Secret) == 0 {
			return w, fmt.Errorf("rotate the secret of %s: %w", id, store.ErrUnopened)
		}
		now := s.now()
		until := now.Add(RotationOverlap)
		w.PreviousSecret, w.PreviousSecretUntil = w.Secret, &until
		w.Secret, w.UpdatedAt = newSecret(), now
		return w, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return w, notFound(id)
	}
	return w, err
}

// Secrets returns the secrets that sign a delivery at now: the current
// one and, during a rotation's overlap, the one it replaced.
func Secrets(w store.WebhookSubscription, now time.Time) [][]byte {
	out := [][]byte{w.Secret}
	if len(w.PreviousSecret) > 0 && w.PreviousSecretUntil != nil && now.Before(*w.PreviousSecretUntil) {
		out = append(out, w.PreviousSecret)
	}
	return out
}

// Deliveries lists a subscription's newest deliveries.
func (s *Service) Deliveries(ctx context.Context, projectID, id string, limit int) ([]store.Delivery, error) {
	if _, err := s.Get(ctx, projectID, id); err != nil {
		return nil, err
	}
	return s.Store.ListDeliveries(ctx, projectID, id, limit)
}

func deliveryNotFound(id string) error {
	return problem.NotFoundf("webhook_delivery_not_found", "webhook delivery %s not found", id).
		WithFix("List a subscription's deliveries with GET /api/v3.1/webhook_subscriptions/{id}/deliveries")
}

// Delivery returns a delivery of the subscription with its attempts.
func (s *Service) Delivery(ctx context.Context, projectID, subscriptionID, id string) (store.Delivery, []store.DeliveryAttempt, error) {
	d, err := s.Store.GetDelivery(ctx, projectID, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && d.SubscriptionID != subscriptionID {
		return store.Delivery{}, nil, deliveryNotFound(id)
	}
	if err != nil {
		return store.Delivery{}, nil, err
	}
	atts, err := s.Store.ListDeliveryAttempts(ctx, projectID, id)
	return d, atts, err
}

// Replay delivers a delivery's event again, as a new delivery due now,
// with the same webhook-id, so receivers that deduplicate see it once.
func (s *Service) Replay(ctx context.Context, projectID, subscriptionID, id string) (store.Delivery, error) {
	d, _, err := s.Delivery(ctx, projectID, subscriptionID, id)
	if err != nil {
		return store.Delivery{}, err
	}
	now := s.now()
	r := store.Delivery{ID: store.NewDeliveryID(), ProjectID: projectID, EventID: d.EventID, SubscriptionID: subscriptionID,
		Status: store.DeliveryPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
	if err := s.Store.CreateDelivery(ctx, r); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return store.Delivery{}, deliveryNotFound(id)
		}
		return store.Delivery{}, fmt.Errorf("replay delivery: %w", err)
	}
	return r, nil
}
