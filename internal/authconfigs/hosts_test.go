package authconfigs

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlite"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
	"github.com/switchboard-dev/switchboard/internal/vault"
)

func TestSiteOf(t *testing.T) {
	for host, want := range map[string]string{
		"accounts.google.com":     "google.com",
		"oauth2.googleapis.com":   "googleapis.com",
		"api.github.com":          "github.com",
		"github.com":              "github.com",
		"GitHub.com.":             "github.com",
		"slack.com":               "slack.com",
		"login.example.co.uk":     "example.co.uk",
		"a.b.example.com.au":      "example.com.au",
		"co.uk":                   "co.uk",
		"api.linear.app":          "linear.app",
		"127.0.0.1":               "127.0.0.1",
		"::1":                     "::1",
		"localhost":               "localhost",
		"deep.sub.api.notion.com": "notion.com",
	} {
		if got := siteOf(host); got != want {
			t.Errorf("siteOf(%q) = %q, want %q", host, got, want)
		}
	}
}

// TestToolkitSites pins the sites each built-in toolkit's OAuth endpoint
// overrides may use, so a catalog change that widens them (a toolkit on a
// shared hosting domain, say) shows up here for review.
func TestToolkitSites(t *testing.T) {
	cat, err := toolkits.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, tk := range cat.List() {
		got[tk.Slug] = toolkitSites(tk)
	}
	want := map[string][]string{
		"asana":           {"asana.com"},
		"box":             {"box.com"},
		"digitalocean":    {"digitalocean.com"},
		"discordbot":      {"discord.com"},
		"figma":           {"figma.com"},
		"github":          {"github.com"},
		"gmail":           {"googleapis.com", "google.com"},
		"googlecalendar":  {"googleapis.com", "google.com"},
		"googledocs":      {"googleapis.com", "google.com"},
		"googledrive":     {"googleapis.com", "google.com"},
		"googlesheets":    {"googleapis.com", "google.com"},
		"hubspot":         {"hubapi.com", "hubspot.com"},
		"intercom":        {"intercom.io"},
		"linear":          {"linear.app"},
		"microsoft_teams": {"microsoft.com", "microsoftonline.com"},
		"netlify":         {"netlify.com"},
		"notion":          {"notion.com"},
		"okta":            {"okta.com"},
		"openai":          {"openai.com"},
		"outlook":         {"microsoft.com", "microsoftonline.com"},
		"pagerduty":       {"pagerduty.com"},
		"sendgrid":        {"sendgrid.com"},
		"sentry":          {"sentry.io"},
		"slack":           {"slack.com"},
		"square":          {"squareup.com"},
		"stripe":          {"stripe.com"},
		"twilio":          {"twilio.com"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("toolkit sites (-want +got):\n%s", diff)
	}
}

// TestCredentialHostRule: the rule lives in the domain. On a real SQLite
// store, an auth config with a connected account refuses every change of a
// credential-receiving host and keeps its settings; other changes pass.
func TestCredentialHostRule(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	kr, err := vault.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := toolkits.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &Service{Store: vault.NewBarrier(st, kr), Catalog: cat, Now: func() time.Time { return now }}
	if err := st.CreateProject(ctx, store.Project{ID: "proj_1", Name: "P", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	ac, err := s.Create(ctx, "proj_1", CreateInput{Toolkit: "github", Type: "use_custom_auth", AuthScheme: "OAUTH2",
		Credentials: map[string]any{"client_id": "cid", "client_secret": "csecret", "token_url": "https://github.com/login/oauth/access_token"}})
	if err != nil {
		t.Fatal(err)
	}
	str := func(v string) *string { return &v }

	// No account yet: the host may change.
	if _, err := s.Update(ctx, "proj_1", ac.ID, UpdateInput{Credentials: map[string]any{"authorization_url": "https://auth.github.com/authorize"}}); err != nil {
		t.Fatalf("change a host without accounts: %v", err)
	}
	if err := st.CreateAccount(ctx, store.Account{ID: "ca_1", ProjectID: "proj_1", UserID: "u1", ToolkitSlug: "github", AuthConfigID: ac.ID,
		Status: store.StatusActive, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		field, value string
		allowed      bool
	}{
		{"base_url", "https://api.github.com.evil.example", false},
		{"token_url", "https://oauth.github.com/token", false}, // the same site is not the same host
		{"userinfo_url", "https://other.github.com/user", false},
		{"authorization_url", "https://github.com/login/oauth/authorize", false}, // the override was auth.github.com
		{"token_url", "https://github.com/other/path", true},                     // a path on the same host
		{"token_url", "", true},                             // the default is on the same host
		{"base_url", "https://API.github.com:443/v3", true}, // the default host, spelled otherwise
	} {
		before, _ := s.Get(ctx, "proj_1", ac.ID)
		_, err := s.Update(ctx, "proj_1", ac.ID, UpdateInput{Credentials: map[string]any{tt.field: tt.value}})
		if tt.allowed {
			if err != nil {
				t.Errorf("%s to %q keeps the host: got %v, want it allowed", tt.field, tt.value, err)
			}
			continue
		}
		p, ok := problem.As(err)
		if !ok || p.Code != "credential_host_change" || p.Field != "auth_config.credentials."+tt.field ||
			!strings.Contains(p.Message, "1 connected account") || !strings.Contains(p.Fix, "new auth config") {
			t.Errorf("%s to %q with an account: got %v, want credential_host_change on the field with a fix", tt.field, tt.value, err)
		}
		after, _ := s.Get(ctx, "proj_1", ac.ID)
		if diff := cmp.Diff(before.Params, after.Params); diff != "" {
			t.Errorf("a refused change changed the settings (-before +after):\n%s", diff)
		}
	}
	// Other changes pass: a name, scopes, a secret, the status.
	if _, err := s.Update(ctx, "proj_1", ac.ID, UpdateInput{Name: str("GH"), Scopes: str("repo"), Credentials: map[string]any{"client_secret": "rotated"}}); err != nil {
		t.Errorf("change name, scopes and secret: %v", err)
	}
	if _, err := s.SetStatus(ctx, "proj_1", ac.ID, store.AuthConfigDisabled); err != nil {
		t.Errorf("disable: %v", err)
	}
}
