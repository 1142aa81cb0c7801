package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/app"
	"github.com/switchboard-dev/switchboard/internal/config"
	"github.com/switchboard-dev/switchboard/sdk"
)

// TestToolkitsPush: push creates a custom toolkit from a YAML file, then
// replaces it; a broken file sends nothing and names its line; a slug of
// a built-in is the server's refusal.
func TestToolkitsPush(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.EncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	a, err := app.New(context.Background(), cfg, app.Options{EgressLoopbackOnly: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	const key = "sb_cli_push_key_0123456789abcdef"
	if _, _, err := a.Projects.Bootstrap(context.Background(), key); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	env := map[string]string{"SWITCHBOARD_URL": srv.URL, "SWITCHBOARD_API_KEY": key}
	push := func(files ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"toolkits", "push"}, files...), &out, &errOut, func(k string) string { return env[k] })
		return out.String() + errOut.String(), err
	}
	tiny := write("tiny.yaml", tinyToolkit)
	if out, err := push(tiny); err != nil || !strings.Contains(out, "created tiny (1 tools)") {
		t.Fatalf("first push: %v\n%s", err, out)
	}
	write("tiny.yaml", strings.Replace(tinyToolkit, "name: Tiny", "name: Tiny Two", 1))
	if out, err := push(tiny); err != nil || !strings.Contains(out, "replaced tiny") {
		t.Fatalf("second push: %v\n%s", err, out)
	}
	got, err := sdk.New(key, srv.URL).CustomToolkits().Get(context.Background(), "tiny")
	if err != nil || got.Name != "Tiny Two" || got.ToolsCount != 1 {
		t.Fatalf("after push: %+v, %v", got, err)
	}

	broken := write("small.yaml", strings.Replace(strings.ReplaceAll(tinyToolkit, "tiny", "small"), "TINY_", "SMALL_", 1)+"bogus: 1\n")
	if out, err := push(broken); err == nil || !strings.Contains(out, "small.yaml:") || !strings.Contains(out, "bogus") {
		t.Errorf("broken push: %v\n%s", err, out)
	}
	if _, err := sdk.New(key, srv.URL).CustomToolkits().Get(context.Background(), "small"); !sdk.IsNotFound(err) {
		t.Errorf("a broken file was pushed: %v", err)
	}

	clash := write("github.yaml", strings.Replace(strings.ReplaceAll(tinyToolkit, "tiny", "github"), "TINY_", "GITHUB_", 1))
	if out, err := push(clash); err == nil || !strings.Contains(err.Error(), "github") {
		t.Errorf("pushing a built-in's slug: %v\n%s", err, out)
	}
}
