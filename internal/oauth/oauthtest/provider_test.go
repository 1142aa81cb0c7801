package oauthtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
)

// state has characters that need escaping in URLs and in HTML attributes.
const state = `st"a&te/ä b+c=d<x>`

const gmailReadonly = "https://www.googleapis.com/auth/gmail.readonly"

type env struct {
	p        *oauthtest.Provider
	cfg      *oauth2.Config
	alice    oauthtest.User
	bob      oauthtest.User
	callback string
}

func newEnv(t *testing.T, opts ...oauthtest.Option) *env {
	t.Helper()
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "callback reached")
	}))
	t.Cleanup(cb.Close)
	p := oauthtest.NewProvider(t, opts...)
	e := &env{p: p, callback: cb.URL + "/callback"}
	p.RegisterClient("app", "s3cret", e.callback)
	e.alice = p.AddUser("alice", "alice-pw", "alice@example.com")
	e.bob = p.AddUser("bob", "bob-pw", "bob@example.com")
	e.cfg = &oauth2.Config{
		ClientID:     "app",
		ClientSecret: "s3cret",
		Endpoint:     p.Endpoint(),
		RedirectURL:  e.callback,
		Scopes:       []string{"openid", "email", gmailReadonly},
	}
	return e
}

// authorize runs the browser part of the flow and returns the query the
// provider sent to the client's callback.
func (e *env) authorize(t *testing.T, login, password string, allow bool, opts ...oauth2.AuthCodeOption) url.Values {
	t.Helper()
	resp, err := oauthtest.Consent(context.Background(), nil, e.cfg.AuthCodeURL(state, opts...), login, password, allow)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Request.URL.String(); !strings.HasPrefix(got, e.callback+"?") || resp.StatusCode != http.StatusOK {
		t.Fatalf("consent ended at %s with status %d, want the callback", got, resp.StatusCode)
	}
	return resp.Request.URL.Query()
}

// connect runs the whole code flow with PKCE and returns the tokens.
func (e *env) connect(t *testing.T, login, password string) *oauth2.Token {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	q := e.authorize(t, login, password, true, oauth2.S256ChallengeOption(verifier))
	if q.Get("state") != state {
		t.Fatalf("state = %q, want %q", q.Get("state"), state)
	}
	tok, err := e.cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

func (e *env) refresh(refreshToken string) (*oauth2.Token, error) {
	return e.cfg.TokenSource(context.Background(), &oauth2.Token{RefreshToken: refreshToken}).Token()
}

func getJSON(t *testing.T, u, accessToken string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: decoding: %v", u, err)
	}
	return resp.StatusCode, resp.Header, body
}

func postToken(t *testing.T, p *oauthtest.Provider, form url.Values, basicID, basicSecret string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.TokenURL(), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.SetBasicAuth(url.QueryEscape(basicID), url.QueryEscape(basicSecret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("POST /token: decoding: %v", err)
	}
	return resp.StatusCode, resp.Header, body
}

// wantOAuthError checks that err is a token endpoint error with this code
// and an RFC 6749 §5.2 status.
func wantOAuthError(t *testing.T, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a *oauth2.RetrieveError %s", err, code)
	}
	if re.ErrorCode != code {
		t.Fatalf("error = %q (%s), want %q", re.ErrorCode, re.ErrorDescription, code)
	}
	want := http.StatusBadRequest
	if code == "invalid_client" {
		want = http.StatusUnauthorized
	}
	if re.Response.StatusCode != want {
		t.Fatalf("status = %d, want %d", re.Response.StatusCode, want)
	}
}

func noRedirect(t *testing.T, u string) *http.Response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestCodeFlowTwoUsers(t *testing.T) {
	e := newEnv(t)
	users := []oauthtest.User{e.alice, e.bob}
	passwords := []string{"alice-pw", "bob-pw"}
	subs := map[string]bool{}
	for i, u := range users {
		before := time.Now()
		tok := e.connect(t, u.Login, passwords[i])
		if tok.TokenType != "Bearer" || tok.AccessToken == "" || tok.RefreshToken == "" {
			t.Fatalf("%s: token = %+v", u.Login, tok)
		}
		if exp := tok.Expiry.Sub(before); exp < 59*time.Minute || exp > 61*time.Minute {
			t.Errorf("%s: expires in %v, want about an hour", u.Login, exp)
		}
		if got, want := tok.Extra("scope"), "openid email "+gmailReadonly; got != want {
			t.Errorf("%s: scope = %v, want %q", u.Login, got, want)
		}

		status, _, info := getJSON(t, e.p.UserinfoURL(), tok.AccessToken)
		if status != http.StatusOK {
			t.Fatalf("%s: userinfo status %d: %v", u.Login, status, info)
		}
		want := map[string]any{"sub": u.Subject, "email": u.Email, "login": u.Login, "name": u.Name}
		for k, v := range want {
			if info[k] != v {
				t.Errorf("%s: userinfo[%s] = %v, want %v", u.Login, k, info[k], v)
			}
		}
		subs[u.Subject] = true

		// The token also works through the client's own HTTP client.
		resp, err := e.cfg.Client(context.Background(), tok).Get(e.p.GmailProfileURL())
		if err != nil {
			t.Fatal(err)
		}
		var profile map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&profile)
		resp.Body.Close()
		if profile["emailAddress"] != u.Email || profile["messagesTotal"] != 0.0 {
			t.Errorf("%s: gmail profile = %v", u.Login, profile)
		}

		issued := e.p.IssuedTokens(u.Login)
		if len(issued) != 1 || issued[0].AccessToken != tok.AccessToken || issued[0].RefreshToken != tok.RefreshToken ||
			issued[0].GrantType != "authorization_code" || issued[0].ClientID != "app" || issued[0].Subject != u.Subject {
			t.Errorf("%s: IssuedTokens = %+v", u.Login, issued)
		}
	}
	if len(subs) != 2 {
		t.Errorf("subjects not distinct: %v", subs)
	}
	if again := e.p.AddUser("alice", "new-pw", "alice@new.example"); again.Subject != e.alice.Subject {
		t.Errorf("subject changed on AddUser update: %q -> %q", e.alice.Subject, again.Subject)
	}
}

func TestAuthorizeRequestErrors(t *testing.T) {
	e := newEnv(t)
	verifier := oauth2.GenerateVerifier()
	s256 := oauth2.S256ChallengeOption(verifier)
	param := oauth2.SetAuthURLParam
	for _, tc := range []struct {
		name string
		cfg  func(*oauth2.Config)
		opts []oauth2.AuthCodeOption
		want string
	}{
		{"pkce missing", nil, nil, "invalid_request"},
		{"pkce plain", nil, []oauth2.AuthCodeOption{
			param("code_challenge", verifier), param("code_challenge_method", "plain")}, "invalid_request"},
		{"pkce method missing", nil, []oauth2.AuthCodeOption{
			param("code_challenge", oauth2.S256ChallengeFromVerifier(verifier))}, "invalid_request"},
		{"pkce malformed challenge", nil, []oauth2.AuthCodeOption{
			param("code_challenge", "short"), param("code_challenge_method", "S256")}, "invalid_request"},
		{"unknown scope", func(c *oauth2.Config) { c.Scopes = []string{"email", "launch-missiles"} },
			[]oauth2.AuthCodeOption{s256}, "invalid_scope"},
		{"response type token", nil, []oauth2.AuthCodeOption{s256, param("response_type", "token")}, "unsupported_response_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := *e.cfg
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			resp := noRedirect(t, cfg.AuthCodeURL(state, tc.opts...))
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("status %d, want 302", resp.StatusCode)
			}
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil {
				t.Fatal(err)
			}
			q := loc.Query()
			if base := strings.Split(loc.String(), "?")[0]; base != e.callback {
				t.Errorf("redirected to %s, want the callback", loc)
			}
			if q.Get("error") != tc.want || q.Get("state") != state || q.Get("code") != "" {
				t.Errorf("redirect query = %v, want error=%s and the state", q, tc.want)
			}
		})
	}

	// Without a trustworthy client and redirect URI nothing redirects
	// (RFC 6749 §4.1.2.1).
	for _, tc := range []struct{ name, clientID, redirect string }{
		{"unknown client", "nobody", e.callback},
		{"unregistered redirect uri", "app", e.callback + "/other"},
		{"redirect uri prefix", "app", e.callback + "x"},
		{"missing redirect uri", "app", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := *e.cfg
			cfg.ClientID, cfg.RedirectURL = tc.clientID, tc.redirect
			resp := noRedirect(t, cfg.AuthCodeURL(state, s256))
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Errorf("status %d, Location %q; want 400 and no redirect", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}

func TestDeny(t *testing.T) {
	e := newEnv(t)
	q := e.authorize(t, "alice", "alice-pw", false, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	if q.Get("error") != "access_denied" || q.Get("state") != state || q.Get("code") != "" {
		t.Errorf("callback query = %v, want error=access_denied and the state", q)
	}
	if n := len(e.p.IssuedTokens("")); n != 0 {
		t.Errorf("%d tokens issued after a denial", n)
	}
}

func TestWrongVerifier(t *testing.T) {
	e := newEnv(t)
	verifier := oauth2.GenerateVerifier()
	q := e.authorize(t, "alice", "alice-pw", true, oauth2.S256ChallengeOption(verifier))
	_, err := e.cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier()))
	wantOAuthError(t, err, "invalid_grant")
	// A failed verification uses the code up.
	_, err = e.cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	wantOAuthError(t, err, "invalid_grant")
}

func TestMissingVerifier(t *testing.T) {
	e := newEnv(t)
	verifier := oauth2.GenerateVerifier()
	q := e.authorize(t, "alice", "alice-pw", true, oauth2.S256ChallengeOption(verifier))
	_, err := e.cfg.Exchange(context.Background(), q.Get("code"))
	wantOAuthError(t, err, "invalid_request")
}

func TestCodeReplay(t *testing.T) {
	e := newEnv(t)
	verifier := oauth2.GenerateVerifier()
	q := e.authorize(t, "alice", "alice-pw", true, oauth2.S256ChallengeOption(verifier))
	tok, err := e.cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.cfg.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	wantOAuthError(t, err, "invalid_grant")

	// The replay revoked what the code had produced (RFC 6749 §4.1.2).
	if status, _, _ := getJSON(t, e.p.UserinfoURL(), tok.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("userinfo after code replay: status %d, want 401", status)
	}
	_, err = e.refresh(tok.RefreshToken)
	wantOAuthError(t, err, "invalid_grant")
}

func TestConcurrentCodeRedemption(t *testing.T) {
	e := newEnv(t)
	verifier := oauth2.GenerateVerifier()
	q := e.authorize(t, "alice", "alice-pw", true, oauth2.S256ChallengeOption(verifier))
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {q.Get("code")},
		"redirect_uri": {e.callback}, "code_verifier": {verifier},
	}
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() { statuses[i], _, _ = postToken(t, e.p, form, "app", "s3cret") })
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		if s == http.StatusOK {
			ok++
		}
	}
	if ok != 1 {
		t.Errorf("statuses %v: want exactly one success", statuses)
	}
}

func TestRefreshRotation(t *testing.T) {
	e := newEnv(t)
	tok0 := e.connect(t, "alice", "alice-pw")
	bobTok := e.connect(t, "bob", "bob-pw")

	tok1, err := e.refresh(tok0.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if tok1.RefreshToken == "" || tok1.RefreshToken == tok0.RefreshToken || tok1.AccessToken == tok0.AccessToken {
		t.Fatalf("refresh did not rotate: %+v -> %+v", tok0, tok1)
	}
	if status, _, info := getJSON(t, e.p.UserinfoURL(), tok1.AccessToken); status != http.StatusOK || info["sub"] != e.alice.Subject {
		t.Fatalf("userinfo with refreshed token: %d %v", status, info)
	}
	tok2, err := e.refresh(tok1.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if tok2.RefreshToken == tok1.RefreshToken || tok2.RefreshToken == tok0.RefreshToken {
		t.Fatal("second refresh did not rotate")
	}
	if n := e.p.RefreshCount(); n != 2 {
		t.Errorf("RefreshCount = %d, want 2", n)
	}
	issued := e.p.IssuedTokens("alice")
	if len(issued) != 3 || issued[1].GrantType != "refresh_token" || issued[2].RefreshToken != tok2.RefreshToken {
		t.Errorf("IssuedTokens = %+v", issued)
	}

	// Reusing a rotated refresh token fails and revokes the whole family.
	_, err = e.refresh(tok1.RefreshToken)
	wantOAuthError(t, err, "invalid_grant")
	_, err = e.refresh(tok2.RefreshToken)
	wantOAuthError(t, err, "invalid_grant")
	status, hdr, _ := getJSON(t, e.p.UserinfoURL(), tok2.AccessToken)
	if status != http.StatusUnauthorized || !strings.Contains(hdr.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("userinfo after family revocation: %d %q", status, hdr.Get("WWW-Authenticate"))
	}
	if n := e.p.RefreshCount(); n != 2 {
		t.Errorf("RefreshCount = %d after failures, want 2", n)
	}
	if n := e.p.RefreshAttempts(); n != 4 {
		t.Errorf("RefreshAttempts = %d, want 4", n)
	}

	// Other grants are untouched.
	if _, err := e.refresh(bobTok.RefreshToken); err != nil {
		t.Errorf("bob's refresh: %v", err)
	}
}

func TestRefreshScope(t *testing.T) {
	e := newEnv(t)
	tok := e.connect(t, "alice", "alice-pw")
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "scope": {"email repo"}}
	status, _, body := postToken(t, e.p, form, "app", "s3cret")
	if status != http.StatusBadRequest || body["error"] != "invalid_scope" {
		t.Fatalf("widening refresh: %d %v, want 400 invalid_scope", status, body)
	}
	form.Set("scope", "email")
	status, _, body = postToken(t, e.p, form, "app", "s3cret")
	if status != http.StatusOK || body["scope"] != "email" {
		t.Fatalf("narrowing refresh: %d %v", status, body)
	}
}

func TestRevokeUser(t *testing.T) {
	e := newEnv(t)
	alice := e.connect(t, "alice", "alice-pw")
	bob := e.connect(t, "bob", "bob-pw")
	e.p.RevokeUser("alice")

	_, err := e.refresh(alice.RefreshToken)
	wantOAuthError(t, err, "invalid_grant")
	if _, err := e.refresh(bob.RefreshToken); err != nil {
		t.Errorf("bob's refresh after revoking alice: %v", err)
	}
	// Alice can grant access again.
	again := e.connect(t, "alice", "alice-pw")
	if _, err := e.refresh(again.RefreshToken); err != nil {
		t.Errorf("refresh after re-consent: %v", err)
	}
}

func TestExpireAccessTokens(t *testing.T) {
	e := newEnv(t)
	tok := e.connect(t, "alice", "alice-pw")
	e.p.ExpireAccessTokens()
	status, hdr, body := getJSON(t, e.p.GmailProfileURL(), tok.AccessToken)
	if status != http.StatusUnauthorized || body["error"] != "invalid_token" ||
		!strings.Contains(hdr.Get("WWW-Authenticate"), `Bearer realm="oauthtest", error="invalid_token"`) {
		t.Fatalf("expired token: %d %v %q", status, body, hdr.Get("WWW-Authenticate"))
	}
	fresh, err := e.refresh(tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if status, _, _ := getJSON(t, e.p.UserinfoURL(), fresh.AccessToken); status != http.StatusOK {
		t.Errorf("refreshed token after ExpireAccessTokens: status %d", status)
	}

	status, hdr, _ = getJSON(t, e.p.UserinfoURL(), "")
	if status != http.StatusUnauthorized || hdr.Get("WWW-Authenticate") != `Bearer realm="oauthtest"` {
		t.Errorf("no token: %d %q", status, hdr.Get("WWW-Authenticate"))
	}
}

func TestAccessTokenTTL(t *testing.T) {
	e := newEnv(t, oauthtest.WithAccessTokenTTL(2*time.Minute))
	before := time.Now()
	tok := e.connect(t, "alice", "alice-pw")
	if exp := tok.Expiry.Sub(before); exp < 119*time.Second || exp > 121*time.Second {
		t.Errorf("expires in %v, want 2m", exp)
	}
}

func TestClientAuthentication(t *testing.T) {
	e := newEnv(t)
	e.p.RegisterClient("other", "other-secret", e.callback)

	// client_secret_post.
	post := *e.cfg
	post.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	verifier := oauth2.GenerateVerifier()
	q := e.authorize(t, "alice", "alice-pw", true, oauth2.S256ChallengeOption(verifier))
	tok, err := post.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("client_secret_post: %v", err)
	}

	// A wrong secret, in either style.
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		bad := *e.cfg
		bad.ClientSecret = "wrong"
		bad.Endpoint.AuthStyle = style
		_, err := bad.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		wantOAuthError(t, err, "invalid_client")
	}
	status, hdr, _ := postToken(t, e.p, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, "app", "wrong")
	if status != http.StatusUnauthorized || !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("invalid_client: %d %q", status, hdr.Get("WWW-Authenticate"))
	}

	// A refresh token is bound to its client.
	other := *e.cfg
	other.ClientID, other.ClientSecret = "other", "other-secret"
	_, err = other.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	wantOAuthError(t, err, "invalid_grant")

	for _, tc := range []struct {
		name  string
		form  url.Values
		basic bool
		want  string
	}{
		{"two methods", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_secret": {"s3cret"}}, true, "invalid_request"},
		{"no client", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}}, false, "invalid_client"},
		{"password grant", url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"alice-pw"}}, true, "unsupported_grant_type"},
		{"no grant type", url.Values{"refresh_token": {tok.RefreshToken}}, true, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := ""
			if tc.basic {
				id = "app"
			}
			_, _, body := postToken(t, e.p, tc.form, id, "s3cret")
			if body["error"] != tc.want {
				t.Errorf("error = %v, want %s", body, tc.want)
			}
		})
	}

	resp, err := http.Get(e.p.TokenURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("GET /token: status %d", resp.StatusCode)
	}
}

func TestPublicClient(t *testing.T) {
	e := newEnv(t)
	e.p.RegisterClient("public", "", e.callback)
	cfg := *e.cfg
	cfg.ClientID, cfg.ClientSecret = "public", ""
	cfg.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	e.cfg = &cfg
	tok := e.connect(t, "bob", "bob-pw")
	if _, err := e.refresh(tok.RefreshToken); err != nil {
		t.Fatalf("public client refresh: %v", err)
	}
}

func TestConsentRejectsWrongPassword(t *testing.T) {
	e := newEnv(t)
	start := e.cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	_, err := oauthtest.Consent(context.Background(), nil, start, "alice", "nope", true)
	if err == nil || !strings.Contains(err.Error(), "Wrong login or password") {
		t.Fatalf("err = %v, want a refused sign-in", err)
	}
	_, err = oauthtest.Consent(context.Background(), nil, start, "mallory", "x", true)
	if err == nil {
		t.Fatal("unknown user signed in")
	}
}

// TestConsentThroughRelyingParty drives a relying party shaped like
// Switchboard: a link page that redirects to the provider, and a callback
// that exchanges the code and redirects to the app.
func TestConsentThroughRelyingParty(t *testing.T) {
	e := newEnv(t)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "app says: connected %s", r.URL.Query().Get("account"))
	}))
	t.Cleanup(app.Close)

	var (
		mu        sync.Mutex
		verifiers = map[string]string{} // state -> verifier
		appURL    = app.URL + "/done"
	)
	mux := http.NewServeMux()
	rp := httptest.NewServer(mux)
	t.Cleanup(rp.Close)
	cfg := *e.cfg
	cfg.RedirectURL = rp.URL + "/callback"
	e.p.RegisterClient("app", "s3cret", cfg.RedirectURL)
	mux.HandleFunc("/link/{id}", func(w http.ResponseWriter, r *http.Request) {
		v := oauth2.GenerateVerifier()
		st := "link-" + r.PathValue("id")
		mu.Lock()
		verifiers[st] = v
		mu.Unlock()
		http.Redirect(w, r, cfg.AuthCodeURL(st, oauth2.S256ChallengeOption(v)), http.StatusFound)
	})
	mux.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		v := verifiers[r.URL.Query().Get("state")]
		target := appURL
		mu.Unlock()
		if code := r.URL.Query().Get("error"); code != "" {
			http.Redirect(w, r, target+"?error="+code, http.StatusFound)
			return
		}
		tok, err := cfg.Exchange(r.Context(), r.URL.Query().Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		resp, err := cfg.Client(r.Context(), tok).Get(e.p.GmailProfileURL())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		var profile struct{ EmailAddress string }
		_ = json.NewDecoder(resp.Body).Decode(&profile)
		resp.Body.Close()
		http.Redirect(w, r, target+"?account="+url.QueryEscape(profile.EmailAddress), http.StatusFound)
	})

	resp, err := oauthtest.Consent(context.Background(), &http.Client{Timeout: 10 * time.Second}, rp.URL+"/link/1", "bob", "bob-pw", true)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/done" || string(body) != "app says: connected bob@example.com" {
		t.Fatalf("final %s %d %q", resp.Request.URL, resp.StatusCode, body)
	}

	// A redirect off the machine ends the walk with that redirect.
	mu.Lock()
	appURL = "https://app.example.com/done"
	mu.Unlock()
	resp, err = oauthtest.Consent(context.Background(), nil, rp.URL+"/link/2", "alice", "alice-pw", false)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "https://app.example.com/done?error=access_denied" {
		t.Fatalf("final %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	if _, err := oauthtest.Consent(context.Background(), nil, "https://example.com/", "a", "b", true); err == nil {
		t.Error("Consent visited a non-loopback start URL")
	}
	if _, err := oauthtest.Consent(context.Background(), nil, app.URL, "a", "b", true); err == nil ||
		!strings.Contains(err.Error(), "not to the provider's sign-in form") {
		t.Errorf("start page without the provider's form: err = %v", err)
	}
}

func TestTokenErrorShape(t *testing.T) {
	e := newEnv(t)
	status, hdr, body := postToken(t, e.p, url.Values{
		"grant_type": {"authorization_code"}, "code": {"bogus"}, "redirect_uri": {e.callback},
		"code_verifier": {oauth2.GenerateVerifier()},
	}, "app", "s3cret")
	if status != http.StatusBadRequest || body["error"] != "invalid_grant" || body["error_description"] == nil {
		t.Errorf("bogus code: %d %v", status, body)
	}
	if !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") || hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", hdr)
	}
}
