package console_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/app"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/config"
	"github.com/switchboard-dev/switchboard/internal/sessions"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/webhooks"
)

const (
	adminKey = "sb_console_test_admin_0123456789"
	otherKey = "sb_console_test_other_0123456789"
)

// fixture is the real server (app.New, SQLite, a real HTTP listener on
// 127.0.0.1) with two projects, each with an admin key and accounts.
type fixture struct {
	app   *app.App
	srv   *httptest.Server
	p1    store.Project
	p2    store.Project
	ac1   store.AuthConfig
	ac2   store.AuthConfig
	other store.Account // p2's account

	mu  sync.Mutex
	now time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{now: time.Now().UTC().Truncate(time.Second)}
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.EncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	cfg.EgressAllowLoopback = true
	// The listener comes first, so links name the server's real address.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.PublicURL = "http://" + ln.Addr().String()
	a, err := app.New(ctx, cfg, app.Options{EgressLoopbackOnly: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	f.app = a
	f.srv = httptest.NewUnstartedServer(a.Handler)
	f.srv.Listener.Close()
	f.srv.Listener = ln
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	if _, _, err := a.Projects.Bootstrap(ctx, adminKey); err != nil {
		t.Fatal(err)
	}
	if f.p1, err = a.Projects.Authenticate(ctx, adminKey); err != nil {
		t.Fatal(err)
	}
	if f.p2, err = a.Projects.CreateProject(ctx, "Other"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Projects.CreateKey(ctx, f.p2.ID, "other admin", otherKey); err != nil {
		t.Fatal(err)
	}
	in := authconfigs.CreateInput{Toolkit: "linear", Type: "use_composio_managed_auth", AuthScheme: "API_KEY"}
	if f.ac1, err = a.AuthConfigs.Create(ctx, f.p1.ID, in); err != nil {
		t.Fatal(err)
	}
	if f.ac2, err = a.AuthConfigs.Create(ctx, f.p2.ID, in); err != nil {
		t.Fatal(err)
	}
	f.other = f.account(t, f.p2.ID, f.ac2.ID, "ca_other_project_1", "alice", store.StatusActive)
	return f
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

// account stores an account through the store, as the sign-in flow
// leaves one.
func (f *fixture) account(t testing.TB, projectID, authConfigID, id, user, status string) store.Account {
	t.Helper()
	now := f.clock()
	a := store.Account{ID: id, ProjectID: projectID, UserID: user, ToolkitSlug: "linear", AuthConfigID: authConfigID,
		Status: status, StatusReason: "test", Identity: user + "@example.com", CreatedAt: now, UpdatedAt: now,
		Credentials: []byte(`{"generic_api_key":"lin_secret_value_1234"}`)}
	if status == store.StatusActive {
		a.ConnectedAt = &now
		a.Health = store.HealthOK
	}
	if err := f.app.Store.CreateAccount(context.Background(), a); err != nil {
		t.Fatalf("create account %s: %v", id, err)
	}
	return a
}

// client is a browser without JavaScript: a cookie jar that does not
// follow redirects.
func (f *fixture) client(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a console path and returns the status, body and response.
func (f *fixture) get(t testing.TB, c *http.Client, path string) (int, string, *http.Response) {
	t.Helper()
	res, err := c.Get(f.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res
}

// post submits a form as the browser does (same origin).
func (f *fixture) post(t testing.TB, c *http.Client, path string, form url.Values) (int, string, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", f.srv.URL)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res
}

// csrf returns the CSRF token of the page at path.
func (f *fixture) csrf(t testing.TB, c *http.Client, path string) string {
	t.Helper()
	status, body, _ := f.get(t, c, path)
	m := csrfField.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("GET %s: status %d, no csrf field in:\n%s", path, status, body)
	}
	return m[1]
}

// signIn signs c in with key and fails the test otherwise.
func (f *fixture) signIn(t testing.TB, c *http.Client, key string) {
	t.Helper()
	token := f.csrf(t, c, "/console/signin")
	status, body, res := f.post(t, c, "/console/signin", url.Values{"csrf": {token}, "api_key": {key}, "next": {"/console/accounts"}})
	if status != http.StatusSeeOther || res.Header.Get("Location") != "/console/accounts" {
		t.Fatalf("sign in: status %d, location %q, body:\n%s", status, res.Header.Get("Location"), body)
	}
}

func mustContain(t testing.TB, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func mustNotContain(t testing.TB, what, body string, nots ...string) {
	t.Helper()
	for _, w := range nots {
		if strings.Contains(body, w) {
			t.Errorf("%s contains %q", what, w)
		}
	}
}

func accountID(i int) string { return fmt.Sprintf("ca_console_%04d", i) }

// seed gives project 1 one of everything the pages show: an account with
// an alias that is the default, a session pinning it, two execution logs
// and a webhook subscription.
func seed(t testing.TB, f *fixture) {
	t.Helper()
	ctx := context.Background()
	now := f.clock()
	a := store.Account{ID: accountID(1), ProjectID: f.p1.ID, UserID: "bob", ToolkitSlug: "linear", AuthConfigID: f.ac1.ID,
		Status: store.StatusActive, StatusReason: "connected", Identity: "bob@example.com", IdentityID: "usr_81",
		Alias: "work", IsDefault: true, Health: store.HealthOK, VerifiedAt: &now, ConnectedAt: &now, CreatedAt: now, UpdatedAt: now,
		Credentials: []byte(`{"generic_api_key":"lin_secret_value_1234"}`)}
	if err := f.app.Store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	f.account(t, f.p1.ID, f.ac1.ID, accountID(2), "bob", store.StatusExpired)
	if _, err := f.app.Sessions.Create(ctx, f.p1, "bob", sessions.Config{
		Toolkits: sessions.ToolkitFilter{Enabled: []string{"linear"}}, Pins: map[string][]string{"linear": {a.ID}}}); err != nil {
		t.Fatal(err)
	}
	logs := []store.ExecutionLog{
		{ID: "log_console_1", ProjectID: f.p1.ID, ToolSlug: "LINEAR_LIST_ISSUES", ToolkitSlug: "linear", ConnectedAccountID: a.ID,
			AuthConfigID: f.ac1.ID, UserID: "bob", Status: store.LogSuccess, UpstreamStatus: 200, StartedAt: now, EndedAt: now.Add(182 * time.Millisecond)},
		{ID: "log_console_2", ProjectID: f.p1.ID, ToolSlug: "LINEAR_CREATE_ISSUE", ToolkitSlug: "linear", ConnectedAccountID: a.ID,
			AuthConfigID: f.ac1.ID, UserID: "bob", Status: store.LogFailed, UpstreamStatus: 422, Error: "upstream said no: title is required",
			StartedAt: now.Add(time.Minute), EndedAt: now.Add(time.Minute + 95*time.Millisecond)},
	}
	if err := f.app.ExecutionLogs.Store.AppendExecutionLogs(ctx, logs); err != nil {
		t.Fatal(err)
	}
	hook := "https://hooks.example.com/sb"
	events := []string{"composio.connected_account.expired"}
	if _, err := f.app.Webhooks.Create(ctx, f.p1.ID, webhooks.Input{URL: &hook, EnabledEvents: &events}); err != nil {
		t.Fatal(err)
	}
}

// httptestTLS serves the fixture's handler over TLS too.
func httptestTLS(t testing.TB, f *fixture) *httptest.Server {
	srv := httptest.NewTLSServer(f.app.Handler)
	t.Cleanup(srv.Close)
	return srv
}
