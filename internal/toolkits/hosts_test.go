package toolkits

import (
	"slices"
	"testing"
)

func TestCredentialHostsChanged(t *testing.T) {
	base := Toolkit{
		BaseURL: "https://api.example.com/v1",
		AuthSchemes: []AuthScheme{{Mode: ModeOAuth2, OAuth2: &OAuth2Spec{
			AuthorizationURL: "https://auth.example.com/authorize", TokenURL: "https://auth.example.com/token"}}},
		Identity: &Identity{URL: "https://api.example.com/v1/me"},
	}
	clone := func(edit func(*Toolkit)) Toolkit {
		t := base
		o := *base.AuthSchemes[0].OAuth2
		t.AuthSchemes = []AuthScheme{{Mode: ModeOAuth2, OAuth2: &o}}
		id := *base.Identity
		t.Identity = &id
		edit(&t)
		return t
	}
	tests := []struct {
		name string
		next Toolkit
		want []string
	}{
		{"same", clone(func(*Toolkit) {}), nil},
		{"a new path on the same host", clone(func(t *Toolkit) { t.BaseURL = "https://api.example.com/v2" }), nil},
		{"the default port spelt out", clone(func(t *Toolkit) { t.BaseURL = "https://API.example.com:443/v1" }), nil},
		{"another host", clone(func(t *Toolkit) { t.BaseURL = "https://evil.example.net/v1" }), []string{"base_url"}},
		{"another port", clone(func(t *Toolkit) { t.BaseURL = "https://api.example.com:8443/v1" }), []string{"base_url"}},
		{"plain http", clone(func(t *Toolkit) { t.BaseURL = "http://api.example.com/v1" }), []string{"base_url"}},
		{"token url", clone(func(t *Toolkit) { t.AuthSchemes[0].OAuth2.TokenURL = "https://evil.example.net/token" }),
			[]string{"auth_schemes.oauth2.token_url"}},
		{"oauth2 scheme removed", clone(func(t *Toolkit) { t.AuthSchemes = nil }),
			[]string{"auth_schemes.oauth2.authorization_url", "auth_schemes.oauth2.token_url"}},
		{"identity moved", clone(func(t *Toolkit) { t.Identity.URL = "https://evil.example.net/me" }), []string{"identity.url"}},
		{"identity removed", clone(func(t *Toolkit) { t.Identity = nil }), nil},
		{"templated", clone(func(t *Toolkit) { t.BaseURL = "https://{tenant}.example.com/v1" }), []string{"base_url"}},
		{"templated to the same host", clone(func(t *Toolkit) { t.BaseURL = "https://{api}.example.com/v1" }), []string{"base_url"}},
	}
	noIdentity := base
	noIdentity.Identity = nil
	if got := CredentialHostsChanged(noIdentity, base); !slices.Equal(got, []string{"identity.url"}) {
		t.Errorf("an identity request added: got %v, want [identity.url]: it sends the access token", got)
	}
	// Between templates, the placeholders are part of the host.
	tmpl := base
	tmpl.BaseURL = "https://{tenant}.example.com/v1"
	for _, tt := range []struct {
		next string
		want bool
	}{
		{"https://{tenant}.example.com/v2", false},
		{"https://{TENANT}.example.com:443", false},
		{"https://{tenant}.evil.example.net/v1", true},
		{"https://{tenant}.example.com:8443/v1", true},
		{"https://{org}.example.com/v1", true},
		{"https://api.example.com/v1", true},
	} {
		next := tmpl
		next.BaseURL = tt.next
		if got := len(CredentialHostsChanged(tmpl, next)) > 0; got != tt.want {
			t.Errorf("%s to %s: changed = %v, want %v", tmpl.BaseURL, tt.next, got, tt.want)
		}
	}
	for _, tt := range tests {
		if got := CredentialHostsChanged(base, tt.next); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
