package audit

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/ids"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/reqlog"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// Actor is who acts: the API key, where the request came from and its id.
type Actor struct {
	KeyID         string
	SourceAddress string
	RequestID     string
}

type actorKey struct{}

// WithActor returns ctx acting as a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorOf returns the actor WithActor set; without one, the zero Actor
// with the request id of ctx.
func ActorOf(ctx context.Context) Actor {
	a, ok := ctx.Value(actorKey{}).(Actor)
	if !ok {
		a.RequestID = reqlog.RequestID(ctx)
	}
	return a
}

// Act is one administrative act. Before and After are the target's state,
// any value that encodes as JSON (nil for none: a creation has no
// before, a deletion no after).
type Act struct {
	Action     string
	TargetType string
	TargetID   string
	Before     any
	After      any
	// Snapshot, for an act begun with Begin, turns the target's store
	// record (opened by the service's Open) into its audited view, or nil
	// for a record of another type; where the store has the record before
	// or after the write, its view replaces Before or After.
	Snapshot func(record any) any
}

// View makes a Snapshot from a view of records of type T.
func View[T any](view func(T) any) func(any) any {
	return func(record any) any {
		r, ok := record.(T)
		if !ok {
			return nil
		}
		return view(r)
	}
}

// Actions, by target.
const (
	AuthConfigCreate    = "auth_config.create"
	AuthConfigUpdate    = "auth_config.update"
	AuthConfigStatus    = "auth_config.status"
	AuthConfigDelete    = "auth_config.delete"
	APIKeyCreate        = "api_key.create"
	APIKeyRevoke        = "api_key.revoke"
	ProjectCreate       = "project.create"
	ProjectUpdate       = "project.update"
	AccountUpdate       = "connected_account.update"
	AccountStatus       = "connected_account.status"
	AccountDelete       = "connected_account.delete"
	CustomToolkitCreate = "custom_toolkit.create"
	CustomToolkitUpdate = "custom_toolkit.replace"
	CustomToolkitDelete = "custom_toolkit.delete"
	CustomToolkitSync   = "custom_toolkit.sync"
	WebhookCreate       = "webhook_subscription.create"
	WebhookUpdate       = "webhook_subscription.update"
	WebhookDelete       = "webhook_subscription.delete"
	WebhookRotate       = "webhook_subscription.rotate_secret"
	WebhookReplay       = "webhook_subscription.replay"
	// AccountReauthorize is a reconnect link made for an account (from
	// the console).
	AccountReauthorize = "connected_account.reauthorize"
	// ConsoleSignIn is a sign-in to the console with an API key.
	ConsoleSignIn = "console.sign_in"
)

// Service writes and lists audit entries.
type Service struct {
	Store  store.Logs
	Logger *slog.Logger
	Now    func() time.Time
	// Open opens the sealed parts of a store record as the backends hold
	// it (the vault barrier's OpenRecord), for Snapshot; nil leaves records
	// as they come.
	Open func(record any) any
}

// Pending is an act begun with Begin: its entry is written by the store,
// in the transaction of the act's write.
type Pending struct {
	s         *Service
	projectID string
	act       Act
	entry     store.AuditEntry
	mu        sync.Mutex
	taken     bool
}

// Begin returns ctx carrying the entry of act, done in projectID by the
// actor of ctx: the first write of the act's target (its TargetType, and
// TargetID when set) made with ctx writes the entry in its own
// transaction (store.WithAudit), so the act never commits without its
// entry and a failed act leaves none. Call Finish once the act has
// succeeded.
func (s *Service) Begin(ctx context.Context, projectID string, act Act) (context.Context, *Pending) {
	a := ActorOf(ctx)
	p := &Pending{s: s, projectID: projectID, act: act, entry: store.AuditEntry{
		ID: ids.New("aud_", 16), ProjectID: projectID, Action: act.Action, TargetType: act.TargetType, TargetID: act.TargetID,
		KeyID: a.KeyID, SourceAddress: a.SourceAddress, RequestID: a.RequestID,
	}}
	return store.WithAudit(ctx, p.hook), p
}

// hook is the store.AuditHook of p.
func (p *Pending) hook(targetType, targetID string, before, after any) (store.AuditEntry, bool) {
	if targetType != p.act.TargetType || p.act.TargetID != "" && targetID != p.act.TargetID {
		return store.AuditEntry{}, false
	}
	e := p.entry
	e.TargetID = targetID
	e.Before, e.After = redacted(p.view(before, p.act.Before)), redacted(p.view(after, p.act.After))
	e.CreatedAt = p.s.Now().UTC()
	p.mu.Lock()
	p.taken = true
	p.mu.Unlock()
	return e, true
}

// view is the audited view of record, or fallback without one.
func (p *Pending) view(record, fallback any) any {
	if record == nil || p.act.Snapshot == nil {
		return fallback
	}
	if p.s.Open != nil {
		record = p.s.Open(record)
	}
	if v := p.act.Snapshot(record); v != nil {
		return v
	}
	return fallback
}

// Finish ends a successful act. An act that made no write of its target
// (it changed nothing: enabling an enabled account, say) has its entry
// written now, with after as its after view when the act gave none.
func (p *Pending) Finish(ctx context.Context, after any) {
	p.mu.Lock()
	taken := p.taken
	p.mu.Unlock()
	if taken {
		return
	}
	act := p.act
	if act.After == nil {
		act.After = after
	}
	p.s.record(ctx, p.projectID, act, p.entry.ID)
}

// Record writes the entry of an act done in projectID by the actor of
// ctx. It never fails the act: an entry that cannot be written is logged.
func (s *Service) Record(ctx context.Context, projectID string, act Act) {
	s.record(ctx, projectID, act, ids.New("aud_", 16))
}

func (s *Service) record(ctx context.Context, projectID string, act Act, id string) {
	a := ActorOf(ctx)
	e := store.AuditEntry{
		ID: id, ProjectID: projectID, Action: act.Action, TargetType: act.TargetType, TargetID: act.TargetID,
		KeyID: a.KeyID, SourceAddress: a.SourceAddress, RequestID: a.RequestID,
		Before: redacted(act.Before), After: redacted(act.After), CreatedAt: s.Now().UTC(),
	}
	// The act is done: its entry is written even when the request that
	// asked for it has gone.
	if err := s.Store.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		s.Logger.ErrorContext(ctx, "audit entry not written", "action", act.Action, "target_id", act.TargetID, "error", err)
	}
}

// redacted encodes v as JSON, redacted; nil stays nil.
func redacted(v any) []byte {
	if v == nil {
		return nil
	}
	raw, err := json.Marshal(v)
	if err != nil || string(raw) == "null" {
		return nil
	}
	return reqlog.RedactJSON(raw)
}

// Limits of a page of the audit log.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// List returns one page of a project's audit log, oldest first (newest
// first with f.Newest).
func (s *Service) List(ctx context.Context, projectID string, f store.AuditFilter) (store.Page[store.AuditEntry], error) {
	if f.Limit < 0 || f.Limit > MaxLimit {
		return store.Page[store.AuditEntry]{}, problem.Invalidf("invalid_limit", "limit", "limit %d is out of range: use 1 to %d", f.Limit, MaxLimit)
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return store.Page[store.AuditEntry]{}, problem.Invalidf("invalid_time_range", "to", "to is before from")
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	page, err := s.Store.ListAudit(ctx, projectID, f)
	if errors.Is(err, store.ErrInvalid) {
		return page, problem.Invalidf("invalid_cursor", "cursor", "the cursor was not issued by this list").
			WithFix("Pass next_cursor from the previous page unchanged, with the same filters")
	}
	return page, err
}
