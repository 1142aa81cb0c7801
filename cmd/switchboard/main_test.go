package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/app"
	"github.com/switchboard-dev/switchboard/internal/config"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
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
	cfg.EgressAllowLoopback = true // the test upstream runs on 127.0.0.1
	a, err := app.New(context.Background(), cfg, app.Options{EgressLoopbackOnly: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
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
	ac, err := c.AuthConfigs().Create(context.Background(), "linear", wire.AuthConfigSpec{Type: "use_composio_managed_auth", AuthScheme: "API_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.SignIn.CreateWithCredentials(context.Background(), mustProject(t, a, key),
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

	out, err = cli("tools", "list", "-toolkit", "gmail")
	if err != nil || !strings.Contains(out, "GMAIL_SEND_EMAIL") || strings.Contains(out, "GITHUB_") {
		t.Errorf("tools list -toolkit gmail: %v\n%s", err, out)
	}
	out, err = cli("tools", "list", "-search", "send an email")
	if err != nil || !regexp.MustCompile(`(?s)^SLUG.*?\n\S+SEND\S*EMAIL`).MatchString(out) {
		t.Errorf("tools list -search: %v\n%s", err, out)
	}

	// A tool run with an account whose API is a local fake.
	var gotKey string
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotKey = r.Header.Get("Authorization")
		w.Write([]byte(`{"data":{"viewer":{"id":"u1","name":"Alice"}}}`))
	}))
	defer upstream.Close()
	local, err := c.AuthConfigs().Create(context.Background(), "linear", wire.AuthConfigSpec{Type: "use_custom_auth", AuthScheme: "API_KEY",
		Credentials: map[string]any{"base_url": upstream.URL}})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := a.SignIn.CreateWithCredentials(context.Background(), mustProject(t, a, key),
		accounts.LinkInput{UserID: "alice", AuthConfigID: local.AuthConfig.ID}, "API_KEY", map[string]string{"api_key": "lin_local"})
	if err != nil {
		t.Fatal(err)
	}
	out, err = cli("tools", "execute", "-account", ca.ID, "LINEAR_GET_CURRENT_USER")
	if err != nil || !strings.Contains(out, `"name": "Alice"`) || gotKey != "lin_local" {
		t.Errorf("tools execute: %v (upstream saw %q)\n%s", err, gotKey, out)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"tools", "execute", "-account", ca.ID}, "name one tool"},
		{[]string{"tools", "execute", "LINEAR_GET_CURRENT_USER"}, "-user"},
		{[]string{"tools", "execute", "-user", "alice", "-account", ca.ID, "LINEAR_GET_CURRENT_USER"}, "-user"},
		{[]string{"tools", "execute", "-account", ca.ID, "-args", "[1]", "LINEAR_GET_CURRENT_USER"}, "-args must be a JSON object"},
		{[]string{"tools", "execute", "-account", ca.ID, "-args", `{"nope":1}`, "LINEAR_GET_CURRENT_USER"}, "LINEAR_GET_CURRENT_USER failed (log id log_"},
		{[]string{"tools", "execute", "-user", "bob", "LINEAR_GET_CURRENT_USER"}, "no ACTIVE linear account"},
	} {
		if out, err := cli(tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: got %v, want an error with %q\n%s", tt.args, err, tt.want, out)
		}
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

// TestKeysScope: keys create makes admin keys unless -scope says runtime,
// refuses an unknown scope, and keys list shows each key's scope.
func TestKeysScope(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"SWITCHBOARD_DATA_DIR": dir}
	cli := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, &out, &errOut, func(k string) string { return env[k] })
		return out.String() + errOut.String(), err
	}
	if out, err := cli("projects", "create", "Acme"); err != nil {
		t.Fatalf("projects create: %v\n%s", err, out)
	}
	out, err := cli("keys", "create", "-name", "agent", "-scope", "runtime")
	if err != nil || !strings.Contains(out, "Created runtime API key") {
		t.Fatalf("keys create -scope runtime: %v\n%s", err, out)
	}
	runtimeID := regexp.MustCompile(`key_[0-9A-Za-z]+`).FindString(out)
	out, err = cli("keys", "create", "-name", "ops")
	if err != nil || !strings.Contains(out, "Created admin API key") {
		t.Fatalf("keys create: %v\n%s", err, out)
	}
	if out, err := cli("keys", "create", "-scope", "root"); err == nil || !strings.Contains(err.Error(), `scope "root"`) {
		t.Errorf("keys create -scope root: got %v %s, want an error naming the scope", err, out)
	}
	out, err = cli("keys", "list")
	if err != nil || !regexp.MustCompile(runtimeID+`\s+agent\s+runtime\s+sb_\S…`).MatchString(out) || !regexp.MustCompile(`ops\s+admin\s`).MatchString(out) {
		t.Errorf("keys list: %v\n%s", err, out)
	}
}

// TestServeRefusesShortBootstrapKey: a bootstrap key shorter than 32
// characters stops the server at start, with an error that says so.
func TestServeRefusesShortBootstrapKey(t *testing.T) {
	env := map[string]string{
		"SWITCHBOARD_DATA_DIR":          filepath.Join(t.TempDir(), "data"),
		"SWITCHBOARD_ADDR":              "127.0.0.1:0",
		"SWITCHBOARD_BOOTSTRAP_API_KEY": "sb_short_but_16+chars",
	}
	var out, errOut bytes.Buffer
	// A server that starts anyway stops when ctx ends, and the test fails.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := run(ctx, []string{"serve"}, &out, &errOut, func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "SWITCHBOARD_BOOTSTRAP_API_KEY has 21 characters, fewer than 32") {
		t.Fatalf("serve: got %v, want the short bootstrap key refused", err)
	}
	if _, statErr := os.Stat(filepath.Join(env["SWITCHBOARD_DATA_DIR"], "switchboard.db")); statErr == nil {
		t.Errorf("a refused start created the store")
	}
}

// TestServeDebugListener: with SWITCHBOARD_DEBUG_ADDR the profiler answers
// there, and never on the API listener.
func TestServeDebugListener(t *testing.T) {
	apiPort, debugPort := freeTestPort(t), freeTestPort(t)
	env := map[string]string{
		"SWITCHBOARD_DATA_DIR":   filepath.Join(t.TempDir(), "data"),
		"SWITCHBOARD_ADDR":       apiPort,
		"SWITCHBOARD_DEBUG_ADDR": debugPort,
		"SWITCHBOARD_LOG_LEVEL":  "error",
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		var out, errOut bytes.Buffer
		done <- run(ctx, []string{"serve"}, &out, &errOut, func(k string) string { return env[k] })
	}()
	defer func() { cancel(); <-done }()
	get := func(u string) int {
		for range 200 {
			resp, err := http.Get(u)
			if err == nil {
				resp.Body.Close()
				return resp.StatusCode
			}
			time.Sleep(25 * time.Millisecond)
		}
		t.Fatalf("%s never answered", u)
		return 0
	}
	if got := get("http://" + debugPort + "/debug/pprof/"); got != http.StatusOK {
		t.Errorf("profiler on the debug listener: %d, want 200", got)
	}
	if got := get("http://" + apiPort + "/debug/pprof/"); got == http.StatusOK {
		t.Errorf("profiler on the API listener: %d, want it absent", got)
	}
}

func freeTestPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
