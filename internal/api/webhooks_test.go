package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestWebhookSubscriptions runs the Composio webhook subscription routes on
// the real router: the secret is whole only in the answers to create and
// rotate_secret, bad input is a 400 with a code and stores nothing.
func TestWebhookSubscriptions(t *testing.T) {
	srv, _ := newServer(t)
	var created struct {
		ID, Secret string
	}
	post(t, srv, "/api/v3/webhook_subscriptions", `{"webhook_url":"http://127.0.0.1:9/hooks","enabled_events":["composio.connected_account.expired"]}`, &created)
	if len(created.Secret) < 40 || created.Secret[:6] != "whsec_" {
		t.Fatalf("create: secret %q, want a whole whsec_ secret", created.Secret)
	}
	var rotated struct{ ID, Secret string }
	vars := map[string]string{"id": created.ID, "secret": created.Secret, "tail": created.Secret[len(created.Secret)-4:]}
	run(t, srv, []scenario{
		{"get masks the secret", "GET", "/api/v3.1/webhook_subscriptions/{id}", "", 200,
			[]string{`"id":"{id}"`, `"webhook_url":"http://127.0.0.1:9/hooks"`, `"version":"V3"`, `"secret":"whsec_…{tail}"`, `"status":"ENABLED"`},
			[]string{"{secret}"}},
		{"list", "GET", "/api/v3.1/webhook_subscriptions?limit=10", "", 200,
			[]string{`"items":[{"id":"{id}"`, `"total_items":1`, `"current_page":1`}, []string{"{secret}"}},
		{"event types", "GET", "/api/v3/webhook_subscriptions/event_types", "", 200,
			[]string{`"event_type":"composio.connected_account.expired"`, `"supported_versions":["V3"]`, `"event_type":"composio.connected_account.link_expired"`}, nil},
		{"update", "PATCH", "/api/v3.1/webhook_subscriptions/{id}", `{"enabled_events":["composio.connected_account.active","composio.connected_account.expired"]}`, 200,
			[]string{`"enabled_events":["composio.connected_account.active","composio.connected_account.expired"]`}, []string{"{secret}"}},
		{"unknown field", "PATCH", "/api/v3.1/webhook_subscriptions/{id}", `{"webhook_url":"http://127.0.0.1:9/x","headers":{"a":"b"}}`, 400,
			[]string{`"slug":"unsupported_field"`, "headers"}, nil},
		{"unknown event", "POST", "/api/v3.1/webhook_subscriptions", `{"webhook_url":"https://hooks.example.com/x","enabled_events":["composio.trigger.message"]}`, 400,
			[]string{`"slug":"unknown_event_type"`, "event_types"}, nil},
		{"V1 payloads", "POST", "/api/v3.1/webhook_subscriptions", `{"webhook_url":"https://hooks.example.com/x","enabled_events":["composio.connected_account.expired"],"version":"V1"}`, 400,
			[]string{`"slug":"unsupported_webhook_version"`}, nil},
		{"private address", "POST", "/api/v3.1/webhook_subscriptions", `{"webhook_url":"https://169.254.169.254/latest","enabled_events":["composio.connected_account.expired"]}`, 400,
			[]string{`"slug":"invalid_webhook_url"`}, nil},
		{"no events", "POST", "/api/v3.1/webhook_subscriptions", `{"webhook_url":"https://hooks.example.com/x"}`, 400,
			[]string{`"slug":"enabled_events_required"`}, nil},
		{"refused creates stored nothing", "GET", "/api/v3.1/webhook_subscriptions", "", 200, []string{`"total_items":1`}, nil},
		{"deliveries", "GET", "/api/v3.1/webhook_subscriptions/{id}/deliveries", "", 200, []string{`"items":[]`}, nil},
		{"missing delivery", "GET", "/api/v3.1/webhook_subscriptions/{id}/deliveries/dlv_nope", "", 404, []string{`"slug":"webhook_delivery_not_found"`}, nil},
		{"missing subscription", "GET", "/api/v3.1/webhook_subscriptions/ws_nope", "", 404, []string{`"slug":"webhook_subscription_not_found"`}, nil},
	}, vars)

	reqRotate(t, srv, created.ID, &rotated)
	if rotated.ID != created.ID || rotated.Secret == created.Secret || rotated.Secret[:6] != "whsec_" {
		t.Fatalf("rotate_secret: got %+v", rotated)
	}
	vars["new"] = rotated.Secret
	run(t, srv, []scenario{
		{"rotation overlap shown", "GET", "/api/v3.1/webhook_subscriptions/{id}", "", 200,
			[]string{`"previous_secret_expires_at":`}, []string{"{new}", "{secret}"}},
		{"delete", "DELETE", "/api/v3.1/webhook_subscriptions/{id}", "", 200, []string{`"success":true`}, nil},
		{"deleted", "GET", "/api/v3.1/webhook_subscriptions/{id}", "", 404, []string{`"slug":"webhook_subscription_not_found"`}, nil},
		{"audited without secrets", "GET", "/api/v3.1/audit_log?target_type=webhook_subscription", "", 200,
			[]string{`"webhook_subscription.create"`, `"webhook_subscription.update"`, `"webhook_subscription.rotate_secret"`, `"webhook_subscription.delete"`, `"{id}"`},
			[]string{"{secret}", "{new}"}},
	}, vars)
}

func reqRotate(t *testing.T, srv *httptest.Server, id string, v any) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v3.1/webhook_subscriptions/"+id+"/rotate_secret", nil)
	req.Header.Set("x-api-key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("rotate_secret: %d", resp.StatusCode)
	}
	json.NewDecoder(resp.Body).Decode(v)
}
