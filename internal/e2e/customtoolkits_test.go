package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCustomToolkits adds a project's own toolkit through the API and uses
// it as a built-in is used: it is listed with the toolkits and tools,
// connects an account, runs a tool in a session against the upstream, and
// another project never sees it. A definition with a built-in's slug, or a
// broken one, is refused naming the problem, and nothing changes.
func TestCustomToolkits(t *testing.T) {
	up := newRecorder(t)
	s := startServer(t, serverOptions{})
	keyed := string(schemeCatalog["keyed.json"].Data)
	custom := strings.NewReplacer(`"slug": "keyed"`, `"slug": "acme"`, "KEYED_", "ACME_").Replace(keyed)

	status, body := call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", strings.NewReplacer(`"slug": "acme"`, `"slug": "gmail"`, "ACME_", "GMAIL_ACME_").Replace(custom))
	if status != 400 || !strings.Contains(body, "toolkit_slug_taken") {
		t.Errorf("a built-in's slug: %d %s, want 400 toolkit_slug_taken", status, body)
	}
	status, body = call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", strings.Replace(custom, `"path": "/v1/items"`, `"path": "v1/items"`, 1))
	if status != 400 || !strings.Contains(body, "invalid_toolkit") || !strings.Contains(body, "/tools/0/request/path") {
		t.Errorf("a broken definition: %d %s, want 400 invalid_toolkit with the pointer", status, body)
	}
	if st, _ := call(t, s, testKey, "GET", "/api/v3.1/toolkits/acme", ""); st != 404 {
		t.Fatalf("GET toolkits/acme before it exists = %d", st)
	}

	status, body = call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", custom)
	if status != 201 || !strings.Contains(body, `"slug":"acme"`) {
		t.Fatalf("create: %d %s", status, body)
	}
	if st, b := call(t, s, testKey, "GET", "/api/v3.1/toolkits/acme", ""); st != 200 {
		t.Errorf("GET toolkits/acme = %d %s", st, b)
	}
	if st, b := call(t, s, testKey, "GET", "/api/v3.1/tools?toolkit_slug=acme", ""); st != 200 || !strings.Contains(b, "ACME_LIST_ITEMS") {
		t.Errorf("GET tools?toolkit_slug=acme = %d %s", st, b)
	}
	sess := connectWith(t, s, "acme", "API_KEY", up.URL, map[string]string{"api_key": "k_1"})
	if r := sessionExec(t, s, sess, "ACME_LIST_ITEMS", `{"q":"a"}`, ""); r.err() != "" {
		t.Fatalf("execute: %+v", r)
	}
	if got := up.seen().Path; got != "/v1/items" {
		t.Errorf("upstream saw %s, want /v1/items", got)
	}
	// The official Python SDK, unmodified, sees and runs it as a built-in.
	if py := os.Getenv("SWITCHBOARD_PYTHON"); py != "" || os.Getenv("CI") == "true" {
		py = pythonSDK(t)
		cmd := exec.Command(py, filepath.Join(repoRoot(t), "sdktest", "python", "custom.py"))
		cmd.Env = append(os.Environ(), "SWITCHBOARD_URL="+s.URL, "SWITCHBOARD_API_KEY="+testKey)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "RESULT ") {
			t.Errorf("custom.py: %v\n%s", err, out)
		}
		if got := up.seen().Query.Get("q"); got != "b" {
			t.Errorf("the SDK's session execute reached the upstream with q=%q, want b", got)
		}
	}
	// And the official TypeScript SDK.
	if dir := os.Getenv("SWITCHBOARD_NODE_DIR"); dir != "" || os.Getenv("CI") == "true" {
		dir = nodeSDK(t)
		cmd := exec.Command("node", "custom.mjs")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "SWITCHBOARD_URL="+s.URL, "SWITCHBOARD_API_KEY="+testKey)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "RESULT ") {
			t.Errorf("custom.mjs: %v\n%s", err, out)
		}
		if got := up.seen().Query.Get("q"); got != "d" {
			t.Errorf("the SDK's session execute reached the upstream with q=%q, want d", got)
		}
	}
	if st, b := call(t, s, testKey, "DELETE", "/api/v3.1/custom_toolkits/acme", ""); st != 400 || !strings.Contains(b, "custom_toolkit_in_use") {
		t.Errorf("deleting a toolkit with an account: %d %s", st, b)
	}

	proj, err := s.App.Projects.CreateProject(context.Background(), "Other")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := s.App.Projects.CreateKey(context.Background(), proj.ID, "other", "")
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := call(t, s, other, "GET", "/api/v3.1/toolkits/acme", ""); st != 404 {
		t.Errorf("another project sees the custom toolkit: %d", st)
	}
	if st, b := call(t, s, other, "GET", "/api/v3.1/custom_toolkits", ""); st != 200 || strings.Contains(b, "acme") {
		t.Errorf("another project lists the custom toolkit: %d %s", st, b)
	}
}
