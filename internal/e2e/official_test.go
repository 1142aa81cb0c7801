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
	"slices"
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
	runScript(t, s, nil, name, args...)
}

// runOfficialTools runs an official-SDK tool-execution script against a
// fresh server whose gmail toolkit calls the fake upstream API. The script
// is told which identity consents (EXPECTED_EMAIL, EXPECTED_LOGIN); the
// upstream must have seen only that identity's token, and the profile and
// send calls the script made.
func runOfficialTools(t *testing.T, s *server, name string, args ...string) map[string]any {
	t.Helper()
	p := provider(t, s)
	api := newFakeAPI(t, p)
	gmailConfigAt(t, s.Client, p, api)
	r := runScript(t, s, []string{"EXPECTED_EMAIL=" + work.Email, "EXPECTED_LOGIN=" + work.Login}, name, args...)
	api.mu.Lock()
	calls := slices.Clone(api.calls)
	api.mu.Unlock()
	var profiles, sends int
	for _, c := range calls {
		if c.Login != work.Login {
			t.Errorf("the upstream got %s's token for %s %s; want %s's", c.Login, c.Method, c.Path, work.Login)
		}
		switch {
		case c.Method == "GET" && strings.HasSuffix(c.Path, "/users/me/profile"):
			profiles++
		case c.Method == "POST" && strings.HasSuffix(c.Path, "/messages/send"):
			sends++
		default:
			t.Errorf("unexpected upstream call %s %s?%s", c.Method, c.Path, c.Query)
		}
	}
	// The failing call (no recipient) must not reach the upstream.
	if profiles < 2 || sends != 1 {
		t.Errorf("upstream saw %d profile and %d send calls; want at least 2 and exactly 1: %+v", profiles, sends, calls)
	}
	return r
}

// runScript runs a script with the server's URL and key (and extra
// environment), completes each AUTHORIZE line it prints by consenting as
// the named identity, and returns its RESULT.
func runScript(t *testing.T, s *server, extraEnv []string, name string, args ...string) map[string]any {
	t.Helper()
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
	cmd.Env = append(cmd.Env, extraEnv...)
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
	if e := strings.TrimSpace(stderr.String()); e != "" {
		// SDK warnings (e.g. a response field it could not transform) land here.
		t.Logf("%s stderr:\n%s", filepath.Base(args[len(args)-1]), e)
	}
	return r
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
		runOfficial(t, startServer(t, serverOptions{OpenAPI: true}), py, script)
	})
	t.Run("postgres", func(t *testing.T) {
		runOfficial(t, startServer(t, serverOptions{DatabaseURL: postgrestest.URL(t)}), py, script)
	})
}

func TestOfficialTypeScriptSDK(t *testing.T) {
	dir := nodeSDK(t)
	script := filepath.Join(dir, "scenario.mjs")
	t.Run("sqlite", func(t *testing.T) {
		runOfficial(t, startServer(t, serverOptions{OpenAPI: true}), "node", script)
	})
	t.Run("postgres", func(t *testing.T) {
		runOfficial(t, startServer(t, serverOptions{DatabaseURL: postgrestest.URL(t)}), "node", script)
	})
}

func TestOfficialPythonSDKTools(t *testing.T) {
	py := pythonSDK(t)
	script := filepath.Join(repoRoot(t), "sdktest", "python", "tools.py")
	t.Run("sqlite", func(t *testing.T) {
		runOfficialTools(t, startServer(t, serverOptions{OpenAPI: true}), py, script)
	})
	t.Run("postgres", func(t *testing.T) {
		runOfficialTools(t, startServer(t, serverOptions{DatabaseURL: postgrestest.URL(t)}), py, script)
	})
}

func TestOfficialTypeScriptSDKTools(t *testing.T) {
	dir := nodeSDK(t)
	script := filepath.Join(dir, "tools.mjs")
	t.Run("sqlite", func(t *testing.T) {
		runOfficialTools(t, startServer(t, serverOptions{OpenAPI: true}), "node", script)
	})
	t.Run("postgres", func(t *testing.T) {
		runOfficialTools(t, startServer(t, serverOptions{DatabaseURL: postgrestest.URL(t)}), "node", script)
	})
}

// TestGoExample runs examples/multiaccount, the seed scenario as a Go
// program, against a real server, consenting as the work and then the
// personal identity when it prints each link.
func TestGoExample(t *testing.T) {
	s := startServer(t, serverOptions{})
	p := provider(t, s)
	gmailConfigAt(t, s.Client, p, newFakeAPI(t, p))
	bin := filepath.Join(t.TempDir(), "multiaccount")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/switchboard-dev/switchboard/examples/multiaccount").CombinedOutput(); err != nil {
		t.Fatalf("build the example: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "SWITCHBOARD_URL="+s.URL, "SWITCHBOARD_API_KEY="+testKey)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out []string
	var wg sync.WaitGroup
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		out = append(out, line)
		if label, url, ok := strings.Cut(strings.TrimPrefix(line, "Connect "), " Gmail: "); ok && strings.HasPrefix(line, "Connect ") {
			id := map[string]identity{"work": work, "personal": personal}[label]
			wg.Add(1)
			go func() {
				defer wg.Done()
				if resp := consent(t, url, id, true); resp.StatusCode != 200 {
					t.Errorf("consent as %s: %d", id.Login, resp.StatusCode)
				}
			}()
		}
	}
	err = cmd.Wait()
	wg.Wait()
	text := strings.Join(out, "\n")
	if err != nil {
		t.Fatalf("the example failed: %v\n%s\n%s", err, text, stderr.String())
	}
	for _, want := range []string{"Connected work account: ca_", "Connected personal account: ca_", "Pinning user_123's account for user_456 fails", "user_123's Gmail accounts:",
		"GMAIL_GET_PROFILE reads the mailbox of " + work.Email + "\n", "GMAIL_GET_PROFILE reads the mailbox of " + personal.Email + "\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("example output lacks %q:\n%s", want, text)
		}
	}
}
