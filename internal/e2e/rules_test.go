package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
)

// call sends a raw API request and returns the status and body.
func call(t testing.TB, s *server, key, method, path, reqBody string) (int, string) {
	t.Helper()
	var rd io.Reader
	if reqBody != "" {
		rd = strings.NewReader(reqBody)
	}
	req, err := http.NewRequestWithContext(ctxT(t), method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("x-api-key", key)
	}
	if reqBody != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s %s: Content-Type %q, want JSON", method, path, ct)
	}
	return resp.StatusCode, string(b)
}

// snapshot counts what a project has, to prove a failed request changed
// nothing.
func snapshot(t *testing.T, s *server) string {
	t.Helper()
	ctx := context.Background()
	var out []string
	ps, err := s.App.Store.ListProjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		page, err := s.App.Store.ListAccounts(ctx, p.ID, storeFilter())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Items {
			pins := ""
			out = append(out, a.ID+":"+a.Status+":"+a.Alias+pins+":"+a.UpdatedAt.String())
		}
		cfgs, err := s.App.Store.ListAuthConfigs(ctx, p.ID, authFilter())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cfgs.Items {
			out = append(out, c.ID+":"+c.Status+":"+c.UpdatedAt.String())
		}
	}
	return strings.Join(out, "\n")
}

// twoProjects sets up user_123 with an ACTIVE gmail account in the
// default project, and a second project with its own key and account.
func twoProjects(t *testing.T) (s *server, ca1 string, otherKey, otherCA, otherAC string) {
	s = startServer(t, serverOptions{})
	p := provider(t, s)
	gmailConfig(t, s.Client, p)
	sess, err := s.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	ca1 = connect(t, sess, work).ID

	proj, err := s.App.Projects.CreateProject(context.Background(), "Other")
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _, err = s.App.Projects.CreateKey(context.Background(), proj.ID, "other", "")
	if err != nil {
		t.Fatal(err)
	}
	other := &server{URL: s.URL, App: s.App, Client: sdk.New(otherKey, s.URL)}
	otherAC = gmailConfig(t, other.Client, p)
	osess, err := other.Client.Create(ctxT(t), "user_123")
	if err != nil {
		t.Fatal(err)
	}
	otherCA = connect(t, osess, personal).ID
	return s, ca1, otherKey, otherCA, otherAC
}

func TestIsolation(t *testing.T) {
	s, ca1, otherKey, otherCA, otherAC := twoProjects(t)
	before := snapshot(t, s)

	// The other project's ids are unknown here: not found, or a 400 that
	// does not say whether they exist.
	tests := []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/api/v3.1/connected_accounts/" + otherCA, "", 404},
		{"GET", "/api/v3/connected_accounts/" + otherCA, "", 404},
		{"GET", "/api/v3.1/connected_accounts/" + otherCA + "?wait_seconds=1", "", 404},
		{"DELETE", "/api/v3.1/connected_accounts/" + otherCA, "", 404},
		{"PATCH", "/api/v3.1/connected_accounts/" + otherCA, `{"alias":"mine"}`, 404},
		{"PATCH", "/api/v3.1/connected_accounts/" + otherCA + "/status", `{"enabled":false}`, 404},
		{"POST", "/api/v3.1/connected_accounts/" + otherCA + "/refresh", `{}`, 404},
		{"GET", "/api/v3.1/auth_configs/" + otherAC, "", 404},
		{"PATCH", "/api/v3.1/auth_configs/" + otherAC, `{"name":"x"}`, 404},
		{"PATCH", "/api/v3.1/auth_configs/" + otherAC + "/DISABLED", "", 404},
		{"DELETE", "/api/v3.1/auth_configs/" + otherAC, "", 404},
		{"POST", "/api/v3.1/connected_accounts/link", `{"auth_config_id":"` + otherAC + `","user_id":"user_123"}`, 404},
		{"POST", "/api/v3.1/tool_router/session", `{"user_id":"user_123","connected_accounts":{"gmail":["` + otherCA + `"]}}`, 400},
		{"POST", "/api/v3.1/tool_router/session", `{"user_id":"user_123","auth_configs":{"gmail":"` + otherAC + `"}}`, 400},
	}
	for _, tt := range tests {
		status, b := call(t, s, testKey, tt.method, tt.path, tt.body)
		if status != tt.want {
			t.Errorf("%s %s: got %d, want %d: %s", tt.method, tt.path, status, tt.want, b)
		}
		for _, leak := range []string{personal.Email, "Other", "alice"} {
			if strings.Contains(b, leak) {
				t.Errorf("%s %s reveals %q: %s", tt.method, tt.path, leak, b)
			}
		}
	}
	// A pin of the other project's account reads exactly like a pin of a
	// made-up id.
	_, foreign := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session", `{"user_id":"user_123","connected_accounts":{"gmail":["`+otherCA+`"]}}`)
	_, madeUp := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session", `{"user_id":"user_123","connected_accounts":{"gmail":["ca_doesnotexist"]}}`)
	if strip(foreign, otherCA) != strip(madeUp, "ca_doesnotexist") {
		t.Errorf("a foreign pin answers differently from an unknown one:\n%s\n%s", foreign, madeUp)
	}

	// Lists never show the other project's rows.
	_, b := call(t, s, testKey, "GET", "/api/v3.1/connected_accounts?user_ids=user_123", "")
	if strings.Contains(b, otherCA) || !strings.Contains(b, ca1) {
		t.Errorf("list crosses projects: %s", b)
	}
	_, b = call(t, s, otherKey, "GET", "/api/v3.1/connected_accounts", "")
	if strings.Contains(b, ca1) || !strings.Contains(b, otherCA) {
		t.Errorf("the other project's list crosses projects: %s", b)
	}
	_, b = call(t, s, testKey, "GET", "/api/v3.1/auth_configs", "")
	if strings.Contains(b, otherAC) {
		t.Errorf("auth config list crosses projects: %s", b)
	}

	// Sessions: another project cannot read or use them.
	status, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session", `{"user_id":"user_123"}`)
	if status != 201 {
		t.Fatalf("create session: %d %s", status, b)
	}
	var sess wire.Session
	json.Unmarshal([]byte(b), &sess)
	for _, path := range []string{"", "/toolkits"} {
		if status, b := call(t, s, otherKey, "GET", "/api/v3.1/tool_router/session/"+sess.SessionID+path, ""); status != 404 {
			t.Errorf("other project reads session%s: %d %s", path, status, b)
		}
	}
	if status, _ := call(t, s, otherKey, "POST", "/api/v3.1/tool_router/session/"+sess.SessionID+"/link", `{"toolkit":"gmail"}`); status != 404 {
		t.Errorf("other project links through a session: %d", status)
	}
	if status, _ := call(t, s, otherKey, "DELETE", "/api/v3.1/tool_router/session/"+sess.SessionID, ""); status != 404 {
		t.Errorf("other project deletes a session: %d", status)
	}
	// Another user of the same project can't pin user_123's account.
	status, b = call(t, s, testKey, "POST", "/api/v3.1/tool_router/session", `{"user_id":"user_456","connected_accounts":{"gmail":"`+ca1+`"}}`)
	if status != 400 || !strings.Contains(b, "user_456") {
		t.Errorf("user_456 pins user_123's account: %d %s", status, b)
	}
	// The PATCH path validates pins the same way.
	status, b = call(t, s, testKey, "PATCH", "/api/v3.1/tool_router/session/"+sess.SessionID, `{"connected_accounts":{"gmail":["`+otherCA+`"]}}`)
	if status != 400 {
		t.Errorf("PATCH with a foreign pin: %d %s", status, b)
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("refused requests changed stored rows:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func strip(s, id string) string {
	s = strings.ReplaceAll(s, id, "ID")
	if i := strings.Index(s, `"request_id"`); i >= 0 {
		j := strings.Index(s[i:], ",")
		s = s[:i] + s[i+j:]
	}
	return s
}

func TestBadInput(t *testing.T) {
	s := startServer(t, serverOptions{LinkTTL: time.Minute})
	p := provider(t, s)
	ac := gmailConfig(t, s.Client, p)
	if _, err := s.App.Projects.SetCallbackURLs(context.Background(), defaultProject(t, s), []string{"https://app.example.com/oauth"}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)
	tests := []struct {
		name, method, path, body string
		want                     int
		mention                  string
	}{
		{"no key", "GET", "/api/v3.1/connected_accounts", "", 401, "x-api-key"},
		{"malformed JSON", "POST", "/api/v3.1/tool_router/session", `{"user_id":`, 400, "not valid JSON"},
		{"wrong type", "POST", "/api/v3.1/tool_router/session", `{"user_id":123}`, 400, "user_id"},
		{"missing user_id", "POST", "/api/v3.1/tool_router/session", `{}`, 400, "user_id is required"},
		{"unknown toolkit", "POST", "/api/v3.1/tool_router/session", `{"user_id":"u","toolkits":{"enable":["nope"]}}`, 400, "unknown toolkit"},
		{"unknown pin", "POST", "/api/v3.1/tool_router/session", `{"user_id":"u","connected_accounts":{"gmail":["ca_nope"]}}`, 400, "ca_nope"},
		{"pin of unknown toolkit", "POST", "/api/v3.1/tool_router/session", `{"user_id":"u","connected_accounts":{"nope":["ca_x"]}}`, 400, "unknown toolkit"},
		{"two pins", "POST", "/api/v3.1/tool_router/session", `{"user_id":"u","connected_accounts":{"gmail":["ca_a","ca_b"]}}`, 400, "one account per toolkit"},
		{"link without user", "POST", "/api/v3.1/connected_accounts/link", `{"auth_config_id":"` + ac + `"}`, 400, "user_id"},
		{"link without auth config", "POST", "/api/v3.1/connected_accounts/link", `{"user_id":"u"}`, 400, "auth_config_id"},
		{"link to unknown auth config", "POST", "/api/v3.1/connected_accounts/link", `{"user_id":"u","auth_config_id":"ac_nope"}`, 404, "ac_nope"},
		{"callback outside allowlist", "POST", "/api/v3.1/connected_accounts/link", `{"user_id":"u","auth_config_id":"` + ac + `","callback_url":"https://evil.example.com/"}`, 400, "allowlist"},
		{"auth config for unknown toolkit", "POST", "/api/v3.1/auth_configs", `{"toolkit":{"slug":"nope"},"auth_config":{"type":"use_custom_auth"}}`, 400, "unknown toolkit"},
		{"managed oauth", "POST", "/api/v3.1/auth_configs", `{"toolkit":{"slug":"gmail"}}`, 400, "client_id"},
		{"custom oauth without secret", "POST", "/api/v3.1/auth_configs", `{"toolkit":{"slug":"gmail"},"auth_config":{"type":"use_custom_auth","authScheme":"OAUTH2","credentials":{"client_id":"x"}}}`, 400, "client_secret"},
		{"private endpoint", "POST", "/api/v3.1/auth_configs", `{"toolkit":{"slug":"gmail"},"auth_config":{"type":"use_custom_auth","authScheme":"OAUTH2","credentials":{"client_id":"x","client_secret":"y","base_url":"https://10.0.0.5/api"}}}`, 400, "private"},
		{"plain http endpoint", "POST", "/api/v3.1/auth_configs", `{"toolkit":{"slug":"gmail"},"auth_config":{"type":"use_custom_auth","authScheme":"OAUTH2","credentials":{"client_id":"x","client_secret":"y","token_url":"http://example.com/token"}}}`, 400, "loopback"},
		{"bad status", "GET", "/api/v3.1/connected_accounts?statuses=NOPE", "", 400, "NOPE"},
		{"bad cursor", "GET", "/api/v3.1/connected_accounts?cursor=garbage", "", 400, "cursor"},
		{"unknown account", "GET", "/api/v3.1/connected_accounts/ca_nope", "", 404, "ca_nope"},
		{"unknown session", "GET", "/api/v3.1/tool_router/session/trs_nope", "", 404, "trs_nope"},
		{"unknown route", "GET", "/api/v3.1/nope", "", 404, "no API route"},
		{"session link without toolkit", "POST", "/api/v3.1/tool_router/session/trs_nope/link", `{}`, 404, "trs_nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := testKey
			if tt.name == "no key" {
				key = ""
			}
			status, b := call(t, s, key, tt.method, tt.path, tt.body)
			if status != tt.want || !strings.Contains(b, tt.mention) {
				t.Errorf("got %d %s, want %d mentioning %q", status, b, tt.want, tt.mention)
			}
			var env wire.ErrorBody
			if err := json.Unmarshal([]byte(b), &env); err != nil || env.Error.Message == "" || env.Error.Status != status || env.Error.Code == 0 || !strings.HasPrefix(env.Error.RequestID, "req_") {
				t.Errorf("error body %s is not the {error:{message,code,status,request_id}} envelope", b)
			}
			for _, secret := range []string{"switchboard-secret", "goroutine", ".go:", "sql"} {
				if strings.Contains(b, secret) {
					t.Errorf("error body leaks %q: %s", secret, b)
				}
			}
		})
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("refused requests changed stored rows:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func defaultProject(t *testing.T, s *server) string {
	t.Helper()
	p, err := s.App.Projects.Authenticate(context.Background(), testKey)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// TestHostedFlowFailures covers consent denied, a replayed state, an
// expired link, and a callback outside the allowlist.
func TestHostedFlowFailures(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	s := startServer(t, serverOptions{Now: func() time.Time { return clock() }})
	p := provider(t, s)
	gmailConfig(t, s.Client, p)
	ctx := ctxT(t)
	sess, err := s.Client.Create(ctx, "user_123")
	if err != nil {
		t.Fatal(err)
	}

	// Denied consent: FAILED with the reason, an error page, nothing else.
	req, err := sess.Authorize(ctx, "gmail")
	if err != nil {
		t.Fatal(err)
	}
	resp := consent(t, req.RedirectURL, work, false)
	if resp.StatusCode != 400 || !strings.Contains(body(resp), "denied") {
		t.Errorf("denied consent: got %d %s", resp.StatusCode, body(resp))
	}
	a, err := s.Client.ConnectedAccounts().Get(ctx, req.ID)
	if err != nil || a.Status != "FAILED" || !strings.Contains(*a.StatusReason, "access_denied") {
		t.Errorf("after denial: %+v %v, want FAILED with access_denied", a, err)
	}
	if _, err := req.WaitForConnection(ctx); err == nil {
		t.Errorf("waiting on a denied connection succeeded")
	}

	// Replayed state: the callback URL used twice. The second use is an
	// error page and leaves the ACTIVE account alone.
	req, err = sess.Authorize(ctx, "gmail")
	if err != nil {
		t.Fatal(err)
	}
	callback := captureCallback(t, req.RedirectURL, work)
	// Another browser holding the same provider answer (without the
	// binding cookie the link page set) is refused, and changes nothing.
	resp = get(t, callback.URL)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body(resp), "signin_other_browser") {
		t.Fatalf("callback from another browser: got %d %s, want 403 signin_other_browser", resp.StatusCode, body(resp))
	}
	if a, err := s.Client.ConnectedAccounts().Get(ctx, req.ID); err != nil || a.Status != "INITIATED" {
		t.Fatalf("after the other browser: %+v %v, want INITIATED", a, err)
	}
	resp = get(t, callback.URL, callback.Cookie)
	if resp.StatusCode != 200 {
		t.Fatalf("first callback: %d %s", resp.StatusCode, body(resp))
	}
	resp = get(t, callback.URL, callback.Cookie)
	if resp.StatusCode != http.StatusGone || !strings.Contains(body(resp), "already used") {
		t.Errorf("replayed callback: got %d %s", resp.StatusCode, body(resp))
	}
	if a, _ := s.Client.ConnectedAccounts().Get(ctx, req.ID); a.Status != "ACTIVE" {
		t.Errorf("a replay changed the account to %s", a.Status)
	}
	// A forged state is unknown.
	resp = get(t, s.URL+"/api/v3/toolkits/auth/callback?state=forged&code=x")
	if resp.StatusCode != 404 {
		t.Errorf("forged state: got %d", resp.StatusCode)
	}

	// Expired link: FAILED with the reason once the clock passes its expiry.
	req, err = sess.Authorize(ctx, "gmail")
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(11 * time.Minute)
	resp = get(t, req.RedirectURL)
	if resp.StatusCode != http.StatusGone || !strings.Contains(body(resp), "expired") {
		t.Errorf("expired link: got %d %s", resp.StatusCode, body(resp))
	}
	a, _ = s.Client.ConnectedAccounts().Get(ctx, req.ID)
	if a.Status != "FAILED" || !strings.Contains(*a.StatusReason, "expired") {
		t.Errorf("expired link account: %s %v", a.Status, a.StatusReason)
	}
	// The sweeper fails links nobody opened.
	req, err = sess.Authorize(ctx, "gmail")
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(11 * time.Minute)
	if n, err := s.App.Accounts.SweepStale(context.Background()); err != nil || n != 1 {
		t.Errorf("sweep: %d %v, want 1", n, err)
	}
	a, _ = s.Client.ConnectedAccounts().Get(ctx, req.ID)
	if a.Status != "FAILED" || !strings.Contains(*a.StatusReason, "10 minutes") {
		t.Errorf("stale account: %s %v", a.Status, a.StatusReason)
	}

	// A bad code: the provider's answer is tampered with; the exchange
	// fails, the account is FAILED with the reason.
	req, err = sess.Authorize(ctx, "gmail")
	if err != nil {
		t.Fatal(err)
	}
	callback = captureCallback(t, req.RedirectURL, work)
	u, _ := url.Parse(callback.URL)
	q := u.Query()
	q.Set("code", "not-the-code")
	u.RawQuery = q.Encode()
	resp = get(t, u.String(), callback.Cookie)
	if resp.StatusCode != 400 || !strings.Contains(body(resp), "refused the authorization code") {
		t.Errorf("bad code: got %d %s", resp.StatusCode, body(resp))
	}
	a, _ = s.Client.ConnectedAccounts().Get(ctx, req.ID)
	if a.Status != "FAILED" || !strings.Contains(*a.StatusReason, "invalid_grant") {
		t.Errorf("bad code account: %s %v", a.Status, a.StatusReason)
	}

	// A scope the provider does not know: it answers invalid_scope.
	badScope, err := s.Client.AuthConfigs().Create(ctx, "gmail", wire.AuthConfigSpec{
		Type: "use_custom_auth", AuthScheme: "OAUTH2",
		Credentials: map[string]any{"client_id": "switchboard-client", "client_secret": "switchboard-secret", "scopes": "no-such-scope",
			"authorization_url": p.AuthorizeURL(), "token_url": p.TokenURL()},
	})
	if err != nil {
		t.Fatal(err)
	}
	req, err = s.Client.ConnectedAccounts().Link(ctx, "user_123", badScope.AuthConfig.ID)
	if err != nil {
		t.Fatal(err)
	}
	resp = get(t, req.RedirectURL) // the link page sends the browser to the provider
	binding := resp.Header.Get("Set-Cookie")
	if !strings.Contains(binding, "HttpOnly") || !strings.Contains(binding, "SameSite=Lax") || strings.Contains(binding, "Secure") {
		t.Errorf("sign-in binding cookie %q: want HttpOnly, SameSite=Lax, and not Secure on an http public URL", binding)
	}
	binding, _, _ = strings.Cut(binding, ";")
	resp = get(t, resp.Header.Get("Location"))
	resp = get(t, resp.Header.Get("Location"), binding) // the provider's answer, back to the callback
	if resp.StatusCode != 400 || !strings.Contains(body(resp), "invalid_scope") {
		t.Errorf("invalid scope: got %d %s", resp.StatusCode, body(resp))
	}
	a, _ = s.Client.ConnectedAccounts().Get(ctx, req.ID)
	if a.Status != "FAILED" || !strings.Contains(*a.StatusReason, "invalid_scope") {
		t.Errorf("invalid scope account: %s %v", a.Status, a.StatusReason)
	}
	if err := s.Client.AuthConfigs().Disable(ctx, badScope.AuthConfig.ID); err != nil {
		t.Fatal(err)
	}

	// A callback URL inside the allowlist gets the redirect with the id.
	if _, err := s.App.Projects.SetCallbackURLs(context.Background(), defaultProject(t, s), []string{"https://app.example.com/app"}); err != nil {
		t.Fatal(err)
	}
	req, err = sess.Authorize(ctx, "gmail", sdk.WithCallbackURL("https://app.example.com/app/done"))
	if err != nil {
		t.Fatal(err)
	}
	loc := finalRedirect(t, req.RedirectURL, work)
	u, _ = url.Parse(loc)
	if u.Path != "/app/done" || u.Query().Get("connected_account_id") != req.ID || u.Query().Get("status") != "success" {
		t.Errorf("callback redirect: got %s", loc)
	}
}

func get(t *testing.T, u string, cookie ...string) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range cookie {
		req.Header.Add("Cookie", v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(string(b)))
	return resp
}

// captureCallback signs in at the provider but stops before the callback,
// returning the callback URL the provider redirected to.
func captureCallback(t *testing.T, link string, id identity) stoppedCallback {
	t.Helper()
	var callback, cookie string
	tr := &stopAt{path: "/api/v3/toolkits/auth/callback", seen: &callback, cookie: &cookie}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	oauthtestConsent(ctx, t, tr, link, id)
	if callback == "" {
		t.Fatalf("the provider never redirected to the callback")
	}
	if cookie == "" {
		t.Fatalf("the browser brought no cookie to the callback: the link page set no sign-in binding")
	}
	return stoppedCallback{URL: callback, Cookie: cookie}
}

// stoppedCallback is the provider's redirect of a browser to the OAuth
// callback, stopped before it arrived, with the Cookie header that browser
// would have sent (its sign-in binding).
type stoppedCallback struct{ URL, Cookie string }

// finalRedirect consents and returns the Location of the last redirect
// (to the application's callback URL).
func finalRedirect(t *testing.T, link string, id identity) string {
	t.Helper()
	resp := consent(t, link, id, true)
	if resp.StatusCode/100 != 3 {
		t.Fatalf("consent ended with %d, want a redirect to the app: %s", resp.StatusCode, body(resp))
	}
	return resp.Header.Get("Location")
}

// storeFilter and authFilter list everything.
func storeFilter() storeAccountFilter { return storeAccountFilter{Limit: 1000} }
func authFilter() storeAuthFilter     { return storeAuthFilter{Limit: 1000, IncludeDisabled: true} }
