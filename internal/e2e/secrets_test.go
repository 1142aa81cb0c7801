package e2e

import (
	"context"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/sdk"
)

// TestSecretsStayHidden connects an account and checks that neither the
// API nor the database files ever hold the client secret or the tokens in
// plain text.
func TestSecretsStayHidden(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := startServer(t, serverOptions{DataDir: dir})
	p := provider(t, s)
	ac := gmailConfig(t, s.Client, p)
	sess, err := s.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	ca := connect(t, sess, work)
	tok := storedToken(t, s, ca.ID)
	secrets := []string{"switchboard-secret", tok.AccessToken, tok.RefreshToken}

	for _, path := range []string{
		"/api/v3.1/auth_configs/" + ac,
		"/api/v3.1/auth_configs",
		"/api/v3.1/connected_accounts/" + ca.ID,
		"/api/v3.1/connected_accounts",
		"/api/v3.1/tool_router/session/" + sess.ID() + "/toolkits",
	} {
		status, b := call(t, s, testKey, "GET", path, "")
		if status != 200 {
			t.Fatalf("GET %s: %d %s", path, status, b)
		}
		for _, secret := range secrets {
			if strings.Contains(b, secret) {
				t.Errorf("GET %s returns a secret", path)
			}
		}
	}
	// Ciphertext only at rest: no database file (WAL included) holds a
	// secret, even after a checkpoint.
	s.Stop()
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range secrets {
			if strings.Contains(string(b), secret) {
				t.Errorf("%s holds a secret in plain text", filepath.Base(path))
			}
		}
		return nil
	})
}

// TestCredentialForm connects an API-key toolkit through the hosted form,
// and through the legacy create with credentials in connection.state.
func TestCredentialForm(t *testing.T) {
	s := startServer(t, serverOptions{})
	ctx := ctxT(t)
	status, b := call(t, s, testKey, "POST", "/api/v3.1/auth_configs", `{"toolkit":{"slug":"linear"},"auth_config":{"type":"use_composio_managed_auth","authScheme":"API_KEY"}}`)
	if status != 201 {
		t.Fatalf("create linear auth config: %d %s", status, b)
	}
	cfgs, err := s.Client.AuthConfigs().List(ctx, sdk.ListAuthConfigsParams{ToolkitSlugs: []string{"linear"}})
	if err != nil || len(cfgs.Items) != 1 {
		t.Fatalf("list: %v %v", cfgs, err)
	}
	ac := cfgs.Items[0].ID

	req, err := s.Client.ConnectedAccounts().Link(ctx, "user_123", ac)
	if err != nil {
		t.Fatal(err)
	}
	resp := get(t, req.RedirectURL)
	if resp.StatusCode != 200 || !strings.Contains(body(resp), `name="api_key"`) || !strings.Contains(body(resp), `type="password"`) {
		t.Fatalf("link page: %d %s", resp.StatusCode, body(resp))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("link page CSP %q", csp)
	}
	if rp := resp.Header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("link page Referrer-Policy %q", rp)
	}
	post := func(form url.Values) *http.Response {
		r, err := http.PostForm(req.RedirectURL, form)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// A missing field shows the form again and stores nothing.
	r := post(url.Values{"api_key": {""}})
	if r.StatusCode != 400 || !strings.Contains(body(r), "required") {
		t.Errorf("empty form: %d %s", r.StatusCode, body(r))
	}
	if a, _ := s.Client.ConnectedAccounts().Get(ctx, req.ID); a.Status != "INITIATED" {
		t.Errorf("after a refused form the account is %s", a.Status)
	}
	r = post(url.Values{"api_key": {"lin_api_secret123"}})
	if r.StatusCode != 200 || !strings.Contains(body(r), "connected") {
		t.Fatalf("form: %d %s", r.StatusCode, body(r))
	}
	a, err := req.WaitForConnection(ctx)
	if err != nil || a.Status != "ACTIVE" {
		t.Fatalf("after the form: %v %v", a, err)
	}
	var creds map[string]string
	acct, err := s.App.Accounts.Get(context.Background(), defaultProject(t, s), req.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.App.Accounts.Credentials(acct, &creds); err != nil || creds["api_key"] != "lin_api_secret123" {
		t.Errorf("stored credentials %v %v", creds, err)
	}
	// The link is used up.
	if r := post(url.Values{"api_key": {"again"}}); r.StatusCode != http.StatusGone {
		t.Errorf("second submission: %d", r.StatusCode)
	}

	// The legacy create stores submitted credentials directly.
	status, b = call(t, s, testKey, "POST", "/api/v3.1/connected_accounts",
		`{"auth_config":{"id":"`+ac+`"},"connection":{"user_id":"user_123","alias":"bot","state":{"authScheme":"API_KEY","val":{"api_key":"lin_api_other"}}}}`)
	if status != 201 || !strings.Contains(b, `"status":"ACTIVE"`) {
		t.Fatalf("legacy create: %d %s", status, b)
	}
	// Its alias is unique per user and toolkit, and names the account.
	status, b = call(t, s, testKey, "POST", "/api/v3.1/connected_accounts",
		`{"auth_config":{"id":"`+ac+`"},"connection":{"user_id":"user_123","alias":"bot","state":{"authScheme":"API_KEY","val":{"api_key":"x"}}}}`)
	if status != 400 || !strings.Contains(b, "alias") {
		t.Errorf("duplicate alias: %d %s", status, b)
	}
	status, b = call(t, s, testKey, "POST", "/api/v3.1/tool_router/session", `{"user_id":"user_123","connected_accounts":{"linear":"bot"}}`)
	if status != 201 || !strings.Contains(b, `"linear":["ca_`) {
		t.Errorf("pin by alias: %d %s", status, b)
	}
	// A missing required credential is refused.
	status, b = call(t, s, testKey, "POST", "/api/v3.1/connected_accounts",
		`{"auth_config":{"id":"`+ac+`"},"connection":{"user_id":"user_123","state":{"authScheme":"API_KEY","val":{}}}}`)
	if status != 400 || !strings.Contains(b, "API key is required") {
		t.Errorf("missing credential: %d %s", status, b)
	}
}
