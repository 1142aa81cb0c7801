package projects

import (
	"testing"

	"github.com/switchboard-dev/switchboard/internal/store"
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
