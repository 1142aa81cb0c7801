package oauth_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/switchboard-dev/switchboard/internal/egress"
	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
)

// TestMachineToken runs the client credentials grant (RFC 6749 §4.4)
// against the test provider, with each client authentication style: the
// token has an expiry and no refresh token, and works at a resource
// endpoint as the client; a wrong secret is ErrClientRefused.
func TestMachineToken(t *testing.T) {
	p := oauthtest.NewProvider(t)
	p.RegisterMachineClient("robot", "s3cret")
	api := httptest.NewServer(p.Protect(func(w http.ResponseWriter, r *http.Request, u oauthtest.User) {
		io.WriteString(w, u.Login)
	}))
	t.Cleanup(api.Close)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		m := oauth.Machine{ClientID: "robot", ClientSecret: "s3cret", TokenURL: p.TokenURL(), Scopes: []string{"email"}, AuthStyle: style, Now: func() time.Time { return now }}
		tok, err := m.Token(t.Context(), local)
		if err != nil {
			t.Fatalf("style %v: %v", style, err)
		}
		if tok.AccessToken == "" || tok.RefreshToken != "" || !tok.Expiry.Equal(now.Add(oauthtest.DefaultAccessTokenTTL)) || tok.Scope != "email" {
			t.Errorf("style %v: got %+v", style, tok)
		}
		req, _ := http.NewRequest("GET", api.URL, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "robot" {
			t.Errorf("the resource answered %d %s", resp.StatusCode, b)
		}
	}
	issued := p.IssuedTokens("")
	if len(issued) != 2 || issued[0].GrantType != "client_credentials" || issued[0].ClientID != "robot" {
		t.Errorf("the provider issued %+v", issued)
	}

	_, err := oauth.Machine{ClientID: "robot", ClientSecret: "wrong", TokenURL: p.TokenURL()}.Token(t.Context(), local)
	if !errors.Is(err, oauth.ErrClientRefused) {
		t.Errorf("a wrong secret: got %v, want ErrClientRefused", err)
	}
	// Only through egress: without loopback allowed, nothing is sent.
	_, err = oauth.Machine{ClientID: "robot", ClientSecret: "s3cret", TokenURL: p.TokenURL()}.Token(t.Context(), &egress.Clients{LoopbackOnly: true})
	if err == nil || errors.Is(err, oauth.ErrClientRefused) {
		t.Errorf("a loopback token URL without AllowLoopback: got %v", err)
	}
	if n := len(p.IssuedTokens("")); n != 2 {
		t.Errorf("the provider issued %d tokens, want still 2", n)
	}
}
