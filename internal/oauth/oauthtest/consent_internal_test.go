package oauthtest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// TestSignedInConsent checks the consent page a signed-in user sees on a
// second authorization: no credentials, Allow/Deny, and a CSRF token.
func TestSignedInConsent(t *testing.T) {
	p := NewProvider(t)
	redirect := "http://127.0.0.1:1/callback" // never visited
	p.RegisterClient("app", "s3cret", redirect)
	p.AddUser("alice", "pw", "alice@example.com")
	cfg := &oauth2.Config{ClientID: "app", ClientSecret: "s3cret", Endpoint: p.Endpoint(), RedirectURL: redirect, Scopes: []string{"email"}}

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := func(t *testing.T) parsedForm {
		t.Helper()
		resp, err := c.Get(cfg.AuthCodeURL("s1", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		f, ok := parseForm(page)
		if !ok {
			t.Fatalf("no form in %s", page)
		}
		return f
	}
	submit := func(t *testing.T, v url.Values) *http.Response {
		t.Helper()
		resp, err := c.PostForm(p.AuthorizeURL(), v)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	f := form(t)
	if !f.hasLogin || f.fields.Get("state") != "s1" || f.fields.Get("code_challenge_method") != "S256" {
		t.Fatalf("sign-in form = %+v", f)
	}
	f.fields.Set("login", "alice")
	f.fields.Set("password", "pw")
	f.fields.Set("decision", "allow")
	if resp := submit(t, f.fields); resp.StatusCode != http.StatusFound {
		t.Fatalf("sign-in: status %d", resp.StatusCode)
	}

	f = form(t)
	if f.hasLogin || f.fields.Get("csrf") == "" {
		t.Fatalf("consent form for a signed-in user = %+v", f)
	}
	forged := url.Values{}
	for k, v := range f.fields {
		if k != "csrf" {
			forged[k] = v
		}
	}
	forged.Set("decision", "allow")
	if resp := submit(t, forged); resp.StatusCode != http.StatusOK {
		t.Fatalf("consent without CSRF token: status %d, want the form again", resp.StatusCode)
	}
	f.fields.Set("decision", "allow")
	resp := submit(t, f.fields)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc.String(), redirect+"?") ||
		loc.Query().Get("code") == "" || loc.Query().Get("state") != "s1" {
		t.Fatalf("consent: %d %s", resp.StatusCode, loc)
	}
}
