// Package authconfigs owns auth configs: how a project authenticates a
// toolkit (the scheme, its OAuth client id and secret, scopes, endpoint
// overrides). Secret settings are sealed by the vault before they reach
// the store and never leave this package except as an oauth.Client.
package authconfigs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/switchboard-dev/switchboard/internal/ids"
	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/problem"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// Service manages auth configs.
type Service struct {
	Store   store.Store
	Catalog toolkits.Catalogs
	Now     func() time.Time
	// AllowLoopback lets endpoint settings name loopback hosts: the
	// operator's SWITCHBOARD_EGRESS_ALLOW_LOOPBACK, for providers and APIs
	// run beside Switchboard in development and tests.
	AllowLoopback bool
	// LoopbackHosts are the loopback hosts (with ports) endpoint settings
	// may name with AllowLoopback off: the demo's own provider
	// (egress.Clients.LoopbackHosts).
	LoopbackHosts []string
}

// Types of auth config.
const (
	TypeDefault = "default"
	TypeCustom  = "custom"
)

// Credential keys of an OAuth2 auth config. Only these are accepted, so a
// typo is an error instead of a silently ignored setting.
var (
	oauthParams  = []string{"client_id", "scopes", "authorization_url", "token_url", "userinfo_url", "base_url"}
	oauthSecrets = []string{"client_secret"}
)

// CreateInput asks for a new auth config.
type CreateInput struct {
	Toolkit string
	// Type is TypeDefault (use_composio_managed_auth) or TypeCustom.
	Type       string
	Name       string
	AuthScheme string
	// Credentials are the scheme's settings; values may be strings,
	// numbers, booleans or (for scopes) arrays of strings.
	Credentials            map[string]any
	IsEnabledForToolRouter *bool
	// ToolAccess is tool_access_config, if given.
	ToolAccess *ToolAccess
	// DuplicatePolicy is store.AuthConfig.DuplicatePolicy; "" is the
	// default, supersede.
	DuplicatePolicy string
}

// Create validates and stores a new auth config.
func (s *Service) Create(ctx context.Context, projectID string, in CreateInput) (store.AuthConfig, error) {
	tk, ok := s.Catalog.For(ctx, projectID).Get(in.Toolkit)
	if !ok {
		return store.AuthConfig{}, problem.Invalidf("toolkit_not_found", "toolkit.slug", "unknown toolkit %q", in.Toolkit).
			WithFix("List the toolkits with GET /api/v3.1/toolkits")
	}
	if tk.NoAuth() {
		return store.AuthConfig{}, NoAuth(tk.Slug, "toolkit.slug")
	}
	mode := toolkits.Mode(in.AuthScheme)
	if mode == "" {
		mode = tk.AuthSchemes[0].Mode
	}
	scheme, ok := tk.Scheme(mode)
	if !ok {
		return store.AuthConfig{}, problem.Invalidf("auth_scheme_not_supported", "auth_config.authScheme",
			"toolkit %s does not support auth scheme %q; it supports %s", tk.Slug, in.AuthScheme, schemeList(tk))
	}
	typ := TypeCustom
	if in.Type == "use_composio_managed_auth" || in.Type == TypeDefault {
		typ = TypeDefault
	}
	if typ == TypeDefault && scheme.SignIn() {
		return store.AuthConfig{}, problem.Invalidf("managed_auth_unavailable", "auth_config.type",
			"Switchboard is self-hosted and has no managed OAuth app for %s", tk.Slug).
			WithFix(`Register an OAuth app with the provider, then create {"type":"use_custom_auth","authScheme":"OAUTH2","credentials":{"client_id":"…","client_secret":"…"}} with redirect URI {public URL}/api/v3/toolkits/auth/callback`)
	}
	now := s.Now().UTC()
	c := store.AuthConfig{
		ID:                     ids.New(ids.AuthConfig, 12),
		ProjectID:              projectID,
		ToolkitSlug:            tk.Slug,
		Name:                   in.Name,
		Type:                   typ,
		AuthScheme:             string(mode),
		Status:                 store.AuthConfigEnabled,
		IsEnabledForToolRouter: in.IsEnabledForToolRouter == nil || *in.IsEnabledForToolRouter,
		CreatedAt:              now,
		UpdatedAt:              now,
	}
	if c.Name == "" {
		c.Name = tk.Name + " Auth Config"
	}
	if err := validPolicy("auth_config.duplicate_policy", in.DuplicatePolicy); err != nil {
		return store.AuthConfig{}, err
	}
	c.DuplicatePolicy = in.DuplicatePolicy
	tools, err := s.checkToolAccess(ctx, projectID, tk.Slug, in.ToolAccess, "auth_config.tool_access_config")
	if err != nil {
		return store.AuthConfig{}, err
	}
	if tools != nil && len(*tools) > 0 {
		c.ToolsForExecution = *tools
	}
	if err := s.setCredentials(&c, tk, scheme, in.Credentials, true); err != nil {
		return store.AuthConfig{}, err
	}
	if err := s.Store.CreateAuthConfig(ctx, c); err != nil {
		return store.AuthConfig{}, fmt.Errorf("create auth config: %w", err)
	}
	return c, nil
}

// NoAuth is the error for a request that asks for credentials of a
// toolkit that needs none (toolkits.Toolkit.NoAuth): an auth config, a
// link or a connected account. Its tools run without any.
func NoAuth(toolkit, field string) *problem.Error {
	return problem.Invalidf("toolkit_no_auth", field, "toolkit %s needs no credentials, so it has no auth configs or connected accounts", toolkit).
		WithFix("Call its tools without a connected account")
}

func schemeList(tk toolkits.Toolkit) string {
	var names []string
	for _, s := range tk.AuthSchemes {
		names = append(names, string(s.Mode))
	}
	return strings.Join(names, ", ")
}

// setCredentials validates credentials for a scheme and stores them on c:
// plain settings in Params, secrets sealed. With replace unset, the given
// keys are merged into the existing ones. Endpoint settings must pass
// checkEndpoint.
func (s *Service) setCredentials(c *store.AuthConfig, tk toolkits.Toolkit, scheme toolkits.AuthScheme, creds map[string]any, replace bool) error {
	params := map[string]string{}
	secrets := map[string]string{}
	if !replace {
		for k, v := range c.Params {
			params[k] = v
		}
		if err := openSecrets(*c, &secrets); err != nil {
			return err
		}
	}
	if !scheme.SignIn() {
		// Connection-time schemes keep no app credentials, only where the
		// API lives (and, for the client credentials grant, where tokens
		// come from and which scopes to ask for); anything else would be a
		// misunderstanding worth reporting.
		allowed := []string{"base_url"}
		if scheme.ClientCredentials() {
			allowed = append(allowed, "token_url", "scopes")
		}
		for k, v := range creds {
			if !slices.Contains(allowed, k) {
				return problem.Invalidf("unexpected_credentials", "auth_config.credentials",
					"a %s auth config takes only %s; the end user supplies %s when connecting", schemeName(scheme), strings.Join(allowed, ", "), fieldNames(scheme))
			}
			str, err := credentialString(k, v)
			if err != nil {
				return err
			}
			if k == "scopes" {
				params[k] = str
				continue
			}
			if err := s.checkEndpoint(tk, k, str); err != nil {
				return err
			}
			params[k] = str
		}
		c.Params = params
		return nil
	}
	keys := make([]string, 0, len(creds))
	for k := range creds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := credentialString(k, creds[k])
		if err != nil {
			return err
		}
		switch {
		case slices.Contains(oauthSecrets, k):
			secrets[k] = v
		case slices.Contains(oauthParams, k):
			params[k] = v
		default:
			return problem.Invalidf("unknown_credential", "auth_config.credentials."+k,
				"unknown OAuth2 setting %q; allowed are %s", k, strings.Join(append(slices.Clone(oauthParams), oauthSecrets...), ", "))
		}
	}
	for _, k := range []string{"authorization_url", "token_url", "userinfo_url", "base_url"} {
		if v := params[k]; v != "" {
			if err := s.checkEndpoint(tk, k, v); err != nil {
				return err
			}
		}
	}
	if c.Type == TypeCustom {
		if params["client_id"] == "" || secrets["client_secret"] == "" {
			return problem.Invalidf("client_credentials_required", "auth_config.credentials",
				"a custom OAuth2 auth config needs client_id and client_secret").
				WithFix("Copy both from the OAuth app you registered with the provider")
		}
	}
	c.Params = params
	b, err := json.Marshal(secrets)
	if err != nil {
		return fmt.Errorf("encode auth config secrets: %w", err)
	}
	c.Secrets = b
	return nil
}

// openSecrets decodes an auth config's secret settings into v; the store's
// barrier has opened them.
func openSecrets(c store.AuthConfig, v *map[string]string) error {
	if store.Unopened(c.Secrets, c.SealedSecrets) {
		return fmt.Errorf("secrets of auth config %s: %w", c.ID, store.ErrUnopened)
	}
	if c.Secrets == nil {
		return nil
	}
	if err := json.Unmarshal(c.Secrets, v); err != nil {
		return fmt.Errorf("decode auth config secrets: %w", err)
	}
	return nil
}

// schemeName names a scheme in messages: its mode, and the grant when it
// is client credentials.
func schemeName(scheme toolkits.AuthScheme) string {
	if scheme.ClientCredentials() {
		return "OAUTH2 (client_credentials)"
	}
	return string(scheme.Mode)
}

// Machine builds the client of the client credentials grant (RFC 6749
// §4.4) for an account of a config whose scheme has that grant: the
// account's client_id and client_secret fields, the toolkit's token URL
// and scopes, with the config's overrides.
func (s *Service) Machine(ctx context.Context, c store.AuthConfig, fields map[string]string) (oauth.Machine, error) {
	tk, ok := s.Catalog.For(ctx, c.ProjectID).Get(c.ToolkitSlug)
	if !ok {
		return oauth.Machine{}, fmt.Errorf("toolkit %s is no longer in the catalog", c.ToolkitSlug)
	}
	scheme, ok := tk.Scheme(toolkits.Mode(c.AuthScheme))
	if !ok || !scheme.ClientCredentials() {
		return oauth.Machine{}, fmt.Errorf("auth config %s is not OAUTH2 with the client_credentials grant", c.ID)
	}
	spec := scheme.OAuth2
	tokenURL, err := toolkits.FillURL(spec.TokenURL, fields)
	if te, ok := errors.AsType[*toolkits.TemplateError](err); ok {
		return oauth.Machine{}, problem.Invalidf("invalid_credential", te.Field, "%s %s", te.Field, te.Message)
	}
	if err != nil {
		return oauth.Machine{}, err
	}
	m := oauth.Machine{
		ClientID:     fields["client_id"],
		ClientSecret: fields["client_secret"],
		TokenURL:     tokenURL,
		Scopes:       spec.DefaultScopes,
		AuthStyle:    oauth2.AuthStyleInParams,
		Now:          s.Now,
	}
	if spec.TokenAuth == toolkits.AuthInHeader {
		m.AuthStyle = oauth2.AuthStyleInHeader
	}
	if v := c.Params["token_url"]; v != "" {
		// Checked when stored; checked again, as OAuthClient does, in case
		// the rules changed since.
		if err := s.checkEndpoint(tk, "token_url", v); err != nil {
			return oauth.Machine{}, fmt.Errorf("auth config %s: %w", c.ID, err)
		}
		m.TokenURL = v
	}
	if v := c.Params["scopes"]; v != "" {
		m.Scopes = SplitScopes(v)
	}
	return m, nil
}

func fieldNames(scheme toolkits.AuthScheme) string {
	var names []string
	for _, f := range scheme.Fields {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

// credentialString turns a credential value into its stored string; scope
// arrays become space-separated lists.
func credentialString(k string, v any) (string, error) {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v), nil
	case bool, float64, json.Number:
		return fmt.Sprint(v), nil
	case []any:
		if k == "scopes" {
			parts := make([]string, 0, len(v))
			for _, p := range v {
				ps, ok := p.(string)
				if !ok {
					return "", problem.Invalidf("invalid_credential", "auth_config.credentials.scopes", "scopes must be strings")
				}
				parts = append(parts, ps)
			}
			return strings.Join(parts, " "), nil
		}
	}
	return "", problem.Invalidf("invalid_credential", "auth_config.credentials."+k, "%s must be a string, number or boolean", k)
}

// SplitScopes splits a stored scope list on spaces and commas.
func SplitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}

func notFound(id string) error {
	return problem.NotFoundf("auth_config_not_found", "auth config %s not found", id).
		WithFix("List the project's auth configs with GET /api/v3.1/auth_configs")
}

// Get returns an auth config of the project.
func (s *Service) Get(ctx context.Context, projectID, id string) (store.AuthConfig, error) {
	c, err := s.Store.GetAuthConfig(ctx, projectID, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.AuthConfig{}, notFound(id)
	}
	return c, err
}

// ToolkitAccounts counts the project's connected accounts of a toolkit,
// over all of its auth configs, enabled or not.
func (s *Service) ToolkitAccounts(ctx context.Context, projectID, toolkit string) (int, error) {
	var ids []string
	err := store.Walk(func(cursor string) (store.Page[store.AuthConfig], error) {
		return s.Store.ListAuthConfigs(ctx, projectID, store.AuthConfigFilter{
			ToolkitSlugs: []string{toolkit}, IncludeDisabled: true, Cursor: cursor, Limit: 100})
	}, func(c store.AuthConfig) error {
		ids = append(ids, c.ID)
		return nil
	})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	counts, err := s.Store.CountAccounts(ctx, projectID, ids)
	n := 0
	for _, c := range counts {
		n += c
	}
	return n, err
}

// List lists auth configs with their connection counts.
func (s *Service) List(ctx context.Context, projectID string, f store.AuthConfigFilter) (store.Page[store.AuthConfig], map[string]int, error) {
	page, err := s.Store.ListAuthConfigs(ctx, projectID, f)
	if err != nil {
		return page, nil, err
	}
	idList := make([]string, len(page.Items))
	for i, c := range page.Items {
		idList[i] = c.ID
	}
	counts, err := s.Store.CountAccounts(ctx, projectID, idList)
	return page, counts, err
}

// Connections counts the accounts connected with an auth config.
func (s *Service) Connections(ctx context.Context, projectID, id string) (int, error) {
	counts, err := s.Store.CountAccounts(ctx, projectID, []string{id})
	if err != nil {
		return 0, fmt.Errorf("count accounts: %w", err)
	}
	return counts[id], nil
}

// UpdateInput changes an auth config; nil fields stay as they are.
type UpdateInput struct {
	Name *string
	// Credentials are merged into the existing ones.
	Credentials            map[string]any
	Scopes                 *string
	IsEnabledForToolRouter *bool
	// ToolAccess is tool_access_config, if given; its nil lists change
	// nothing.
	ToolAccess *ToolAccess
	// DuplicatePolicy, if given, replaces the duplicate policy.
	DuplicatePolicy *string
}

// Update changes an auth config, under the credential-host rule:
// changing an auth config never sends the credentials of its existing
// connected accounts somewhere new.
//
// An auth config that has connected accounts (in any status) keeps the
// scheme, host and port of every setting that names a host receiving
// credentials: base_url (every call's token or key), token_url (the
// client secret, codes and refresh tokens), userinfo_url (access tokens)
// and authorization_url (where end users sign in), as the toolkit's
// defaults and the config's overrides together make them. Changing the
// path on the same host is allowed; changing or removing an override so
// that another host would be used is refused with credential_host_change,
// naming the field, and nothing is changed. To move accounts to a new
// host, create a new auth config with it and connect the accounts again
// through that config, or delete the old accounts first. Every change of
// a stored auth config (Update, SetStatus, Reseal) goes through update,
// which enforces the rule.
func (s *Service) Update(ctx context.Context, projectID, id string, in UpdateInput) (store.AuthConfig, error) {
	cur, err := s.Get(ctx, projectID, id)
	if err != nil {
		return store.AuthConfig{}, err
	}
	tk, _ := s.Catalog.For(ctx, projectID).Get(cur.ToolkitSlug)
	scheme, _ := tk.Scheme(toolkits.Mode(cur.AuthScheme))
	next := cur
	creds := in.Credentials
	if in.Scopes != nil {
		if creds == nil {
			creds = map[string]any{}
		}
		creds["scopes"] = *in.Scopes
	}
	if creds != nil {
		if err := s.setCredentials(&next, tk, scheme, creds, false); err != nil {
			return store.AuthConfig{}, err
		}
	}
	tools, err := s.checkToolAccess(ctx, projectID, cur.ToolkitSlug, in.ToolAccess, "tool_access_config")
	if err != nil {
		return store.AuthConfig{}, err
	}
	if in.DuplicatePolicy != nil {
		if err := validPolicy("duplicate_policy", *in.DuplicatePolicy); err != nil {
			return store.AuthConfig{}, err
		}
	}
	return s.update(ctx, projectID, id, func(c store.AuthConfig) (store.AuthConfig, error) {
		if in.Name != nil {
			c.Name = *in.Name
		}
		if in.DuplicatePolicy != nil {
			c.DuplicatePolicy = *in.DuplicatePolicy
		}
		if tools != nil {
			c.ToolsForExecution = nil
			if len(*tools) > 0 {
				c.ToolsForExecution = *tools
			}
		}
		if in.IsEnabledForToolRouter != nil {
			c.IsEnabledForToolRouter = *in.IsEnabledForToolRouter
		}
		c.Params, c.Secrets = next.Params, next.Secrets
		c.UpdatedAt = s.Now().UTC()
		return c, nil
	})
}

// SetStatus enables or disables an auth config.
func (s *Service) SetStatus(ctx context.Context, projectID, id, status string) (store.AuthConfig, error) {
	if status != store.AuthConfigEnabled && status != store.AuthConfigDisabled {
		return store.AuthConfig{}, problem.Invalidf("invalid_status", "status", "status must be ENABLED or DISABLED, got %q", status)
	}
	return s.update(ctx, projectID, id, func(c store.AuthConfig) (store.AuthConfig, error) {
		c.Status, c.UpdatedAt = status, s.Now().UTC()
		return c, nil
	})
}

// Delete deletes an auth config and every account made with it.
func (s *Service) Delete(ctx context.Context, projectID, id string) error {
	err := s.Store.DeleteAuthConfig(ctx, projectID, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(id)
	}
	return err
}

// ForToolkit returns the project's newest enabled auth config for a
// toolkit: what a link without an explicit auth config uses.
func (s *Service) ForToolkit(ctx context.Context, projectID, toolkit string) (store.AuthConfig, error) {
	if toolkit == "" {
		return store.AuthConfig{}, problem.Invalidf("auth_config_required", "auth_config_id", "name an auth_config_id or a toolkit")
	}
	tk, ok := s.Catalog.For(ctx, projectID).Get(toolkit)
	if !ok {
		return store.AuthConfig{}, problem.Invalidf("toolkit_not_found", "toolkit", "unknown toolkit %q", toolkit).
			WithFix("List the toolkits with GET /api/v3.1/toolkits")
	}
	if tk.NoAuth() {
		return store.AuthConfig{}, NoAuth(toolkit, "toolkit")
	}
	page, err := s.Store.ListAuthConfigs(ctx, projectID, store.AuthConfigFilter{ToolkitSlugs: []string{toolkit}, Limit: 1})
	if err != nil {
		return store.AuthConfig{}, err
	}
	if len(page.Items) == 0 {
		return store.AuthConfig{}, problem.Invalidf("auth_config_missing", "toolkit", "the project has no enabled auth config for %s", toolkit).
			WithFix(`Create one: POST /api/v3.1/auth_configs {"toolkit":{"slug":"%s"},"auth_config":{"type":"use_custom_auth","authScheme":"OAUTH2","credentials":{"client_id":"…","client_secret":"…"}}}`, toolkit)
	}
	return page.Items[0], nil
}

// OAuthClient builds the OAuth2 client of an auth config: the toolkit's
// endpoints and scopes, with the config's overrides and credentials.
func (s *Service) OAuthClient(ctx context.Context, c store.AuthConfig, redirectURI string) (oauth.Client, error) {
	tk, ok := s.Catalog.For(ctx, c.ProjectID).Get(c.ToolkitSlug)
	if !ok {
		return oauth.Client{}, fmt.Errorf("toolkit %s is no longer in the catalog", c.ToolkitSlug)
	}
	scheme, ok := tk.Scheme(toolkits.ModeOAuth2)
	if !ok || c.AuthScheme != string(toolkits.ModeOAuth2) {
		return oauth.Client{}, fmt.Errorf("auth config %s is not OAUTH2", c.ID)
	}
	spec := scheme.OAuth2
	var secrets map[string]string
	if err := openSecrets(c, &secrets); err != nil {
		return oauth.Client{}, err
	}
	p := c.Params
	or := func(v, def string) string {
		if v != "" {
			return v
		}
		return def
	}
	scopes := spec.DefaultScopes
	if p["scopes"] != "" {
		scopes = SplitScopes(p["scopes"])
	}
	if spec.ScopeParam == "" {
		// A provider without scopes (Notion) has no parameter for them.
		scopes = nil
	}
	style := oauth2.AuthStyleInParams
	if spec.TokenAuth == toolkits.AuthInHeader {
		style = oauth2.AuthStyleInHeader
	}
	encoding := oauth.TokenForm
	if spec.TokenEncoding == toolkits.TokenJSON {
		encoding = oauth.TokenJSON
	}
	client := oauth.Client{
		ClientID:          p["client_id"],
		ClientSecret:      secrets["client_secret"],
		AuthURL:           or(p["authorization_url"], spec.AuthorizationURL),
		TokenURL:          or(p["token_url"], spec.TokenURL),
		RedirectURL:       redirectURI,
		Scopes:            scopes,
		ScopeSeparator:    spec.ScopeSeparator,
		ScopeParam:        spec.ScopeParam,
		AuthStyle:         style,
		TokenEncoding:     encoding,
		TokenResponsePath: spec.TokenResponsePath,
		AuthParams:        spec.AuthorizeParams,
		PKCE:              spec.PKCE,
		Now:               s.Now,
	}
	if r := spec.Reauthorize; r != nil {
		client.LoginHintParam, client.SelectAccount = r.LoginHint, r.SelectAccount
	}
	if client.ClientID == "" || client.ClientSecret == "" {
		return oauth.Client{}, fmt.Errorf("auth config %s has no client credentials", c.ID)
	}
	// Overrides stored before the endpoint rules existed, or while loopback
	// was allowed, are checked again: the link page must not redirect to,
	// and the token and identity calls must not go to, a host the rules
	// now refuse.
	for _, k := range oauthEndpointFields {
		if v := p[k]; v != "" {
			if err := s.checkEndpoint(tk, k, v); err != nil {
				return oauth.Client{}, fmt.Errorf("auth config %s: %w", c.ID, err)
			}
		}
	}
	switch id := tk.Identity; {
	case id == nil:
	case id.Source == toolkits.FromTokenResponse:
		// The exchange reads the identity from the token response; no
		// identity call is made.
		client.Identity = oauth.Identity{FromTokenResponse: true, Extract: id.Extract}
	default:
		client.Identity = oauth.Identity{
			URL:     or(p["userinfo_url"], id.URL),
			Method:  id.Method,
			Body:    string(id.Body),
			Extract: id.Extract,
		}
	}
	return client, nil
}

// BaseURL is where a config's toolkit API lives: the toolkit's own base
// URL, or the config's base_url override (GitHub Enterprise, a regional
// or local deployment).
func BaseURL(c store.AuthConfig, tk toolkits.Toolkit) string {
	if v := c.Params["base_url"]; v != "" {
		return strings.TrimRight(v, "/")
	}
	return tk.BaseURL
}

// validPolicy checks a duplicate policy (store.AuthConfig.DuplicatePolicy,
// which the accounts package applies): "", supersede, allow or reject.
func validPolicy(field, policy string) error {
	switch policy {
	case "", "supersede", "allow", "reject":
		return nil
	}
	return problem.Invalidf("invalid_duplicate_policy", field,
		"duplicate_policy %q is not one of supersede, allow or reject", policy).
		WithFix("Pass supersede (the default: a reconnection replaces the older account of the same identity), allow (keep both) or reject (refuse the reconnection)")
}
