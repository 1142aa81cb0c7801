package projects

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-dev/switchboard/internal/store"
	"github.com/switchboard-dev/switchboard/internal/store/sqlite"
)

func TestCallbackAllowed(t *testing.T) {
	p := store.Project{CallbackURLs: []string{"https://app.example.com/oauth", "http://127.0.0.1:3000"}}
	tests := []struct {
		url  string
		want bool
	}{
		{"https://app.example.com/oauth", true},
		{"https://app.example.com/oauth/done?x=1", true},
		{"https://app.example.com/oauthx", false},
		{"https://app.example.com/other", false},
		{"http://app.example.com/oauth", false},
		{"https://evil.example.com/oauth", false},
		{"https://app.example.com.evil.com/oauth", false},
		{"https://user@app.example.com/oauth", false},
		{"http://127.0.0.1:3000/anything", true},
		{"http://127.0.0.1:3001/anything", false},
		{"javascript:alert(1)", false},
		{"//app.example.com/oauth", false},
		// Dot segments and encodings are resolved as a browser would.
		{"https://app.example.com/oauth/../../evil", false},
		{"https://app.example.com/oauth/../evil", false},
		{"https://app.example.com/oauth/..", false},
		{"https://app.example.com/oauth/%2e%2e/evil", false},
		{"https://app.example.com/oauth/%2E%2E/%2e%2e/evil", false},
		{"https://app.example.com/oauth/.%2e/evil", false},
		{"https://app.example.com/oauth/./done", true},
		{"https://app.example.com/oauth/x/../done", true},
		{"https://app.example.com/%6fauth/done", true},
		{"https://app.example.com/oauth%2f..%2fevil", false},
		{"https://app.example.com/oauth/%2F", false},
		{"https://app.example.com/oauth/%5c..%5cevil", false},
		{"https://app.example.com/oauth\\..\\evil", false},
		{"https://app.example.com\\@evil.com/oauth", false},
		{"https://app.example.com/oauth/%252e%252e/evil", false},
		{"https://app.example.com:@evil.com/oauth", false},
		{"https://app.example.com/oauth/ done", false},
		{"https://app.example.com/oauth/done?next=%2Fhome%5C", true},
	}
	for _, tt := range tests {
		if got := CallbackAllowed(p, tt.url); got != tt.want {
			t.Errorf("CallbackAllowed(%q): got %v, want %v", tt.url, got, tt.want)
		}
	}
	if CallbackAllowed(store.Project{}, "https://app.example.com/") {
		t.Errorf("an empty allowlist allowed a redirect")
	}
}

func TestKeysAuthenticateUntilRevoked(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := &Service{Store: st, Now: time.Now}
	key, created, err := svc.Bootstrap(ctx, "")
	if err != nil || !created || !strings.HasPrefix(key, KeyPrefix) {
		t.Fatalf("bootstrap: %q %v %v", key, created, err)
	}
	if _, again, _ := svc.Bootstrap(ctx, "other-key-0123456789"); again {
		t.Errorf("a second bootstrap made another project")
	}
	p, err := svc.Authenticate(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := st.ListAPIKeys(ctx, p.ID)
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys: %v %v", keys, err)
	}
	if bytes.Contains(keys[0].Hash, []byte(key)) || keys[0].Prefix == key {
		t.Errorf("the stored key record holds the key")
	}
	if len(keys[0].Prefix) > 4 || !strings.HasPrefix(key, keys[0].Prefix) {
		t.Errorf("stored prefix %q: want at most the key's first 4 characters", keys[0].Prefix)
	}
	if keys[0].Scope != ScopeAdmin {
		t.Errorf("bootstrap key scope %q, want %q", keys[0].Scope, ScopeAdmin)
	}
	for _, bad := range []string{"", "sb_wrong", key + "x"} {
		if _, err := svc.Authenticate(ctx, bad); err != ErrBadKey {
			t.Errorf("Authenticate(%q): got %v, want ErrBadKey", bad, err)
		}
	}
	if err := svc.RevokeKey(ctx, p.ID, keys[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, key); err != ErrBadKey {
		t.Errorf("a revoked key: got %v, want ErrBadKey", err)
	}
}

func TestScopes(t *testing.T) {
	for _, tt := range []struct {
		have, need string
		want       bool
	}{
		{ScopeAdmin, ScopeAdmin, true},
		{ScopeAdmin, ScopeRuntime, true},
		{ScopeRuntime, ScopeRuntime, true},
		{ScopeRuntime, ScopeAdmin, false},
		{"", ScopeAdmin, true}, // stored before scopes: admin
	} {
		if got := Allows(tt.have, tt.need); got != tt.want {
			t.Errorf("Allows(%q, %q): got %v, want %v", tt.have, tt.need, got, tt.want)
		}
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := &Service{Store: st, Now: time.Now}
	p, err := svc.CreateProject(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.CreateScopedKey(ctx, p.ID, "x", "", "owner"); err == nil {
		t.Errorf("CreateKey with scope owner: got no error")
	}
	key, _, err := svc.CreateScopedKey(ctx, p.ID, "agent", "", ScopeRuntime)
	if err != nil {
		t.Fatal(err)
	}
	if _, k, err := svc.AuthenticateKey(ctx, key); err != nil || k.Scope != ScopeRuntime {
		t.Errorf("AuthenticateKey: got scope %q, %v; want %q", k.Scope, err, ScopeRuntime)
	}
}
