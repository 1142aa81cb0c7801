package authconfigs

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/oauth2"

	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// TestOAuthClient: the client carries every quirk of the toolkit's spec
// (toolkits.md §0) and the auth config's overrides.
func TestOAuthClient(t *testing.T) {
	cat, err := toolkits.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	defaults := func(slug string) []string {
		tk, _ := cat.Get(slug)
		s, _ := tk.Scheme(toolkits.ModeOAuth2)
		return s.OAuth2.DefaultScopes
	}
	s := &Service{Catalog: cat, Now: func() time.Time { return time.Unix(0, 0) }, AllowLoopback: true}
	const redirect = "https://sb.example/api/v3/toolkits/auth/callback"
	tests := []struct {
		toolkit string
		creds   map[string]any
		want    oauth.Client
		// wantExtract reports whether the identity has an Extract.
		wantExtract bool
	}{
		{
			toolkit: "slack",
			creds: map[string]any{
				"client_id": "cid", "client_secret": "csecret",
				"authorization_url": "http://127.0.0.1:1/authorize", "token_url": "http://127.0.0.1:1/token",
				"userinfo_url": "http://127.0.0.1:1/auth.test", "scopes": "chat:write,search:read",
			},
			want: oauth.Client{
				ClientID: "cid", ClientSecret: "csecret",
				AuthURL: "http://127.0.0.1:1/authorize", TokenURL: "http://127.0.0.1:1/token", RedirectURL: redirect,
				Scopes: []string{"chat:write", "search:read"}, ScopeSeparator: ",", ScopeParam: "user_scope",
				AuthStyle: oauth2.AuthStyleInHeader, TokenEncoding: oauth.TokenForm, TokenResponsePath: "authed_user",
				Identity: oauth.Identity{URL: "http://127.0.0.1:1/auth.test", Method: "POST"},
			},
			wantExtract: true,
		},
		{
			toolkit: "notion",
			// Scopes mean nothing to Notion and are not sent.
			creds: map[string]any{"client_id": "cid", "client_secret": "csecret", "scopes": "ignored"},
			want: oauth.Client{
				ClientID: "cid", ClientSecret: "csecret",
				AuthURL: "https://api.notion.com/v1/oauth/authorize", TokenURL: "https://api.notion.com/v1/oauth/token", RedirectURL: redirect,
				AuthStyle: oauth2.AuthStyleInHeader, TokenEncoding: oauth.TokenJSON,
				AuthParams: map[string]string{"owner": "user"},
				Identity:   oauth.Identity{FromTokenResponse: true},
			},
			wantExtract: true,
		},
		{
			toolkit: "github",
			creds:   map[string]any{"client_id": "cid", "client_secret": "csecret"},
			want: oauth.Client{
				ClientID: "cid", ClientSecret: "csecret",
				AuthURL: "https://github.com/login/oauth/authorize", TokenURL: "https://github.com/login/oauth/access_token", RedirectURL: redirect,
				Scopes: defaults("github"), ScopeSeparator: " ", ScopeParam: "scope",
				AuthStyle: oauth2.AuthStyleInParams, TokenEncoding: oauth.TokenForm, PKCE: true,
				Identity: oauth.Identity{URL: "https://api.github.com/user", Method: "GET"},
			},
			wantExtract: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.toolkit, func(t *testing.T) {
			tk, _ := cat.Get(tt.toolkit)
			scheme, _ := tk.Scheme(toolkits.ModeOAuth2)
			c := store.AuthConfig{ID: "ac_1", ProjectID: "pr_1", ToolkitSlug: tt.toolkit, Type: TypeCustom, AuthScheme: "OAUTH2"}
			if err := s.setCredentials(&c, tk, scheme, tt.creds, true); err != nil {
				t.Fatal(err)
			}
			got, err := s.OAuthClient(context.Background(), c, redirect)
			if err != nil {
				t.Fatal(err)
			}
			opts := cmp.Options{
				cmpopts.IgnoreFields(oauth.Client{}, "Now"),
				cmpopts.IgnoreFields(oauth.Identity{}, "Extract"),
				cmpopts.EquateEmpty(),
			}
			if diff := cmp.Diff(tt.want, got, opts); diff != "" {
				t.Errorf("client (-want +got):\n%s", diff)
			}
			if (got.Identity.Extract != nil) != tt.wantExtract {
				t.Errorf("identity extract set: got %v, want %v", got.Identity.Extract != nil, tt.wantExtract)
			}
		})
	}
}
