package toolkits

import (
	"strings"
	"testing"
)

// robotYAML is a toolkit of the client credentials grant whose base URL
// is filled from a connection field as well.
const robotYAML = `slug: robot
name: Robot
description: A machine-to-machine API.
logo: https://example.com/robot.png
categories: [{slug: test, name: Test}]
base_url: https://{tenant}.robot.example
auth_schemes:
  - mode: OAUTH2
    oauth2:
      grant: client_credentials
      token_url: https://auth.robot.example/token
      default_scopes: [read]
      scope_separator: " "
      scope_param: scope
      token_encoding: form
      token_auth: header
    fields:
      - {name: tenant, display_name: Tenant, description: Your tenant., type: string, required: true}
      - {name: client_id, display_name: Client ID, description: The client's id., type: string, required: true}
      - {name: client_secret, display_name: Client secret, description: The client's secret., type: string, required: true, secret: true}
    apply: {header: Authorization, prefix: "Bearer ", field: access_token}
`

func TestClientCredentialsScheme(t *testing.T) {
	d, err := Parse("robot.yaml", []byte(robotYAML))
	if err != nil {
		t.Fatal(err)
	}
	tenant := strings.Replace(robotYAML, "token_url: https://auth.robot.example/token", "token_url: https://{tenant}.auth.robot.example/token", 1)
	if td, err := Parse("robot.yaml", []byte(tenant)); err != nil {
		t.Errorf("a templated token URL: %v", err)
	} else if got := td.TemplateFields(); len(got) != 1 || got[0] != "tenant" {
		t.Errorf("TemplateFields() = %v, want [tenant]", got)
	}
	if s := d.AuthSchemes[0]; !s.ClientCredentials() || s.SignIn() {
		t.Errorf("ClientCredentials() = %v, SignIn() = %v, want true, false", s.ClientCredentials(), s.SignIn())
	}
	cat, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range cat.List() {
		for _, s := range tk.AuthSchemes {
			if s.ClientCredentials() || s.SignIn() != (s.Mode == ModeOAuth2) {
				t.Errorf("built-in %s %s: ClientCredentials %v, SignIn %v", tk.Slug, s.Mode, s.ClientCredentials(), s.SignIn())
			}
		}
	}
	checkEdits(t, "robot.yaml", robotYAML, []fileEdit{
		{"authorization url", "      grant: client_credentials\n", "      grant: client_credentials\n      authorization_url: https://auth.robot.example/authorize\n", "auth_schemes[0].oauth2.authorization_url: must be absent for the client_credentials grant"},
		{"no secret field", "      - {name: client_secret, display_name: Client secret, description: The client's secret., type: string, required: true, secret: true}\n", "", `needs a required, secret "client_secret" field`},
		{"secret not secret", "required: true, secret: true}", "required: true}", `needs a required, secret "client_secret" field`},
		{"no client id", "{name: client_id,", "{name: client_key,", `needs a required "client_id" field`},
		{"token key field", "{name: tenant,", "{name: scope,", `"scope" is the name of a token field`},
		{"json encoding", "token_encoding: form", "token_encoding: json", `token_encoding: must be "form" for the client_credentials grant`},
		{"pkce", "      token_auth: header\n", "      token_auth: header\n      pkce: true\n", "are for the authorization_code grant only"},
		{"comma scopes", `scope_separator: " "`, `scope_separator: ","`, `scope_separator: must be " " (RFC 6749 §3.3) or ""`},
		{"apply in the query", "apply: {header: Authorization, prefix: \"Bearer \", field: access_token}", "apply: {query: token, field: access_token}", `apply: must name a header and the field "access_token"`},
		{"unknown grant", "grant: client_credentials", "grant: password", `grant: must be "authorization_code" or "client_credentials", got "password"`},
		{"token url template field", "token_url: https://auth.robot.example/token", "token_url: https://{region}.auth.robot.example/token", `auth_schemes[0].oauth2.token_url: placeholder {region} must name a field`},
		{"token url template path", "token_url: https://auth.robot.example/token", "token_url: https://auth.robot.example/{tenant}/token", `auth_schemes[0].oauth2.token_url: placeholders are only allowed in the host`},
	})
}

// TestJSONSchema_ClientCredentials: the schema takes the client
// credentials scheme with its fields, and refuses it with an
// authorization URL; it still refuses fields on an authorization code
// scheme.
func TestJSONSchema_ClientCredentials(t *testing.T) {
	s := compileFormatSchema(t)
	js, _, ps := yamlToJSON("robot.yaml", []byte(robotYAML))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if err := validateInstance(t, s, js); err != nil {
		t.Errorf("robot.yaml does not validate against the schema: %v", err)
	}
	for _, tt := range []struct{ name, old, new string }{
		{"authorization url", `"grant":"client_credentials"`, `"grant":"client_credentials","authorization_url":"https://auth.robot.example/a"`},
		{"code grant with fields", `"grant":"client_credentials","token_url"`, `"authorization_url":"https://auth.robot.example/a","token_url"`},
	} {
		bad := strings.Replace(string(js), tt.old, tt.new, 1)
		if bad == string(js) {
			t.Fatalf("%s: the edit does not apply to %s", tt.name, js)
		}
		if err := validateInstance(t, s, []byte(bad)); err == nil {
			t.Errorf("%s: the schema accepts it", tt.name)
		}
	}
}
