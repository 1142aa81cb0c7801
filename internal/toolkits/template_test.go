package toolkits

import (
	"errors"
	"strings"
	"testing"
)

// tenantYAML is a toolkit whose base URL and identity URL are filled from
// the connection's non-secret subdomain field.
const tenantYAML = `slug: tenant
name: Tenant
description: A helpdesk with one host per customer.
logo: https://example.com/tenant.png
categories: [{slug: support, name: Support}]
base_url: https://{subdomain}.tenant.example/api/v2
auth_schemes:
  - mode: BASIC
    fields:
      - {name: subdomain, display_name: Subdomain, description: The part before .tenant.example., type: string, required: true}
      - {name: username, display_name: Email, description: Your email., type: string, required: true}
      - {name: password, display_name: API token, description: An API token., type: string, required: true, secret: true}
    apply: {}
  - mode: API_KEY
    fields:
      - {name: subdomain, display_name: Subdomain, description: The part before .tenant.example., type: string, required: true}
      - {name: api_key, display_name: API key, description: The key., type: string, required: true, secret: true}
    apply: {header: X-Api-Key, field: api_key}
identity:
  url: https://{subdomain}.tenant.example/api/v2/users/me
  method: GET
  source: endpoint
  display: user.email
  id: [user.id]
`

func TestURLTemplates(t *testing.T) {
	d, err := Parse("tenant.yaml", []byte(tenantYAML))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.TemplateFields(); len(got) != 1 || got[0] != "subdomain" {
		t.Errorf("TemplateFields() = %v, want [subdomain]", got)
	}
	base, id, err := d.URLs(map[string]string{"subdomain": "Acme-2"})
	if err != nil || base != "https://acme-2.tenant.example/api/v2" || id != "https://acme-2.tenant.example/api/v2/users/me" {
		t.Errorf("URLs(Acme-2) = %q, %q, %v", base, id, err)
	}
	for _, v := range []string{"", "evil.com/x", "a.evil", "evil.com#", "x@evil.com", "-a", "a-", "a b", "a:1", strings.Repeat("a", 64), "ä"} {
		_, _, err := d.URLs(map[string]string{"subdomain": v})
		var te *TemplateError
		if !errors.As(err, &te) || te.Field != "subdomain" {
			t.Errorf("URLs(%q) = %v, want a TemplateError for subdomain", v, err)
		}
	}
	if got, err := FillURL("https://api.example.com", nil); err != nil || got != "https://api.example.com" {
		t.Errorf("FillURL of a plain URL = %q, %v", got, err)
	}

	checkEdits(t, "tenant.yaml", tenantYAML, []fileEdit{
		{"unknown field", "https://{subdomain}.tenant.example/api/v2\n", "https://{sub}.tenant.example/api/v2\n", "base_url: placeholder {sub} must name a field of every auth scheme, but auth_schemes[0] (BASIC) has none"},
		{"secret field", "https://{subdomain}.tenant.example/api/v2\n", "https://{password}.tenant.example/api/v2\n", `base_url: placeholder {password} must name a required, non-secret field`},
		{"in the path", "https://{subdomain}.tenant.example/api/v2\n", "https://api.tenant.example/{subdomain}\n", "base_url: placeholders are only allowed in the host"},
		{"part of a label", "https://{subdomain}.tenant.example/api/v2\n", "https://x{subdomain}.tenant.example/api/v2\n", "base_url: a placeholder must be a whole label"},
		{"no fixed suffix", "https://{subdomain}.tenant.example/api/v2\n", "https://tenant.{subdomain}/api/v2\n", "base_url: the host must keep a fixed suffix of at least two labels"},
		{"one label suffix", "https://{subdomain}.tenant.example/api/v2\n", "https://{subdomain}.example/api/v2\n", "base_url: the host must keep a fixed suffix"},
		{"bad placeholder", "https://{subdomain}.tenant.example/api/v2\n", "https://{Sub-Domain}.tenant.example/api/v2\n", "base_url: placeholders must be {name}"},
		{"http", "https://{subdomain}.tenant.example/api/v2\n", "http://{subdomain}.tenant.example/api/v2\n", "base_url: must be an absolute https URL"},
		{"identity field", "https://{subdomain}.tenant.example/api/v2/users/me", "https://{region}.tenant.example/api/v2/users/me", "identity.url: placeholder {region} must name a field"},
		{"oauth2 has no fields", "  - mode: API_KEY\n", "  - mode: OAUTH2\n    oauth2: {authorization_url: https://a.tenant.example/a, token_url: https://a.tenant.example/t, token_encoding: form, token_auth: params}\n    apply: {header: Authorization, prefix: 'Bearer ', field: access_token}\n  - mode: BEARER_TOKEN\n", "placeholder {subdomain} must name a field of every auth scheme, but auth_schemes[1] (OAUTH2) has none"},
	})
	// A localhost suffix is fixed enough: it never leaves the machine.
	local := strings.Replace(tenantYAML, "https://{subdomain}.tenant.example/api/v2\n", "https://{subdomain}.localhost:8443/api/v2\n", 1)
	if _, err := Parse("tenant.yaml", []byte(local)); err != nil {
		t.Errorf("a localhost template: %v", err)
	}
}

// TestJSONSchema_Templates: the schema takes the templated file.
func TestJSONSchema_Templates(t *testing.T) {
	js, _, ps := yamlToJSON("tenant.yaml", []byte(tenantYAML))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if err := validateInstance(t, compileFormatSchema(t), js); err != nil {
		t.Errorf("tenant.yaml does not validate against the schema: %v", err)
	}
}
