package e2e

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/egress"
)

// TestTestServersNeverReachVendors: a test server connects a built-in
// toolkit with a made-up key and no base_url override, as many tests do,
// and its identity request to the real vendor (api.linear.app) is refused
// on the machine, by the egress option every test server sets, not by
// whether this machine happens to have DNS or internet. The account is
// connected unverified, as when the provider is unreachable; nothing was
// sent.
func TestTestServersNeverReachVendors(t *testing.T) {
	var log logBuffer
	s := startServer(t, serverOptions{Log: &log})
	status, b := call(t, s, testKey, "POST", "/api/v3.1/auth_configs",
		`{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_custom_auth","authScheme":"API_KEY"}}`)
	if status != 201 {
		t.Fatalf("create a linear auth config: %d %s", status, b)
	}
	var ac struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	if err := json.Unmarshal([]byte(b), &ac); err != nil || ac.AuthConfig.ID == "" {
		t.Fatalf("auth config answer %s: %v", b, err)
	}
	id := ac.AuthConfig.ID
	status, b = call(t, s, testKey, "POST", "/api/v3.1/connected_accounts",
		`{"auth_config":{"id":"`+id+`"},"connection":{"user_id":"user_1","state":{"authScheme":"API_KEY","val":{"api_key":"lin_api_made_up"}}}}`)
	if status != 201 || !strings.Contains(b, `"status":"ACTIVE"`) {
		t.Fatalf("connect with a made-up key: %d %s", status, b)
	}
	if l := log.String(); !strings.Contains(l, "loopback-only") || !strings.Contains(l, "api.linear.app") {
		t.Errorf("the log does not show the identity request refused as loopback-only:\n%s", l)
	}

	// Every client of the server is so: a vendor host is refused before
	// a lookup, whatever the caller.
	req, _ := http.NewRequest(http.MethodGet, "https://api.github.com/user", nil)
	resp, err := s.App.Accounts.Egress.ForURL("https://api.github.com").Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if !errors.Is(err, egress.ErrLoopbackOnly) {
		t.Errorf("GET api.github.com from a test server: got %v, want egress.ErrLoopbackOnly", err)
	}
}
