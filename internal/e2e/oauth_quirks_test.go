package e2e

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/oauth/oauthtest"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/sdk"
	"github.com/switchboard-dev/switchboard/wire"
)

// TestSlackAndNotion connects a Slack and a Notion account through the
// hosted flow, against fakes of their non-standard OAuth endpoints
// (toolkits.md §5.1, §6.1): Slack's user token nested under authed_user
// with errors as HTTP 200 "ok": false, and Notion's JSON token request with
// Basic auth and the identity in the token response.
func TestSlackAndNotion(t *testing.T) {
	s := startServer(t, serverOptions{})
	ctx := ctxT(t)
	c := s.Client
	redirect := s.URL + "/api/v3/toolkits/auth/callback"

	slack := oauthtest.NewSlack(t, oauthtest.SlackOptions{
		ClientID: "slack-client", ClientSecret: "slack-secret", RedirectURI: redirect,
		Installer: oauthtest.SlackUser{ID: "U0ALICE", Name: "alice", TeamID: "T0ACME", TeamName: "Acme"},
		// Slack puts the bot's token at the top level; it must not be
		// taken for the user's.
		BotToken: true,
	})
	createOAuthConfig(t, c, "slack", map[string]any{
		"client_id": "slack-client", "client_secret": "slack-secret",
		"authorization_url": slack.AuthorizeURL(), "token_url": slack.TokenURL(), "userinfo_url": slack.AuthTestURL(),
	})
	notion := oauthtest.NewNotion(t, oauthtest.NotionOptions{
		ClientID: "notion-client", ClientSecret: "notion-secret", RedirectURI: redirect,
		UserID: "user-1", UserName: "Carol", Email: "carol@acme.example",
		WorkspaceID: "ws-1", WorkspaceName: "Acme HQ", BotID: "bot-1",
	})
	createOAuthConfig(t, c, "notion", map[string]any{
		"client_id": "notion-client", "client_secret": "notion-secret",
		"authorization_url": notion.AuthorizeURL(), "token_url": notion.TokenURL(),
	})

	sess, err := c.Create(ctx, "user_123")
	if err != nil {
		t.Fatal(err)
	}

	// Slack.
	sl := connectDirect(t, sess, "slack")
	if want := "alice @ Acme"; sl.Identity != want {
		t.Errorf("slack identity: got %q, want %q", sl.Identity, want)
	}
	if a := storedAccount(t, s, sl.ID); a.IdentityID != "T0ACME/U0ALICE" {
		t.Errorf("slack identity id: got %q, want T0ACME/U0ALICE", a.IdentityID)
	}
	q := slack.Authorizes()[0]
	if us := q.Get("user_scope"); !strings.Contains(us, "chat:write,") || strings.Contains(us, " ") || q.Has("scope") {
		t.Errorf("slack authorize: user_scope %q, scope present %v; want comma-separated user scopes only", us, q.Has("scope"))
	}
	tok := storedToken(t, s, sl.ID)
	if !strings.HasPrefix(tok.AccessToken, "xoxe.xoxp-") || tok.RefreshToken == "" || tok.Expiry.IsZero() {
		t.Fatalf("slack token: got %.10q… (refresh set %v, expiry %v), want the rotating user token", tok.AccessToken, tok.RefreshToken != "", tok.Expiry)
	}
	for i := range 2 {
		before := storedToken(t, s, sl.ID)
		if _, err := c.ConnectedAccounts().Refresh(ctx, sl.ID); err != nil {
			t.Fatalf("slack refresh %d: %v", i, err)
		}
		after := storedToken(t, s, sl.ID)
		if after.AccessToken == before.AccessToken || after.RefreshToken == before.RefreshToken || !strings.HasPrefix(after.AccessToken, "xoxe.xoxp-") {
			t.Fatalf("slack refresh %d did not store the rotated user token", i)
		}
	}
	if n := slack.RefreshCount(); n != 2 {
		t.Errorf("slack saw %d refreshes, want 2", n)
	}
	// A refused refresh (ok:false, invalid_refresh_token) expires the account.
	slack.RevokeAll()
	if _, err := c.ConnectedAccounts().Refresh(ctx, sl.ID); err == nil {
		t.Errorf("slack refresh of a revoked token succeeded")
	}
	if a, err := c.ConnectedAccounts().Get(ctx, sl.ID); err != nil || a.Status != "EXPIRED" {
		t.Errorf("slack after a refused refresh: got %v %v, want EXPIRED", a, err)
	}

	// Notion.
	no := connectDirect(t, sess, "notion")
	if want := "carol@acme.example @ Acme HQ"; no.Identity != want {
		t.Errorf("notion identity: got %q, want %q", no.Identity, want)
	}
	if a := storedAccount(t, s, no.ID); a.IdentityID != "ws-1/bot-1" {
		t.Errorf("notion identity id: got %q, want ws-1/bot-1", a.IdentityID)
	}
	reqs := notion.TokenRequests()
	if len(reqs) != 1 || reqs[0].ContentType != "application/json" || !reqs[0].Basic {
		t.Errorf("notion token requests: got %+v, want one JSON request with Basic auth", reqs)
	}
	if _, err := c.ConnectedAccounts().Refresh(ctx, no.ID); err != nil {
		t.Fatalf("notion refresh: %v", err)
	}
	if n := notion.RefreshCount(); n != 1 {
		t.Errorf("notion saw %d refreshes, want 1", n)
	}
}

func createOAuthConfig(t *testing.T, c *sdk.Client, toolkit string, creds map[string]any) {
	t.Helper()
	_, err := c.AuthConfigs().Create(context.Background(), toolkit, wire.AuthConfigSpec{
		Type: "use_custom_auth", AuthScheme: "OAUTH2", Credentials: creds,
	})
	if err != nil {
		t.Fatalf("create %s auth config: %v", toolkit, err)
	}
}

// connectDirect authorizes a toolkit through a session against a fake
// whose authorization endpoint redirects back at once, and returns the
// connected account.
func connectDirect(t *testing.T, sess *sdk.Session, toolkit string) *wire.ConnectedAccount {
	t.Helper()
	ctx := ctxT(t)
	req, err := sess.Authorize(ctx, toolkit)
	if err != nil {
		t.Fatalf("authorize %s: %v", toolkit, err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, req.RedirectURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.New(nil) // a browser: the sign-in's binding cookie comes back
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Jar: jar}).Do(hreq)
	if err != nil {
		t.Fatalf("follow %s link: %v", toolkit, err)
	}
	defer resp.Body.Close()
	if b := body(resp); resp.StatusCode != http.StatusOK || !strings.Contains(b, "connected") {
		t.Fatalf("%s link ended with %d at %s: %s", toolkit, resp.StatusCode, resp.Request.URL, b)
	}
	acct, err := req.WaitForConnection(ctx)
	if err != nil {
		t.Fatalf("wait for %s: %v", toolkit, err)
	}
	if acct.Status != "ACTIVE" {
		t.Fatalf("%s account is %s, want ACTIVE", toolkit, acct.Status)
	}
	return acct
}

// storedAccount reads an account straight from the store.
func storedAccount(t *testing.T, s *server, id string) store.Account {
	t.Helper()
	projects, err := s.App.Store.ListProjects(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range projects {
		if a, err := s.App.Accounts.Get(context.Background(), p.ID, id); err == nil {
			return a
		}
	}
	t.Fatalf("account %s not found", id)
	return store.Account{}
}
