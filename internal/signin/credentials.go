package signin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/accounts"
	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// CredentialForm is what the hosted page asks the end user for when a
// toolkit connects with an API key, a bearer token, basic auth or the
// OAuth2 client credentials grant.
type CredentialForm struct {
	Toolkit toolkits.Toolkit
	Mode    toolkits.Mode
	Fields  []toolkits.Field
	// Scheme is the auth scheme the form is for.
	Scheme toolkits.AuthScheme
}

func (s *Service) credentialForm(ctx context.Context, ac store.AuthConfig) (CredentialForm, error) {
	tk, ok := s.Catalog.For(ctx, ac.ProjectID).Get(ac.ToolkitSlug)
	if !ok {
		return CredentialForm{}, flowErr("toolkit_missing", "This service is no longer available.", nil)
	}
	scheme, ok := tk.Scheme(toolkits.Mode(ac.AuthScheme))
	if !ok {
		return CredentialForm{}, flowErr("auth_scheme_missing", "This service no longer supports "+ac.AuthScheme+".", nil)
	}
	return CredentialForm{Toolkit: tk, Mode: scheme.Mode, Fields: scheme.Fields, Scheme: scheme}, nil
}

// checkFields validates submitted values against a form: every required
// field present, no unknown field.
func checkFields(form CredentialForm, values map[string]string) (map[string]string, error) {
	out := map[string]string{}
	known := map[string]bool{}
	for _, f := range form.Fields {
		known[f.Name] = true
		v := strings.TrimSpace(values[f.Name])
		if v == "" && f.Required {
			return nil, problem.Invalidf("credential_required", f.Name, "%s is required", f.DisplayName)
		}
		if v != "" {
			out[f.Name] = v
		}
	}
	for k := range values {
		if !known[k] {
			return nil, problem.Invalidf("unknown_credential", k, "%s does not take a field named %q", form.Toolkit.Name, k)
		}
	}
	// Fields that fill the toolkit's URL templates pick the host the
	// credentials go to, so they are checked before anything is stored.
	if _, _, err := form.Toolkit.URLs(out); err != nil {
		var te *toolkits.TemplateError
		if errors.As(err, &te) {
			name := te.Field
			for _, f := range form.Fields {
				if f.Name == te.Field {
					name = f.DisplayName
				}
			}
			return nil, problem.Invalidf("invalid_credential", te.Field, "%s %s", name, te.Message)
		}
		return nil, err
	}
	return out, nil
}

// SubmitCredentials completes a credential-form link: it validates the
// values, seals them and marks the account ACTIVE. A problem.Error means
// the form should be shown again with the message.
func (s *Service) SubmitCredentials(ctx context.Context, token string, values map[string]string) (string, store.Account, error) {
	l, a, err := s.usableLink(ctx, token)
	if err != nil {
		return "", store.Account{}, err
	}
	ac, err := s.AuthConfigs.Get(ctx, l.ProjectID, a.AuthConfigID)
	if err != nil {
		return "", store.Account{}, flowErr("auth_config_missing", "The application's settings for this service were removed.", err)
	}
	form, err := s.credentialForm(ctx, ac)
	if err != nil {
		return "", store.Account{}, err
	}
	if form.Scheme.SignIn() {
		return "", store.Account{}, flowErr("wrong_flow", "This service connects through its sign-in page, not a form.", nil)
	}
	fields, err := checkFields(form, values)
	if err != nil {
		return "", store.Account{}, err
	}
	creds, display, identityID, err := s.formCredentials(ctx, ac, form, fields)
	if err != nil {
		return "", store.Account{}, err
	}
	var first bool
	now := s.now()
	if _, err := s.Store.UpdateLink(ctx, l.TokenHash, func(l store.Link) (store.Link, error) {
		first = l.CompletedAt == nil
		if first {
			l.CompletedAt = &now
		}
		return l, nil
	}); err != nil {
		return "", store.Account{}, fmt.Errorf("close link: %w", err)
	}
	if !first {
		return "", store.Account{}, flowErr("link_used", "This connection link was already used.", nil)
	}
	a, err = s.activate(ctx, a, creds, display, identityID, ReasonCredentials)
	if err != nil {
		return "", store.Account{}, err
	}
	s.connected(ctx, l, a)
	return s.callbackTarget(l, a), a, nil
}

// CreateWithCredentials creates an ACTIVE account from credentials the
// application submits itself (the legacy create with connection.state).
func (s *Service) CreateWithCredentials(ctx context.Context, p store.Project, in accounts.LinkInput, scheme string, values map[string]string) (store.Account, error) {
	ac, err := s.AuthConfigs.Get(ctx, p.ID, in.AuthConfigID)
	if err != nil {
		return store.Account{}, err
	}
	if scheme != "" && scheme != ac.AuthScheme {
		return store.Account{}, problem.Invalidf("auth_scheme_mismatch", "connection.state.authScheme", "auth config %s uses %s, not %s", ac.ID, ac.AuthScheme, scheme)
	}
	form, err := s.credentialForm(ctx, ac)
	if err != nil {
		var fe *FlowError
		if errors.As(err, &fe) {
			return store.Account{}, problem.Invalidf(fe.Code, "auth_config", "%s", fe.Reason)
		}
		return store.Account{}, err
	}
	if form.Scheme.SignIn() {
		return store.Account{}, problem.Invalidf("oauth_requires_link", "connection.state",
			"%s connects through OAuth2; credentials cannot be submitted directly", ac.ToolkitSlug).
			WithFix("Use POST /api/v3.1/connected_accounts/link and send the user to its redirect_url")
	}
	fields, err := checkFields(form, values)
	if err != nil {
		return store.Account{}, err
	}
	creds, display, identityID, err := s.formCredentials(ctx, ac, form, fields)
	if err != nil {
		return store.Account{}, err
	}
	a, l, err := s.Accounts.Link(ctx, p, in)
	if err != nil {
		return store.Account{}, err
	}
	now := s.now()
	if _, err := s.Store.UpdateLink(ctx, l.TokenHash, func(l store.Link) (store.Link, error) {
		l.CompletedAt = &now
		return l, nil
	}); err != nil {
		return store.Account{}, fmt.Errorf("close link: %w", err)
	}
	return s.activate(ctx, a, creds, display, identityID, ReasonCredentials)
}

// formCredentials are what an account connected through a form keeps: its
// fields; for the client credentials grant (RFC 6749 §4.4), the fields
// and a first access token, fetched now so that a wrong client id or
// secret is refused while the user can still correct it, and the name the
// identity request gives the account, when the toolkit has one.
func (s *Service) formCredentials(ctx context.Context, ac store.AuthConfig, form CredentialForm, fields map[string]string) (creds any, display, identityID string, err error) {
	if !form.Scheme.ClientCredentials() {
		return fields, "", "", nil
	}
	tok, err := s.Accounts.MachineToken(ctx, ac, fields)
	if err != nil {
		return nil, "", "", err
	}
	if id := form.Toolkit.Identity; id != nil && id.Source == toolkits.FromEndpoint {
		_, url, uerr := form.Toolkit.URLs(fields)
		if uerr == nil {
			c := oauth.Client{Identity: oauth.Identity{URL: url, Method: id.Method, Body: string(id.Body), Extract: id.Extract}}
			display, identityID, err = c.FetchIdentity(ctx, s.Egress, tok.AccessToken)
			if err != nil {
				// The token is good; the account is only unnamed.
				s.Logger.Warn("identity request failed", "toolkit", form.Toolkit.Slug, "err", err)
				display, identityID = "", ""
			}
		}
	}
	return accounts.MachineCredentials{Fields: fields, Token: tok}, display, identityID, nil
}
