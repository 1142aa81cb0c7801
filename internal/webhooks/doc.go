// Package webhooks owns webhook subscriptions and the delivery of the
// store's outbox to them.
//
// Subscriptions are Composio's (/api/v3.1/webhook_subscriptions): a URL,
// the event types it enables and a signing secret, sealed by the vault's
// barrier. Rotating the secret keeps the old one signing alongside the new
// one for RotationOverlap, so a receiver can switch without losing a
// delivery.
//
// Events are written by the store in the transaction of the account change
// that causes them (see store.Outbox), so a crash after the change cannot
// lose one. The worker (Run, DeliverDue) claims due deliveries under a
// lease, posts each signed the Standard Webhooks way through
// internal/egress, records every attempt, and retries a failed one on
// Ladder; a subscription failing for DisableAfter without a success is
// disabled. Any number of instances may run the worker on one database:
// a delivery is leased to one at a time, and a lease that a crashed
// instance never finished runs out after Lease and is claimed again.
// Nothing on the execute path waits for a delivery.
//
// The payloads are Composio's V3 envelope (docs/events.md documents each
// one); composio.connected_account.expired is exactly Composio's.
package webhooks
