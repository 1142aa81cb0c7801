package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// machineToolkit is an OAUTH2 toolkit with the client credentials grant:
// each account is one API client, whose id and secret the form asks for.
const machineToolkit = `{
  "slug": "machine", "name": "Machine", "description": "A machine-to-machine API.",
  "logo": "https://example.com/machine.png", "categories": [{"slug": "test", "name": "Test"}],
  "base_url": "https://api.machine.example",
  "auth_schemes": [{
    "mode": "OAUTH2",
    "oauth2": {"grant": "client_credentials", "token_url": "https://auth.machine.example/token",
      "default_scopes": ["email"], "scope_separator": " ", "scope_param": "scope", "token_encoding": "form", "token_auth": "header"},
    "fields": [
      {"name": "client_id", "display_name": "Client ID", "description": "The API client's id.", "type": "string", "required": true},
      {"name": "client_secret", "display_name": "Client secret", "description": "The API client's secret.", "type": "string", "required": true, "secret": true}
    ],
    "apply": {"header": "Authorization", "prefix": "Bearer ", "field": "access_token"}
  }],
  "version": "20260101_00", "errors": "http", "tools": [{
  "slug": "MACHINE_WHOAMI", "name": "Who am I", "description": "Names the API client the call runs as.",
  "tags": ["readOnlyHint"],
  "input": {"type": "object", "properties": {}},
  "output": {"type": "object", "properties": {}},
  "request": {"method": "GET", "path": "/whoami"}
}]
}`

// TestClientCredentials: an OAUTH2 toolkit with the client credentials
// grant (RFC 6749 §4.4) connects each account with its own client id and
// secret, fetching a token from the test provider through egress when it
// connects (a wrong secret is refused and stores nothing); its calls run
// as that client; the token is fetched again when it expires or the API
// answers 401, with no refresh token; a client the provider stops taking
// moves the account to EXPIRED. It runs on both stores.
func TestClientCredentials(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { clientCredentials(t, "") })
	t.Run("postgres", func(t *testing.T) { clientCredentials(t, postgrestest.URL(t)) })
}

func clientCredentials(t *testing.T, dsn string) {
	p := oauthtest.NewProvider(t)
	p.RegisterMachineClient("robot-1", "s1")
	p.RegisterMachineClient("robot-2", "s2")
	api := httptest.NewServer(p.Protect(func(w http.ResponseWriter, r *http.Request, u oauthtest.User) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"client": u.Login})
	}))
	t.Cleanup(api.Close)
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := startServer(t, serverOptions{DatabaseURL: dsn, Now: clock})

	if st, b := call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", machineToolkit); st != 201 {
		t.Fatalf("create the toolkit: %d %s", st, b)
	}
	if st, b := call(t, s, testKey, "GET", "/api/v3.1/toolkits/machine", ""); st != 200 || !strings.Contains(b, `"connected_account_initiation":{"required":[{"name":"client_id"`) {
		t.Errorf("GET toolkits/machine: %d %s, want client_id among the connection fields", st, b)
	}
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/auth_configs",
		`{"toolkit":{"slug":"machine"},"auth_config":{"type":"use_custom_auth","authScheme":"OAUTH2","credentials":{"client_id":"x","client_secret":"y"}}}`); st != 400 || !strings.Contains(b, "unexpected_credentials") {
		t.Errorf("an auth config with a client id: %d %s, want 400 unexpected_credentials: the accounts hold it", st, b)
	}
	ac := newAuthConfig(t, s, `{"toolkit":{"slug":"machine"},"auth_config":{"type":"use_custom_auth","authScheme":"OAUTH2","credentials":{"token_url":"`+p.TokenURL()+`","base_url":"`+api.URL+`"}}}`)
	connect := func(user, id, secret string) (int, string) {
		return call(t, s, testKey, "POST", "/api/v3.1/connected_accounts",
			`{"auth_config":{"id":"`+ac+`"},"connection":{"user_id":"`+user+`","state":{"authScheme":"OAUTH2","val":{"client_id":"`+id+`","client_secret":"`+secret+`"}}}}`)
	}
	before := snapshot(t, s)
	if st, b := connect("user_1", "robot-1", "wrong"); st != 400 || !strings.Contains(b, "invalid_credential") || strings.Contains(b, "wrong") {
		t.Errorf("a wrong secret: %d %s, want 400 invalid_credential without the secret", st, b)
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("a refused connection changed the project:\n%s\nthen\n%s", before, after)
	}
	grants := func(client string) int {
		n := 0
		for _, it := range p.IssuedTokens("") {
			if it.GrantType == "client_credentials" && it.ClientID == client {
				n++
			}
		}
		return n
	}

	ids := map[string]string{}
	for _, c := range []struct{ user, id, secret string }{{"user_1", "robot-1", "s1"}, {"user_2", "robot-2", "s2"}} {
		st, b := connect(c.user, c.id, c.secret)
		if st != 201 || !strings.Contains(b, `"status":"ACTIVE"`) || strings.Contains(b, c.secret) {
			t.Fatalf("connect %s: %d %s", c.id, st, b)
		}
		var ca struct{ ID string }
		json.Unmarshal([]byte(b), &ca)
		ids[c.id] = ca.ID
	}
	exec := func(client string) (bool, string) {
		st, b := call(t, s, testKey, "POST", "/api/v3.1/tools/execute/MACHINE_WHOAMI", `{"connected_account_id":"`+ids[client]+`","arguments":{}}`)
		return st == 200 && strings.Contains(b, `"successful":true`) && strings.Contains(b, `"client":"`+client+`"`), b
	}
	for _, c := range []string{"robot-1", "robot-2", "robot-1"} {
		if ok, b := exec(c); !ok {
			t.Errorf("execute as %s: %s", c, b)
		}
	}
	if g1, g2 := grants("robot-1"), grants("robot-2"); g1 != 1 || g2 != 1 {
		t.Errorf("grants after connecting and three calls: robot-1 %d, robot-2 %d, want 1 each (the token is reused)", g1, g2)
	}

	// The token expires: the next call fetches a new one first.
	mu.Lock()
	now = now.Add(oauthtest.DefaultAccessTokenTTL)
	mu.Unlock()
	if ok, b := exec("robot-1"); !ok || grants("robot-1") != 2 {
		t.Errorf("after expiry: %s; %d grants, want 2", b, grants("robot-1"))
	}
	// The API refuses the token: one new token, one retry.
	p.ExpireAccessTokens()
	if ok, b := exec("robot-2"); !ok || grants("robot-2") != 2 {
		t.Errorf("after a 401: %s; %d grants, want 2", b, grants("robot-2"))
	}
	// The provider stops taking the client: the account expires.
	p.RegisterMachineClient("robot-1", "rotated")
	p.ExpireAccessTokens()
	if ok, b := exec("robot-1"); ok || !strings.Contains(b, "EXPIRED") {
		t.Errorf("a refused client: %s, want a failed call saying the account is EXPIRED", b)
	}
	if st, b := call(t, s, testKey, "GET", "/api/v3.1/connected_accounts/"+ids["robot-1"], ""); st != 200 || !strings.Contains(b, `"status":"EXPIRED"`) {
		t.Errorf("the refused account: %d %s", st, b)
	}

	// The hosted form asks for the pair, refuses a wrong one and shows the
	// form again, and connects with the right one.
	st, b := call(t, s, testKey, "POST", "/api/v3.1/connected_accounts/link", `{"auth_config_id":"`+ac+`","user_id":"user_3"}`)
	var link struct {
		ID          string `json:"connected_account_id"`
		RedirectURL string `json:"redirect_url"`
	}
	if json.Unmarshal([]byte(b), &link); st != 201 || link.RedirectURL == "" {
		t.Fatalf("link: %d %s", st, b)
	}
	resp := get(t, link.RedirectURL)
	page := body(resp)
	if resp.StatusCode != 200 || !strings.Contains(page, `name="client_id"`) || !strings.Contains(page, `name="client_secret"`) {
		t.Fatalf("the link page: %d %s", resp.StatusCode, page)
	}
	submit := func(secret string) (int, string) {
		req, _ := http.NewRequest("POST", link.RedirectURL, strings.NewReader(url.Values{"client_id": {"robot-2"}, "client_secret": {secret}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", s.URL)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body(resp)
	}
	if st, page := submit("nope"); st != 400 || !strings.Contains(page, "refused this client id and secret") || !strings.Contains(page, `name="client_secret"`) || strings.Contains(page, "nope") {
		t.Errorf("a wrong pair in the form: %d %s", st, page)
	}
	if st, page := submit("s2"); st != 200 || strings.Contains(page, "s2\"") {
		t.Errorf("the right pair in the form: %d %s", st, page)
	}
	if st, b := call(t, s, testKey, "GET", "/api/v3.1/connected_accounts/"+link.ID, ""); st != 200 || !strings.Contains(b, `"status":"ACTIVE"`) {
		t.Errorf("the account connected through the form: %d %s", st, b)
	}
}
