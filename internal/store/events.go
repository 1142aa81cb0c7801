package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"strings"
	"time"
)

// Event types. Every one starts with "composio." so that the official
// SDKs' webhook parsers read it as a V3 event; docs/events.md documents
// each payload. Only EventAccountExpired is Composio's own.
const (
	EventAccountCreated       = "composio.connected_account.created"
	EventAccountActive        = "composio.connected_account.active"
	EventAccountExpired       = "composio.connected_account.expired"
	EventAccountRefreshFailed = "composio.connected_account.refresh_failed"
	EventAccountRecovered     = "composio.connected_account.recovered"
	EventAccountDeleted       = "composio.connected_account.deleted"
	EventAccountAliasChanged  = "composio.connected_account.alias_changed"
	EventLinkExpired          = "composio.connected_account.link_expired"
	EventAccountSuperseded    = "composio.connected_account.superseded"
	EventAccountNeedsReauth   = "composio.connected_account.needs_reauth"
	// EventAccountExpiring warns, once per refresh token, that the
	// account's refresh token of known lifetime runs out soon
	// (WarnExpiring).
	EventAccountExpiring = "composio.connected_account.expiring"
)

// Event is one entry of the outbox: something that happened to a
// project's account, written in the same transaction as the change that
// caused it, and delivered to the project's webhook subscriptions.
type Event struct {
	// ID is the Standard Webhooks message id ("evt_…"), stable across
	// delivery attempts and replays.
	ID        string
	ProjectID string
	Type      string
	AccountID string
	// Data is the JSON of an EventData.
	Data      []byte
	CreatedAt time.Time
}

// EventData is what an event records: the account as it was after the
// change, never its credentials, and what the change was.
type EventData struct {
	AccountID    string `json:"account_id"`
	UserID       string `json:"user_id"`
	ToolkitSlug  string `json:"toolkit_slug"`
	AuthConfigID string `json:"auth_config_id"`
	// AuthScheme is the auth config's scheme when the event was written.
	AuthScheme     string     `json:"auth_scheme"`
	Status         string     `json:"status"`
	StatusReason   string     `json:"status_reason"`
	PreviousStatus string     `json:"previous_status,omitempty"`
	Alias          string     `json:"alias"`
	PreviousAlias  string     `json:"previous_alias,omitempty"`
	Identity       string     `json:"identity,omitempty"`
	ConnectedAt    *time.Time `json:"connected_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// SupersededBy is the account that replaced this one, if one did.
	SupersededBy string `json:"superseded_by,omitempty"`
	// Health is the outcome of the last check of the credentials.
	Health string `json:"health,omitempty"`
	// Attempt and ErrorClass describe a failed refresh.
	Attempt    int    `json:"attempt,omitempty"`
	ErrorClass string `json:"error_class,omitempty"`
	// RefreshTokenExpiresAt is when the refresh token runs out, on an
	// expiring warning.
	RefreshTokenExpiresAt *time.Time `json:"refresh_token_expires_at,omitempty"`
}

// NewEventID returns a fresh event id.
func NewEventID() string { return "evt_" + strings.ToLower(rand.Text()) }

// AccountEvent builds the event of type typ about account a (its state
// after the change) in the store's format; before is the state before
// the change, nil for a create; authScheme is its auth config's.
func AccountEvent(typ string, before *Account, a Account, authScheme string, at time.Time) Event {
	d := EventData{
		AccountID: a.ID, UserID: a.UserID, ToolkitSlug: a.ToolkitSlug, AuthConfigID: a.AuthConfigID,
		AuthScheme: authScheme, Status: a.Status, StatusReason: a.StatusReason, Alias: a.Alias, Identity: a.Identity,
		ConnectedAt: a.ConnectedAt, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		SupersededBy: a.SupersededBy, Health: a.Health,
	}
	if before != nil {
		if before.Status != a.Status {
			d.PreviousStatus = before.Status
		}
		if before.Alias != a.Alias {
			d.PreviousAlias = before.Alias
		}
	}
	b, _ := json.Marshal(d) // EventData always encodes
	return Event{ID: NewEventID(), ProjectID: a.ProjectID, Type: typ, AccountID: a.ID, Data: b, CreatedAt: at.UTC()}
}

// AccountEvents returns the events an account write causes, which every
// backend writes in the same transaction as the write: before is nil for
// a create, after nil for a delete; authScheme is the account's auth
// config's scheme. A change of status to ACTIVE is
// "active", and also "recovered" when the account was EXPIRED; to EXPIRED
// is "expired"; a changed alias is "alias_changed"; a newly set
// SupersededBy is "superseded"; a health newly needs_reauth is
// "needs_reauth". Link expiry is
// FailStaleAccounts' (EventLinkExpired).
func AccountEvents(before, after *Account, authScheme string, at time.Time) []Event {
	switch {
	case before == nil && after == nil:
		return nil
	case before == nil:
		evs := []Event{AccountEvent(EventAccountCreated, nil, *after, authScheme, at)}
		if after.Status == StatusActive {
			evs = append(evs, AccountEvent(EventAccountActive, nil, *after, authScheme, at))
		}
		return evs
	case after == nil:
		return []Event{AccountEvent(EventAccountDeleted, nil, *before, authScheme, at)}
	}
	var evs []Event
	if before.Status != after.Status {
		switch after.Status {
		case StatusActive:
			evs = append(evs, AccountEvent(EventAccountActive, before, *after, authScheme, at))
			if before.Status == StatusExpired {
				evs = append(evs, AccountEvent(EventAccountRecovered, before, *after, authScheme, at))
			}
		case StatusExpired:
			evs = append(evs, AccountEvent(EventAccountExpired, before, *after, authScheme, at))
		}
	}
	if before.Alias != after.Alias {
		evs = append(evs, AccountEvent(EventAccountAliasChanged, before, *after, authScheme, at))
	}
	if before.SupersededBy == "" && after.SupersededBy != "" {
		evs = append(evs, AccountEvent(EventAccountSuperseded, before, *after, authScheme, at))
	}
	if before.Health != HealthNeedsReauth && after.Health == HealthNeedsReauth {
		evs = append(evs, AccountEvent(EventAccountNeedsReauth, before, *after, authScheme, at))
	}
	return evs
}

// Webhook subscription states.
const (
	SubscriptionEnabled  = "ENABLED"
	SubscriptionDisabled = "DISABLED"
)

// WebhookSubscription is where a project's events are delivered.
type WebhookSubscription struct {
	ID        string
	ProjectID string
	URL       string
	// Version is the payload version, "V3".
	Version       string
	EnabledEvents []string
	// Secret is the signing secret in plaintext; only its sealed twin
	// reaches a backend.
	Secret       []byte
	SealedSecret []byte
	// PreviousSecret is the secret a rotation replaced; it signs too
	// until PreviousSecretUntil.
	PreviousSecret       []byte
	SealedPreviousSecret []byte
	PreviousSecretUntil  *time.Time
	// Status is SubscriptionEnabled or SubscriptionDisabled.
	Status         string
	DisabledReason string
	// FailingSince is the time of the first failed attempt since the last
	// successful one; nil when the last attempt succeeded.
	FailingSince *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Delivery statuses.
const (
	DeliveryPending   = "PENDING"
	DeliveryDelivered = "DELIVERED"
	DeliveryFailed    = "FAILED"
)

// Delivery is one event on its way to one subscription.
type Delivery struct {
	ID             string
	ProjectID      string
	EventID        string
	SubscriptionID string
	Status         string
	// Attempts counts the attempts made so far.
	Attempts      int
	NextAttemptAt time.Time
	// LeaseOwner and LeaseUntil name the worker that claimed the delivery
	// and until when no other worker may.
	LeaseOwner     string
	LeaseUntil     *time.Time
	LastStatusCode int
	LastError      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// DeliveryAttempt records one attempt of a delivery.
type DeliveryAttempt struct {
	DeliveryID string
	ProjectID  string
	Attempt    int
	StartedAt  time.Time
	Latency    time.Duration
	// StatusCode is the receiver's HTTP status; 0 when none came back.
	StatusCode int
	// ResponseBody is the start of the receiver's answer.
	ResponseBody string
	// Error says why the attempt failed without a status, or is empty.
	Error string
}

// AttemptOutcome is what FinishAttempt makes of a delivery after an
// attempt.
type AttemptOutcome struct {
	// Status is DeliveryDelivered, DeliveryPending (retry at
	// NextAttemptAt) or DeliveryFailed (no more retries).
	Status        string
	NextAttemptAt time.Time
	// Success reports whether the attempt succeeded.
	Success bool
	// DisableFailingSince, when not zero, disables the subscription if
	// it has been failing since before it (after this attempt).
	DisableFailingSince time.Time
	DisableReason       string
}

// Outbox is the part of the Store behind events and webhooks. Account
// writes (CreateAccount, UpdateAccount, DeleteAccount, FailStaleAccounts)
// append the events AccountEvents derives in their own transaction, with
// a PENDING delivery for each ENABLED subscription of the project that
// enables the event's type.
type Outbox interface {
	// AppendEvents writes events that no account write causes (a failed
	// refresh), with their deliveries, in one transaction.
	AppendEvents(ctx context.Context, events ...Event) error
	GetEvent(ctx context.Context, projectID, id string) (Event, error)
	// ListEvents lists the project's events of one account (all when
	// accountID is empty), oldest first, at most limit.
	ListEvents(ctx context.Context, projectID, accountID string, limit int) ([]Event, error)

	CreateWebhookSubscription(ctx context.Context, s WebhookSubscription) error
	GetWebhookSubscription(ctx context.Context, projectID, id string) (WebhookSubscription, error)
	// ListWebhookSubscriptions lists the project's subscriptions, oldest first.
	ListWebhookSubscriptions(ctx context.Context, projectID string) ([]WebhookSubscription, error)
	UpdateWebhookSubscription(ctx context.Context, projectID, id string, fn func(WebhookSubscription) (WebhookSubscription, error)) (WebhookSubscription, error)
	// DeleteWebhookSubscription deletes it with its deliveries.
	DeleteWebhookSubscription(ctx context.Context, projectID, id string) error

	// ClaimDeliveries leases to owner, until now+lease, at most limit
	// PENDING deliveries of ENABLED subscriptions, in every project, due
	// at now and not leased by anyone else, earliest due first. A
	// delivery is leased to one owner at a time across every instance
	// sharing the database.
	ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// FinishAttempt records an attempt of a delivery that owner holds the
	// lease of, applies the outcome to the delivery (clearing the lease)
	// and to its subscription's failure tracking, in one transaction. A
	// lease owner no longer holds is ErrNotFound and changes nothing.
	FinishAttempt(ctx context.Context, owner string, a DeliveryAttempt, o AttemptOutcome) error
	// CreateDelivery stores a delivery, for a replay.
	CreateDelivery(ctx context.Context, d Delivery) error
	GetDelivery(ctx context.Context, projectID, id string) (Delivery, error)
	// ListDeliveries lists a subscription's deliveries, newest first, at
	// most limit.
	ListDeliveries(ctx context.Context, projectID, subscriptionID string, limit int) ([]Delivery, error)
	// ListDeliveryAttempts lists a delivery's attempts in order.
	ListDeliveryAttempts(ctx context.Context, projectID, deliveryID string) ([]DeliveryAttempt, error)

	// CountPendingDeliveries counts the PENDING deliveries of every
	// project: the outbox's backlog, due or waiting for a retry.
	CountPendingDeliveries(ctx context.Context) (int, error)

	// DeleteEvents deletes, in every project, up to limit events created
	// before before that have no PENDING delivery, with their deliveries
	// and attempts, and returns how many events it deleted.
	DeleteEvents(ctx context.Context, before time.Time, limit int) (int, error)

	// SetRefreshExpiry records when an account's refresh token runs out
	// and when to warn of it (nil expiresAt forgets it: the token does not
	// run out, or says not when). A new expiresAt schedules a new warning;
	// the same one keeps the schedule and whether it was sent. An account
	// missing from the project is ErrNotFound.
	SetRefreshExpiry(ctx context.Context, projectID, accountID string, expiresAt, warnAt *time.Time) error
	// WarnExpiring writes, in one transaction, an EventAccountExpiring
	// (with its deliveries) for up to limit ACTIVE accounts, in every
	// project, whose warning is due at now and not yet sent, and marks
	// each sent: once per refresh token, even with several instances
	// sharing the database. It returns how many it wrote.
	WarnExpiring(ctx context.Context, now time.Time, limit int) (int, error)
}

// RefreshExpiry is an account's refresh token's end and the schedule of
// its warning.
type RefreshExpiry struct {
	AccountID string
	ProjectID string
	ExpiresAt time.Time
	WarnAt    time.Time
	WarnedAt  *time.Time
}

// ExpiringEvent is the warning of a's refresh token running out at
// expiresAt.
func ExpiringEvent(a Account, authScheme string, expiresAt, at time.Time) Event {
	e := AccountEvent(EventAccountExpiring, nil, a, authScheme, at)
	var d EventData
	json.Unmarshal(e.Data, &d) // AccountEvent's own encoding
	exp := expiresAt.UTC()
	d.RefreshTokenExpiresAt = &exp
	e.Data, _ = json.Marshal(d)
	return e
}

// SubscribesTo reports whether a subscription enables events of type typ.
func (s WebhookSubscription) SubscribesTo(typ string) bool {
	for _, e := range s.EnabledEvents {
		if e == typ {
			return true
		}
	}
	return false
}

// NewDeliveryID returns a fresh delivery id.
func NewDeliveryID() string { return "dlv_" + strings.ToLower(rand.Text()) }

// FanOut returns the PENDING deliveries of events to the subscriptions
// that enable them: what a backend writes with the events.
func FanOut(events []Event, subs []WebhookSubscription) []Delivery {
	var ds []Delivery
	for _, e := range events {
		for _, s := range subs {
			if s.ProjectID != e.ProjectID || s.Status != SubscriptionEnabled || !s.SubscribesTo(e.Type) {
				continue
			}
			ds = append(ds, Delivery{ID: NewDeliveryID(), ProjectID: e.ProjectID, EventID: e.ID, SubscriptionID: s.ID,
				Status: DeliveryPending, NextAttemptAt: e.CreatedAt, CreatedAt: e.CreatedAt, UpdatedAt: e.CreatedAt})
		}
	}
	return ds
}
