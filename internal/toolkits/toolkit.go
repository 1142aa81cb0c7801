package toolkits

import (
	"slices"
)

// Toolkit is one third-party service.
type Toolkit struct {
	// Slug is the toolkit's id, lower case, e.g. "gmail".
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// Logo is an https URL of the toolkit's logo.
	Logo       string     `json:"logo"`
	Categories []Category `json:"categories"`
	// BaseURL is the root of the provider's API, without a trailing slash.
	BaseURL string `json:"base_url"`
	// Headers are sent with every request to the provider's API, the
	// identity request included; they pin API versions, for example.
	Headers map[string]string `json:"headers,omitempty"`
	// AuthSchemes lists the ways to connect an account, the preferred first.
	AuthSchemes []AuthScheme `json:"auth_schemes"`
	// Identity says how to name a connected account; nil if the toolkit
	// has no way to.
	Identity *Identity `json:"identity,omitempty"`
	// MCP, when set, makes the toolkit a remote MCP server's (Composio's
	// Custom MCP): its tools are the server's, synced on demand, and run
	// there as the session's account. See mcp.go.
	MCP *MCPServer `json:"mcp,omitempty"`

	// ToolsCount is the number of the toolkit's tools in the catalog. It
	// is counted when the catalog loads, not read from the definition.
	ToolsCount int `json:"-"`
}

// Category groups toolkits in listings.
type Category struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Mode names an auth scheme as the Composio API does.
type Mode string

// The auth scheme modes the catalog supports.
const (
	ModeOAuth2      Mode = "OAUTH2"
	ModeAPIKey      Mode = "API_KEY"
	ModeBearerToken Mode = "BEARER_TOKEN"
	ModeBasic       Mode = "BASIC"
	// ModeNoAuth is a toolkit that needs no credentials: a public API. It
	// is the toolkit's only scheme, has no fields and applies nothing, and
	// its tools run without a connected account.
	ModeNoAuth Mode = "NO_AUTH"
)

// AuthScheme is one way to connect an account of a toolkit.
type AuthScheme struct {
	Mode Mode `json:"mode"`
	// OAuth2 is set exactly when Mode is ModeOAuth2.
	OAuth2 *OAuth2Spec `json:"oauth2,omitempty"`
	// Fields are what the connection form asks the end user for (API_KEY,
	// BEARER_TOKEN, BASIC, and OAUTH2 with the client credentials grant,
	// whose client_id and client_secret are fields). Authorization code
	// OAUTH2 schemes have none: their client id and secret belong to the
	// auth config, not the connection.
	Fields []Field `json:"fields,omitempty"`
	// Apply says how the credential goes on requests to the provider. BASIC
	// leaves it empty: it always sends the "username" and "password" fields
	// as an RFC 7617 Basic Authorization header.
	Apply Apply `json:"apply"`
}

// TokenEncoding is how a token request's parameters are sent.
type TokenEncoding string

// Token request encodings.
const (
	// TokenForm is application/x-www-form-urlencoded, as RFC 6749 §4.1.3
	// prescribes.
	TokenForm TokenEncoding = "form"
	// TokenJSON is a JSON body; Notion wants it.
	TokenJSON TokenEncoding = "json"
)

// AuthStyle is how the client authenticates at the token endpoint
// (RFC 6749 §2.3.1).
type AuthStyle string

// Client authentication styles.
const (
	// AuthInParams sends client_id and client_secret as request parameters
	// (client_secret_post).
	AuthInParams AuthStyle = "params"
	// AuthInHeader sends them as an HTTP Basic Authorization header
	// (client_secret_basic).
	AuthInHeader AuthStyle = "header"
)

// Grant is the OAuth 2.0 grant an OAUTH2 scheme connects accounts with.
type Grant string

// The grants.
const (
	// GrantAuthorizationCode is RFC 6749 §4.1, with PKCE where the
	// provider takes it: the end user signs in at the provider, and the
	// auth config holds the OAuth app's client id and secret. The default.
	GrantAuthorizationCode Grant = "authorization_code"
	// GrantClientCredentials is RFC 6749 §4.4, for machine-to-machine
	// APIs: each connected account is one client, whose client_id and
	// client_secret are fields of the connection form, and an access token
	// is fetched with them when the account connects and again whenever it
	// expires (the grant has no refresh token).
	GrantClientCredentials Grant = "client_credentials"
)

// OAuth2Spec describes a provider's OAuth 2.0 flow (RFC 6749 §4.1, or
// §4.4 for the client credentials grant) and its quirks.
type OAuth2Spec struct {
	// Grant is the grant; empty means GrantAuthorizationCode.
	Grant Grant `json:"grant,omitempty"`
	// AuthorizationURL is where end users sign in; empty exactly for the
	// client credentials grant, which has no end user.
	AuthorizationURL string `json:"authorization_url,omitempty"`
	TokenURL         string `json:"token_url"`
	// DefaultScopes are requested unless the auth config overrides them.
	// Empty exactly when ScopeSeparator is empty.
	DefaultScopes []string `json:"default_scopes,omitempty"`
	// ScopeSeparator joins scopes in the authorization request: " " as RFC
	// 6749 §3.3 says, "," for Slack and Linear, or "" for a provider that
	// has no scopes (Notion: access comes from the integration's settings).
	ScopeSeparator string `json:"scope_separator"`
	// ScopeParam is the authorization request parameter that carries the
	// scopes: "scope", or Slack's "user_scope" for scopes granted to the
	// user's token rather than the bot's. Empty when there are no scopes.
	ScopeParam string `json:"scope_param,omitempty"`
	// TokenEncoding is how token requests are encoded.
	TokenEncoding TokenEncoding `json:"token_encoding"`
	// TokenAuth is how the client authenticates at the token endpoint.
	TokenAuth AuthStyle `json:"token_auth"`
	// TokenResponsePath, when set, is the dotted path of the object in the
	// token response that holds the token fields (access_token,
	// refresh_token, expires_in) to use: Slack nests the user token under
	// "authed_user". Empty means the top level, as RFC 6749 §5.1 has it.
	TokenResponsePath string `json:"token_response_path,omitempty"`
	// AuthorizeParams are extra authorization request parameters, such as
	// Google's access_type=offline and prompt=consent, without which no
	// refresh token is issued.
	AuthorizeParams map[string]string `json:"authorize_params,omitempty"`
	// PKCE reports whether the provider accepts a PKCE S256 challenge
	// (RFC 7636 §4.3) from a confidential client.
	PKCE bool `json:"pkce"`
	// Reauthorize, when set, is how the provider lets the re-authorization
	// of a known account ask for that account.
	Reauthorize *ReauthorizeHints `json:"reauthorize,omitempty"`
}

// ReauthorizeHints are the authorization request parameters that steer a
// re-authorization towards the account being re-authorized.
type ReauthorizeHints struct {
	// LoginHint names the parameter that carries the account's recorded
	// identity (its email or login): "login_hint" (OpenID Connect Core
	// §3.1.2.1) for most providers. Empty sends none.
	LoginHint string `json:"login_hint,omitempty"`
	// SelectAccount reports whether the provider takes prompt=select_account
	// (OpenID Connect Core §3.1.2.1), which shows its account chooser
	// instead of going on with whichever account the browser is signed
	// in to. It joins a prompt of authorize_params with a space.
	SelectAccount bool `json:"select_account,omitempty"`
}

// Field is one input of a connection form.
type Field struct {
	// Name is the key of the value in the connection's credentials, e.g.
	// "api_key", as Composio names it.
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Description string `json:"description"`
	// Type is the input's type; only "string" so far.
	Type     string `json:"type"`
	Required bool   `json:"required"`
	// Secret reports whether the value is a secret: sealed at rest, masked
	// in forms, and never returned by the API unless the project allows it.
	Secret bool `json:"secret"`
}

// Apply says how a credential goes on requests to the provider: the header
// Header gets Prefix followed by the value of credential field Field.
type Apply struct {
	// Header is the request header that carries the credential; Query is
	// the query parameter that carries it instead, for APIs that take a key
	// in the URL. Exactly one is set; OAuth2 always uses a header.
	Header string `json:"header,omitempty"`
	Query  string `json:"query,omitempty"`
	// Prefix precedes the value, e.g. "Bearer " (RFC 6750 §2.1); Linear's
	// personal API keys go bare.
	Prefix string `json:"prefix,omitempty"`
	// Field is the credential field sent: "access_token" for OAuth2, or the
	// Name of one of the scheme's Fields.
	Field string `json:"field,omitempty"`
}

// ClientCredentials reports whether s is an OAUTH2 scheme of the client
// credentials grant, which connects through a form, not a sign-in page.
func (s AuthScheme) ClientCredentials() bool {
	return s.OAuth2 != nil && s.OAuth2.Grant == GrantClientCredentials
}

// SignIn reports whether s connects accounts by sending the end user to
// the provider's sign-in page: OAUTH2 with the authorization code grant.
// Every other scheme connects through the fields of a form.
func (s AuthScheme) SignIn() bool {
	return s.Mode == ModeOAuth2 && !s.ClientCredentials()
}

// Scheme returns t's auth scheme of the given mode.
func (t Toolkit) Scheme(mode Mode) (AuthScheme, bool) {
	for _, s := range t.AuthSchemes {
		if s.Mode == mode {
			return s, true
		}
	}
	return AuthScheme{}, false
}

// NoAuth reports whether t needs no credentials: its one auth scheme is
// NO_AUTH, so its tools run without a connected account and it has no
// auth configs, links or connection form.
func (t Toolkit) NoAuth() bool {
	return len(t.AuthSchemes) == 1 && t.AuthSchemes[0].Mode == ModeNoAuth
}

// clip clips t's slices, so that appending to them copies.
func (t Toolkit) clip() Toolkit {
	t.Categories = slices.Clip(t.Categories)
	t.AuthSchemes = slices.Clip(t.AuthSchemes)
	for i, s := range t.AuthSchemes {
		if s.OAuth2 != nil {
			s.OAuth2.DefaultScopes = slices.Clip(s.OAuth2.DefaultScopes)
		}
		t.AuthSchemes[i].Fields = slices.Clip(s.Fields)
	}
	if t.Identity != nil {
		t.Identity.Body = slices.Clip(t.Identity.Body)
		t.Identity.ID = slices.Clip(t.Identity.ID)
		t.Identity.RequiresAnyScope = slices.Clip(t.Identity.RequiresAnyScope)
	}
	return t
}
