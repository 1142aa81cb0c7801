package authconfigs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/oauth2"

	"github.com/switchboard-dev/switchboard/internal/oauth"
	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

const tenantMachine = `slug: tenantbot
name: Tenant bot
description: A machine-to-machine API with one token endpoint per tenant.
logo: https://example.com/t.png
categories: [{slug: test, name: Test}]
base_url: https://{tenant}.tenantbot.example/api
auth_schemes:
  - mode: OAUTH2
    oauth2: {grant: client_credentials, token_url: "https://{tenant}.tenantbot.example/oauth/token", default_scopes: [read], scope_separator: " ", scope_param: scope, token_encoding: form, token_auth: params}
    fields:
      - {name: tenant, display_name: Tenant, description: Your tenant., type: string, required: true}
      - {name: client_id, display_name: Client ID, description: The id., type: string, required: true}
      - {name: client_secret, display_name: Client secret, description: The secret., type: string, required: true, secret: true}
    apply: {header: Authorization, prefix: "Bearer ", field: access_token}
`

// TestMachine: the client of the client credentials grant takes the
// account's pair, the toolkit's token URL filled from the account's
// fields, and the auth config's scopes; a field that would move the token
// request off the toolkit's domain is refused; an authorization code
// config has none.
func TestMachine(t *testing.T) {
	d, err := toolkits.Parse("tenantbot.yaml", []byte(tenantMachine))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := toolkits.New(d)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Unix(0, 0) }
	s := &Service{Catalog: cat, Now: now}
	ac := store.AuthConfig{ID: "ac_1", ToolkitSlug: "tenantbot", AuthScheme: "OAUTH2", Params: map[string]string{"scopes": "read write"}}
	m, err := s.Machine(context.Background(), ac, map[string]string{"tenant": "Acme", "client_id": "cid", "client_secret": "cs"})
	if err != nil {
		t.Fatal(err)
	}
	want := oauth.Machine{ClientID: "cid", ClientSecret: "cs", TokenURL: "https://acme.tenantbot.example/oauth/token", Scopes: []string{"read", "write"}, AuthStyle: oauth2.AuthStyleInParams}
	if diff := cmp.Diff(want, m, cmpopts.IgnoreFields(oauth.Machine{}, "Now")); diff != "" {
		t.Errorf("Machine (-want +got):\n%s", diff)
	}
	if _, err := s.Machine(context.Background(), ac, map[string]string{"tenant": "evil.example/x", "client_id": "cid", "client_secret": "cs"}); err == nil || !strings.Contains(err.Error(), "tenant") {
		t.Errorf("a tenant off the domain: got %v, want an error naming tenant", err)
	}
	builtin, err := toolkits.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	s.Catalog = builtin
	if _, err := s.Machine(context.Background(), store.AuthConfig{ID: "ac_2", ToolkitSlug: "gmail", AuthScheme: "OAUTH2"}, nil); err == nil {
		t.Error("an authorization code config gave a client credentials client")
	}
}
