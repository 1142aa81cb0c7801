package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/metrics"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// Ladder is the wait before each retry of a failed delivery: the first
// retry a minute after the first attempt, the last a day after the one
// before it. A delivery whose every rung failed is FAILED (replay it to
// try again): ten attempts over about three days.
var Ladder = []time.Duration{
	time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour,
	12 * time.Hour, 24 * time.Hour, 24 * time.Hour, 24 * time.Hour,
}

// DisableAfter is how long a subscription may fail without one success
// before it is disabled; deliveries wait until it is enabled again.
const DisableAfter = 72 * time.Hour

// Lease is how long a claimed delivery is kept from other instances: well
// over Timeout, so a live worker always finishes first.
const Lease = 2 * time.Minute

// Timeout bounds one delivery request.
const Timeout = 15 * time.Second

// MaxRecordedBody is how much of a receiver's answer an attempt records.
const MaxRecordedBody = 1024

// Batch is how many deliveries a worker claims at a time, and sends at
// once.
const Batch = 16

// Sign returns the webhook-signature header of a message: a
// space-separated "v1,<base64 HMAC-SHA256 of id.timestamp.body>" for each
// secret, as Standard Webhooks defines it.
func Sign(id string, timestamp int64, body []byte, secrets ...[]byte) string {
	var parts []string
	for _, secret := range secrets {
		m := hmac.New(sha256.New, secret)
		fmt.Fprintf(m, "%s.%d.", id, timestamp)
		m.Write(body)
		parts = append(parts, "v1,"+base64.StdEncoding.EncodeToString(m.Sum(nil)))
	}
	return strings.Join(parts, " ")
}

// Payload renders an event as Composio's V3 envelope: id, type,
// timestamp, metadata (project_id, and org_id, which is the project id:
// Switchboard has no organizations) and data. docs/events.md documents
// data for each type.
func Payload(e store.Event) ([]byte, error) {
	var d store.EventData
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return nil, fmt.Errorf("read event %s: %w", e.ID, err)
	}
	type slug struct {
		Slug string `json:"slug"`
	}
	type authConfig struct {
		ID         string `json:"id"`
		AuthScheme string `json:"auth_scheme"`
	}
	var data any
	if e.Type == store.EventAccountExpired {
		// Composio's documented fields first, then the ones the official
		// TypeScript SDK's ConnectionExpiredEventSchema requires too, with
		// the connection state empty: it would hold credentials.
		type expiredAuthConfig struct {
			ID                string `json:"id"`
			AuthScheme        string `json:"auth_scheme"`
			IsComposioManaged bool   `json:"is_composio_managed"`
			IsDisabled        bool   `json:"is_disabled"`
		}
		type state struct {
			AuthScheme string         `json:"authScheme"`
			Val        map[string]any `json:"val"`
		}
		data = struct {
			ID           string            `json:"id"`
			Toolkit      slug              `json:"toolkit"`
			AuthConfig   expiredAuthConfig `json:"auth_config"`
			Status       string            `json:"status"`
			StatusReason string            `json:"status_reason"`
			UserID       string            `json:"user_id"`
			CreatedAt    string            `json:"created_at"`
			UpdatedAt    string            `json:"updated_at"`
			IsDisabled   bool              `json:"is_disabled"`
			State        state             `json:"state"`
			Data         map[string]any    `json:"data"`
			Params       map[string]any    `json:"params"`
		}{d.AccountID, slug{d.ToolkitSlug}, expiredAuthConfig{d.AuthConfigID, d.AuthScheme, false, false}, d.Status, d.StatusReason,
			d.UserID, timestamp(d.CreatedAt), timestamp(d.UpdatedAt), false, state{d.AuthScheme, map[string]any{}},
			map[string]any{}, map[string]any{}}
	} else {
		data = struct {
			ID             string     `json:"id"`
			UserID         string     `json:"user_id"`
			Toolkit        slug       `json:"toolkit"`
			AuthConfig     authConfig `json:"auth_config"`
			Status         string     `json:"status"`
			StatusReason   string     `json:"status_reason"`
			Alias          string     `json:"alias"`
			PreviousStatus string     `json:"previous_status,omitempty"`
			PreviousAlias  *string    `json:"previous_alias,omitempty"`
			SupersededBy   string     `json:"superseded_by,omitempty"`
			Health         string     `json:"health,omitempty"`
			Attempt        int        `json:"attempt,omitempty"`
			ErrorClass     string     `json:"error_class,omitempty"`
			RefreshExpires string     `json:"refresh_token_expires_at,omitempty"`
		}{d.AccountID, d.UserID, slug{d.ToolkitSlug}, authConfig{d.AuthConfigID, d.AuthScheme}, d.Status, d.StatusReason,
			d.Alias, d.PreviousStatus, previousAlias(e.Type, d), d.SupersededBy, d.Health, d.Attempt, d.ErrorClass,
			optionalTimestamp(d.RefreshTokenExpiresAt)}
	}
	return json.Marshal(struct {
		ID        string            `json:"id"`
		Type      string            `json:"type"`
		Metadata  map[string]string `json:"metadata"`
		Data      any               `json:"data"`
		Timestamp string            `json:"timestamp"`
	}{e.ID, e.Type, map[string]string{"project_id": e.ProjectID, "org_id": e.ProjectID}, data,
		timestamp(e.CreatedAt)})
}

// timestamp is an ISO 8601 time in UTC with milliseconds, as Composio
// writes them.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// optionalTimestamp is timestamp(*t), or "" for nil.
func optionalTimestamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return timestamp(*t)
}

// previousAlias is the alias before an alias change ("" when there was
// none); other events leave it out.
func previousAlias(typ string, d store.EventData) *string {
	if typ != store.EventAccountAliasChanged {
		return nil
	}
	return &d.PreviousAlias
}

func (s *Service) owner() string {
	s.ownerOnce.Do(func() {
		if s.Owner == "" {
			s.Owner = "worker-" + strings.ToLower(rand.Text())
		}
	})
	return s.Owner
}

// Run delivers due events every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.Logger.WarnContext(ctx, "deliver webhooks", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// DeliverDue claims the deliveries due now, a batch at a time, and makes
// one attempt of each, until none is due. It returns how many attempts it
// made.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	n := 0
	for {
		claimed, err := s.Store.ClaimDeliveries(ctx, s.owner(), s.now(), Lease, Batch)
		if err != nil {
			return n, fmt.Errorf("claim deliveries: %w", err)
		}
		if len(claimed) == 0 {
			return n, nil
		}
		var wg sync.WaitGroup
		errs := make([]error, len(claimed))
		for i, d := range claimed {
			wg.Go(func() { errs[i] = s.attempt(ctx, d) })
		}
		wg.Wait()
		n += len(claimed)
		if err := errors.Join(errs...); err != nil {
			return n, err
		}
	}
}

// attempt makes one attempt of a claimed delivery and records it.
func (s *Service) attempt(ctx context.Context, d store.Delivery) error {
	e, err := s.Store.GetEvent(ctx, d.ProjectID, d.EventID)
	if err != nil {
		return fmt.Errorf("read event of delivery %s: %w", d.ID, err)
	}
	w, err := s.Store.GetWebhookSubscription(ctx, d.ProjectID, d.SubscriptionID)
	if err != nil {
		return fmt.Errorf("read subscription of delivery %s: %w", d.ID, err)
	}
	a := store.DeliveryAttempt{DeliveryID: d.ID, ProjectID: d.ProjectID, Attempt: d.Attempts + 1, StartedAt: s.now()}
	// Latency is measured on the monotonic clock, whatever Now is.
	start := time.Now()
	code, body, sendErr := s.send(ctx, w, e, a.Attempt)
	a.Latency = time.Since(start)
	a.StatusCode, a.ResponseBody = code, body
	ok := sendErr == nil && code >= 200 && code < 300
	if sendErr != nil {
		a.Error = sendErr.Error()
	} else if !ok {
		a.Error = "the receiver answered " + strconv.Itoa(code)
	}
	o := store.AttemptOutcome{Status: store.DeliveryDelivered, NextAttemptAt: a.StartedAt, Success: ok}
	if !ok {
		o.DisableFailingSince, o.DisableReason = a.StartedAt.Add(-DisableAfter),
			"Disabled after failing for "+DisableAfter.String()+" without a successful delivery"
		if a.Attempt > len(Ladder) {
			o.Status = store.DeliveryFailed
		} else {
			o.Status, o.NextAttemptAt = store.DeliveryPending, a.StartedAt.Add(Ladder[a.Attempt-1])
		}
	}
	if err := s.Store.FinishAttempt(ctx, s.owner(), a, o); err != nil {
		return fmt.Errorf("record attempt %d of delivery %s: %w", a.Attempt, d.ID, err)
	}
	s.count(ctx, w, o, a.Latency)
	return nil
}

// count records an attempt's outcome in the metrics. A failure that
// found the subscription ENABLED and left it DISABLED counts as
// disabled: the store disables it in the attempt's transaction.
func (s *Service) count(ctx context.Context, w store.WebhookSubscription, o store.AttemptOutcome, took time.Duration) {
	if s.Metrics == nil {
		return
	}
	outcome := metrics.Delivered
	switch {
	case o.Success:
	case w.Status == store.SubscriptionEnabled && s.disabledNow(ctx, w):
		outcome = metrics.Disabled
	case o.Status == store.DeliveryFailed:
		outcome = metrics.Failed
	default:
		outcome = metrics.Retrying
	}
	s.Metrics.Delivery(outcome, took)
}

// disabledNow reports whether w is DISABLED now.
func (s *Service) disabledNow(ctx context.Context, w store.WebhookSubscription) bool {
	cur, err := s.Store.GetWebhookSubscription(ctx, w.ProjectID, w.ID)
	return err == nil && cur.Status == store.SubscriptionDisabled
}

// send posts the event to the subscription's URL, signed, and returns the
// status and the start of the body.
func (s *Service) send(ctx context.Context, w store.WebhookSubscription, e store.Event, attempt int) (int, string, error) {
	if len(w.Secret) == 0 {
		return 0, "", errors.New("the subscription's secret cannot be opened by this server's keys")
	}
	body, err := Payload(e)
	if err != nil {
		return 0, "", err
	}
	now := s.now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "", errors.New("the subscription's URL does not make a request")
	}
	ts := now.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Switchboard-Webhooks")
	req.Header.Set("webhook-id", e.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", Sign(e.ID, ts, body, Secrets(w, now)...))
	req.Header.Set("x-composio-webhook-version", w.Version)
	req.Header.Set("x-composio-delivery-attempt", strconv.Itoa(attempt))
	resp, err := s.clients().ForURL(w.URL).Do(req)
	if err != nil {
		return 0, "", sendError(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, MaxRecordedBody))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, cleanText(b), nil
}

// clients returns the egress clients deliveries go through.
func (s *Service) clients() *egress.Clients {
	s.clientsOnce.Do(func() {
		if s.Egress == nil {
			s.Egress = &egress.Clients{Timeout: Timeout, AllowLoopback: s.AllowLoopback}
		}
	})
	return s.Egress
}

// sendError says why a request failed without the URL, which may carry a
// token in its query.
func sendError(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return errors.New("request failed: " + inner.Error())
		}
	}
	return errors.New("request failed")
}

// cleanText makes a response body fit to store as text: valid UTF-8
// without NUL bytes.
func cleanText(b []byte) string {
	return strings.ReplaceAll(strings.ToValidUTF8(string(b), "\uFFFD"), "\x00", "\uFFFD")
}
