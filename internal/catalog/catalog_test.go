package catalog_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/catalog"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlite"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

type fixture struct {
	st      store.Store
	global  *toolkits.Registry
	svc     *catalog.Service
	acme    []byte
	mu      sync.Mutex
	now     time.Time
	inUse   map[string]int
	project string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	builtin, err := toolkits.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	acme, err := os.ReadFile("testdata/acme.json")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, global: toolkits.NewRegistry(builtin), acme: acme, now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		inUse: map[string]int{}, project: "proj_a"}
	for _, id := range []string{"proj_a", "proj_b"} {
		if err := st.CreateProject(ctx, store.Project{ID: id, Name: id, CreatedAt: f.now, UpdatedAt: f.now}); err != nil {
			t.Fatal(err)
		}
	}
	f.svc = f.instance()
	return f
}

// instance is another Service on the same store, as another process
// would have.
func (f *fixture) instance() *catalog.Service {
	return &catalog.Service{Store: f.st, Global: f.global.Current, Now: f.clock, TTL: time.Second,
		Accounts: func(ctx context.Context, projectID, toolkit string) (int, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.inUse[projectID+"/"+toolkit], nil
		}}
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func code(err error) string {
	if pe, ok := problem.As(err); ok {
		return pe.Code
	}
	return ""
}

func has(t *testing.T, svc *catalog.Service, project, tool string) bool {
	t.Helper()
	_, ok := svc.For(context.Background(), project).Tool(tool)
	return ok
}

func TestAProjectSeesItsOwnCustomToolkits(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if cat := f.svc.For(ctx, "proj_a"); cat != f.global.Current() {
		t.Error("a project without custom toolkits should get the global catalog itself")
	}
	c, err := f.svc.Create(ctx, "proj_a", "acme.json", f.acme)
	if err != nil {
		t.Fatal(err)
	}
	if c.Slug != "acme" || c.Definition.Name != "Acme" || len(c.Definition.Tools) != 1 || c.Problem != "" {
		t.Errorf("created %+v", c)
	}
	if !has(t, f.svc, "proj_a", "ACME_GET_TICKET") || !has(t, f.svc, "proj_a", "GITHUB_GET_THE_AUTHENTICATED_USER") {
		t.Error("proj_a's catalog should hold its custom toolkit and the built-ins")
	}
	if has(t, f.svc, "proj_b", "ACME_GET_TICKET") {
		t.Error("proj_b sees proj_a's custom toolkit")
	}
	cat := f.svc.For(ctx, "proj_a")
	tool, _ := cat.Tool("ACME_GET_TICKET")
	req, err := tool.BuildRequest(map[string]any{"ticket_id": "T 1"})
	if err != nil || req.Method != "GET" || req.Path != "/tickets/T%201" {
		t.Errorf("BuildRequest = %+v, %v", req, err)
	}
}

func TestRefusedDefinitionsStoreNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	taken := bytes.Replace(f.acme, []byte(`"slug": "acme"`), []byte(`"slug": "github"`), 1)
	taken = bytes.ReplaceAll(taken, []byte("ACME_"), []byte("GITHUB_ACME_"))
	if _, err := f.svc.Create(ctx, "proj_a", "github.json", taken); code(err) != "toolkit_slug_taken" {
		t.Errorf("a built-in's slug: %v, want toolkit_slug_taken", err)
	}
	broken := bytes.Replace(f.acme, []byte(`"/tickets/{ticket_id}"`), []byte(`"/tickets/{ticket}"`), 1)
	_, err := f.svc.Create(ctx, "proj_a", "acme.json", broken)
	if code(err) != "invalid_toolkit" || !strings.Contains(err.Error(), "acme.json:") || !strings.Contains(err.Error(), "/tools/0/request/path") {
		t.Errorf("a path placeholder of no argument: %v, want invalid_toolkit naming the file, line and pointer", err)
	}
	if list, _ := f.svc.List(ctx, "proj_a"); len(list) != 0 {
		t.Errorf("refused definitions were stored: %+v", list)
	}
	if _, err := f.svc.Create(ctx, "proj_a", "acme.json", f.acme); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Create(ctx, "proj_a", "acme.json", f.acme); code(err) != "custom_toolkit_exists" {
		t.Errorf("creating it twice: %v, want custom_toolkit_exists", err)
	}
	if _, err := f.svc.Replace(ctx, "proj_a", "other", "acme.json", f.acme); code(err) != "slug_mismatch" {
		t.Errorf("replacing under another slug: %v, want slug_mismatch", err)
	}
}

func TestReplaceKeepsCredentialHostsWhileAccountsExist(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Create(ctx, "proj_a", "acme.json", f.acme); err != nil {
		t.Fatal(err)
	}
	moved := bytes.Replace(f.acme, []byte("https://api.acme.example.com/v1"), []byte("https://collector.example.net/v1"), 1)
	f.inUse["proj_a/acme"] = 2
	if _, err := f.svc.Replace(ctx, "proj_a", "acme", "acme.json", moved); code(err) != "credential_host_change" {
		t.Errorf("moving the base URL of a toolkit with accounts: %v, want credential_host_change", err)
	}
	got, _ := f.svc.Get(ctx, "proj_a", "acme")
	if got.Definition.BaseURL != "https://api.acme.example.com/v1" {
		t.Errorf("the refused replace changed the base URL to %s", got.Definition.BaseURL)
	}
	renamed := bytes.Replace(f.acme, []byte(`"name": "Acme"`), []byte(`"name": "Acme Tickets"`), 1)
	if c, err := f.svc.Replace(ctx, "proj_a", "acme", "acme.json", renamed); err != nil || c.Definition.Name != "Acme Tickets" {
		t.Errorf("a new name with accounts: %+v, %v", c.Definition.Name, err)
	}
	if err := f.svc.Delete(ctx, "proj_a", "acme"); code(err) != "custom_toolkit_in_use" {
		t.Errorf("deleting a toolkit with accounts: %v, want custom_toolkit_in_use", err)
	}
	f.inUse["proj_a/acme"] = 0
	if _, err := f.svc.Replace(ctx, "proj_a", "acme", "acme.json", moved); err != nil {
		t.Errorf("moving the base URL of a toolkit without accounts: %v", err)
	}
	if err := f.svc.Delete(ctx, "proj_a", "acme"); err != nil {
		t.Fatal(err)
	}
	if has(t, f.svc, "proj_a", "ACME_GET_TICKET") {
		t.Error("a deleted toolkit is still in the catalog")
	}
	if err := f.svc.Delete(ctx, "proj_a", "acme"); code(err) != "custom_toolkit_not_found" {
		t.Errorf("deleting it again: %v", err)
	}
}

func TestAnotherInstanceSeesChangesWithinTheTTL(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other := f.instance()
	if has(t, other, "proj_a", "ACME_GET_TICKET") {
		t.Fatal("no toolkit yet")
	}
	if _, err := f.svc.Create(ctx, "proj_a", "acme.json", f.acme); err != nil {
		t.Fatal(err)
	}
	if !has(t, f.svc, "proj_a", "ACME_GET_TICKET") {
		t.Error("the instance that created it should see it at once")
	}
	if has(t, other, "proj_a", "ACME_GET_TICKET") {
		t.Error("another instance re-read the store within its TTL")
	}
	f.advance(time.Second)
	if !has(t, other, "proj_a", "ACME_GET_TICKET") {
		t.Error("another instance does not see the toolkit after its TTL")
	}
}

func TestAGlobalToolkitOfTheSameSlugLeavesTheCustomOneOut(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Create(ctx, "proj_a", "acme.json", f.acme); err != nil {
		t.Fatal(err)
	}
	// The operator adds a toolkit of the same slug to the directory.
	def, err := toolkits.Parse("acme.json", bytes.Replace(f.acme, []byte("ACME_GET_TICKET"), []byte("ACME_GET_A_TICKET"), 1))
	if err != nil {
		t.Fatal(err)
	}
	next, ps := f.global.Current().With(def)
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	f.global.Set(next)
	if has(t, f.svc, "proj_a", "ACME_GET_TICKET") || !has(t, f.svc, "proj_a", "ACME_GET_A_TICKET") {
		t.Error("want the directory's acme, and the custom one left out, not shadowing it")
	}
	list, err := f.svc.List(ctx, "proj_a")
	if err != nil || len(list) != 1 || !strings.Contains(list[0].Problem, "acme") {
		t.Errorf("List = %+v, %v; want the custom toolkit with its problem", list, err)
	}
}
