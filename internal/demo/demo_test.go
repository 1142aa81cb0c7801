package demo

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/switchboard-dev/switchboard/internal/toolkits"
)

// TestDefinition: the embedded file is a valid toolkit file, beside the
// built-ins, with its identity probe and three tools.
func TestDefinition(t *testing.T) {
	d, err := Definition()
	if err != nil {
		t.Fatal(err)
	}
	builtin, err := toolkits.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	cat, ps := builtin.With(d)
	if len(ps) > 0 {
		t.Fatalf("the demo toolkit does not load beside the built-ins: %v", ps)
	}
	tk, ok := cat.Get(Toolkit)
	if !ok || tk.Identity == nil || tk.Identity.Source != "endpoint" {
		t.Fatalf("toolkit %s: %+v, want one with an identity probe", Toolkit, tk)
	}
	var slugs []string
	for _, tool := range cat.Tools(Toolkit) {
		slugs = append(slugs, tool.Slug)
	}
	slices.Sort(slugs)
	if want := []string{"DEMO_CREATE_NOTE", "DEMO_GET_PROFILE", "DEMO_LIST_NOTES"}; !slices.Equal(slugs, want) {
		t.Errorf("tools %v, want %v", slugs, want)
	}
}

// TestNotesNeedToken: the notes API answers only a bearer token of its
// provider (RFC 6750 §3).
func TestNotesNeedToken(t *testing.T) {
	var up *Upstream
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { up.Handler().ServeHTTP(w, r) }))
	defer srv.Close()
	up, err := New(srv.URL, "http://127.0.0.1:1/api/v3/toolkits/auth/callback")
	if err != nil {
		t.Fatal(err)
	}
	for _, auth := range []string{"", "Bearer not-a-token"} {
		req, _ := http.NewRequest("GET", srv.URL+"/api/notes", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("GET /api/notes with %q: %d, want 401 with a challenge", auth, resp.StatusCode)
		}
	}
	creds := up.AuthConfigCredentials()
	if creds["base_url"] != srv.URL+"/api" || creds["client_id"] != ClientID || creds["client_secret"] == "" {
		t.Errorf("auth config credentials %v", creds)
	}
}
