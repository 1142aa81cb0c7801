package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/app"
	"github.com/switchboard-dev/switchboard/internal/config"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/sdk"
)

func TestKeysLifecycle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"SWITCHBOARD_DATA_DIR": dir}
	getenv := func(k string) string { return env[k] }
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, &out, &errOut, getenv)
		return out.String() + errOut.String(), err
	}
	out, err := cli("projects", "create", "Acme")
	if err != nil {
		t.Fatalf("projects create: %v\n%s", err, out)
	}
	key := regexp.MustCompile(`sb_[0-9A-Za-z]{40}`).FindString(out)
	if key == "" {
		t.Fatalf("no key printed: %s", out)
	}
	out, err = cli("keys", "create", "-name", "ci")
	if err != nil {
		t.Fatalf("keys create: %v\n%s", err, out)
	}
	second := regexp.MustCompile(`sb_[0-9A-Za-z]{40}`).FindString(out)
	keyID := regexp.MustCompile(`key_[0-9A-Za-z]+`).FindString(out)
	out, err = cli("keys", "list")
	if err != nil || !strings.Contains(out, keyID) || strings.Contains(out, second) || strings.Contains(out, key) {
		t.Fatalf("keys list shows %q (err %v); want the id and never a whole key", out, err)
	}
	if out, err = cli("keys", "revoke", keyID); err != nil {
		t.Fatalf("keys revoke: %v\n%s", err, out)
	}
	out, _ = cli("keys", "list")
	if !regexp.MustCompile(keyID + `\s.*\d{4}-\d\d-\d\dT`).MatchString(out) {
		t.Errorf("revoked key not shown as revoked: %s", out)
	}
	if out, err = cli("projects", "callback-urls", "not a url"); err == nil {
		t.Errorf("a bad callback URL was accepted: %s", out)
	}
	if out, err = cli("projects", "callback-urls", "https://app.example.com/cb"); err != nil || !strings.Contains(out, "https://app.example.com/cb") {
		t.Errorf("callback-urls: %v %s", err, out)
	}
	if _, err := cli("nope"); err == nil {
		t.Errorf("an unknown command succeeded")
	}
}

// TestClientCommands lists toolkits and accounts of a running server
// through the SDK, as an operator would.
func TestClientCommands(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.EncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	a, err := app.New(context.Background(), cfg, app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	const key = "sb_cli_test_key_0123456789abcdef"
	if _, _, err := a.Projects.Bootstrap(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	c := sdk.New(key, srv.URL)
	ac, err := c.AuthConfigs().Create(context.Background(), "linear", sdk.AuthConfigSpec{Type: "use_composio_managed_auth", AuthScheme: "API_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Accounts.CreateWithCredentials(context.Background(), mustProject(t, a, key),
		accounts.LinkInput{UserID: "alice", AuthConfigID: ac.AuthConfig.ID, Alias: "work"}, "API_KEY", map[string]string{"api_key": "lin_x"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SWITCHBOARD_URL": srv.URL, "SWITCHBOARD_API_KEY": key}
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, &out, &errOut, func(k string) string { return env[k] })
		return out.String() + errOut.String(), err
	}
	out, err := cli("toolkits", "list")
	if err != nil || !strings.Contains(out, "gmail") || !strings.Contains(out, "OAUTH2") {
		t.Errorf("toolkits list: %v\n%s", err, out)
	}
	out, err = cli("accounts", "list", "-toolkit", "linear")
	if err != nil || !regexp.MustCompile(`ca_\w+\s+alice\s+linear\s+ACTIVE\s+work`).MatchString(out) || strings.Contains(out, "lin_x") {
		t.Errorf("accounts list: %v\n%s", err, out)
	}
	out, _ = cli("accounts", "list", "-user", "bob")
	if strings.Contains(out, "alice") {
		t.Errorf("accounts list -user bob shows alice:\n%s", out)
	}
	env["SWITCHBOARD_API_KEY"] = "sb_wrong_key_0123456789abcdef"
	if out, err := cli("accounts", "list"); err == nil {
		t.Errorf("a wrong key listed accounts:\n%s", out)
	}
}

func mustProject(t *testing.T, a *app.App, key string) store.Project {
	t.Helper()
	p, err := a.Projects.Authenticate(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
