package toolkits

import (
	"fmt"
	"net/url"
	"strings"
)

// CredentialHostsChanged names the settings of a toolkit that send
// credentials somewhere whose origin (scheme, host and port) differs
// between old and next: the base URL (every call's token or key), each
// OAuth2 scheme's authorization and token URLs (where users sign in, and
// where client secrets, codes and refresh tokens go) and the identity
// request (an access token), and an MCP toolkit's server URL (every
// call's credential). A toolkit's accounts were connected for the
// old origins, so callers refuse such a change while accounts exist.
func CredentialHostsChanged(old, next Toolkit) []string {
	var changed []string
	diff := func(field, a, b string) {
		if origin(a) != origin(b) {
			changed = append(changed, field)
		}
	}
	diff("base_url", old.BaseURL, next.BaseURL)
	for _, sc := range old.AuthSchemes {
		if sc.OAuth2 == nil {
			continue
		}
		ns, _ := next.Scheme(sc.Mode)
		var nu, nt string
		if ns.OAuth2 != nil {
			nu, nt = ns.OAuth2.AuthorizationURL, ns.OAuth2.TokenURL
		}
		diff("auth_schemes.oauth2.authorization_url", sc.OAuth2.AuthorizationURL, nu)
		diff("auth_schemes.oauth2.token_url", sc.OAuth2.TokenURL, nt)
	}
	var om, nm string
	if old.MCP != nil {
		om = old.MCP.URL
	}
	if next.MCP != nil {
		nm = next.MCP.URL
	}
	if om != "" || nm != "" {
		diff("mcp.url", om, nm)
	}
	var oi, ni string
	if old.Identity != nil {
		oi = old.Identity.URL
	}
	if next.Identity != nil {
		ni = next.Identity.URL
	}
	if ni != "" { // no identity request sends nothing
		diff("identity.url", oi, ni)
	}
	return changed
}

// origin is a URL's scheme, host and port, lower case; the port is the
// scheme's default when the URL gives none. A URL template's origin keeps
// its placeholders, so "https://{subdomain}.zendesk.com" and
// "https://{subdomain}.zendesk.com/v2" share one, and a template never
// shares one with a plain URL. Text that is no URL is its own origin, so
// any change to it counts.
func origin(raw string) string {
	if IsTemplate(raw) {
		_, rest, _ := strings.Cut(raw, "://")
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			rest = rest[:i]
		}
		if !strings.Contains(rest, ":") {
			rest += ":443"
		}
		scheme, _, _ := strings.Cut(raw, "://")
		return "template " + strings.ToLower(scheme) + "://" + strings.ToLower(rest)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "?" + raw
	}
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return fmt.Sprintf("%s://%s:%s", strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), port)
}
