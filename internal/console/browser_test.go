package console_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-dev/switchboard/internal/store"
)

// chromium returns the path of Debian's chromium. Without it the browser
// tests skip, and fail when CI is set: .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium not found: install it with apt-get install -y chromium (.ci/run does)")
	}
	t.Skip("chromium not found; apt-get install -y chromium to run the browser tests")
	return ""
}

// browser starts a headless chromium with a fresh profile and returns a
// context of one tab in it.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1360, 860),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The first call starts the browser and binds its life to ctx: no
	// timeout there, only on the steps after it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// do runs the steps, failing the test with the page on an error.
func do(t *testing.T, ctx context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// submit clicks a button or link and waits for the page it loads.
func submit(t *testing.T, ctx context.Context, step, sel string) {
	t.Helper()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(sel)); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// text returns the visible text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// signInBrowser signs the browser in through the form.
func signInBrowser(t *testing.T, ctx context.Context, f *fixture, key string) {
	t.Helper()
	do(t, ctx, "open the sign-in form",
		chromedp.Navigate(f.srv.URL+"/console/accounts"),
		chromedp.WaitVisible("#api_key"),
		chromedp.SendKeys("#api_key", key))
	submit(t, ctx, "sign in", "#signin-submit")
	do(t, ctx, "wait for the accounts", chromedp.WaitVisible("#accounts-count"))
}

// TestBrowser drives the console in a real headless chromium: a wrong key,
// a sign-in, finding an account by filtering, a reconnect link and a
// delete, each checked on the page and in the store.
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	f.account(t, f.p1.ID, f.ac1.ID, accountID(1), "bob", store.StatusActive)
	target := f.account(t, f.p1.ID, f.ac1.ID, accountID(2), "bob", store.StatusExpired)
	f.account(t, f.p1.ID, f.ac1.ID, accountID(3), "carol", store.StatusExpired)

	do(t, ctx, "open the console",
		chromedp.Navigate(f.srv.URL+"/console/accounts"),
		chromedp.WaitVisible("#api_key"),
		chromedp.SendKeys("#api_key", "sb_this_key_does_not_exist_000"))
	submit(t, ctx, "sign in with a wrong key", "#signin-submit")
	do(t, ctx, "wait for the error", chromedp.WaitVisible("#signin-error"))
	if msg := text(t, ctx, "#signin-error"); !strings.Contains(msg, "That API key is not valid") {
		t.Errorf("the form after a wrong key says %q", msg)
	}

	signInBrowser(t, ctx, f, adminKey)
	do(t, ctx, "fill the filters",
		chromedp.SendKeys("#filter-user", "bob"),
		chromedp.SetValue("#filter-status", store.StatusExpired))
	submit(t, ctx, "filter", "#filter-submit")
	do(t, ctx, "wait for the row", chromedp.WaitVisible(`tr[data-account="`+target.ID+`"]`))
	count, table := text(t, ctx, "#accounts-count"), text(t, ctx, "#accounts")
	if !strings.Contains(count, "1 account matches") || !strings.Contains(table, target.ID) ||
		strings.Contains(table, accountID(1)) || strings.Contains(table, accountID(3)) {
		t.Errorf("filtered list: count %q, table:\n%s", count, table)
	}

	submit(t, ctx, "open the account", `a[href="/console/accounts/`+target.ID+`"]`)
	do(t, ctx, "wait for the account", chromedp.WaitVisible("#account-facts"))
	if facts := text(t, ctx, "#account-facts"); !strings.Contains(facts, "bob@example.com") || !strings.Contains(facts, "bob") {
		t.Errorf("account facts lack the user and identity:\n%s", facts)
	}
	submit(t, ctx, "make a reconnect link", "#reconnect")
	do(t, ctx, "wait for the link", chromedp.WaitVisible("#flash-secret"))
	flash, link := text(t, ctx, "#flash-text"), text(t, ctx, "#flash-secret")
	if !strings.Contains(flash, "Reconnect link made for "+target.ID) || !strings.HasPrefix(link, f.srv.URL+"/link/") {
		t.Errorf("after reconnect the page says %q with link %q", flash, link)
	}

	do(t, ctx, "open the account again",
		chromedp.Navigate(f.srv.URL+"/console/accounts/"+target.ID),
		chromedp.WaitVisible("#delete"),
		chromedp.Click("#confirm-delete"))
	submit(t, ctx, "delete the account", "#delete")
	do(t, ctx, "wait for the result", chromedp.WaitVisible("#flash-text"))
	if flash := text(t, ctx, "#flash-text"); !strings.Contains(flash, "Deleted connected account "+target.ID) {
		t.Errorf("after delete the page says %q", flash)
	}
	if table := text(t, ctx, "#accounts"); !strings.Contains(table, accountID(1)) || strings.Contains(table, target.ID) {
		t.Errorf("after delete bob's accounts read:\n%s", table)
	}
	if _, err := f.app.Store.GetAccount(context.Background(), f.p1.ID, target.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetAccount after the browser deleted it: %v, want not found", err)
	}
	wantAudit(t, f, "connected_account.delete", target.ID, keyID(t, f, adminKey))
}

func keyID(t *testing.T, f *fixture, key string) string {
	t.Helper()
	_, k, err := f.app.Projects.AuthenticateKey(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return k.ID
}

// TestConsoleScreenshots writes PNGs of the main pages to docs/console
// when SWITCHBOARD_UPDATE_SCREENSHOTS=1.
func TestConsoleScreenshots(t *testing.T) {
	if os.Getenv("SWITCHBOARD_UPDATE_SCREENSHOTS") != "1" {
		t.Skip("set SWITCHBOARD_UPDATE_SCREENSHOTS=1 to write docs/console/*.png")
	}
	ctx := browser(t)
	f := newFixture(t)
	seed(t, f)
	users := []string{"ana", "bob", "chen", "dara"}
	statuses := []string{store.StatusActive, store.StatusActive, store.StatusExpired, store.StatusInitiated, store.StatusActive, store.StatusInactive}
	for i := range 14 {
		f.advance(-37 * time.Minute)
		f.account(t, f.p1.ID, f.ac1.ID, accountID(100+i), users[i%len(users)], statuses[i%len(statuses)])
	}
	f.advance(14 * 37 * time.Minute)
	signInBrowser(t, ctx, f, adminKey)
	// A few acts, so the audit log has entries.
	do(t, ctx, "open an account", chromedp.Navigate(f.srv.URL+"/console/accounts/"+accountID(102)), chromedp.WaitVisible("#reconnect"))
	submit(t, ctx, "reconnect", "#reconnect")
	do(t, ctx, "open another account", chromedp.Navigate(f.srv.URL+"/console/accounts/"+accountID(105)),
		chromedp.WaitVisible("#delete"), chromedp.Click("#confirm-delete"))
	submit(t, ctx, "delete", "#delete")

	dir := filepath.Join("..", "..", "docs", "console")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shots := []struct{ name, path, wait string }{
		{"accounts", "/console/accounts", "#accounts"},
		{"account", "/console/accounts/" + accountID(1), "#account-facts"},
		{"logs", "/console/logs", "#logs"},
		{"audit", "/console/audit", "#audit"},
		{"signin", "/console/signin", "#api_key"},
	}
	for _, s := range shots {
		if s.name == "signin" {
			do(t, ctx, "open a page", chromedp.Navigate(f.srv.URL+"/console/accounts"), chromedp.WaitVisible("header form button"))
			submit(t, ctx, "sign out", "header form button")
		}
		do(t, ctx, "open "+s.name, chromedp.Navigate(f.srv.URL+s.path), chromedp.WaitVisible(s.wait))
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", s.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
