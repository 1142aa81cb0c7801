package wire

import "time"

// WebhookSubscription is a webhook subscription as the Composio v3.1 API
// returns it, with Switchboard's additions (status, disabled_reason,
// previous_secret_expires_at). Secret is the whole signing secret only in
// the answers to create and rotate_secret; elsewhere it is masked to its
// prefix and last four characters.
type WebhookSubscription struct {
	ID            string   `json:"id"`
	WebhookURL    string   `json:"webhook_url"`
	Version       string   `json:"version"`
	EnabledEvents []string `json:"enabled_events"`
	Secret        string   `json:"secret"`
	CreatedAt     string   `json:"created_at"`
	UpdatedAt     string   `json:"updated_at"`
	// Status is ENABLED or DISABLED (after sustained delivery failure,
	// or through the API).
	Status         string `json:"status"`
	DisabledReason string `json:"disabled_reason,omitempty"`
	// PreviousSecretExpiresAt is when the secret replaced by the last
	// rotation stops signing deliveries.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty"`
}

// WebhookSubscriptionRequest is the body of create and update. Enabled
// is Switchboard's: true turns a disabled subscription back on.
type WebhookSubscriptionRequest struct {
	WebhookURL    *string   `json:"webhook_url"`
	EnabledEvents *[]string `json:"enabled_events"`
	Version       *string   `json:"version"`
	Enabled       *bool     `json:"enabled"`
}

// WebhookSecret is the answer to rotate_secret.
type WebhookSecret struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
	// PreviousSecretExpiresAt is when the replaced secret stops signing.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty"`
}

// WebhookEventType is one entry of event_types.
type WebhookEventType struct {
	EventType         string   `json:"event_type"`
	Description       string   `json:"description"`
	SupportedVersions []string `json:"supported_versions"`
}

// WebhookEventTypes is the answer to event_types.
type WebhookEventTypes struct {
	Items []WebhookEventType `json:"items"`
}

// WebhookDelivery is one event on its way to a subscription (a
// Switchboard extension).
type WebhookDelivery struct {
	ID             string                   `json:"id"`
	SubscriptionID string                   `json:"subscription_id"`
	EventID        string                   `json:"event_id"`
	Status         string                   `json:"status"`
	Attempts       int                      `json:"attempts"`
	NextAttemptAt  *time.Time               `json:"next_attempt_at,omitempty"`
	LastStatusCode int                      `json:"last_status_code,omitempty"`
	LastError      string                   `json:"last_error,omitempty"`
	CreatedAt      time.Time                `json:"created_at"`
	UpdatedAt      time.Time                `json:"updated_at"`
	AttemptLog     []WebhookDeliveryAttempt `json:"attempt_log,omitempty"`
}

// WebhookDeliveryAttempt records one attempt of a delivery.
type WebhookDeliveryAttempt struct {
	Attempt      int       `json:"attempt"`
	StartedAt    time.Time `json:"started_at"`
	LatencyMS    float64   `json:"latency_ms"`
	StatusCode   int       `json:"status_code,omitempty"`
	ResponseBody string    `json:"response_body,omitempty"`
	Error        string    `json:"error,omitempty"`
}

// WebhookDeliveryList lists a subscription's newest deliveries.
type WebhookDeliveryList struct {
	Items []WebhookDelivery `json:"items"`
}
