package api_test

import (
	"context"
	"strings"
	"testing"
)

// TestCallbackURLNormalised: a link's callback_url is matched against the
// allowlist as a browser will follow it, so dot segments and encodings
// that climb out of the allowed path are refused with 400 and make no
// account.
func TestCallbackURLNormalised(t *testing.T) {
	srv, a := newServer(t)
	p, err := a.Projects.Authenticate(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Projects.SetCallbackURLs(context.Background(), p.ID, []string{"https://app.example.com/cb"}); err != nil {
		t.Fatal(err)
	}
	var created struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	post(t, srv, "/api/v3.1/auth_configs", `{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_composio_managed_auth","authScheme":"API_KEY"}}`, &created)
	for _, cb := range []string{
		"https://app.example.com/cb/../../evil",
		"https://app.example.com/cb/%2e%2e/evil",
		"https://app.example.com/cb/%2E%2E%2Fevil",
		"https://app.example.com/cb/..%5cevil",
	} {
		status, b := call(t, srv, key, "POST", "/api/v3.1/connected_accounts/link",
			`{"auth_config_id":"`+created.AuthConfig.ID+`","user_id":"u1","callback_url":"`+cb+`"}`)
		if status != 400 || !strings.Contains(b, `"slug":"callback_url_not_allowed"`) {
			t.Errorf("callback_url %s: got %d %s, want 400 callback_url_not_allowed", cb, status, b)
		}
	}
	if _, b := call(t, srv, key, "GET", "/api/v3.1/connected_accounts", ""); !strings.Contains(b, `"items":[]`) {
		t.Errorf("refused links made accounts: %s", b)
	}
	status, b := call(t, srv, key, "POST", "/api/v3.1/connected_accounts/link",
		`{"auth_config_id":"`+created.AuthConfig.ID+`","user_id":"u1","callback_url":"https://app.example.com/cb/done?x=1"}`)
	if status != 201 {
		t.Errorf("an allowed callback_url: got %d %s, want 201", status, b)
	}
}
