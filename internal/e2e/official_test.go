package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// repoRoot is the repository root, found from this file's location.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// inCI reports whether tests must fail rather than skip on a missing
// dependency.
func inCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// missing skips locally and fails under CI.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if inCI() {
		t.Fatalf(format+" (CI is set, so this fails instead of skipping; .ci/run installs it)", args...)
	}
	t.Skipf(format+" (run .ci/run to install it)", args...)
}

// runOfficial runs an official-SDK scenario script against a fresh
// server. Each AUTHORIZE line it prints is completed by consenting as the
// named identity, as the end user would in a browser.
func runOfficial(t *testing.T, s *server, name string, args ...string) {
	t.Helper()
	p := provider(t, s)
	gmailConfig(t, s.Client, p)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(),
		"SWITCHBOARD_URL="+s.URL,
		"SWITCHBOARD_API_KEY="+testKey,
		// Belt and braces: the scripts turn telemetry off in code too.
		"TELEMETRY_DISABLED=true",
		"COMPOSIO_BASE_URL="+s.URL,
	)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var out []string
	var result string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		out = append(out, line)
		switch {
		case strings.HasPrefix(line, "AUTHORIZE "):
			f := strings.Fields(line)
			if len(f) != 3 {
				t.Errorf("bad AUTHORIZE line %q", line)
				continue
			}
			id := map[string]identity{"work": work, "personal": personal}[f[1]]
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp := consent(t, f[2], id, true)
				if resp.StatusCode != 200 {
					t.Errorf("consent as %s: %d %s", id.Login, resp.StatusCode, body(resp))
				}
			}()
		case strings.HasPrefix(line, "RESULT "):
			result = strings.TrimPrefix(line, "RESULT ")
		}
	}
	io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	wg.Wait()
	if err != nil {
		t.Fatalf("%s failed: %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(args[len(args)-1]), err, strings.Join(out, "\n"), stderr.String())
	}
	var r map[string]any
	if err := json.Unmarshal([]byte(result), &r); err != nil {
		t.Fatalf("no RESULT line: %v\nstdout:\n%s", err, strings.Join(out, "\n"))
	}
	t.Logf("%s: %s", filepath.Base(args[len(args)-1]), result)
}

func pythonSDK(t *testing.T) string {
	t.Helper()
	py := os.Getenv("SWITCHBOARD_PYTHON")
	if py == "" {
		py = filepath.Join(repoRoot(t), ".venv", "bin", "python")
	}
	if err := exec.Command(py, "-c", "import composio").Run(); err != nil {
		missing(t, "the official Python SDK is not installed at %s", py)
	}
	return py
}

func nodeSDK(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SWITCHBOARD_NODE_DIR")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), "sdktest", "node")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@composio", "core", "package.json")); err != nil {
		missing(t, "the official TypeScript SDK is not installed in %s", dir)
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing(t, "node is not on PATH")
	}
	return dir
}

func TestOfficialPythonSDK(t *testing.T) {
	py := pythonSDK(t)
	script := filepath.Join(repoRoot(t), "sdktest", "python", "scenario.py")
	t.Run("sqlite", func(t *testing.T) {
		runOfficial(t, startServer(t, serverOptions{}), py, script)
	})
	t.Run("postgres", func(t *testing.T) {
		runOfficial(t, startServer(t, serverOptions{DatabaseURL: postgrestest.URL(t)}), py, script)
	})
}

func TestOfficialTypeScriptSDK(t *testing.T) {
	dir := nodeSDK(t)
	script := filepath.Join(dir, "scenario.mjs")
	t.Run("sqlite", func(t *testing.T) {
		runOfficial(t, startServer(t, serverOptions{}), "node", script)
	})
	t.Run("postgres", func(t *testing.T) {
		runOfficial(t, startServer(t, serverOptions{DatabaseURL: postgrestest.URL(t)}), "node", script)
	})
}
