package toolkits

import (
	"strings"
	"testing"
)

// publicYAML is a toolkit of a public API: NO_AUTH, no identity.
const publicYAML = `slug: public
name: Public
description: A public API of facts.
logo: https://example.com/public.png
categories: [{slug: reference, name: Reference}]
base_url: https://api.public.example
auth_schemes:
  - mode: NO_AUTH
version: "20260601_00"
errors: http
tools:
  - slug: PUBLIC_GET_FACT
    name: Get fact
    description: Gets one fact by its id.
    tags: [readOnlyHint]
    input:
      type: object
      properties:
        id: {type: string, description: The fact's id.}
      required: [id]
    output: {type: object}
    request: {method: GET, path: "/facts/{id}"}
`

func TestNoAuth(t *testing.T) {
	d, err := Parse("public.yaml", []byte(publicYAML))
	if err != nil {
		t.Fatal(err)
	}
	if !d.NoAuth() {
		t.Errorf("NoAuth() = false for a toolkit whose one scheme is NO_AUTH")
	}
	cat, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range cat.List() {
		if tk.NoAuth() {
			t.Errorf("built-in %s reports NoAuth", tk.Slug)
		}
	}
	checkEdits(t, "public.yaml", publicYAML, []fileEdit{
		{"apply", "  - mode: NO_AUTH\n", "  - mode: NO_AUTH\n    apply: {header: X-Key, field: key}\n", "auth_schemes[0].apply: must be empty for NO_AUTH"},
		{"oauth2", "  - mode: NO_AUTH\n", "  - mode: NO_AUTH\n    oauth2: {authorization_url: https://a.example/a, token_url: https://a.example/t, token_encoding: form, token_auth: params}\n", "auth_schemes[0].oauth2: is only allowed for mode OAUTH2"},
		{"identity", "version:", "identity: {url: https://api.public.example/me, method: GET, source: endpoint, display: name, id: [id]}\nversion:", "identity: must be absent for a NO_AUTH toolkit"},
	})
}

// TestJSONSchema_NoAuth: the schema takes a NO_AUTH scheme, and refuses
// one with fields, as Parse does.
func TestJSONSchema_NoAuth(t *testing.T) {
	s := compileFormatSchema(t)
	js, _, ps := yamlToJSON("public.yaml", []byte(publicYAML))
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if err := validateInstance(t, s, js); err != nil {
		t.Errorf("public.yaml does not validate against the schema: %v", err)
	}
	bad := strings.Replace(string(js), `{"mode":"NO_AUTH"}`, `{"mode":"NO_AUTH","fields":[{"name":"k","display_name":"K","description":"K","type":"string"}]}`, 1)
	if bad == string(js) {
		t.Fatalf("the edit does not apply to %s", js)
	}
	if err := validateInstance(t, s, []byte(bad)); err == nil {
		t.Errorf("the schema accepts a NO_AUTH scheme with fields")
	}
}
