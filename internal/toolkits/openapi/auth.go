package openapi

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

var (
	headerNameRE = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
	queryNameRE  = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

// modeOrder is the order of a toolkit's auth schemes: OAuth first, as the
// built-in definitions have it, then tokens, keys and passwords.
var modeOrder = []toolkits.Mode{toolkits.ModeOAuth2, toolkits.ModeBearerToken, toolkits.ModeAPIKey, toolkits.ModeBasic}

// authSchemes maps the document's security schemes to auth schemes. used
// names the schemes the selected operations require (by name, with the
// scopes they ask for); when it is empty every declared scheme is mapped.
// A toolkit has at most one scheme per mode, so of several schemes of one
// mode the first by name is kept and the others reported. oauth2 is the
// name of the security scheme that became the OAUTH2 one, if any.
func authSchemes(doc *openapi3.T, used map[string][]string, baseURL string, rep *Report) (schemes []toolkits.AuthScheme, oauth2 string) {
	var declared openapi3.SecuritySchemes
	if doc.Components != nil {
		declared = doc.Components.SecuritySchemes
	}
	names := slices.Sorted(maps.Keys(used))
	if len(names) == 0 {
		names = slices.Sorted(maps.Keys(declared))
	}
	byMode := map[toolkits.Mode]toolkits.AuthScheme{}
	for _, name := range names {
		ref := declared[name]
		if ref == nil || ref.Value == nil {
			rep.scheme(name, "", "required by an operation but not declared in components.securitySchemes")
			continue
		}
		s, why := mapScheme(name, ref.Value, used[name], baseURL, rep)
		if why != "" {
			rep.scheme(name, "", why)
			continue
		}
		if _, dup := byMode[s.Mode]; dup {
			rep.scheme(name, "", fmt.Sprintf("skipped: a toolkit has one %s scheme, and an earlier scheme (by name) took it", s.Mode))
			continue
		}
		byMode[s.Mode] = s
		if s.Mode == toolkits.ModeOAuth2 {
			oauth2 = name
		}
		rep.scheme(name, s.Mode, describeScheme(s))
	}
	for _, m := range modeOrder {
		if s, ok := byMode[m]; ok {
			schemes = append(schemes, s)
		}
	}
	return schemes, oauth2
}

func describeScheme(s toolkits.AuthScheme) string {
	switch {
	case s.ClientCredentials():
		return fmt.Sprintf("client credentials grant, token %s, %d default scopes; each account's client id and secret are connection fields", s.OAuth2.TokenURL, len(s.OAuth2.DefaultScopes))
	case s.OAuth2 != nil:
		return fmt.Sprintf("authorization %s, token %s, %d default scopes", s.OAuth2.AuthorizationURL, s.OAuth2.TokenURL, len(s.OAuth2.DefaultScopes))
	case s.Apply.Query != "":
		return "sent as query parameter " + s.Apply.Query
	case s.Apply.Header != "":
		return "sent in header " + s.Apply.Header
	}
	return "sent as an RFC 7617 Basic Authorization header"
}

// clientCredentialsScheme maps an OAuth 2.0 clientCredentials flow (RFC
// 6749 §4.4): each account is one client, whose id and secret the
// connection form asks for.
func clientCredentialsScheme(name string, f *openapi3.OAuthFlow, scopes []string, baseURL string, rep *Report) (toolkits.AuthScheme, string) {
	tokenURL, err := resolveURL(baseURL, f.TokenURL)
	if err != nil {
		return toolkits.AuthScheme{}, fmt.Sprintf("skipped: the flow's token URL %q does not resolve to an https URL", f.TokenURL)
	}
	if tokenURL != f.TokenURL {
		rep.scheme(name, "", fmt.Sprintf("relative token URL resolved against the base URL %s", baseURL))
	}
	spec := &toolkits.OAuth2Spec{Grant: toolkits.GrantClientCredentials, TokenURL: tokenURL, TokenEncoding: toolkits.TokenForm, TokenAuth: toolkits.AuthInHeader}
	want := scopes
	if len(want) == 0 {
		want = slices.Sorted(maps.Keys(f.Scopes))
	}
	for _, sc := range want {
		if sc != "" && !strings.ContainsAny(sc, " ,") && !slices.Contains(spec.DefaultScopes, sc) {
			spec.DefaultScopes = append(spec.DefaultScopes, sc)
		}
	}
	if len(spec.DefaultScopes) > 0 {
		spec.ScopeSeparator, spec.ScopeParam = " ", "scope"
	}
	return toolkits.AuthScheme{
		Mode:   toolkits.ModeOAuth2,
		OAuth2: spec,
		Fields: []toolkits.Field{
			{Name: "client_id", DisplayName: "Client ID", Description: "The id of your API client.", Type: "string", Required: true},
			{Name: "client_secret", DisplayName: "Client secret", Description: "The secret of your API client.", Type: "string", Required: true, Secret: true},
		},
		Apply: toolkits.Apply{Header: "Authorization", Prefix: "Bearer ", Field: "access_token"},
	}, ""
}

// mapScheme maps one security scheme, or says why it cannot be.
func mapScheme(name string, s *openapi3.SecurityScheme, scopes []string, baseURL string, rep *Report) (toolkits.AuthScheme, string) {
	desc := strings.TrimSpace(s.Description)
	switch strings.ToLower(s.Type) {
	case "oauth2":
		if s.Flows != nil && s.Flows.AuthorizationCode == nil && s.Flows.ClientCredentials != nil {
			return clientCredentialsScheme(name, s.Flows.ClientCredentials, scopes, baseURL, rep)
		}
		if s.Flows == nil || s.Flows.AuthorizationCode == nil {
			return toolkits.AuthScheme{}, "skipped: only the OAuth 2.0 authorization code (RFC 6749 §4.1) and client credentials (§4.4) flows connect accounts, and this scheme has neither"
		}
		f := s.Flows.AuthorizationCode
		authURL, err1 := resolveURL(baseURL, f.AuthorizationURL)
		tokenURL, err2 := resolveURL(baseURL, f.TokenURL)
		if err1 != nil || err2 != nil {
			return toolkits.AuthScheme{}, fmt.Sprintf("skipped: the flow's URLs %q and %q do not resolve to https URLs", f.AuthorizationURL, f.TokenURL)
		}
		if authURL != f.AuthorizationURL || tokenURL != f.TokenURL {
			rep.scheme(name, "", fmt.Sprintf("relative flow URLs resolved against the base URL %s", baseURL))
		}
		spec := &toolkits.OAuth2Spec{
			AuthorizationURL: authURL,
			TokenURL:         tokenURL,
			// RFC 6749 §4.1.3 prescribes a form-encoded token request, and
			// §2.3.1 makes HTTP Basic client authentication the one every
			// server must support.
			TokenEncoding: toolkits.TokenForm,
			TokenAuth:     toolkits.AuthInHeader,
		}
		// The default scopes are those the selected operations ask for;
		// with none asked for, every scope the flow declares.
		want := scopes
		if len(want) == 0 {
			want = slices.Sorted(maps.Keys(f.Scopes))
		}
		for _, sc := range want {
			if sc == "" || strings.ContainsAny(sc, " ,") {
				rep.scheme(name, "", fmt.Sprintf("scope %q dropped: it has a space or a comma", sc))
				continue
			}
			if !slices.Contains(spec.DefaultScopes, sc) {
				spec.DefaultScopes = append(spec.DefaultScopes, sc)
			}
		}
		if len(spec.DefaultScopes) > 0 {
			// RFC 6749 §3.3: a space-delimited scope parameter.
			spec.ScopeSeparator, spec.ScopeParam = " ", "scope"
		}
		return toolkits.AuthScheme{
			Mode:   toolkits.ModeOAuth2,
			OAuth2: spec,
			Apply:  toolkits.Apply{Header: "Authorization", Prefix: "Bearer ", Field: "access_token"},
		}, ""
	case "apikey":
		field := toolkits.Field{
			Name:        "api_key",
			DisplayName: "API key",
			Description: orText(desc, fmt.Sprintf("The API key, sent in the %s %s.", s.Name, s.In)),
			Type:        "string",
			Required:    true,
			Secret:      true,
		}
		sch := toolkits.AuthScheme{Mode: toolkits.ModeAPIKey, Fields: []toolkits.Field{field}, Apply: toolkits.Apply{Field: "api_key"}}
		switch strings.ToLower(s.In) {
		case "header":
			if !headerNameRE.MatchString(s.Name) {
				return toolkits.AuthScheme{}, fmt.Sprintf("skipped: %q is not a header name", s.Name)
			}
			sch.Apply.Header = s.Name
		case "query":
			if !queryNameRE.MatchString(s.Name) {
				return toolkits.AuthScheme{}, fmt.Sprintf("skipped: %q is not a query parameter name the catalog allows", s.Name)
			}
			sch.Apply.Query = s.Name
		default:
			return toolkits.AuthScheme{}, fmt.Sprintf("skipped: an API key in %q cannot be sent; only header and query keys can", s.In)
		}
		return sch, ""
	case "http":
		switch strings.ToLower(s.Scheme) {
		case "bearer":
			return toolkits.AuthScheme{
				Mode: toolkits.ModeBearerToken,
				Fields: []toolkits.Field{{
					Name: "token", DisplayName: "Token", Type: "string", Required: true, Secret: true,
					Description: orText(desc, "The bearer token, sent as Authorization: Bearer <token> (RFC 6750 §2.1)."),
				}},
				Apply: toolkits.Apply{Header: "Authorization", Prefix: "Bearer ", Field: "token"},
			}, ""
		case "basic":
			return toolkits.AuthScheme{
				Mode: toolkits.ModeBasic,
				Fields: []toolkits.Field{
					{Name: "username", DisplayName: "Username", Type: "string", Required: true, Description: orText(desc, "The user name of HTTP Basic authentication (RFC 7617).")},
					{Name: "password", DisplayName: "Password", Type: "string", Required: true, Secret: true, Description: "The password of HTTP Basic authentication (RFC 7617)."},
				},
			}, ""
		}
		return toolkits.AuthScheme{}, fmt.Sprintf("skipped: HTTP authentication scheme %q is not supported; bearer and basic are", s.Scheme)
	case "openidconnect":
		return toolkits.AuthScheme{}, "skipped: OpenID Connect discovery needs the provider's configuration document, which an import does not fetch"
	}
	return toolkits.AuthScheme{}, fmt.Sprintf("skipped: security scheme type %q is not supported", s.Type)
}

// resolveURL resolves a flow URL, which OpenAPI allows to be relative to
// the server, against the base URL, and checks that it is https.
func resolveURL(base, ref string) (string, error) {
	b, err := url.Parse(base + "/")
	if err != nil {
		return "", err
	}
	r, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	if !r.IsAbs() && strings.HasPrefix(ref, "/") {
		// An absolute path is relative to the server's origin.
		b.Path = ""
	}
	u := b.ResolveReference(r)
	if u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("not https: %s", u)
	}
	return u.String(), nil
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
