package store

import "context"

// AuditHook is the audit entry an administrative act carries down to the
// store in its context (WithAudit). An administrative write (see
// AuditOf) asks it, inside its own transaction, for the entry of a write
// of targetType and targetID, given the target's records before and after
// the write as the backend holds them (nil for a side it does not have:
// a create has no before, a delete no after). ok is false when the write
// is not the act's: another target.
type AuditHook func(targetType, targetID string, before, after any) (e AuditEntry, ok bool)

type auditHookKey struct{}

// WithAudit returns ctx carrying h: the administrative writes made with it
// write h's entry in their own transaction, so that the act and its entry
// commit together or not at all. An entry has one id: should two writes
// of the act take it, the first to commit keeps it, and the other writes
// none.
func WithAudit(ctx context.Context, h AuditHook) context.Context {
	return context.WithValue(ctx, auditHookKey{}, h)
}

// AuditOf returns the audit entry ctx's hook makes for a write of
// targetType and targetID, or ok false when ctx carries none or the write
// is not the act's. Backends call it in the transaction of CreateProject,
// UpdateProject, CreateAPIKey, RevokeAPIKey, CreateAuthConfig,
// UpdateAuthConfig, DeleteAuthConfig, UpdateAccount, DeleteAccount,
// CreateCustomToolkit, UpdateCustomToolkit, DeleteCustomToolkit,
// CreateWebhookSubscription, UpdateWebhookSubscription,
// DeleteWebhookSubscription and CreateDelivery (a replay, whose target is
// its subscription), and write the entry there, keeping the first entry
// of an id.
func AuditOf(ctx context.Context, targetType, targetID string, before, after any) (AuditEntry, bool) {
	h, _ := ctx.Value(auditHookKey{}).(AuditHook)
	if h == nil {
		return AuditEntry{}, false
	}
	return h(targetType, targetID, before, after)
}

// Audit target types.
const (
	AuditProject      = "project"
	AuditAPIKey       = "api_key"
	AuditAuthConfig   = "auth_config"
	AuditAccount      = "connected_account"
	AuditToolkit      = "custom_toolkit"
	AuditSubscription = "webhook_subscription"
)

// CheckAuditEntry refuses an entry with text no backend keeps, as the
// guard refuses it from AppendAudit (an error wrapping ErrInvalid).
func CheckAuditEntry(e AuditEntry) error { return checkRecord(e) }

// HasAudit reports whether ctx carries an audit hook: a backend may then
// run in a transaction a write it would otherwise make alone.
func HasAudit(ctx context.Context) bool {
	h, _ := ctx.Value(auditHookKey{}).(AuditHook)
	return h != nil
}
