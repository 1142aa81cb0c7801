package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/app"
	"github.com/switchboard-dev/switchboard/internal/authconfigs"
	"github.com/switchboard-dev/switchboard/internal/config"
	"github.com/switchboard-dev/switchboard/internal/store"
)

const key = "sb_web_test_key_0123456789abcdef"

// fixture serves the real router (app.New, SQLite) with an injected clock.
type fixture struct {
	app     *app.App
	srv     *httptest.Server
	project store.Project
	linear  store.AuthConfig

	mu  sync.Mutex
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.EncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	cfg.EgressAllowLoopback = true
	a, err := app.New(ctx, cfg, app.Options{EgressLoopbackOnly: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	f.app = a
	f.srv = httptest.NewServer(a.Handler)
	t.Cleanup(f.srv.Close)
	if _, _, err := a.Projects.Bootstrap(ctx, key); err != nil {
		t.Fatal(err)
	}
	if f.project, err = a.Projects.Authenticate(ctx, key); err != nil {
		t.Fatal(err)
	}
	if f.linear, err = a.AuthConfigs.Create(ctx, f.project.ID, authconfigs.CreateInput{Toolkit: "linear", Type: "use_composio_managed_auth", AuthScheme: "API_KEY"}); err != nil {
		t.Fatal(err)
	}
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

func (f *fixture) link(t *testing.T, ac store.AuthConfig) (store.Account, string) {
	t.Helper()
	a, l, err := f.app.Accounts.Link(context.Background(), f.project, accounts.LinkInput{UserID: "u1", AuthConfigID: ac.ID})
	if err != nil {
		t.Fatal(err)
	}
	return a, f.srv.URL + "/link/" + l.Token
}

func (f *fixture) status(t *testing.T, id string) string {
	t.Helper()
	a, err := f.app.Accounts.Get(context.Background(), f.project.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return a.Status
}

// noRedirect is a browser that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// page sends a request and returns the status, headers and body.
func page(t *testing.T, req *http.Request) (int, http.Header, string) {
	t.Helper()
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func get(t *testing.T, u string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return page(t, req)
}

// post submits a form as a browser on origin would (Sec-Fetch-Site and
// Origin as browsers send them).
func post(t *testing.T, u string, values url.Values, site, origin string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(values.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if site != "" {
		req.Header.Set("Sec-Fetch-Site", site)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	return page(t, req)
}

// TestSecurityHeaders: every hosted page, the form and the error pages
// alike, carries the strict CSP and the headers that keep the link token
// out of referrers and caches and the page out of frames.
func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t)
	_, link := f.link(t, f.linear)
	want := map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
		"X-Frame-Options":         "DENY",
		"Content-Type":            "text/html; charset=utf-8",
	}
	for _, tt := range []struct {
		name   string
		url    string
		status int
	}{
		{"form", link, http.StatusOK},
		{"unknown link", f.srv.URL + "/link/ln_unknown", http.StatusNotFound},
		{"callback without state", f.srv.URL + accounts.CallbackPath, http.StatusBadRequest},
		{"v3.1 callback with an unknown state", f.srv.URL + "/api/v3.1/toolkits/auth/callback?state=forged&code=x", http.StatusNotFound},
	} {
		status, h, body := get(t, tt.url)
		if status != tt.status {
			t.Errorf("%s: got %d, want %d: %s", tt.name, status, tt.status, body)
		}
		for k, v := range want {
			if got := h.Get(k); got != v {
				t.Errorf("%s: %s is %q, want %q", tt.name, k, got, v)
			}
		}
		if strings.Contains(body, "<script") {
			t.Errorf("%s: the page has a script", tt.name)
		}
	}
}

// TestCrossOriginPostRefused: a form post from another site is refused
// before it reaches the flow, and the account is untouched; the same post
// from the page's own origin connects it.
func TestCrossOriginPostRefused(t *testing.T) {
	f := newFixture(t)
	a, link := f.link(t, f.linear)
	values := url.Values{"api_key": {"lin_api_attacker"}}
	for _, tt := range []struct{ site, origin string }{
		{"cross-site", "https://evil.example"},
		{"", "https://evil.example"}, // an older browser: Origin only
	} {
		status, _, body := post(t, link, values, tt.site, tt.origin)
		if status != http.StatusForbidden {
			t.Errorf("post from %s (Sec-Fetch-Site %q): got %d, want 403: %s", tt.origin, tt.site, status, body)
		}
	}
	if got := f.status(t, a.ID); got != store.StatusInitiated {
		t.Fatalf("a refused cross-origin post moved the account to %s", got)
	}
	status, _, body := post(t, link, url.Values{"api_key": {"lin_api_user"}}, "same-origin", f.srv.URL)
	if status != http.StatusOK || !strings.Contains(body, "Your linear account is connected") {
		t.Errorf("same-origin post: got %d %s, want the success page", status, body)
	}
	if got := f.status(t, a.ID); got != store.StatusActive {
		t.Errorf("after the same-origin post the account is %s, want ACTIVE", got)
	}
	// The link is used up.
	if status, _, body := get(t, link); status != http.StatusGone || !strings.Contains(body, "already used") {
		t.Errorf("opening the used link: got %d %s, want 410 saying it was used", status, body)
	}
}

// TestExpiredLinkPage: a link opened after its expiry (on the injected
// clock) shows the expired page with 410 and fails the account.
func TestExpiredLinkPage(t *testing.T) {
	f := newFixture(t)
	a, link := f.link(t, f.linear)
	f.advance(f.app.Config.LinkTTL)
	status, _, body := get(t, link)
	if status != http.StatusGone || !strings.Contains(body, "The connection link expired before it was completed") || !strings.Contains(body, "link_expired") {
		t.Errorf("got %d %s, want 410 with the expiry message and code", status, body)
	}
	if got := f.status(t, a.ID); got != store.StatusFailed {
		t.Errorf("the account is %s, want FAILED", got)
	}
	if strings.Contains(body, strings.TrimPrefix(link, f.srv.URL+"/link/")) {
		t.Error("the error page shows the link token")
	}
}

// TestFormErrorRerender: a refused submission shows the form again with
// 400 and the message, keeps the values of fields that are not secret but
// never echoes a secret, and stores nothing; the corrected form connects.
func TestFormErrorRerender(t *testing.T) {
	f := newFixture(t)
	a, link := f.link(t, f.linear)
	status, _, body := post(t, link, url.Values{"api_key": {"  "}}, "same-origin", f.srv.URL)
	if status != http.StatusBadRequest || !strings.Contains(body, "API key is required") || !strings.Contains(body, `name="api_key"`) {
		t.Errorf("a blank key: got %d %s, want 400, the form again with the message", status, body)
	}
	const secret = "lin_api_never_echoed"
	status, _, body = post(t, link, url.Values{"api_key": {secret}, "workspace": {"x"}}, "same-origin", f.srv.URL)
	if status != http.StatusBadRequest || !strings.Contains(body, "Linear does not take a field named &#34;workspace&#34;") {
		t.Errorf("an unknown field: got %d %s, want 400 naming the field", status, body)
	}
	if strings.Contains(body, secret) {
		t.Error("the re-rendered form echoes the secret")
	}
	if got := f.status(t, a.ID); got != store.StatusInitiated {
		t.Fatalf("a refused form moved the account to %s", got)
	}
	if status, _, body := post(t, link, url.Values{"api_key": {secret}}, "same-origin", f.srv.URL); status != http.StatusOK || strings.Contains(body, secret) {
		t.Errorf("the corrected form: got %d, want the success page without the secret: %s", status, body)
	}
	if got := f.status(t, a.ID); got != store.StatusActive {
		t.Errorf("the account is %s, want ACTIVE", got)
	}
}

// TestOAuthLinkRedirects: an OAuth2 link page sends the browser to the
// provider's authorize URL; a callback for an unknown state shows the
// error page and changes nothing.
func TestOAuthLinkRedirects(t *testing.T) {
	f := newFixture(t)
	gmail, err := f.app.AuthConfigs.Create(context.Background(), f.project.ID, authconfigs.CreateInput{Toolkit: "gmail", Type: "use_custom_auth", AuthScheme: "OAUTH2",
		Credentials: map[string]any{"client_id": "cid", "client_secret": "csecret", "authorization_url": "http://127.0.0.1:1/authorize", "token_url": "http://127.0.0.1:1/token"}})
	if err != nil {
		t.Fatal(err)
	}
	a, link := f.link(t, gmail)
	status, h, _ := get(t, link)
	loc, err := url.Parse(h.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusFound || loc.Host != "127.0.0.1:1" || loc.Path != "/authorize" || loc.Query().Get("state") == "" || loc.Query().Get("code_challenge_method") != "S256" {
		t.Errorf("got %d to %s, want 302 to the provider with a state and PKCE", status, loc)
	}
	status, _, body := get(t, f.srv.URL+accounts.CallbackPath+"?state=forged&code=x")
	if status != http.StatusNotFound || !strings.Contains(body, "does not match any pending connection") {
		t.Errorf("a forged state: got %d %s, want 404 with the message", status, body)
	}
	if got := f.status(t, a.ID); got != store.StatusInitiated {
		t.Errorf("a forged callback moved the account to %s", got)
	}
}
