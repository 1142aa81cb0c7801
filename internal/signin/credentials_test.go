package signin_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/signin"
	"github.com/switchboard-dev/switchboard/internal/store"
)

// TestCredentialForm: the link page of an API key toolkit is the form of
// the fields the toolkit declares.
func TestCredentialForm(t *testing.T) {
	f := newFixture(t)
	ac := f.apiKeyConfig(t)
	_, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
	page, err := f.signin.OpenLink(context.Background(), l.Token)
	if err != nil {
		t.Fatal(err)
	}
	if page.RedirectURL != "" || page.Form == nil {
		t.Fatalf("got redirect %q, form %v; want a form", page.RedirectURL, page.Form)
	}
	if page.Form.Toolkit.Name != "Linear" || page.Form.Mode != "API_KEY" || len(page.Form.Fields) != 1 ||
		page.Form.Fields[0].Name != "api_key" || !page.Form.Fields[0].Required || !page.Form.Fields[0].Secret {
		t.Errorf("form %+v: want Linear's one required secret api_key field", page.Form)
	}
}

// TestCredentialFormValidation: a missing required field or an unknown
// field is a problem.Error naming the field, and stores nothing, so the
// page can show the form again and a corrected submission completes the
// same link; the values are stored trimmed and sealed.
func TestCredentialFormValidation(t *testing.T) {
	f := newFixture(t)
	ac := f.apiKeyConfig(t)
	ctx := context.Background()
	a, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID, CallbackURL: "https://app.example/done"})
	for _, tt := range []struct {
		name              string
		values            map[string]string
		wantCode, wantFld string
	}{
		{"empty", map[string]string{}, "credential_required", "api_key"},
		{"blank", map[string]string{"api_key": "   "}, "credential_required", "api_key"},
		{"unknown field", map[string]string{"api_key": "lin_api_1", "password": "x"}, "unknown_credential", "password"},
	} {
		_, _, err := f.signin.SubmitCredentials(ctx, l.Token, tt.values)
		p, ok := problem.As(err)
		if !ok {
			t.Errorf("%s: got %v, want a problem.Error", tt.name, err)
			continue
		}
		if p.Code != tt.wantCode || p.Field != tt.wantFld {
			t.Errorf("%s: got %s on %q, want %s on %s", tt.name, p.Code, p.Field, tt.wantCode, tt.wantFld)
		}
		got := f.wantStatus(t, a.ID, store.StatusInitiated, accounts.ReasonAwaiting)
		if got.Credentials != nil {
			t.Errorf("%s: a refused form stored credentials", tt.name)
		}
	}
	if n := len(f.connectedCalls()); n != 0 {
		t.Errorf("OnConnected ran %d times for refused forms", n)
	}

	f.advance(90 * time.Second)
	target, got, err := f.signin.SubmitCredentials(ctx, l.Token, map[string]string{"api_key": "  lin_api_secret  "})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.StatusActive || got.StatusReason != signin.ReasonCredentials || got.ConnectedAt == nil || !got.ConnectedAt.Equal(f.clock()) {
		t.Errorf("got %s %q connected %v, want ACTIVE %q connected at %v", got.Status, got.StatusReason, got.ConnectedAt, signin.ReasonCredentials, f.clock())
	}
	if want := "https://app.example/done?connected_account_id=" + a.ID + "&status=success"; target != want {
		t.Errorf("target %q, want %q", target, want)
	}
	var creds map[string]string
	if err := f.accounts.Credentials(f.account(t, a.ID), &creds); err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"api_key": "lin_api_secret"}; !cmp.Equal(creds, want) {
		t.Errorf("stored %v, want %v", creds, want)
	}
	if got, want := f.connectedCalls(), []string{a.ID + " " + a.ID + " ACTIVE"}; !cmp.Equal(got, want) {
		t.Errorf("OnConnected calls: got %v, want %v", got, want)
	}
}

// TestCredentialLinkUsedTwice: a completed form link cannot be submitted
// or opened again; the second submission changes nothing.
func TestCredentialLinkUsedTwice(t *testing.T) {
	f := newFixture(t)
	ac := f.apiKeyConfig(t)
	ctx := context.Background()
	a, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
	if _, _, err := f.signin.SubmitCredentials(ctx, l.Token, map[string]string{"api_key": "first"}); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.signin.SubmitCredentials(ctx, l.Token, map[string]string{"api_key": "second"})
	if code := flowCode(t, err); code != "link_used" {
		t.Errorf("second submission: got %s, want link_used", code)
	}
	if _, err := f.signin.OpenLink(ctx, l.Token); flowCode(t, err) != "link_used" {
		t.Errorf("opening a used link: got %v, want link_used", err)
	}
	var creds map[string]string
	if err := f.accounts.Credentials(f.account(t, a.ID), &creds); err != nil {
		t.Fatal(err)
	}
	if creds["api_key"] != "first" {
		t.Errorf("the second submission replaced the credentials: %v", creds)
	}
	if n := len(f.connectedCalls()); n != 1 {
		t.Errorf("OnConnected ran %d times, want once", n)
	}
}

// TestSubmitToOAuthLink: an OAuth2 link takes no form.
func TestSubmitToOAuthLink(t *testing.T) {
	f := newFixture(t)
	_, ac := f.provider(t)
	a, l := f.link(t, accounts.LinkInput{AuthConfigID: ac.ID})
	_, _, err := f.signin.SubmitCredentials(context.Background(), l.Token, map[string]string{"access_token": "x"})
	if code := flowCode(t, err); code != "wrong_flow" {
		t.Errorf("got %s, want wrong_flow", code)
	}
	f.wantStatus(t, a.ID, store.StatusInitiated, accounts.ReasonAwaiting)
}

// TestCreateWithCredentials: the application's own submission makes an
// ACTIVE account at once, with its link used up, and is validated like the
// form; an OAuth2 auth config or another scheme is refused.
func TestCreateWithCredentials(t *testing.T) {
	f := newFixture(t)
	ac := f.apiKeyConfig(t)
	_, oauthAC := f.provider(t)
	ctx := context.Background()
	in := accounts.LinkInput{UserID: "u1", AuthConfigID: ac.ID, Alias: "work"}

	for _, tt := range []struct {
		name   string
		in     accounts.LinkInput
		scheme string
		values map[string]string
		want   string
	}{
		{"missing field", in, "API_KEY", map[string]string{}, "credential_required"},
		{"other scheme", in, "BEARER_TOKEN", map[string]string{"api_key": "k"}, "auth_scheme_mismatch"},
		{"oauth2", accounts.LinkInput{UserID: "u1", AuthConfigID: oauthAC.ID}, "", map[string]string{"access_token": "k"}, "oauth_requires_link"},
		{"bad alias", accounts.LinkInput{UserID: "u1", AuthConfigID: ac.ID, Alias: " work"}, "", map[string]string{"api_key": "k"}, "invalid_alias"},
	} {
		_, err := f.signin.CreateWithCredentials(ctx, f.project, tt.in, tt.scheme, tt.values)
		if p, ok := problem.As(err); !ok || p.Code != tt.want {
			t.Errorf("%s: got %v, want %s", tt.name, err, tt.want)
		}
	}
	if page, err := f.accounts.List(ctx, f.project.ID, store.AccountFilter{Limit: 10}); err != nil || len(page.Items) != 0 {
		t.Fatalf("refused creates made accounts: %v %v", page.Items, err)
	}

	a, err := f.signin.CreateWithCredentials(ctx, f.project, in, "API_KEY", map[string]string{"api_key": "lin_api_k"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != store.StatusActive || a.StatusReason != signin.ReasonCredentials || a.Alias != "work" || a.ConnectedAt == nil {
		t.Errorf("got %s %q alias %q connected %v, want ACTIVE %q alias work, connected", a.Status, a.StatusReason, a.Alias, a.ConnectedAt, signin.ReasonCredentials)
	}
	// The alias is now taken for the user and toolkit.
	_, err = f.signin.CreateWithCredentials(ctx, f.project, in, "API_KEY", map[string]string{"api_key": "other"})
	if p, ok := problem.As(err); !ok || p.Code != "alias_taken" {
		t.Errorf("a second account with the alias: got %v, want alias_taken", err)
	}
	if n := len(f.connectedCalls()); n != 0 {
		t.Errorf("OnConnected ran %d times; it is for links the user completes", n)
	}
}
