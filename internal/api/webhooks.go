package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/switchboard-dev/switchboard/internal/audit"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/webhooks"
	"github.com/switchboard-dev/switchboard/wire"
)

// subscriptionJSON is a subscription on the wire; reveal says whether the
// whole secret is shown (create and rotate_secret only).
func subscriptionJSON(w store.WebhookSubscription, reveal bool) wire.WebhookSubscription {
	out := wire.WebhookSubscription{
		ID: w.ID, WebhookURL: w.URL, Version: w.Version, EnabledEvents: w.EnabledEvents,
		Secret:    maskSecret(string(w.Secret)),
		CreatedAt: w.CreatedAt.UTC().Format(time.RFC3339Nano), UpdatedAt: w.UpdatedAt.UTC().Format(time.RFC3339Nano),
		Status: w.Status, DisabledReason: w.DisabledReason, PreviousSecretExpiresAt: w.PreviousSecretUntil,
	}
	if reveal {
		out.Secret = string(w.Secret)
	}
	if out.EnabledEvents == nil {
		out.EnabledEvents = []string{}
	}
	return out
}

// maskSecret keeps a secret's "whsec_" prefix and last four characters.
func maskSecret(s string) string {
	if len(s) < 12 {
		return "whsec_…"
	}
	return s[:6] + "…" + s[len(s)-4:]
}

// webhookFields are the body fields create and update read; any other is
// refused rather than ignored.
var webhookFields = []string{"webhook_url", "enabled_events", "version", "enabled"}

func decodeWebhookRequest(r *http.Request) (webhooks.Input, error) {
	var present map[string]json.RawMessage
	if err := decode(r, &present); err != nil {
		return webhooks.Input{}, err
	}
	for k := range present {
		if !slices.Contains(webhookFields, k) {
			return webhooks.Input{}, problem.Invalidf("unsupported_field", k, "field %s is not supported by webhook subscriptions", k).
				WithFix("Send only webhook_url, enabled_events, version and enabled")
		}
	}
	raw, _ := json.Marshal(present)
	var req wire.WebhookSubscriptionRequest
	if err := decodeJSON(raw, &req); err != nil {
		return webhooks.Input{}, err
	}
	return webhooks.Input{URL: req.WebhookURL, EnabledEvents: req.EnabledEvents, Version: req.Version, Enabled: req.Enabled}, nil
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request, p store.Project) error {
	in, err := decodeWebhookRequest(r)
	if err != nil {
		return err
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.WebhookCreate, TargetType: store.AuditSubscription, Snapshot: webhookView})
	sub, err := s.Webhooks.Create(ctx, p.ID, in)
	if err != nil {
		return err
	}
	finish(webhookAudit(sub))
	writeJSON(w, http.StatusCreated, subscriptionJSON(sub, true))
	return nil
}

// webhookAudit is what the audit log keeps of a subscription: never its
// secrets.
func webhookAudit(w store.WebhookSubscription) any {
	return map[string]any{"webhook_url": w.URL, "version": w.Version, "enabled_events": w.EnabledEvents,
		"status": w.Status, "disabled_reason": w.DisabledReason}
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request, p store.Project) error {
	n, err := limit(r, 20, 50)
	if err != nil {
		return err
	}
	subs, err := s.Webhooks.List(r.Context(), p.ID)
	if err != nil {
		return err
	}
	items := make([]wire.WebhookSubscription, 0, len(subs))
	for _, sub := range subs {
		items = append(items, subscriptionJSON(sub, false))
	}
	out, err := paginate(items, r.URL.Query().Get("cursor"), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request, p store.Project) error {
	sub, err := s.Webhooks.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, subscriptionJSON(sub, false))
	return nil
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request, p store.Project) error {
	in, err := decodeWebhookRequest(r)
	if err != nil {
		return err
	}
	before, err := s.Webhooks.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.WebhookUpdate, TargetType: store.AuditSubscription, TargetID: before.ID,
		Before: webhookAudit(before), Snapshot: webhookView})
	sub, err := s.Webhooks.Update(ctx, p.ID, before.ID, in)
	if err != nil {
		return err
	}
	finish(webhookAudit(sub))
	writeJSON(w, http.StatusOK, subscriptionJSON(sub, false))
	return nil
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request, p store.Project) error {
	before, err := s.Webhooks.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.WebhookDelete, TargetType: store.AuditSubscription, TargetID: before.ID,
		Before: webhookAudit(before)})
	if err := s.Webhooks.Delete(ctx, p.ID, before.ID); err != nil {
		return err
	}
	finish(nil)
	writeJSON(w, http.StatusOK, wire.Success{Success: true})
	return nil
}

func (s *Server) rotateWebhookSecret(w http.ResponseWriter, r *http.Request, p store.Project) error {
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.WebhookRotate, TargetType: store.AuditSubscription, TargetID: r.PathValue("id"),
		Snapshot: audit.View(func(w store.WebhookSubscription) any {
			return map[string]any{"previous_secret_expires_at": w.PreviousSecretUntil}
		})})
	sub, err := s.Webhooks.RotateSecret(ctx, p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	finish(map[string]any{"previous_secret_expires_at": sub.PreviousSecretUntil})
	writeJSON(w, http.StatusOK, wire.WebhookSecret{ID: sub.ID, Secret: string(sub.Secret), PreviousSecretExpiresAt: sub.PreviousSecretUntil})
	return nil
}

func (s *Server) webhookEventTypes(w http.ResponseWriter, r *http.Request, _ store.Project) error {
	out := wire.WebhookEventTypes{Items: make([]wire.WebhookEventType, 0, len(webhooks.EventTypes))}
	for _, t := range webhooks.EventTypes {
		out.Items = append(out.Items, wire.WebhookEventType{EventType: t.Type, Description: t.Description, SupportedVersions: []string{webhooks.Version}})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func deliveryJSON(d store.Delivery, atts []store.DeliveryAttempt) wire.WebhookDelivery {
	out := wire.WebhookDelivery{ID: d.ID, SubscriptionID: d.SubscriptionID, EventID: d.EventID, Status: d.Status, Attempts: d.Attempts,
		LastStatusCode: d.LastStatusCode, LastError: d.LastError, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	if d.Status == store.DeliveryPending {
		next := d.NextAttemptAt
		out.NextAttemptAt = &next
	}
	for _, a := range atts {
		out.AttemptLog = append(out.AttemptLog, wire.WebhookDeliveryAttempt{Attempt: a.Attempt, StartedAt: a.StartedAt,
			LatencyMS: float64(a.Latency.Microseconds()) / 1000, StatusCode: a.StatusCode, ResponseBody: a.ResponseBody, Error: a.Error})
	}
	return out
}

func (s *Server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request, p store.Project) error {
	n, err := limit(r, 50, 200)
	if err != nil {
		return err
	}
	ds, err := s.Webhooks.Deliveries(r.Context(), p.ID, r.PathValue("id"), n)
	if err != nil {
		return err
	}
	out := wire.WebhookDeliveryList{Items: make([]wire.WebhookDelivery, 0, len(ds))}
	for _, d := range ds {
		out.Items = append(out.Items, deliveryJSON(d, nil))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getWebhookDelivery(w http.ResponseWriter, r *http.Request, p store.Project) error {
	d, atts, err := s.Webhooks.Delivery(r.Context(), p.ID, r.PathValue("id"), r.PathValue("delivery_id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, deliveryJSON(d, atts))
	return nil
}

func (s *Server) replayWebhookDelivery(w http.ResponseWriter, r *http.Request, p store.Project) error {
	from := r.PathValue("delivery_id")
	replayView := func(d store.Delivery) any {
		return map[string]any{"delivery_id": d.ID, "replay_of": from, "event_id": d.EventID}
	}
	ctx, finish := s.begin(r, p, audit.Act{Action: audit.WebhookReplay, TargetType: store.AuditSubscription, TargetID: r.PathValue("id"),
		Snapshot: audit.View(replayView)})
	d, err := s.Webhooks.Replay(ctx, p.ID, r.PathValue("id"), from)
	if err != nil {
		return err
	}
	finish(replayView(d))
	writeJSON(w, http.StatusCreated, deliveryJSON(d, nil))
	return nil
}

// webhookView is the audit snapshot of a subscription record.
var webhookView = audit.View(webhookAudit)
