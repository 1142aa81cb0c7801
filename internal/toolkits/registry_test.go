package toolkits

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/logtest"
)

// eventually polls cond until it holds, failing the test after a bound
// generous enough for a loaded machine.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func write(t *testing.T, dir, name, data string) {
	t.Helper()
	// Write then rename, as editors and deploy tools do, so that no poll
	// sees half a file.
	tmp := filepath.Join(dir, ".tmp-"+name)
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// watch starts a Dir on dir over the built-ins and returns its registry
// and log.
func watch(t *testing.T, dir string) (*Dir, *logtest.Buffer) {
	t.Helper()
	logs := &logtest.Buffer{}
	d := &Dir{
		Path: dir, Base: builtin(t), Registry: NewRegistry(nil),
		Logger: slog.New(slog.NewTextHandler(logs, nil)), Interval: 10 * time.Millisecond,
	}
	if _, err := d.Load(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Watch(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return d, logs
}

func hasToolkit(r Source, slug string) bool {
	_, ok := r.Current().Get(slug)
	return ok
}

func TestDir_FollowsTheDirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "tiny.yaml", tinyYAML)
	write(t, dir, "README.md", "not a toolkit")
	d, logs := watch(t, dir)
	r := d.Registry

	if !hasToolkit(r, "tiny") || !hasToolkit(r, "github") {
		t.Fatalf("after Load: tiny %v, github %v; want both", hasToolkit(r, "tiny"), hasToolkit(r, "github"))
	}
	before := r.Current()

	// Modify: a new tool description shows up.
	write(t, dir, "tiny.yaml", strings.Replace(tinyYAML, "Gets one item by its id.", "Gets one item, by id.", 1))
	eventually(t, "the modified description is served", func() bool {
		tool, ok := r.Current().Tool("TINY_GET_ITEM")
		return ok && tool.Description == "Gets one item, by id."
	})
	if tool, _ := before.Tool("TINY_GET_ITEM"); tool.Description != "Gets one item by its id." {
		t.Errorf("the old catalog changed: %q", tool.Description)
	}

	// Break it: the toolkit is dropped, the others keep serving, and the
	// problem is logged with file, line, pointer and field.
	write(t, dir, "tiny.yaml", strings.Replace(tinyYAML, "path: /items/{id}", "path: items/{id}", 1))
	eventually(t, "the broken toolkit is dropped", func() bool { return !hasToolkit(r, "tiny") })
	if !hasToolkit(r, "gmail") {
		t.Errorf("a broken file took a built-in with it")
	}
	eventually(t, "the problem is logged", func() bool {
		l := logs.String()
		return strings.Contains(l, "toolkit file skipped") && strings.Contains(l, "tiny.yaml") &&
			strings.Contains(l, "line=39") && strings.Contains(l, "pointer=/tools/0/request/path") &&
			strings.Contains(l, `field="tools[0] (TINY_GET_ITEM).request.path"`)
	})

	// Fix it.
	write(t, dir, "tiny.yaml", tinyYAML)
	eventually(t, "the fixed toolkit is back", func() bool { return hasToolkit(r, "tiny") })

	// Add a second file, then delete the first.
	second := strings.NewReplacer("slug: tiny", "slug: small", "TINY_", "SMALL_").Replace(tinyYAML)
	write(t, dir, "small.yml", second)
	eventually(t, "a new file is served", func() bool { return hasToolkit(r, "small") })
	if err := os.Remove(filepath.Join(dir, "tiny.yaml")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a deleted file's toolkit goes", func() bool { return !hasToolkit(r, "tiny") })
	if !hasToolkit(r, "small") {
		t.Errorf("deleting one file dropped another")
	}
}

func TestDir_Clashes(t *testing.T) {
	gh, err := os.ReadFile("defs/github.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write(t, dir, "github.json", string(gh)) // a built-in's slug
	write(t, dir, "tiny.yaml", tinyYAML)
	d, logs := watch(t, dir)
	r := d.Registry

	if f, _ := r.Current().File("github"); f != "defs/github.json" {
		t.Errorf("github comes from %q, want the built-in", f)
	}
	if !strings.Contains(logs.String(), `is already the slug of the toolkit in defs/github.json`) {
		t.Errorf("the clash with a built-in is not logged:\n%s", logs)
	}
	if !hasToolkit(r, "tiny") {
		t.Errorf("a clash in one file dropped another file's toolkit")
	}

	// The same slug in a second file: neither serves.
	js, _, ps := yamlToJSON("tiny.yaml", []byte(tinyYAML))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	write(t, dir, "tiny.json", string(js))
	eventually(t, "a slug in two files is served from neither", func() bool { return !hasToolkit(r, "tiny") })
	if err := os.Remove(filepath.Join(dir, "tiny.json")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the clash resolved, the toolkit serves again", func() bool { return hasToolkit(r, "tiny") })
}

func TestDir_Unreadable(t *testing.T) {
	d := &Dir{Path: filepath.Join(t.TempDir(), "missing"), Base: builtin(t), Registry: NewRegistry(nil), Logger: slog.New(slog.DiscardHandler)}
	if _, err := d.Load(); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("Load(missing dir): err = %v, want the directory named", err)
	}
	if d.Registry.Current() != nil {
		t.Errorf("a failed Load set a catalog")
	}
}

func TestRegistry_ConcurrentUse(t *testing.T) {
	a := builtin(t)
	b, ps := a.With()
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	r := NewRegistry(a)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if i%2 == 0 {
					r.Set(b)
					r.Set(a)
				} else if _, ok := r.Current().Get("gmail"); !ok {
					t.Error("Current() lost gmail")
					return
				}
			}
		}()
	}
	wg.Wait()
	var _ Source = r
	var _ Source = a
	if a.Current() != a {
		t.Errorf("a Catalog's Current is not itself")
	}
}
