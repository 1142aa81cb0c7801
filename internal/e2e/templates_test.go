package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
)

// hostRecorder is an https upstream on 127.0.0.1 with a certificate for
// the given localhost names; it answers with the host it was asked for.
type hostRecorder struct {
	*httptest.Server
	pool  *x509.CertPool
	mu    sync.Mutex
	hosts []string
	auth  []string
}

func newHostRecorder(t *testing.T, names ...string) *hostRecorder {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	rec := &hostRecorder{pool: x509.NewCertPool()}
	rec.pool.AddCert(cert)
	rec.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.hosts = append(rec.hosts, r.Host+r.URL.Path)
		rec.auth = append(rec.auth, r.Header.Get("X-Api-Key"))
		rec.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"host": r.Host})
	}))
	rec.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	rec.StartTLS()
	t.Cleanup(rec.Close)
	return rec
}

func (r *hostRecorder) seen() (hosts, keys []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.hosts...), append([]string(nil), r.auth...)
}

// newAuthConfig creates an auth config from a raw body and returns its id.
func newAuthConfig(t *testing.T, s *server, body string) string {
	t.Helper()
	st, b := call(t, s, testKey, "POST", "/api/v3.1/auth_configs", body)
	var ac struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	if json.Unmarshal([]byte(b), &ac); st != 201 || ac.AuthConfig.ID == "" {
		t.Fatalf("create auth config %s: %d %s", body, st, b)
	}
	return ac.AuthConfig.ID
}

// tenantToolkit is an API_KEY toolkit whose base URL is filled from the
// connection's subdomain field, on localhost at port.
func tenantToolkit(port, suffix string) string {
	return `{
  "slug": "tenant", "name": "Tenant", "description": "A helpdesk with one host per customer.",
  "logo": "https://example.com/tenant.png", "categories": [{"slug": "support", "name": "Support"}],
  "base_url": "https://{subdomain}.` + suffix + `:` + port + `/api/v2",
  "auth_schemes": [{
    "mode": "API_KEY",
    "fields": [
      {"name": "subdomain", "display_name": "Subdomain", "description": "Your helpdesk's subdomain.", "type": "string", "required": true},
      {"name": "api_key", "display_name": "API key", "description": "The key.", "type": "string", "required": true, "secret": true}
    ],
    "apply": {"header": "X-Api-Key", "field": "api_key"}
  }],
  "version": "20260101_00", "errors": "http", "tools": [{
  "slug": "TENANT_GET_ME", "name": "Get me", "description": "Gets the signed-in user.",
  "tags": ["readOnlyHint"],
  "input": {"type": "object", "properties": {}},
  "output": {"type": "object", "properties": {}},
  "request": {"method": "GET", "path": "/users/me"}
}]
}`
}

// TestTemplatedBaseURL: a toolkit's base URL filled from a connection
// field sends each account's calls to its own host; a value that would
// leave the toolkit's domain is refused when the account connects, and
// stores nothing; and the credential host rule sees the template. It runs
// on both stores.
func TestTemplatedBaseURL(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { templatedBaseURL(t, "") })
	t.Run("postgres", func(t *testing.T) { templatedBaseURL(t, postgrestest.URL(t)) })
}

func templatedBaseURL(t *testing.T, dsn string) {
	up := newHostRecorder(t, "acme.localhost", "globex.localhost")
	port := up.Listener.Addr().String()[strings.LastIndex(up.Listener.Addr().String(), ":")+1:]
	s := startServer(t, serverOptions{DatabaseURL: dsn, RootCAs: up.pool})
	if st, b := call(t, s, testKey, "POST", "/api/v3.1/custom_toolkits", tenantToolkit(port, "localhost")); st != 201 {
		t.Fatalf("create the toolkit: %d %s", st, b)
	}
	ac := newAuthConfig(t, s, `{"toolkit":{"slug":"tenant"},"auth_config":{"type":"use_custom_auth","authScheme":"API_KEY"}}`)
	connect := func(user, subdomain, key string) (int, string) {
		return call(t, s, testKey, "POST", "/api/v3.1/connected_accounts",
			`{"auth_config":{"id":"`+ac+`"},"connection":{"user_id":"`+user+`","state":{"authScheme":"API_KEY","val":{"subdomain":"`+subdomain+`","api_key":"`+key+`"}}}}`)
	}
	before := snapshot(t, s)
	for _, bad := range []string{"evil.example.com/x", "acme.evil", "x@evil", "acme:1", "-acme", ""} {
		if st, b := connect("user_1", bad, "k_bad"); st != 400 || !strings.Contains(b, "subdomain") {
			t.Errorf("connect with subdomain %q: %d %s, want 400 naming subdomain", bad, st, b)
		}
	}
	if after := snapshot(t, s); after != before {
		t.Errorf("refused connections changed the project:\n%s\nthen\n%s", before, after)
	}

	var ids []string
	for _, c := range []struct{ user, sub, key string }{{"user_1", "ACME", "k_acme"}, {"user_2", "globex", "k_globex"}} {
		st, b := connect(c.user, c.sub, c.key)
		if st != 201 || !strings.Contains(b, `"status":"ACTIVE"`) {
			t.Fatalf("connect %s: %d %s", c.sub, st, b)
		}
		var ca struct{ ID string }
		json.Unmarshal([]byte(b), &ca)
		ids = append(ids, ca.ID)
		st, b = call(t, s, testKey, "POST", "/api/v3.1/tools/execute/TENANT_GET_ME", `{"connected_account_id":"`+ca.ID+`","arguments":{}}`)
		if st != 200 || !strings.Contains(b, `"successful":true`) {
			t.Errorf("execute as %s: %d %s", c.sub, st, b)
		}
	}
	hosts, keys := up.seen()
	want := []string{"acme.localhost:" + port + "/api/v2/users/me", "globex.localhost:" + port + "/api/v2/users/me"}
	if strings.Join(hosts, " ") != strings.Join(want, " ") || strings.Join(keys, " ") != "k_acme k_globex" {
		t.Errorf("the upstream saw %v with keys %v, want %v", hosts, keys, want)
	}

	// While accounts exist, the template may not move to another domain.
	moved := tenantToolkit(port, "other.localhost")
	if st, b := call(t, s, testKey, "PUT", "/api/v3.1/custom_toolkits/tenant", moved); st != 400 || !strings.Contains(b, "credential_host_change") {
		t.Errorf("moving the template: %d %s, want 400 credential_host_change", st, b)
	}
	samePath := strings.Replace(tenantToolkit(port, "localhost"), "/api/v2", "/api/v3", 1)
	if st, b := call(t, s, testKey, "PUT", "/api/v3.1/custom_toolkits/tenant", samePath); st != 200 {
		t.Errorf("a new path on the same template host: %d %s", st, b)
	}
}
