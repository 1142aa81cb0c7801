package console_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/projects"
	"github.com/switchboard-dev/switchboard/internal/store"
)

func TestNoCookieRedirectsToSignIn(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	for _, path := range []string{"/console/accounts", "/console/accounts/" + f.other.ID, "/console/audit", "/console/project", "/console/nowhere"} {
		status, _, res := f.get(t, c, path)
		want := "/console/signin?next=" + url.QueryEscape(path)
		if status != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("GET %s without a session: %d to %q, want 303 to %q", path, status, res.Header.Get("Location"), want)
		}
	}
	status, _, res := f.post(t, c, "/console/accounts/"+f.other.ID+"/delete", url.Values{"csrf": {"x"}, "confirm": {"yes"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/console/signin") {
		t.Errorf("POST delete without a session: %d to %q, want 303 to the sign-in page", status, res.Header.Get("Location"))
	}
	if _, err := f.app.Store.GetAccount(context.Background(), f.p2.ID, f.other.ID); err != nil {
		t.Errorf("the account is gone after a POST without a session: %v", err)
	}
}

func TestSignIn(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	token := f.csrf(t, c, "/console/signin")

	t.Run("wrong key", func(t *testing.T) {
		status, body, _ := f.post(t, c, "/console/signin", url.Values{"csrf": {token}, "api_key": {"sb_not_a_key_at_all_0000"}})
		if status != http.StatusUnauthorized {
			t.Errorf("status %d, want 401", status)
		}
		mustContain(t, "the form after a wrong key", body, `id="signin-error"`, "That API key is not valid")
		mustNotContain(t, "the form after a wrong key", body, "sb_not_a_key_at_all_0000")
	})
	t.Run("runtime key", func(t *testing.T) {
		key, _, err := f.app.Projects.CreateScopedKey(context.Background(), f.p1.ID, "runtime", "", projects.ScopeRuntime)
		if err != nil {
			t.Fatal(err)
		}
		status, body, _ := f.post(t, c, "/console/signin", url.Values{"csrf": {token}, "api_key": {key}})
		if status != http.StatusForbidden {
			t.Errorf("status %d, want 403", status)
		}
		mustContain(t, "the form after a runtime key", body, "needs an admin key")
	})
	t.Run("bad csrf", func(t *testing.T) {
		status, body, res := f.post(t, c, "/console/signin", url.Values{"csrf": {"forged"}, "api_key": {adminKey}})
		if status != http.StatusForbidden {
			t.Errorf("status %d, want 403", status)
		}
		mustContain(t, "the form after a bad csrf token", body, "expired or was not sent from this page")
		for _, ck := range res.Cookies() {
			if ck.Name == "sb_console" && ck.Value != "" {
				t.Errorf("a session cookie was set without the form's csrf token")
			}
		}
	})
	t.Run("admin key", func(t *testing.T) {
		token := f.csrf(t, c, "/console/signin")
		status, _, res := f.post(t, c, "/console/signin", url.Values{"csrf": {token}, "api_key": {adminKey}, "next": {"//evil.example/x"}})
		if status != http.StatusSeeOther || res.Header.Get("Location") != "/console/accounts" {
			t.Fatalf("status %d to %q, want 303 to /console/accounts (never off the console)", status, res.Header.Get("Location"))
		}
		var session *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == "sb_console" {
				session = ck
			}
		}
		if session == nil {
			t.Fatal("no session cookie")
		}
		if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/console" || session.Secure {
			t.Errorf("cookie HttpOnly=%v SameSite=%v Path=%q Secure=%v, want HttpOnly, Strict, /console, not Secure on plain http",
				session.HttpOnly, session.SameSite, session.Path, session.Secure)
		}
		if strings.Contains(session.Value, adminKey) || strings.Contains(session.Value, f.p1.ID) {
			t.Errorf("the session cookie shows the key or the project in plain text: %q", session.Value)
		}
		status, body, _ := f.get(t, c, "/console/accounts")
		if status != http.StatusOK {
			t.Fatalf("GET accounts after sign-in: %d", status)
		}
		mustContain(t, "the accounts page", body, f.p1.ID, "Sign out")
		page, err := f.app.Audit.List(context.Background(), f.p1.ID, store.AuditFilter{Actions: []string{"console.sign_in"}})
		if err != nil || len(page.Items) != 1 {
			t.Errorf("audit of the sign-in: %v, %d entries, want 1", err, len(page.Items))
		}
	})
}

func TestSecureCookieOverTLS(t *testing.T) {
	f := newFixture(t)
	tls := httptestTLS(t, f)
	c := tls.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Get(tls.URL + "/console/signin")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == "sb_console_signin" && (!ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode) {
			t.Errorf("over TLS the sign-in cookie is Secure=%v HttpOnly=%v SameSite=%v, want all set", ck.Secure, ck.HttpOnly, ck.SameSite)
		}
	}
	if len(res.Cookies()) == 0 {
		t.Error("no sign-in cookie over TLS")
	}
}

func TestSessionEnds(t *testing.T) {
	t.Run("tampered cookie", func(t *testing.T) {
		f := newFixture(t)
		c := f.client(t)
		f.signIn(t, c, adminKey)
		u, _ := url.Parse(f.srv.URL + "/console/accounts")
		cookies := c.Jar.Cookies(u)
		for _, ck := range cookies {
			if ck.Name == "sb_console" {
				b := []byte(ck.Value)
				b[len(b)/2] ^= 1
				ck.Value = string(b)
			}
		}
		c.Jar.SetCookies(u, cookies)
		if status, _, _ := f.get(t, c, "/console/accounts"); status != http.StatusSeeOther {
			t.Errorf("GET with a tampered cookie: %d, want 303 to sign in", status)
		}
	})
	t.Run("expired", func(t *testing.T) {
		f := newFixture(t)
		c := f.client(t)
		f.signIn(t, c, adminKey)
		f.advance(8*time.Hour + time.Second)
		if status, _, _ := f.get(t, c, "/console/accounts"); status != http.StatusSeeOther {
			t.Errorf("GET after 8 hours: %d, want 303 to sign in", status)
		}
	})
	t.Run("key revoked", func(t *testing.T) {
		f := newFixture(t)
		c := f.client(t)
		f.signIn(t, c, adminKey)
		_, k, err := f.app.Projects.AuthenticateKey(context.Background(), adminKey)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.app.Projects.RevokeKey(context.Background(), f.p1.ID, k.ID); err != nil {
			t.Fatal(err)
		}
		if status, _, _ := f.get(t, c, "/console/accounts"); status != http.StatusSeeOther {
			t.Errorf("GET after the key was revoked: %d, want 303 to sign in", status)
		}
	})
	t.Run("sign out", func(t *testing.T) {
		f := newFixture(t)
		c := f.client(t)
		f.signIn(t, c, adminKey)
		token := f.csrf(t, c, "/console/accounts")
		if status, _, _ := f.post(t, c, "/console/signout", url.Values{"csrf": {token}}); status != http.StatusSeeOther {
			t.Errorf("sign out: %d, want 303", status)
		}
		if status, _, _ := f.get(t, c, "/console/accounts"); status != http.StatusSeeOther {
			t.Errorf("GET after signing out: %d, want 303 to sign in", status)
		}
	})
}

func TestBadCSRFChangesNothing(t *testing.T) {
	f := newFixture(t)
	a := f.account(t, f.p1.ID, f.ac1.ID, accountID(1), "bob", store.StatusActive)
	c := f.client(t)
	f.signIn(t, c, adminKey)
	for _, form := range []url.Values{{"confirm": {"yes"}}, {"confirm": {"yes"}, "csrf": {"forged-token"}}} {
		status, body, _ := f.post(t, c, "/console/accounts/"+a.ID+"/delete", form)
		if status != http.StatusForbidden {
			t.Errorf("delete with csrf %q: %d, want 403", form.Get("csrf"), status)
		}
		mustContain(t, "the 403 page", body, "csrf_token_invalid", "nothing was done")
	}
	// A token of another session does not pass either.
	other := f.client(t)
	f.signIn(t, other, adminKey)
	theirs := f.csrf(t, other, "/console/accounts")
	if status, _, _ := f.post(t, c, "/console/accounts/"+a.ID+"/delete", url.Values{"confirm": {"yes"}, "csrf": {theirs}}); status != http.StatusForbidden {
		t.Errorf("delete with another session's csrf token: %d, want 403", status)
	}
	// A cross-site form post is refused before the handler.
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/console/accounts/"+a.ID+"/delete", strings.NewReader("confirm=yes"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", res.StatusCode)
	}
	if _, err := f.app.Store.GetAccount(context.Background(), f.p1.ID, a.ID); err != nil {
		t.Errorf("the account is gone after refused posts: %v", err)
	}
}

func TestAnotherProjectsAccountIsNotFound(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	f.signIn(t, c, adminKey)
	status, body, _ := f.get(t, c, "/console/accounts/"+f.other.ID)
	if status != http.StatusNotFound {
		t.Errorf("GET another project's account: %d, want 404", status)
	}
	mustContain(t, "the 404 page", body, "connected_account_not_found")
	mustNotContain(t, "the 404 page", body, "alice")
	token := f.csrf(t, c, "/console/accounts")
	for _, act := range []string{"delete", "reconnect"} {
		status, _, _ := f.post(t, c, "/console/accounts/"+f.other.ID+"/"+act, url.Values{"csrf": {token}, "confirm": {"yes"}})
		if status != http.StatusNotFound {
			t.Errorf("POST %s on another project's account: %d, want 404", act, status)
		}
	}
	if _, err := f.app.Store.GetAccount(context.Background(), f.p2.ID, f.other.ID); err != nil {
		t.Errorf("another project's account is gone: %v", err)
	}
	_, body, _ = f.get(t, c, "/console/accounts?user_id=alice")
	mustContain(t, "the filtered list", body, "0 accounts match")
	mustNotContain(t, "the filtered list", body, f.other.ID)
}

func TestAccountsListFilters(t *testing.T) {
	f := newFixture(t)
	f.account(t, f.p1.ID, f.ac1.ID, accountID(1), "bob", store.StatusActive)
	f.account(t, f.p1.ID, f.ac1.ID, accountID(2), "bob", store.StatusExpired)
	f.account(t, f.p1.ID, f.ac1.ID, accountID(3), "carol", store.StatusActive)
	c := f.client(t)
	f.signIn(t, c, adminKey)
	tests := []struct {
		query     string
		want, not []string
	}{
		{"", []string{accountID(1), accountID(2), accountID(3), "3 accounts match"}, []string{f.other.ID}},
		{"?user_id=bob", []string{accountID(1), accountID(2), "2 accounts match"}, []string{accountID(3)}},
		{"?user_id=bob&status=EXPIRED", []string{accountID(2), "1 account matches"}, []string{accountID(1), accountID(3)}},
		{"?toolkit=github", []string{"0 accounts match"}, []string{accountID(1)}},
	}
	for _, tt := range tests {
		status, body, _ := f.get(t, c, "/console/accounts"+tt.query)
		if status != http.StatusOK {
			t.Errorf("GET accounts%s: %d", tt.query, status)
		}
		mustContain(t, "accounts"+tt.query, body, tt.want...)
		mustNotContain(t, "accounts"+tt.query, body, tt.not...)
		mustNotContain(t, "accounts"+tt.query, body, "lin_secret_value_1234")
	}
	status, body, _ := f.get(t, c, "/console/accounts?status=SLEEPING")
	if status != http.StatusBadRequest {
		t.Errorf("unknown status: %d, want 400", status)
	}
	mustContain(t, "the 400 page", body, "invalid_status", "ACTIVE")
	if status, _, _ := f.get(t, c, "/console/accounts?cursor=bogus"); status != http.StatusBadRequest {
		t.Errorf("bad cursor: %d, want 400", status)
	}
}

func TestAccountsPaging(t *testing.T) {
	f := newFixture(t)
	for i := range 120 {
		f.account(t, f.p1.ID, f.ac1.ID, accountID(i), "bob", store.StatusActive)
		f.advance(time.Second)
	}
	c := f.client(t)
	f.signIn(t, c, adminKey)
	next := regexp.MustCompile(`href="(/console/accounts\?[^"]*cursor=[^"]+)" id="next-page"`)
	seen := map[string]bool{}
	path := "/console/accounts?user_id=bob"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("the pages never end")
		}
		_, body, _ := f.get(t, c, strings.ReplaceAll(path, "&amp;", "&"))
		for _, m := range regexp.MustCompile(`data-account="([^"]+)"`).FindAllStringSubmatch(body, -1) {
			if seen[m[1]] {
				t.Errorf("%s shown twice", m[1])
			}
			seen[m[1]] = true
		}
		path = ""
		if m := next.FindStringSubmatch(body); m != nil {
			path = m[1]
		}
	}
	if len(seen) != 120 {
		t.Errorf("the pages showed %d accounts, want 120", len(seen))
	}
}

func TestActs(t *testing.T) {
	f := newFixture(t)
	a := f.account(t, f.p1.ID, f.ac1.ID, accountID(1), "bob", store.StatusExpired)
	c := f.client(t)
	f.signIn(t, c, adminKey)
	ctx := context.Background()
	_, signedIn, err := f.app.Projects.AuthenticateKey(ctx, adminKey)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("reconnect", func(t *testing.T) {
		token := f.csrf(t, c, "/console/accounts/"+a.ID)
		status, body, _ := f.post(t, c, "/console/accounts/"+a.ID+"/reconnect", url.Values{"csrf": {token}})
		if status != http.StatusOK {
			t.Fatalf("reconnect: %d\n%s", status, body)
		}
		m := regexp.MustCompile(`id="flash-secret">(http://[^<]+/link/[^<]+)<`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("the page shows no link URL:\n%s", body)
		}
		// The link is real: it opens the hosted page.
		res, err := http.Get(m[1])
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET the reconnect link: %d, want 200", res.StatusCode)
		}
		wantAudit(t, f, "connected_account.reauthorize", a.ID, signedIn.ID)
	})
	t.Run("delete needs the confirm box", func(t *testing.T) {
		token := f.csrf(t, c, "/console/accounts/"+a.ID)
		status, body, _ := f.post(t, c, "/console/accounts/"+a.ID+"/delete", url.Values{"csrf": {token}})
		if status != http.StatusBadRequest {
			t.Errorf("delete without confirm: %d, want 400", status)
		}
		mustContain(t, "the 400 page", body, "confirmation_required")
		if _, err := f.app.Store.GetAccount(ctx, f.p1.ID, a.ID); err != nil {
			t.Errorf("the account is gone without confirmation: %v", err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		token := f.csrf(t, c, "/console/accounts/"+a.ID)
		status, body, _ := f.post(t, c, "/console/accounts/"+a.ID+"/delete", url.Values{"csrf": {token}, "confirm": {"yes"}})
		if status != http.StatusOK {
			t.Fatalf("delete: %d\n%s", status, body)
		}
		mustContain(t, "the page after delete", body, "Deleted connected account "+a.ID, "0 accounts match")
		if _, err := f.app.Store.GetAccount(ctx, f.p1.ID, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetAccount after delete: %v, want not found", err)
		}
		wantAudit(t, f, "connected_account.delete", a.ID, signedIn.ID)
	})
	t.Run("rotate the signed-in key", func(t *testing.T) {
		token := f.csrf(t, c, "/console/project")
		status, body, _ := f.post(t, c, "/console/keys/"+signedIn.ID+"/rotate", url.Values{"csrf": {token}})
		if status != http.StatusOK {
			t.Fatalf("rotate: %d\n%s", status, body)
		}
		m := regexp.MustCompile(`id="flash-secret">(sb_[A-Za-z0-9_]+)<`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("the page shows no new key:\n%s", body)
		}
		if _, _, err := f.app.Projects.AuthenticateKey(ctx, adminKey); !errors.Is(err, projects.ErrBadKey) {
			t.Errorf("the old key still authenticates: %v", err)
		}
		_, k, err := f.app.Projects.AuthenticateKey(ctx, m[1])
		if err != nil || k.Name != signedIn.Name || k.Scope != signedIn.Scope {
			t.Errorf("the new key: %+v, %v; want name %q scope %q", k, err, signedIn.Name, signedIn.Scope)
		}
		wantAudit(t, f, "api_key.create", k.ID, signedIn.ID)
		wantAudit(t, f, "api_key.revoke", signedIn.ID, signedIn.ID)
		// The session moved to the new key, and its forms still post.
		token = csrfField.FindStringSubmatch(body)[1]
		status, body, _ = f.get(t, c, "/console/project")
		if status != http.StatusOK || strings.Contains(body, m[1]) {
			t.Errorf("GET project after rotating: %d, shows the key again: %v", status, strings.Contains(body, m[1]))
		}
		if status, _, _ := f.post(t, c, "/console/keys/"+k.ID+"/rotate", url.Values{"csrf": {token}}); status != http.StatusOK {
			t.Errorf("rotate again with the page's token: %d, want 200", status)
		}
	})
}

func wantAudit(t *testing.T, f *fixture, action, target, keyID string) {
	t.Helper()
	page, err := f.app.Audit.List(context.Background(), f.p1.ID, store.AuditFilter{Actions: []string{action}, TargetIDs: []string{target}})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("audit %s %s: %v, %d entries, want 1", action, target, err, len(page.Items))
	}
	if e := page.Items[0]; e.KeyID != keyID || e.SourceAddress != "127.0.0.1" || e.RequestID == "" {
		t.Errorf("audit %s: key %q from %q request %q, want key %q from 127.0.0.1 with a request id", action, e.KeyID, e.SourceAddress, e.RequestID, keyID)
	}
}

func TestPagesRender(t *testing.T) {
	f := newFixture(t)
	seed(t, f)
	c := f.client(t)
	f.signIn(t, c, adminKey)
	for _, tt := range []struct {
		path string
		want []string
	}{
		{"/console/project", []string{f.p1.ID, "bootstrap", "Rotate"}},
		{"/console/auth-configs", []string{f.ac1.ID, "API_KEY"}},
		{"/console/accounts/" + accountID(1), []string{accountID(1), "bob@example.com", "work", "LINEAR_LIST_ISSUES", "Make reconnect link"}},
		{"/console/sessions", []string{"trs_", "bob", "/console/accounts/" + accountID(1)}},
		{"/console/sessions?user_id=nobody", []string{"No session matches"}},
		{"/console/logs", []string{"LINEAR_LIST_ISSUES", "LINEAR_CREATE_ISSUE", "upstream said no"}},
		{"/console/logs?status=failed", []string{"LINEAR_CREATE_ISSUE"}},
		{"/console/webhooks", []string{"https://hooks.example.com/sb"}},
		{"/console/audit", []string{"console.sign_in"}},
	} {
		status, body, res := f.get(t, c, tt.path)
		if status != http.StatusOK {
			t.Errorf("GET %s: %d\n%s", tt.path, status, body)
			continue
		}
		mustContain(t, tt.path, body, tt.want...)
		mustNotContain(t, tt.path, body, "lin_secret_value_1234", f.p2.ID)
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
			t.Errorf("GET %s: CSP %q, want default-src 'none' and no script", tt.path, csp)
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store", tt.path, res.Header.Get("Cache-Control"))
		}
	}
	if status, body, _ := f.get(t, c, "/console/logs?status=maybe"); status != http.StatusBadRequest {
		t.Errorf("logs with a bad status: %d, want 400\n%s", status, body)
	}
}
