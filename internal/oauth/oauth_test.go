package oauth_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

const (
	clientID     = "1234567890.0987654321"
	clientSecret = "s3cr3t-client-secret"
	redirectURI  = "http://127.0.0.1:9/api/v3/toolkits/auth/callback"
)

var epoch = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return epoch }

// local reaches the test servers on 127.0.0.1, as a server with
// SWITCHBOARD_EGRESS_ALLOW_LOOPBACK does.
var local = &egress.Clients{LoopbackOnly: true, AllowLoopback: true}

// builtin returns the built-in definition of a toolkit.
func builtin(t *testing.T, slug string) (toolkits.Toolkit, *toolkits.OAuth2Spec) {
	t.Helper()
	c, err := toolkits.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	tk, ok := c.Get(slug)
	if !ok {
		t.Fatalf("no toolkit %s", slug)
	}
	s, ok := tk.Scheme(toolkits.ModeOAuth2)
	if !ok {
		t.Fatalf("%s has no OAUTH2 scheme", slug)
	}
	return tk, s.OAuth2
}

// clientFor builds the client as authconfigs does: the toolkit's spec,
// with the endpoints at a fake.
func clientFor(t *testing.T, slug, authURL, tokenURL, identityURL string) oauth.Client {
	t.Helper()
	tk, spec := builtin(t, slug)
	style := oauth2.AuthStyleInParams
	if spec.TokenAuth == toolkits.AuthInHeader {
		style = oauth2.AuthStyleInHeader
	}
	c := oauth.Client{
		ClientID: clientID, ClientSecret: clientSecret,
		AuthURL: authURL, TokenURL: tokenURL, RedirectURL: redirectURI,
		Scopes: spec.DefaultScopes, ScopeSeparator: spec.ScopeSeparator, ScopeParam: spec.ScopeParam,
		AuthStyle: style, TokenEncoding: oauth.TokenEncoding(spec.TokenEncoding), TokenResponsePath: spec.TokenResponsePath,
		AuthParams: spec.AuthorizeParams, PKCE: spec.PKCE, Now: fixedNow,
	}
	if tk.Identity.Source == toolkits.FromTokenResponse {
		c.Identity = oauth.Identity{FromTokenResponse: true, Extract: tk.Identity.Extract}
	} else {
		c.Identity = oauth.Identity{URL: identityURL, Method: tk.Identity.Method, Body: string(tk.Identity.Body), Extract: tk.Identity.Extract}
	}
	return c
}

func TestAuthCodeURL(t *testing.T) {
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	challenge := oauth2.S256ChallengeFromVerifier(verifier)
	tests := []struct {
		slug string
		want url.Values
	}{
		{"gmail", url.Values{
			"scope":          {"https://www.googleapis.com/auth/gmail.modify https://www.googleapis.com/auth/gmail.send"},
			"access_type":    {"offline"},
			"prompt":         {"consent"},
			"code_challenge": {challenge}, "code_challenge_method": {"S256"},
		}},
		{"linear", url.Values{
			"scope":          {"read,write"},
			"code_challenge": {challenge}, "code_challenge_method": {"S256"},
		}},
		{"slack", url.Values{
			// toolkits.md §5.1: user scopes go in user_scope, comma-separated.
			"user_scope": {"chat:write,channels:read,search:read"},
		}},
		{"notion", url.Values{
			// toolkits.md §6.1: no scope at all; owner=user.
			"owner": {"user"},
		}},
	}
	scopes := map[string][]string{
		"gmail":  {"https://www.googleapis.com/auth/gmail.modify", "https://www.googleapis.com/auth/gmail.send"},
		"linear": {"read", "write"},
		"slack":  {"chat:write", "channels:read", "search:read"},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			c := clientFor(t, tt.slug, "https://provider.example/authorize", "https://provider.example/token", "")
			c.Scopes = scopes[tt.slug]
			u, err := url.Parse(c.AuthCodeURL("the-state", verifier))
			if err != nil {
				t.Fatal(err)
			}
			got := u.Query()
			want := url.Values{
				"client_id":     {clientID},
				"redirect_uri":  {redirectURI},
				"response_type": {"code"},
				"state":         {"the-state"},
			}
			for k, v := range tt.want {
				want[k] = v
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("authorization request parameters (-want +got):\n%s", diff)
			}
		})
	}
}

// follow makes the authorization request and returns the code and state
// the provider redirected back with.
func follow(t *testing.T, authURL string) (code, state string) {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("authorization: got %d to %q, want a redirect", resp.StatusCode, resp.Header.Get("Location"))
	}
	if loc.Scheme+"://"+loc.Host+loc.Path != redirectURI {
		t.Fatalf("authorization redirected to %s, want %s", loc, redirectURI)
	}
	q := loc.Query()
	if e := q.Get("error"); e != "" {
		t.Fatalf("authorization: provider answered error=%s", e)
	}
	return q.Get("code"), q.Get("state")
}

var installer = oauthtest.SlackUser{ID: "U0ALICE", Name: "alice", TeamID: "T0ACME", TeamName: "Acme"}

func newSlack(t *testing.T, o oauthtest.SlackOptions) (*oauthtest.Slack, oauth.Client) {
	o.ClientID, o.ClientSecret, o.RedirectURI, o.Installer = clientID, clientSecret, redirectURI, installer
	s := oauthtest.NewSlack(t, o)
	return s, clientFor(t, "slack", s.AuthorizeURL(), s.TokenURL(), s.AuthTestURL())
}

func TestSlack(t *testing.T) {
	for _, tt := range []struct {
		name string
		opts oauthtest.SlackOptions
	}{
		{"user token only", oauthtest.SlackOptions{}},
		// The top-level token is then the bot's, which must not be taken.
		{"with a bot token", oauthtest.SlackOptions{BotToken: true}},
		{"nested refresh answer", oauthtest.SlackOptions{NestedRefresh: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newSlack(t, tt.opts)
			ctx := t.Context()
			code, state := follow(t, c.AuthCodeURL("st", oauth.NewVerifier()))
			if state != "st" {
				t.Errorf("state: got %q, want st", state)
			}
			q := s.Authorizes()[0]
			if got, want := q.Get("user_scope"), strings.Join(c.Scopes, ","); got != want || q.Has("scope") {
				t.Errorf("authorize: user_scope %q, scope present %v; want user_scope %q and no scope", got, q.Has("scope"), want)
			}

			g, err := c.Exchange(ctx, local, code, "")
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			tok := g.Token
			if !strings.HasPrefix(tok.AccessToken, "xoxe.xoxp-") || tok.TokenType != "user" || tok.RefreshToken == "" {
				t.Errorf("exchange: got token type %q, access %.10q…, refresh set %v; want the user token with a refresh token",
					tok.TokenType, tok.AccessToken, tok.RefreshToken != "")
			}
			if want := epoch.Add(oauthtest.SlackTokenTTL); !tok.Expiry.Equal(want) {
				t.Errorf("expiry: got %v, want %v", tok.Expiry, want)
			}
			if tok.Scope != strings.Join(c.Scopes, ",") {
				t.Errorf("scope: got %q, want the granted user scopes", tok.Scope)
			}
			req := s.TokenRequests()[0]
			wantReq := oauthtest.TokenRequest{
				ContentType: "application/x-www-form-urlencoded", Basic: true,
				Params: map[string]string{"grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI},
			}
			if diff := cmp.Diff(wantReq, req); diff != "" {
				t.Errorf("token request (-want +got):\n%s", diff)
			}

			display, id, err := c.Identify(ctx, local, g)
			if err != nil || display != "alice @ Acme" || id != "T0ACME/U0ALICE" {
				t.Errorf("identity: got %q %q %v, want \"alice @ Acme\" \"T0ACME/U0ALICE\"", display, id, err)
			}

			// Rotation: every refresh gives new tokens, and the used
			// refresh token is dead.
			cur := tok
			for i := range 2 {
				next, err := c.Refresh(ctx, local, cur)
				if err != nil {
					t.Fatalf("refresh %d: %v", i, err)
				}
				if next.AccessToken == cur.AccessToken || next.RefreshToken == cur.RefreshToken || !strings.HasPrefix(next.AccessToken, "xoxe.xoxp-") {
					t.Fatalf("refresh %d did not rotate the user token", i)
				}
				if next.Scope != cur.Scope || next.Expiry.IsZero() {
					t.Errorf("refresh %d: scope %q expiry %v", i, next.Scope, next.Expiry)
				}
				if _, _, err := c.FetchIdentity(ctx, local, next.AccessToken); err != nil {
					t.Errorf("identity with the refreshed token: %v", err)
				}
				_, err = c.Refresh(ctx, local, cur)
				if !errors.Is(err, oauth.ErrRefreshRefused) {
					t.Errorf("reusing a rotated refresh token: got %v, want ErrRefreshRefused", err)
				}
				cur = next
			}
			if n := s.RefreshCount(); n != 2 {
				t.Errorf("refreshes: got %d, want 2", n)
			}
			last := s.TokenRequests()[len(s.TokenRequests())-1]
			if last.Params["grant_type"] != "refresh_token" || !last.Basic || last.ContentType != "application/x-www-form-urlencoded" {
				t.Errorf("refresh request: got %+v, want a form with Basic auth", last)
			}
		})
	}
}

func TestSlackErrors(t *testing.T) {
	s, c := newSlack(t, oauthtest.SlackOptions{})
	ctx := t.Context()
	code, _ := follow(t, c.AuthCodeURL("st", ""))

	bad := c
	bad.ClientSecret = "wrong-secret"
	_, err := bad.Exchange(ctx, local, code, "")
	assertProviderError(t, err, "bad_client_secret", http.StatusOK, "wrong-secret", code)

	if _, err := c.Exchange(ctx, local, code, ""); err != nil {
		t.Fatalf("exchange: %v", err)
	}
	_, err = c.Exchange(ctx, local, code, "")
	assertProviderError(t, err, "invalid_code", http.StatusOK, clientSecret, code)

	otherRedirect := c
	otherRedirect.RedirectURL = "http://127.0.0.1:9/elsewhere"
	code, _ = follow(t, c.AuthCodeURL("st", ""))
	_, err = otherRedirect.Exchange(ctx, local, code, "")
	assertProviderError(t, err, "bad_redirect_uri", http.StatusOK, clientSecret, code)

	_, err = c.Refresh(ctx, local, oauth.Token{AccessToken: "xoxe.xoxp-1-old", RefreshToken: "xoxe-1-unknown"})
	if !errors.Is(err, oauth.ErrRefreshRefused) || strings.Contains(err.Error(), "xoxe-1-unknown") {
		t.Errorf("refresh with an unknown token: got %v, want ErrRefreshRefused without the token", err)
	}

	// auth.test answers HTTP 200 with ok:false; that is no identity.
	s.RevokeAll()
	if _, _, err := c.FetchIdentity(ctx, local, "xoxe.xoxp-1-revoked"); err == nil || !strings.Contains(err.Error(), "invalid_auth") || strings.Contains(err.Error(), "revoked") {
		t.Errorf("identity with a dead token: got %v, want an invalid_auth error without the token", err)
	}
}

func assertProviderError(t *testing.T, err error, code string, status int, secrets ...string) {
	t.Helper()
	pe, ok := errors.AsType[*oauth.ProviderError](err)
	if !ok || pe.Code != code || pe.Status != status {
		t.Errorf("got %v, want provider error %s (HTTP %d)", err, code, status)
		return
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains a secret", err)
		}
	}
}

func newNotion(t *testing.T, o oauthtest.NotionOptions) (*oauthtest.Notion, oauth.Client) {
	o.ClientID, o.ClientSecret, o.RedirectURI = clientID, clientSecret, redirectURI
	if o.WorkspaceID == "" {
		o.WorkspaceID, o.WorkspaceName, o.BotID = "ws-1", "Acme HQ", "bot-1"
		o.UserID, o.UserName = "user-1", "Carol"
	}
	n := oauthtest.NewNotion(t, o)
	return n, clientFor(t, "notion", n.AuthorizeURL(), n.TokenURL(), "")
}

func TestNotion(t *testing.T) {
	tests := []struct {
		name        string
		opts        oauthtest.NotionOptions
		wantDisplay string
		wantRefresh bool
	}{
		{"email capability", oauthtest.NotionOptions{Email: "carol@acme.example"}, "carol@acme.example @ Acme HQ", true},
		{"no email capability", oauthtest.NotionOptions{}, "Carol @ Acme HQ", true},
		{"no refresh token", oauthtest.NotionOptions{Email: "carol@acme.example", NoRefresh: true}, "carol@acme.example @ Acme HQ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, c := newNotion(t, tt.opts)
			ctx := t.Context()
			code, _ := follow(t, c.AuthCodeURL("st", ""))
			q := n.Authorizes()[0]
			if q.Get("owner") != "user" || q.Has("scope") || q.Has("code_challenge") {
				t.Errorf("authorize: got %v, want owner=user, no scope, no PKCE", q)
			}
			g, err := c.Exchange(ctx, local, code, "")
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			if g.Token.AccessToken == "" || g.Token.TokenType != "bearer" || !g.Token.Expiry.IsZero() || (g.Token.RefreshToken != "") != tt.wantRefresh {
				t.Errorf("token: type %q, expiry %v, refresh set %v", g.Token.TokenType, g.Token.Expiry, g.Token.RefreshToken != "")
			}
			req := n.TokenRequests()[0]
			wantReq := oauthtest.TokenRequest{
				ContentType: "application/json", Basic: true,
				Params: map[string]string{"grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI},
			}
			if diff := cmp.Diff(wantReq, req); diff != "" {
				t.Errorf("token request (-want +got):\n%s", diff)
			}
			display, id, err := c.Identify(ctx, local, g)
			if err != nil || display != tt.wantDisplay || id != "ws-1/bot-1" {
				t.Errorf("identity: got %q %q %v, want %q \"ws-1/bot-1\"", display, id, err, tt.wantDisplay)
			}
			if len(n.TokenRequests()) != 1 {
				t.Errorf("identity made requests; it should come from the token response")
			}

			next, err := c.Refresh(ctx, local, g.Token)
			if !tt.wantRefresh {
				if !errors.Is(err, oauth.ErrRefreshRefused) {
					t.Errorf("refresh without a refresh token: got %v, want ErrRefreshRefused", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if next.AccessToken == g.Token.AccessToken || next.RefreshToken == g.Token.RefreshToken {
				t.Errorf("refresh did not give new tokens")
			}
			last := n.TokenRequests()[1]
			if diff := cmp.Diff(map[string]string{"grant_type": "refresh_token", "refresh_token": g.Token.RefreshToken}, last.Params); diff != "" || !last.Basic {
				t.Errorf("refresh request (-want +got):\n%s", diff)
			}
			_, err = c.Refresh(ctx, local, g.Token)
			if !errors.Is(err, oauth.ErrRefreshRefused) {
				t.Errorf("reusing a rotated refresh token: got %v, want ErrRefreshRefused", err)
			}
		})
	}
}

// TestNotionStrict: the fake refuses what Notion refuses, so the tests
// above prove the client sends JSON with Basic auth.
func TestNotionStrict(t *testing.T) {
	tests := []struct {
		name   string
		change func(*oauth.Client)
		code   string
		status int
	}{
		{"form body", func(c *oauth.Client) { c.TokenEncoding = oauth.TokenForm }, "invalid_request", http.StatusBadRequest},
		{"secret in the body", func(c *oauth.Client) { c.AuthStyle = oauth2.AuthStyleInParams }, "unauthorized", http.StatusUnauthorized},
		{"wrong secret", func(c *oauth.Client) { c.ClientSecret = "wrong-secret" }, "unauthorized", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := newNotion(t, oauthtest.NotionOptions{Email: "carol@acme.example"})
			code, _ := follow(t, c.AuthCodeURL("st", ""))
			tt.change(&c)
			_, err := c.Exchange(t.Context(), local, code, "")
			assertProviderError(t, err, tt.code, tt.status, clientSecret, code, "wrong-secret")
		})
	}
}

// TestTokenResponses runs the direct token request against answers in
// every shape toolkits.md §0 lists.
func TestTokenResponses(t *testing.T) {
	const secretBody = "ACCESS-TOKEN-IN-BODY"
	tests := []struct {
		name   string
		path   string
		status int
		body   string
		// want is the access token, or "" for an error.
		want       string
		wantCode   string
		wantStatus int
		wantExpiry time.Duration
	}{
		{name: "rfc 6749", status: 200, body: `{"access_token":"at","token_type":"Bearer","expires_in":3600}`, want: "at", wantExpiry: time.Hour},
		{name: "expires_in as a string", status: 200, body: `{"access_token":"at","expires_in":"60"}`, want: "at", wantExpiry: time.Minute},
		{name: "nested", path: "authed_user", status: 200, body: `{"ok":true,"access_token":"bot","authed_user":{"access_token":"user","expires_in":10}}`, want: "user", wantExpiry: 10 * time.Second},
		{name: "nested missing", path: "authed_user", status: 200, body: `{"ok":true,"access_token":"bot","authed_user":{"id":"U1"}}`},
		{name: "rfc 6749 error", status: 400, body: `{"error":"invalid_grant","error_description":"` + secretBody + `"}`, wantCode: "invalid_grant", wantStatus: 400},
		{name: "error with HTTP 200", status: 200, body: `{"error":"bad_verification_code","error_description":"` + secretBody + `"}`, wantCode: "bad_verification_code", wantStatus: 200},
		{name: "slack ok false", status: 200, body: `{"ok":false,"error":"invalid_code"}`, wantCode: "invalid_code", wantStatus: 200},
		{name: "slack ok false without code", status: 200, body: `{"ok":false,"access_token":"` + secretBody + `"}`, wantCode: "unexpected_response", wantStatus: 200},
		{name: "notion error object", status: 401, body: `{"object":"error","status":401,"code":"unauthorized","message":"` + secretBody + `"}`, wantCode: "unauthorized", wantStatus: 401},
		{name: "code that is not a code", status: 400, body: `{"error":"<b>` + secretBody + `</b>"}`, wantCode: "unexpected_response", wantStatus: 400},
		{name: "not JSON", status: 502, body: `<html>` + secretBody + `</html>`, wantCode: "unexpected_response", wantStatus: 502},
		{name: "2xx without a token", status: 200, body: `{"token_type":"bearer"}`},
		{name: "5xx with a token", status: 500, body: `{"access_token":"` + secretBody + `"}`, wantCode: "unexpected_response", wantStatus: 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c := oauth.Client{
				ClientID: clientID, ClientSecret: clientSecret, TokenURL: srv.URL, RedirectURL: redirectURI,
				AuthStyle: oauth2.AuthStyleInHeader, TokenEncoding: oauth.TokenJSON, TokenResponsePath: tt.path, Now: fixedNow,
			}
			g, err := c.Exchange(t.Context(), local, "the-code", "")
			switch {
			case tt.want != "":
				if err != nil || g.Token.AccessToken != tt.want || !g.Token.Expiry.Equal(epoch.Add(tt.wantExpiry)) {
					t.Errorf("got %q expiring %v, %v; want %q expiring %v", g.Token.AccessToken, g.Token.Expiry, err, tt.want, epoch.Add(tt.wantExpiry))
				}
				return
			case tt.wantCode != "":
				assertProviderError(t, err, tt.wantCode, tt.wantStatus, secretBody, clientSecret, "the-code")
			case err == nil:
				t.Errorf("got token %q, want an error", g.Token.AccessToken)
			}
			if err != nil && strings.Contains(err.Error(), secretBody) {
				t.Errorf("error %q quotes the response body", err)
			}
		})
	}
}

// TestStandard runs the x/oauth2 path against the standards-following
// provider: Gmail's shape, with PKCE, rotation and a refused refresh.
func TestStandard(t *testing.T) {
	p := oauthtest.NewProvider(t)
	p.AddUser("alice", "pw", "alice@example.com")
	codes := make(chan url.Values, 1)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		codes <- r.URL.Query()
		io.WriteString(w, "ok")
	}))
	defer cb.Close()
	p.RegisterClient(clientID, clientSecret, cb.URL+"/cb")

	tk, _ := builtin(t, "gmail")
	c := clientFor(t, "gmail", p.AuthorizeURL(), p.TokenURL(), p.GmailProfileURL())
	c.RedirectURL = cb.URL + "/cb"
	c.Scopes = []string{"openid", "email", "https://www.googleapis.com/auth/gmail.readonly"}
	c.AuthParams = nil // the provider knows no access_type
	c.Identity.Extract = tk.Identity.Extract
	verifier := oauth.NewVerifier()
	ctx := t.Context()
	resp, err := oauthtest.Consent(ctx, nil, c.AuthCodeURL("st", verifier), "alice", "pw", true)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	q := <-codes
	if q.Get("state") != "st" {
		t.Fatalf("state: got %q", q.Get("state"))
	}
	if _, err := c.Exchange(ctx, local, q.Get("code"), oauth.NewVerifier()); err == nil {
		t.Errorf("exchange with the wrong PKCE verifier succeeded")
	}
	resp, err = oauthtest.Consent(ctx, nil, c.AuthCodeURL("st", verifier), "alice", "pw", true)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	q = <-codes
	g, err := c.Exchange(ctx, local, q.Get("code"), verifier)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if g.Token.AccessToken == "" || g.Token.RefreshToken == "" || !g.Token.Expiry.Equal(epoch.Add(oauthtest.DefaultAccessTokenTTL)) {
		t.Errorf("token: refresh set %v, expiry %v", g.Token.RefreshToken != "", g.Token.Expiry)
	}
	display, id, err := c.Identify(ctx, local, g)
	if err != nil || display != "alice@example.com" || id != "alice@example.com" {
		t.Errorf("identity: got %q %q %v", display, id, err)
	}
	next, err := c.Refresh(ctx, local, g.Token)
	if err != nil || next.RefreshToken == g.Token.RefreshToken || next.AccessToken == g.Token.AccessToken {
		t.Fatalf("refresh: %v (rotated: %v)", err, err == nil && next.RefreshToken != g.Token.RefreshToken)
	}
	if next.Scope != g.Token.Scope {
		t.Errorf("refresh scope: got %q, want %q", next.Scope, g.Token.Scope)
	}
	p.RevokeUser("alice")
	if _, err := c.Refresh(ctx, local, next); !errors.Is(err, oauth.ErrRefreshRefused) {
		t.Errorf("refresh after revocation: got %v, want ErrRefreshRefused", err)
	}
}
