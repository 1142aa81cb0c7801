package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/app"
	"github.com/switchboard-dev/switchboard/internal/config"
	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
)

// TestAuditExport: the acts of the CLI and of the API land in the audit
// log, and audit export writes them as JSON Lines, oldest first, with who
// acted, from where, and before and after without secrets.
func TestAuditExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	const rootKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	env := map[string]string{"SWITCHBOARD_DATA_DIR": dir, "SWITCHBOARD_ENCRYPTION_KEY": rootKey}
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, &out, &errOut, func(k string) string { return env[k] })
		return out.String() + errOut.String(), err
	}
	out, err := cli("projects", "create", "Acme")
	if err != nil {
		t.Fatalf("projects create: %v\n%s", err, out)
	}
	key := regexp.MustCompile(`sb_[0-9A-Za-z]{40}`).FindString(out)
	if out, err = cli("projects", "callback-urls", "https://app.example.com/cb"); err != nil {
		t.Fatalf("callback-urls: %v\n%s", err, out)
	}

	cfg := config.Default()
	cfg.DataDir, cfg.EncryptionKey = dir, rootKey
	a, err := app.New(context.Background(), cfg, app.Options{EgressLoopbackOnly: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	_, k, err := a.Projects.AuthenticateKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	c := sdk.New(key, srv.URL)
	ctx := context.Background()
	ac, err := c.AuthConfigs().Create(ctx, "github", wire.AuthConfigSpec{Type: "use_custom_auth", AuthScheme: "OAUTH2",
		Credentials: map[string]any{"client_id": "cid", "client_secret": "very-secret-client-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	name := "GitHub prod"
	if err := c.AuthConfigs().Update(ctx, ac.AuthConfig.ID, wire.AuthConfigUpdateRequest{Name: &name}); err != nil {
		t.Fatal(err)
	}
	rt, err := c.APIKeys().Create(ctx, "app", "runtime")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.APIKeys().Revoke(ctx, rt.ID); err != nil {
		t.Fatal(err)
	}

	env["SWITCHBOARD_URL"], env["SWITCHBOARD_API_KEY"] = srv.URL, key
	out, err = cli("audit", "export")
	if err != nil {
		t.Fatalf("audit export: %v\n%s", err, out)
	}
	var entries []wire.AuditEntry
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e wire.AuditEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("export line %q: %v", line, err)
		}
		entries = append(entries, e)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	want := []string{"project.create", "api_key.create", "project.update", "auth_config.create", "auth_config.update", "api_key.create", "api_key.revoke"}
	if strings.Join(actions, " ") != strings.Join(want, " ") {
		t.Fatalf("exported actions %v, want %v", actions, want)
	}
	for i, e := range entries {
		cliAct := i < 3
		switch {
		case cliAct && (e.SourceAddress != "cli" || e.KeyID != ""):
			t.Errorf("CLI act %s: source %q, key %q; want cli and no key", e.Action, e.SourceAddress, e.KeyID)
		case !cliAct && (e.SourceAddress != "127.0.0.1" || e.KeyID != k.ID || !strings.HasPrefix(e.RequestID, "req_")):
			t.Errorf("API act %s: source %q, key %q, request %q; want 127.0.0.1, %s and a request id", e.Action, e.SourceAddress, e.KeyID, e.RequestID, k.ID)
		}
	}
	update := entries[4]
	if !strings.Contains(string(update.Before), `"name":`) || strings.Contains(string(update.Before), "GitHub prod") ||
		!strings.Contains(string(update.After), `"GitHub prod"`) || !strings.Contains(string(update.After), `"sealed_fields":["client_secret"]`) {
		t.Errorf("auth config update: before %s, after %s", update.Before, update.After)
	}
	if strings.Contains(out, "very-secret-client-secret") || strings.Contains(out, rt.Key) || strings.Contains(out, key) {
		t.Errorf("the export holds a secret:\n%s", out)
	}
	if got := entries[3].TargetID; got != ac.AuthConfig.ID {
		t.Errorf("auth_config.create names %s, want %s", got, ac.AuthConfig.ID)
	}

	out, err = cli("audit", "export", "-action", "api_key.create,api_key.revoke", "-key", k.ID)
	if n := strings.Count(strings.TrimSpace(out), "\n") + 1; err != nil || n != 2 {
		t.Errorf("filtered export: %v, %d lines\n%s", err, n, out)
	}
	if out, err = cli("audit", "export", "-from", "yesterday"); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Errorf("a bad -from: %v\n%s", err, out)
	}
	rt2, err := c.APIKeys().Create(ctx, "app2", "runtime")
	if err != nil {
		t.Fatal(err)
	}
	env["SWITCHBOARD_API_KEY"] = rt2.Key
	if out, err := cli("audit", "export"); err == nil {
		t.Errorf("a runtime key exported the audit log:\n%s", out)
	}
}
