package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/logtest"
)

// TestDemoWalkthrough runs `switchboard demo` and the README's walkthrough
// against it as a newcomer would, with plain HTTP for the browser: two
// links for one user, each followed to the demo provider's page where an
// identity is picked, two sessions each pinned to one account, and the
// demo tools executed in each, answering as two different identities.
func TestDemoWalkthrough(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr logtest.Buffer
	done := make(chan error, 1)
	noEnv := func(string) string { return "" }
	go func() {
		done <- run(ctx, []string{"demo", "-addr", "127.0.0.1:0", "-log-level", "warn"}, &stdout, &stderr, noEnv)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo: %v\n%s", err, stderr.String())
		}
	}()
	for !strings.Contains(stdout.String(), "Press Ctrl-C") {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("demo stopped: %v\n%s\n%s", err, stdout.String(), stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	out := stdout.String()
	find := func(re string) string {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("the demo printed no %s:\n%s", re, out)
		}
		return m[1]
	}
	base := find(`Switchboard\s+(http://127\.0\.0\.1:\d+)`)
	key := find(`API key\s+(sb_\w+)`)
	authConfig := find(`Auth config\s+(ac_\w+)`)
	if !strings.Contains(out, "export SWITCHBOARD_URL="+base+" SWITCHBOARD_API_KEY="+key) {
		t.Errorf("the walkthrough does not export the URL and key:\n%s", out)
	}
	if !strings.Contains(out, `"auth_config_id":"`+authConfig+`"`) {
		t.Errorf("the walkthrough's link step does not name the auth config:\n%s", out)
	}

	api := func(method, path string, body any, into any) {
		t.Helper()
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = bytes.NewReader(b)
		}
		req, _ := http.NewRequestWithContext(ctx, method, base+path, r)
		req.Header.Set("x-api-key", key)
		req.Header.Set("content-type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		if err := json.Unmarshal(raw, into); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}

	// The demo's allowance is its own listener only: an auth config
	// pointing the demo toolkit at another loopback port is refused, as
	// without SWITCHBOARD_EGRESS_ALLOW_LOOPBACK.
	{
		body, _ := json.Marshal(map[string]any{"toolkit": map[string]string{"slug": "demo"}, "auth_config": map[string]any{
			"type": "use_custom_auth", "authScheme": "OAUTH2",
			"credentials": map[string]string{"client_id": "x", "client_secret": "y", "base_url": "http://127.0.0.1:1/api"}}})
		req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v3.1/auth_configs", bytes.NewReader(body))
		req.Header.Set("x-api-key", key)
		req.Header.Set("content-type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(raw), "invalid_endpoint") {
			t.Errorf("an auth config on another loopback port: %d %s, want 400 invalid_endpoint", resp.StatusCode, raw)
		}
	}

	// One browser for both sign-ins, as one person connecting two accounts.
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	connect := func(login string) string {
		t.Helper()
		var link struct {
			ConnectedAccountID string `json:"connected_account_id"`
			RedirectURL        string `json:"redirect_url"`
		}
		api("POST", "/api/v3.1/connected_accounts/link", map[string]string{"auth_config_id": authConfig, "user_id": "user_123"}, &link)
		resp, err := browser.Get(link.RedirectURL)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		form := regexp.MustCompile(`(?s)<form id="oauthtest-authorize" method="post" action="([^"]*)">(.*?)</form>`).FindSubmatch(page)
		if form == nil || !bytes.Contains(page, []byte("ada@demo.test")) || !bytes.Contains(page, []byte("grace@demo.test")) {
			t.Fatalf("the link led to %s (%d), not to the demo provider's page offering both identities:\n%s", resp.Request.URL, resp.StatusCode, page)
		}
		fields := url.Values{"login": {login}, "decision": {"allow"}}
		for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllSubmatch(form[2], -1) {
			fields.Set(string(m[1]), html.UnescapeString(string(m[2])))
		}
		action, _ := resp.Request.URL.Parse(html.UnescapeString(string(form[1])))
		resp, err = browser.PostForm(action.String(), fields)
		if err != nil {
			t.Fatal(err)
		}
		done, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), base) {
			t.Fatalf("signing in as %s ended at %s (%d):\n%s", login, resp.Request.URL, resp.StatusCode, done)
		}
		var acct struct {
			Status string `json:"status"`
		}
		api("GET", "/api/v3.1/connected_accounts/"+link.ConnectedAccountID, nil, &acct)
		if acct.Status != "ACTIVE" {
			t.Fatalf("account of %s is %s after the sign-in, want ACTIVE", login, acct.Status)
		}
		return link.ConnectedAccountID
	}
	ada, grace := connect("ada"), connect("grace")
	if ada == grace {
		t.Fatalf("both sign-ins made account %s", ada)
	}

	// The CLI lists both, with the identity each signed in as.
	env := map[string]string{"SWITCHBOARD_URL": base, "SWITCHBOARD_API_KEY": key}
	cli := func(args ...string) string {
		t.Helper()
		var o, e bytes.Buffer
		if err := run(ctx, args, &o, &e, func(k string) string { return env[k] }); err != nil {
			t.Fatalf("switchboard %s: %v\n%s", strings.Join(args, " "), err, e.String())
		}
		return o.String()
	}
	list := cli("accounts", "list", "-user", "user_123")
	for _, want := range []string{ada + " ", grace + " ", "ada@demo.test", "grace@demo.test"} {
		if !strings.Contains(list, want) {
			t.Errorf("accounts list lacks %q:\n%s", want, list)
		}
	}

	// One session pinned to each account; the same tool answers as each.
	for _, tc := range []struct{ account, email string }{{ada, "ada@demo.test"}, {grace, "grace@demo.test"}} {
		var sess struct {
			SessionID string `json:"session_id"`
		}
		api("POST", "/api/v3.1/tool_router/session", map[string]any{"user_id": "user_123", "connected_accounts": map[string]string{"demo": tc.account}}, &sess)
		var res struct {
			Data  map[string]any `json:"data"`
			Error *string        `json:"error"`
		}
		api("POST", "/api/v3.1/tool_router/session/"+sess.SessionID+"/execute", map[string]any{"tool_slug": "DEMO_GET_PROFILE", "arguments": map[string]any{}}, &res)
		if res.Error != nil || res.Data["email"] != tc.email {
			t.Errorf("DEMO_GET_PROFILE in the session pinned to %s: data %v, error %v; want email %s", tc.account, res.Data, res.Error, tc.email)
		}
	}

	// The CLI runs tools by account: a note Ada writes is hers only.
	note := cli("tools", "execute", "-account", ada, "-args", `{"text":"from ada"}`, "DEMO_CREATE_NOTE")
	if !strings.Contains(note, "from ada") || !strings.Contains(note, "ada@demo.test") {
		t.Errorf("DEMO_CREATE_NOTE as ada answered %s", note)
	}
	if notes := cli("tools", "execute", "-account", grace, "DEMO_LIST_NOTES"); strings.Contains(notes, "from ada") || !strings.Contains(notes, "grace@demo.test") {
		t.Errorf("DEMO_LIST_NOTES as grace answered %s, want grace's own empty list", notes)
	}
}

// TestHelpExitsZero: -h and --help print the usage of a command and
// succeed.
func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{{"serve", "--help"}, {"serve", "-h"}, {"demo", "--help"}, {"keys", "create", "-h"}, {"--help"}} {
		var o, e bytes.Buffer
		if err := run(context.Background(), args, &o, &e, func(string) string { return "" }); err != nil {
			t.Errorf("switchboard %s: %v", strings.Join(args, " "), err)
		}
		if !strings.Contains(o.String()+e.String(), "usage") && !strings.Contains(o.String()+e.String(), "-addr") {
			t.Errorf("switchboard %s printed no usage: %s%s", strings.Join(args, " "), o.String(), e.String())
		}
	}
}
