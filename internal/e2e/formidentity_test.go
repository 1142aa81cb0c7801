package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/switchboard-dev/switchboard/internal/store/postgres/postgrestest"
	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// keyIdentityCatalog holds an API-key toolkit with an identity request,
// GET {base}/me with the key in X-Api-Key.
var keyIdentityCatalog = fstest.MapFS{
	"keyid.json": {Data: []byte(`{
  "slug": "keyid", "name": "KeyID", "description": "An API whose keys say whose they are.",
  "logo": "https://example.com/keyid.png", "categories": [{"slug": "test", "name": "Test"}],
  "base_url": "https://api.keyid.example/v1",
  "auth_schemes": [{
    "mode": "API_KEY",
    "fields": [{"name": "api_key", "display_name": "API key", "description": "The key.", "type": "string", "required": true, "secret": true}],
    "apply": {"header": "X-Api-Key", "field": "api_key"}
  }],
  "identity": {"url": "https://api.keyid.example/v1/me", "method": "GET", "source": "endpoint", "display": "email", "id": ["id"]},
  "version": "20260101_00", "errors": "http", "tools": [{
  "slug": "KEYID_GET_ME", "name": "Get me", "description": "Gets the key's user.",
  "tags": ["readOnlyHint"],
  "input": {"type": "object", "properties": {}},
  "output": {"type": "object", "properties": {}},
  "request": {"method": "GET", "path": "/me"}
}]
}`)},
}

// keyUpstream is the KeyID API: each known key names its user (k-user-N
// user N), k-down gets a 503, any other key a 401. It counts the identity requests of each
// key.
type keyUpstream struct {
	*httptest.Server
	mu    sync.Mutex
	calls map[string]int
}

// keyUsers are the users of keyUpstream's keys: two keys of one person
// (a rotated key), and another person.
var keyUsers = map[string]string{
	"k-alice-1": `{"id": 42, "email": "alice@keyid.example"}`,
	"k-alice-2": `{"id": 42, "email": "alice@keyid.example"}`,
	"k-bob":     `{"id": 7, "email": "bob@keyid.example"}`,
}

func newKeyUpstream(t testing.TB) *keyUpstream {
	up := &keyUpstream{calls: map[string]int{}}
	up.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("X-Api-Key")
		up.mu.Lock()
		up.calls[key]++
		up.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		body, ok := keyUsers[key]
		if n, found := strings.CutPrefix(key, "k-user-"); found {
			body, ok = `{"id": "u`+n+`", "email": "user`+n+`@keyid.example"}`, true
		}
		switch {
		case r.URL.Path != "/v1/me":
			http.NotFound(w, r)
		case key == "k-down":
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"message": "maintenance"}`))
		case !ok:
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message": "bad key ` + key + `"}`))
		default:
			w.Write([]byte(body))
		}
	}))
	t.Cleanup(up.Close)
	return up
}

func (u *keyUpstream) count(key string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.calls[key]
}

// accountJSON is the part of account JSON the identity tests read.
type accountJSON struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	StatusReason string `json:"status_reason"`
	Identity     string `json:"identity"`
	IdentityID   string `json:"identity_id"`
	SupersededBy string `json:"superseded_by"`
	Health       struct {
		Status    string `json:"status"`
		LastError string `json:"last_error"`
	} `json:"health"`
}

// TestFormIdentity: an API-key connection runs the toolkit's identity
// request with the key, through the REST create and the hosted form, and
// records who the key belongs to; a reconnection of the same person
// supersedes the older account as OAuth2 ones do, and reject refuses it;
// a key the provider answers 401 to is refused with invalid_credential and
// nothing is stored; a provider that cannot answer leaves the account
// connected but unverified. On both stores, against a real upstream.
func TestFormIdentity(t *testing.T) {
	cat, err := toolkits.Load(keyIdentityCatalog)
	if err != nil {
		t.Fatal(err)
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			o := serverOptions{Catalog: cat}
			if backend == "postgres" {
				o.DatabaseURL = postgrestest.URL(t)
			}
			testFormIdentity(t, startServer(t, o), newKeyUpstream(t))
		})
	}
}

func testFormIdentity(t *testing.T, s *server, up *keyUpstream) {
	status, b := call(t, s, testKey, "POST", "/api/v3.1/auth_configs",
		`{"toolkit":{"slug":"keyid"},"auth_config":{"type":"use_custom_auth","authScheme":"API_KEY","credentials":{"base_url":"`+up.URL+`/v1"}}}`)
	if status != 201 {
		t.Fatalf("create auth config: %d %s", status, b)
	}
	var created struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	json.Unmarshal([]byte(b), &created)
	acID := created.AuthConfig.ID

	getAccount := func(id string) accountJSON {
		t.Helper()
		status, b := call(t, s, testKey, "GET", "/api/v3.1/connected_accounts/"+id, "")
		if status != 200 {
			t.Fatalf("get %s: %d %s", id, status, b)
		}
		var a accountJSON
		if err := json.Unmarshal([]byte(b), &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	create := func(user, key string) (int, string) {
		t.Helper()
		return call(t, s, testKey, "POST", "/api/v3.1/connected_accounts",
			`{"auth_config":{"id":"`+acID+`"},"connection":{"user_id":"`+user+`","state":{"authScheme":"API_KEY","val":{"api_key":"`+key+`"}}}}`)
	}
	count := func(user string) int {
		t.Helper()
		status, b := call(t, s, testKey, "GET", "/api/v3.1/connected_accounts?user_ids="+user, "")
		if status != 200 {
			t.Fatalf("list: %d %s", status, b)
		}
		var page struct{ Items []accountJSON }
		json.Unmarshal([]byte(b), &page)
		return len(page.Items)
	}
	idOf := func(b string) string {
		var a accountJSON
		json.Unmarshal([]byte(b), &a)
		return a.ID
	}

	// The REST create names the account and verifies the key.
	status, b = create("user_1", "k-alice-1")
	if status != 201 {
		t.Fatalf("create with k-alice-1: %d %s", status, b)
	}
	first := idOf(b)
	if a := getAccount(first); a.Status != "ACTIVE" || a.Identity != "alice@keyid.example" || a.IdentityID != "42" || a.Health.Status != "ok" {
		t.Errorf("first account: %+v; want ACTIVE alice@keyid.example (42), health ok", a)
	}
	if up.count("k-alice-1") != 1 {
		t.Errorf("identity requests with k-alice-1: %d, want 1", up.count("k-alice-1"))
	}

	// A key the provider refuses: 400, nothing stored, the key not echoed.
	status, b = create("user_1", "k-wrong")
	if status != 400 || !strings.Contains(b, "invalid_credential") || !strings.Contains(b, "HTTP 401") || strings.Contains(b, "k-wrong") {
		t.Errorf("create with a refused key: %d %s; want 400 invalid_credential naming the 401, without the key", status, b)
	}
	if up.count("k-wrong") != 1 {
		t.Errorf("identity requests with k-wrong: %d, want 1", up.count("k-wrong"))
	}
	if n := count("user_1"); n != 1 {
		t.Errorf("user_1 has %d accounts after the refused key, want 1", n)
	}

	// The hosted form: the same person's rotated key supersedes the first
	// account.
	status, b = call(t, s, testKey, "POST", "/api/v3.1/connected_accounts/link", `{"auth_config_id":"`+acID+`","user_id":"user_1"}`)
	if status != 201 {
		t.Fatalf("link: %d %s", status, b)
	}
	var link struct {
		RedirectURL      string `json:"redirect_url"`
		ConnectedAccount string `json:"connected_account_id"`
	}
	json.Unmarshal([]byte(b), &link)
	post := func(u, key string) (int, string) {
		t.Helper()
		r, err := http.PostForm(u, url.Values{"api_key": {key}})
		if err != nil {
			t.Fatal(err)
		}
		return r.StatusCode, body(r)
	}
	// A refused key shows the form again and leaves the account waiting.
	if status, page := post(link.RedirectURL, "k-stale"); status != 400 || !strings.Contains(page, "refused this API key") {
		t.Errorf("form with a refused key: %d %s", status, page)
	}
	if a := getAccount(link.ConnectedAccount); a.Status != "INITIATED" {
		t.Errorf("after a refused form the account is %s, want INITIATED", a.Status)
	}
	if status, page := post(link.RedirectURL, "k-alice-2"); status != 200 || !strings.Contains(page, "connected") {
		t.Fatalf("form with k-alice-2: %d %s", status, page)
	}
	second := getAccount(link.ConnectedAccount)
	if second.Status != "ACTIVE" || second.IdentityID != "42" || second.Health.Status != "ok" {
		t.Errorf("second account: %+v; want ACTIVE, identity 42, ok", second)
	}
	if a := getAccount(first); a.Status != "INACTIVE" || a.SupersededBy != second.ID || a.StatusReason != "superseded by "+second.ID {
		t.Errorf("first account after the same person's new key: %+v; want INACTIVE, superseded by %s", a, second.ID)
	}

	// Another person's key is an account of its own; a provider that
	// cannot answer connects the key unverified.
	status, b = create("user_1", "k-bob")
	if status != 201 {
		t.Fatalf("create with k-bob: %d %s", status, b)
	}
	if a := getAccount(second.ID); a.Status != "ACTIVE" {
		t.Errorf("another identity superseded %s: %+v", second.ID, a)
	}
	status, b = create("user_1", "k-down")
	if status != 201 {
		t.Fatalf("create with k-down: %d %s", status, b)
	}
	if a := getAccount(idOf(b)); a.Status != "ACTIVE" || a.Identity != "" || a.Health.Status != "unverified" {
		t.Errorf("account connected while the provider was down: %+v; want ACTIVE, unnamed, unverified", a)
	}

	// Under reject, the same person again is refused, and nothing is made.
	status, b = call(t, s, testKey, "PATCH", "/api/v3.1/auth_configs/"+acID, `{"type":"custom","duplicate_policy":"reject"}`)
	if status != 200 {
		t.Fatalf("set reject: %d %s", status, b)
	}
	before := count("user_1")
	status, b = create("user_1", "k-alice-1")
	if status != 400 || !strings.Contains(b, "identity_already_connected") || !strings.Contains(b, second.ID) {
		t.Errorf("create of a connected identity under reject: %d %s; want 400 identity_already_connected naming %s", status, b, second.ID)
	}
	if n := count("user_1"); n != before {
		t.Errorf("user_1 has %d accounts after the refused duplicate, want %d", n, before)
	}
	if a := getAccount(second.ID); a.Status != "ACTIVE" {
		t.Errorf("the existing account after the refused duplicate: %+v", a)
	}
	// The same person under another user id is not a duplicate.
	if status, b := create("user_2", "k-alice-1"); status != 201 {
		t.Errorf("the same identity for user_2 under reject: %d %s, want 201", status, b)
	}
}
