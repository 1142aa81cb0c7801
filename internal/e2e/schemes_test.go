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

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// seen is what a recording upstream received.
type seen struct {
	Path, Authorization string
	Query               url.Values
	User, Password      string
	Basic               bool
}

// recorder is an upstream API that answers every request with a JSON
// object and remembers what it got.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	last seen
}

func newRecorder(t *testing.T) *recorder {
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := seen{Path: r.URL.Path, Authorization: r.Header.Get("Authorization"), Query: r.URL.Query()}
		s.User, s.Password, s.Basic = r.BasicAuth()
		rec.mu.Lock()
		rec.last = s
		rec.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"data":{"viewer":{"id":"u1","email":"u1@example.com"}},"ok":true}`))
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (r *recorder) seen() seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// connectWith creates an auth config of toolkit and scheme whose API is at
// baseURL, and an ACTIVE account of user_123 with the given credentials,
// and returns a session pinned to it.
func connectWith(t *testing.T, s *server, toolkit, scheme, baseURL string, creds map[string]string) string {
	t.Helper()
	status, b := call(t, s, testKey, "POST", "/api/v3.1/auth_configs",
		`{"toolkit":{"slug":"`+toolkit+`"},"auth_config":{"type":"use_custom_auth","authScheme":"`+scheme+`","credentials":{"base_url":"`+baseURL+`"}}}`)
	if status != 201 {
		t.Fatalf("create %s auth config: %d %s", toolkit, status, b)
	}
	var ac struct {
		AuthConfig struct{ ID string } `json:"auth_config"`
	}
	json.Unmarshal([]byte(b), &ac)
	val, _ := json.Marshal(creds)
	status, b = call(t, s, testKey, "POST", "/api/v3.1/connected_accounts",
		`{"auth_config":{"id":"`+ac.AuthConfig.ID+`"},"connection":{"user_id":"user_123","state":{"authScheme":"`+scheme+`","val":`+string(val)+`}}}`)
	if status != 201 || !strings.Contains(b, `"status":"ACTIVE"`) {
		t.Fatalf("connect a %s account: %d %s", toolkit, status, b)
	}
	var ca struct{ ID string }
	json.Unmarshal([]byte(b), &ca)
	return newSession(t, s, `{"user_id":"user_123","connected_accounts":{"`+toolkit+`":"`+ca.ID+`"}}`)
}

// TestCredentialSchemes proves that each auth scheme puts the account's
// credential where its toolkit declares, as the upstream sees it: an API
// key in a bare header (Linear), a bearer token (GitHub), an API key in a
// query parameter and HTTP Basic (toolkits of a test catalog, since no
// built-in toolkit uses them).
func TestCredentialSchemes(t *testing.T) {
	up := newRecorder(t)

	t.Run("built-in", func(t *testing.T) {
		s := startServer(t, serverOptions{})
		linear := connectWith(t, s, "linear", "API_KEY", up.URL, map[string]string{"api_key": "lin_api_k1"})
		if r := sessionExec(t, s, linear, "LINEAR_GET_CURRENT_USER", `{}`, ""); r.err() != "" {
			t.Fatalf("linear: %+v", r)
		}
		if got := up.seen(); got.Path != "/graphql" || got.Authorization != "lin_api_k1" || len(got.Query) != 0 {
			t.Errorf("linear API key: upstream saw %+v, want the bare key in Authorization", got)
		}
		github := connectWith(t, s, "github", "BEARER_TOKEN", up.URL, map[string]string{"token": "ghp_t1"})
		if r := sessionExec(t, s, github, "GITHUB_GET_THE_AUTHENTICATED_USER", `{}`, ""); r.err() != "" {
			t.Fatalf("github: %+v", r)
		}
		if got := up.seen(); got.Path != "/user" || got.Authorization != "Bearer ghp_t1" {
			t.Errorf("github bearer token: upstream saw %+v", got)
		}
	})

	t.Run("test catalog", func(t *testing.T) {
		cat, err := toolkits.Load(schemeCatalog)
		if err != nil {
			t.Fatal(err)
		}
		s := startServer(t, serverOptions{Catalog: cat})

		keyed := connectWith(t, s, "keyed", "API_KEY", up.URL, map[string]string{"api_key": "k_s3cret"})
		if r := sessionExec(t, s, keyed, "KEYED_LIST_ITEMS", `{"q":"red shoes"}`, ""); r.err() != "" {
			t.Fatalf("keyed: %+v", r)
		}
		if got := up.seen(); got.Path != "/v1/items" || got.Query.Get("key") != "k_s3cret" || got.Query.Get("q") != "red shoes" || got.Authorization != "" {
			t.Errorf("API key in the query: upstream saw %+v", got)
		}
		// A proxied request cannot put its own value in the key's place.
		status, b := call(t, s, testKey, "POST", "/api/v3.1/tool_router/session/"+keyed+"/proxy_execute",
			`{"toolkit_slug":"keyed","endpoint":"/v1/items?key=forged&page=2","method":"GET"}`)
		if got := up.seen(); status != 200 || got.Query["key"][0] != "k_s3cret" || len(got.Query["key"]) != 1 || got.Query.Get("page") != "2" {
			t.Errorf("proxy: %d %s; upstream saw %+v", status, b, got)
		}

		basic := connectWith(t, s, "basicauth", "BASIC", up.URL, map[string]string{"username": "ann", "password": "pa:ss wörd"})
		if r := sessionExec(t, s, basic, "BASICAUTH_GET_ME", `{}`, ""); r.err() != "" {
			t.Fatalf("basic: %+v", r)
		}
		if got := up.seen(); !got.Basic || got.User != "ann" || got.Password != "pa:ss wörd" {
			t.Errorf("basic: upstream saw %+v", got)
		}

		// An upstream that cannot be reached: the error names the failure,
		// never the URL with its key.
		down := connectWith(t, s, "keyed", "API_KEY", "http://127.0.0.1:1", map[string]string{"api_key": "k_unseen"})
		r := sessionExec(t, s, down, "KEYED_LIST_ITEMS", `{"q":"x"}`, "")
		if r.err() == "" || strings.Contains(r.err(), "k_unseen") {
			t.Errorf("unreachable upstream: got error %q, want one without the key", r.err())
		}
	})
}

// schemeCatalog holds two toolkits with the schemes no built-in toolkit
// uses.
var schemeCatalog = fstest.MapFS{
	"keyed.json": {Data: []byte(`{
  "slug": "keyed", "name": "Keyed", "description": "An API that takes its key in the query.",
  "logo": "https://example.com/keyed.png", "categories": [{"slug": "test", "name": "Test"}],
  "base_url": "https://api.keyed.example",
  "auth_schemes": [{
    "mode": "API_KEY",
    "fields": [{"name": "api_key", "display_name": "API key", "description": "The key.", "type": "string", "required": true, "secret": true}],
    "apply": {"query": "key", "field": "api_key"}
  }],
  "version": "20260101_00", "errors": "http", "tools": [{
  "slug": "KEYED_LIST_ITEMS", "name": "List items", "description": "Lists the items that match a query.",
  "tags": ["readOnlyHint"],
  "input": {"type": "object", "properties": {"q": {"type": "string", "description": "What to look for."}}, "required": ["q"]},
  "output": {"type": "object", "properties": {}},
  "request": {"method": "GET", "path": "/v1/items", "query": {"q": "$q"}}
}]
}`)},
	"basicauth.json": {Data: []byte(`{
  "slug": "basicauth", "name": "Basic", "description": "An API behind HTTP Basic authentication.",
  "logo": "https://example.com/basic.png", "categories": [{"slug": "test", "name": "Test"}],
  "base_url": "https://api.basic.example",
  "auth_schemes": [{
    "mode": "BASIC",
    "fields": [
      {"name": "username", "display_name": "Username", "description": "The user name.", "type": "string", "required": true},
      {"name": "password", "display_name": "Password", "description": "The password.", "type": "string", "required": true, "secret": true}
    ],
    "apply": {}
  }],
  "version": "20260101_00", "errors": "http", "tools": [{
  "slug": "BASICAUTH_GET_ME", "name": "Get me", "description": "Gets the signed-in user.",
  "tags": ["readOnlyHint"],
  "input": {"type": "object", "properties": {}},
  "output": {"type": "object", "properties": {}},
  "request": {"method": "GET", "path": "/me"}
}]
}`)},
}
