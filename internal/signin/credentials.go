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
	activated, err := s.activate(ctx, a, creds, display, identityID, ReasonCredentials)
	if fe, ok := errors.AsType[*FlowError](err); ok && (fe.Code == CodeIdentityMismatch || fe.Code == CodeDuplicate) {
		// As for OAuth2: the credentials are dropped, and the account
		// records why.
		return "", s.fail(ctx, l, a, fe.Reason), fe
	}
	if err != nil {
		return "", store.Account{}, err
	}
	a = activated
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
	// A duplicate the auth config rejects is refused before anything is
	// created; activate checks again on the new account.
	if err := s.Accounts.CheckDuplicate(ctx, store.Account{ProjectID: p.ID, UserID: in.UserID, ToolkitSlug: ac.ToolkitSlug, AuthConfigID: ac.ID}, display, identityID); err != nil {
		return store.Account{}, duplicateProblem(err)
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
	activated, err := s.activate(ctx, a, creds, display, identityID, ReasonCredentials)
	if err != nil {
		// Nothing is left of a refused create: the account made for it
		// goes.
		if derr := s.Store.DeleteAccount(ctx, a.ProjectID, a.ID); derr != nil {
			s.Logger.WarnContext(ctx, "delete refused account", "account_id", a.ID, "err", derr)
		}
		return store.Account{}, duplicateProblem(err)
	}
	return activated, nil
}

// duplicateProblem is a refusal of a duplicate identity (under the auth
// config's duplicate_policy reject) as a request error, 400
// identity_already_connected naming the existing account; other errors
// are returned as they are.
func duplicateProblem(err error) error {
	de, ok := errors.AsType[*accounts.DuplicateError](err)
	if !ok {
		return err
	}
	return (&problem.Error{Kind: problem.Invalid, Code: CodeDuplicate, Field: "connection.state.val",
		Message: fmt.Sprintf("%s is already connected as account %s, and the auth config's duplicate_policy is reject; nothing was connected", de.Identity, de.Twin.ID),
		Err:     err}).WithFix("Use account %s, or set the auth config's duplicate_policy to supersede or allow", de.Twin.ID)
}

// formCredentials are what an account connected through a form keeps: its
// fields; for the client credentials grant (RFC 6749 §4.4), the fields
// and a first access token, fetched now so that a wrong client id or
// secret is refused while the user can still correct it. Either way, the
// toolkit's identity request, when it has one, is made with the new
// credentials and names the account (formIdentity).
func (s *Service) formCredentials(ctx context.Context, ac store.AuthConfig, form CredentialForm, fields map[string]string) (creds any, display, identityID string, err error) {
	if !form.Scheme.ClientCredentials() {
		display, identityID, err = s.formIdentity(ctx, form, fields, func() (string, string, error) {
			return s.Accounts.IdentifyForm(ctx, ac, form.Toolkit, form.Scheme, fields)
		})
		return fields, display, identityID, err
	}
	tok, err := s.Accounts.MachineToken(ctx, ac, fields)
	if err != nil {
		return nil, "", "", err
	}
	if id := form.Toolkit.Identity; id != nil && id.Source == toolkits.FromEndpoint {
		_, url, uerr := form.Toolkit.URLs(fields)
		if uerr == nil {
			c := oauth.Client{Identity: oauth.Identity{URL: url, Method: id.Method, Body: string(id.Body), Extract: id.Extract}}
			display, identityID, err = s.formIdentity(ctx, form, fields, func() (string, string, error) {
				return c.FetchIdentity(ctx, s.Egress, tok.AccessToken)
			})
			if err != nil {
				return nil, "", "", err
			}
		}
	}
	return accounts.MachineCredentials{Fields: fields, Token: tok}, display, identityID, nil
}

// formIdentity runs the identity request of a form's credentials and
// decides what its outcome means for the connection:
//   - it names the account: the account records the name, verified now;
//   - the provider answers 401: the credentials are wrong, and the form is
//     refused with invalid_credential naming the credential field, so the
//     user can correct it and nothing is stored;
//   - anything else (the provider unreachable, a 5xx, an answer that names
//     no one): the connection goes ahead unnamed and unverified, since an
//     outage says nothing about the key, and the prober or
//     SWITCHBOARD_CHECK_ACCOUNT checks it later. An unnamed account has no
//     twins to supersede.
func (s *Service) formIdentity(ctx context.Context, form CredentialForm, fields map[string]string, fetch func() (string, string, error)) (display, identityID string, err error) {
	display, identityID, err = fetch()
	switch {
	case err == nil:
		return display, identityID, nil
	case errors.Is(err, accounts.ErrNoIdentityCall):
		return "", "", nil
	case errors.Is(err, oauth.ErrUnauthorized):
		field, name := credentialField(form)
		return "", "", &problem.Error{Kind: problem.Invalid, Code: "invalid_credential", Field: field,
			Message: fmt.Sprintf("%s refused this %s (HTTP 401 from its identity request); nothing was connected", form.Toolkit.Name, name),
			Fix:     "Check the value in " + form.Toolkit.Name + "'s settings and submit it again", Err: err}
	}
	s.Logger.WarnContext(ctx, "identity request failed; connecting the account unverified", "toolkit", form.Toolkit.Slug, "err", err)
	return "", "", nil
}

// credentialField is the form field that carries a scheme's secret, and
// its display name, for an error about it.
func credentialField(form CredentialForm) (field, name string) {
	switch {
	case form.Scheme.ClientCredentials():
		field = "client_secret"
	case form.Scheme.Mode == toolkits.ModeBasic:
		field = "password"
	default:
		field = form.Scheme.Apply.Field
	}
	name = field
	for _, f := range form.Fields {
		if f.Name == field {
			name = f.DisplayName
		}
	}
	if form.Scheme.Mode == toolkits.ModeBasic {
		name = "username and password"
	}
	return field, name
}
