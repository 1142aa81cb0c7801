package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestToolkitsDir runs a server with SWITCHBOARD_TOOLKITS_DIR and changes
// a toolkit file under it while it serves: the API and tool calls follow
// the file, a broken file drops only its toolkit, and fixing it brings the
// toolkit back, with no restart.
func TestToolkitsDir(t *testing.T) {
	up := newRecorder(t)
	dir := t.TempDir()
	keyed := string(schemeCatalog["keyed.json"].Data)
	put := func(data string) {
		t.Helper()
		tmp := filepath.Join(dir, ".keyed.json.tmp")
		if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "keyed.json")); err != nil {
			t.Fatal(err)
		}
	}
	eventually := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting until %s", what)
			}
		}
	}
	put(keyed)
	var log logBuffer
	s := startServer(t, serverOptions{ToolkitsDir: dir, Log: &log})
	status := func(slug string) int {
		st, _ := call(t, s, testKey, "GET", "/api/v3.1/toolkits/"+slug, "")
		return st
	}
	if got := status("keyed"); got != 200 {
		t.Fatalf("GET toolkits/keyed = %d, want 200 from the directory", got)
	}
	sess := connectWith(t, s, "keyed", "API_KEY", up.URL, map[string]string{"api_key": "k_1"})
	if r := sessionExec(t, s, sess, "KEYED_LIST_ITEMS", `{"q":"a"}`, ""); r.err() != "" {
		t.Fatalf("execute: %+v", r)
	}
	if got := up.seen().Path; got != "/v1/items" {
		t.Fatalf("upstream saw %s, want /v1/items", got)
	}

	put(strings.Replace(keyed, `"path": "/v1/items"`, `"path": "/v2/items"`, 1))
	eventually("tool calls use the edited path", func() bool {
		r := sessionExec(t, s, sess, "KEYED_LIST_ITEMS", `{"q":"a"}`, "")
		return r.err() == "" && up.seen().Path == "/v2/items"
	})

	put(strings.Replace(keyed, `"path": "/v1/items"`, `"path": "v1/items"`, 1))
	eventually("the broken toolkit is dropped", func() bool { return status("keyed") == 404 })
	if got := status("gmail"); got != 200 {
		t.Errorf("GET toolkits/gmail = %d while keyed is broken, want 200", got)
	}
	if l := log.String(); !strings.Contains(l, "toolkit file skipped") || !strings.Contains(l, "pointer=/tools/0/request/path") {
		t.Errorf("the broken file is not logged with its pointer:\n%s", l)
	}

	put(keyed)
	eventually("the fixed toolkit is back", func() bool { return status("keyed") == 200 })
	if r := sessionExec(t, s, sess, "KEYED_LIST_ITEMS", `{"q":"a"}`, ""); r.err() != "" || up.seen().Path != "/v1/items" {
		t.Errorf("after the fix: %+v, upstream saw %s", r, up.seen().Path)
	}
}
